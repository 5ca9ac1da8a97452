"""``/docs`` and ``/redoc`` work without internet: every script, style and image the pages
load is served by the app itself."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from billing.http.app import create_app
from billing.settings import Settings

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(["']?([^"')]+)""")


@pytest.fixture(scope="module")
def client() -> Any:
    settings = Settings(database_url="sqlite:///:memory:", admin_token=None)
    with TestClient(create_app(settings, migrate=False)) as c:
        yield c


def assets(html: str) -> list[str]:
    return [a or b for a, b in ASSET.findall(html)]


def test_the_asset_finder_sees_cdn_links() -> None:
    page = '<script src="https://cdn.jsdelivr.net/x.js"></script><link href="/a.css">'
    assert assets(page) == ["https://cdn.jsdelivr.net/x.js", "/a.css"]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_and_all_their_assets_come_from_the_app(client: Any, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    found = assets(r.text)
    assert any(a.endswith(".js") for a in found), found
    for asset in found:
        assert asset.startswith("/"), f"{page} loads {asset} from outside the app"
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        assert len(answer.content) > 100, asset
    assert "openapi.json" in r.text
    assert client.get("/openapi.json").json()["info"]["title"] == "billing"


def test_swagger_ui_loads_its_bundle_and_styles(client: Any) -> None:
    html = client.get("/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/swagger-ui/swagger-ui.css" in html
    assert '"validatorUrl": null' in html  # no call to the public validator
    script = client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in script.text
    assert client.get("/docs/oauth2-redirect").status_code == 200


def test_redoc_loads_its_standalone_bundle_without_web_fonts(client: Any) -> None:
    html = client.get("/redoc").text
    assert "fonts.googleapis.com" not in html
    script = client.get("/static/redoc/redoc.standalone.js")
    assert script.status_code == 200 and "Redoc" in script.text[:200_000]
