"""Per-key usage in the usage table: monthly counters, per-second rate windows, request markers, upload grants.

Everything is keyed by the key's ``usage_key`` (its own id, or the id of the key it was rotated from), so keys of one
rotation line share their counts, quota, rate limit and upload grants. The table's sort key (``period``) tells the
item kinds apart:

| period             | item                                                              | expires (TTL)           |
|--------------------|-------------------------------------------------------------------|-------------------------|
| ``YYYY-MM``        | the month's ``succeeded``, ``failed``, ``billable`` and ``lastUsedAt`` | never               |
| ``rate#<second>``  | requests in that second, for the rate limit                       | 2 minutes               |
| ``req#<requestId>``| "this request was counted": makes counting idempotent             | 1 hour                  |
| ``uploads#<n>``    | upload grants of window n still unused, for the open-grant bound  | 2 windows               |
| ``upload#<id>``    | one upload grant: when it expires, whether it was used            | its validity            |

Each request is counted once, at its end, by one transaction: the request's marker (only if absent) and the counter
update. A retried write of the same request (the SDK's retry after a lost reply, or any replay) finds the marker and
changes nothing, so a count is never doubled and never half written. Billable outcomes add to ``billable`` under a
quota condition: concurrent requests can never push the counter past the quota (the losers of the race get 429 and
are counted as failed instead).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ..config import Settings
from ..errors import ApiError, InvalidUpload, QuotaExceeded, RateLimited, TooManyOpenUploads
from .dynamo import cancellation_reasons, marshal, storage_errors, unmarshal
from .keys import ApiKey, timestamp, utc_now

RATE_WINDOW_TTL_SECONDS = 120
# A request's marker must outlive any retry of its counting write; a request lasts at most the function's timeout.
REQUEST_MARKER_TTL_SECONDS = 3600
# Uploads: how long a grant is usable (also the length of the windows that bound the open grants), and how many
# unused grants a key may hold; the defaults are the settings' (one source of truth).
DEFAULT_UPLOAD_VALIDITY_SECONDS: int = Settings.model_fields["upload_validity_seconds"].default
DEFAULT_MAX_OPEN_UPLOADS: int = Settings.model_fields["max_open_uploads"].default

log = logging.getLogger(__name__)


def period_of(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m")


def seconds_to_next_month(moment: dt.datetime) -> int:
    first = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return max(1, int((following - moment).total_seconds()))


@dataclass(frozen=True, slots=True)
class Usage:
    period: str
    succeeded: int = 0
    failed: int = 0
    billable: int = 0
    last_used_at: str | None = None

    @classmethod
    def from_item(cls, period: str, item: dict | None) -> Usage:
        values = unmarshal(item)
        return cls(
            period=period,
            succeeded=values.get("succeeded", 0),
            failed=values.get("failed", 0),
            billable=values.get("billable", 0),
            last_used_at=values.get("lastUsedAt"),
        )


class UsageStore:
    def __init__(
        self,
        client,
        table_name: str,
        clock: Callable[[], dt.datetime] = utc_now,
        *,
        upload_validity_seconds: int = DEFAULT_UPLOAD_VALIDITY_SECONDS,
        max_open_uploads: int = DEFAULT_MAX_OPEN_UPLOADS,
    ) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock
        self.upload_validity_seconds = upload_validity_seconds
        self.max_open_uploads = max_open_uploads

    def _key(self, usage_key: str, period: str) -> dict:
        return marshal({"keyId": usage_key, "period": period})

    # ---- monthly counters -----------------------------------------------------------------------------------------

    def current(self, usage_key: str) -> Usage:
        """This month's counts of a key's rotation line (``ApiKey.usage_key``)."""
        period = period_of(self._clock())
        with storage_errors():
            item = self._client.get_item(
                TableName=self._table, Key=self._key(usage_key, period), ConsistentRead=True
            ).get("Item")
        return Usage.from_item(period, item)

    def last_used(self, usage_key: str) -> str | None:
        """When the rotation line was last counted (``lastUsedAt`` of its latest month), for `keys list`: one query
        per key, nothing extra on the request path."""
        with storage_errors():
            items = self._client.query(
                TableName=self._table,
                KeyConditionExpression="keyId = :k AND #p BETWEEN :first AND :last",
                ExpressionAttributeNames={"#p": "period"},
                # Monthly counters only ('YYYY-MM'); the 'rate#', 'req#' and 'upload' items sort after them.
                ExpressionAttributeValues=marshal({":k": usage_key, ":first": "0000-00", ":last": "9999-99"}),
                ScanIndexForward=False,
                Limit=1,
            ).get("Items", [])
        return unmarshal(items[0]).get("lastUsedAt") if items else None

    def check_quota(self, key: ApiKey) -> Usage:
        """A cheap read before the expensive work: refuse early when the quota is already used up."""
        usage = self.current(key.usage_key)
        if key.monthly_quota is not None and usage.billable >= key.monthly_quota:
            raise self._quota_error(key)
        return usage

    def record(self, key: ApiKey, *, request_id: str, succeeded: bool, billable: bool) -> None:
        """Count one finished request, once per ``request_id`` however often this is called.

        Raises ``QuotaExceeded`` (and counts a failure) when a billable outcome would exceed the quota: the caller
        must then not deliver the result.
        """
        now = self._clock()
        outcome = "succeeded" if succeeded else "failed"
        values: dict[str, Any] = {":one": 1, ":now": timestamp(now)}
        update = f"ADD {outcome} :one SET lastUsedAt = :now"
        counter: dict[str, Any] = {"TableName": self._table, "Key": self._key(key.usage_key, period_of(now))}
        if billable:
            update = f"ADD {outcome} :one, billable :one SET lastUsedAt = :now"
            if key.monthly_quota is not None:
                counter["ConditionExpression"] = "attribute_not_exists(billable) OR billable < :quota"
                values[":quota"] = key.monthly_quota
        counter.update(UpdateExpression=update, ExpressionAttributeValues=marshal(values))
        marker = {
            "TableName": self._table,
            "Key": self._key(key.usage_key, f"req#{request_id}"),
            "UpdateExpression": "SET expiresAt = :ttl, keyUsed = :key",
            "ConditionExpression": "attribute_not_exists(#p)",
            "ExpressionAttributeNames": {"#p": "period"},
            "ExpressionAttributeValues": marshal(
                {":ttl": int(now.timestamp()) + REQUEST_MARKER_TTL_SECONDS, ":key": key.key_id}
            ),
        }
        with storage_errors():
            try:
                self._client.transact_write_items(TransactItems=[{"Update": marker}, {"Update": counter}])
                return
            except ClientError as exc:
                reasons = cancellation_reasons(exc) or []
                if "ConditionalCheckFailed" not in reasons:
                    raise  # throttled, a conflicting transaction, unreachable: storage_errors makes it a 503
        if reasons[0] == "ConditionalCheckFailed":
            return  # this request was counted already (a retried or replayed write): nothing more to do
        # The quota condition: concurrent requests took the last units while this one was being read.
        self.record(key, request_id=request_id, succeeded=False, billable=False)
        raise self._quota_error(key)

    def _quota_error(self, key: ApiKey) -> QuotaExceeded:
        return QuotaExceeded(
            f"The monthly quota of {key.monthly_quota} calls for this API key is used up.",
            headers={
                "Retry-After": str(seconds_to_next_month(self._clock())),
                "X-RateLimit-Limit": str(key.monthly_quota),
                "X-RateLimit-Remaining": "0",
            },
        )

    # ---- rate windows ---------------------------------------------------------------------------------------------

    def take_rate_token(self, key: ApiKey) -> None:
        """One request in this second's window, refused beyond ``rate_limit`` (the window item expires by TTL)."""
        if key.rate_limit is None:
            return
        second = int(self._clock().timestamp())
        refused = RateLimited(
            f"More than {key.rate_limit} requests per second for this API key.",
            headers={"Retry-After": "1", "X-RateLimit-Limit": str(key.rate_limit), "X-RateLimit-Remaining": "0"},
        )
        with storage_errors(lambda: refused):
            self._client.update_item(
                TableName=self._table,
                Key=self._key(key.usage_key, f"rate#{second}"),
                UpdateExpression="ADD #n :one SET expiresAt = :ttl",
                ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
                ExpressionAttributeNames={"#n": "requests"},
                ExpressionAttributeValues=marshal(
                    {":one": 1, ":limit": key.rate_limit, ":ttl": second + RATE_WINDOW_TTL_SECONDS}
                ),
            )

    # ---- upload grants --------------------------------------------------------------------------------------------

    def open_upload(self, key: ApiKey, upload_id: str) -> None:
        """Record a new upload grant, refused with 429 when the key already holds ``max_open_uploads`` unused ones.

        Grants are counted in windows as long as a grant's validity: a grant made in window n can only still be
        usable in windows n and n+1, so the unused grants of the current and the previous window are all the key
        can hold. The previous window's count only ever shrinks (grants are used, none are added), which makes
        reading it first and then adding to the current one under a condition safe against concurrent grants.
        """
        now = int(self._clock().timestamp())
        validity = self.upload_validity_seconds
        window = now // validity
        with storage_errors():
            previous = self._client.get_item(
                TableName=self._table, Key=self._key(key.usage_key, f"uploads#{window - 1}"), ConsistentRead=True
            ).get("Item")
        room = self.max_open_uploads - max(0, unmarshal(previous).get("open", 0))
        refused = TooManyOpenUploads(
            f"This API key holds {self.max_open_uploads} unused uploads, the limit: use them (POST /api/v1/ocr with "
            "their uploadId) or let them expire.",
            headers={"Retry-After": str((window + 1) * validity - now)},
        )
        if room <= 0:
            raise refused
        transaction = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": self._key(key.usage_key, f"uploads#{window}"),
                    "UpdateExpression": "ADD #open :one SET expiresAt = :ttl",
                    "ConditionExpression": "attribute_not_exists(#open) OR #open < :room",
                    "ExpressionAttributeNames": {"#open": "open"},
                    "ExpressionAttributeValues": marshal({":one": 1, ":room": room, ":ttl": (window + 2) * validity}),
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": self._key(key.usage_key, f"upload#{upload_id}"),
                    "UpdateExpression": "SET expiresAt = :expires, #window = :window, grantedTo = :key",
                    "ConditionExpression": "attribute_not_exists(#p)",
                    "ExpressionAttributeNames": {"#p": "period", "#window": "window"},
                    "ExpressionAttributeValues": marshal(
                        {":expires": now + validity, ":window": window, ":key": key.key_id}
                    ),
                }
            },
        ]
        with storage_errors():
            try:
                self._client.transact_write_items(TransactItems=transaction)
                return
            except ClientError as exc:
                if (cancellation_reasons(exc) or [""])[0] != "ConditionalCheckFailed":
                    raise  # a 503, or (a colliding random id: never seen) a 500
        raise refused

    def consume_upload(self, key: ApiKey, upload_id: str) -> None:
        """Mark a grant used: an upload id is good for one recognition. Unknown, expired, already used or another
        key's ids are ``InvalidUpload``; the grant's slot is given back to the key."""
        now = int(self._clock().timestamp())
        with storage_errors(lambda: InvalidUpload()):
            attributes = self._client.update_item(
                TableName=self._table,
                Key=self._key(key.usage_key, f"upload#{upload_id}"),
                UpdateExpression="SET consumedAt = :now, consumedBy = :key",
                ConditionExpression="attribute_exists(#p) AND attribute_not_exists(consumedAt) AND expiresAt > :now",
                ExpressionAttributeNames={"#p": "period"},
                ExpressionAttributeValues=marshal({":now": now, ":key": key.key_id}),
                ReturnValues="ALL_NEW",
            )["Attributes"]
        window = unmarshal(attributes)["window"]
        try:
            with storage_errors(lambda: ApiError()):
                self._client.update_item(
                    TableName=self._table,
                    Key=self._key(key.usage_key, f"uploads#{window}"),
                    UpdateExpression="ADD #open :minus",
                    ConditionExpression="attribute_exists(#open)",
                    ExpressionAttributeNames={"#open": "open"},
                    ExpressionAttributeValues=marshal({":minus": -1}),
                )
        except ApiError as exc:
            # The grant is used either way; a slot not given back only lowers the key's bound until the window ages
            # out, so the request goes on. The log names the failure, never the content.
            log.warning("could not give back an upload slot: %s", exc.code)
