"""The seed's code examples, run unchanged but for base URL and key against a live `cnid-ocr serve`."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cardgen import identity_for, sample_for
from cnid_ocr.store.keys import generate_key

pytestmark = pytest.mark.models  # `cnid-ocr serve` loads the models

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
FRONT_FIELDS = ("name", "gender", "ethnicity", "dateOfBirth", "address", "idNumber")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], port: int) -> tuple[subprocess.Popen, list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "cnid_ocr.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    banner: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        banner.append(line)
        if line.startswith("API docs:"):
            break
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, banner
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("server did not start: " + "".join(banner))


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DYNAMODB_", "CNID_OCR_"))}


@pytest.fixture(scope="module")
def card(tmp_path_factory) -> tuple[Path, dict]:
    identity = identity_for(seed=11, ethnicity="维吾尔", gender="女")
    sample = sample_for(identity, "scan", seed=11, sides=("front",), fmt="jpeg")
    path = tmp_path_factory.mktemp("cards") / "cn_id_card.jpg"
    path.write_bytes(sample.data)
    return path, sample.truth


@pytest.fixture(scope="module")
def server():
    key = generate_key()
    port = free_port()
    process, banner = start_server({**clean_env(), "CNID_OCR_DEV_API_KEY": key}, port)
    yield f"http://127.0.0.1:{port}", key, banner
    process.terminate()
    process.wait(timeout=20)


def assert_front_fields(body: dict, truth: dict) -> None:
    assert {f: body[f] for f in FRONT_FIELDS} == {f: truth[f] for f in FRONT_FIELDS}


def test_banner_prints_the_key_and_a_curl_line(server):
    url, key, banner = server
    text = "".join(banner)
    assert f"API key: {key}" in text
    assert f'curl -X POST "{url}/api/v1/ocr" -H "Authorization: Bearer {key}"' in text


def test_serve_without_a_dev_key_prints_a_fresh_one():
    port = free_port()
    process, banner = start_server(clean_env(), port)
    try:
        match = re.search(r"API key: (sk_live_\w{32,})", "".join(banner))
        assert match, banner
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_curl_example(server, card):
    url, key, _ = server
    path, truth = card
    result = subprocess.run(
        ["sh", str(EXAMPLES / "curl.sh"), str(path)],
        env={**os.environ, "CNID_OCR_URL": url, "CNID_OCR_API_KEY": key},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert_front_fields(json.loads(result.stdout), truth)


def test_python_example(server, card):
    url, key, _ = server
    path, truth = card
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "python_example.py"), str(path)],
        env={**os.environ, "CNID_OCR_URL": url, "CNID_OCR_API_KEY": key},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ID Number: {truth['idNumber']}" in result.stdout
    assert f"Name: {truth['name']}" in result.stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_example(server, card):
    if not (EXAMPLES / "node_modules" / "axios").is_dir():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=EXAMPLES, check=True, timeout=300)
    url, key, _ = server
    path, truth = card
    result = subprocess.run(
        ["node", str(EXAMPLES / "node_example.js"), str(path)],
        env={**os.environ, "CNID_OCR_URL": url, "CNID_OCR_API_KEY": key},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert_front_fields(json.loads(result.stdout), truth)


def test_examples_error_path(server, tmp_path):
    url, _, _ = server
    path = tmp_path / "card.jpg"
    path.write_bytes(b"\xff\xd8\xff")
    result = subprocess.run(
        ["sh", str(EXAMPLES / "curl.sh"), str(path)],
        env={**os.environ, "CNID_OCR_URL": url, "CNID_OCR_API_KEY": "sk_live_" + "0" * 40},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(result.stdout)["error"]["code"] == "invalid_api_key"
