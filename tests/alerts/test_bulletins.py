"""The monthly bulletin: its numbers are the dashboard's for the same period, its PDF is a real PDF that shows them,
its public pages show aggregates only, the monthly one is last month's in Mexico City, and it is sent once."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from PIL import Image, ImageStat

from alerts.models import Bulletin, Message, Subscription
from alerts.selectors.bulletins import month_bounds, period_bounds
from alerts.services.bulletins import bulletin_create, bulletin_monthly_create, bulletin_send
from alerts.tasks import bulletin_monthly
from classifier.models import ModelVersion
from dashboard.selectors.semaforo import semaforo_get, states_get, trend_get
from ingestion.models import Tweet
from tests.dashboard.builders import posts_create, score
from tests.factories import CategoryFactory, ModelVersionFactory

MEXICO = ZoneInfo("America/Mexico_City")
START, END = month_bounds(year=2026, month=11)  # November 2026 in Mexico City
AT_END = END - timedelta(microseconds=1)
SECRET_TEXT = "texto privado de una persona"
HANDLE = "fulanita_privada"
SCREENS_ENV = "E2E_SCREENS_DIR"  # as in tests/e2e: a folder that keeps copies of the pictures
FIGURES = {"labels": {"discriminatory": {"f1": 0.81, "precision": 0.78, "recall": 0.84, "roc_auc": 0.9, "support": 40}},
           "held_out_rows": 200, "training_rows": 900, "macro_f1": 0.81}


@pytest.fixture
def version(db) -> ModelVersion:
    return ModelVersionFactory.create(task="discrimination", version=4, status=ModelVersion.Status.ACTIVE,
                                      metrics=FIGURES)


@pytest.fixture
def month(version, archive_dir) -> dict[str, object]:
    """Eight weeks of posts before and through November 2026 (noon in Mexico City) in two categories and states:
    a calm October, a red 20 November for gender, and a red close of the month. Posts just outside the month's
    edges in Mexico City (but inside them in UTC, or the other way round) test where the month turns."""
    gender = CategoryFactory.create(slug="genero-boletin", name="Género (boletín)")
    origin = CategoryFactory.create(slug="origen-boletin", name="Origen (boletín)")
    day = datetime(2026, 10, 3, 12, tzinfo=MEXICO)
    while day < END:
        spike = day.day == 20 and day.month == 11 or (day.month == 11 and day.day >= 29)
        posts = posts_create(40, at=day, categories=[gender], state="JAL", terms=[("machista", [gender.slug])],
                             hashtags=["ligamx"] if day.day % 2 else [])
        score(posts, version=version, discriminatory=16 if spike else 3 + day.day % 3)
        score(posts_create(35, at=day + timedelta(hours=1), categories=[origin], state="CMX", handle=HANDLE),
              version=version, discriminatory=2 + day.day % 2)
        day += timedelta(days=1)
    # A rare hashtag (2 posts in the month: below the public minimum) and the month's edges in Mexico City.
    score(posts_create(2, at=datetime(2026, 11, 10, 12, tzinfo=MEXICO), categories=[gender], hashtags=["casirara"]),
          version=version, discriminatory=1)
    score(posts_create(7, at=datetime(2026, 10, 31, 23, 30, tzinfo=MEXICO)), version=version, discriminatory=7)  # Oct
    score(posts_create(5, at=datetime(2026, 11, 30, 23, 30, tzinfo=MEXICO)), version=version, discriminatory=0)  # Nov
    Tweet.objects.update(text=SECRET_TEXT)
    return {"gender": gender, "origin": origin}


def month_posts() -> tuple[int, int]:
    """November's scored posts and discriminatory ones, counted from the plan of the `month` fixture."""
    posts = discriminatory = 0
    for day in range(1, 31):
        spike = day == 20 or day >= 29
        posts += 75
        discriminatory += (16 if spike else 3 + day % 3) + 2 + day % 2
    return posts + 2 + 5, discriminatory + 1


def test_numbers_equal_the_dashboards_for_the_same_period(month):
    bulletin = bulletin_create(start=START, end=END, kind=Bulletin.Kind.MONTHLY, now=END + timedelta(hours=6))
    numbers = bulletin.summary

    assert (bulletin.slug, bulletin.title) == ("2026-11", "Boletín de noviembre de 2026")
    overall = numbers["series"][0]
    assert (overall["posts"], overall["discriminatory"]) == month_posts()  # the month turns in Mexico City
    for series in numbers["series"]:
        trend = trend_get(category=series["slug"] or None, granularity="day", periods=30, now=AT_END)
        assert [p["date"] for p in series["points"]][0::29] == ["2026-11-01", "2026-11-30"]
        assert series["posts"] == sum(point.posts for point in trend.points)
        assert series["discriminatory"] == sum(point.judgement.discriminatory for point in trend.points)
        assert series["days_red"] == sum(point.level == "red" for point in trend.points)
        assert [p["yellow_at"] for p in series["points"]] == [point.yellow_at for point in trend.points]
    gender = next(s for s in numbers["series"] if s["slug"] == "genero-boletin")
    assert gender["days_red"] >= 1 and gender["points"][19]["level"] == "red"  # 20 November

    semaforo = semaforo_get(now=AT_END)
    assert numbers["lights"]["overall"]["level"] == semaforo.overall.level
    assert numbers["lights"]["overall"]["rate"] == semaforo.overall.rate
    assert [(c["slug"], c["level"], c["posts"]) for c in numbers["lights"]["categories"]] == [
        (c.slug, c.level, c.posts) for c in semaforo.categories]
    lights = {c["slug"]: c["level"] for c in numbers["lights"]["categories"]}
    assert lights["genero-boletin"] == "red"
    assert [(s["slug"], s["level"], s["posts"]) for s in numbers["states"]] == [
        (s.slug, s.level, s.posts) for s in states_get(now=AT_END)]

    assert [t["text"] for t in numbers["hashtags"]] == ["ligamx"]  # "casirara" has 2 posts: below the minimum
    assert numbers["terms"][0]["text"] == "machista" and numbers["terms"][0]["posts"] == 30 * 40
    assert numbers["model"]["version"] == 4 and numbers["model"]["labels"][0]["f1"] == 0.81
    assert any("2 σ" in paragraph for paragraph in numbers["methods"])


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[Path]:
    (tmp_path / "bulletin.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(tmp_path / "bulletin.pdf"), str(tmp_path / "page")],
                   check=True, timeout=60)
    return sorted(tmp_path.glob("page-*.png"))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "text.pdf").write_bytes(pdf)
    found = subprocess.run(["pdftotext", "-layout", str(tmp_path / "text.pdf"), "-"], check=True, timeout=60,
                           capture_output=True, text=True)
    return found.stdout


def test_the_pdf_opens_and_prints_the_numbers(month, tmp_path):
    bulletin = bulletin_create(start=START, end=END, kind=Bulletin.Kind.MONTHLY, now=END + timedelta(hours=6))
    pdf = storages["archive"].open(bulletin.pdf_name, "rb").read()
    assert bulletin.pdf_name == "bulletins/2026-11.pdf" and pdf.startswith(b"%PDF")

    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) >= 3
    for page in pages:
        image = Image.open(page).convert("L")
        assert image.width < image.height  # A4 portrait
        assert ImageStat.Stat(image).stddev[0] > 10, f"{page.name} looks blank"
    if copies := os.environ.get(SCREENS_ENV):  # to look at the pages outside pytest's tmp_path
        Path(copies).mkdir(parents=True, exist_ok=True)
        for page in pages:
            shutil.copy(page, Path(copies) / f"bulletin-{page.name}")
        (Path(copies) / "bulletin.pdf").write_bytes(pdf)

    text = pdf_text(pdf, tmp_path)
    posts, discriminatory = month_posts()
    assert "Boletín de noviembre de 2026" in text
    assert f"{posts:,}" in text and f"{discriminatory:,}" in text
    assert f"{discriminatory / posts * 100:.1f} %" in text
    assert "Rojo" in text and "#ligamx" in text and "casirara" not in text
    assert SECRET_TEXT not in text and HANDLE not in text


def test_a_rerun_replaces_the_period_files(month):
    first = bulletin_create(start=START, end=END, now=END)
    again = bulletin_create(start=START, end=END, now=END + timedelta(days=1))
    assert again.pk == first.pk and Bulletin.objects.count() == 1
    assert (again.html_name, again.pdf_name) == ("bulletins/2026-11.html", "bulletins/2026-11.pdf")
    assert sorted(storages["archive"].listdir("bulletins")[1]) == ["2026-11.html", "2026-11.pdf"]


def test_a_period_of_some_days(month):
    start, end = period_bounds(first=datetime(2026, 11, 10).date(), last=datetime(2026, 11, 16).date())
    bulletin = bulletin_create(start=start, end=end, now=END)
    assert bulletin.slug == "2026-11-10_2026-11-16" and bulletin.summary["days"] == 7
    assert bulletin.title == "Boletín del 10 de noviembre de 2026 al 16 de noviembre de 2026"
    with pytest.raises(ValueError, match="medianoche"):
        bulletin_create(start=START + timedelta(hours=3), end=END)


@pytest.mark.parametrize(("now", "expected"), [
    (datetime(2026, 12, 1, 6, 5, tzinfo=UTC), "2026-11"),  # 00:05 of 1 December in Mexico City
    (datetime(2026, 12, 1, 3, 0, tzinfo=UTC), "2026-10"),  # still 30 November in Mexico City
    (datetime(2027, 1, 1, 7, 0, tzinfo=UTC), "2026-12"),  # across the year
])
def test_the_monthly_bulletin_is_last_month_in_mexico_city(version, archive_dir, now, expected):
    bulletin = bulletin_monthly_create(now=now)
    assert bulletin.slug == expected and bulletin.kind == Bulletin.Kind.MONTHLY
    assert bulletin.period_start.astimezone(MEXICO).strftime("%Y-%m-%d %H:%M") == f"{expected}-01 00:00"


def test_sending_twice_writes_one_message_per_subscriber(version, archive_dir, settings):
    settings.SITE_URL = "https://discriminamometro.example"
    bulletin = bulletin_monthly_create(now=datetime(2026, 12, 1, 12, tzinfo=UTC))
    readers = [Subscription.objects.create(watch="bulletin", channel="email", address=f"lectora{i}@example.org")
               for i in range(3)]
    Subscription.objects.create(watch="bulletin", channel="email", address="pausada@example.org", active=False)
    Subscription.objects.create(watch="all", channel="email", address="otra@example.org")

    assert bulletin_send(bulletin_id=bulletin.pk) == 3
    assert bulletin_send(bulletin_id=bulletin.pk) == 0
    sent = Message.objects.filter(kind="bulletin")
    assert sorted(m.subscription_id for m in sent) == [r.pk for r in readers]
    payload = sent.first().payload["bulletin"]
    assert payload["url"] == "https://discriminamometro.example/boletines/2026-11/"
    assert payload["pdf_url"] == "https://discriminamometro.example/boletines/2026-11.pdf"
    assert payload["pdf_name"] == "bulletins/2026-11.pdf" and payload["title"] == "Boletín de noviembre de 2026"

    Subscription.objects.create(watch="bulletin", channel="email", address="nueva@example.org")
    assert bulletin_send(bulletin_id=bulletin.pk) == 1  # only the new subscriber
    bulletin.published = False
    bulletin.save(update_fields=["published"])
    Subscription.objects.create(watch="bulletin", channel="email", address="tarde@example.org")
    assert bulletin_send(bulletin_id=bulletin.pk) == 0


# --- The public pages ------------------------------------------------------------------------------------

def test_public_list_and_pages_show_aggregates_only(month, client, admin_client):
    empty = client.get("/boletines/")
    assert empty.status_code == 200 and "Todavía no hay boletines" in empty.content.decode()

    bulletin = bulletin_create(start=START, end=END, kind=Bulletin.Kind.MONTHLY, now=END)
    posts, _ = month_posts()
    listing = client.get("/boletines/").content.decode()
    assert "Boletín de noviembre de 2026" in listing and f"{posts:,}" in listing
    assert 'href="/boletines/2026-11.pdf"' in listing

    page = client.get("/boletines/2026-11/")
    html = page.content.decode()
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert f'data-testid="posts">{posts:,}<' in html
    drawn = [s["name"] for s in bulletin.summary["series"] if s["posts"]]  # a series without posts has no chart
    assert html.count('data-testid="trend-chart"') == len(drawn) == 3
    assert "data:image/png;base64," in html and "#ligamx" in html and "casirara" not in html
    for private in (SECRET_TEXT, HANDLE):
        assert private not in html and private not in listing

    pdf = client.get("/boletines/2026-11.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline") and "2026-11.pdf" in pdf["Content-Disposition"]
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")

    bulletin.published = False
    bulletin.save(update_fields=["published"])
    assert [client.get(path).status_code for path in ("/boletines/2026-11/", "/boletines/2026-11.pdf")] == [404, 404]
    assert "Boletín de noviembre" not in client.get("/boletines/").content.decode()
    assert admin_client.get("/boletines/2026-11/").status_code == 200  # the staff still see it


def test_the_page_is_drawn_again_when_its_file_is_gone(month, client):
    bulletin = bulletin_create(start=START, end=END, now=END)
    storages["archive"].delete(bulletin.html_name)
    page = client.get("/boletines/2026-11/")
    assert page.status_code == 200 and "Boletín de noviembre de 2026" in page.content.decode()


def test_the_command_says_where_the_files_are(month, archive_dir):
    out = io.StringIO()
    call_command("bulletin", "--mes", "2026-11", stdout=out)
    printed = out.getvalue()
    assert str(archive_dir / "bulletins" / "2026-11.pdf") in printed
    assert str(archive_dir / "bulletins" / "2026-11.html") in printed
    assert "/boletines/2026-11/" in printed


def test_the_admin_lists_bulletins_and_sends_them_once(version, archive_dir, admin_client):
    bulletin = bulletin_monthly_create(now=datetime(2026, 12, 1, 12, tzinfo=UTC))
    reader = Subscription.objects.create(watch="bulletin", channel="email", address="lectora@example.org")
    listing = admin_client.get("/admin/alerts/bulletin/").content.decode()
    assert "Boletín de noviembre de 2026" in listing and 'href="/boletines/2026-11.pdf"' in listing

    for _ in range(2):
        answer = admin_client.post("/admin/alerts/bulletin/", {"action": "send", "_selected_action": [bulletin.pk]},
                                   follow=True)
    assert "Se envían 0 mensajes" in answer.content.decode()
    assert list(Message.objects.filter(kind="bulletin").values_list("subscription_id", flat=True)) == [reader.pk]


def test_the_monthly_task_makes_and_sends_last_months_bulletin(version, archive_dir):
    reader = Subscription.objects.create(watch="bulletin", channel="email", address="lectora@example.org")
    today = datetime.now(MEXICO).date()
    last_month = today.replace(day=1) - timedelta(days=1)  # computed here, apart from the service's own reckoning
    bulletin_monthly()
    bulletin_monthly()  # a retried run: the same bulletin, no second message
    assert list(Bulletin.objects.values_list("slug", "kind")) == [(f"{last_month:%Y-%m}", "monthly")]
    assert list(Message.objects.values_list("subscription_id", "key")) == [
        (reader.pk, f"bulletin:{Bulletin.objects.get().pk}:{reader.pk}")]
