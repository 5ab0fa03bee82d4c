"""The quota holds through the API under concurrency: 50 simultaneous requests, quota 10, exactly 10 successes."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import FORM, OCR, FastReader, image_bytes

QUOTA = 10
GATE_TIMEOUT = 30.0  # seconds: far more than 50 loopback requests need to reach the early check


class RaceGate:
    """Forces the race the test is about: the first recognition waits until more requests than the quota allows
    have passed the early quota check (the real check, only counted here). So however the machine schedules the
    threads, QUOTA + 1 or more requests reach the final conditional write with the quota still open."""

    def __init__(self, usage, needed: int) -> None:
        self.needed = needed
        self.passed = 0
        self.opened = threading.Event()
        self._lock = threading.Lock()
        self._check = usage.check_quota

    def check_quota(self, key):
        usage = self._check(key)  # raises QuotaExceeded when refused early: not counted as passed
        with self._lock:
            self.passed += 1
            if self.passed >= self.needed:
                self.opened.set()
        return usage


class GatedReader(FastReader):
    def __init__(self, gate: RaceGate) -> None:
        super().__init__()
        self.gate = gate

    def read(self, data: bytes, crops: frozenset[str] = frozenset()) -> dict:
        self.gate.opened.wait(GATE_TIMEOUT)
        return super().read(data)


@pytest.mark.slow
def test_fifty_concurrent_requests_on_a_quota_of_ten(live_server, live_services):
    record, plaintext = live_services.keys.create_key("burst", monthly_quota=QUOTA)
    gate = RaceGate(live_services.usage, needed=QUOTA + 1)
    live_services.usage.check_quota = gate.check_quota  # type: ignore[method-assign]
    live_services.reader = GatedReader(gate)
    headers = {"Authorization": f"Bearer {plaintext}"}
    image = image_bytes()

    def post(_: int) -> httpx.Response:
        with httpx.Client(base_url=live_server.url, timeout=120) as http:
            return http.post(OCR, headers=headers, files={"image": ("card.png", image)}, data=FORM)

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(post, range(50)))

    # The race really happened (not left to the scheduler): more requests than the quota got past the early check
    # before any of them was counted.
    assert gate.opened.is_set(), f"only {gate.passed} requests passed the early quota check"
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == QUOTA, statuses
    assert statuses.count(429) == 50 - QUOTA, statuses
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 429} == {"quota_exceeded"}
    usage = live_services.usage.current(record.key_id)
    assert usage.billable == QUOTA and usage.succeeded == QUOTA
    # The requests that passed the early check but lost the race at the final conditional write are counted once
    # each as failed; those refused up front are not counted at all.
    assert live_services.reader.calls == gate.passed > QUOTA
    assert usage.failed == gate.passed - QUOTA
    # X-RateLimit-Remaining is read after the request was counted (the counting transaction returns no values), so
    # under concurrency it includes the calls counted meanwhile: never more than what is left after this call.
    remaining = [int(r.headers["X-RateLimit-Remaining"]) for r in responses if r.status_code == 200]
    assert all(0 <= left < QUOTA for left in remaining) and min(remaining) == 0, remaining
