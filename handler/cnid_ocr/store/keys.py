"""API keys: created with a secret shown once, stored only as a SHA-256 hash under a non-secret id prefix.

A key's usage is counted under its ``usage_id``: its own id for a new key, inherited by every key that a rotation
creates in its place, so a rotated key keeps its month's counts and quota, and during a grace period the old and the
new key share one quota and one rate limit (docs/limits.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ..config import API_KEY_FORMAT, API_KEY_PREFIX, looks_like_key
from ..errors import InvalidApiKey, InvalidKeyChange, KeyConflict, MissingApiKey, NotFound, RevokedApiKey
from .dynamo import cancellation_reasons, is_condition_failure, marshal, storage_errors, unmarshal

KEY_PREFIX = API_KEY_PREFIX
SECRET_LENGTH = 40  # base62: ~238 bits, of which the id reveals 8 characters
ID_LENGTH = len(KEY_PREFIX) + 8
_ALPHABET = string.ascii_letters + string.digits

ACTIVE, REVOKED = "active", "revoked"
# Shown by `keys list` for an active key whose scheduled revocation (after a rotation's grace period) is pending.
EXPIRING = "expiring"

# ``update()`` arguments left as UNCHANGED are not touched; None removes a limit (unlimited).
UNCHANGED: Any = object()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def timestamp(moment: dt.datetime) -> str:
    """One fixed ISO format (UTC, seconds), so stored timestamps also compare correctly as strings."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def generate_key() -> str:
    return KEY_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LENGTH))


def hash_key(plaintext: str) -> str:
    # Keys are long random secrets, so a fast hash is enough (no dictionary to defend against, unlike passwords).
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def key_id_of(plaintext: str) -> str:
    return plaintext[:ID_LENGTH]


def not_found(key_id: str) -> NotFound:
    return NotFound(f"No API key with id {key_id!r}.")


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    name: str
    created_at: str
    status: str
    monthly_quota: int | None = None  # successful (billable) calls per calendar month; None = unlimited
    rate_limit: int | None = None  # requests per second; None = unlimited
    revoke_at: str | None = None  # a rotated key with a grace period: refused from this moment on
    replaced_by: str | None = None  # the id of the key that a rotation created in its place
    usage_id: str = ""  # where usage is counted: the first key of its rotation line; "" = key_id (older records)

    @property
    def usage_key(self) -> str:
        return self.usage_id or self.key_id

    def effective_status(self, now: dt.datetime) -> str:
        if self.status != ACTIVE:
            return self.status
        if self.revoke_at is not None:
            return REVOKED if timestamp(now) >= self.revoke_at else EXPIRING
        return ACTIVE

    @classmethod
    def from_item(cls, item: dict) -> ApiKey:
        values = unmarshal(item)
        return cls(
            key_id=values["keyId"],
            name=values.get("name", ""),
            created_at=values.get("createdAt", ""),
            status=values.get("status", ACTIVE),
            monthly_quota=values.get("monthlyQuota"),
            rate_limit=values.get("rateLimit"),
            revoke_at=values.get("revokeAt"),
            replaced_by=values.get("replacedBy"),
            usage_id=values.get("usageId", ""),
        )

    def to_json(self) -> dict:
        return {
            "id": self.key_id,
            "name": self.name,
            "createdAt": self.created_at,
            "status": self.status,
            "monthlyQuota": self.monthly_quota,
            "rateLimit": self.rate_limit,
            "revokeAt": self.revoke_at,
            "replacedBy": self.replaced_by,
            "usageId": self.usage_key,
        }


@dataclass(frozen=True, slots=True)
class Registration:
    record: ApiKey
    created: bool  # False: the key was already stored, and was left exactly as it was


class KeyStore:
    def __init__(self, client, table_name: str, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock

    def create_key(
        self, name: str, *, monthly_quota: int | None = None, rate_limit: int | None = None
    ) -> tuple[ApiKey, str]:
        """Returns the record and the plaintext key; the plaintext is not stored and cannot be shown again."""
        _check_name(name)
        _check_limits(monthly_quota, rate_limit)
        plaintext = generate_key()
        record = self._new_record(plaintext, name, monthly_quota=monthly_quota, rate_limit=rate_limit)
        # A failed condition: 8 random base62 characters collided, vanishingly rare.
        with storage_errors(lambda: KeyConflict("Key id collision; create the key again.")):
            self._insert(record, plaintext)
        return record, plaintext

    def register_key(self, plaintext: str, name: str) -> Registration:
        """Store a key whose plaintext the caller chose (the development key), only if it is not stored yet.

        Insert-only: an existing record (revoked, rotated, with changed limits) is left exactly as it is, so
        restarting `serve` never revives or resets a key. Another key under the same id prefix is a KeyConflict.
        """
        if not looks_like_key(plaintext):
            raise InvalidKeyChange(f"An API key must be {API_KEY_FORMAT}.")
        record = self._new_record(plaintext, name, monthly_quota=None, rate_limit=None)
        with storage_errors():
            try:
                self._insert(record, plaintext)
                return Registration(record, created=True)
            except ClientError as exc:
                if not is_condition_failure(exc):
                    raise
            item = self._get_item(record.key_id, consistent=True)
        if item is None:  # deleted in between: vanishingly rare, and the caller can simply start again
            raise KeyConflict("The key was removed while it was being registered; try again.")
        if not hmac.compare_digest(unmarshal(item).get("keyHash", ""), hash_key(plaintext)):
            raise KeyConflict(f"Another key is stored under the id {record.key_id!r}; choose a different key.")
        return Registration(ApiKey.from_item(item), created=False)

    def _new_record(
        self, plaintext: str, name: str, *, monthly_quota: int | None, rate_limit: int | None, usage_id: str = ""
    ) -> ApiKey:
        key_id = key_id_of(plaintext)
        return ApiKey(
            key_id=key_id,
            name=name,
            created_at=timestamp(self._clock()),
            status=ACTIVE,
            monthly_quota=monthly_quota,
            rate_limit=rate_limit,
            usage_id=usage_id or key_id,
        )

    def _insert(self, record: ApiKey, plaintext: str) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=_item(record, plaintext),
            ConditionExpression="attribute_not_exists(keyId)",
        )

    def _get_item(self, key_id: str, *, consistent: bool) -> dict | None:
        return self._client.get_item(
            TableName=self._table, Key=marshal({"keyId": key_id}), ConsistentRead=consistent
        ).get("Item")

    def authenticate(self, plaintext: str | None) -> ApiKey:
        if not plaintext:
            raise MissingApiKey()
        if not looks_like_key(plaintext):
            raise InvalidApiKey()
        with storage_errors():
            # Consistent read: a revocation takes effect on the very next request.
            item = self._get_item(key_id_of(plaintext), consistent=True)
        if item is None or not hmac.compare_digest(unmarshal(item).get("keyHash", ""), hash_key(plaintext)):
            raise InvalidApiKey()
        record = ApiKey.from_item(item)
        # A scheduled revocation (rotation with a grace period) takes effect at revokeAt, with no write needed.
        if record.effective_status(self._clock()) == REVOKED:
            raise RevokedApiKey()
        return record

    def get(self, key_id: str, *, consistent: bool = False) -> ApiKey:
        with storage_errors():
            item = self._get_item(key_id, consistent=consistent)
        if item is None:
            raise not_found(key_id)
        return ApiKey.from_item(item)

    def list_keys(self) -> list[ApiKey]:
        records: list[ApiKey] = []
        with storage_errors():
            for page in self._client.get_paginator("scan").paginate(TableName=self._table):
                records.extend(ApiKey.from_item(item) for item in page.get("Items", []))
        return sorted(records, key=lambda r: r.created_at)

    def revoke(self, key_id: str) -> ApiKey:
        with storage_errors(lambda: not_found(key_id)):
            self._client.update_item(
                TableName=self._table,
                Key=marshal({"keyId": key_id}),
                UpdateExpression="SET #status = :revoked, revokedAt = :now",
                ConditionExpression="attribute_exists(keyId)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=marshal({":revoked": REVOKED, ":now": timestamp(self._clock())}),
            )
        return self.get(key_id, consistent=True)

    def rotate(self, key_id: str, *, grace_seconds: int = 0) -> tuple[ApiKey, ApiKey, str]:
        """Replace a key by a new one with the same name, quota, rate limit and usage (``usage_id``).

        The old key is revoked now (``grace_seconds=0``) or refused from ``now + grace_seconds`` on, so clients can
        switch over without downtime; meanwhile both count against one quota. Both writes happen in one transaction,
        conditional on the old key still being active and not yet rotated: a key has at most one successor, and no
        new key exists without its predecessor's revocation. Returns (old record as updated, new record, new
        plaintext shown once).
        """
        if grace_seconds < 0:
            raise InvalidKeyChange("The grace period must not be negative.")
        old = self.get(key_id, consistent=True)
        now = self._clock()
        if old.effective_status(now) == REVOKED:
            raise RevokedApiKey(f"The API key {key_id!r} is already revoked; create a new key instead.")
        if old.replaced_by is not None:
            raise _already_rotated(key_id, old.replaced_by)
        plaintext = generate_key()
        new = self._new_record(
            plaintext, old.name, monthly_quota=old.monthly_quota, rate_limit=old.rate_limit, usage_id=old.usage_key
        )
        values: dict[str, Any] = {":active": ACTIVE, ":now": timestamp(now), ":new": new.key_id}
        if grace_seconds:
            update = "SET revokeAt = :at, replacedBy = :new"
            values[":at"] = timestamp(now + dt.timedelta(seconds=grace_seconds))
        else:
            update = "SET #status = :revoked, revokedAt = :now, replacedBy = :new"
            values[":revoked"] = REVOKED
        transaction = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _item(new, plaintext),
                    "ConditionExpression": "attribute_not_exists(keyId)",
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": marshal({"keyId": key_id}),
                    "UpdateExpression": update,
                    "ConditionExpression": (
                        "attribute_exists(keyId) AND #status = :active AND attribute_not_exists(replacedBy) "
                        "AND (attribute_not_exists(revokeAt) OR revokeAt > :now)"
                    ),
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": marshal(values),
                }
            },
        ]
        with storage_errors():
            try:
                self._client.transact_write_items(TransactItems=transaction)
            except ClientError as exc:
                reasons = cancellation_reasons(exc) or []
                if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                    raise self._refused_rotation(key_id) from exc
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    raise KeyConflict("Key id collision; rotate the key again.") from exc
                raise
        return self.get(key_id, consistent=True), new, plaintext

    def _refused_rotation(self, key_id: str) -> Exception:
        """Why the old key's condition failed: rotated meanwhile, or revoked (or expired) meanwhile."""
        current = self.get(key_id, consistent=True)
        if current.replaced_by is not None and current.effective_status(self._clock()) != REVOKED:
            return _already_rotated(key_id, current.replaced_by)
        return RevokedApiKey(f"The API key {key_id!r} was revoked or rotated meanwhile.")

    def update(
        self,
        key_id: str,
        *,
        name: Any = UNCHANGED,
        monthly_quota: Any = UNCHANGED,
        rate_limit: Any = UNCHANGED,
    ) -> ApiKey:
        """Change a key's name or limits (``None`` removes a limit). Takes effect on the key's next request."""
        names = {"#name": "name", "#quota": "monthlyQuota", "#rate": "rateLimit"}
        sets: list[str] = []
        removes: list[str] = []
        values: dict[str, Any] = {}
        if name is not UNCHANGED:
            _check_name(name)
            sets.append("#name = :name")
            values[":name"] = str(name)
        _check_limits(
            None if monthly_quota is UNCHANGED else monthly_quota, None if rate_limit is UNCHANGED else rate_limit
        )
        for placeholder, value in (("#quota", monthly_quota), ("#rate", rate_limit)):
            if value is UNCHANGED:
                continue
            if value is None:
                removes.append(placeholder)
            else:
                token = ":" + placeholder[1:]
                sets.append(f"{placeholder} = {token}")
                values[token] = int(value)
        if not sets and not removes:
            raise InvalidKeyChange("Nothing to update: give a name, a monthly quota or a rate limit.")
        expression = " ".join(
            part
            for part in (
                "SET " + ", ".join(sets) if sets else "",
                "REMOVE " + ", ".join(removes) if removes else "",
            )
            if part
        )
        used = {k: v for k, v in names.items() if k in expression}
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "Key": marshal({"keyId": key_id}),
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(keyId)",
            "ExpressionAttributeNames": used,
            "ReturnValues": "ALL_NEW",
        }
        if values:
            kwargs["ExpressionAttributeValues"] = marshal(values)
        with storage_errors(lambda: not_found(key_id)):
            attributes = self._client.update_item(**kwargs)["Attributes"]
        return ApiKey.from_item(attributes)

    def now(self) -> dt.datetime:
        return self._clock()


def _already_rotated(key_id: str, successor: str) -> KeyConflict:
    return KeyConflict(
        f"The API key {key_id!r} was already rotated into {successor!r}: rotate {successor!r} instead "
        "(or revoke it); a key has at most one successor."
    )


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not name.strip():
        raise InvalidKeyChange("A key's name must not be empty.")


def _check_limits(*limits: Any) -> None:
    for value in limits:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise InvalidKeyChange("Limits must be positive integers (or none, for unlimited).")


def _item(record: ApiKey, plaintext: str) -> dict:
    return marshal(
        {
            "keyId": record.key_id,
            "keyHash": hash_key(plaintext),
            "name": record.name,
            "createdAt": record.created_at,
            "status": record.status,
            "monthlyQuota": record.monthly_quota,
            "rateLimit": record.rate_limit,
            "usageId": record.usage_key,
        }
    )
