"""The public endpoints: OCR, large-file uploads, usage."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from ..errors import (
    ApiError,
    BadRequest,
    ClientDisconnected,
    FileTooLarge,
    InvalidCrop,
    InvalidDocumentType,
    InvalidMultipart,
    InvalidUpload,
    MissingImage,
    RequestTimeout,
    StorageUnavailable,
    UploadsDisabled,
)
from ..services import Services
from ..store.keys import ApiKey
from ..store.uploads import UPLOAD_ID_PATTERN, is_upload_id, new_upload_id
from .deps import ApiKeyDep, ServicesDep
from .multipart import Part, form_collector, too_large_message
from .schemas import OcrResponse, UploadResponse, UsageResponse, error_responses

DOCUMENT_TYPE = "cn_id_card"
CROP_PATTERN = r"^(card|portrait)(,(card|portrait))*$"
# Room for the multipart framing and the small fields around the image.
MULTIPART_OVERHEAD = 64 * 1024

router = APIRouter(prefix="/api/v1")

# OCR is CPU-bound: one at a time per process keeps latency predictable (Lambda sends one request at a time to an
# instance; a local uvicorn may run several). A thread lock, because it is taken in the worker thread that runs the
# reader (run_in_threadpool), where an asyncio lock cannot be awaited.
_ocr_slot = threading.Lock()

_OCR_REQUEST_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["documentType"],
                # Exactly one source of the image: the file itself, or the id of a file posted to /api/v1/uploads
                # (both, or neither, is a 400). An empty `image` part counts as absent: browsers send one for an
                # empty file input.
                "oneOf": [
                    {"required": ["image"], "properties": {"uploadId": False}},
                    {"required": ["uploadId"], "properties": {"image": False}},
                ],
                "properties": {
                    "image": {
                        "type": "string",
                        "format": "binary",
                        "minLength": 1,
                        "description": "ID card photo: JPEG, PNG or WebP (decided by the bytes), up to the direct "
                        "upload limit. Exactly one of image and uploadId.",
                    },
                    "documentType": {"type": "string", "enum": [DOCUMENT_TYPE]},
                    "crop": {
                        "type": "string",
                        "pattern": CROP_PATTERN,
                        "description": "Images to return, comma-separated: 'card' (the card rectified, upright, "
                        "856x540 JPEG) and/or 'portrait' (the front's photo). Absent: no images (the fastest).",
                    },
                    "uploadId": {
                        "type": "string",
                        "pattern": f"^{UPLOAD_ID_PATTERN}$",
                        "description": "Instead of image: the id from POST /api/v1/uploads after the file was posted "
                        "to the returned form (files up to 10 MB). Read once, then deleted.",
                    },
                },
            }
        }
    },
}


@router.post(
    "/ocr",
    summary="Read a Chinese resident identity card",
    response_model=OcrResponse,
    responses=error_responses(400, 401, 403, 408, 413, 415, 422, 429, 500, 501, 503),
    openapi_extra={"requestBody": _OCR_REQUEST_BODY},
)
async def read_card(request: Request, key: ApiKeyDep, services: ServicesDep) -> JSONResponse:
    await run_in_threadpool(services.usage.take_rate_token, key)
    await run_in_threadpool(services.usage.check_quota, key)
    try:
        image, crops = await _read_image(request, services, key)
        body = await run_in_threadpool(_read_exclusively, services, image, crops)
        # The 200 body is the response model's: a body outside the documented schema is a bug (a ValidationError,
        # answered below as a 500 and not billed), never sent.
        result = OcrResponse.model_validate({**body, "requestId": request.state.request_id})
    except (ClientDisconnected, StorageUnavailable):
        raise  # not counted: nobody is left to answer, or the store is down (docs/limits.md)
    except ApiError as error:
        await _count(request, services, key, succeeded=False, billable=error.billable)
        raise
    except Exception:
        with contextlib.suppress(ApiError):  # the store failed too: the bug is what must be seen
            await _count(request, services, key, succeeded=False, billable=False)
        raise  # a bug: RequestContextMiddleware logs it (type and stack) and answers a generic 500
    await _count(request, services, key, succeeded=True, billable=True)
    headers = {}
    if key.monthly_quota is not None:
        usage = await run_in_threadpool(services.usage.current, key.usage_key)
        headers["X-RateLimit-Limit"] = str(key.monthly_quota)
        headers["X-RateLimit-Remaining"] = str(max(0, key.monthly_quota - usage.billable))
    # Unset optional keys (images, a card's quality) stay absent; the contract's keys are always set, null or not.
    return JSONResponse(result.model_dump(mode="json", exclude_unset=True), headers=headers)


@router.post(
    "/uploads",
    summary="Start a large-file upload (pre-signed S3 POST, files up to 10 MB)",
    status_code=201,
    response_model=UploadResponse,
    responses=error_responses(401, 403, 429, 500, 501, 503),
)
async def create_upload(key: ApiKeyDep, services: ServicesDep) -> JSONResponse:
    """POST the file to `url` as multipart/form-data: every entry of `fields`, then the file as `file`. Then call
    /api/v1/ocr with `uploadId` instead of `image`. The form expires after `expiresIn` seconds; the uploadId works
    once. A key whose quota is used up gets no grant, and each key holds a bounded number of unused ones."""
    uploads = services.uploads
    if uploads is None:
        raise UploadsDisabled()
    await run_in_threadpool(services.usage.take_rate_token, key)
    await run_in_threadpool(services.usage.check_quota, key)
    upload_id = new_upload_id()
    await run_in_threadpool(services.usage.open_upload, key, upload_id)
    grant = await run_in_threadpool(lambda: uploads.presign(owner=key.usage_key, upload_id=upload_id))
    return JSONResponse(grant, status_code=201)


@router.get(
    "/usage",
    summary="This month's usage of the calling API key",
    response_model=UsageResponse,
    responses=error_responses(401, 403, 500, 503),
)
async def get_usage(key: ApiKeyDep, services: ServicesDep) -> UsageResponse:
    usage = await run_in_threadpool(services.usage.current, key.usage_key)
    remaining = None if key.monthly_quota is None else max(0, key.monthly_quota - usage.billable)
    return UsageResponse(
        keyId=key.key_id,
        period=usage.period,
        succeeded=usage.succeeded,
        failed=usage.failed,
        billable=usage.billable,
        monthlyQuota=key.monthly_quota,
        remaining=remaining,
        rateLimit=key.rate_limit,
    )


def _read_exclusively(services: Services, image: bytes, crops: frozenset[str]) -> dict:
    with _ocr_slot:
        return services.reader.read(image, crops)


async def _count(request: Request, services: Services, key: ApiKey, *, succeeded: bool, billable: bool) -> None:
    """Once per request, whatever retries the store needs (the request id marks it counted)."""
    request_id = request.state.request_id
    await run_in_threadpool(
        lambda: services.usage.record(key, request_id=request_id, succeeded=succeeded, billable=billable)
    )
    request.state.billable = billable  # written against the quota: the request log's billableCalls (metrics.py)


async def _read_image(request: Request, services: Services, key: ApiKey) -> tuple[bytes, frozenset[str]]:
    settings = services.settings
    form = await _read_form(request, settings.max_image_bytes, settings.body_read_timeout_seconds)
    document_type = form.get("documentType")
    if document_type is None or _text(document_type) != DOCUMENT_TYPE:
        raise InvalidDocumentType()
    crops = _crops(form.get("crop"))
    image = form.get("image")
    has_image = image is not None and image.size > 0
    if has_image and "uploadId" in form:
        raise BadRequest("Send the photo either as 'image' or as 'uploadId', not both.")
    if image is not None and has_image:
        data = image.data
    elif "uploadId" in form:
        data = await _take_upload(services, key, _text(form["uploadId"]) or "")
    else:
        raise MissingImage()
    request.state.image_bytes = len(data)
    return data, crops


def _crops(part: Part | None) -> frozenset[str]:
    if part is None:
        return frozenset()
    text = _text(part)
    if text is None or not re.fullmatch(CROP_PATTERN, text):
        raise InvalidCrop()
    return frozenset(text.split(","))


async def _take_upload(services: Services, key: ApiKey, upload_id: str) -> bytes:
    """The upload's bytes, once: read and deleted from S3, then its grant marked used. A form posted again after
    its object was used (S3 accepts it until the form expires) finds the grant used: refused, and deleted too."""
    uploads = services.uploads
    if uploads is None:
        raise UploadsDisabled()
    if not is_upload_id(upload_id):
        raise InvalidUpload()
    data = await run_in_threadpool(lambda: uploads.take(upload_id, owner=key.usage_key))
    await run_in_threadpool(services.usage.consume_upload, key, upload_id)
    return data


async def _read_form(request: Request, max_image_bytes: int, timeout_seconds: float) -> dict[str, Part]:
    """Read the body with a hard cap and a time limit: an oversized upload is refused from its Content-Length, or
    as soon as the stream passes the cap, never read whole; a body still arriving after ``timeout_seconds`` (a
    trickling client) is cut off with 408; a client that hangs up is its own outcome."""
    cap = max_image_bytes + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise InvalidMultipart("Invalid Content-Length header.")
        if int(declared) > cap:
            raise FileTooLarge(too_large_message(max_image_bytes))
    collector = form_collector(request.headers.get("content-type"), max_image_bytes)
    received = 0
    try:
        async with asyncio.timeout(timeout_seconds):
            async for chunk in request.stream():
                received += len(chunk)
                if received > cap:
                    raise FileTooLarge(too_large_message(max_image_bytes))
                collector.feed(chunk)
    except TimeoutError as exc:
        raise RequestTimeout(
            f"The request body did not arrive within {timeout_seconds:g} seconds.",
            headers={"Connection": "close"},  # the server then drops the connection instead of reading on
        ) from exc
    except ClientDisconnect as exc:
        raise ClientDisconnected() from exc
    return collector.finish()


def _text(part: Part) -> str | None:
    try:
        return part.data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
