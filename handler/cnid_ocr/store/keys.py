"""API keys: created with a secret shown once, stored only as a SHA-256 hash under a non-secret id prefix."""

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

from ..errors import InvalidApiKey, MissingApiKey, NotFound, RevokedApiKey
from .dynamo import storage_errors

KEY_PREFIX = "sk_live_"
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


def looks_like_key(plaintext: str) -> bool:
    return (
        plaintext.startswith(KEY_PREFIX)
        and len(plaintext) >= len(KEY_PREFIX) + 32
        and all(c in _ALPHABET for c in plaintext[len(KEY_PREFIX) :])
    )


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

    def effective_status(self, now: dt.datetime) -> str:
        if self.status != ACTIVE:
            return self.status
        if self.revoke_at is not None:
            return REVOKED if timestamp(now) >= self.revoke_at else EXPIRING
        return ACTIVE

    @classmethod
    def from_item(cls, item: dict) -> ApiKey:
        def number(attr: str) -> int | None:
            return int(item[attr]["N"]) if attr in item else None

        return cls(
            key_id=item["keyId"]["S"],
            name=item.get("name", {}).get("S", ""),
            created_at=item.get("createdAt", {}).get("S", ""),
            status=item.get("status", {}).get("S", ACTIVE),
            monthly_quota=number("monthlyQuota"),
            rate_limit=number("rateLimit"),
            revoke_at=item.get("revokeAt", {}).get("S"),
            replaced_by=item.get("replacedBy", {}).get("S"),
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
        }


class KeyStore:
    def __init__(self, client, table_name: str, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock

    def create_key(
        self, name: str, *, monthly_quota: int | None = None, rate_limit: int | None = None
    ) -> tuple[ApiKey, str]:
        """Returns the record and the plaintext key; the plaintext is not stored and cannot be shown again."""
        plaintext = generate_key()
        return self.register_key(plaintext, name, monthly_quota=monthly_quota, rate_limit=rate_limit), plaintext

    def register_key(
        self, plaintext: str, name: str, *, monthly_quota: int | None = None, rate_limit: int | None = None
    ) -> ApiKey:
        """Store a key whose plaintext the caller chose (the local development key). Idempotent for one key."""
        if not looks_like_key(plaintext):
            raise ValueError(f"an API key must be '{KEY_PREFIX}' followed by at least 32 letters or digits")
        record = self._new_record(plaintext, name, monthly_quota=monthly_quota, rate_limit=rate_limit)
        item = _item(record, plaintext)
        # A failed condition: 8 random base62 characters collided, vanishingly rare.
        with storage_errors(lambda: ValueError("key id collision; create the key again")):
            self._client.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression="attribute_not_exists(keyId) OR keyHash = :hash",
                ExpressionAttributeValues={":hash": {"S": item["keyHash"]["S"]}},
            )
        return record

    def _new_record(self, plaintext: str, name: str, *, monthly_quota: int | None, rate_limit: int | None) -> ApiKey:
        return ApiKey(
            key_id=key_id_of(plaintext),
            name=name,
            created_at=timestamp(self._clock()),
            status=ACTIVE,
            monthly_quota=monthly_quota,
            rate_limit=rate_limit,
        )

    def authenticate(self, plaintext: str | None) -> ApiKey:
        if not plaintext:
            raise MissingApiKey()
        if not looks_like_key(plaintext):
            raise InvalidApiKey()
        with storage_errors():
            # Consistent read: a revocation takes effect on the very next request.
            item = self._client.get_item(
                TableName=self._table, Key={"keyId": {"S": key_id_of(plaintext)}}, ConsistentRead=True
            ).get("Item")
        if item is None or not hmac.compare_digest(item["keyHash"]["S"], hash_key(plaintext)):
            raise InvalidApiKey()
        record = ApiKey.from_item(item)
        # A scheduled revocation (rotation with a grace period) takes effect at revokeAt, with no write needed.
        if record.effective_status(self._clock()) == REVOKED:
            raise RevokedApiKey()
        return record

    def get(self, key_id: str, *, consistent: bool = False) -> ApiKey:
        with storage_errors():
            item = self._client.get_item(
                TableName=self._table, Key={"keyId": {"S": key_id}}, ConsistentRead=consistent
            ).get("Item")
        if item is None:
            raise NotFound(f"No API key with id {key_id!r}.")
        return ApiKey.from_item(item)

    def list_keys(self) -> list[ApiKey]:
        records: list[ApiKey] = []
        with storage_errors():
            for page in self._client.get_paginator("scan").paginate(TableName=self._table):
                records.extend(ApiKey.from_item(item) for item in page.get("Items", []))
        return sorted(records, key=lambda r: r.created_at)

    def revoke(self, key_id: str) -> ApiKey:
        with storage_errors(lambda: NotFound(f"No API key with id {key_id!r}.")):
            self._client.update_item(
                TableName=self._table,
                Key={"keyId": {"S": key_id}},
                UpdateExpression="SET #status = :revoked, revokedAt = :now",
                ConditionExpression="attribute_exists(keyId)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":revoked": {"S": REVOKED},
                    ":now": {"S": timestamp(self._clock())},
                },
            )
        return self.get(key_id, consistent=True)

    def rotate(self, key_id: str, *, grace_seconds: int = 0) -> tuple[ApiKey, ApiKey, str]:
        """Replace a key by a new one with the same name, quota and rate limit.

        The old key is revoked now (``grace_seconds=0``) or refused from ``now + grace_seconds`` on, so clients can
        switch over without downtime. Both writes happen in one transaction, conditional on the old key still being
        active: a key is never rotated twice concurrently, and no new key exists without its predecessor's
        revocation. Returns (old record as updated, new record, new plaintext shown once).
        """
        if grace_seconds < 0:
            raise ValueError("grace_seconds must not be negative")
        old = self.get(key_id, consistent=True)
        now = self._clock()
        if old.effective_status(now) == REVOKED:
            raise RevokedApiKey(f"The API key {key_id!r} is already revoked; create a new key instead.")
        plaintext = generate_key()
        new = self._new_record(plaintext, old.name, monthly_quota=old.monthly_quota, rate_limit=old.rate_limit)
        values = {
            ":active": {"S": ACTIVE},
            ":now": {"S": timestamp(now)},
            ":new": {"S": new.key_id},
        }
        if grace_seconds:
            revoke_at = timestamp(now + dt.timedelta(seconds=grace_seconds))
            if old.revoke_at is not None:  # a grace period is never extended by rotating again
                revoke_at = min(revoke_at, old.revoke_at)
            update = "SET revokeAt = :at, replacedBy = :new"
            values[":at"] = {"S": revoke_at}
        else:
            update = "SET #status = :revoked, revokedAt = :now, replacedBy = :new"
            values[":revoked"] = {"S": REVOKED}
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
                    "Key": {"keyId": {"S": key_id}},
                    "UpdateExpression": update,
                    "ConditionExpression": (
                        "attribute_exists(keyId) AND #status = :active "
                        "AND (attribute_not_exists(revokeAt) OR revokeAt > :now)"
                    ),
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": values,
                }
            },
        ]
        with storage_errors():
            try:
                self._client.transact_write_items(TransactItems=transaction)
            except ClientError as exc:
                reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
                if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                    raise RevokedApiKey(f"The API key {key_id!r} was revoked or rotated meanwhile.") from exc
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    raise ValueError("key id collision; rotate the key again") from exc
                raise
        return self.get(key_id, consistent=True), new, plaintext

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
        values: dict[str, dict] = {}
        if name is not UNCHANGED:
            if not name:
                raise ValueError("a key's name must not be empty")
            sets.append("#name = :name")
            values[":name"] = {"S": str(name)}
        for placeholder, value in (("#quota", monthly_quota), ("#rate", rate_limit)):
            if value is UNCHANGED:
                continue
            if value is None:
                removes.append(placeholder)
            else:
                if int(value) < 1:
                    raise ValueError("limits must be positive integers (or None for unlimited)")
                token = ":" + placeholder[1:]
                sets.append(f"{placeholder} = {token}")
                values[token] = {"N": str(int(value))}
        if not sets and not removes:
            raise ValueError("nothing to update")
        expression = " ".join(
            part
            for part in (
                "SET " + ", ".join(sets) if sets else "",
                "REMOVE " + ", ".join(removes) if removes else "",
            )
            if part
        )
        used = {k: v for k, v in names.items() if k in expression}
        kwargs = {
            "TableName": self._table,
            "Key": {"keyId": {"S": key_id}},
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(keyId)",
            "ExpressionAttributeNames": used,
            "ReturnValues": "ALL_NEW",
        }
        if values:
            kwargs["ExpressionAttributeValues"] = values
        with storage_errors(lambda: NotFound(f"No API key with id {key_id!r}.")):
            attributes = self._client.update_item(**kwargs)["Attributes"]
        return ApiKey.from_item(attributes)

    def now(self) -> dt.datetime:
        return self._clock()


def _item(record: ApiKey, plaintext: str) -> dict:
    item = {
        "keyId": {"S": record.key_id},
        "keyHash": {"S": hash_key(plaintext)},
        "name": {"S": record.name},
        "createdAt": {"S": record.created_at},
        "status": {"S": record.status},
    }
    if record.monthly_quota is not None:
        item["monthlyQuota"] = {"N": str(record.monthly_quota)}
    if record.rate_limit is not None:
        item["rateLimit"] = {"N": str(record.rate_limit)}
    return item
