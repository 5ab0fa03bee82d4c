"""Bytes to an upright RGB/BGR array, safely: the type is decided by magic bytes, limits are checked on the header
before any pixel is decoded, and EXIF orientation is honoured."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import AnimatedImage, ImageTooLarge, InvalidImage, MissingImage, UnsupportedMediaType

# Pillow's own bomb guard is a warning up to 2x its limit; we check the header ourselves and silence it.
Image.MAX_IMAGE_PIXELS = None

SUPPORTED = ("jpeg", "png", "webp")


def sniff_format(data: bytes) -> str | None:
    """The image format from its first bytes, or None when it is not one we accept."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass(frozen=True, slots=True)
class DecodedImage:
    pixels: np.ndarray  # H x W x 3, uint8, BGR (OpenCV order, what the OCR engine expects)
    format: str
    original_size: tuple[int, int]  # (width, height) as stored, before orientation and scaling


def decode_image(data: bytes, *, max_pixels: int, max_side: int) -> DecodedImage:
    """Decode ``data`` into an upright BGR array whose longer side is at most ``max_side``.

    JPEGs are decoded in draft mode (DCT scaling) straight to about the target size, which is both the fastest
    and the most memory-frugal way to read a 12 MP phone photo.
    """
    if not data:
        raise MissingImage()
    fmt = sniff_format(data)
    if fmt is None:
        raise UnsupportedMediaType()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data), formats=[fmt.upper()])
            width, height = image.size
            if width <= 0 or height <= 0:
                raise InvalidImage()
            if width * height > max_pixels:
                raise ImageTooLarge(
                    f"The image is {width}x{height} pixels; at most {max_pixels:,} pixels are accepted."
                )
            if getattr(image, "is_animated", False) and getattr(image, "n_frames", 1) > 1:
                raise AnimatedImage()
            if fmt == "jpeg":
                # Draft picks the largest DCT scale (1/2, 1/4, 1/8) that keeps the image >= the requested size.
                image.draft("RGB", _fit(width, height, max_side))
            image.load()
            upright: Image.Image = ImageOps.exif_transpose(image)
            image = _to_rgb(upright)  # type: ignore[assignment]  # a plain Image from here on
    except (ImageTooLarge, AnimatedImage, InvalidImage):
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise InvalidImage() from exc
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    rgb = np.asarray(image, dtype=np.uint8)
    return DecodedImage(pixels=np.ascontiguousarray(rgb[:, :, ::-1]), format=fmt, original_size=(width, height))


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    return max(1, int(width * scale)), max(1, int(height * scale))


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any mode Pillow reads (CMYK, 16-bit, palette, grey, alpha) to 8-bit RGB; transparency becomes white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        peak = max(float(array.max()), 1.0)
        scale = 255.0 / (65535.0 if peak > 255 else 255.0)
        image = Image.fromarray(np.clip(array * scale, 0, 255).astype(np.uint8), mode="L")
    if image.mode == "F":
        image = Image.fromarray(np.clip(np.asarray(image), 0, 255).astype(np.uint8), mode="L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image
