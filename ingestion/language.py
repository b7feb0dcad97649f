"""Which language a text is in, for the sources that must filter Spanish themselves and for the Perspective API."""
from __future__ import annotations

# Languages the detector tells apart (simplemma's word lists; loaded on the first call).
_DETECTED = ("es", "en", "pt", "fr", "it", "de")
# The detector reads the first words only: enough to tell languages apart, at a bounded cost per request.
_DETECTION_WORDS = 16


def languages_detected(text: str) -> tuple[list[str], bool]:
    """The languages the comment seems to be in (most likely first), and whether to score it as Spanish.

    Spanish first: a comment is scored as Spanish unless it has four words or more, another
    language claims at least 80 % of them and Spanish 30 % at most (short comments and Mexican
    slang defeat any detector: "Pinche naco vete a tu pais" reads as Portuguese to it, and
    refusing such comments would fail the clients this endpoint is for)."""
    from simplemma import langdetect

    sample = " ".join(text.split()[:_DETECTION_WORDS])
    shares = {language: share for language, share in langdetect(sample, lang=_DETECTED) if language != "unk"}
    detected = [language for language, share in shares.items() if share >= 0.5] or ["und"]
    other = max((share for language, share in shares.items() if language != "es"), default=0.0)
    foreign = len(text.split()) >= 4 and other >= 0.8 and shares.get("es", 0.0) <= 0.3
    return detected, not foreign
