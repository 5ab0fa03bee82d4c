"""Per-request context: a request id, the request's deadline, headers every response carries, one structured log
line (with the request's metrics: metrics.py), and the last-resort 500.

A pure ASGI middleware (not Starlette's ServerErrorMiddleware, which re-raises after answering): an unexpected
exception becomes a generic JSON 500 and never reaches the server or Lambda runtime as a crash. This is the one
place where such an exception is logged: its type and stack, never its message (which could quote a card).
"""

from __future__ import annotations

import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import InternalError
from ..logs import get_logger
from ..metrics import EmbeddedMetrics, request_values
from ..store.dynamo import request_deadline
from .errors import error_response

log = get_logger("request")

# Every response may carry personal data (a 200 holds a name, a number and an address): no cache may keep it, and
# no browser may guess its type.
SECURITY_HEADERS = [(b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]
_REPLACED = {name for name, _ in SECURITY_HEADERS}
# On Lambda, time kept back from the invocation's remaining time to send the answer.
LAMBDA_RESPONSE_MARGIN_SECONDS = 1.0


def request_id_of(scope: Scope) -> str:
    """API Gateway's request id when running on Lambda (Mangum passes the event), else a fresh one."""
    event = scope.get("aws.event") or {}
    request_id = (event.get("requestContext") or {}).get("requestId")
    return str(request_id) if request_id else uuid.uuid4().hex


def deadline_of(scope: Scope, limit_seconds: float) -> float:
    """Seconds the request may take: ``limit_seconds``, and on Lambda (Mangum passes the context) no more than the
    invocation has left, minus a margin to answer before the function times out."""
    context = scope.get("aws.context")
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return limit_seconds
    return max(0.0, min(limit_seconds, remaining() / 1000 - LAMBDA_RESPONSE_MARGIN_SECONDS))


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, deadline_seconds: float, metrics: EmbeddedMetrics | None = None) -> None:
        self.app = app
        self.deadline_seconds = deadline_seconds
        # On Lambda: the log line also carries CloudWatch's EMF metadata; None: the metrics stay in the line.
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *[(k, v) for k, v in message["headers"] if k.lower() not in _REPLACED],
                    (b"x-request-id", request_id.encode()),
                    *SECURITY_HEADERS,
                ]
            await send(message)

        try:
            with request_deadline(deadline_of(scope, self.deadline_seconds)):
                await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error", extra={"requestId": request_id})
            error = InternalError()
            state["error_code"] = error.code
            if not response_started:
                await error_response(error)(scope, receive, send_with_id)
        finally:
            latency_ms = (time.perf_counter() - started) * 1000
            entry = {
                "requestId": request_id,
                "method": scope.get("method"),
                "path": scope.get("path"),
                "status": status,
                "errorCode": state.get("error_code"),
                "keyId": state.get("key_id"),
                "imageBytes": state.get("image_bytes"),
                **request_values(
                    error_code=state.get("error_code"), billable=bool(state.get("billable")), latency_ms=latency_ms
                ),
            }
            if self.metrics is not None:
                entry = self.metrics.annotate(entry)
            log.info("request", extra=entry)
