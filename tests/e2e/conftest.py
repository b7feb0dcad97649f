"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

The browser is started once per session; each test gets a fresh context (no
cookies shared between tests) with a Mexican Spanish locale, so the pages are
rendered as a visitor from Mexico sees them. The Django ORM is only used from
the test thread (setup), the pages are served by the live server's thread.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, ViewportSize, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)
LOCALE = "es-MX"
TIMEOUT_MS = 15_000
# Set this to a folder to keep a copy of every screenshot outside pytest's tmp_path.
SCREENS_ENV = "E2E_SCREENS_DIR"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's Chromium "
            "(apt-get install -y chromium); Playwright's own download is not used.",
            pytrace=False,
        )
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio event loop running in this thread
        # for as long as it is started, so Django's async-unsafe guard would refuse
        # every ORM call the tests make for setup. The ORM is still used
        # synchronously and from this thread only, which is what the guard protects.
        patch.setitem(os.environ, "DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield launched
            launched.close()


def context_open(browser: Browser, *, viewport: ViewportSize, **options) -> BrowserContext:
    context = browser.new_context(viewport=viewport, locale=LOCALE, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = context_open(browser, viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    context = context_open(browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield context.new_page()
    context.close()


class Site:
    """The live server seen through one page: visit paths, log in, keep screenshots."""

    def __init__(self, *, page: Page, base_url: str, shots_dir: Path):
        self.page, self.base_url, self.shots_dir = page, base_url, shots_dir
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))
        page.on("response", self._response_check)

    def _response_check(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} {response.url}")

    def visit(self, path: str, *, screenshot: str | None = None) -> Response:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, f"GET {path} answered {response and response.status}"
        self.settle(screenshot=screenshot)
        return response

    def settle(self, *, screenshot: str | None = None) -> None:
        """After a visit or a click: the page loaded without errors; keep a picture of it."""
        self.page.wait_for_load_state("load")
        assert not self.problems, f"on {self.page.url}: {self.problems}"
        if screenshot:
            self.screenshot(screenshot)

    def log_in(self, *, username: str, password: str, next_path: str = "/") -> None:
        """Log in the way a person does: the site's login form, typing both fields."""
        self.visit(f"/cuenta/entrar/?next={next_path}", screenshot="login")
        self.page.get_by_label("Usuario").fill(username)
        self.page.get_by_label("Contraseña").fill(password)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Entrar").click()
        assert self.page.url == self.base_url + next_path, f"login did not lead to {next_path}: {self.page.url}"

    def screenshot(self, name: str) -> Path:
        path = self.shots_dir / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        if copies := os.environ.get(SCREENS_ENV):
            Path(copies).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(copies) / path.name)
        return path


def site_open(page: Page, live_server, tmp_path: Path) -> Site:
    shots_dir = tmp_path / "screens"
    shots_dir.mkdir(exist_ok=True)
    return Site(page=page, base_url=live_server.url, shots_dir=shots_dir)


@pytest.fixture
def site(page: Page, live_server, tmp_path: Path) -> Site:
    """The desktop page on the live server (live_server brings in transactional_db)."""
    return site_open(page, live_server, tmp_path)


@pytest.fixture
def phone_site(phone_page: Page, live_server, tmp_path: Path) -> Site:
    return site_open(phone_page, live_server, tmp_path)
