"""JSON responses written by orjson: several times faster than the standard library on large batches."""
from __future__ import annotations

from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder()


class FastJSONRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict[str, Any] | None = None) -> bytes:
        if data is None:
            return b""
        # Lazy translations, decimals and the like go through DRF's own encoder.
        return orjson.dumps(data, default=_fallback.default, option=orjson.OPT_SERIALIZE_NUMPY)
