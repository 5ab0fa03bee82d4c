"""/docs in a real browser with every host but the API's unreachable: Swagger UI renders from the package's files."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from cnid_ocr.app import create_app

from .conftest import LiveServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make setup installs it)")
def test_swagger_ui_renders_without_the_internet(live_services, tmp_path):
    with LiveServer(create_app(live_services)) as server:
        result = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path}",
                # Any host but loopback fails to resolve: a CDN script could not load.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--virtual-time-budget=15000",
                "--dump-dom",
                f"{server.url}/docs",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    # Rendered by Swagger UI's script (the page itself holds only an empty <div id="swagger-ui">).
    assert 'class="swagger-ui' in dom, dom[:2000]
    assert "/api/v1/ocr" in dom and "/api/v1/uploads" in dom and "/api/v1/usage" in dom
    assert "Read a Chinese resident identity card" in dom
