"""The quota holds through the API under concurrency: 50 simultaneous requests, quota 10, exactly 10 successes."""

from concurrent.futures import ThreadPoolExecutor

import httpx

from .conftest import FORM, OCR, image_bytes


def test_fifty_concurrent_requests_on_a_quota_of_ten(live_server, live_services):
    record, plaintext = live_services.keys.create_key("burst", monthly_quota=10)
    headers = {"Authorization": f"Bearer {plaintext}"}
    image = image_bytes()

    def post(_: int) -> httpx.Response:
        with httpx.Client(base_url=live_server.url, timeout=60) as http:
            return http.post(OCR, headers=headers, files={"image": ("card.png", image)}, data=FORM)

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(post, range(50)))

    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 10, statuses
    assert statuses.count(429) == 40, statuses
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 429} == {"quota_exceeded"}
    usage = live_services.usage.current(record.key_id)
    assert usage.billable == 10 and usage.succeeded == 10
    # The requests that passed the early quota check but lost the race at the final conditional write are counted
    # once each as failed; those refused up front are not counted at all.
    assert usage.failed == live_services.reader.calls - 10
    # The race really happened: more requests got past the early check than the quota allows.
    assert live_services.reader.calls > 10, live_services.reader.calls
    remaining = sorted(int(r.headers["X-RateLimit-Remaining"]) for r in responses if r.status_code == 200)
    assert remaining == list(range(10))
