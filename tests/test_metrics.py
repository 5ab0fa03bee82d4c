"""Request metrics in the request log line, and CloudWatch Embedded Metric Format on Lambda (metrics.py): the line is
valid EMF (every directive's dimensions and metrics are members of the line, with string and number values), it
counts requests, errors by code, billable calls and latency, and it carries nothing personal."""

from __future__ import annotations

import json

import pytest
from cnid_ocr import errors
from cnid_ocr.app import create_app
from cnid_ocr.errors import NoIdCardFound
from cnid_ocr.metrics import NAMESPACE, UNITS, EmbeddedMetrics
from cnid_ocr.services import Services
from fastapi.testclient import TestClient

from .security.conftest import CARD_BODY, FORM, OCR, FastReader, image_bytes

FUNCTION = "cnid-ocr-test-ocr"


def all_error_codes(cls: type[errors.ApiError] = errors.ApiError) -> set[str]:
    return {cls.code}.union(*(all_error_codes(sub) for sub in cls.__subclasses__()))


class NoCardReader:
    def read(self, data: bytes, crops: frozenset[str] = frozenset()) -> dict:
        raise NoIdCardFound()


@pytest.fixture
def request_lines(captured_logs):
    """The request log lines, formatted as deployed (JSON, one per line)."""
    return lambda: [
        entry
        for entry in (json.loads(line) for line in captured_logs.getvalue().splitlines() if line.strip())
        if entry["message"] == "request"
    ]


@pytest.fixture
def app_for(settings, stores):
    def make(reader, metrics: EmbeddedMetrics | None) -> tuple[TestClient, Services]:
        keys, usage = stores
        services = Services(settings=settings, reader=reader, keys=keys, usage=usage)
        return TestClient(create_app(services, metrics=metrics), raise_server_exceptions=False), services

    return make


def assert_valid_emf(entry: dict) -> list[dict]:
    """The EMF specification's rules for one log event; returns its metric directives."""
    meta = entry["_aws"]
    assert isinstance(meta["Timestamp"], int) and meta["Timestamp"] > 1_600_000_000_000  # epoch milliseconds
    directives = meta["CloudWatchMetrics"]
    assert directives
    for directive in directives:
        assert directive["Namespace"] == NAMESPACE
        for dimension_set in directive["Dimensions"]:
            assert 1 <= len(dimension_set) <= 30
            for name in dimension_set:
                assert isinstance(entry[name], str) and entry[name], name
        for metric in directive["Metrics"]:
            assert isinstance(entry[metric["Name"]], int | float), metric
            assert metric["Unit"] == UNITS[metric["Name"]]
    return directives


def call(client: TestClient, services: Services, *, image: bytes | None = None):
    _, key = services.keys.create_key("metrics")
    files = {"image": ("card.png", image if image is not None else image_bytes())}
    return client.post(OCR, headers={"Authorization": f"Bearer {key}"}, files=files, data=FORM)


def test_locally_the_metrics_stay_in_the_log_line(app_for, request_lines) -> None:
    client, services = app_for(FastReader(), metrics=None)
    assert call(client, services).status_code == 200
    (entry,) = request_lines()
    assert "_aws" not in entry and "function" not in entry
    assert (entry["requests"], entry["errors"], entry["billableCalls"]) == (1, 0, 1)
    assert isinstance(entry["latencyMs"], float) and entry["latencyMs"] > 0


def test_a_success_on_lambda_is_one_billable_request(app_for, request_lines) -> None:
    client, services = app_for(FastReader(), metrics=EmbeddedMetrics(FUNCTION))
    assert call(client, services).status_code == 200
    (entry,) = request_lines()
    (directive,) = assert_valid_emf(entry)
    assert directive["Dimensions"] == [["function"]] and entry["function"] == FUNCTION
    assert {m["Name"] for m in directive["Metrics"]} == {"requests", "errors", "billableCalls", "latencyMs"}
    assert (entry["requests"], entry["errors"], entry["billableCalls"]) == (1, 0, 1)


@pytest.mark.parametrize(
    ("reader", "form_image", "status", "code", "billable"),
    [
        (NoCardReader(), None, 422, "no_id_card_found", 1),  # billable: the recognition ran
        (FastReader(), b"", 400, "missing_image", 0),
    ],
    ids=["no-card", "missing-image"],
)
def test_errors_are_counted_by_code(app_for, request_lines, reader, form_image, status, code, billable) -> None:
    client, services = app_for(reader, metrics=EmbeddedMetrics(FUNCTION))
    assert call(client, services, image=form_image).status_code == status
    (entry,) = request_lines()
    overall, by_code = assert_valid_emf(entry)
    assert by_code["Dimensions"] == [["function", "errorCode"]] and entry["errorCode"] == code
    assert [m["Name"] for m in by_code["Metrics"]] == ["errors"]
    assert (entry["requests"], entry["errors"], entry["billableCalls"]) == (1, 1, billable)


def test_unauthenticated_requests_are_errors_not_billable(app_for, request_lines) -> None:
    client, _ = app_for(FastReader(), metrics=EmbeddedMetrics(FUNCTION))
    assert client.get("/api/v1/usage").status_code == 401
    (entry,) = request_lines()
    assert_valid_emf(entry)
    assert (entry["errorCode"], entry["errors"], entry["billableCalls"]) == ("missing_api_key", 1, 0)


def test_no_personal_data_in_metrics_or_dimensions(app_for, request_lines) -> None:
    client, services = app_for(FastReader(), metrics=EmbeddedMetrics(FUNCTION))
    call(client, services)
    call(client, services, image=b"")
    lines = request_lines()
    text = json.dumps(lines, ensure_ascii=False)
    for value in (CARD_BODY["name"], CARD_BODY["idNumber"], CARD_BODY["address"], CARD_BODY["dateOfBirth"]):
        assert value not in text
    for entry in lines:
        for directive in entry["_aws"]["CloudWatchMetrics"]:
            for dimension in {name for dimension_set in directive["Dimensions"] for name in dimension_set}:
                assert dimension in ("function", "errorCode")
                assert entry[dimension] == FUNCTION or entry[dimension] in all_error_codes()
