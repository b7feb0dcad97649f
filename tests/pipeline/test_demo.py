"""`load_demo` shows the product at its best on the first visit: the semáforo lights every level (and keeps them
as the replay brings posts), and in the embedded mode demo annotators have settled some posts, disputed others
and left the admin posts to label. A second run adds nothing."""
from __future__ import annotations

import io
import json
import stat
from collections import Counter

import pytest
import redis
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from dashboard.levels import Level
from dashboard.selectors.semaforo import semaforo_get, states_get
from ingestion.models import Tweet
from ingestion.services.downloads import source_download
from labeling.models import Annotation, Campaign, CampaignItem
from labeling.roles import ANNOTATORS
from labeling.selectors.annotation import campaign_progress
from labeling.selectors.reports import campaign_report
from labeling.selectors.review import items_disputed
from labeling.services.demo import DEMO_ANNOTATORS, DEMO_CAMPAIGN
from pipeline.services.demo import demo_load
from pipeline.services.scoring import tweets_score

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.flushdb()
    yield tmp_path
    broker.flushdb()  # the tasks the embedded demo queued for its worker


def queued_tasks(settings) -> list[str]:
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return [json.loads(raw)["headers"]["task"] for raw in broker.lrange("celery", 0, -1)]


def load(**options) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def test_the_semaforo_lights_every_level_and_a_download_keeps_them(dictionary, archive_dir):
    loaded = demo_load()
    first = semaforo_get()
    categories = Counter(light.level for light in first.categories)
    assert categories[Level.RED] >= 1 and categories[Level.YELLOW] >= 1 and categories[Level.GREEN] >= 1
    assert Level.GREY not in categories
    assert first.overall.level == Level.RED
    lit = {light.slug: light.level for light in states_get() if light.level != Level.GREY}
    assert set(lit.values()) == {Level.RED, Level.YELLOW, Level.GREEN} and len(lit) >= 4

    posts = Tweet.objects.count()
    again = demo_load()
    assert (again.run, again.model, again.campaign_added, Tweet.objects.count()) == (None, None, 0, posts)

    # The replay continues the recent days' mix: the lights keep their level as its posts arrive.
    assert source_download(source_id=loaded.source.pk).run.new == 25
    tweets_score()
    after = semaforo_get()
    assert after.overall.posts > first.overall.posts and after.overall.level == first.overall.level
    assert [light.level for light in after.categories] == [light.level for light in first.categories]
    for _ in range(7):  # two hours of the beat's downloads
        source_download(source_id=loaded.source.pk)
    tweets_score()
    later = semaforo_get()
    new_posts = later.overall.posts - first.overall.posts
    new_rate = (later.overall.judgement.discriminatory - first.overall.judgement.discriminatory) / new_posts
    assert new_posts > 150 and abs(new_rate - (first.overall.rate or 0)) < 0.05
    assert [light.level for light in later.categories] == [light.level for light in first.categories]
    assert later.overall.level == first.overall.level
    assert {light.slug: light.level for light in states_get() if light.level != Level.GREY} == lit


def test_the_embedded_demo_has_its_worker_make_last_months_bulletin(dictionary, archive_dir, embedded, settings):
    out = load(backlog=60)
    assert queued_tasks(settings) == ["alerts.tasks.bulletin_monthly"]
    assert "/boletines/" in out
    load(backlog=60)  # loaded already: nothing queued again
    assert queued_tasks(settings) == ["alerts.tasks.bulletin_monthly"]


def test_demo_annotators_settle_dispute_and_leave_posts_to_the_admin(dictionary, archive_dir, embedded):
    out = load(backlog=60)
    secret = embedded / "demo-annotators.txt"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    credentials = dict(line.split("\t") for line in secret.read_text().splitlines())
    assert list(credentials) == list(DEMO_ANNOTATORS)
    assert all(f"contraseña: {password}" in out for password in credentials.values())
    annotator = get_user_model().objects.get(username=DEMO_ANNOTATORS[0])
    assert annotator.groups.filter(name=ANNOTATORS).exists() and not annotator.is_staff
    assert Client().login(username=DEMO_ANNOTATORS[0], password=credentials[DEMO_ANNOTATORS[0]])

    campaign = Campaign.objects.get(name=DEMO_CAMPAIGN)
    statuses = Counter(campaign.items.values_list("status", flat=True))
    assert statuses[CampaignItem.Status.SETTLED] and statuses[CampaignItem.Status.DISPUTED]
    assert items_disputed().exists()
    report = campaign_report(campaign=campaign)
    question = report.questions[0]
    assert question.items >= 20 and None not in (question.percent, question.alpha, question.mean_kappa)
    admin = get_user_model().objects.create_superuser(username="admin", password="x")
    assert campaign_progress(campaign=campaign, annotator_id=admin.pk).left >= 20

    client = Client()
    client.force_login(admin)
    for path, shown in (
        ("/etiquetado/", DEMO_CAMPAIGN),
        ("/etiquetado/revision/", f"/etiquetado/revision/{items_disputed().first().pk}/"),
        (f"/etiquetado/campanas/{campaign.pk}/metricas/", DEMO_ANNOTATORS[2]),
    ):
        page = client.get(path)
        assert page.status_code == 200 and shown in page.content.decode(), path

    answers, kept = Annotation.objects.count(), secret.read_text()
    again = load()
    assert "ya estaba cargada" in again and "contraseña:" not in again
    assert (Annotation.objects.count(), secret.read_text()) == (answers, kept)


def test_no_demo_annotators_outside_the_embedded_mode(dictionary, archive_dir, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # DEBUG is off, as in production
    out = load(backlog=20)
    assert not (tmp_path / "demo-annotators.txt").exists()
    assert not get_user_model().objects.filter(username__in=DEMO_ANNOTATORS).exists()
    assert not Annotation.objects.exists() and "Anotadoras" not in out
