"""Subjects: what the search box's text means (a hashtag, a user, or every post)."""
from __future__ import annotations

from dashboard.selectors.counts import Subject


def test_subjects_parse():
    assert Subject.parse("#LigaMX") == Subject("hashtag", "ligamx")
    assert Subject.parse("ligamx") == Subject("hashtag", "ligamx")
    assert Subject.parse("@Fulana_1") == Subject("user", "Fulana_1")
    assert Subject.parse("  ") == Subject()
    assert Subject.parse("#LigaMX").label == "#ligamx"
