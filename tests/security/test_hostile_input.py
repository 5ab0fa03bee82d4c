"""Hostile and broken uploads: each gets its documented 4xx, quickly and with bounded memory, never a 500.

These run through the real app with the real OCR reader (images that decode are small, so recognising nothing in
them is quick). Valid-but-unusual images are also checked directly against ``decode_image``.
"""

from __future__ import annotations

import io
import resource
import struct
import time
import zlib

import numpy as np
import pytest
from cnid_ocr.imaging.decode import decode_image
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


def raw_png(width: int, height: int, bit_depth: int, color_type: int, rows: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


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


# --- valid but unusual images: decode_image must read them upright, as 3-channel 8-bit --------------------------


def decoded(data: bytes):
    result = decode_image(data, max_pixels=50_000_000, max_side=2000)
    assert result.pixels.dtype == np.uint8 and result.pixels.ndim == 3 and result.pixels.shape[2] == 3
    assert result.pixels.flags["C_CONTIGUOUS"]
    return result


def bgr_at(result, x: int, y: int) -> tuple[int, int, int]:
    return tuple(int(v) for v in result.pixels[y, x])


def close(actual, expected, tolerance=12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def test_cmyk_jpeg():
    cmyk = Image.new("CMYK", (40, 30), (0, 255, 255, 0))  # pure red in CMYK
    result = decoded(encode(cmyk, "JPEG", quality=95))
    assert result.pixels.shape == (30, 40, 3) and result.format == "jpeg"
    assert close(bgr_at(result, 20, 15), (0, 0, 255), tolerance=40), bgr_at(result, 20, 15)


def test_16_bit_greyscale_png():
    values = np.array([[0, 32768, 65535, 1000]], dtype=">u2").repeat(4, axis=0)
    data = raw_png(4, 4, 16, 0, b"".join(b"\0" + row.tobytes() for row in values))
    result = decoded(data)
    assert result.pixels.shape == (4, 4, 3)
    assert [bgr_at(result, x, 0)[0] for x in range(4)] == [0, 127, 255, 3]


def test_16_bit_rgb_png():
    row = np.array([[65535, 0, 0], [0, 65535, 0], [0, 0, 65535], [32768, 32768, 32768]], dtype=">u2")
    data = raw_png(4, 2, 16, 2, (b"\0" + row.tobytes()) * 2)
    result = decoded(data)
    assert [bgr_at(result, x, 1) for x in range(4)] == [(0, 0, 255), (0, 255, 0), (255, 0, 0), (128, 128, 128)]


def test_palette_png_with_and_without_transparency():
    palette = Image.new("P", (20, 10))
    palette.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette.paste(1, (10, 0, 20, 10))
    result = decoded(encode(palette, "PNG"))
    assert bgr_at(result, 2, 5) == (0, 0, 255) and bgr_at(result, 15, 5) == (255, 0, 0)
    transparent = decoded(encode(palette, "PNG", transparency=0))
    assert bgr_at(transparent, 2, 5) == (255, 255, 255)  # transparent becomes white paper
    assert bgr_at(transparent, 15, 5) == (255, 0, 0)


@pytest.mark.parametrize(("mode", "fmt"), [("L", "JPEG"), ("L", "PNG"), ("1", "PNG"), ("LA", "PNG"), ("L", "WEBP")])
def test_greyscale_images(mode, fmt):
    color = {"L": 90, "1": 1, "LA": (90, 255)}[mode]
    result = decoded(image_bytes(fmt, size=(30, 20), mode=mode, color=color))
    expected = 255 if mode == "1" else 90
    assert result.pixels.shape == (20, 30, 3)
    assert close(bgr_at(result, 15, 10), (expected,) * 3, tolerance=3)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_alpha_images_are_composited_on_white(fmt):
    rgba = Image.new("RGBA", (30, 20), (0, 0, 255, 255))
    rgba.paste((0, 0, 0, 0), (0, 0, 15, 20))  # left half fully transparent
    result = decoded(encode(rgba, fmt, lossless=True) if fmt == "WEBP" else encode(rgba, fmt))
    assert bgr_at(result, 5, 10) == (255, 255, 255)
    assert bgr_at(result, 25, 10) == (255, 0, 0)


def _two_tone_jpeg(orientation: int | None) -> bytes:
    """Stored 40 wide x 20 high: left half red, right half blue, tagged with an EXIF orientation."""
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    return encode(image, "JPEG", quality=95, exif=exif.tobytes())


RED, BLUE = (0, 0, 255), (255, 0, 0)  # in BGR


@pytest.mark.parametrize(
    ("orientation", "shape", "probes"),
    [
        (None, (20, 40, 3), {(5, 10): RED, (35, 10): BLUE}),
        (1, (20, 40, 3), {(5, 10): RED, (35, 10): BLUE}),
        (3, (20, 40, 3), {(5, 10): BLUE, (35, 10): RED}),  # 180 degrees
        (6, (40, 20, 3), {(10, 5): RED, (10, 35): BLUE}),  # shown turned 90 degrees clockwise: left goes on top
        (8, (40, 20, 3), {(10, 5): BLUE, (10, 35): RED}),  # 90 degrees counter-clockwise: left goes to the bottom
    ],
)
def test_exif_orientation_is_honoured(orientation, shape, probes):
    result = decoded(_two_tone_jpeg(orientation))
    assert result.pixels.shape == shape
    assert result.original_size == (40, 20)
    for (x, y), expected in probes.items():
        assert close(bgr_at(result, x, y), expected), (orientation, (x, y), bgr_at(result, x, y))


def test_exif_orientation_with_draft_downscaling():
    """A large phone photo is decoded at reduced DCT scale; the orientation must still be applied."""
    image = Image.new("RGB", (4000, 1000), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 2000, 1000))
    exif = Image.Exif()
    exif[0x0112] = 6
    result = decode_image(encode(image, "JPEG", exif=exif.tobytes()), max_pixels=50_000_000, max_side=1000)
    height, width, _ = result.pixels.shape
    assert height == 1000 and width == 250
    assert close(bgr_at(result, 125, 100), RED) and close(bgr_at(result, 125, 900), BLUE)


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
