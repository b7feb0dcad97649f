"""The semáforo's rule on plain counts: thresholds, the σ floor, grey's reasons, rolling judgements, sentences."""
from __future__ import annotations

import pytest

from dashboard.levels import Counts, Level, Reason, Rule, judge, judge_series, period_text, sentence

RULE = Rule()


def history(*rates_per_100: int) -> list[Counts]:
    return [Counts(100, d) for d in rates_per_100]


def test_levels_at_the_thresholds():
    past = history(10, 20, 10, 20)  # mean 15%, σ 5.77 points
    sigma = (4 * 0.05**2 / 3) ** 0.5
    judged = judge(Counts(100, 20), past, rule=RULE)
    assert judged.yellow_at == pytest.approx(0.15 + sigma) and judged.red_at == pytest.approx(0.15 + 2 * sigma)
    assert judge(Counts(1000, round(1000 * (0.15 + 2 * sigma)) + 1), past, rule=RULE).level == Level.RED
    assert judge(Counts(1000, 208), past, rule=RULE).level == Level.YELLOW
    assert judge(Counts(1000, 205), past, rule=RULE).level == Level.GREEN
    assert judge(Counts(1000, 10), past, rule=RULE).level == Level.GREEN


def test_a_flat_history_needs_more_than_a_wobble():
    flat = history(15, 15, 15, 15)  # σ 0: the binomial error of 15% over 100 posts (3.6 points) stands in
    assert judge(Counts(100, 15), flat, rule=RULE).level == Level.GREEN
    assert judge(Counts(100, 17), flat, rule=RULE).level == Level.GREEN
    assert judge(Counts(100, 20), flat, rule=RULE).level == Level.YELLOW
    assert judge(Counts(100, 23), flat, rule=RULE).level == Level.RED
    never = history(0, 0, 0)
    assert judge(Counts(100, 0), never, rule=RULE).level == Level.GREEN
    assert judge(Counts(100, 3), never, rule=RULE).level == Level.RED


def test_grey_when_the_window_or_the_history_is_too_thin():
    few = judge(Counts(29, 20), history(10, 20, 10), rule=RULE)
    assert (few.level, few.reason) == (Level.GREY, Reason.FEW_POSTS)
    thin = judge(Counts(100, 20), [Counts(100, 10), Counts(10, 5), Counts(100, 20)], rule=RULE)
    assert (thin.level, thin.reason, thin.baseline_windows) == (Level.GREY, Reason.NO_HISTORY, 2)


def test_series_judged_against_the_points_before_each():
    series = history(10, 20, 10, 20, 40, 15)
    judged = judge_series(series, history=4, rule=RULE)
    assert [j.level for j in judged] == [Level.GREY, Level.GREY, Level.GREY, Level.YELLOW, Level.RED, Level.GREEN]
    assert judged[4].red_at == judge(series[4], series[:4], rule=RULE).red_at
    assert judged[5].baseline_mean == judge(series[5], series[1:5], rule=RULE).baseline_mean


def test_sentences():
    past = history(10, 20, 10, 20)
    assert sentence(judge(Counts(100, 46), past, rule=RULE), rule=RULE) == "Rojo: 3.1 veces la tasa habitual de las últimas 4 semanas."
    assert sentence(judge(Counts(100, 5), history(0, 0, 0), rule=RULE), rule=RULE) == (
        "Rojo: 5.0 % de publicaciones discriminatorias, cuando en las últimas 4 semanas lo habitual es 0 %."
    )
    assert sentence(judge(Counts(100, 0), history(0, 0, 0), rule=RULE), rule=RULE) == (
        "Verde: ninguna publicación discriminatoria, como es habitual en las últimas 4 semanas."
    )
    assert sentence(judge(Counts(1, 1), past, rule=RULE), rule=RULE) == (
        "Gris: 1 publicación calificada en las últimas 48 horas; hacen falta 30 para juzgar."
    )
    assert period_text(7) == "la última semana" and period_text(10) == "los últimos 10 días" and period_text(1) == "el último día"
