"""UploadStore against moto: the pre-signed POST form, a real POST to an S3-compatible endpoint, read-once-and-delete,
size caps, ownership, and malformed or unknown ids."""

from __future__ import annotations

import base64
import json

import boto3
import pytest
import requests
from cnid_ocr.errors import FileTooLarge, InvalidUpload, StorageUnavailable
from cnid_ocr.store.uploads import PREFIX, UploadStore, is_upload_id, make_s3_client
from moto import mock_aws

REGION = "us-east-1"
BUCKET = "test-uploads"


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture
def store(s3) -> UploadStore:
    return UploadStore(s3, BUCKET, max_bytes=1024 * 1024, expires_in=120)


def put(s3, upload_id: str, data: bytes, owner: str | None = None) -> None:
    extra = {"Metadata": {"owner": owner}} if owner else {}
    s3.put_object(Bucket=BUCKET, Key=PREFIX + upload_id, Body=data, **extra)


def objects(s3) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def policy_of(form: dict) -> dict:
    return json.loads(base64.b64decode(form["fields"]["policy"]))


def test_presign_returns_a_bounded_form_under_uploads(store: UploadStore) -> None:
    form = store.presign(500_000)
    assert set(form) == {"url", "fields", "uploadId", "expiresIn", "maxBytes"}
    assert is_upload_id(form["uploadId"])
    assert form["fields"]["key"] == PREFIX + form["uploadId"]
    assert form["expiresIn"] == 120 and form["maxBytes"] == 500_000
    conditions = policy_of(form)["conditions"]
    assert ["content-length-range", 1, 500_000] in conditions
    assert {"key": PREFIX + form["uploadId"]} in conditions
    assert BUCKET in form["url"]


def test_presign_never_exceeds_the_store_limit(store: UploadStore) -> None:
    form = store.presign(50 * 1024 * 1024)
    assert form["maxBytes"] == 1024 * 1024
    assert ["content-length-range", 1, 1024 * 1024] in policy_of(form)["conditions"]


def test_upload_ids_are_unique_and_unguessable(store: UploadStore) -> None:
    ids = {store.presign()["uploadId"] for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 32 for i in ids)


def test_take_reads_once_and_deletes(s3, store: UploadStore) -> None:
    upload_id = store.presign()["uploadId"]
    put(s3, upload_id, b"\xff\xd8\xff image bytes")
    assert store.take(upload_id) == b"\xff\xd8\xff image bytes"
    assert objects(s3) == []
    with pytest.raises(InvalidUpload):
        store.take(upload_id)  # already used


def test_take_over_the_cap_is_413_and_still_deleted(s3, store: UploadStore) -> None:
    upload_id = store.presign()["uploadId"]
    put(s3, upload_id, b"x" * 2000)
    with pytest.raises(FileTooLarge) as info:
        store.take(upload_id, max_bytes=1000)
    assert info.value.status == 413
    assert objects(s3) == []


@pytest.mark.parametrize("bad", ["", "short", "../../etc/passwd" + "a" * 20, "a" * 31 + "/", "a" * 33, "é" * 32])
def test_malformed_ids_are_rejected_before_s3(store: UploadStore, bad: str) -> None:
    with pytest.raises(InvalidUpload):
        store.take(bad)


def test_unknown_id_is_invalid_upload(store: UploadStore) -> None:
    with pytest.raises(InvalidUpload):
        store.take("A" * 32)


def test_owner_is_pinned_and_checked(s3, store: UploadStore) -> None:
    form = store.presign(owner="sk_live_Owner123")
    assert form["fields"]["x-amz-meta-owner"] == "sk_live_Owner123"
    assert {"x-amz-meta-owner": "sk_live_Owner123"} in policy_of(form)["conditions"]
    put(s3, form["uploadId"], b"data", owner="sk_live_Owner123")
    with pytest.raises(InvalidUpload):
        store.take(form["uploadId"], owner="sk_live_Someone")
    assert objects(s3) == [PREFIX + form["uploadId"]]  # another key's upload is left alone
    assert store.take(form["uploadId"], owner="sk_live_Owner123") == b"data"
    assert objects(s3) == []


def test_store_outage_is_503() -> None:
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)  # the bucket does not exist: NoSuchBucket
        store = UploadStore(client, "missing-bucket")
        with pytest.raises(StorageUnavailable) as info:
            store.take("B" * 32)
    assert info.value.status == 503


def test_a_real_post_of_the_form_then_take() -> None:
    """The whole flow over HTTP against moto's server: the client posts the file with the pre-signed form."""
    from cnid_ocr.local import free_port
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        client = make_s3_client(REGION, f"http://127.0.0.1:{port}")
        client.create_bucket(Bucket=BUCKET)
        store = UploadStore(client, BUCKET, max_bytes=1024 * 1024)
        form = store.presign(owner="sk_live_Owner123")
        data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100
        response = requests.post(form["url"], data=form["fields"], files={"file": ("card.png", data)}, timeout=10)
        assert response.status_code in {200, 201, 204}, response.text
        assert store.take(form["uploadId"], owner="sk_live_Owner123") == data
        assert client.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
    finally:
        server.stop()
