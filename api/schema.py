"""How the API key authentication appears in the OpenAPI schema (loaded by the app's `ready`)."""
from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "`Api-Key <prefijo.secreto>`: la clave creada en la administración (se muestra una sola vez).",
        }
