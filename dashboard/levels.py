"""The semáforo's rule: a rate judged against the same series' own history, and the sentence that says why.

Pure functions over counts, so the rule is tested on its own and the
selectors only gather counts. The rule, for a series (overall, a category, a
state, a hashtag…):

* The window's rate is discriminatory / scored posts in it.
* The baseline is the rates of the same series in the windows of the same
  length just before it, over the baseline days (28 days of 48-hour windows:
  14 rates). Same length, because a rate's noise depends on how many posts it
  counts: a 48-hour rate judged against daily rates would be flagged less
  often than it should, against hourly rates more. Windows with fewer posts
  than the minimum are left out (their rates are mostly noise).
* Mean and σ (sample standard deviation) of those rates. σ is never taken
  below the binomial standard error of the mean at the window's number of
  posts: a history that happens to be flat would otherwise turn the next
  small wobble red.
* Red at or above mean + red σ, yellow at or above mean + yellow σ, green
  below; a rate no higher than the mean is green even when σ is 0. Grey when
  the window has fewer posts than the minimum, or the history has fewer usable
  windows than the minimum.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.db import models
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    RED = "red", _("Rojo")
    YELLOW = "yellow", _("Amarillo")
    GREEN = "green", _("Verde")
    GREY = "grey", _("Gris")


# Colour is never the only signal: each level has its word (the label) and a shape.
LEVEL_ICONS = {Level.RED: "octagon", Level.YELLOW: "triangle", Level.GREEN: "circle", Level.GREY: "dash"}
LEVEL_ORDER = {Level.RED: 3, Level.YELLOW: 2, Level.GREEN: 1, Level.GREY: 0}


@dataclass(frozen=True, slots=True)
class Rule:
    """The settings the judgement needs (a plain copy of `SemaforoSettings`)."""

    window_hours: int = 48
    baseline_days: int = 28
    min_posts: int = 30
    min_baseline_windows: int = 3
    yellow_sigma: float = 1.0
    red_sigma: float = 2.0


@dataclass(frozen=True, slots=True)
class Counts:
    posts: int = 0  # scored posts
    discriminatory: int = 0

    @property
    def rate(self) -> float | None:
        return self.discriminatory / self.posts if self.posts else None


class Reason(models.TextChoices):
    """Why a level is what it is (grey has three reasons)."""

    JUDGED = "judged"
    FEW_POSTS = "few_posts"
    NO_HISTORY = "no_history"
    NO_MODEL = "no_model"


@dataclass(frozen=True, slots=True, kw_only=True)
class Judgement:
    level: Level
    reason: Reason
    posts: int
    discriminatory: int
    rate: float | None
    baseline_mean: float | None = None
    baseline_sigma: float | None = None  # the σ used, after the binomial floor
    baseline_windows: int = 0  # usable windows in the history
    yellow_at: float | None = None  # rates at which the level turns yellow and red
    red_at: float | None = None

    @property
    def change(self) -> float | None:
        """The window's rate over the baseline mean ("3.1 times the usual rate"); None when the mean is 0."""
        if self.rate is None or not self.baseline_mean:
            return None
        return self.rate / self.baseline_mean

    @property
    def difference(self) -> float | None:
        """The window's rate minus the baseline mean, as a share (0.05 = 5 percentage points)."""
        if self.rate is None or self.baseline_mean is None:
            return None
        return self.rate - self.baseline_mean

    @property
    def icon(self) -> str:
        return LEVEL_ICONS[self.level]


def baseline_stats(rates: Sequence[float], *, posts: int) -> tuple[float, float]:
    """Mean and σ of the baseline rates, σ floored at the binomial standard error for `posts` posts."""
    total = sum(rates)
    return _stats(len(rates), total, sum(rate * rate for rate in rates), posts=posts)


def _stats(n: int, total: float, squares: float, *, posts: int) -> tuple[float, float]:
    mean = total / n
    sigma = math.sqrt(max(squares - total * total / n, 0.0) / (n - 1))
    floor = math.sqrt(mean * (1 - mean) / posts) if posts else 0.0
    return mean, max(sigma, floor)


def _usable(counts: Counts, rule: Rule) -> float | None:
    """The rate of a window that may enter a baseline, else None."""
    return counts.rate if counts.posts >= rule.min_posts else None


def judge(window: Counts, history: Sequence[Counts], *, rule: Rule) -> Judgement:
    """The level of a window given the windows of the same length before it (any order)."""
    rates = [rate for rate in (_usable(c, rule) for c in history) if rate is not None]
    return _judged(window, len(rates), sum(rates), sum(r * r for r in rates), rule=rule)


def judge_series(series: Sequence[Counts], *, history: int, rule: Rule) -> list[Judgement]:
    """Judge each point of a series against the `history` points before it (the trends' threshold lines).

    Running sums over the usable rates, so a long hourly series costs one pass.
    """
    rates = [_usable(c, rule) for c in series]
    n, total, squares = [0], [0.0], [0.0]
    for rate in rates:
        n.append(n[-1] + (rate is not None))
        total.append(total[-1] + (rate or 0.0))
        squares.append(squares[-1] + (rate or 0.0) ** 2)
    judged = []
    for i, counts in enumerate(series):
        low = max(i - history, 0)
        judged.append(_judged(counts, n[i] - n[low], total[i] - total[low], squares[i] - squares[low], rule=rule))
    return judged


def _judged(window: Counts, usable: int, total: float, squares: float, *, rule: Rule) -> Judgement:
    if window.posts < rule.min_posts or usable < max(rule.min_baseline_windows, 2):
        return Judgement(
            level=Level.GREY, reason=Reason.FEW_POSTS if window.posts < rule.min_posts else Reason.NO_HISTORY,
            posts=window.posts, discriminatory=window.discriminatory, rate=window.rate, baseline_windows=usable,
        )
    mean, sigma = _stats(usable, total, squares, posts=window.posts)
    yellow_at, red_at = mean + rule.yellow_sigma * sigma, mean + rule.red_sigma * sigma
    return Judgement(
        level=_level(window.rate or 0.0, mean=mean, yellow_at=yellow_at, red_at=red_at), reason=Reason.JUDGED,
        posts=window.posts, discriminatory=window.discriminatory, rate=window.rate, baseline_windows=usable,
        baseline_mean=mean, baseline_sigma=sigma, yellow_at=yellow_at, red_at=red_at,
    )


def _level(rate: float, *, mean: float, yellow_at: float, red_at: float) -> Level:
    # Float sums may put a rate equal to the mean a hair above it; such a rate is the usual one.
    if rate <= mean + 1e-12:
        return Level.GREEN
    if rate >= red_at - 1e-12:
        return Level.RED
    if rate >= yellow_at - 1e-12:
        return Level.YELLOW
    return Level.GREEN


def no_model_judgement() -> Judgement:
    return Judgement(level=Level.GREY, reason=Reason.NO_MODEL, posts=0, discriminatory=0, rate=None)


# --- Sentences ---------------------------------------------------------------------------
# A page says the same few words for each of its forty lights (the level's word, the baseline's period, the
# window): they are translated once per language, not once per light.

def level_word(level: Level) -> str:
    """The level's word in the active language: "Rojo"."""
    return _level_words(get_language())[level]


@lru_cache(maxsize=16)
def _level_words(language: str | None) -> dict[Level, str]:
    return {level: str(level.label) for level in Level}


def period_text(days: int) -> str:
    """'las últimas 4 semanas', 'los últimos 10 días', 'la última semana'."""
    return _period_text(days, get_language())


@lru_cache(maxsize=64)
def _period_text(days: int, language: str | None) -> str:
    if days % 7 == 0:
        weeks = days // 7
        return ngettext("la última semana", "las últimas %(n)d semanas", weeks) % {"n": weeks}
    return ngettext("el último día", "los últimos %(n)d días", days) % {"n": days}


def window_text(hours: int) -> str:
    """'las últimas 48 horas', 'la última hora'."""
    return _window_text(hours, get_language())


@lru_cache(maxsize=64)
def _window_text(hours: int, language: str | None) -> str:
    return ngettext("la última hora", "las últimas %(n)d horas", hours) % {"n": hours}


def percent(rate: float) -> str:
    return f"{rate * 100:.1f} %"


def sentence(judgement: Judgement, *, rule: Rule) -> str:
    """One sentence that says why, starting with the level's word: "Rojo: 3.1 veces la tasa habitual…"."""
    values = {
        "level": level_word(judgement.level), "period": period_text(rule.baseline_days),
        "window": window_text(rule.window_hours), "posts": judgement.posts, "min": rule.min_posts,
        "usable": judgement.baseline_windows, "needed": max(rule.min_baseline_windows, 2),
    }
    language = get_language()
    if judgement.reason == Reason.FEW_POSTS:
        return _few_posts_format(judgement.posts, language) % values
    formats = _sentence_formats(language)
    if judgement.reason == Reason.NO_MODEL:
        return formats["no_model"] % values
    if judgement.reason == Reason.NO_HISTORY:
        return formats["no_history"] % values
    change = judgement.change
    green = judgement.level == Level.GREEN
    if change is not None:
        values["change"] = f"{change:.1f}"
        return formats["usual_green" if green else "usual"] % values
    values["rate"] = percent(judgement.rate or 0.0)
    return formats["none_green" if green else "none_usual"] % values


@lru_cache(maxsize=16)
def _sentence_formats(language: str | None) -> dict[str, str]:
    """The sentences' formats in a language, translated once."""
    return {
        "no_model": gettext("%(level)s: no hay un modelo activo que califique las publicaciones."),
        "no_history": gettext(
            "%(level)s: no hay historia suficiente para comparar (%(usable)d de %(needed)d periodos "
            "con datos en %(period)s)."
        ),
        "usual_green": gettext("%(level)s: %(change)s veces la tasa habitual de %(period)s, dentro de lo esperado."),
        "usual": gettext("%(level)s: %(change)s veces la tasa habitual de %(period)s."),
        "none_green": gettext("%(level)s: ninguna publicación discriminatoria, como es habitual en %(period)s."),
        "none_usual": gettext(
            "%(level)s: %(rate)s de publicaciones discriminatorias, cuando en %(period)s lo habitual es 0 %%."),
    }


@lru_cache(maxsize=256)
def _few_posts_format(posts: int, language: str | None) -> str:
    return ngettext(
        "%(level)s: %(posts)d publicación calificada en %(window)s; hacen falta %(min)d para juzgar.",
        "%(level)s: %(posts)d publicaciones calificadas en %(window)s; hacen falta %(min)d para juzgar.",
        posts,
    )
