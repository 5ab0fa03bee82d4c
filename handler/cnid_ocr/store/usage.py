"""Usage counters per key per calendar month (UTC), and per-second rate windows.

Each request is counted by exactly one UpdateItem ``ADD`` at its end, so a count is never doubled and never half
written. Billable outcomes add to ``billable`` under a quota condition: concurrent requests can never push the
counter past the quota (the losers of the race get 429 and are counted as failed instead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ..errors import QuotaExceeded, RateLimited
from .dynamo import is_condition_failure, storage_errors
from .keys import ApiKey, timestamp, utc_now

RATE_WINDOW_TTL_SECONDS = 120


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
        item = item or {}

        def number(attr: str) -> int:
            return int(item[attr]["N"]) if attr in item else 0

        return cls(
            period=period,
            succeeded=number("succeeded"),
            failed=number("failed"),
            billable=number("billable"),
            last_used_at=item.get("lastUsedAt", {}).get("S"),
        )


class UsageStore:
    def __init__(self, client, table_name: str, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock

    def current(self, key_id: str) -> Usage:
        period = period_of(self._clock())
        with storage_errors():
            item = self._client.get_item(
                TableName=self._table,
                Key={"keyId": {"S": key_id}, "period": {"S": period}},
                ConsistentRead=True,
            ).get("Item")
        return Usage.from_item(period, item)

    def last_used(self, key_id: str) -> str | None:
        """When the key was last counted (``lastUsedAt`` of its latest month), for `keys list`: one query per key,
        nothing extra on the request path."""
        with storage_errors():
            items = self._client.query(
                TableName=self._table,
                KeyConditionExpression="keyId = :k AND #p BETWEEN :first AND :last",
                ExpressionAttributeNames={"#p": "period"},
                # Monthly counters only ('YYYY-MM'); the 'rate#...' windows sort after them.
                ExpressionAttributeValues={
                    ":k": {"S": key_id},
                    ":first": {"S": "0000-00"},
                    ":last": {"S": "9999-99"},
                },
                ScanIndexForward=False,
                Limit=1,
            ).get("Items", [])
        return items[0].get("lastUsedAt", {}).get("S") if items else None

    def check_quota(self, key: ApiKey) -> Usage:
        """A cheap read before the expensive work: refuse early when the quota is already used up."""
        usage = self.current(key.key_id)
        if key.monthly_quota is not None and usage.billable >= key.monthly_quota:
            raise self._quota_error(key)
        return usage

    def take_rate_token(self, key: ApiKey) -> None:
        """One request in this second's window, refused beyond ``rate_limit`` (the window item expires by TTL)."""
        if key.rate_limit is None:
            return
        now = self._clock()
        second = int(now.timestamp())
        refused = RateLimited(
            f"More than {key.rate_limit} requests per second for this API key.",
            headers={"Retry-After": "1", "X-RateLimit-Limit": str(key.rate_limit), "X-RateLimit-Remaining": "0"},
        )
        with storage_errors(lambda: refused):
            self._client.update_item(
                TableName=self._table,
                Key={"keyId": {"S": key.key_id}, "period": {"S": f"rate#{second}"}},
                UpdateExpression="ADD #n :one SET expiresAt = :ttl",
                ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
                ExpressionAttributeNames={"#n": "requests"},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(key.rate_limit)},
                    ":ttl": {"N": str(second + RATE_WINDOW_TTL_SECONDS)},
                },
            )

    def record(self, key: ApiKey, *, succeeded: bool, billable: bool) -> Usage:
        """Count one finished request. Raises ``QuotaExceeded`` (and counts a failure) when a billable outcome
        would exceed the quota: the caller must then not deliver the result."""
        now = self._clock()
        period = period_of(now)
        values = {":one": {"N": "1"}, ":now": {"S": timestamp(now)}}
        outcome = "succeeded" if succeeded else "failed"
        update = f"ADD {outcome} :one SET lastUsedAt = :now"
        condition = None
        if billable:
            update = f"ADD {outcome} :one, billable :one SET lastUsedAt = :now"
            if key.monthly_quota is not None:
                condition = "attribute_not_exists(billable) OR billable < :quota"
                values[":quota"] = {"N": str(key.monthly_quota)}
        kwargs = {
            "TableName": self._table,
            "Key": {"keyId": {"S": key.key_id}, "period": {"S": period}},
            "UpdateExpression": update,
            "ExpressionAttributeValues": values,
            "ReturnValues": "ALL_NEW",
        }
        if condition:
            kwargs["ConditionExpression"] = condition
        try:
            with storage_errors():
                attributes = self._client.update_item(**kwargs)["Attributes"]
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
            self.record(key, succeeded=False, billable=False)
            raise self._quota_error(key) from exc
        return Usage.from_item(period, attributes)

    def _quota_error(self, key: ApiKey) -> QuotaExceeded:
        return QuotaExceeded(
            f"The monthly quota of {key.monthly_quota} calls for this API key is used up.",
            headers={
                "Retry-After": str(seconds_to_next_month(self._clock())),
                "X-RateLimit-Limit": str(key.monthly_quota),
                "X-RateLimit-Remaining": "0",
            },
        )
