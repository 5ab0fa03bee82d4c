"""CORS, OpenAPI, request ids."""

OCR = "/api/v1/ocr"


def test_cors_preflight_allows_authorization_from_any_origin_locally(client):
    response = client.options(
        OCR,
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "https://shop.example")
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_cors_restricted_origins(settings, services):
    from cnid_ocr.app import create_app
    from fastapi.testclient import TestClient

    services.settings = settings.model_copy(update={"allowed_origins": ["https://app.example"]})
    with TestClient(create_app(services)) as restricted:
        headers = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
        ok = restricted.options(OCR, headers={**headers, "Origin": "https://app.example"})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == "https://app.example"
        refused = restricted.options(OCR, headers={**headers, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in refused.headers


def test_openapi_documents_the_contract(client):
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/ocr"]["post"]
    form = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"image", "documentType"} <= set(form["properties"])
    assert {"400", "401", "403", "413", "415", "422", "429", "500", "503"} <= set(operation["responses"])
    assert operation["security"] == [{"HTTPBearer": []}]
    response_schema = schema["components"]["schemas"]["OcrResponse"]["properties"]
    for field in ("name", "gender", "ethnicity", "dateOfBirth", "address", "idNumber"):
        assert response_schema[field]["examples"], field
    assert client.get("/docs").status_code == 200


def test_every_response_has_a_request_id(client):
    assert client.get("/api/v1/nope").headers["x-request-id"]


def test_every_response_is_no_store_and_nosniff(client, auth, blank_image, services):
    """Responses hold names, numbers and addresses: no cache keeps them, no browser guesses their type."""
    _, plaintext = services.keys.create_key("headers")
    key = {"Authorization": f"Bearer {plaintext}"}
    responses = {
        "ocr 422": client.post(
            OCR, headers=key, files={"image": ("a.png", blank_image())}, data={"documentType": "cn_id_card"}
        ),
        "usage 200": client.get("/api/v1/usage", headers=key),
        "401": client.get("/api/v1/usage"),
        "404": client.get("/nothing-here"),
        "405": client.get(OCR),
        "preflight": client.options(
            OCR, headers={"Origin": "https://a.example", "Access-Control-Request-Method": "POST"}
        ),
        "openapi": client.get("/openapi.json"),
        "docs": client.get("/docs"),
        "docs asset": client.get("/docs/assets/swagger-ui-bundle.js"),
    }
    for name, response in responses.items():
        assert response.headers.get("cache-control") == "no-store", name
        assert response.headers.get("x-content-type-options") == "nosniff", name
        assert response.headers.get_list("cache-control") == ["no-store"], name  # replaced, never doubled


def test_docs_are_served_from_the_package(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text and "/docs/assets/swagger-ui.css" in page.text
    assert "://" not in page.text  # nothing from another host
    assert '"validatorUrl": null' in page.text
    script = client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 500_000
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert client.get("/docs/assets/swagger-ui.css").headers["content-type"].startswith("text/css")
    assert client.get("/redoc").status_code == 404  # FastAPI's ReDoc page would load a CDN script


def test_docs_can_be_turned_off(settings, services):
    from cnid_ocr.app import create_app
    from fastapi.testclient import TestClient

    services.settings = settings.model_copy(update={"docs": False})
    with TestClient(create_app(services)) as no_docs:
        assert no_docs.get("/docs").status_code == 404
        assert no_docs.get("/docs/assets/swagger-ui-bundle.js").status_code == 404
        assert no_docs.get("/openapi.json").status_code == 200  # the contract stays for clients and generators
