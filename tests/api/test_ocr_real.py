"""Real OCR, no stub: generated card images through the whole API."""

from __future__ import annotations

import pytest
from cardgen import identity_for, sample_for

OCR = "/api/v1/ocr"
FRONT = ("name", "gender", "ethnicity", "dateOfBirth", "address", "idNumber")
BACK = ("issuingAuthority", "validFrom", "validTo")

CASES = [
    # (identity fields, sample kind, sides, format)
    ({"ethnicity": "汉", "gender": "男"}, "small", ("front",), "png"),
    ({"ethnicity": "仫佬", "gender": "女"}, "photo", ("front",), "jpeg"),
    ({"ethnicity": "维吾尔", "gender": "女"}, "scan", ("front",), "webp"),
    ({"ethnicity": "满"}, "scan", ("back",), "jpeg"),
]


def post_image(client, auth, data: bytes, name: str):
    return client.post(OCR, headers=auth, files={"image": (name, data)}, data={"documentType": "cn_id_card"})


@pytest.mark.parametrize(("fixed", "kind", "sides", "fmt"), CASES)
def test_reads_generated_cards(client, auth, fixed, kind, sides, fmt):
    identity = identity_for(seed=3, **fixed)
    sample = sample_for(identity, kind, seed=3, sides=sides, fmt=fmt)
    response = post_image(client, auth, sample.data, f"card.{fmt}")
    assert response.status_code == 200, response.text
    body = response.json()
    expected = FRONT if "front" in sides else BACK
    assert {f: body[f] for f in expected} == {f: sample.truth[f] for f in expected}
    assert body["sides"] == list(sides)
    assert set(FRONT) <= set(body)  # the contract's six keys are always present
    assert body["requestId"] == response.headers["x-request-id"]
    assert all(0 <= body["confidence"][f] <= 1 for f in expected)


def test_success_is_counted_once(client, services, auth):
    sample = sample_for(identity_for(seed=5), "scan", seed=5, sides=("front",), fmt="jpeg")
    assert post_image(client, auth, sample.data, "a.jpg").status_code == 200
    usage = services.usage.current(services.keys.list_keys()[0].key_id)
    assert (usage.succeeded, usage.failed, usage.billable) == (1, 0, 1)
