"""The 200 body of /api/v1/ocr is the response model's (api/schemas.py: OcrResponse), so the OpenAPI schema and the
body cannot drift: extraction's keys are the model's, the route sends exactly the model's keys, and a body the
model does not allow is a 500 that is not billed, never a 200."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from cnid_ocr.api.schemas import OcrResponse
from cnid_ocr.app import create_app
from cnid_ocr.extract import CardLines, combine_cards
from cnid_ocr.services import Services
from fastapi.testclient import TestClient

from ..extract.cardlines import TODAY, back, front
from ..security.conftest import FORM, OCR, assert_error, image_bytes


def with_image_boxes(lines):
    """As the pipeline gives them: each line also placed in the image (here: the same coordinates)."""
    return [dataclasses.replace(line, image_box=line.box) for line in lines]


def page_body(today: dt.date = TODAY) -> dict:
    """A photocopy with both sides and a second front: the extraction body with every key it can produce."""
    cards = [
        CardLines(with_image_boxes(front().lines)),
        CardLines(with_image_boxes(back(y0=700).lines)),
        CardLines(with_image_boxes(front(name="李四", y0=1400).lines)),
    ]
    return combine_cards(cards, today=today).to_body()


class BodyReader:
    """Returns a fixed extraction body, as the pipeline would (no model: the contract, not recognition)."""

    def __init__(self, body: dict) -> None:
        self.body = body

    def read(self, data: bytes, crops: frozenset[str] = frozenset()) -> dict:
        return dict(self.body)


ASKED_ONLY = {"images"}


@pytest.fixture
def body_client(settings, stores):
    def make(body: dict) -> tuple[TestClient, Services]:
        keys, usage = stores
        services = Services(settings=settings, reader=BodyReader(body), keys=keys, usage=usage)
        return TestClient(create_app(services), raise_server_exceptions=False), services

    return make


def test_extraction_produces_exactly_the_models_keys() -> None:
    body = page_body()
    assert body["cards"] and body["warnings"], body  # the page exercises cards and warnings
    # Every key but the crops, which only a request with `crop` gets (tests/api/test_crops.py).
    assert set(body) | {"requestId"} == set(OcrResponse.model_fields) - ASKED_ONLY
    OcrResponse.model_validate({**body, "requestId": "r"})  # and the values have the documented types


def test_the_200_body_is_the_model(body_client) -> None:
    body = page_body()
    client, services = body_client(body)
    _, key = services.keys.create_key("contract")
    response = client.post(OCR, headers={"Authorization": f"Bearer {key}"}, files={"image": image_bytes()}, data=FORM)
    assert response.status_code == 200, response.text
    sent = response.json()
    # every key, in the schema's order, nothing else (the crops only when asked)
    assert list(sent) == [name for name in OcrResponse.model_fields if name not in ASKED_ONLY]
    assert sent == {**body, "requestId": response.headers["x-request-id"]}
    assert OcrResponse.model_validate(sent) == OcrResponse.model_validate({**body, "requestId": sent["requestId"]})


@pytest.mark.parametrize(
    "change",
    [
        {"surprise": "a key the schema does not have"},
        {"sides": ["left"]},
        {"confidence": {"name": "high"}},
    ],
    ids=["extra-key", "bad-side", "bad-confidence"],
)
def test_a_body_outside_the_schema_is_a_500_and_not_billed(body_client, change) -> None:
    client, services = body_client({**page_body(), **change})
    record, key = services.keys.create_key("contract")
    response = client.post(OCR, headers={"Authorization": f"Bearer {key}"}, files={"image": image_bytes()}, data=FORM)
    assert_error(response, 500, "internal_error")
    usage = services.usage.current(record.key_id)
    assert (usage.succeeded, usage.failed, usage.billable) == (0, 1, 0)


def test_the_openapi_200_of_ocr_is_the_model(body_client) -> None:
    client, _ = body_client(page_body())
    schema = client.get("/openapi.json").json()
    ok = schema["paths"]["/api/v1/ocr"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/OcrResponse"}
    model = schema["components"]["schemas"]["OcrResponse"]
    assert set(model["properties"]) == set(OcrResponse.model_fields)
    assert model["additionalProperties"] is False
