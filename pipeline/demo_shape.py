"""The shape of the demo's posts: a usual rate per category and state over past weeks, and a recent rise.

Pure planning over the demo corpus, derived from the semáforo's own rule
(`dashboard.levels`) so the demo stays right when the rule changes:

* The backlog is cut into the rule's windows (48 hours by default), ending
  where the semáforo's current window ends. Each category has, per window, a
  little more than the rule's minimum of posts, so every window counts in its
  history; a few states do too, the others stay under it (grey), and some
  posts say nothing of where they were written.
* In the past windows each series (a category, a lit state, the posts without
  a category) keeps its usual rate, with a spread a little wider than chance
  (the σ the rule reads is then the history's own, not the binomial floor, and
  it does not shrink as the replay adds posts to the current window).
* In the current window each series gets the count of discriminatory posts
  that `judge` puts at its intended level, the one nearest the middle of that
  level's band: the usual rate for green, between the yellow and red lines for
  yellow, a σ past the red line for red. The posts without a category make
  the overall light red.
* `mix` is the current window's posts, interleaved so that any 25 of them in a
  row carry about its proportions: what the replay serves after the backlog,
  so the lights keep their level as posts arrive.

Which posts are discriminatory is the active model's decision on each corpus
item (`CorpusPost`), so the semáforo counts what was planned.
"""
from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from dashboard.levels import Counts, Level, Reason, Rule, judge
from dashboard.selectors.semaforo import window_end
from ingestion.geo import STATE_NAMES
from ingestion.sources.replay import PlannedPost

SEED = 2024
OVERALL_LEVEL = Level.RED
UNLOCATED = ""
# Categories whose recent rise the demo shows, by slug; missing ones are replaced by other categories.
RISES: tuple[tuple[str, Level], ...] = (("orientacion", Level.RED), ("genero", Level.YELLOW), ("edad", Level.YELLOW))
# Lit states: posts per window in units of the rule's minimum, and their level in the current window.
LIT_STATES: tuple[tuple[str, float, Level], ...] = (
    ("CMX", 2.2, Level.GREEN), ("MEX", 1.3, Level.GREEN), ("JAL", 1.25, Level.RED), ("NLE", 1.2, Level.YELLOW),
    ("PUE", 1.1, Level.GREEN),
)
CATEGORY_SIZES = (2.4, 2.6, 2.8)  # posts per window of each category, in units of the rule's minimum, in turn
USUAL_RATES = (0.18, 0.22, 0.26, 0.30)  # the usual rate of each category, in turn
UNCATEGORISED_SIZE = 3.0  # posts without a category per window, in units of the rule's minimum
UNCATEGORISED_RATE = 0.06
SPREAD = 1.25  # the history's σ over the binomial σ of a window
VOLUME = (0.9, 1.1)  # a past window's volume, relative to the usual
UNLOCATED_SHARE = 0.55  # of the posts outside the lit states, those without a location
LOCAL_TIME = ZoneInfo("America/Mexico_City")
# How busy each local hour is, relative to the busiest.
HOURLY = (0.35, 0.25, 0.18, 0.14, 0.12, 0.15, 0.3, 0.55, 0.8, 0.95, 1.0, 1.0,
          1.0, 1.0, 1.0, 0.95, 0.95, 1.0, 1.05, 1.1, 1.15, 1.1, 0.9, 0.6)


@dataclass(frozen=True, slots=True)
class CorpusPost:
    """What the plan needs of a corpus item."""

    index: int
    category: str  # the one dictionary category its terms match, "" for none (items matching two are left out)
    discriminatory: bool  # the active model's decision


@dataclass(slots=True)
class DemoShape:
    posts: list[PlannedPost]  # oldest first
    mix: list[tuple[int, str]]  # (corpus index, state): the current window's posts, interleaved
    overall: Level  # the planned levels of the current window
    categories: dict[str, Level]  # by slug
    states: dict[str, Level]  # the lit states, by code
    start: datetime  # the oldest post's window start


@dataclass(slots=True)
class _Series:
    usual: float
    sizes: list[int]  # posts per window, the current window first
    level: Level = Level.GREEN
    disc: list[int] = field(default_factory=list)

    def history(self) -> list[Counts]:
        return [Counts(posts=n, discriminatory=d) for n, d in zip(self.sizes[1:], self.disc[1:], strict=True)]


class _Post(NamedTuple):
    corpus_index: int
    category: str
    discriminatory: bool
    state: str = UNLOCATED


@dataclass(slots=True)
class _Plan:
    """Per series, the posts and discriminatory posts of each window (the current window first)."""

    pools: dict[tuple[str, bool], list[int]]
    categories: dict[str, _Series]
    plain: _Series  # the posts without a category
    overall: _Series
    states: dict[str, _Series]


def demo_shape(
    *, corpus: Sequence[CorpusPost], categories: Sequence[str], rule: Rule, now: datetime, days: int,
) -> DemoShape:
    """The backlog over at least `days` days (whole windows) ending at `now`, and the mix that follows it."""
    rng = random.Random(SEED)
    windows = max(math.ceil(days * 24 / rule.window_hours), 2)
    history = rule.baseline_days * 24 // rule.window_hours
    plan = _plan(corpus, categories, rule, windows=windows, history=history, rng=rng)
    end, width = window_end(now), timedelta(hours=rule.window_hours)
    posts: list[PlannedPost] = []
    mix: list[tuple[int, str]] = []
    for k in reversed(range(windows)):
        if k == 0:  # the states' current counts depend on their history as it was placed
            for one in plan.states.values():
                one.disc[0] = _disc_for_level(one.history()[:history], one.sizes[0], one.level, rule)
        placed = _states_place(_window_posts(plan, k), plan.states, k, rng)
        rng.shuffle(placed)  # spread over the window: otherwise a window's discriminatory posts would all come first
        start = end - (k + 1) * width
        times = sorted(_times(len(placed), start=start, until=min(start + width, now), rng=rng))
        posts += [PlannedPost(corpus_index=post.corpus_index, created_at=moment, state=post.state)
                  for post, moment in zip(placed, times, strict=True)]
        if k == 0:
            mix = [(post.corpus_index, post.state) for post in _interleaved(placed, rng)]
    return DemoShape(
        posts=posts, mix=mix, overall=_judged(plan.overall, history, rule),
        categories={slug: _judged(one, history, rule) for slug, one in plan.categories.items()},
        states={code: _judged(one, history, rule) for code, one in plan.states.items()},
        start=end - windows * width,
    )


def _plan(
    corpus: Sequence[CorpusPost], categories: Sequence[str], rule: Rule, *, windows: int, history: int,
    rng: random.Random,
) -> _Plan:
    """Every series' counts but the states' current ones (those wait for the states' history to be placed)."""
    volumes = [1.0] + [rng.uniform(*VOLUME) for _ in range(windows - 1)]
    pools = _pools(corpus, rng)
    slugs = [slug for slug in categories if pools.get((slug, True)) and pools.get((slug, False))]
    rises = _rises(slugs)
    series = {
        slug: _series(rule.min_posts * CATEGORY_SIZES[i % len(CATEGORY_SIZES)], USUAL_RATES[i % len(USUAL_RATES)],
                      volumes, rule, level=rises.get(slug, Level.GREEN))
        for i, slug in enumerate(slugs)
    }
    plain = _series(rule.min_posts * UNCATEGORISED_SIZE, UNCATEGORISED_RATE, volumes, rule, level=Level.GREEN)
    for one in (*series.values(), plain):
        _history_fill(one, rng, history=history)
    for one in series.values():
        one.disc[0] = _disc_for_level(one.history()[:history], one.sizes[0], one.level, rule)
    overall = _overall(series, plain, history=history, rule=rule)
    usual = sum(one.usual * one.sizes[0] for one in (*series.values(), plain)) / overall.sizes[0]
    states = {code: _series(rule.min_posts * size, usual, volumes, rule, level=level) for code, size, level in LIT_STATES}
    for one in states.values():
        _history_fill(one, rng, history=history)
    return _Plan(pools=pools, categories=series, plain=plain, overall=overall, states=states)


def _pools(corpus: Sequence[CorpusPost], rng: random.Random) -> dict[tuple[str, bool], list[int]]:
    """Corpus indexes by (category, discriminatory), each pool shuffled once."""
    pools: dict[tuple[str, bool], list[int]] = {}
    for post in corpus:
        pools.setdefault((post.category, post.discriminatory), []).append(post.index)
    for pool in pools.values():
        rng.shuffle(pool)
    return pools


def _rises(slugs: Sequence[str]) -> dict[str, Level]:
    """The level each rising category reaches; a missing preferred slug is replaced by a steady category."""
    chosen = {slug: level for slug, level in RISES if slug in slugs}
    spare = [slug for slug in slugs if slug not in chosen and slug not in dict(RISES)]
    for slug, level in RISES:
        if slug not in slugs and spare and len(chosen) < len(slugs) - 1:  # keep at least one green category
            chosen[spare.pop(0)] = level
    return chosen


def _series(size: float, usual: float, volumes: Sequence[float], rule: Rule, *, level: Level) -> _Series:
    """Posts per window: the usual size scaled by the window's volume, never under the rule's minimum."""
    sizes = [max(rule.min_posts + 1, round(size * volume)) for volume in volumes]
    return _Series(usual=usual, sizes=sizes, level=level, disc=[0] * len(sizes))


def _history_fill(series: _Series, rng: random.Random, *, history: int) -> None:
    """Past windows at the usual rate with a spread of SPREAD binomial σ, exactly so over the baseline's windows."""
    past = len(series.sizes) - 1
    draws = [rng.gauss(0.0, 1.0) for _ in range(past)]
    baseline = draws[:history]
    if len(baseline) >= 2:
        mean = sum(baseline) / len(baseline)
        sd = math.sqrt(sum((z - mean) ** 2 for z in baseline) / (len(baseline) - 1)) or 1.0
        draws[:history] = [(z - mean) / sd for z in baseline]
    base = sum(series.sizes[1:]) / max(past, 1)
    sigma = SPREAD * math.sqrt(series.usual * (1 - series.usual) / base)
    for k in range(1, past + 1):
        n = series.sizes[k]
        series.disc[k] = min(n, max(0, round(n * (series.usual + draws[k - 1] * sigma))))


def _disc_for_level(history: Sequence[Counts], posts: int, level: Level, rule: Rule) -> int:
    """The number of discriminatory posts among `posts` that `judge` puts at `level`, nearest the band's middle."""
    probe = judge(Counts(posts=posts), history, rule=rule)
    if probe.reason != Reason.JUDGED or probe.baseline_mean is None or probe.yellow_at is None or probe.red_at is None:
        return 0
    mean, yellow_at, red_at = probe.baseline_mean, probe.yellow_at, probe.red_at
    target = {Level.YELLOW: (yellow_at + red_at) / 2, Level.RED: 2 * red_at - yellow_at}.get(level, mean)
    fitting = [d for d in range(posts + 1)
               if judge(Counts(posts=posts, discriminatory=d), history, rule=rule).level == level
               and (level != Level.GREEN or d / posts <= mean)]
    if not fitting:  # too few posts for the band: as near the target as the posts allow
        return min(posts, max(0, math.ceil(target * posts)))
    return min(fitting, key=lambda d: abs(d / posts - target))


def _overall(series: dict[str, _Series], plain: _Series, *, history: int, rule: Rule) -> _Series:
    """Every post together; the posts without a category take the overall light to its level in the current window."""
    members = [*series.values(), plain]
    sizes = [sum(one.sizes[k] for one in members) for k in range(len(plain.sizes))]
    overall = _Series(usual=0.0, sizes=sizes, level=OVERALL_LEVEL,
                      disc=[sum(one.disc[k] for one in members) for k in range(len(sizes))])
    wanted = _disc_for_level(overall.history()[:history], sizes[0], overall.level, rule)
    others = sum(one.disc[0] for one in series.values())
    plain.disc[0] = min(plain.sizes[0], max(round(plain.usual * plain.sizes[0]), wanted - others))
    overall.disc[0] = others + plain.disc[0]
    return overall


def _window_posts(plan: _Plan, k: int) -> list[_Post]:
    """Window k's posts, taking each pool's items in turn."""
    chosen: list[_Post] = []
    for slug, one in (*plan.categories.items(), ("", plan.plain)):
        for disc, count in ((True, one.disc[k]), (False, one.sizes[k] - one.disc[k])):
            pool = plan.pools.get((slug, disc)) or []
            offset = sum(one.disc[j] if disc else one.sizes[j] - one.disc[j] for j in range(k + 1, len(one.sizes)))
            chosen += [_Post(pool[(offset + i) % len(pool)], slug, disc) for i in range(count) if pool]
    return chosen


def _states_place(chosen: list[_Post], states: dict[str, _Series], k: int, rng: random.Random) -> list[_Post]:
    """Give each post a state: each lit state its planned posts (as many discriminatory ones as there are),
    the rest a small state or no location."""
    disc = [post for post in chosen if post.discriminatory]
    plain = [post for post in chosen if not post.discriminatory]
    rng.shuffle(disc)
    rng.shuffle(plain)
    placed: list[_Post] = []
    for code, one in states.items():
        take_disc = min(one.disc[k], len(disc))
        take_plain = min(one.sizes[k] - take_disc, len(plain))
        one.disc[k], one.sizes[k] = take_disc, take_disc + take_plain  # what the state really got
        placed += [post._replace(state=code) for post in disc[:take_disc] + plain[:take_plain]]
        disc, plain = disc[take_disc:], plain[take_plain:]
    small = sorted(code for code in STATE_NAMES if code not in states)
    for post in disc + plain:
        placed.append(post._replace(state=UNLOCATED if rng.random() < UNLOCATED_SHARE else rng.choice(small)))
    return placed


def _times(count: int, *, start: datetime, until: datetime, rng: random.Random) -> list[datetime]:
    """`count` moments in [start, until), busier in the local day than at night."""
    span = (until - start).total_seconds()
    top = max(HOURLY)
    found: list[datetime] = []
    while len(found) < count:
        moment = start + timedelta(seconds=rng.uniform(0, span))
        if rng.random() * top < HOURLY[moment.astimezone(LOCAL_TIME).hour]:
            found.append(moment.replace(microsecond=0))
    return found


def _interleaved(posts: list[_Post], rng: random.Random) -> list[_Post]:
    """The posts in an order where any run of them carries about the whole list's proportions: of
    discriminatory posts most closely, then of each category, then of each state's discriminatory and other posts
    (a lit state has few posts a window: a run of its discriminatory ones would move its light)."""
    ordered = _spread(posts, [(post.state, post.discriminatory) for post in posts], rng)
    ordered = _spread(ordered, [(post.category, post.discriminatory) for post in ordered], rng)
    return _spread(ordered, [post.discriminatory for post in ordered], rng)


def _spread(posts: list[_Post], kinds: Sequence[object], rng: random.Random) -> list[_Post]:
    """Each kind's posts spread evenly over the list, keeping their order among themselves."""
    groups: dict[object, list[_Post]] = {}
    for post, kind in zip(posts, kinds, strict=True):
        groups.setdefault(kind, []).append(post)
    keyed = []
    for number, members in enumerate(groups.values()):
        phase = rng.random()
        keyed += [((i + phase) / len(members), number, i, post) for i, post in enumerate(members)]
    return [post for *_key, post in sorted(keyed, key=lambda row: row[:3])]


def _judged(series: _Series, history: int, rule: Rule) -> Level:
    return judge(Counts(posts=series.sizes[0], discriminatory=series.disc[0]), series.history()[:history], rule=rule).level
