"""API keys: created with a secret shown once, stored only as a SHA-256 hash under a non-secret id prefix."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ..errors import InvalidApiKey, MissingApiKey, NotFound, RevokedApiKey
from .dynamo import is_condition_failure, storage_errors

KEY_PREFIX = "sk_live_"
SECRET_LENGTH = 40  # base62: ~238 bits, of which the id reveals 8 characters
ID_LENGTH = len(KEY_PREFIX) + 8
_ALPHABET = string.ascii_letters + string.digits

ACTIVE, REVOKED = "active", "revoked"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
        )

    def to_json(self) -> dict:
        return {
            "id": self.key_id,
            "name": self.name,
            "createdAt": self.created_at,
            "status": self.status,
            "monthlyQuota": self.monthly_quota,
            "rateLimit": self.rate_limit,
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
        record = ApiKey(
            key_id=key_id_of(plaintext),
            name=name,
            created_at=self._clock().isoformat(timespec="seconds"),
            status=ACTIVE,
            monthly_quota=monthly_quota,
            rate_limit=rate_limit,
        )
        item = {
            "keyId": {"S": record.key_id},
            "keyHash": {"S": hash_key(plaintext)},
            "name": {"S": name},
            "createdAt": {"S": record.created_at},
            "status": {"S": ACTIVE},
        }
        if monthly_quota is not None:
            item["monthlyQuota"] = {"N": str(monthly_quota)}
        if rate_limit is not None:
            item["rateLimit"] = {"N": str(rate_limit)}
        try:
            with storage_errors():
                self._client.put_item(
                    TableName=self._table,
                    Item=item,
                    ConditionExpression="attribute_not_exists(keyId) OR keyHash = :hash",
                    ExpressionAttributeValues={":hash": {"S": item["keyHash"]["S"]}},
                )
        except ClientError as exc:
            if is_condition_failure(exc):  # 8 random base62 characters collided: vanishingly rare
                raise ValueError("key id collision; create the key again") from exc
            raise
        return record

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
        if record.status != ACTIVE:
            raise RevokedApiKey()
        return record

    def get(self, key_id: str) -> ApiKey:
        with storage_errors():
            item = self._client.get_item(TableName=self._table, Key={"keyId": {"S": key_id}}).get("Item")
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
        try:
            with storage_errors():
                self._client.update_item(
                    TableName=self._table,
                    Key={"keyId": {"S": key_id}},
                    UpdateExpression="SET #status = :revoked, revokedAt = :now",
                    ConditionExpression="attribute_exists(keyId)",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={
                        ":revoked": {"S": REVOKED},
                        ":now": {"S": self._clock().isoformat(timespec="seconds")},
                    },
                )
        except ClientError as exc:
            if is_condition_failure(exc):
                raise NotFound(f"No API key with id {key_id!r}.") from exc
            raise
        return self.get(key_id)
