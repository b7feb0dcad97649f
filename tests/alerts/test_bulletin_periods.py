"""A bulletin is made of a period that has closed and spans at most a year; any other is refused with its reason."""
from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from alerts.models import Bulletin
from alerts.selectors.bulletins import period_bounds
from alerts.services.bulletins import bulletin_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("args", "reason"), [
    (["--desde", "2020-01-01", "--hasta", "2030-01-01"], "a lo más 366 días"),
    (["--mes", "2099-01"], "aún no termina"),
    (["--desde", "2026-11-20", "--hasta", "2026-11-10"], "termina antes de empezar"),
    (["--mes", "2026-13"], "no es un mes"),
])
def test_the_command_refuses_a_period_with_its_reason_and_makes_nothing(args, reason, archive_dir):
    with pytest.raises(CommandError, match=reason):
        call_command("bulletin", *args)
    assert not Bulletin.objects.exists()
    assert not (archive_dir / "bulletins").exists()


def test_a_whole_year_is_accepted_but_not_a_day_more(archive_dir):
    start, end = period_bounds(first=date(2025, 1, 1), last=date(2025, 12, 31))
    assert bulletin_create(start=start, end=end).slug == "2025-01-01_2025-12-31"
    start, end = period_bounds(first=date(2024, 1, 1), last=date(2025, 1, 1))  # 2024 is a leap year: 367 days
    with pytest.raises(ValueError, match="366"):
        bulletin_create(start=start, end=end)
