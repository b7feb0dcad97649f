"""Hashtags, mentions and links found in a post's text, for sources that do not list them."""
from __future__ import annotations

import re

_HASHTAG_RE = re.compile(r"(?<![\w&])#(\w+)")
_MENTION_RE = re.compile(r"(?<![\w@])@(\w{1,30})")
_URL_RE = re.compile(r"https?://\S+")


def entities_from_text(text: str) -> tuple[list[str], list[str], list[str]]:
    """Hashtags, mentions and urls found in the text, for sources that do not list them."""
    return _HASHTAG_RE.findall(text), _MENTION_RE.findall(text), _URL_RE.findall(text)
