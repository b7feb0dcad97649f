"""The favicon: every page links the SVG icon; /favicon.ico (asked for by pages without the link) leads to an icon."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_an_icon(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # static files served from static/, as in the embedded mode
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO file's header


def test_the_pages_link_the_svg_icon(client, settings):
    settings.WHITENOISE_USE_FINDERS = True
    page = client.get("/cuenta/entrar/").content.decode()
    assert '<link rel="icon" href="/static/discriminamometro/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/static/discriminamometro/favicon.svg")
    assert icon.status_code == 200 and icon["Content-Type"].startswith("image/svg+xml")
