"""Per-request context: a request id, one structured log line, and the last-resort 500.

A pure ASGI middleware (not Starlette's ServerErrorMiddleware, which re-raises after answering): an unexpected
exception becomes a generic JSON 500 and never reaches the server or Lambda runtime as a crash.
"""

from __future__ import annotations

import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import InternalError
from ..logs import get_logger
from .errors import error_response

log = get_logger("request")


def request_id_of(scope: Scope) -> str:
    """API Gateway's request id when running on Lambda (Mangum passes the event), else a fresh one."""
    event = scope.get("aws.event") or {}
    request_id = (event.get("requestContext") or {}).get("requestId")
    return str(request_id) if request_id else uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error", extra={"requestId": request_id})
            error = InternalError()
            state["error_code"] = error.code
            if not response_started:
                await error_response(error)(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                extra={
                    "requestId": request_id,
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "errorCode": state.get("error_code"),
                    "keyId": state.get("key_id"),
                    "imageBytes": state.get("image_bytes"),
                    "latencyMs": round((time.perf_counter() - started) * 1000, 1),
                },
            )
