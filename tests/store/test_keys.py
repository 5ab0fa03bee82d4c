import pytest
from cnid_ocr.errors import InvalidApiKey, MissingApiKey, NotFound, RevokedApiKey
from cnid_ocr.store.keys import KEY_PREFIX, KeyStore, hash_key


def test_created_key_is_returned_once_and_stored_only_as_hash(settings, dynamodb):
    keys = KeyStore(dynamodb, settings.keys_table)
    record, plaintext = keys.create_key("billing team", monthly_quota=100, rate_limit=5)
    assert plaintext.startswith(KEY_PREFIX) and len(plaintext) >= len(KEY_PREFIX) + 32
    assert plaintext.startswith(record.key_id) and len(record.key_id) < len(plaintext)
    items = dynamodb.scan(TableName=settings.keys_table)["Items"]
    assert len(items) == 1
    stored = repr(items[0])
    assert plaintext not in stored
    assert items[0]["keyHash"]["S"] == hash_key(plaintext)
    assert record.name == "billing team" and record.status == "active"
    assert (record.monthly_quota, record.rate_limit) == (100, 5)


def test_authenticate_accepts_the_key_and_rejects_others(settings, dynamodb):
    keys = KeyStore(dynamodb, settings.keys_table)
    record, plaintext = keys.create_key("a")
    assert keys.authenticate(plaintext).key_id == record.key_id
    with pytest.raises(MissingApiKey):
        keys.authenticate(None)
    with pytest.raises(InvalidApiKey):
        keys.authenticate("not-a-key")
    # Same id prefix, different secret: the hash comparison must refuse it.
    forged = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")
    with pytest.raises(InvalidApiKey):
        keys.authenticate(forged)
    with pytest.raises(InvalidApiKey):
        keys.authenticate(KEY_PREFIX + "x" * 40)


def test_revoked_key_is_refused_on_the_next_call(settings, dynamodb):
    keys = KeyStore(dynamodb, settings.keys_table)
    record, plaintext = keys.create_key("a")
    keys.authenticate(plaintext)
    assert keys.revoke(record.key_id).status == "revoked"
    with pytest.raises(RevokedApiKey):
        keys.authenticate(plaintext)
    with pytest.raises(NotFound):
        keys.revoke("sk_live_missing0")


def test_register_key_is_idempotent_and_validates_format(settings, dynamodb):
    keys = KeyStore(dynamodb, settings.keys_table)
    plaintext = KEY_PREFIX + "d" * 40
    keys.register_key(plaintext, "development")
    keys.register_key(plaintext, "development")
    assert [r.name for r in keys.list_keys()] == ["development"]
    with pytest.raises(ValueError):
        keys.register_key("sk_live_short", "x")
