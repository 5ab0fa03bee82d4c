"""The large-file path: POST /api/v1/uploads, the file posted to the pre-signed form, then OCR by uploadId."""

from __future__ import annotations

import boto3
import pytest
import requests
from cardgen import identity_for, sample_for
from cnid_ocr.local import EmbeddedDynamoDB
from cnid_ocr.store.uploads import PREFIX, UploadStore, make_s3_client

OCR = "/api/v1/ocr"
BUCKET = "test-uploads"


@pytest.fixture
def served_s3():
    """A real S3-compatible HTTP endpoint, so the pre-signed form is posted as a browser would."""
    server = EmbeddedDynamoDB()  # moto's server speaks S3 as well
    client = make_s3_client("us-east-1", server.start())
    client.create_bucket(Bucket=BUCKET)
    yield client
    server.stop()


def objects(s3) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_large_file_end_to_end(client, services, auth, served_s3):
    services.uploads = UploadStore(served_s3, BUCKET)
    services.settings.max_image_bytes = 50_000  # the direct path's limit, as on Lambda (but smaller)
    sample = sample_for(identity_for(seed=21, ethnicity="鄂伦春"), "scan", seed=21, sides=("front",), fmt="jpeg")
    assert len(sample.data) > 50_000

    form = {"documentType": "cn_id_card"}
    direct = client.post(OCR, headers=auth, files={"image": ("a.jpg", sample.data)}, data=form)
    assert direct.status_code == 413 and "/api/v1/uploads" in direct.json()["error"]["message"]

    grant = client.post("/api/v1/uploads", headers=auth)
    assert grant.status_code == 201, grant.text
    form = grant.json()
    assert form["maxBytes"] == 10 * 1024 * 1024
    posted = requests.post(form["url"], data=form["fields"], files={"file": ("card.jpg", sample.data)}, timeout=30)
    assert posted.status_code in (200, 201, 204), posted.text
    assert objects(served_s3) == [PREFIX + form["uploadId"]]

    response = client.post(OCR, headers=auth, data={"documentType": "cn_id_card", "uploadId": form["uploadId"]})
    assert response.status_code == 200, response.text
    assert response.json()["idNumber"] == sample.truth["idNumber"]
    assert objects(served_s3) == []  # deleted right after recognition

    again = client.post(OCR, headers=auth, data={"documentType": "cn_id_card", "uploadId": form["uploadId"]})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_upload"


def test_another_keys_upload_is_refused(client, services, auth):
    with_bucket = boto3.client("s3", region_name="us-east-1")
    with_bucket.create_bucket(Bucket=BUCKET)
    services.uploads = UploadStore(with_bucket, BUCKET)
    grant = client.post("/api/v1/uploads", headers=auth).json()
    key = PREFIX + grant["uploadId"]
    with_bucket.put_object(Bucket=BUCKET, Key=key, Body=b"x", Metadata={"owner": "sk_live_other000"})
    response = client.post(OCR, headers=auth, data={"documentType": "cn_id_card", "uploadId": grant["uploadId"]})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_upload"


def test_uploads_disabled_without_a_bucket(client, services, auth):
    services.uploads = None
    response = client.post("/api/v1/uploads", headers=auth)
    assert response.status_code == 501 and response.json()["error"]["code"] == "uploads_disabled"
    ocr = client.post(OCR, headers=auth, data={"documentType": "cn_id_card", "uploadId": "x" * 32})
    assert ocr.status_code == 501


def test_uploads_need_a_key(client):
    assert client.post("/api/v1/uploads").status_code == 401


def test_a_posted_again_form_is_refused_after_its_upload_was_used(client, services, auth, served_s3):
    """S3 accepts the same pre-signed form until it expires: the upload id still works only once."""
    services.uploads = UploadStore(served_s3, BUCKET)
    form = client.post("/api/v1/uploads", headers=auth).json()
    data = sample_for(identity_for(seed=5), "scan", seed=5, sides=("front",), fmt="jpeg").data

    def post_file():
        posted = requests.post(form["url"], data=form["fields"], files={"file": ("c.jpg", data)}, timeout=30)
        assert posted.status_code in (200, 201, 204), posted.text

    post_file()
    first = client.post(OCR, headers=auth, data={"documentType": "cn_id_card", "uploadId": form["uploadId"]})
    assert first.status_code == 200, first.text
    post_file()  # the client re-posts the form: the object exists again
    again = client.post(OCR, headers=auth, data={"documentType": "cn_id_card", "uploadId": form["uploadId"]})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_upload"
    assert objects(served_s3) == []  # read once more, refused, and deleted
    usage = client.get("/api/v1/usage", headers=auth).json()
    assert (usage["succeeded"], usage["failed"]) == (1, 1)


def test_no_upload_grant_for_a_key_whose_quota_is_used_up(client, services, blank_image):
    services.uploads = UploadStore(boto3.client("s3", region_name="us-east-1"), BUCKET)
    _, plaintext = services.keys.create_key("q", monthly_quota=1)
    headers = {"Authorization": f"Bearer {plaintext}"}
    client.post(OCR, headers=headers, files={"image": ("a.png", blank_image())}, data={"documentType": "cn_id_card"})
    refused = client.post("/api/v1/uploads", headers=headers)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "quota_exceeded"
    assert int(refused.headers["Retry-After"]) > 0


def test_the_open_upload_grants_of_a_key_are_bounded(client, services, auth):
    services.uploads = UploadStore(boto3.client("s3", region_name="us-east-1"), BUCKET)
    services.usage.max_open_uploads = 2
    assert [client.post("/api/v1/uploads", headers=auth).status_code for _ in range(2)] == [201, 201]
    refused = client.post("/api/v1/uploads", headers=auth)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_open_uploads"
    assert int(refused.headers["Retry-After"]) > 0
    _, other = services.keys.create_key("other")
    assert client.post("/api/v1/uploads", headers={"Authorization": f"Bearer {other}"}).status_code == 201
