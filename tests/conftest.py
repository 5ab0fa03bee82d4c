"""Shared fixtures: moto DynamoDB tables built from template.yaml, the real OCR reader (loaded once), the app."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import subprocess
import sys

import boto3
import pytest
from cnid_ocr.app import create_app
from cnid_ocr.config import Settings
from cnid_ocr.local import EmbeddedDynamoDB, create_tables
from cnid_ocr.logs import LOGGER_NAME, JsonFormatter
from cnid_ocr.pipeline import CardReader
from cnid_ocr.services import Services, build_stores
from fastapi.testclient import TestClient
from moto import mock_aws
from PIL import Image

TEST_REGION = "us-east-1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the real reader (directly or through `services`, `client` ...) needs the OCR models:
    marked `models`, so that `make check` leaves it out. Tests whose child process loads them are marked in their
    module."""
    for item in items:
        if "reader" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.models)


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach AWS: fake credentials, and no endpoint leaking in from the developer's shell."""
    for name in ("AWS_PROFILE", "DYNAMODB_ENDPOINT_URL", "CNID_OCR_DEV_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", TEST_REGION)


@pytest.fixture
def settings() -> Settings:
    return Settings(keys_table="test-keys", usage_table="test-usage", aws_region=TEST_REGION)


@pytest.fixture
def dynamodb(settings: Settings):
    with mock_aws():
        client = boto3.client("dynamodb", region_name=TEST_REGION)
        create_tables(client, settings)
        yield client


@pytest.fixture
def stores(settings: Settings, dynamodb):
    return build_stores(settings, dynamodb)


@pytest.fixture(scope="session")
def reader() -> CardReader:
    """The real engine and models, loaded once for the whole test session."""
    return CardReader.create()


@pytest.fixture
def services(settings: Settings, stores, reader: CardReader) -> Services:
    keys, usage = stores
    return Services(settings=settings, reader=reader, keys=keys, usage=usage)


@pytest.fixture
def client(services: Services):
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def api_key(services: Services) -> str:
    return services.keys.create_key("tests")[1]


@pytest.fixture
def auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
def blank_image():
    """Factory of plain images with nothing to read: decodable, but no card in them."""

    def make(fmt: str = "PNG", size: tuple[int, int] = (640, 400), mode: str = "RGB", color=(200, 200, 200)) -> bytes:
        buffer = io.BytesIO()
        Image.new(mode, size, color).save(buffer, format=fmt)
        return buffer.getvalue()

    return make


@pytest.fixture
def clock():
    """A settable UTC clock for stores."""

    class Clock:
        moment = dt.datetime(2026, 11, 26, 12, 0, 0, tzinfo=dt.UTC)

        def __call__(self) -> dt.datetime:
            return self.moment

    return Clock()


def run_cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """`cnid-ocr ARGS` in a subprocess, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "cnid_ocr.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="session")
def cli():
    return run_cli


@pytest.fixture(scope="session")
def store_env():
    """Environment for CLI subprocesses sharing one local DynamoDB endpoint (the embedded server)."""
    server = EmbeddedDynamoDB()
    endpoint = server.start()
    yield {
        **os.environ,
        "DYNAMODB_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "CNID_OCR_KEYS_TABLE": "cli-keys",
        "CNID_OCR_USAGE_TABLE": "cli-usage",
    }
    server.stop()


@pytest.fixture
def captured_logs():
    """Everything the 'cnid_ocr' loggers emit, formatted exactly as the deployed JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.DEBUG)  # the most talkative setting: still nothing personal
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(previous)
