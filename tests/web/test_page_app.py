"""The try-it page's routes, headers and switches without a browser: what is served and with which policy, that it
can be turned off (and is, unless asked for, in the deployed stack), that its files ship in the wheel, and what
`cnid-ocr serve` prints about it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

import httpx
import pytest
from cnid_ocr.app import create_app
from cnid_ocr.config import Settings
from cnid_ocr.page import ASSETS
from cnid_ocr.services import Services
from cnid_ocr.store.tables import load_template
from fastapi.testclient import TestClient

from ..security.conftest import FastReader, assert_error
from .conftest import Serve, clean_env

ROOT = Path(__file__).resolve().parents[2]
WEB = files("cnid_ocr") / "web"
# Spelled out here on purpose: loosening the page's policy has to change this test too.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src data: blob:; connect-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_FILES = {
    "/": "text/html; charset=utf-8",
    "/page/page.js": "text/javascript; charset=utf-8",
    "/page/page.css": "text/css; charset=utf-8",
}


def client_for(settings: Settings, stores) -> TestClient:
    keys, usage = stores
    services = Services(settings=settings, reader=FastReader(), keys=keys, usage=usage)
    return TestClient(create_app(services), raise_server_exceptions=False)


@pytest.fixture
def client(settings, stores):
    with client_for(settings, stores) as test_client:
        yield test_client


@pytest.mark.parametrize(("path", "media_type"), PAGE_FILES.items())
def test_the_page_and_its_files_carry_the_security_headers(client, path, media_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["content-security-policy"] == POLICY
    # The same headers as every API response (the middleware's), and no framing, no Referer.
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-request-id"]
    name = "index.html" if path == "/" else path.removeprefix("/page/")
    assert response.content == (WEB / name).read_bytes()


@pytest.mark.parametrize(
    "path", ["/page/index.html", "/page/app.py", "/page/..%2fapp.py", "/page/%2e%2e/config.py", "/page/", "/index.html"]
)
def test_nothing_else_is_served_from_the_package(client, path):
    assert_error(client.get(path), 404, "not_found")


def test_the_page_can_be_turned_off(settings, stores):
    with client_for(settings.model_copy(update={"page": False}), stores) as off:
        for path in PAGE_FILES:
            assert_error(off.get(path), 404, "not_found")
        assert off.get("/openapi.json").status_code == 200  # the API itself is untouched


def test_the_page_is_on_by_default_and_read_from_the_environment(monkeypatch):
    monkeypatch.delenv("CNID_OCR_PAGE", raising=False)
    assert Settings().page is True  # `serve` shows it
    monkeypatch.setenv("CNID_OCR_PAGE", "false")
    assert Settings().page is False


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_page_needs_no_inline_script_or_style_and_only_files_it_ships():
    """What the policy allows is all the page uses: scripts and styles from its own files, no inline code, no
    style attributes, no event-handler attributes; every file it refers to is one the app serves."""
    markup = _Markup()
    markup.feed((WEB / "index.html").read_text(encoding="utf-8"))
    referenced = set()
    for tag, attrs in markup.tags:
        assert tag != "style"
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        if tag == "script":
            assert attrs.get("src"), "inline script"
        for name in ("src", "href"):
            value = attrs.get(name) if tag != "a" else None  # a link is followed, not loaded
            if value and not value.startswith("data:"):
                referenced.add(value)
    assert referenced == {f"page/{name}" for name in ASSETS}
    script = (WEB / "page.js").read_text(encoding="utf-8")
    # Response text is set as text (textContent, attributes), never parsed as markup or code.
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert risky not in script, risky


class _LambdaContext:
    aws_request_id = "lambda-request"

    def get_remaining_time_in_millis(self) -> int:
        return 20_000


def http_api_event(path: str) -> dict:
    """An API Gateway HTTP API (payload 2.0) event for GET ``path``, as the $default route passes it."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "abc123.execute-api.us-east-1.amazonaws.com", "accept": "text/html"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "u"},
            "requestId": "gateway-request",
            "routeKey": "$default",
            "stage": "$default",
            "time": "01/Dec/2026:12:00:00 +0000",
            "timeEpoch": 1796126400000,
        },
        "isBase64Encoded": False,
    }


@pytest.mark.parametrize("path", PAGE_FILES)
def test_on_lambda_the_page_is_text_with_its_headers(settings, stores, path):
    """Behind API Gateway (Mangum, as lambda_handler wraps the app) the files go out as text, not base64, with the
    same headers as locally."""
    from mangum import Mangum

    keys, usage = stores
    app = create_app(Services(settings=settings, reader=FastReader(), keys=keys, usage=usage))
    response = Mangum(app, lifespan="off")(http_api_event(path), _LambdaContext())
    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is False
    name = "index.html" if path == "/" else path.removeprefix("/page/")
    assert response["body"] == (WEB / name).read_text(encoding="utf-8")
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert headers["content-security-policy"] == POLICY
    assert headers["cache-control"] == "no-store" and headers["x-content-type-options"] == "nosniff"
    assert headers["x-request-id"] == "gateway-request"


def test_the_template_turns_the_page_on_only_when_asked():
    template = load_template(ROOT / "template.yaml")
    parameter = template["Parameters"]["TryPage"]
    assert parameter["Default"] == "false" and parameter["AllowedValues"] == ["true", "false"]
    (function,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    assert function["Properties"]["Environment"]["Variables"]["CNID_OCR_PAGE"] == {"Ref": "TryPage"}
    for value in parameter["AllowedValues"]:
        assert Settings(page=value).page is (value == "true")


def test_the_wheel_ships_the_page(tmp_path: Path):
    """`pip install cnid-ocr` gives the page too: its files are package data (pyproject.toml), built from a copy
    of the sources so the checkout stays clean."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "handler", source / "handler", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", "out", "."],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = (source / "out").glob("cnid_ocr-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name: archive.read(name) for name in archive.namelist() if name.startswith("cnid_ocr/web/")}
    expected = {"index.html", *ASSETS}
    assert shipped == {f"cnid_ocr/web/{name}": (WEB / name).read_bytes() for name in expected}


@pytest.mark.models  # serve loads the OCR models
def test_serve_without_a_key_links_the_page_to_paste_one(store_env):
    """Against a shared store serve mints no key: the link has no fragment, and the page asks for a key."""
    server = Serve(store_env)
    try:
        assert server.banner_value("Try it in a browser:") == f"{server.url}/  (paste a key there)", server.banner
        assert not any("sk_live_" in line for line in server.banner)
    finally:
        server.stop()


@pytest.mark.models
def test_serve_with_the_page_off_neither_links_nor_serves_it():
    server = Serve(clean_env(CNID_OCR_PAGE="false"))
    try:
        assert server.banner_value("API key:")
        assert server.banner_value("Try it in a browser:") is None, server.banner
        response = httpx.get(f"{server.url}/", timeout=10)
        assert_error(response, 404, "not_found")
    finally:
        server.stop()
