"""Turn rendered cards into photos, scans and photocopies: geometry, lighting, degradations, encoding."""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
from PIL import Image, ImageDraw

from . import fonts, scene

STAMP_TEXTS = (
    "复印无效",
    "复印无效",
    "再复印无效",
    "仅供办理业务使用 复印无效",
    "此复印件仅供本次使用 复印无效",
    "仅限入职使用 他用无效",
)


def stamp(rng: np.random.Generator, card: Image.Image, footprints: list[np.ndarray] | None = None) -> Image.Image:
    """Overlay a '复印无效'-style stamp across the text of a card image (RGBA; its alpha is kept). Appends the
    stamp's footprint (a 0..1 mask: its ink, closed over the gaps between strokes) to `footprints`."""
    w, h = card.size
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    text = STAMP_TEXTS[int(rng.integers(len(STAMP_TEXTS)))]
    spec = fonts.available(fonts.STAMP_FONTS)[int(rng.integers(len(fonts.available(fonts.STAMP_FONTS))))]
    size = int(min(h * rng.uniform(0.12, 0.22), 0.85 * w / len(text)))
    color = ((200, 30, 35), (215, 45, 45), (225, 60, 60), (40, 80, 190))[int(rng.integers(4))]
    alpha = int(rng.integers(90, 180))
    tw = fonts.text_width(spec, size, text)
    x, y = (w - tw) / 2 + rng.uniform(-0.1, 0.1) * w, h / 2 + size / 2 + rng.uniform(-0.2, 0.25) * h
    fonts.draw_text(draw, (x, y), text, spec, size, (*color, alpha))
    if rng.random() < 0.4:  # a box around it, like a rubber stamp
        draw.rectangle(
            (x - size * 0.3, y - size * 1.2, x + tw + size * 0.3, y + size * 0.35),
            outline=(*color, alpha),
            width=max(2, size // 12),
        )
    layer = layer.rotate(float(rng.uniform(-35, 35)), resample=Image.BICUBIC, center=(w / 2, h / 2))
    if footprints is not None:
        ink = (np.asarray(layer.getchannel("A")) > 0).astype(np.uint8)
        k = max(3, size // 3) | 1
        footprints.append(cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8)).astype(np.float32))
    out = card.copy()
    alpha_card = card.getchannel("A")
    out.alpha_composite(layer)
    out.putalpha(alpha_card)
    return out


def soft(mask: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of a single-channel mask; large sigmas are done at reduced resolution (fast)."""
    if sigma <= 3:
        return cv2.GaussianBlur(mask, (0, 0), max(sigma, 0.5))
    h, w = mask.shape[:2]
    k = 3 / sigma
    small = cv2.resize(mask, (max(2, round(w * k)), max(2, round(h * k))), interpolation=cv2.INTER_AREA)
    return cv2.resize(cv2.GaussianBlur(small, (0, 0), 3), (w, h), interpolation=cv2.INTER_LINEAR)


def stamp_boxes(
    rng: np.random.Generator,
    img: Image.Image,
    boxes: list[tuple[int, int, int, int]],
    footprints: list[np.ndarray] | None = None,
) -> Image.Image:
    """Stamp a flat page (e.g. a greyscale photocopy, stamped in red after copying) over each card's box; appends
    each stamp's footprint in its box's frame to `footprints`."""
    out = img.convert("RGB")
    for box in boxes:
        region = out.crop(box).convert("RGBA")
        out.paste(stamp(rng, region, footprints).convert("RGB"), box[:2])
    return out


def quad_for(
    rng: np.random.Generator, obj_w: float, obj_h: float, angle_deg: float, persp: float, center: tuple[float, float]
) -> np.ndarray:
    """Corners (TL, TR, BR, BL of the object) after keystone, jitter, rotation and translation."""
    hw, hh = obj_w / 2, obj_h / 2
    pts = np.array([[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]], np.float64)
    if persp > 0:
        t = rng.uniform(0, persp)
        edge = int(rng.integers(4))  # which edge is farther from the camera (shorter)
        a, b = edge, (edge + 1) % 4
        mid = (pts[a] + pts[b]) / 2
        pts[a] = mid + (pts[a] - mid) * (1 - t)
        pts[b] = mid + (pts[b] - mid) * (1 - t)
        pts += rng.normal(0, persp * 0.15 * obj_w, pts.shape)
    th = math.radians(angle_deg)
    rot = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
    return pts @ rot.T + np.array(center)


def fit_quad(quad: np.ndarray, w: int, h: int, margin: float = 0.01) -> np.ndarray:
    """Shrink/shift a quad so that it lies inside the frame."""
    c = quad.mean(axis=0)
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    size = hi - lo
    room = np.array([w, h]) * (1 - 2 * margin)
    k = min(1.0, float(np.min(room / np.maximum(size, 1))))
    quad = (quad - c) * k + c
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    shift = np.maximum(0, np.array([w, h]) * margin - lo) - np.maximum(0, hi - np.array([w, h]) * (1 - margin))
    return quad + shift


def paste(bg: np.ndarray, obj: Image.Image, quad: np.ndarray, shadow: float = 0.35) -> tuple[np.ndarray, np.ndarray]:
    """Warp an RGBA object onto a float32 background; returns the image and the object's alpha (0..1)."""
    h, w = bg.shape[:2]
    arr = np.asarray(obj.convert("RGBA"), dtype=np.float32)
    src = np.array([[0, 0], [obj.width, 0], [obj.width, obj.height], [0, obj.height]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    warped = cv2.warpPerspective(
        arr, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0)
    )
    alpha = warped[..., 3:] / 255.0
    if shadow > 0:
        size = float(np.linalg.norm(quad[1] - quad[0]))
        off = np.float32([[1, 0, size * 0.012], [0, 1, size * 0.018]])
        sh = cv2.warpAffine(alpha[..., 0], off, (w, h))
        sh = soft(sh, max(1.0, size * 0.015))
        bg = bg * (1 - shadow * sh[..., None])
    out = bg * (1 - alpha) + warped[..., :3] * alpha
    return out, alpha[..., 0]


def lighting(
    rng: np.random.Generator,
    img: np.ndarray,
    quad: np.ndarray,
    tags: list[str],
    glare_p: float = 0.3,
    shadow_p: float = 0.3,
) -> np.ndarray:
    h, w = img.shape[:2]
    field = scene.low_freq(rng, w, h, 3, rng.uniform(0.7, 0.95), rng.uniform(0.98, 1.12))
    tint = np.array([rng.uniform(0.92, 1.06), 1.0, rng.uniform(0.88, 1.08)], np.float32)
    img = img * field[..., None] * tint
    size = float(np.linalg.norm(quad[1] - quad[0]))
    if rng.random() < shadow_p:
        tags.append("shadow")
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        pts = np.array([[cx + rng.uniform(-1, 1) * w, cy + rng.uniform(-1, 1) * h] for _ in range(4)], np.int32)
        mask = np.zeros((h, w), np.float32)
        cv2.fillPoly(mask, [pts], 1.0)
        mask = soft(mask, max(2.0, rng.uniform(0.01, 0.06) * max(w, h)))
        img = img * (1 - rng.uniform(0.2, 0.5) * mask[..., None])
    if rng.random() < glare_p:
        tags.append("glare")
        for _ in range(int(rng.integers(1, 3))):
            wts = rng.dirichlet(np.ones(4))
            gx, gy = wts @ quad
            sx, sy = rng.uniform(0.03, 0.14, 2) * size
            yy, xx = np.ogrid[0:h, 0:w]
            gxs = np.exp(-(((xx - gx) / sx) ** 2) / 2).astype(np.float32)
            gys = np.exp(-(((yy - gy) / sy) ** 2) / 2).astype(np.float32)
            g = gys * gxs
            img = img + (255 - img) * (rng.uniform(0.35, 0.8) * g)[..., None]
    return img


def degrade(
    rng: np.random.Generator,
    img: np.ndarray,
    card_px: float,
    tags: list[str],
    strength: float = 1.0,
    strong_blur=None,
) -> np.ndarray:
    """Defocus or motion blur and sensor noise, scaled to the card's size in pixels. `strong_blur` (a function of
    the image) replaces the mild blur's tag with blur_strong and is applied before the noise."""
    unit = card_px / 856
    r = rng.random()
    if r < 0.35 * strength:
        sigma = rng.uniform(0.4, 1.5) * unit
        tags.append("blur")
        img = cv2.GaussianBlur(img, (0, 0), max(0.3, sigma))
    elif r < 0.47 * strength:
        length = rng.uniform(3, 8) * unit
        img = cv2.filter2D(img, -1, motion_kernel(length, float(rng.uniform(0, 180))))
        tags.append("motion_blur")
    if strong_blur is not None:
        img = strong_blur(img)
        tags[:] = [t for t in tags if t not in ("blur", "motion_blur")] + ["blur_strong"]
    if rng.random() < 0.6 * strength:
        sigma = rng.uniform(1.5, 9)
        img = img + rng.normal(0, sigma, img.shape).astype(np.float32)
        if sigma > 6:
            tags.append("noise")
    return img


def motion_kernel(length: float, degrees: float) -> np.ndarray:
    """A straight motion blur of ``length`` pixels (fractions too: a small card's mild blur is shorter than the
    pixels it spans, and rounding it up to whole pixels made it strong blur in the card's units) at ``degrees``,
    as a normalised kernel: points along the path spread over their neighbouring pixels."""
    size = 2 * math.ceil(length / 2) + 3
    centre = size // 2
    steps = np.linspace(-length / 2, length / 2, max(16, math.ceil(8 * length)))
    theta = math.radians(degrees)
    xs, ys = centre + steps * math.cos(theta), centre - steps * math.sin(theta)
    kernel = np.zeros((size, size), np.float32)
    x0, y0 = np.floor(xs).astype(int), np.floor(ys).astype(int)
    fx, fy = (xs - x0).astype(np.float32), (ys - y0).astype(np.float32)
    for dx, dy, weight in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
        np.add.at(kernel, (y0 + dy, x0 + dx), weight)
    return kernel / kernel.sum()


def photocopy(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """Greyscale, high-contrast toner look with speckles; returns float32 HxW."""
    grey = img @ np.array([0.299, 0.587, 0.114], np.float32)
    lo, hi = rng.uniform(40, 90), rng.uniform(170, 215)
    grey = np.clip((grey - lo) / (hi - lo), 0, 1) ** rng.uniform(0.8, 1.4) * 255
    h, w = grey.shape
    n = int(h * w * rng.uniform(0.0002, 0.002))
    ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
    grey[ys, xs] = rng.uniform(0, 120, n)
    if rng.random() < 0.3:  # a faint streak from the drum
        x = int(rng.integers(0, w))
        grey[:, x : x + int(rng.integers(1, 4))] *= rng.uniform(0.6, 0.9)
    grey = cv2.GaussianBlur(grey, (0, 0), rng.uniform(0.3, 0.8))
    return grey + rng.normal(0, rng.uniform(1, 5), grey.shape).astype(np.float32)


# EXIF orientation -> the transpose to apply to the upright picture to get the stored pixels
# (so that a viewer honouring the tag, e.g. PIL.ImageOps.exif_transpose, shows the upright picture).
_STORE_FOR_ORIENTATION = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


def encode(img: Image.Image, fmt: str, quality: int = 90, orientation: int | None = None) -> bytes:
    """Encode to jpeg/png/webp; with an orientation, store rotated pixels plus the EXIF tag."""
    exif = None
    if orientation is not None:
        if orientation in _STORE_FOR_ORIENTATION:
            img = img.transpose(_STORE_FOR_ORIENTATION[orientation])
        exif = Image.Exif()
        exif[0x0112] = orientation
    buf = io.BytesIO()
    kwargs: dict = {"exif": exif.tobytes()} if exif is not None else {}
    if fmt == "jpeg":
        img.save(buf, "JPEG", quality=quality, **kwargs)
    elif fmt == "webp":
        img.save(buf, "WEBP", quality=quality, method=2, **kwargs)
    elif fmt == "png":
        img.save(buf, "PNG", compress_level=3, **kwargs)
    else:
        raise ValueError(fmt)
    return buf.getvalue()


def to_image(arr: np.ndarray) -> Image.Image:
    a = np.clip(arr, 0, 255).round().astype(np.uint8)
    return Image.fromarray(a, "L" if a.ndim == 2 else "RGB")
