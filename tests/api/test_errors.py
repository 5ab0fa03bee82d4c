"""Every documented error code, with its status, through the real app."""

import pytest

OCR = "/api/v1/ocr"


def post(client, headers, files=None, data=None, **kwargs):
    return client.post(OCR, headers=headers, files=files, data=data, **kwargs)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body


def test_missing_key(client, blank_image):
    response = post(client, {}, files={"image": ("a.png", blank_image())}, data={"documentType": "cn_id_card"})
    assert_error(response, 401, "missing_api_key")


def test_unknown_key(client, blank_image):
    headers = {"Authorization": "Bearer sk_live_" + "z" * 40}
    response = post(client, headers, files={"image": ("a.png", blank_image())}, data={"documentType": "cn_id_card"})
    assert_error(response, 401, "invalid_api_key")


def test_revoked_key(client, services, blank_image):
    record, plaintext = services.keys.create_key("gone")
    services.keys.revoke(record.key_id)
    headers = {"Authorization": f"Bearer {plaintext}"}
    response = post(client, headers, files={"image": ("a.png", blank_image())}, data={"documentType": "cn_id_card"})
    assert_error(response, 403, "revoked_api_key")


def test_missing_image(client, auth):
    response = post(client, auth, files={"other": ("a.txt", b"x")}, data={"documentType": "cn_id_card"})
    assert_error(response, 400, "missing_image")


def test_empty_image(client, auth):
    response = post(client, auth, files={"image": ("a.png", b"")}, data={"documentType": "cn_id_card"})
    assert_error(response, 400, "missing_image")


def test_image_and_upload_id_together_is_a_bad_request(client, services, auth, blank_image):
    """Exactly one of image and uploadId (the OpenAPI schema's oneOf); before any upload is looked at or taken."""
    form = {"documentType": "cn_id_card", "uploadId": "A" * 32}
    response = post(client, auth, files={"image": ("a.png", blank_image())}, data=form)
    body = assert_error(response, 400, "bad_request")
    assert "uploadId" in body["error"]["message"]
    # An empty image part (a browser's empty file input) counts as absent: the upload id is what was sent.
    response = post(client, auth, files={"image": ("a.png", b"")}, data=form)
    assert_error(response, 501, "uploads_disabled")


@pytest.mark.parametrize("data", [{}, {"documentType": "passport"}, {"documentType": ""}])
def test_missing_or_wrong_document_type(client, auth, blank_image, data):
    response = post(client, auth, files={"image": ("a.png", blank_image())}, data=data)
    assert_error(response, 400, "invalid_document_type")


def test_non_utf8_document_type(client, auth, blank_image):
    files = {"image": ("a.png", blank_image()), "documentType": (None, b"\xff\xfe")}
    assert_error(post(client, auth, files=files), 400, "invalid_document_type")


def test_not_multipart(client, auth):
    response = client.post(OCR, headers={**auth, "Content-Type": "application/json"}, content=b"{}")
    assert_error(response, 400, "invalid_multipart")


def test_missing_boundary(client, auth):
    response = client.post(OCR, headers={**auth, "Content-Type": "multipart/form-data"}, content=b"--x\r\n")
    assert_error(response, 400, "invalid_multipart")


def test_truncated_multipart(client, auth):
    body = b'--b\r\nContent-Disposition: form-data; name="documentType"\r\n\r\ncn_id_card\r\n--b\r\nContent-Dispo'
    response = client.post(OCR, headers={**auth, "Content-Type": "multipart/form-data; boundary=b"}, content=body)
    assert_error(response, 400, "invalid_multipart")


def test_undecodable_image(client, auth, blank_image):
    truncated = blank_image("JPEG")[:200]
    response = post(client, auth, files={"image": ("a.jpg", truncated)}, data={"documentType": "cn_id_card"})
    assert_error(response, 400, "invalid_image")


def test_unsupported_type_decided_by_bytes(client, auth, blank_image):
    # A GIF named .png with an image/png content type is still a GIF.
    gif = blank_image("GIF")
    files = {"image": ("card.png", gif, "image/png")}
    assert_error(post(client, auth, files=files, data={"documentType": "cn_id_card"}), 415, "unsupported_media_type")
    text = {"image": ("card.jpg", b"hello, not an image", "image/jpeg")}
    assert_error(post(client, auth, files=text, data={"documentType": "cn_id_card"}), 415, "unsupported_media_type")


def test_png_named_txt_is_read_as_png(client, auth, blank_image):
    files = {"image": ("notes.txt", blank_image("PNG"), "text/plain")}
    # Decodable, nothing to read: the 422 proves it went past type checks.
    assert_error(post(client, auth, files=files, data={"documentType": "cn_id_card"}), 422, "no_id_card_found")


def test_file_over_the_limit(client, services, auth):
    services.settings.max_image_bytes = 100_000
    big = b"\xff\xd8\xff" + b"\0" * 200_000
    response = post(client, auth, files={"image": ("a.jpg", big)}, data={"documentType": "cn_id_card"})
    body = assert_error(response, 413, "file_too_large")
    assert "/api/v1/uploads" in body["error"]["message"]


def test_decompression_bomb(client, auth, blank_image):
    bomb = blank_image("PNG", size=(30000, 30000), mode="1", color=0)
    assert len(bomb) < 200_000
    response = post(client, auth, files={"image": ("a.png", bomb)}, data={"documentType": "cn_id_card"})
    assert_error(response, 413, "image_too_large")


def test_no_card_in_a_readable_image(client, auth, blank_image):
    response = post(client, auth, files={"image": ("a.jpg", blank_image("JPEG"))}, data={"documentType": "cn_id_card"})
    assert_error(response, 422, "no_id_card_found")


def test_quota_exceeded(client, services, blank_image):
    record, plaintext = services.keys.create_key("small", monthly_quota=1)
    services.usage.record(record, request_id="earlier", succeeded=True, billable=True)
    headers = {"Authorization": f"Bearer {plaintext}"}
    response = post(client, headers, files={"image": ("a.png", blank_image())}, data={"documentType": "cn_id_card"})
    assert_error(response, 429, "quota_exceeded")
    assert response.headers["X-RateLimit-Limit"] == "1"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert int(response.headers["Retry-After"]) > 0


def test_rate_limited(client, services):
    _, plaintext = services.keys.create_key("slow", rate_limit=1)
    headers = {"Authorization": f"Bearer {plaintext}"}
    # Three quick calls span at most two one-second windows, so one window sees two of them.
    responses = [
        post(client, headers, files={"image": ("a.png", b"\0")}, data={"documentType": "cn_id_card"}) for _ in range(3)
    ]
    limited = [r for r in responses if r.status_code == 429]
    assert limited, [r.status_code for r in responses]
    assert_error(limited[0], 429, "rate_limited")
    assert limited[0].headers["Retry-After"] == "1"
    assert limited[0].headers["X-RateLimit-Limit"] == "1"


def test_unexpected_error_is_a_generic_500(client, services, auth, blank_image):
    class Broken:
        def read(self, data: bytes, crops: frozenset[str] = frozenset()) -> dict:
            raise RuntimeError("secret detail 110101199001011234")

    services.reader = Broken()
    response = post(client, auth, files={"image": ("a.png", blank_image())}, data={"documentType": "cn_id_card"})
    body = assert_error(response, 500, "internal_error")
    assert "secret" not in response.text and "Traceback" not in response.text
    assert body["error"]["message"] == "An unexpected error occurred."
    # The failure still counts once as an error.
    key_id = services.keys.list_keys()[0].key_id
    assert services.usage.current(key_id).failed == 1


def test_storage_unavailable_is_503(client, services, auth, blank_image):
    from botocore.exceptions import EndpointConnectionError

    class Unreachable:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

            return fail

    services.keys._client = Unreachable()
    response = post(client, auth, files={"image": ("a.png", blank_image())}, data={"documentType": "cn_id_card"})
    assert_error(response, 503, "storage_unavailable")


def test_unknown_route_and_method(client, auth):
    assert_error(client.get("/api/v1/nope", headers=auth), 404, "not_found")
    assert_error(client.get(OCR, headers=auth), 405, "method_not_allowed")
