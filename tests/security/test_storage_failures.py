"""DynamoDB throttled or unreachable at each store call of a request: 503 storage_unavailable, and the counters
are exactly as if the request had never happened (no partial, no doubled count)."""

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from cnid_ocr.app import create_app
from cnid_ocr.errors import NoIdCardFound
from fastapi.testclient import TestClient

from .conftest import FORM, OCR, assert_error, image_bytes


def throttled(operation: str) -> Exception:
    return ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "Rate of requests exceeds"}},
        operation,
    )


def unreachable(operation: str) -> Exception:
    return EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")


def timed_out(operation: str) -> Exception:
    return ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")


def request_throttled(operation: str) -> Exception:
    return ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, operation)


# Which store call of a request a low-level DynamoDB call is.
def step_of(operation: str, kwargs: dict, settings) -> str:
    table = kwargs.get("TableName")
    if table == settings.keys_table:
        return "authenticate"
    if operation == "transact_write_items":
        return "record"  # the count: request marker + counter in one transaction
    period = kwargs.get("Key", {}).get("period", {}).get("S", "")
    if operation == "update_item" and period.startswith("rate#"):
        return "rate_token"
    if operation == "get_item":
        return "quota_check"
    if operation == "update_item":
        return "record"
    return operation


class FailingClient:
    """Passes calls through to the real client, except the chosen step, which raises the chosen error."""

    def __init__(self, real, settings, step: str, error) -> None:
        self._real, self._settings, self._step, self._error = real, settings, step, error
        self.failed = 0

    def __getattr__(self, operation: str):
        method = getattr(self._real, operation)

        def call(**kwargs):
            if step_of(operation, kwargs, self._settings) == self._step:
                self.failed += 1
                raise self._error(operation)
            return method(**kwargs)

        return call


class NoCard:
    def read(self, data: bytes, crops: frozenset[str] = frozenset()) -> dict:
        raise NoIdCardFound()


STEPS = ["authenticate", "rate_token", "quota_check", "record"]
ERRORS = [throttled, request_throttled, unreachable, timed_out]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.__name__)
@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("outcome", ["success", "no_card"])
def test_each_store_call_failing_gives_503_and_no_count(fast_services, dynamodb, settings, step, error, outcome):
    services = fast_services
    record, plaintext = services.keys.create_key("victim", monthly_quota=5, rate_limit=100)
    if outcome == "no_card":
        services.reader = NoCard()  # the error path records a (billable) failure: it must not half-happen either
    failing = FailingClient(dynamodb, settings, step, error)
    services.keys._client = services.usage._client = failing
    headers = {"Authorization": f"Bearer {plaintext}"}
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        response = client.post(OCR, headers=headers, files={"image": ("a.png", image_bytes())}, data=FORM)
        assert_error(response, 503, "storage_unavailable")
        assert failing.failed == 1
        assert response.headers["Retry-After"] == "1"
        counted = services.usage.current(record.key_id) if step != "quota_check" else None

        # The store recovers: the same key works and the next request is counted exactly once.
        services.keys._client = services.usage._client = dynamodb
        if counted is None:
            counted = services.usage.current(record.key_id)
        assert (counted.succeeded, counted.failed, counted.billable) == (0, 0, 0)
        again = client.post(OCR, headers=headers, files={"image": ("a.png", image_bytes())}, data=FORM)
        assert again.status_code == (200 if outcome == "success" else 422)
        after = services.usage.current(record.key_id)
        expected = (1, 0, 1) if outcome == "success" else (0, 1, 1)
        assert (after.succeeded, after.failed, after.billable) == expected


def test_usage_endpoint_503_when_the_store_is_down(fast_services, dynamodb, settings):
    services = fast_services
    _, plaintext = services.keys.create_key("a")
    services.usage._client = FailingClient(dynamodb, settings, "quota_check", throttled)
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        response = client.get("/api/v1/usage", headers={"Authorization": f"Bearer {plaintext}"})
    assert_error(response, 503, "storage_unavailable")
