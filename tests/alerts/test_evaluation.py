"""The alerts' evaluation: a watched series judged by the semáforo's rule, each subscription told once per change."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Message, SeriesChange, SeriesLevel, Subscription
from alerts.services.evaluation import EvaluationSummary, alerts_evaluate, alerts_owed_send, changes_apply, transition
from classifier.models import ModelVersion
from dashboard.selectors.semaforo import semaforo_get, states_get, window_end
from ingestion.models import Category
from pipeline.services.scoring import tweets_score
from tests.dashboard.builders import NOW, posts_create, score
from tests.factories import CategoryFactory, ModelVersionFactory, SourceFactory, TweetFactory

WINDOW = timedelta(hours=48)
END = NOW.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)  # where the window of NOW ends
LATER = NOW + WINDOW  # the next window: [END, END + 48 h)


@pytest.fixture
def version(db) -> ModelVersion:
    return ModelVersionFactory.create(task="discrimination", version=1, status=ModelVersion.Status.ACTIVE)


@pytest.fixture
def gender(db) -> Category:
    return CategoryFactory.create(slug="genero-alertas", name="Género (alertas)")


def history(version: ModelVersion, *, categories=(), state="", hashtags=(), source=None, end=END) -> None:
    """14 windows of 48 hours before the current one (ending at `end`), 100 posts each at 4 % or 6 % discriminatory."""
    for k in range(1, 15):
        posts = posts_create(100, at=end - k * WINDOW - timedelta(hours=24), categories=categories, state=state,
                             hashtags=hashtags, source=source)
        score(posts, version=version, discriminatory=4 if k % 2 else 6)


def window_posts(version, *, discriminatory: int, at=NOW - timedelta(hours=3), **where) -> None:
    score(posts_create(100, at=at, **where), version=version, discriminatory=discriminatory)


def subscribe(**fields) -> Subscription:
    fields = {"channel": "webhook", "address": "http://127.0.0.1:9/hook", "quiet_minutes": 0, **fields}
    return Subscription.objects.create(**fields)


def evaluate(*, now) -> EvaluationSummary:
    """What a scoring batch does (judge, record the changes), then what its queued task does (apply them)."""
    alerts_evaluate(now=now)
    return changes_apply(now=now)


def messages(subscription: Subscription) -> list[tuple[str, str]]:
    return [(m.kind, m.payload["level"]) for m in subscription.messages.order_by("created_at")]


# --- The transition rule ---------------------------------------------------------------

@pytest.mark.parametrize(("state", "trigger", "level", "expected"), [
    ("", "red", "green", ("green", None)),  # first look, below the trigger: nothing to say
    ("", "red", "red", ("red", "enter")),  # first look while red: the subscriber is told
    ("green", "red", "yellow", ("green", None)),  # a red subscription ignores yellow
    ("green", "yellow", "yellow", ("yellow", "enter")),
    ("yellow", "yellow", "red", ("red", "enter")),  # the episode rises: told again
    ("red", "yellow", "yellow", ("red", None)),  # falls back to yellow: still an episode, no repeat
    ("red", "red", "yellow", ("red", None)),  # not green yet
    ("red", "red", "red", ("red", None)),  # stays: never repeated
    ("red", "red", "green", ("green", "leave")),
    ("red", "red", "grey", ("red", None)),  # too few posts says nothing
    ("", "yellow", "grey", ("green", None)),  # …and starts nothing
    ("green", "yellow", "green", ("green", None)),
])
def test_transition(state, trigger, level, expected):
    assert transition(state=state, trigger=trigger, level=level) == expected


# --- Evaluation on the rollups ------------------------------------------------------------

def test_entering_and_leaving_red_produces_exactly_two_messages(version, gender):
    history(version, categories=[gender])
    watcher = subscribe(watch="category", category=gender, trigger="red")
    window_posts(version, discriminatory=30, categories=[gender])

    evaluate(now=NOW)
    evaluate(now=NOW)  # the series stays red: nothing new
    evaluate(now=NOW + timedelta(minutes=20))
    assert messages(watcher) == [("enter", "red")]

    # The next window is back to the usual rate.
    window_posts(version, discriminatory=5, categories=[gender], at=END + timedelta(hours=20))
    evaluate(now=LATER)
    evaluate(now=LATER)
    assert messages(watcher) == [("enter", "red"), ("leave", "green")]
    watcher.refresh_from_db()
    assert (watcher.level, watcher.notified_level) == ("green", "green")


def test_a_message_says_what_the_dashboard_shows(version, gender):
    history(version, categories=[gender])
    watcher = subscribe(watch="category", category=gender, trigger="yellow")
    window_posts(version, discriminatory=30, categories=[gender])

    evaluate(now=NOW)

    light = next(light for light in semaforo_get(now=NOW).categories if light.slug == gender.slug)
    payload = watcher.messages.get().payload
    assert payload["level"] == light.level == "red"
    assert payload["sentence"] == light.sentence
    assert payload["rate"] == pytest.approx(light.rate)
    assert payload["usual_rate"] == pytest.approx(light.judgement.baseline_mean)
    assert payload["posts"] == light.posts == 100
    assert payload["series"]["name"] == gender.name
    assert payload["series"]["url"].endswith(f"/categoria/{gender.slug}/")
    assert payload["previous_level"] is None and payload["trigger"] == "yellow"


def test_a_yellow_subscription_is_told_again_when_yellow_turns_red(version, gender):
    history(version, categories=[gender])
    watcher = subscribe(watch="category", category=gender, trigger="yellow")
    window_posts(version, discriminatory=8, categories=[gender])  # yellow from 7.2 %, red from 9.4 %
    evaluate(now=NOW)
    window_posts(version, discriminatory=25, categories=[gender], at=NOW - timedelta(hours=2))
    evaluate(now=NOW + timedelta(minutes=1))
    assert messages(watcher) == [("enter", "yellow"), ("enter", "red")]
    assert watcher.messages.order_by("created_at").last().payload["previous_level"] == "yellow"


def test_a_state_a_hashtag_and_a_source_are_watched_like_the_dashboard_judges_them(version):
    feed = SourceFactory.create(slug="alertas-fuente", name="Fuente vigilada")
    history(version, state="JAL", hashtags=["ligamx"], source=feed)
    watchers = [subscribe(watch="state", state="JAL"), subscribe(watch="hashtag", hashtag="#LigaMX"),
                subscribe(watch="source", source=feed), subscribe(watch="state", state="NLE")]
    window_posts(version, discriminatory=30, state="JAL", hashtags=["ligamx"], source=feed)

    evaluate(now=NOW)

    jalisco = next(light for light in states_get(now=NOW) if light.slug == "JAL")
    assert jalisco.level == "red"
    assert [messages(w) for w in watchers] == [[("enter", "red")]] * 3 + [[]]  # Nuevo León has no posts: grey
    assert watchers[1].messages.get().payload["series"]["url"].endswith("?q=%23ligamx")
    assert watchers[2].messages.get().payload["series"]["name"] == "Fuente vigilada"
    assert SeriesLevel.objects.get(series="state:NLE").level == "grey"


def test_a_digest_subscription_holds_its_messages(version, gender):
    history(version, categories=[gender])
    watcher = subscribe(watch="category", category=gender, digest=True)
    window_posts(version, discriminatory=30, categories=[gender])

    summary = evaluate(now=NOW)

    assert (summary.messages, summary.held) == (0, 1)
    assert list(watcher.messages.values_list("kind", "status")) == [("enter", Message.Status.HELD)]
    assert alerts_owed_send(now=NOW + timedelta(days=1)) == 0  # a digest subscriber is owed nothing


def test_the_quiet_period_tells_the_latest_level_once_when_it_ends(version, gender):
    history(version, categories=[gender])
    watcher = subscribe(watch="category", category=gender, quiet_minutes=6 * 60)
    window_posts(version, discriminatory=30, categories=[gender])
    evaluate(now=NOW)
    window_posts(version, discriminatory=5, categories=[gender], at=END + timedelta(hours=20))
    evaluate(now=LATER)  # back to green 48 hours later: the quiet period has passed
    assert messages(watcher) == [("enter", "red"), ("leave", "green")]

    # A flap inside the quiet period: red again, then green again, within minutes.
    window_posts(version, discriminatory=60, categories=[gender], at=END + timedelta(hours=21))
    evaluate(now=LATER + timedelta(minutes=5))
    watcher.refresh_from_db()
    assert watcher.level == "red" and watcher.notified_level == "green"
    assert alerts_owed_send(now=LATER + timedelta(minutes=10)) == 0  # still quiet
    assert alerts_owed_send(now=LATER + timedelta(hours=6, minutes=1)) == 1
    assert messages(watcher)[-1] == ("enter", "red")
    assert alerts_owed_send(now=LATER + timedelta(hours=7)) == 0  # told once
    assert len(messages(watcher)) == 3


def test_a_new_subscription_hears_the_current_level_and_a_paused_one_nothing(version, gender):
    history(version, categories=[gender])
    window_posts(version, discriminatory=30, categories=[gender])
    evaluate(now=NOW)  # nobody watches yet
    paused = subscribe(watch="category", category=gender, active=False)
    late = subscribe(watch="category", category=gender)

    evaluate(now=NOW)

    assert messages(late) == [("enter", "red")] and messages(paused) == []


def test_ten_subscriptions_of_one_series_get_one_message_each_and_others_none(version, gender):
    other = CategoryFactory.create(slug="otra-alertas", name="Otra")
    history(version, categories=[gender, other])
    watchers = [subscribe(watch="category", category=gender, address=f"http://127.0.0.1:9/{i}") for i in range(10)]
    calm = subscribe(watch="category", category=other)
    window_posts(version, discriminatory=30, categories=[gender])
    window_posts(version, discriminatory=5, categories=[other])

    summary = evaluate(now=NOW)

    assert summary.messages == 10
    assert all(messages(w) == [("enter", "red")] for w in watchers)
    assert messages(calm) == []


def test_the_scoring_step_records_a_moved_light_in_its_transaction(trained_model):
    history(trained_model, end=window_end(timezone.now()))
    watcher = subscribe(watch="all")
    changes_apply()  # its first look: the current window has no posts yet, grey
    assert SeriesLevel.objects.get(series="all").level == "grey"
    recent = timezone.now() - timedelta(hours=1)
    TweetFactory.create_batch(40, created_at=recent, text="Un texto cualquiera para calificar")

    tweets_score()  # 40 posts in the window: judged now

    change = SeriesChange.objects.get(series="all", previous_level="grey")  # the first look's was "" → grey
    assert change.level in {"green", "yellow", "red"}
    assert change.applied_at is None  # applied by the task queued on commit, in its own transaction
    assert change.judgement["posts"] == 40
    changes_apply()
    watcher.refresh_from_db()
    assert watcher.level == ("red" if change.level == "red" else "green")  # a red subscription
    assert not SeriesChange.objects.filter(applied_at__isnull=True).exists()


def test_a_change_is_recorded_once_and_applied_once(version, gender):
    history(version, categories=[gender])
    watcher = subscribe(watch="category", category=gender)
    changes_apply(now=NOW)
    window_posts(version, discriminatory=30, categories=[gender])

    assert alerts_evaluate(now=NOW).changed == 1
    assert alerts_evaluate(now=NOW).changed == 0  # a second worker finds the level already moved
    assert changes_apply(now=NOW).messages == 1
    assert changes_apply(now=NOW).messages == 0
    assert messages(watcher) == [("enter", "red")]


def test_a_day_of_changes_makes_one_digest_with_where_the_series_stands(version, gender):
    from alerts.services.digests import digests_send

    history(version, categories=[gender])
    watcher = subscribe(watch="category", category=gender, digest=True)
    window_posts(version, discriminatory=30, categories=[gender])
    evaluate(now=NOW)
    window_posts(version, discriminatory=5, categories=[gender], at=END + timedelta(hours=20))
    evaluate(now=LATER)

    assert digests_send(now=LATER) == 1
    assert digests_send(now=LATER) == 0  # nothing held any more

    digest = watcher.messages.get(kind="digest")
    assert digest.status == Message.Status.PENDING
    assert [item["level"] for item in digest.payload["items"]] == ["red", "green"]
    assert digest.payload["current"]["level"] == "green"
    assert set(watcher.messages.exclude(kind="digest").values_list("status", flat=True)) == {Message.Status.DIGESTED}
    assert watcher.messages.filter(digest=digest).count() == 2


def test_the_beats_round_judges_applies_and_tells_in_one_call(version, gender):
    from alerts.services.evaluation import alerts_sweep

    history(version, categories=[gender])
    watcher = subscribe(watch="category", category=gender)
    assert alerts_sweep(now=NOW) == 0  # its first look: the window is empty, grey
    window_posts(version, discriminatory=30, categories=[gender])  # stored without a scoring step's evaluation

    assert alerts_sweep(now=NOW + timedelta(minutes=5)) == 1
    assert messages(watcher) == [("enter", "red")]
