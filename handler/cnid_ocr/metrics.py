"""Request metrics for CloudWatch, carried by the request log line in Embedded Metric Format (EMF).

Every request's log line (api/middleware.py) holds its metric values: ``requests`` (1), ``errors`` (1 when the
response carries an error code), ``billableCalls`` (1 when the request was counted against the key's quota) and
``latencyMs``. On Lambda the line also carries EMF's ``_aws`` member, so CloudWatch Logs turns those values into
metrics in the ``cnid-ocr`` namespace without an API call or an agent: per function, and ``errors`` also per error
code. Locally the line has no ``_aws`` member: the values stay in the log.

Dimensions are the function's name and the error code, both from fixed sets: no key id, path or request data goes
into a metric (and the line itself holds nothing personal: logs.py).

Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

NAMESPACE = "cnid-ocr"
# Log-line key -> CloudWatch unit, for every metric of the request line.
UNITS = {"requests": "Count", "errors": "Count", "billableCalls": "Count", "latencyMs": "Milliseconds"}
FUNCTION_DIMENSION = "function"
ERROR_CODE_DIMENSION = "errorCode"


def request_values(*, error_code: str | None, billable: bool, latency_ms: float) -> dict[str, Any]:
    """The metric values of one request, as log-line keys."""
    return {
        "requests": 1,
        "errors": 1 if error_code else 0,
        "billableCalls": 1 if billable else 0,
        "latencyMs": round(latency_ms, 1),
    }


@dataclass(frozen=True, slots=True)
class EmbeddedMetrics:
    """Adds EMF's metadata to a request log entry, for one Lambda function (its name is the dimension)."""

    function_name: str
    namespace: str = NAMESPACE

    def annotate(self, entry: dict[str, Any], now_ms: int | None = None) -> dict[str, Any]:
        """``entry`` (holding request_values and ``errorCode``) with the ``_aws`` member and the dimension keys."""
        directives = [
            {
                "Namespace": self.namespace,
                "Dimensions": [[FUNCTION_DIMENSION]],
                "Metrics": [{"Name": name, "Unit": unit} for name, unit in UNITS.items()],
            }
        ]
        if entry.get(ERROR_CODE_DIMENSION):
            directives.append(
                {
                    "Namespace": self.namespace,
                    "Dimensions": [[FUNCTION_DIMENSION, ERROR_CODE_DIMENSION]],
                    "Metrics": [{"Name": "errors", "Unit": UNITS["errors"]}],
                }
            )
        timestamp = now_ms if now_ms is not None else int(time.time() * 1000)
        return {
            **entry,
            FUNCTION_DIMENSION: self.function_name,
            "_aws": {"Timestamp": timestamp, "CloudWatchMetrics": directives},
        }
