import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from cnid_ocr.errors import InvalidUpload, QuotaExceeded, RateLimited, TooManyOpenUploads
from cnid_ocr.local import EmbeddedDynamoDB, create_tables
from cnid_ocr.store.dynamo import make_dynamodb_client
from cnid_ocr.store.keys import KeyStore
from cnid_ocr.store.usage import UsageStore, seconds_to_next_month


def test_outcomes_are_counted_separately_per_month(settings, dynamodb, clock):
    keys = KeyStore(dynamodb, settings.keys_table)
    usage = UsageStore(dynamodb, settings.usage_table, clock=clock)
    key, _ = keys.create_key("a")
    usage.record(key, request_id="r1", succeeded=True, billable=True)
    usage.record(key, request_id="r2", succeeded=False, billable=True)
    usage.record(key, request_id="r3", succeeded=False, billable=False)
    now = usage.current(key.key_id)
    assert (now.period, now.succeeded, now.failed, now.billable) == ("2026-11", 1, 2, 2)
    clock.moment = dt.datetime(2026, 12, 1, 0, 0, 1, tzinfo=dt.UTC)
    assert usage.current(key.key_id).succeeded == 0
    usage.record(key, request_id="r4", succeeded=True, billable=True)
    assert usage.current(key.key_id).period == "2026-12"


@pytest.fixture
def served_dynamodb(settings):
    """The embedded HTTP endpoint (as `cnid-ocr serve` uses), which applies each request atomically like DynamoDB.

    moto's in-process mock does not serialise concurrent conditional updates, so it cannot judge atomicity.
    """
    server = EmbeddedDynamoDB()
    client = make_dynamodb_client("us-east-1", server.start())
    create_tables(client, settings)
    yield client
    server.stop()


def test_quota_is_never_exceeded_under_concurrency(settings, served_dynamodb):
    keys = KeyStore(served_dynamodb, settings.keys_table)
    usage = UsageStore(served_dynamodb, settings.usage_table)
    key, _ = keys.create_key("a", monthly_quota=10)

    def attempt(n: int) -> bool:
        try:
            usage.record(key, request_id=f"concurrent-{n}", succeeded=True, billable=True)
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


def test_replaying_a_requests_count_counts_it_once(settings, dynamodb, clock):
    """The same request's counting write, applied twice (a retry after a lost reply, or any replay): counted once."""
    keys = KeyStore(dynamodb, settings.keys_table)
    usage = UsageStore(dynamodb, settings.usage_table, clock=clock)
    key, _ = keys.create_key("a", monthly_quota=5)
    for _ in range(3):
        usage.record(key, request_id="req-1", succeeded=True, billable=True)
    usage.record(key, request_id="req-2", succeeded=False, billable=False)
    usage.record(key, request_id="req-2", succeeded=False, billable=False)
    counted = usage.current(key.key_id)
    assert (counted.succeeded, counted.failed, counted.billable) == (1, 1, 1)


def test_an_sdk_retry_of_an_applied_count_counts_once(settings, dynamodb, clock):
    """The corner case docs/limits.md used to document: DynamoDB applies the count, the reply is lost, botocore
    retries the same call. Simulated by telling botocore to retry after the first (successful) attempt."""
    keys = KeyStore(dynamodb, settings.keys_table)
    usage = UsageStore(dynamodb, settings.usage_table, clock=clock)
    key, _ = keys.create_key("a", monthly_quota=5)
    attempts = []

    def lose_first_reply(attempts_so_far=None, response=None, **_):
        attempts.append(response)
        return 0 if len(attempts) == 1 else None  # 0: retry at once, as after a timeout

    dynamodb.meta.events.register("needs-retry.dynamodb.TransactWriteItems", lose_first_reply)
    try:
        usage.record(key, request_id="lost-reply", succeeded=True, billable=True)
    finally:
        dynamodb.meta.events.unregister("needs-retry.dynamodb.TransactWriteItems", lose_first_reply)
    assert len(attempts) == 2  # the write really was sent twice
    counted = usage.current(key.key_id)
    assert (counted.succeeded, counted.billable) == (1, 1)


def test_a_rotated_key_keeps_its_months_usage_and_quota(settings, dynamodb, clock):
    """Rotating no longer resets the month: quota 2 with 2 billable calls stays used up after the rotation."""
    keys = KeyStore(dynamodb, settings.keys_table, clock=clock)
    usage = UsageStore(dynamodb, settings.usage_table, clock=clock)
    old, _ = keys.create_key("a", monthly_quota=2)
    usage.record(old, request_id="r1", succeeded=True, billable=True)
    usage.record(old, request_id="r2", succeeded=False, billable=True)
    _, new, plaintext = keys.rotate(old.key_id)
    new = keys.authenticate(plaintext)
    with pytest.raises(QuotaExceeded):
        usage.check_quota(new)
    counted = usage.current(new.usage_key)
    assert (counted.succeeded, counted.failed, counted.billable) == (1, 1, 2)


def test_during_a_grace_period_old_and_new_keys_share_one_quota_and_rate(settings, dynamodb, clock):
    keys = KeyStore(dynamodb, settings.keys_table, clock=clock)
    usage = UsageStore(dynamodb, settings.usage_table, clock=clock)
    old, old_plaintext = keys.create_key("a", monthly_quota=3, rate_limit=2)
    _, _, new_plaintext = keys.rotate(old.key_id, grace_seconds=3600)
    old, new = keys.authenticate(old_plaintext), keys.authenticate(new_plaintext)
    usage.take_rate_token(old)
    usage.take_rate_token(new)
    with pytest.raises(RateLimited):
        usage.take_rate_token(old)  # the line's 2 per second are taken, one by each key
    usage.record(old, request_id="r1", succeeded=True, billable=True)
    usage.record(new, request_id="r2", succeeded=True, billable=True)
    usage.record(old, request_id="r3", succeeded=True, billable=True)
    with pytest.raises(QuotaExceeded):
        usage.record(new, request_id="r4", succeeded=True, billable=True)
    for key in (old, new):
        with pytest.raises(QuotaExceeded):
            usage.check_quota(key)
    assert usage.current(old.usage_key) == usage.current(new.usage_key)
    assert usage.current(new.usage_key).billable == 3


# ---- upload grants -------------------------------------------------------------------------------------------------


@pytest.fixture
def grants(settings, dynamodb, clock):
    keys = KeyStore(dynamodb, settings.keys_table, clock=clock)
    usage = UsageStore(dynamodb, settings.usage_table, clock=clock, upload_validity_seconds=600, max_open_uploads=3)
    return keys, usage


def test_open_upload_grants_are_bounded_and_used_ones_give_their_slot_back(grants, clock):
    keys, usage = grants
    key, _ = keys.create_key("a")
    for n in range(3):
        usage.open_upload(key, f"upload-{n}")
    with pytest.raises(TooManyOpenUploads) as refused:
        usage.open_upload(key, "upload-3")
    assert refused.value.status == 429 and int(refused.value.headers["Retry-After"]) > 0
    usage.consume_upload(key, "upload-0")
    usage.open_upload(key, "upload-3")  # the used grant's slot is free again
    with pytest.raises(TooManyOpenUploads):
        usage.open_upload(key, "upload-4")
    other, _ = keys.create_key("b")
    usage.open_upload(other, "upload-b")  # the bound is per key


def test_an_upload_id_works_once_and_only_for_its_key_and_while_valid(grants, clock):
    keys, usage = grants
    key, _ = keys.create_key("a")
    other, _ = keys.create_key("b")
    usage.open_upload(key, "first")
    with pytest.raises(InvalidUpload):
        usage.consume_upload(other, "first")  # another key's grant
    usage.consume_upload(key, "first")
    with pytest.raises(InvalidUpload):
        usage.consume_upload(key, "first")  # used
    with pytest.raises(InvalidUpload):
        usage.consume_upload(key, "never-granted")
    usage.open_upload(key, "late")
    clock.moment += dt.timedelta(seconds=600)
    with pytest.raises(InvalidUpload):
        usage.consume_upload(key, "late")  # expired: its validity is over


def test_unused_grants_count_until_they_expire_across_a_window_boundary(grants, clock):
    keys, usage = grants
    key, _ = keys.create_key("a")
    clock.moment = clock.moment.replace(minute=9, second=50)  # 10 s before a 600 s window ends
    for n in range(3):
        usage.open_upload(key, f"old-{n}")
    clock.moment += dt.timedelta(seconds=20)  # the next window: the previous one's grants are still valid
    with pytest.raises(TooManyOpenUploads):
        usage.open_upload(key, "new")
    clock.moment += dt.timedelta(seconds=600)  # two windows on: they have expired
    usage.open_upload(key, "new")
