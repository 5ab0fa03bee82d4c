"""Large files: a pre-signed S3 POST for the client, then one read of the object, deleted right after.

A synchronous Lambda invocation carries at most 6 MB, so behind API Gateway a direct multipart upload tops out near
4.4 MB of image. For larger files (the contract's 10 MB) the client first asks for an upload (``presign``), posts the
file straight to the private bucket with the returned form, and then names the ``uploadId`` in the OCR call, which
``take``s the bytes: read with a size cap and deleted at once, whatever happens next. The bucket's lifecycle rule
(template.yaml) removes uploads never recognised within a day or two (S3 expires objects at the first midnight UTC
a day after their upload). That the id works only once and only for a while is the usage table's job
(``UsageStore.open_upload`` / ``consume_upload``): S3 alone would accept the same form posted again.

The object key is ``uploads/<random>``: 32 URL-safe random characters (192 bits), so an upload id cannot be guessed.
With ``owner`` (the API key's usage key) the form also pins ``x-amz-meta-owner``, and ``take`` refuses another key's
upload.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..config import MIB
from ..errors import FileTooLarge, InvalidUpload, StorageUnavailable
from .dynamo import error_code, make_client

PREFIX = "uploads/"
OWNER_META = "owner"
UPLOAD_ID_PATTERN = r"[A-Za-z0-9_-]{32}"  # what new_upload_id makes (also in the OpenAPI schema)
_ID_PATTERN = re.compile(UPLOAD_ID_PATTERN)
_MISSING = {"NoSuchKey", "404", "NotFound"}

log = logging.getLogger(__name__)


class UploadsUnavailable(StorageUnavailable):
    message = "The upload store is unavailable; retry later."


def make_s3_client(region: str, endpoint_url: str | None = None, **timeouts: Any):
    """One client per process, with the stores' short timeouts and deadline guard. SigV4 and virtual-hosted URLs:
    what pre-signed POSTs to a regional bucket need."""
    return make_client(
        "s3",
        region,
        endpoint_url,
        signature_version="s3v4",
        s3={"addressing_style": "virtual" if endpoint_url is None else "path"},
        **timeouts,
    )


def new_upload_id() -> str:
    return secrets.token_urlsafe(24)  # 24 bytes -> 32 characters of [A-Za-z0-9_-]


def is_upload_id(value: str) -> bool:
    return bool(_ID_PATTERN.fullmatch(value or ""))


class UploadStore:
    def __init__(self, client, bucket: str, *, max_bytes: int = 10 * MIB, expires_in: int = 300) -> None:
        if not bucket:
            raise ValueError("an UploadStore needs a bucket name")
        self._client = client
        self._bucket = bucket
        self.max_bytes = max_bytes
        self.expires_in = expires_in

    def presign(self, max_bytes: int | None = None, *, owner: str | None = None, upload_id: str | None = None) -> dict:
        """A form for ``POST url`` (multipart: ``fields`` then the ``file`` part) that S3 accepts only for a file of
        1..max_bytes bytes, under ``uploads/<upload_id>`` (a fresh id by default), for ``expires_in`` seconds."""
        limit = min(max_bytes or self.max_bytes, self.max_bytes)
        upload_id = upload_id or new_upload_id()
        if not is_upload_id(upload_id):
            raise ValueError("an upload id is 32 URL-safe characters (new_upload_id)")
        fields: dict[str, str] = {}
        conditions: list = [["content-length-range", 1, limit]]
        if owner:
            fields[f"x-amz-meta-{OWNER_META}"] = owner
            conditions.append({f"x-amz-meta-{OWNER_META}": owner})
        try:
            post = self._client.generate_presigned_post(
                Bucket=self._bucket,
                Key=PREFIX + upload_id,
                Fields=fields,
                Conditions=conditions,
                ExpiresIn=self.expires_in,
            )
        except (ClientError, BotoCoreError) as exc:
            raise UploadsUnavailable() from exc
        return {
            "url": post["url"],
            "fields": post["fields"],
            "uploadId": upload_id,
            "expiresIn": self.expires_in,
            "maxBytes": limit,
        }

    def take(self, upload_id: str, max_bytes: int | None = None, *, owner: str | None = None) -> bytes:
        """The uploaded bytes, once: the object is deleted right after it is read (or found too large).

        Unknown, malformed, expired or already-taken ids, and another owner's upload, are ``InvalidUpload``.
        """
        if not is_upload_id(upload_id):
            raise InvalidUpload()
        limit = min(max_bytes or self.max_bytes, self.max_bytes)
        key = PREFIX + upload_id
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                raise InvalidUpload() from exc
            raise UploadsUnavailable() from exc
        except BotoCoreError as exc:
            raise UploadsUnavailable() from exc
        body = response["Body"]
        try:
            if owner is not None and response.get("Metadata", {}).get(OWNER_META) != owner:
                raise InvalidUpload()  # not this key's upload: leave it alone (the lifecycle rule removes it)
            if response.get("ContentLength", 0) > limit:
                self._delete(key)
                raise FileTooLarge(too_large(limit))
            try:
                data = body.read(limit + 1)
            except (ClientError, BotoCoreError) as exc:
                raise UploadsUnavailable() from exc
            finally:
                self._delete(key)
        finally:
            body.close()
        if len(data) > limit:
            raise FileTooLarge(too_large(limit))
        return data

    def _delete(self, key: str) -> None:
        try:
            self._client.delete_object(Bucket=self._bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            # The bytes are already read: failing the request would not help the caller. The lifecycle rule removes
            # the object within a day; the log names the failure, never the content.
            log.warning("could not delete an upload after reading it: %s", type(exc).__name__)


def too_large(limit: int) -> str:
    return f"The uploaded file is larger than {limit / MIB:.0f} MB, the limit of an upload."
