"""Key lifecycle in the store: rotate (with and without a grace period), update, last-used for `keys list`."""

import datetime as dt

import pytest
from cnid_ocr.errors import InvalidKeyChange, KeyConflict, NotFound, RevokedApiKey, StorageUnavailable
from cnid_ocr.store.keys import EXPIRING, REVOKED, KeyStore, hash_key
from cnid_ocr.store.usage import UsageStore


@pytest.fixture
def keys(settings, dynamodb, clock):
    return KeyStore(dynamodb, settings.keys_table, clock=clock)


@pytest.fixture
def usage(settings, dynamodb, clock):
    return UsageStore(dynamodb, settings.usage_table, clock=clock)


def test_rotate_without_grace_revokes_the_old_key_at_once(keys, dynamodb, settings):
    old, old_plaintext = keys.create_key("front desk", monthly_quota=100, rate_limit=4)
    updated, new, plaintext = keys.rotate(old.key_id)
    assert plaintext != old_plaintext and new.key_id != old.key_id
    assert (new.name, new.monthly_quota, new.rate_limit, new.status) == ("front desk", 100, 4, "active")
    assert updated.status == REVOKED and updated.replaced_by == new.key_id
    with pytest.raises(RevokedApiKey):
        keys.authenticate(old_plaintext)
    assert keys.authenticate(plaintext).key_id == new.key_id
    # The new key, too, is stored only as a hash.
    stored = dynamodb.get_item(TableName=settings.keys_table, Key={"keyId": {"S": new.key_id}})["Item"]
    assert stored["keyHash"]["S"] == hash_key(plaintext) and plaintext not in repr(stored)


def test_rotate_with_grace_keeps_the_old_key_until_revoke_at(keys, clock):
    old, old_plaintext = keys.create_key("app", monthly_quota=5)
    updated, new, plaintext = keys.rotate(old.key_id, grace_seconds=300)
    assert updated.status == "active" and updated.revoke_at == "2026-11-26T12:05:00+00:00"
    assert updated.effective_status(clock()) == EXPIRING
    # Both keys work during the grace period.
    assert keys.authenticate(old_plaintext).key_id == old.key_id
    assert keys.authenticate(plaintext).key_id == new.key_id
    clock.moment += dt.timedelta(seconds=299)
    keys.authenticate(old_plaintext)
    clock.moment += dt.timedelta(seconds=1)  # exactly revokeAt: refused, with no write in between
    with pytest.raises(RevokedApiKey):
        keys.authenticate(old_plaintext)
    assert keys.authenticate(plaintext).key_id == new.key_id
    assert keys.get(old.key_id).effective_status(clock()) == REVOKED


def test_a_key_with_a_successor_cannot_be_rotated_again(keys, clock):
    """Rotating twice during a grace period left an orphan active successor: now the second rotation is refused,
    and the successor is the key to rotate."""
    old, old_plaintext = keys.create_key("app", monthly_quota=9)
    updated, first, first_plaintext = keys.rotate(old.key_id, grace_seconds=600)
    with pytest.raises(KeyConflict) as refused:
        keys.rotate(old.key_id, grace_seconds=60)
    assert first.key_id in refused.value.message and refused.value.status == 409
    assert sorted(r.key_id for r in keys.list_keys()) == sorted([old.key_id, first.key_id])  # no orphan
    assert keys.get(old.key_id) == updated  # the refused rotation changed nothing
    # Rotating the successor works, and the whole line keeps one usage id.
    _, second, _ = keys.rotate(first.key_id)
    assert {keys.get(k).usage_key for k in (old.key_id, first.key_id, second.key_id)} == {old.key_id}
    with pytest.raises(RevokedApiKey):
        keys.authenticate(first_plaintext)
    assert keys.authenticate(old_plaintext).key_id == old.key_id  # its own grace period still runs


def test_a_rotation_racing_another_rotation_leaves_no_orphan(keys):
    """Two operators rotate the same key at once: the transaction's condition lets exactly one through."""
    record, _ = keys.create_key("race")
    real_get = keys.get

    def get_then_rotate(key_id, *, consistent=False):
        found = real_get(key_id, consistent=consistent)
        keys.get = real_get
        keys.rotate(key_id, grace_seconds=60)  # the other operator, between our read and our transaction
        return found

    keys.get = get_then_rotate
    with pytest.raises(KeyConflict):
        keys.rotate(record.key_id, grace_seconds=60)
    assert len(keys.list_keys()) == 2  # the original and the other operator's successor, nothing more


def test_rotate_refuses_unknown_and_revoked_keys(keys, clock):
    with pytest.raises(NotFound):
        keys.rotate("sk_live_missing0")
    record, _ = keys.create_key("gone")
    keys.revoke(record.key_id)
    with pytest.raises(RevokedApiKey):
        keys.rotate(record.key_id)
    expiring, _ = keys.create_key("soon")
    keys.rotate(expiring.key_id, grace_seconds=10)
    clock.moment += dt.timedelta(seconds=10)
    with pytest.raises(RevokedApiKey):
        keys.rotate(expiring.key_id)
    names = sorted(r.name for r in keys.list_keys())
    assert names == ["gone", "soon", "soon"]  # no orphan key was created by the refused rotations


def test_rotation_is_conditional_on_the_old_key_still_being_active(keys, dynamodb, settings):
    """A revocation racing a rotation: the transaction's condition refuses, and no new key is left behind."""
    record, _ = keys.create_key("race")
    real_get = keys.get

    def get_then_revoke(key_id, *, consistent=False):
        found = real_get(key_id, consistent=consistent)
        keys.get = real_get
        keys.revoke(key_id)  # lands between the read and the transaction
        return found

    keys.get = get_then_revoke
    with pytest.raises(RevokedApiKey):
        keys.rotate(record.key_id)
    assert [r.key_id for r in keys.list_keys()] == [record.key_id]


def test_update_changes_limits_and_name(keys):
    record, plaintext = keys.create_key("a", monthly_quota=10, rate_limit=2)
    updated = keys.update(record.key_id, monthly_quota=50)
    assert (updated.name, updated.monthly_quota, updated.rate_limit) == ("a", 50, 2)
    updated = keys.update(record.key_id, rate_limit=None, name="renamed")
    assert (updated.name, updated.monthly_quota, updated.rate_limit) == ("renamed", 50, None)
    updated = keys.update(record.key_id, monthly_quota=None, rate_limit=7)
    assert (updated.monthly_quota, updated.rate_limit) == (None, 7)
    # What authentication sees (and so what the API enforces) is the updated record.
    seen = keys.authenticate(plaintext)
    assert (seen.name, seen.monthly_quota, seen.rate_limit) == ("renamed", None, 7)


def test_update_refuses_unknown_ids_and_empty_changes(keys):
    with pytest.raises(NotFound):
        keys.update("sk_live_missing0", monthly_quota=3)
    assert keys.list_keys() == []  # the conditional write created nothing
    record, _ = keys.create_key("a")
    with pytest.raises(InvalidKeyChange):
        keys.update(record.key_id)
    with pytest.raises(InvalidKeyChange):
        keys.update(record.key_id, monthly_quota=0)


def test_last_used_is_the_latest_counted_month(keys, usage, clock):
    record, _ = keys.create_key("a", rate_limit=5)
    assert usage.last_used(record.key_id) is None
    usage.record(record, request_id="r1", succeeded=True, billable=True)
    usage.take_rate_token(record)  # rate windows ('rate#...') must not be mistaken for a month
    assert usage.last_used(record.key_id) == "2026-11-26T12:00:00+00:00"
    clock.moment = dt.datetime(2027, 1, 3, 8, 0, 0, tzinfo=dt.UTC)
    usage.record(record, request_id="r2", succeeded=False, billable=False)
    assert usage.last_used(record.key_id) == "2027-01-03T08:00:00+00:00"


def test_lifecycle_writes_map_storage_failures_to_503(keys):
    from botocore.exceptions import EndpointConnectionError

    record, _ = keys.create_key("a")

    class Unreachable:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

            return fail

    keys._client = Unreachable()
    for call in (lambda: keys.rotate(record.key_id), lambda: keys.update(record.key_id, rate_limit=1)):
        with pytest.raises(StorageUnavailable):
            call()
