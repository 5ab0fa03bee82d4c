"""The long-lived objects of a process (OCR engine, DynamoDB-backed stores), built once and injected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .config import Settings
from .store.dynamo import make_dynamodb_client
from .store.keys import KeyStore
from .store.uploads import UploadStore, make_s3_client
from .store.usage import UsageStore


class Reader(Protocol):
    def read(self, data: bytes, crops: frozenset[str] = ...) -> dict: ...


@dataclass(slots=True)
class Services:
    settings: Settings
    reader: Reader
    keys: KeyStore
    usage: UsageStore
    uploads: UploadStore | None = None  # None: the large-file path is not configured


def store_timeouts(settings: Settings) -> dict[str, float | int]:
    return {
        "connect_timeout": settings.store_connect_timeout,
        "read_timeout": settings.store_read_timeout,
        "max_attempts": settings.store_max_attempts,
    }


def build_stores(settings: Settings, client=None) -> tuple[KeyStore, UsageStore]:
    client = client or make_dynamodb_client(
        settings.aws_region, settings.dynamodb_endpoint_url, **store_timeouts(settings)
    )
    usage = UsageStore(
        client,
        settings.usage_table,
        upload_validity_seconds=settings.upload_validity_seconds,
        max_open_uploads=settings.max_open_uploads,
    )
    return KeyStore(client, settings.keys_table), usage


def build_services(settings: Settings, reader: Reader | None = None, dynamodb_client=None) -> Services:
    if reader is None:
        from .pipeline import CardReader  # loads the OCR models, once per process

        reader = CardReader.from_settings(settings)
    keys, usage = build_stores(settings, dynamodb_client)
    return Services(settings=settings, reader=reader, keys=keys, usage=usage, uploads=build_uploads(settings))


def build_uploads(settings: Settings, client=None) -> UploadStore | None:
    if not settings.uploads_bucket:
        return None
    client = client or make_s3_client(settings.aws_region, settings.s3_endpoint_url, **store_timeouts(settings))
    return UploadStore(
        client, settings.uploads_bucket, max_bytes=settings.max_upload_bytes, expires_in=settings.upload_form_seconds
    )
