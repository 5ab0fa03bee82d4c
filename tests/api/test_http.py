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
