import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from cnid_ocr.errors import QuotaExceeded, RateLimited
from cnid_ocr.local import EmbeddedDynamoDB, table_names
from cnid_ocr.store.dynamo import make_dynamodb_client
from cnid_ocr.store.keys import KeyStore
from cnid_ocr.store.tables import create_tables_from_template
from cnid_ocr.store.usage import UsageStore, seconds_to_next_month


def test_outcomes_are_counted_separately_per_month(settings, dynamodb, clock):
    keys = KeyStore(dynamodb, settings.keys_table)
    usage = UsageStore(dynamodb, settings.usage_table, clock=clock)
    key, _ = keys.create_key("a")
    usage.record(key, succeeded=True, billable=True)
    usage.record(key, succeeded=False, billable=True)
    usage.record(key, succeeded=False, billable=False)
    now = usage.current(key.key_id)
    assert (now.period, now.succeeded, now.failed, now.billable) == ("2026-11", 1, 2, 2)
    clock.moment = dt.datetime(2026, 12, 1, 0, 0, 1, tzinfo=dt.UTC)
    assert usage.current(key.key_id).succeeded == 0
    usage.record(key, succeeded=True, billable=True)
    assert usage.current(key.key_id).period == "2026-12"


@pytest.fixture
def served_dynamodb(settings):
    """The embedded HTTP endpoint (as `cnid-ocr serve` uses), which applies each request atomically like DynamoDB.

    moto's in-process mock does not serialise concurrent conditional updates, so it cannot judge atomicity.
    """
    server = EmbeddedDynamoDB()
    client = make_dynamodb_client("us-east-1", server.start())
    create_tables_from_template(client, table_names(settings))
    yield client
    server.stop()


def test_quota_is_never_exceeded_under_concurrency(settings, served_dynamodb):
    keys = KeyStore(served_dynamodb, settings.keys_table)
    usage = UsageStore(served_dynamodb, settings.usage_table)
    key, _ = keys.create_key("a", monthly_quota=10)

    def attempt(_: int) -> bool:
        try:
            usage.record(key, succeeded=True, billable=True)
            return True
        except QuotaExceeded:
            return False

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    assert outcomes.count(True) == 10
    counted = usage.current(key.key_id)
    assert counted.billable == 10 and counted.succeeded == 10 and counted.failed == 40
    with pytest.raises(QuotaExceeded) as refused:
        usage.check_quota(key)
    assert refused.value.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.value.headers["Retry-After"]) > 0


def test_rate_limit_per_second(settings, dynamodb, clock):
    keys = KeyStore(dynamodb, settings.keys_table)
    usage = UsageStore(dynamodb, settings.usage_table, clock=clock)
    key, _ = keys.create_key("a", rate_limit=3)
    for _ in range(3):
        usage.take_rate_token(key)
    with pytest.raises(RateLimited) as limited:
        usage.take_rate_token(key)
    assert limited.value.headers["Retry-After"] == "1"
    assert limited.value.headers["X-RateLimit-Limit"] == "3"
    clock.moment += dt.timedelta(seconds=1)
    usage.take_rate_token(key)  # a new window


def test_seconds_to_next_month():
    moment = dt.datetime(2026, 12, 31, 23, 59, 0, tzinfo=dt.UTC)
    assert seconds_to_next_month(moment) == 60
