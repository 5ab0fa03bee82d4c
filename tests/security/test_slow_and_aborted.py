"""Slow or failing dependencies and aborted clients: a hung store costs seconds, not API Gateway's timeout; the
request's deadline (from the Lambda context when there is one) bounds every store call; a client that hangs up
mid-upload or trickles its body is its own outcome, never a 500 nor a billed call."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time

import pytest
from cnid_ocr.app import create_app
from cnid_ocr.errors import StorageUnavailable
from cnid_ocr.services import Services, build_stores
from cnid_ocr.store.dynamo import make_dynamodb_client, request_deadline
from fastapi.testclient import TestClient
from mangum import Mangum

from .conftest import FORM, OCR, FastReader, LiveServer, assert_error, image_bytes, multipart


class BlackHole:
    """A TCP endpoint that accepts connections and never answers: what a SIGSTOPped store looks like to a client
    (the kernel completes the handshake, nothing ever replies)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def black_hole():
    hole = BlackHole()
    yield hole
    hole.close()


def hung_services(settings, hole: BlackHole, **timeouts) -> Services:
    settings = settings.model_copy(update=timeouts)
    client = make_dynamodb_client(
        settings.aws_region,
        hole.url,
        connect_timeout=settings.store_connect_timeout,
        read_timeout=settings.store_read_timeout,
        max_attempts=settings.store_max_attempts,
    )
    keys, usage = build_stores(settings, client)
    return Services(settings=settings, reader=FastReader(), keys=keys, usage=usage)


KEY = "sk_live_" + "h" * 40


def test_a_hung_store_is_a_quick_503(settings, black_hole):
    """Short timeouts, two attempts: about 2 x (connect + read) plus backoff, where boto3's defaults took ~20 s."""
    services = hung_services(settings, black_hole, store_connect_timeout=0.2, store_read_timeout=0.3)
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        started = time.perf_counter()
        response = client.get("/api/v1/usage", headers={"Authorization": f"Bearer {KEY}"})
        elapsed = time.perf_counter() - started
    assert_error(response, 503, "storage_unavailable")
    assert response.headers["Retry-After"] == "1"
    assert 0.6 <= elapsed < 3.0, elapsed  # it did wait for two attempts, and no more


def test_the_request_deadline_stops_retries(settings, black_hole):
    """Many allowed attempts, but the request's deadline (1 s) ends them: no attempt starts that could end after it."""
    services = hung_services(
        settings,
        black_hole,
        store_connect_timeout=0.1,
        store_read_timeout=0.3,
        store_max_attempts=10,
        request_deadline_seconds=1.0,
    )
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        started = time.perf_counter()
        response = client.get("/api/v1/usage", headers={"Authorization": f"Bearer {KEY}"})
        elapsed = time.perf_counter() - started
    assert_error(response, 503, "storage_unavailable")
    assert elapsed < 1.2, elapsed  # 10 attempts of 0.4 s with backoff would take 4 s and more


def test_the_deadline_comes_from_the_lambda_contexts_remaining_time(settings, black_hole):
    """On Lambda the invocation's remaining time bounds the request: a hung store gets a 503 back before the
    function would time out, instead of API Gateway's generic timeout."""
    services = hung_services(
        settings, black_hole, store_connect_timeout=0.1, store_read_timeout=0.3, store_max_attempts=10
    )
    handler = Mangum(create_app(services), lifespan="off")

    class Context:
        def __init__(self, timeout_s: float) -> None:
            self._deadline = time.monotonic() + timeout_s

        def get_remaining_time_in_millis(self) -> int:
            return max(0, int((self._deadline - time.monotonic()) * 1000))

    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/api/v1/usage",
        "rawQueryString": "",
        "headers": {"authorization": f"Bearer {KEY}", "host": "api.example"},
        "requestContext": {
            "http": {"method": "GET", "path": "/api/v1/usage", "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1"},
            "requestId": "deadline-test",
            "routeKey": "$default",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }
    context = Context(timeout_s=2.5)
    started = time.perf_counter()
    response = handler(event, context)
    elapsed = time.perf_counter() - started
    assert response["statusCode"] == 503, response
    assert json.loads(response["body"])["error"]["code"] == "storage_unavailable"
    assert elapsed < 2.0 and context.get_remaining_time_in_millis() > 0, elapsed  # answered with time to spare


def test_a_store_call_is_refused_once_the_deadline_is_too_close(settings, dynamodb):
    """Against a healthy store too: a call that could outlast the deadline is not started."""
    keys, _ = build_stores(settings, make_dynamodb_client("us-east-1", None, connect_timeout=1, read_timeout=2))
    with request_deadline(0.5), pytest.raises(StorageUnavailable) as refused:
        keys.get("sk_live_whatever")
    assert "in time" in refused.value.message


# ---- clients that hang up or trickle ------------------------------------------------------------------------------


def drive(app, messages, headers: list[tuple[bytes, bytes]], path: str = OCR):
    """Run the ASGI app with ``messages`` (async callables returning ASGI receive messages, in order)."""
    sent: list[dict] = []
    queue = list(messages)

    async def receive() -> dict:
        if queue:
            return await queue.pop(0)()
        await asyncio.sleep(3600)  # the client says nothing more
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
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
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def chunk(data: bytes, delay: float = 0.0):
    async def message() -> dict:
        if delay:
            await asyncio.sleep(delay)
        return {"type": "http.request", "body": data, "more_body": True}

    return message


async def _disconnect() -> dict:
    return {"type": "http.disconnect"}


def upload_headers(api_key: str, length: int) -> list[tuple[bytes, bytes]]:
    return [
        (b"authorization", f"Bearer {api_key}".encode()),
        (b"content-type", b"multipart/form-data; boundary=XyZ"),
        (b"content-length", str(length).encode()),
    ]


def test_a_client_that_hangs_up_mid_upload_is_not_a_500_and_not_counted(fast_services, api_key, caplog):
    services = fast_services
    body, _ = multipart([(b'Content-Disposition: form-data; name="image"; filename="a.png"', image_bytes())])
    status, raw = drive(create_app(services), [chunk(body[:100]), _disconnect], upload_headers(api_key, len(body)))
    assert status == 499 and b"client_disconnected" in raw
    key_id = services.keys.list_keys()[0].key_id
    counted = services.usage.current(key_id)
    assert (counted.succeeded, counted.failed, counted.billable) == (0, 0, 0)


def test_a_trickling_body_is_cut_off_after_the_read_timeout(fast_services, api_key):
    services = fast_services
    services.settings = services.settings.model_copy(update={"body_read_timeout_seconds": 0.5})
    body, _ = multipart([(b'Content-Disposition: form-data; name="image"; filename="a.png"', image_bytes())])
    trickle = [chunk(body[i : i + 10], delay=0.2) for i in range(0, len(body), 10)]
    started = time.perf_counter()
    status, raw = drive(create_app(services), trickle, upload_headers(api_key, len(body)))
    elapsed = time.perf_counter() - started
    assert status == 408 and b"request_timeout" in raw
    assert 0.5 <= elapsed < 1.5, elapsed
    key_id = services.keys.list_keys()[0].key_id
    counted = services.usage.current(key_id)  # a client error after the key was accepted: failed, not billable
    assert (counted.succeeded, counted.failed, counted.billable) == (0, 1, 0)


def test_a_trickling_client_on_a_real_server_is_answered_and_cut_off(settings, live_services):
    """Over a real socket under uvicorn (the self-hosted server): one byte every 0.2 s of a declared 10 kB body."""
    _, plaintext = live_services.keys.create_key("trickler")
    live_services.settings = settings.model_copy(update={"body_read_timeout_seconds": 1.0})
    with LiveServer(create_app(live_services)) as server, socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(5)
        sock.sendall(
            b"POST /api/v1/ocr HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + plaintext.encode() + b"\r\n"
            b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 10000\r\n\r\n--XyZ\r\n"
        )
        started = time.perf_counter()
        stop = threading.Event()

        def trickle() -> None:
            while not stop.wait(0.2):
                try:
                    sock.sendall(b"x")
                except OSError:
                    return

        threading.Thread(target=trickle, daemon=True).start()
        received = b""
        try:
            while b"\r\n\r\n" not in received:
                data = sock.recv(4096)
                if not data:
                    break
                received += data
            elapsed = time.perf_counter() - started
            closed = False
            with contextlib.suppress(OSError):
                while sock.recv(4096):  # the rest of the answer, then the server's close
                    pass
                closed = True
        finally:
            stop.set()
    assert received.startswith(b"HTTP/1.1 408"), received[:200]
    assert 1.0 <= elapsed < 3.0, elapsed
    assert closed  # the connection is not kept for the trickler


def test_an_uploads_store_outage_is_a_503_with_retry_after_and_not_counted(client, services, auth):
    """One behaviour for storage failures, whichever store: 503 storage_unavailable, Retry-After, nothing counted."""
    import boto3
    from cnid_ocr.store.uploads import UploadStore

    s3 = boto3.client("s3", region_name="us-east-1")  # no such bucket: every S3 call fails
    services.uploads = UploadStore(s3, "bucket-that-is-down")
    grant = client.post("/api/v1/uploads", headers=auth)
    assert grant.status_code == 201, grant.text  # signing a form needs no S3 call
    response = client.post(OCR, headers=auth, data={**FORM, "uploadId": grant.json()["uploadId"]})
    assert_error(response, 503, "storage_unavailable")
    assert response.headers["Retry-After"] == "1"
    counted = services.usage.current(services.keys.list_keys()[0].key_id)
    assert (counted.succeeded, counted.failed, counted.billable) == (0, 0, 0)


def test_the_store_client_makes_exactly_the_configured_number_of_attempts(black_hole):
    """botocore's retries={"max_attempts": N} means N retries (N + 1 attempts): the setting counts attempts."""
    client = make_dynamodb_client("us-east-1", black_hole.url, connect_timeout=0.2, read_timeout=0.2, max_attempts=2)
    attempts = []
    client.meta.events.register("before-send", lambda **_: attempts.append(1))
    with pytest.raises(Exception):  # noqa: B017 - botocore's ReadTimeoutError; which one is not the point
        client.get_item(TableName="t", Key={"keyId": {"S": "x"}})
    assert len(attempts) == 2
