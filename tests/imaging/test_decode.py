"""decode_image on valid but unusual images: read upright, as 3-channel 8-bit BGR, whatever the file's mode,
depth, transparency or EXIF orientation. No model, no app: the function alone."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from cnid_ocr.imaging.decode import decode_image
from PIL import Image


def encode(image: Image.Image, fmt: str, **save) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def raw_png(width: int, height: int, bit_depth: int, color_type: int, rows: bytes) -> bytes:
    """A PNG written byte by byte, for depths and colour types Pillow will not write (16-bit RGB)."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


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
    result = decoded(encode(Image.new(mode, (30, 20), color), fmt))
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
