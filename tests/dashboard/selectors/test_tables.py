"""The charts' series (`trend_chart`): from the first period with data on, gaps as nulls, and threshold lines
wherever the history allows them, or a sentence saying why there are none."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from dashboard.selectors.counts import Subject
from dashboard.selectors.semaforo import TREND_MIN_SHOWN, trend_from_first_data, trend_get
from dashboard.selectors.tables import rows_for, trend_chart
from tests.dashboard.builders import NOW, posts_create, score
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def local(day_offset: int, hour: int = 5) -> datetime:
    day = timezone.localdate(NOW) + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_a_daily_chart_starts_at_the_first_day_with_data_and_draws_the_thresholds_it_has(version):
    category = CategoryFactory(slug="racismo", name="Racismo")
    for offset in range(-20, 1):
        if offset != -5:  # a day without posts: a gap, not a zero
            score(posts_create(40, at=local(offset), categories=[category]), version=version,
                  discriminatory=4 if offset % 2 else 8)
    chart = trend_chart(trend_get(category="racismo", granularity="day", now=NOW))  # 90 days asked for
    assert len(chart["labels"]) == 21 and chart["labels"][0] == local(-20).strftime("%d/%m")
    assert chart["posts"][0] == 40 and chart["rate"][0] in (10.0, 20.0)
    gap = chart["labels"].index(local(-5).strftime("%d/%m"))
    assert (chart["rate"][gap], chart["yellow"][gap], chart["red"][gap], chart["posts"][gap]) == (None, None, None, 0)
    # Three usable days before it are the minimum history: the fourth day on has its thresholds.
    assert chart["red"][:3] == [None, None, None] and chart["red"][3] is not None
    assert all(y < r for y, r in zip(chart["yellow"][3:], chart["red"][3:], strict=True) if y is not None)
    assert chart["thresholds"] is True and chart["no_thresholds"] == ""


def test_a_chart_without_enough_history_says_why_it_draws_no_thresholds(version):
    score(posts_create(5, at=local(-2)), version=version, discriminatory=1)
    chart = trend_chart(trend_get(granularity="day", now=NOW))
    assert chart["thresholds"] is False and set(chart["red"]) == {None}
    assert chart["no_thresholds"] == (
        "Todavía no hay umbrales que dibujar: se calculan con los días anteriores que tienen al menos 30 "
        "publicaciones calificadas, y hacen falta 3 de esos días en las últimas 4 semanas.")
    # A young series still shows a week, so its first point is not alone on the axis.
    assert len(chart["labels"]) == TREND_MIN_SHOWN["day"] and chart["posts"][-3] == 5
    hourly = trend_chart(trend_get(granularity="hour", now=NOW))
    assert "horas anteriores" in hourly["no_thresholds"] and hourly["labels"][0] == local(-2).strftime("%d/%m %H:00")


def test_an_hourly_chart_keeps_its_gaps_as_nulls(version):
    score(posts_create(3, at=NOW - timedelta(days=3)), version=version, discriminatory=1)
    score(posts_create(2, at=NOW - timedelta(hours=1)), version=version, discriminatory=2)
    chart = trend_chart(trend_get(granularity="hour", now=NOW))
    assert chart["posts"][0] == 3 and chart["posts"][-2] == 2
    assert chart["rate"][0] == pytest.approx(33.33) and chart["rate"][-2] == 100.0
    assert chart["rate"][1:-2] == [None] * (len(chart["rate"]) - 3)  # three days without posts: no line across


def test_without_any_data_a_trend_shows_its_last_periods(version):
    trend = trend_get(granularity="day", now=NOW)
    assert [p.start for p in trend_from_first_data(trend).points] == [p.start for p in trend.points[-7:]]


def test_the_trend_downloads_show_the_points_the_chart_shows(version):
    score(posts_create(40, at=timezone.now() - timedelta(days=10)), version=version, discriminatory=4)
    downloaded = rows_for("tendencia-diaria", subject=Subject(), category=None)
    chart = trend_chart(trend_get(granularity="day"))
    assert len(downloaded) == len(chart["labels"]) == 11 and downloaded[0]["publicaciones"] == 40
