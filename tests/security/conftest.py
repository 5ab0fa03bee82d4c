"""Helpers for the hostile-input, limits and privacy tests."""

from __future__ import annotations

import asyncio
import io
import threading
import time

import pytest
from cnid_ocr.app import create_app
from cnid_ocr.local import EmbeddedDynamoDB, create_tables, free_port
from cnid_ocr.services import Services, build_stores
from cnid_ocr.store.dynamo import make_dynamodb_client
from PIL import Image

OCR = "/api/v1/ocr"
FORM = {"documentType": "cn_id_card"}
# A complete 200 body as extraction makes it (the route validates it against OcrResponse).
CARD_BODY = {
    "name": "测试",
    "gender": "男",
    "ethnicity": "汉",
    "dateOfBirth": "1990-01-01",
    "address": "某地",
    "idNumber": "11010119900101001X",
    "issuingAuthority": None,
    "validFrom": None,
    "validTo": None,
    "sides": ["front"],
    "confidence": {"name": 0.99},
    "warnings": [],
    "cards": [],
}


class FastReader:
    """A stand-in for the OCR pipeline, for tests about counting and limits (not about recognition)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls = 0
        self._lock = threading.Lock()

    def read(self, data: bytes, crops: frozenset[str] = frozenset()) -> dict:
        with self._lock:
            self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        return dict(CARD_BODY)


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    if code is not None:
        assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body


def image_bytes(fmt: str = "PNG", size=(64, 48), mode: str = "RGB", color=(200, 200, 200), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def multipart(parts: list[tuple[bytes, bytes]], boundary: bytes = b"XyZ") -> tuple[bytes, str]:
    """A hand-built body: each part is (raw header lines, payload)."""
    body = b""
    for headers, payload in parts:
        body += b"--" + boundary + b"\r\n" + headers + b"\r\n\r\n" + payload + b"\r\n"
    body += b"--" + boundary + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary.decode('latin-1')}"


def call_asgi(app, *, headers: list[tuple[bytes, bytes]], chunks, method: str = "POST", path: str = OCR):
    """Drive the ASGI app directly with a body that arrives chunk by chunk from ``chunks`` (an iterator), so a test
    can see how much of a body the app pulled before answering. Returns (status, headers, body)."""
    messages: list[dict] = []
    iterator = iter(chunks)

    async def receive() -> dict:
        try:
            chunk = next(iterator)
        except StopIteration:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body


@pytest.fixture
def served_dynamodb(settings):
    """The embedded DynamoDB HTTP endpoint: serial, so each conditional write is atomic as in DynamoDB."""
    server = EmbeddedDynamoDB()
    client = make_dynamodb_client("us-east-1", server.start())
    create_tables(client, settings)
    yield client
    server.stop()


@pytest.fixture
def fast_services(settings, stores) -> Services:
    keys, usage = stores
    return Services(settings=settings, reader=FastReader(), keys=keys, usage=usage)


class LiveServer:
    """The app under a real uvicorn server on a loopback port, in a thread."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            limit_concurrency=200,
            backlog=256,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_services(settings, served_dynamodb) -> Services:
    keys, usage = build_stores(settings, served_dynamodb)
    return Services(settings=settings, reader=FastReader(delay=0.005), keys=keys, usage=usage)


@pytest.fixture
def live_server(live_services):
    with LiveServer(create_app(live_services)) as server:
        yield server
