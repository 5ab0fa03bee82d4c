"""Hostile and broken uploads: each gets its documented 4xx, quickly and with bounded memory, never a 500.

These run through the real app with the real OCR reader (images that decode are small, so recognising nothing in
them is quick). Valid-but-unusual images are checked against ``decode_image`` in tests/imaging/test_decode.py.
"""

from __future__ import annotations

import io
import resource
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from .conftest import FORM, OCR, assert_error, call_asgi, image_bytes, multipart

MIB = 1024 * 1024
FAST = 3.0  # seconds: generous for a loaded 2-core CI machine; a bomb or a full read of 1 GiB takes far longer


def post_image(client, auth, data: bytes, filename: str = "card.jpg", content_type: str | None = None):
    part = (filename, data) if content_type is None else (filename, data, content_type)
    started = time.perf_counter()
    response = client.post(OCR, headers=auth, files={"image": part}, data=FORM)
    return response, time.perf_counter() - started


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def noise(size=(64, 48), mode="RGB") -> Image.Image:
    channels = {"RGB": 3, "RGBA": 4}[mode]
    pixels = np.random.default_rng(1).integers(0, 255, (size[1], size[0], channels), dtype=np.uint8)
    return Image.fromarray(pixels, mode)


def encode(image: Image.Image, fmt: str, **save) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


# --- size limits -----------------------------------------------------------------------------------------------


def test_over_limit_stream_is_refused_before_it_is_read_whole(services, api_key):
    """A chunked body (no Content-Length) that would be 1 GiB: the app stops pulling it just past the cap."""
    from cnid_ocr.app import create_app

    services.settings.max_image_bytes = 1 * MIB
    pulled = 0
    chunk = b"\0" * (64 * 1024)
    head = (
        b'--XyZ\r\nContent-Disposition: form-data; name="documentType"\r\n\r\ncn_id_card\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\n\xff\xd8\xff'
    )

    def body():
        nonlocal pulled
        pulled += len(head)
        yield head
        for _ in range(16 * 1024):  # 1 GiB if it were all read
            pulled += len(chunk)
            yield chunk

    headers = [
        (b"authorization", f"Bearer {api_key}".encode()),
        (b"content-type", b"multipart/form-data; boundary=XyZ"),
    ]
    started = time.perf_counter()
    status, _, raw = call_asgi(create_app(services), headers=headers, chunks=body())
    assert status == 413 and b'"file_too_large"' in raw
    assert pulled <= 1 * MIB + 64 * 1024 + 2 * len(chunk), pulled
    assert time.perf_counter() - started < FAST


def test_over_limit_content_length_is_refused_without_reading(services, api_key):
    from cnid_ocr.app import create_app

    pulled = []

    def body():
        pulled.append(1)
        yield b"x"

    headers = [
        (b"authorization", f"Bearer {api_key}".encode()),
        (b"content-type", b"multipart/form-data; boundary=XyZ"),
        (b"content-length", str(50 * 1024 * MIB).encode()),
    ]
    status, _, raw = call_asgi(create_app(services), headers=headers, chunks=body())
    assert status == 413 and b'"file_too_large"' in raw and b"/api/v1/uploads" in raw
    assert pulled == []


def test_file_part_over_the_limit_within_an_honest_body(client, services, auth):
    services.settings.max_image_bytes = 200_000
    response, elapsed = post_image(client, auth, b"\xff\xd8\xff" + b"\0" * 250_000)
    assert_error(response, 413, "file_too_large")
    assert elapsed < FAST


def _patched_png_bomb() -> bytes:
    """A 64x48 PNG whose header claims 30000x30000 (CRC fixed): a few hundred bytes."""
    data = bytearray(encode(noise(), "PNG"))
    ihdr = struct.pack(">II", 30000, 30000) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def _real_png_bomb() -> bytes:
    """A genuine 30000x30000 1-bit PNG of zeros: ~100 KB compressed, 900 MB decoded."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + 30000 // 8 + 1)
    parts = [compressor.compress(row) for _ in range(30000)]
    idat = b"".join(parts) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def _jpeg_bomb() -> bytes:
    """A small JPEG with its frame header (SOF0) patched to 30000x30000."""
    data = bytearray(encode(noise(), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 30000, 30000)
    return bytes(data)


def _webp_bomb() -> bytes:
    """A small lossless WebP with its VP8L header patched to 16384x16384 (268 MP)."""
    data = bytearray(encode(noise(), "WEBP", lossless=True))
    at = data.index(b"VP8L") + 8 + 1  # chunk header, then the 0x2f signature byte
    bits = int.from_bytes(data[at : at + 4], "little")
    bits = (bits & ~((1 << 28) - 1)) | (16383 | (16383 << 14))
    data[at : at + 4] = bits.to_bytes(4, "little")
    return bytes(data)


@pytest.mark.parametrize(
    "make", [_patched_png_bomb, _real_png_bomb, _jpeg_bomb, _webp_bomb], ids=["png-header", "png-real", "jpeg", "webp"]
)
def test_decompression_bombs(client, auth, make):
    bomb = make()
    assert len(bomb) < 300_000
    before = peak_rss_mib()
    response, elapsed = post_image(client, auth, bomb, filename="a.png")
    assert_error(response, 413, "image_too_large")
    assert elapsed < FAST
    assert peak_rss_mib() - before < 100  # decoding any of these would take 268 MB to 2.7 GB


# --- broken and mislabelled files ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("where", ["header", "half"])
def test_truncated_images_are_invalid(client, auth, fmt, where):
    data = encode(noise(), fmt)
    cut = data[:30] if where == "header" else data[: len(data) // 2]
    response, elapsed = post_image(client, auth, cut)
    assert_error(response, 400, "invalid_image")
    assert elapsed < FAST


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_corrupt_images_get_a_4xx(client, auth, fmt):
    """Garbage in the middle: a 400 when the codec notices, else the garbled pixels are read and hold no card."""
    data = bytearray(encode(noise(), fmt))
    middle = len(data) // 2
    data[middle : middle + 40] = b"\xa5" * 40
    response, elapsed = post_image(client, auth, bytes(data))
    assert response.status_code in (400, 422), response.text
    assert_error(response, response.status_code, "invalid_image" if response.status_code == 400 else None)
    assert elapsed < FAST


@pytest.mark.parametrize(
    ("payload", "filename", "content_type", "status", "code"),
    [
        (b"%PDF-1.7\n" + b"0" * 200, "card.jpg", "image/jpeg", 415, "unsupported_media_type"),
        (b"<html><body>card</body></html>", "card.png", "image/png", 415, "unsupported_media_type"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "card.svg", "image/svg+xml", 415, "unsupported_media_type"),
        (b"GIF89a" + b"\0" * 40, "card.webp", "image/webp", 415, "unsupported_media_type"),
        (b"RIFF\x10\0\0\0WAVEfmt ", "card.webp", "image/webp", 415, "unsupported_media_type"),
        (b"\xff\xd8", "card.jpg", "image/jpeg", 415, "unsupported_media_type"),  # too short to be a JPEG
    ],
    ids=["pdf-as-jpeg", "html-as-png", "svg", "gif-magic-as-webp", "riff-wave-as-webp", "two-bytes"],
)
def test_bytes_that_are_not_what_they_claim(client, auth, payload, filename, content_type, status, code):
    response, elapsed = post_image(client, auth, payload, filename=filename, content_type=content_type)
    assert_error(response, status, code)
    assert elapsed < FAST


def test_real_image_with_the_wrong_name_and_type_is_read_by_its_bytes(client, auth):
    response, _ = post_image(client, auth, encode(noise(), "JPEG"), filename="scan.webp", content_type="text/plain")
    assert_error(response, 422, "no_id_card_found")  # got past every type check: decoded and searched


def test_zero_byte_file(client, auth):
    response, elapsed = post_image(client, auth, b"")
    assert_error(response, 400, "missing_image")
    assert elapsed < FAST


def _frames():
    return [Image.new("RGB", (32, 24), color) for color in ("red", "blue", "green")]


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_animated_png_and_webp(client, auth, fmt):
    first, *rest = _frames()
    animated = encode(first, fmt, save_all=True, append_images=rest, duration=100, loop=0)
    response, elapsed = post_image(client, auth, animated, filename=f"a.{fmt.lower()}")
    assert_error(response, 415, "animated_image")
    assert elapsed < FAST


def test_gif_even_animated_is_unsupported(client, auth):
    first, *rest = _frames()
    gif = encode(first, "GIF", save_all=True, append_images=rest, duration=100)
    response, _ = post_image(client, auth, gif, filename="card.png", content_type="image/png")
    assert_error(response, 415, "unsupported_media_type")


# --- multipart ------------------------------------------------------------------------------------------------


def post_raw(client, auth, body: bytes, content_type: str | None):
    headers = dict(auth)
    if content_type is not None:
        headers["Content-Type"] = content_type
    started = time.perf_counter()
    response = client.post(OCR, headers=headers, content=body)
    return response, time.perf_counter() - started


IMAGE_PART = (
    b'Content-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png',
    image_bytes(),
)
TYPE_PART = (b'Content-Disposition: form-data; name="documentType"', b"cn_id_card")


@pytest.mark.parametrize(
    "body",
    [
        b"this is not multipart at all",
        b"--XyZ\r\n\r\n\r\nno headers here\r\n--XyZ--\r\n",
        b'--XyZ\r\nContent-Disposition: attachment; name="image"\r\n\r\nabc\r\n--XyZ--\r\n',
        b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--XyZ--\r\n",
        b"--XyZ\r\nContent-Type: image/png\r\n\r\nabc\r\n--XyZ--\r\n",
        b'--XyZ\r\nContent-Disposition: form-data; name="documentType"\r\n\r\ncn_id_card\r\n--XyZ\r\nbroken hea',
        b'--XyZ\r\nContent-Disposition: form-data; name="documentType"\r\n\r\ncn_id_card',
        b"--XyZ\r\nNo-Colon-Header\r\n\r\nabc\r\n--XyZ--\r\n",
        b"--XyZ--\r\n",
        b"",
    ],
    ids=[
        "garbage",
        "no-headers",
        "not-form-data",
        "no-name",
        "no-disposition",
        "cut-in-headers",
        "no-closing",
        "header-without-colon",
        "only-closing",
        "empty",
    ],
)
def test_malformed_multipart(client, auth, body):
    response, elapsed = post_raw(client, auth, body, "multipart/form-data; boundary=XyZ")
    assert response.status_code == 400, response.text
    assert_error(response, 400)
    assert response.json()["error"]["code"] in ("invalid_multipart", "missing_image", "invalid_document_type")
    assert elapsed < FAST


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=" + "b" * 300,
        "multipart/mixed; boundary=XyZ",
        "application/x-www-form-urlencoded",
        "text/plain; charset=utf-8",
    ],
    ids=["absent", "no-boundary", "empty-boundary", "overlong-boundary", "mixed", "urlencoded", "text"],
)
def test_missing_or_bad_boundary(client, auth, content_type):
    body, _ = multipart([TYPE_PART, IMAGE_PART])
    response, elapsed = post_raw(client, auth, body, content_type)
    assert_error(response, 400, "invalid_multipart")
    assert elapsed < FAST


def test_thousands_of_form_fields_are_refused_early(services, api_key):
    from cnid_ocr.app import create_app

    pulled = 0

    def body():
        nonlocal pulled
        for i in range(20_000):
            pulled += 1
            yield b'--XyZ\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nv\r\n' % i
        yield b"--XyZ--\r\n"

    headers = [
        (b"authorization", f"Bearer {api_key}".encode()),
        (b"content-type", b"multipart/form-data; boundary=XyZ"),
    ]
    started = time.perf_counter()
    status, _, raw = call_asgi(create_app(services), headers=headers, chunks=body())
    assert status == 400 and b'"invalid_multipart"' in raw and b"Too many form fields" in raw
    assert pulled <= 20, pulled
    assert time.perf_counter() - started < FAST


def test_thousands_of_form_fields_in_one_request(client, auth):
    parts = [(b'Content-Disposition: form-data; name="f%d"' % i, b"v") for i in range(5000)]
    body, content_type = multipart([TYPE_PART, IMAGE_PART, *parts])
    response, elapsed = post_raw(client, auth, body, content_type)
    assert_error(response, 400, "invalid_multipart")
    assert elapsed < FAST


def test_overlong_text_field(client, auth):
    body, content_type = multipart(
        [(b'Content-Disposition: form-data; name="documentType"', b"x" * 100_000), IMAGE_PART]
    )
    assert_error(post_raw(client, auth, body, content_type)[0], 400, "invalid_multipart")


@pytest.mark.parametrize(
    ("parts", "status", "code"),
    [
        (
            [(b'Content-Disposition: form-data; name="documentType"', b"cn_id_card\xff\xfe"), IMAGE_PART],
            400,
            "invalid_document_type",
        ),
        (
            [(b'Content-Disposition: form-data; name="documentType"', b"\xc3\x28"), IMAGE_PART],
            400,
            "invalid_document_type",
        ),
        (
            [TYPE_PART, (b'Content-Disposition: form-data; name="im\xffage"; filename="a.png"', image_bytes())],
            400,
            "missing_image",
        ),
        (
            [
                TYPE_PART,
                (
                    b'Content-Disposition: form-data; name="image"; filename="\xff\xfe\xe4\xb8.png"\r\n'
                    b"Content-Type: image/\xffpng",
                    image_bytes(),
                ),
            ],
            422,
            "no_id_card_found",
        ),
        (
            [(b'Content-Disposition: form-data; name="\xe6\x96\x87\xe4\xbb\xb6"', b"\x80\x81"), TYPE_PART, IMAGE_PART],
            422,
            "no_id_card_found",
        ),
    ],
    ids=["document-type-latin1", "document-type-bad-utf8", "field-name", "filename-and-type", "extra-field"],
)
def test_non_utf8_field_values(client, auth, parts, status, code):
    body, content_type = multipart(parts)
    response, elapsed = post_raw(client, auth, body, content_type)
    assert_error(response, status, code)
    assert elapsed < FAST


@pytest.mark.parametrize("value", ["abc", "-5", "1e9", "12 34", ""])
def test_bad_content_length(services, api_key, value):
    from cnid_ocr.app import create_app

    body, content_type = multipart([TYPE_PART, IMAGE_PART])
    headers = [
        (b"authorization", f"Bearer {api_key}".encode()),
        (b"content-type", content_type.encode()),
        (b"content-length", value.encode()),
    ]
    status, _, raw = call_asgi(create_app(services), headers=headers, chunks=[body])
    assert status == 400 and b'"invalid_multipart"' in raw
