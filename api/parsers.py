"""JSON request bodies, read with a size limit (413 beyond it) and parsed with orjson.

The API's limit is `settings.API["MAX_BODY_BYTES"]` (a full documented batch fits), not
Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MiB, kept for the HTML forms). DRF reads a
`JSONParser`'s body through `request.body`, where Django applies its own limit and answers
an HTML 400; this parser is therefore a plain `BaseParser`, which DRF hands the request's
stream, so only the API's limit applies and an oversized body is the JSON 413.
"""
from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from .exceptions import RequestTooLarge


def _too_large(limit: int) -> RequestTooLarge:
    return RequestTooLarge(_("El cuerpo de la petición pasa de %(limit)s bytes.") % {"limit": limit})


class BoundedJSONParser(BaseParser):
    media_type = "application/json"

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
