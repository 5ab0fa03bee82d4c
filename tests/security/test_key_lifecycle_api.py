"""Key lifecycle as API callers see it: revocation, rotation and limit changes apply on the very next request."""

import datetime as dt

import pytest
from cnid_ocr.app import create_app
from cnid_ocr.services import Services
from cnid_ocr.store.keys import KeyStore
from cnid_ocr.store.usage import UsageStore
from fastapi.testclient import TestClient

from .conftest import FORM, OCR, FastReader, assert_error, image_bytes


@pytest.fixture
def clocked(settings, dynamodb, clock):
    services = Services(
        settings=settings,
        reader=FastReader(),
        keys=KeyStore(dynamodb, settings.keys_table, clock=clock),
        usage=UsageStore(dynamodb, settings.usage_table, clock=clock),
    )
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        yield services, client


def ocr(client, plaintext: str):
    return client.post(
        OCR, headers={"Authorization": f"Bearer {plaintext}"}, files={"image": ("card.png", image_bytes())}, data=FORM
    )


def usage(client, plaintext: str):
    return client.get("/api/v1/usage", headers={"Authorization": f"Bearer {plaintext}"})


def test_revoke_takes_effect_on_the_very_next_request(clocked):
    services, client = clocked
    record, plaintext = services.keys.create_key("leaked")
    assert ocr(client, plaintext).status_code == 200
    assert usage(client, plaintext).status_code == 200
    services.keys.revoke(record.key_id)
    assert_error(ocr(client, plaintext), 403, "revoked_api_key")
    assert_error(usage(client, plaintext), 403, "revoked_api_key")
    assert services.usage.current(record.key_id).succeeded == 1  # the refused calls are not counted


def test_rotate_without_grace(clocked):
    services, client = clocked
    old, old_plaintext = services.keys.create_key("app", monthly_quota=100)
    assert ocr(client, old_plaintext).status_code == 200
    _, new, plaintext = services.keys.rotate(old.key_id)
    assert_error(ocr(client, old_plaintext), 403, "revoked_api_key")
    response = ocr(client, plaintext)
    assert response.status_code == 200 and response.headers["X-RateLimit-Limit"] == "100"
    assert usage(client, plaintext).json()["keyId"] == new.key_id


def test_rotate_with_grace_until_the_clock_passes_revoke_at(clocked, clock):
    services, client = clocked
    old, old_plaintext = services.keys.create_key("app")
    _, _, plaintext = services.keys.rotate(old.key_id, grace_seconds=60)
    assert ocr(client, old_plaintext).status_code == 200
    assert ocr(client, plaintext).status_code == 200
    clock.moment += dt.timedelta(seconds=59)
    assert ocr(client, old_plaintext).status_code == 200
    clock.moment += dt.timedelta(seconds=1)
    assert_error(ocr(client, old_plaintext), 403, "revoked_api_key")
    assert ocr(client, plaintext).status_code == 200


def test_update_changes_enforcement_on_the_next_request(clocked, clock):
    services, client = clocked
    record, plaintext = services.keys.create_key("partner", monthly_quota=1)
    assert ocr(client, plaintext).status_code == 200
    refused = assert_error(ocr(client, plaintext), 429, "quota_exceeded")
    assert "1 calls" in refused["error"]["message"]

    services.keys.update(record.key_id, monthly_quota=3)
    first = ocr(client, plaintext)
    assert first.status_code == 200 and first.headers["X-RateLimit-Limit"] == "3"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert usage(client, plaintext).json()["remaining"] == 1

    services.keys.update(record.key_id, monthly_quota=None, rate_limit=1)
    assert "X-RateLimit-Limit" not in ocr(client, plaintext).headers  # no quota any more; 1st call this second
    limited = ocr(client, plaintext)  # the clock stands still: same one-second window
    assert_error(limited, 429, "rate_limited")
    assert limited.headers["X-RateLimit-Limit"] == "1" and limited.headers["Retry-After"] == "1"
    clock.moment += dt.timedelta(seconds=1)
    assert ocr(client, plaintext).status_code == 200

    services.keys.update(record.key_id, rate_limit=None)
    assert [ocr(client, plaintext).status_code for _ in range(3)] == [200, 200, 200]
    body = usage(client, plaintext).json()
    assert (body["monthlyQuota"], body["rateLimit"], body["remaining"]) == (None, None, None)
    assert body["succeeded"] == 7
