"""Hashtags, mentions and links found in a post's text, for sources that do not list them."""
from __future__ import annotations

import re

_HASHTAG_RE = re.compile(r"(?<![\w&])#(\w+)")
_MENTION_RE = re.compile(r"(?<![\w@])@(\w{1,30})")
_URL_RE = re.compile(r"https?://\S+")


def entities_from_text(text: str) -> tuple[list[str], list[str], list[str]]:
    """Hashtags, mentions and urls found in the text, for sources that do not list them."""
    # Most texts have none of the three: a substring test is far cheaper than a regex scan.
    return (
        _HASHTAG_RE.findall(text) if "#" in text else [],
        _MENTION_RE.findall(text) if "@" in text else [],
        _URL_RE.findall(text) if "http" in text else [],
    )
