"""What every store shares: clients built once with short timeouts, the request's deadline, item (un)marshalling,
and turning AWS failures into the API's errors."""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Literal

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..errors import StorageUnavailable

# Error codes that mean "the store said no to this condition": the caller maps them to a domain error.
CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELED = "TransactionCanceledException"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


# ---- items --------------------------------------------------------------------------------------------------------


def marshal(values: Mapping[str, Any]) -> dict[str, Any]:
    """Plain Python values -> DynamoDB attribute values (``None`` entries are left out, not stored as NULL)."""
    return {name: _serializer.serialize(value) for name, value in values.items() if value is not None}


def unmarshal(item: Mapping[str, Any] | None) -> dict[str, Any]:
    """DynamoDB attribute values -> Python values; whole numbers come back as ``int``, not ``Decimal``."""
    return {name: _plain(_deserializer.deserialize(value)) for name, value in (item or {}).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# ---- errors -------------------------------------------------------------------------------------------------------


def error_code(exc: ClientError) -> str:
    """The service's error code (``ConditionalCheckFailedException``, ``NoSuchKey``, ...) of a botocore error."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_condition_failure(exc: ClientError) -> bool:
    return error_code(exc) == CONDITION_FAILED


def cancellation_reasons(exc: ClientError) -> list[str] | None:
    """For a cancelled TransactWriteItems, each item's reason code ('None', 'ConditionalCheckFailed', ...) in order;
    None for any other error."""
    if error_code(exc) != TRANSACTION_CANCELED:
        return None
    return [str(reason.get("Code") or "None") for reason in exc.response.get("CancellationReasons", [])]


@contextlib.contextmanager
def storage_errors(on_condition: Callable[[], Exception] | None = None) -> Iterator[None]:
    """Map throttling, network and service failures to 503 ``storage_unavailable``.

    Conditional-check failures are answers, not outages: they become ``on_condition()`` (the caller's domain error,
    e.g. NotFound or RateLimited), or are re-raised untouched without one. A cancelled transaction is re-raised
    untouched too: only its caller knows what each of its conditions means.
    """
    try:
        yield
    except ClientError as exc:
        if is_condition_failure(exc):
            if on_condition is None:
                raise
            raise on_condition() from exc
        if error_code(exc) == TRANSACTION_CANCELED and "ConditionalCheckFailed" in (cancellation_reasons(exc) or []):
            raise
        raise StorageUnavailable() from exc
    except BotoCoreError as exc:
        raise StorageUnavailable() from exc


# ---- the request's deadline ---------------------------------------------------------------------------------------

# Monotonic time by which the current request must have answered; None outside a request (CLI, start-up).
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("cnid_ocr_deadline", default=None)


class DeadlineExceeded(StorageUnavailable):
    message = "The store did not answer in time for this request; retry later."


@contextlib.contextmanager
def request_deadline(seconds: float) -> Iterator[None]:
    """Within this block, no store call (or retry of one) starts that could end after ``seconds`` from now."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining_seconds() -> float | None:
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def _guard_attempt(worst_case: float) -> Callable[..., None]:
    """A ``before-send`` hook: botocore calls it before every HTTP attempt, retries included. Raising here ends the
    call at once (botocore does not retry an exception of ours)."""

    def check(**_: Any) -> None:
        remaining = remaining_seconds()
        if remaining is not None and remaining < worst_case:
            raise DeadlineExceeded()

    return check


# ---- clients ------------------------------------------------------------------------------------------------------


def client_config(connect_timeout: float, read_timeout: float, max_attempts: int, **extra: Any) -> Config:
    # "standard" retry mode: exponential backoff with jitter. botocore's "max_attempts" counts retries only (the
    # first try comes on top); "total_max_attempts" is the number of attempts in all.
    return Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"total_max_attempts": max_attempts, "mode": "standard"},
        **extra,
    )


def make_client(
    service: Literal["dynamodb", "s3"],
    region: str,
    endpoint_url: str | None = None,
    *,
    connect_timeout: float = 1.0,
    read_timeout: float = 2.0,
    max_attempts: int = 2,
    **config: Any,
):
    """One client per process and service, with short timeouts, bounded retries and the request-deadline guard: a
    hung store costs at most about ``max_attempts x (connect + read)`` per call, and never more than the request
    has left."""
    settings = client_config(connect_timeout, read_timeout, max_attempts, **config)
    client: Any
    if service == "dynamodb":
        client = boto3.client("dynamodb", region_name=region, endpoint_url=endpoint_url, config=settings)
    else:
        client = boto3.client("s3", region_name=region, endpoint_url=endpoint_url, config=settings)
    client.meta.events.register("before-send", _guard_attempt(connect_timeout + read_timeout))
    return client


def make_dynamodb_client(region: str, endpoint_url: str | None = None, **timeouts: Any):
    return make_client("dynamodb", region, endpoint_url, **timeouts)
