"""The error shape every API response shares, for the schema."""
from __future__ import annotations

from typing import Any

from rest_framework import serializers


class ErrorItemOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Código estable, p. ej. `required`, `max_length`, `too_large`.")
    message = serializers.CharField(help_text="Explicación para personas.")
    field = serializers.CharField(allow_null=True, help_text="Campo con el error (`texts.3`), o null.")


class ErrorOutput(ErrorItemOutput):
    errors = ErrorItemOutput(many=True, required=False, help_text="Todos los errores, cuando hay más de uno.")


def error_responses(*codes: int) -> dict[int, Any]:
    """The schema's answer for each error status: always the one error shape."""
    return {code: ErrorOutput for code in codes}


# The error catalogue: what a read endpoint and a write endpoint may answer besides success.
READ_ERRORS = error_responses(400, 401, 403, 429)
WRITE_ERRORS = error_responses(400, 401, 403, 413, 415, 429)
