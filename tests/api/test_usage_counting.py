"""Every request with a valid key is counted once: successes and errors separately, failed OCR included."""

OCR = "/api/v1/ocr"


def key_id(services) -> str:
    return services.keys.list_keys()[0].key_id


def test_errors_after_auth_are_counted_once(client, services, auth, blank_image):
    form = {"documentType": "cn_id_card"}
    client.post(OCR, headers=auth, files={"image": ("a.png", b"")}, data=form)  # 400
    client.post(OCR, headers=auth, files={"image": ("a.gif", blank_image("GIF"))}, data=form)  # 415
    response = client.post(OCR, headers=auth, files={"image": ("a.png", blank_image())}, data=form)  # OCR: 422
    assert response.status_code == 422
    usage = services.usage.current(key_id(services))
    assert (usage.succeeded, usage.failed) == (0, 3)
    # Only the full recognition that found no card is billable (docs/errors.md).
    assert usage.billable == 1


def test_unauthenticated_requests_are_not_counted(client, services, auth, blank_image):
    client.post(OCR, files={"image": ("a.png", blank_image())}, data={"documentType": "cn_id_card"})
    assert services.usage.current(key_id(services)).failed == 0


def test_usage_endpoint(client, services, blank_image):
    _, plaintext = services.keys.create_key("q", monthly_quota=5)
    headers = {"Authorization": f"Bearer {plaintext}"}
    client.post(OCR, headers=headers, files={"image": ("a.png", blank_image())}, data={"documentType": "cn_id_card"})
    body = client.get("/api/v1/usage", headers=headers).json()
    assert body["failed"] == 1 and body["succeeded"] == 0
    assert body["monthlyQuota"] == 5 and body["remaining"] == 4 and body["billable"] == 1
    assert client.get("/api/v1/usage").status_code == 401
