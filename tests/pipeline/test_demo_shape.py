"""The demo's shape, recounted from its posts alone and judged by the semáforo's rule: every category has a
light, at least one green, one yellow and one red; the overall light is red; a few states are lit; the mix the
replay serves afterwards has the current window's proportions. Under another rule the shape follows it."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.levels import Counts, Level, Rule, judge
from dashboard.selectors.semaforo import window_end
from pipeline.demo_shape import LIT_STATES, CorpusPost, demo_shape

SLUGS = ["apariencia", "discapacidad", "edad", "genero", "ideologia", "orientacion", "religion"]
NOW = datetime(2025, 3, 12, 17, 25, tzinfo=UTC)


def corpus() -> list[CorpusPost]:
    """A small corpus: per category 6 discriminatory and 8 other items, and 60 items without a category."""
    posts, index = [], 0
    for slug in SLUGS:
        for i in range(14):
            posts.append(CorpusPost(index=index, category=slug, discriminatory=i < 6))
            index += 1
    for i in range(60):
        posts.append(CorpusPost(index=index, category="", discriminatory=i < 4))
        index += 1
    return posts


def recount(shape, rule: Rule) -> dict[str, Level]:
    """Each series' level, from the posts' dates, categories, decisions and states only."""
    profile = {post.index: post for post in corpus()}
    end, width = window_end(NOW), timedelta(hours=rule.window_hours)
    counts: dict[tuple[str, int], list[int]] = {}
    for post in shape.posts:
        assert post.created_at <= NOW
        k = int((end - post.created_at) / width)
        item = profile[post.corpus_index]
        for key in {"*", item.category or "-", f"state:{post.state}"}:
            found = counts.setdefault((key, k), [0, 0])
            found[0] += 1
            found[1] += item.discriminatory
    history = rule.baseline_days * 24 // rule.window_hours

    def level(key: str) -> Level:
        series = [Counts(*counts.get((key, k), (0, 0))) for k in range(history + 1)]
        return judge(series[0], series[1:], rule=rule).level

    keys = {key for key, _ in counts}
    return {key: level(key) for key in keys}


@pytest.mark.parametrize("rule", [
    Rule(),
    Rule(window_hours=24, baseline_days=21, min_posts=20, min_baseline_windows=5, yellow_sigma=1.5, red_sigma=2.5),
], ids=["default rule", "another rule"])
def test_the_posts_give_every_level_to_categories_and_states_and_red_overall(rule):
    shape = demo_shape(corpus=corpus(), categories=SLUGS, rule=rule, now=NOW, days=35)

    levels = recount(shape, rule)
    assert levels["*"] == shape.overall == Level.RED
    categories = {slug: levels[slug] for slug in SLUGS}
    assert categories == shape.categories
    assert {Level.GREEN, Level.YELLOW, Level.RED} <= set(categories.values())
    assert Level.GREY not in categories.values()
    assert (categories["orientacion"], categories["genero"], categories["edad"]) == (Level.RED, Level.YELLOW, Level.YELLOW)
    lit = {code: levels[f"state:{code}"] for code, _size, _level in LIT_STATES}
    assert lit == shape.states == {code: level for code, _size, level in LIT_STATES}
    small = {key for key in levels if key.startswith("state:") and key[6:] and key[6:] not in lit}
    assert len(small) > 20 and all(levels[key] == Level.GREY for key in small)
    assert min(post.created_at for post in shape.posts) <= NOW - timedelta(days=34)


def test_the_mix_is_the_current_window_spread_evenly():
    rule = Rule()
    shape = demo_shape(corpus=corpus(), categories=SLUGS, rule=rule, now=NOW, days=35)
    start = window_end(NOW) - timedelta(hours=rule.window_hours)
    current = Counter((post.corpus_index, post.state) for post in shape.posts if post.created_at >= start)
    assert Counter(shape.mix) == current
    # Any 25 in a row (a download) carry about the window's share of discriminatory posts.
    disc = {post.index for post in corpus() if post.discriminatory}
    share = sum(index in disc for index, _ in shape.mix) / len(shape.mix)
    for first in range(len(shape.mix) - 25):
        block = shape.mix[first:first + 25]
        assert abs(sum(index in disc for index, _ in block) - 25 * share) <= 1.5


def test_a_missing_rising_category_is_replaced_and_one_stays_green():
    slugs = ["apariencia", "religion", "discapacidad"]
    shape = demo_shape(corpus=[p for p in corpus() if p.category in (*slugs, "")], categories=slugs, rule=Rule(),
                       now=NOW, days=35)
    assert sorted(shape.categories.values()) == sorted([Level.RED, Level.YELLOW, Level.GREEN])


def test_a_window_s_discriminatory_posts_are_spread_over_it_and_each_category_has_daily_thresholds():
    """The daily chart neither zig-zags (a window's discriminatory posts all in its first day) nor lacks thresholds:
    a category has the rule's minimum of posts on most days, so its daily series has a history to judge by."""
    rule = Rule()
    shape = demo_shape(corpus=corpus(), categories=SLUGS, rule=rule, now=NOW, days=35)
    profile = {post.index: post for post in corpus()}
    end, width = window_end(NOW), timedelta(hours=rule.window_hours)
    halves: dict[int, list[int]] = {}
    per_day: Counter[tuple[str, object]] = Counter()
    for post in shape.posts:
        k, into = divmod(end - post.created_at, width)
        if profile[post.corpus_index].discriminatory and k >= 1:
            halves.setdefault(k, [0, 0])[into < width / 2] += 1
        if profile[post.corpus_index].category:
            per_day[(profile[post.corpus_index].category, post.created_at.date())] += 1
    for k, (first, second) in halves.items():
        assert 0.3 <= first / (first + second) <= 0.7, (k, first, second)
    for slug in SLUGS:
        days = [n for (category, _), n in per_day.items() if category == slug]
        assert sum(n >= rule.min_posts for n in days) >= len(days) * 0.6, (slug, sorted(days))


@pytest.mark.parametrize("hour", range(0, 48, 2))
def test_eight_downloads_of_the_mix_keep_every_lit_state_at_its_level(hour):
    """A lit state has few posts a window: the mix spreads its discriminatory posts, so the first 200 posts the
    replay serves (two hours of the beat) move no state's light, whatever the hour the demo was loaded."""
    rule, profile = Rule(), {post.index: post for post in corpus()}
    now = datetime(2025, 3, 12, 0, 25, tzinfo=UTC) + timedelta(hours=hour)
    shape = demo_shape(corpus=corpus(), categories=SLUGS, rule=rule, now=now, days=35)
    end, width = window_end(now), timedelta(hours=rule.window_hours)
    counts: dict[tuple[str, int], list[int]] = {}
    for post in shape.posts:
        found = counts.setdefault((post.state, int((end - post.created_at) / width)), [0, 0])
        found[0] += 1
        found[1] += profile[post.corpus_index].discriminatory
    for code, _size, level in LIT_STATES:
        history = [Counts(*counts.get((code, k), (0, 0))) for k in range(1, rule.baseline_days * 24 // rule.window_hours + 1)]
        current = list(counts.get((code, 0), [0, 0]))
        for index, state in shape.mix[:200]:
            if state == code:
                current[0] += 1
                current[1] += profile[index].discriminatory
        assert judge(Counts(*current), history, rule=rule).level == level, code
