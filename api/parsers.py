"""JSON request bodies, read with a size limit (413 beyond it) and parsed with orjson."""
from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .exceptions import RequestTooLarge


def _too_large(limit: int) -> RequestTooLarge:
    return RequestTooLarge(_("El cuerpo de la petición pasa de %(limit)s bytes.") % {"limit": limit})


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        limit = int(settings.API["MAX_BODY_BYTES"])
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)  # refused before reading a byte of it
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise _too_large(limit)
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as error:
            raise ParseError(_("El cuerpo no es JSON válido (UTF-8): %(error)s") % {"error": error}) from error
