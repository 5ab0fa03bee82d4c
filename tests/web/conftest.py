"""The try-it page in a real browser: Debian's Chromium (``make setup`` installs it) driven by Playwright, which is
never asked to download a browser of its own (no ``playwright install``). Every host but loopback is made
unresolvable, so the page is shown to work offline: a script or style from a CDN could not load."""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from cnid_ocr.local import free_port
from playwright.sync_api import Page

# A live app on a real socket and a stand-in reader, as the security tests use them.
from ..security.conftest import FastReader, LiveServer  # noqa: F401

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # Any host but loopback fails to resolve: nothing can come from the internet.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
FRONT = ("name", "gender", "ethnicity", "dateOfBirth", "address", "idNumber")

# Runs in the page before its own script: records what the Content-Security-Policy blocked (init scripts come
# through the DevTools protocol, so the policy does not apply to this one).
RECORD_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: `make setup` installs Debian's package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A fresh browser context and page, with what it requested and every script error it raised."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__csp")

    def post(self, data: bytes, name: str = "card.jpg", mime: str = "image/jpeg") -> dict:
        """Choose a file as a user would; the API's answer (status, JSON body) once the page has shown it."""
        page = self.page
        with page.expect_response(lambda r: r.url.endswith("/api/v1/ocr")) as answer:
            page.set_input_files("#file", files=[{"name": name, "mimeType": mime, "buffer": data}])
        return self.settle(answer.value)

    def settle(self, response) -> dict:
        # A selector, not a JavaScript predicate: the page's CSP forbids the eval Playwright would poll it with.
        self.page.wait_for_selector('body[data-state="done"], body[data-state="error"]', state="attached")
        try:
            body = response.json()
        except Exception:  # a stubbed non-JSON answer
            body = None
        return {"status": response.status, "body": body, "request": response.request}

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text()

    def field(self, name: str, card: int = 0) -> str:
        return self.text(f'section.card[data-card="{card}"] tr[data-field="{name}"] td.value')

    def polygons(self) -> list[list[tuple[float, float]]]:
        points = self.page.eval_on_selector_all(
            "#outlines polygon", "nodes => nodes.map(n => n.getAttribute('points'))"
        )
        return [[tuple(float(v) for v in pair.split(",")) for pair in p.split()] for p in points]


@pytest.fixture
def tab(browser) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    opened = Tab(page)
    page.add_init_script(RECORD_CSP)
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    yield opened
    context.close()


def data_url_bytes(src: str) -> bytes:
    prefix = "data:image/jpeg;base64,"
    assert src.startswith(prefix), src[:40]
    return base64.b64decode(src[len(prefix) :])


def clean_env(**extra: str) -> dict[str, str]:
    """The user's environment without store, AWS or cnid-ocr settings: `serve` then starts its embedded store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DYNAMODB_", "CNID_OCR_"))}
    return {**env, **extra}


class Serve:
    """`cnid-ocr serve` in a child process, as a user starts it: its banner, then every line it prints after."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cnid_ocr.cli", "serve", "--port", str(self.port), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.banner: list[str] = []
        self.output: list[str] = []
        deadline = time.monotonic() + 120
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.banner.append(line.rstrip("\n"))
            if line.startswith(("API docs:", "Traceback")) or time.monotonic() > deadline:
                break
        # The rest of its output (request logs) is kept for the privacy checks.
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("serve did not start: " + "\n".join(self.banner))

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line.rstrip("\n"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def banner_value(self, label: str) -> str | None:
        for line in self.banner:
            if line.startswith(label):
                return line[len(label) :].strip()
        return None

    @property
    def link(self) -> str:
        link = self.banner_value("Try it in a browser:")
        assert link, self.banner
        return link

    @property
    def key(self) -> str:
        match = re.fullmatch(r".*#key=(sk_live_\w+)", self.link)
        assert match, self.link
        return match.group(1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
