import pytest
from cnid_ocr.errors import InvalidApiKey, InvalidKeyChange, KeyConflict, MissingApiKey, NotFound, RevokedApiKey
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


def test_register_key_is_insert_only(settings, dynamodb):
    """Restarting `serve` with CNID_OCR_DEV_API_KEY must not revive a revoked key or reset its limits."""
    keys = KeyStore(dynamodb, settings.keys_table)
    plaintext = KEY_PREFIX + "d" * 40
    first = keys.register_key(plaintext, "development")
    assert first.created and first.record.status == "active"
    keys.update(first.record.key_id, monthly_quota=1, rate_limit=1)
    keys.revoke(first.record.key_id)
    stored_before = dynamodb.get_item(TableName=settings.keys_table, Key={"keyId": {"S": first.record.key_id}})

    again = keys.register_key(plaintext, "development")
    assert not again.created
    assert (again.record.status, again.record.monthly_quota, again.record.rate_limit) == ("revoked", 1, 1)
    stored_after = dynamodb.get_item(TableName=settings.keys_table, Key={"keyId": {"S": first.record.key_id}})
    assert stored_after["Item"] == stored_before["Item"]  # not a single attribute rewritten (createdAt included)
    with pytest.raises(RevokedApiKey):
        keys.authenticate(plaintext)
    assert [r.name for r in keys.list_keys()] == ["development"]


def test_register_key_refuses_another_key_under_the_same_id(settings, dynamodb):
    keys = KeyStore(dynamodb, settings.keys_table)
    keys.register_key(KEY_PREFIX + "d" * 40, "development")
    with pytest.raises(KeyConflict):
        keys.register_key(KEY_PREFIX + "d" * 8 + "e" * 32, "development")  # same 8-character id, other secret


def test_malformed_keys_and_bad_changes_are_the_projects_errors(settings, dynamodb):
    """Not ValueError: the CLI turns these into one-line errors with a code."""
    keys = KeyStore(dynamodb, settings.keys_table)
    with pytest.raises(InvalidKeyChange) as info:
        keys.register_key("sk_live_short", "x")
    assert info.value.status == 400 and "32 letters or digits" in info.value.message
    for bad in ({"name": ""}, {"name": "   "}, {"monthly_quota": 0}, {"rate_limit": -1}):
        with pytest.raises(InvalidKeyChange):
            keys.create_key(**{"name": "ok", **bad})
    record, _ = keys.create_key("ok")
    for bad in ({"name": ""}, {"monthly_quota": 0}, {}):
        with pytest.raises(InvalidKeyChange):
            keys.update(record.key_id, **bad)


def test_items_are_plain_dynamodb_types(settings, dynamodb):
    """What TypeSerializer writes: strings as S, limits as N; no NULL attributes for absent limits."""
    keys = KeyStore(dynamodb, settings.keys_table)
    record, _ = keys.create_key("typed", monthly_quota=7)
    item = dynamodb.get_item(TableName=settings.keys_table, Key={"keyId": {"S": record.key_id}})["Item"]
    assert item["monthlyQuota"] == {"N": "7"} and item["name"] == {"S": "typed"}
    assert "rateLimit" not in item and item["usageId"] == {"S": record.key_id}
    assert keys.get(record.key_id) == record
