"""What every store shares: turning DynamoDB's failures into the API's error, and building the client once."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..errors import StorageUnavailable

# Error codes that mean "the store said no to this condition": the caller maps them to a domain error.
CONDITION_FAILED = "ConditionalCheckFailedException"
# A throttled or unreachable store is usually back within seconds.
RETRY_SOON = {"Retry-After": "1"}


def make_dynamodb_client(region: str, endpoint_url: str | None = None):
    """One client per process: short timeouts and few retries, so an unreachable store becomes a quick 503."""
    config = Config(
        connect_timeout=2,
        read_timeout=5,
        retries={"max_attempts": 3, "mode": "standard"},
    )
    return boto3.client("dynamodb", region_name=region, endpoint_url=endpoint_url, config=config)


def is_condition_failure(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == CONDITION_FAILED


@contextlib.contextmanager
def storage_errors(on_condition: Callable[[], Exception] | None = None) -> Iterator[None]:
    """Map throttling, network and service failures to 503 ``storage_unavailable``.

    Conditional-check failures are answers, not outages: they become ``on_condition()`` (the caller's domain error,
    e.g. NotFound or RateLimited), or are re-raised untouched without one.
    """
    try:
        yield
    except ClientError as exc:
        if is_condition_failure(exc):
            if on_condition is None:
                raise
            raise on_condition() from exc
        raise StorageUnavailable(headers=dict(RETRY_SOON)) from exc
    except BotoCoreError as exc:
        raise StorageUnavailable(headers=dict(RETRY_SOON)) from exc
