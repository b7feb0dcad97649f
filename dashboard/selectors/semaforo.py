"""Reads of the semáforo dashboard: the lights, the trends, the states and what is being said.

Every function reads pre-aggregated counts (`sources`), never a scan of raw
posts, and accepts `subject` (all posts, a hashtag or a user: the search) and
`now` (tests and pages agree on the window). A window ends at the end of the
current hour, which counts as it fills; the counts are the active
discrimination model's (see `models` for what they count).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext

from classifier.models import ModelVersion
from classifier.selectors.model_versions import model_version_for_reads
from dashboard.levels import (
    Counts,
    Judgement,
    Level,
    Rule,
    judge,
    judge_series,
    level_word,
    no_model_judgement,
    sentence,
)
from dashboard.models import ALL_CATEGORIES, SemaforoSettings
from dashboard.selectors.counts import (
    CountSource,
    GroupBy,
    HoursBack,
    LocalDays,
    PhraseCount,
    PhraseKind,
    RollupSource,
    Subject,
    Sums,
    source_for,
    subjects_sums,
)
from dashboard.services.rollups import hour_floor
from ingestion.geo import STATE_NAMES
from ingestion.models import Category

Granularity = Literal["day", "hour"]
TREND_PERIODS: dict[str, int] = {"day": 90, "hour": 7 * 24}  # points a trend shows by default
TREND_MIN_SHOWN: dict[str, int] = {"day": 7, "hour": 24}  # points a trend shows at least, however young its data
HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Light:
    """One traffic light: a series (every post, a category or a state) judged over the window."""

    slug: str  # category slug or state code; "" for every post
    name: str
    judgement: Judgement
    sentence: str  # "Rojo: 3.1 veces la tasa habitual de las últimas 4 semanas."

    @property
    def level(self) -> Level:
        return self.judgement.level

    @property
    def label(self) -> str:
        return level_word(self.judgement.level)  # the level's word: colour is never the only signal

    @property
    def icon(self) -> str:
        return self.judgement.icon

    @property
    def posts(self) -> int:
        return self.judgement.posts

    @property
    def rate(self) -> float | None:
        return self.judgement.rate

    @property
    def change(self) -> float | None:
        return self.judgement.change


@dataclass(frozen=True, slots=True, kw_only=True)
class Semaforo:
    subject: Subject
    model_version: int | None  # the version number whose judgements are counted; None: no active model
    rule: Rule
    window_start: datetime
    window_end: datetime
    overall: Light
    categories: list[Light]  # active categories by name


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendPoint:
    start: datetime
    end: datetime
    judgement: Judgement  # rate, posts, and the yellow and red thresholds from the points before it

    @property
    def rate(self) -> float | None:
        return self.judgement.rate

    @property
    def posts(self) -> int:
        return self.judgement.posts

    @property
    def yellow_at(self) -> float | None:
        return self.judgement.yellow_at

    @property
    def red_at(self) -> float | None:
        return self.judgement.red_at

    @property
    def level(self) -> Level:
        return self.judgement.level


@dataclass(frozen=True, slots=True, kw_only=True)
class Trend:
    slug: str  # category slug, "" for every post
    name: str
    granularity: Granularity
    state: str | None
    subject: Subject
    model_version: int | None
    points: list[TrendPoint]  # oldest first


# --- Settings and frame ----------------------------------------------------------------

# What a page's widgets would each read again (the rule, the active model, the categories), read once per page.
_page_memo: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("semaforo_page_memo", default=None)


@contextmanager
def page_reads() -> Iterator[None]:
    """Within the block, the settings, the active model and the categories are read once, not once per widget:
    a page's widgets then agree on them, and the page makes a handful of queries instead of twenty. Outside it
    (the alerts, the scoring step) every call reads them afresh."""
    token = _page_memo.set({})
    try:
        yield
    finally:
        _page_memo.reset(token)


def _once(key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
    memo = _page_memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def semaforo_settings_get() -> SemaforoSettings:
    """The admin's settings, or the defaults while nobody has saved them."""
    return SemaforoSettings.objects.filter(pk=1).first() or SemaforoSettings(pk=1)


def semaforo_rule_get() -> Rule:
    return _once(("rule",), _rule_read)  # type: ignore[no-any-return]


def _rule_read() -> Rule:
    s = semaforo_settings_get()
    return Rule(
        window_hours=s.window_hours, baseline_days=s.baseline_days, min_posts=s.min_posts,
        min_baseline_windows=s.min_baseline_windows, yellow_sigma=s.yellow_sigma, red_sigma=s.red_sigma,
    )


def version_for_reads() -> ModelVersion | None:
    """The active discrimination model whose counts the pages show (`model_version_for_reads`), once per page."""
    return _once(("version",), model_version_for_reads)  # type: ignore[no-any-return]


def window_end(now: datetime | None = None) -> datetime:
    """Where the window ends: the end of the current hour."""
    return hour_floor(now or timezone.now()) + HOUR


def categories_active() -> list[Category]:
    return list(_once(("categories",), lambda: list(
        Category.objects.filter(active=True).order_by("name", "slug").only("id", "slug", "name"))))


def category_get(slug: str) -> Category:
    """A category by slug (inactive ones too: their history stays readable); Category.DoesNotExist if none."""
    found = _once(("category", slug), lambda: Category.objects.only("id", "slug", "name").filter(slug=slug).first())
    if found is None:
        raise Category.DoesNotExist(f"no category {slug!r}")
    return found  # type: ignore[no-any-return]


def _light(slug: str, name: str, judgement: Judgement, rule: Rule) -> Light:
    return Light(slug=slug, name=name, judgement=judgement, sentence=sentence(judgement, rule=rule))


def _history(rule: Rule) -> int:
    """How many windows of the window's length the baseline days hold."""
    return rule.baseline_days * 24 // rule.window_hours


def _window_sums(
    source: CountSource, *, end: datetime, rule: Rule, category_ids: Sequence[int], by: GroupBy,
    states: Sequence[str] | None = None,
) -> Sums:
    """Sums per key and window: window 0 is the current one, 1… the ones before it."""
    return source.sums(
        since=end - (_history(rule) + 1) * rule.window_hours * HOUR, until=end, category_ids=category_ids,
        by=by, period=HoursBack(end=end, hours=rule.window_hours), states=states,
    )


def _windows(sums: Sums, key: str | int, rule: Rule) -> list[Counts]:
    return [sums.get((key, index), Counts()) for index in range(_history(rule) + 1)]


def _judge_windows(series: list[Counts], rule: Rule) -> Judgement:
    return judge(series[0], series[1:], rule=rule)


# --- The semáforo ----------------------------------------------------------------------

def semaforo_get(*, subject: Subject | None = None, now: datetime | None = None) -> Semaforo:
    """The level of every post together and of each active category over the window (48 hours by default)."""
    subject, rule, end = subject or Subject(), semaforo_rule_get(), window_end(now)
    categories = categories_active()
    version = version_for_reads()
    sums: Sums = {}
    if version is not None:
        sums = _window_sums(
            source_for(subject, model_version_id=version.pk), end=end, rule=rule, by="category_id",
            category_ids=[ALL_CATEGORIES, *(c.pk for c in categories)],
        )

    def light(key: int, slug: str, name: str) -> Light:
        judged = no_model_judgement() if version is None else _judge_windows(_windows(sums, key, rule), rule)
        return _light(slug, name, judged, rule)

    return Semaforo(
        subject=subject, model_version=version.version if version else None, rule=rule,
        window_start=end - rule.window_hours * HOUR, window_end=end,
        overall=light(ALL_CATEGORIES, "", gettext("Todas las publicaciones")),
        categories=[light(c.pk, c.slug, c.name) for c in categories],
    )


def states_get(
    *, category: str | None = None, subject: Subject | None = None, now: datetime | None = None
) -> list[Light]:
    """The level of each of Mexico's 32 states over the window (every post, or one category's), by state name.

    Each state is judged against its own history, like a category.
    """
    subject, rule, end = subject or Subject(), semaforo_rule_get(), window_end(now)
    category_id = category_get(category).pk if category else ALL_CATEGORIES
    states = sorted(STATE_NAMES.items(), key=lambda item: item[1])
    version = version_for_reads()
    if version is None:
        return [_light(code, name, no_model_judgement(), rule) for code, name in states]
    sums = _window_sums(
        source_for(subject, model_version_id=version.pk), end=end, rule=rule, by="state",
        category_ids=[category_id], states=[code for code, _ in states],
    )
    return [_light(code, name, _judge_windows(_windows(sums, code, rule), rule), rule) for code, name in states]


# --- Many series at once (the alerts) ----------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesJudged:
    """The semáforo's judgement of many series at one moment: what the alerts compare with their last levels."""

    model_version: int | None
    rule: Rule
    window_start: datetime
    window_end: datetime
    categories: dict[int, Judgement]  # ALL_CATEGORIES (0) for every post
    states: dict[str, Judgement]  # every category together
    subjects: dict[str, Judgement]  # hashtag keys and source subjects, every category together


HistoryCache = MutableMapping[tuple[Any, ...], list[Counts]]


def series_judge(
    *, category_ids: Sequence[int] = (), states: Sequence[str] = (), subjects: Sequence[str] = (),
    now: datetime | None = None, history_cache: HistoryCache | None = None,
) -> SeriesJudged:
    """Judge every post and categories (ids, 0 for every post), states and subjects, each by the same rule and
    windows as the semáforo's pages: at most three queries, whatever the number of series.

    `history_cache` (a caller's dict) keeps the baseline windows' counts of each
    series for the window's end: within the hour only the current window is
    read again, a fifteenth of the rows. Posts stored meanwhile with a date
    before the current window reach the baseline when the hour turns.
    """
    rule, end = semaforo_rule_get(), window_end(now)
    version = version_for_reads()
    judged = SeriesJudged(
        model_version=version.version if version else None, rule=rule, window_start=end - rule.window_hours * HOUR,
        window_end=end, categories={}, states={}, subjects={},
    )
    if version is None:
        judged.categories.update((key, no_model_judgement()) for key in category_ids)
        judged.states.update((key, no_model_judgement()) for key in states)
        judged.subjects.update((key, no_model_judgement()) for key in subjects)
        return judged
    scope = (version.pk, end, rule)

    def read(kind: str, keys: Sequence[Any], sums_of: Callable[[datetime, datetime], Sums]) -> dict[Any, Judgement]:
        if not keys:
            return {}
        start, window = end - (_history(rule) + 1) * rule.window_hours * HOUR, end - rule.window_hours * HOUR
        cache: HistoryCache = history_cache if history_cache is not None else {}
        missing = [key for key in keys if (*scope, kind, key) not in cache]
        if missing:
            sums = sums_of(start, window)
            cache.update(((*scope, kind, key), _windows(sums, key, rule)[1:]) for key in missing)
        current = sums_of(window, end)
        return {key: judge(current.get((key, 0), Counts()), cache[(*scope, kind, key)], rule=rule) for key in keys}

    source, period = RollupSource(model_version_id=version.pk), HoursBack(end=end, hours=rule.window_hours)
    judged.categories.update(read("category", list(category_ids), lambda since, until: source.sums(
        since=since, until=until, category_ids=list(category_ids), by="category_id", period=period)))
    judged.states.update(read("state", list(states), lambda since, until: source.sums(
        since=since, until=until, category_ids=[ALL_CATEGORIES], by="state", period=period, states=list(states))))
    judged.subjects.update(read("subject", list(subjects), lambda since, until: subjects_sums(
        model_version_id=version.pk, subjects=subjects, since=since, until=until, period=period)))
    return judged


# --- Trends -----------------------------------------------------------------------------

def _edges(granularity: Granularity, *, count: int, now: datetime | None) -> list[datetime]:
    """`count` consecutive periods ending with the current one: count + 1 edges, oldest first.

    Days are the site's (Mexico City) calendar days; hours are clock hours.
    """
    if granularity == "hour":
        end = window_end(now)
        return [end - (count - i) * HOUR for i in range(count + 1)]
    today = timezone.localdate(now or timezone.now())
    days = [today - timedelta(days=count - 1 - i) for i in range(count + 1)]
    return [timezone.make_aware(datetime.combine(day, time.min)) for day in days]


def _series(source: CountSource, *, edges: Sequence[datetime], granularity: Granularity, category_id: int,
            state: str | None) -> list[Counts]:
    """Sums per period between the edges, oldest first."""
    period = LocalDays() if granularity == "day" else HoursBack(end=edges[-1], hours=1)
    sums = source.sums(since=edges[0], until=edges[-1], category_ids=[category_id], by="category_id", period=period,
                       states=None if state is None else [state])
    indexes = [period.index(start) for start in edges[:-1]]
    return [sums.get((category_id, index), Counts()) for index in indexes]


def trend_get(
    *, category: str | None = None, granularity: Granularity = "day", periods: int | None = None,
    state: str | None = None, subject: Subject | None = None, now: datetime | None = None,
) -> Trend:
    """Daily or hourly rate of every post or of a category (in one state, if given), with the thresholds.

    Each point is judged like the semáforo, against the points of the same
    granularity in the baseline days before it: its yellow and red thresholds
    are the lines to draw (None where there is too little history).
    """
    subject, rule = subject or Subject(), semaforo_rule_get()
    found = category_get(category) if category else None
    slug, name = (found.slug, found.name) if found else ("", gettext("Todas las publicaciones"))
    shown = periods or TREND_PERIODS[granularity]
    history = rule.baseline_days * (24 if granularity == "hour" else 1)
    edges = _edges(granularity, count=shown + history, now=now)
    version = version_for_reads()
    if version is None:
        judged = [no_model_judgement()] * (len(edges) - 1)
    else:
        series = _series(source_for(subject, model_version_id=version.pk), edges=edges, granularity=granularity,
                         category_id=found.pk if found else ALL_CATEGORIES, state=state)
        judged = judge_series(series, history=history, rule=rule)
    points = [TrendPoint(start=edges[i], end=edges[i + 1], judgement=judged[i]) for i in range(history, len(judged))]
    return Trend(
        slug=slug, name=name, granularity=granularity, state=state, subject=subject,
        model_version=version.version if version else None, points=points,
    )


def trend_from_first_data(trend: Trend) -> Trend:
    """The trend from its first period with scored posts on, or its last `TREND_MIN_SHOWN` periods if that is later.

    A series that began a fortnight ago is drawn over a fortnight, not after months of empty axis (the
    charts and their CSV downloads show the same points). Periods without posts after the first stay: they are
    the gaps a reader must see.
    """
    points = trend.points
    first = next((i for i, point in enumerate(points) if point.posts), len(points))
    return replace(trend, points=points[min(first, max(len(points) - TREND_MIN_SHOWN[trend.granularity], 0)):])


# --- What is being said -------------------------------------------------------------------

# Anonymous pages list a hashtag only when at least this many posts of the window carry it: a hashtag of
# one or two posts can single out the person who wrote them.
PUBLIC_HASHTAG_MIN_POSTS = 3


def phrases_top(
    *, kind: PhraseKind, category: str | None = None, limit: int = 10,
    subject: Subject | None = None, now: datetime | None = None, min_posts: int = 1,
) -> list[PhraseCount]:
    """The dictionary terms (`kind="term"`) or hashtags in most scored posts over the window, most first.

    For a category, the terms of that category and the hashtags of its posts.
    Hashtags are lower case, without "#". A hashtag's own search has no
    hashtag list (hashtags are not counted per hashtag): it gets []. Phrases in
    fewer than `min_posts` posts are left out (`PUBLIC_HASHTAG_MIN_POSTS` on public pages).
    """
    subject, rule, end = subject or Subject(), semaforo_rule_get(), window_end(now)
    category_id = category_get(category).pk if category else ALL_CATEGORIES
    version = version_for_reads()
    if version is None:
        return []
    source: CountSource = source_for(subject, model_version_id=version.pk)
    found = source.top(kind=kind, since=end - rule.window_hours * HOUR, until=end, category_id=category_id, limit=limit)
    return [phrase for phrase in found if phrase.posts >= min_posts]
