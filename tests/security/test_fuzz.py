"""Property-based fuzzing of the upload path, and schemathesis against the OpenAPI schema: never a 5xx.

Bounded for CI: a fixed number of examples per test, no per-example deadline, the real OCR reader (seed images are
tiny, so recognising nothing in them is fast).
"""

from __future__ import annotations

import io

import boto3
import jsonschema
import numpy as np
import pytest
import schemathesis
from cnid_ocr.app import create_app
from cnid_ocr.config import Settings
from cnid_ocr.services import Services
from cnid_ocr.store.uploads import UploadStore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from schemathesis.checks import positive_data_acceptance

from .conftest import FORM, OCR

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples on every CI run; failures reproduce
    database=None,
)


def assert_well_formed(response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    body = response.json()
    if response.status_code != 200:
        assert set(body) == {"error"}, body
        assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str), body


def _encode(image: Image.Image, fmt: str, **save) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def _seeds() -> list[bytes]:
    rng = np.random.default_rng(7)
    rgb = Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8))
    rgba = Image.fromarray(rng.integers(0, 255, (24, 32, 4), dtype=np.uint8), "RGBA")
    frames = [Image.new("RGB", (16, 16), c) for c in ("red", "blue")]
    exif = Image.Exif()
    exif[0x0112] = 6
    return [
        _encode(rgb, "JPEG", quality=80),
        _encode(rgb, "JPEG", quality=80, exif=exif.tobytes(), progressive=True),
        _encode(rgb, "PNG"),
        _encode(rgba, "PNG"),
        _encode(rgb.convert("P"), "PNG"),
        _encode(rgb, "WEBP"),
        _encode(rgba, "WEBP", lossless=True),
        _encode(frames[0], "PNG", save_all=True, append_images=frames[1:]),
        _encode(frames[0], "WEBP", save_all=True, append_images=frames[1:]),
        _encode(rgb.convert("CMYK"), "JPEG"),
    ]


SEEDS = _seeds()

mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10_000), st.integers(1, 255)),
    st.tuples(st.just("set"), st.integers(0, 10_000), st.integers(0, 255)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.integers(1, 64)),
    st.tuples(st.just("truncate"), st.integers(0, 10_000), st.none()),
)


def mutate(data: bytes, mutations) -> bytes:
    buffer = bytearray(data)
    for kind, position, arg in mutations:
        if not buffer:
            break
        at = position % len(buffer)
        if kind == "flip":
            buffer[at] ^= arg
        elif kind == "set":
            buffer[at] = arg
        elif kind == "insert":
            buffer[at:at] = arg
        elif kind == "delete":
            del buffer[at : at + arg]
        else:
            del buffer[at:]
    return bytes(buffer)


filenames = st.sampled_from(["card.jpg", "card.png", "a.webp", "x", "", "文件.jpg", "../../etc/passwd", "a\x00b.png"])
content_types = st.sampled_from([None, "image/jpeg", "image/png", "application/octet-stream", "text/plain", "x/y"])


@FUZZ
@given(
    payload=st.one_of(
        st.binary(max_size=4096),
        st.tuples(st.sampled_from(SEEDS), st.lists(mutation, min_size=1, max_size=6)).map(lambda t: mutate(*t)),
        st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\0\0\0\0WEBP"]).flatmap(
            lambda magic: st.binary(max_size=512).map(lambda rest: magic + rest)
        ),
    ),
    filename=filenames,
    content_type=content_types,
)
def test_fuzz_image_bytes(client, auth, payload, filename, content_type):
    part = (filename, payload) if content_type is None else (filename, payload, content_type)
    assert_well_formed(client.post(OCR, headers=auth, files={"image": part}, data=FORM))


header_lines = st.one_of(
    st.sampled_from(
        [
            b'Content-Disposition: form-data; name="image"; filename="a.png"',
            b'Content-Disposition: form-data; name="documentType"',
            b"Content-Disposition: form-data; name=image",
            b"Content-Disposition: form-data; name=\"image\"; filename*=UTF-8''%E6%96%87.png",
            b"Content-Type: image/png",
            b"Content-Disposition: inline",
            b"Content-Transfer-Encoding: base64",
        ]
    ),
    st.binary(max_size=80),
)
part_bodies = st.one_of(
    st.just(b"cn_id_card"),
    st.sampled_from(SEEDS),
    st.binary(max_size=256),
)


@st.composite
def multipart_bodies(draw) -> tuple[bytes, str]:
    boundary = draw(st.one_of(st.just(b"XyZ"), st.binary(min_size=1, max_size=70).filter(lambda b: b"\r" not in b)))
    separator = draw(st.sampled_from([b"\r\n", b"\n", b""]))
    body = draw(st.binary(max_size=16)) if draw(st.booleans()) else b""
    for _ in range(draw(st.integers(0, 6))):
        headers = separator.join(draw(st.lists(header_lines, max_size=3)))
        body += b"--" + boundary + b"\r\n" + headers + b"\r\n\r\n" + draw(part_bodies) + b"\r\n"
    if draw(st.booleans()):
        body += b"--" + boundary + b"--\r\n"
    body += draw(st.binary(max_size=16)) if draw(st.booleans()) else b""
    declared = draw(st.sampled_from([boundary, b"other", b'"' + boundary + b'"', b""]))
    content_type = draw(
        st.sampled_from(
            [
                "multipart/form-data; boundary=",
                "multipart/form-data;boundary=",
                "multipart/mixed; boundary=",
                "text/plain; boundary=",
            ]
        )
    )
    return body, content_type + declared.decode("latin-1")


@FUZZ
@given(request=multipart_bodies())
def test_fuzz_multipart_bodies(client, auth, request):
    body, content_type = request
    response = client.post(OCR, headers={**auth, "Content-Type": content_type.encode("latin-1")}, content=body)
    assert_well_formed(response)


@FUZZ
@given(
    authorization=st.one_of(
        st.none(),
        st.text(max_size=80).map(lambda t: "Bearer " + t),
        st.sampled_from(["Bearer", "Basic abc", "bearer sk_live_" + "a" * 40, "Bearer sk_live_" + "é" * 40]),
    ),
    path=st.sampled_from([OCR, "/api/v1/usage", "/api/v1/ocr/", "/api/v1//ocr", "/api/v2/ocr", "/%ff"]),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
)
def test_fuzz_auth_paths_and_methods(client, authorization, path, method):
    headers = {} if authorization is None else {"Authorization": authorization.encode("utf-8")}
    response = client.request(method, path, headers=headers)
    assert response.status_code < 500, (method, path, response.status_code, response.text[:300])
    if method not in ("HEAD", "OPTIONS") and response.status_code >= 400:
        assert set(response.json()) == {"error"}


# --- schemathesis ---------------------------------------------------------------------------------------------


# Schemathesis loads the schema at import time, before fixtures exist; the app reads its services from app.state on
# every request, so the fixture below swaps in the test's real services (moto tables, real OCR reader).
# (schemathesis.pytest.from_fixture would be the lazy alternative, but it breaks on pytest 9.)
_APP = create_app(Services(settings=Settings(), reader=None, keys=None, usage=None))  # type: ignore[arg-type]
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@pytest.fixture
def schema_app(services):
    # As deployed: the large-file path configured (a moto bucket; `services` runs inside mock_aws).
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="fuzz-uploads")
    services.uploads = UploadStore(s3, "fuzz-uploads")
    _APP.state.services = services
    yield _APP
    _APP.state.services = None


# What the schema cannot say about a schema-valid /ocr form: whether its bytes are an image with a card in it, and
# whether its uploadId names an upload that exists. A schema-valid request may be refused for these (each code is
# in docs/errors.md); refused for anything else (missing_image, invalid_document_type, invalid_multipart,
# bad_request: the form's shape) the schema describes a rule the app does not have.
CONTENT_JUDGEMENTS = {
    "invalid_image",
    "image_too_large",
    "unsupported_media_type",
    "animated_image",
    "no_id_card_found",
    "image_blurred",
    "invalid_upload",
}


def positive_data_accepted_unless_judged_on_content(ctx, response, case):
    """Schemathesis' positive_data_acceptance, except for a refusal with one of CONTENT_JUDGEMENTS."""
    if 400 <= response.status_code < 500 and response.status_code not in (401, 403, 404, 429):
        code = response.json()["error"]["code"]
        if code in CONTENT_JUDGEMENTS:
            return None
    return positive_data_acceptance(ctx, response, case)


@schema.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_all_checks(case, schema_app, auth):
    """Every schemathesis check (response schema, status codes, content types, headers, negative data rejected,
    positive data accepted, ...), with positive acceptance narrowed as above."""
    case.call_and_validate(
        headers=auth,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[positive_data_accepted_unless_judged_on_content],
    )


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_without_credentials(case, schema_app):
    response = case.call_and_validate()
    assert response.status_code in (401, 404, 405), response.status_code


def test_fuzz_form_is_documented():
    """The fuzzers post what the schema documents: FORM with an image (or an upload id) is a valid /ocr form, and
    FORM alone, or with both, is not (exactly one of image and uploadId)."""
    operation = _APP.openapi()["paths"][OCR]["post"]
    validator = jsonschema.Draft202012Validator(operation["requestBody"]["content"]["multipart/form-data"]["schema"])
    assert validator.is_valid({**FORM, "image": "<bytes>"})
    assert validator.is_valid({**FORM, "uploadId": "A" * 32})
    assert not validator.is_valid(dict(FORM))
    assert not validator.is_valid({**FORM, "image": "<bytes>", "uploadId": "A" * 32})
    assert not validator.is_valid({**FORM, "uploadId": "too-short"})
