"""The error shape every API response shares, for the schema."""
from __future__ import annotations

from rest_framework import serializers


class ErrorItemOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Código estable, p. ej. `required`, `max_length`, `too_large`.")
    message = serializers.CharField(help_text="Explicación para personas.")
    field = serializers.CharField(allow_null=True, help_text="Campo con el error (`texts.3`), o null.")


class ErrorOutput(ErrorItemOutput):
    errors = ErrorItemOutput(many=True, required=False, help_text="Todos los errores, cuando hay más de uno.")
