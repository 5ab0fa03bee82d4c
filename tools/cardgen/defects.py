"""Defects of a phone photo that the product's card warnings measure (issue 13): a card cut off by the frame or
covered by a thumb or an object, a strong blur, a strong specular highlight over the text. Each is drawn on some
photos and not on others, so precision and recall can be computed; `hidden_fields` says which fields are no longer
fully visible (their truth becomes None)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from .card import Boxes

CUTS = ("edge", "corner", "cover")
FRONT_FIELDS = ("name", "gender", "ethnicity", "dateOfBirth", "address", "idNumber")
BACK_FIELDS = ("issuingAuthority", "validFrom", "validTo")


@dataclass
class PhotoFx:
    """What to add to one single-card photo, and what came of it (filled in while the photo is made)."""

    rng: np.random.Generator
    side: str
    cut: str | None = None  # one of CUTS
    blur_strong: bool = False
    glare_strong: bool = False
    boxes: Boxes = field(default_factory=dict)  # the card's field boxes at the scale it was rendered (obj_fn fills)
    hidden: list[str] = field(default_factory=list)  # fields not fully visible
    glare_fields: list[str] = field(default_factory=list)  # fields under a saturated highlight
    cut_detail: str = ""  # thumb / coin / pen / note for covers


def shift_out(rng: np.random.Generator, quad: np.ndarray, w: int, h: int, corner: bool) -> np.ndarray:
    """Move the card so an edge (or a corner) of it lies outside the frame by 4-30% of its extent."""
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    size = hi - lo
    if corner:
        dirs = [(int(rng.choice((-1, 1))), int(rng.choice((-1, 1))))]
    else:
        dirs = [((-1, 0), (1, 0), (0, -1), (0, 1))[int(rng.integers(4))]]
    shift = np.zeros(2)
    for axis, sign in enumerate(dirs[0]):
        if sign == 0:
            continue
        depth = rng.uniform(0.08, 0.3) if corner else rng.uniform(0.04, 0.28)
        limit = (w, h)[axis]
        if sign > 0:
            shift[axis] = limit - hi[axis] + depth * size[axis]
        else:
            shift[axis] = -lo[axis] - depth * size[axis]
    return quad + shift


def _capsule_mask(h: int, w: int, a: np.ndarray, b: np.ndarray, r: float) -> tuple[np.ndarray, np.ndarray]:
    """Coverage (0..1, anti-aliased) of a capsule from a to b with radius r, and the distance to its axis / r."""
    x0, y0 = np.floor(np.minimum(a, b) - r - 2).astype(int)
    x1, y1 = np.ceil(np.maximum(a, b) + r + 2).astype(int)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    cov = np.zeros((h, w), np.float32)
    dist = np.ones((h, w), np.float32)
    if x1 <= x0 or y1 <= y0:
        return cov, dist
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    ab = b - a
    t = np.clip(((xx - a[0]) * ab[0] + (yy - a[1]) * ab[1]) / max(float(ab @ ab), 1e-6), 0, 1)
    d = np.hypot(xx - (a[0] + t * ab[0]), yy - (a[1] + t * ab[1]))
    cov[y0:y1, x0:x1] = np.clip(r - d + 0.5, 0, 1)
    dist[y0:y1, x0:x1] = np.clip(d / r, 0, 1)
    return cov, dist


def occlude(rng: np.random.Generator, img: np.ndarray, quad: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """A thumb, a coin, a pen or a paper note over one of the card's corners or edges. Returns the image, the
    occluder's coverage mask and what it is."""
    h, w = img.shape[:2]
    cw = float(np.linalg.norm(quad[1] - quad[0]))
    chh = float(np.linalg.norm(quad[3] - quad[0]))
    centre = quad.mean(axis=0)
    k = int(rng.integers(4))
    along = 0.0 if rng.random() < 0.5 else rng.uniform(0.2, 0.8)  # a corner, or a point on an edge
    spot = quad[k] + (quad[(k + 1) % 4] - quad[k]) * along
    inward = centre - spot
    inward /= max(float(np.linalg.norm(inward)), 1e-6)
    depth = rng.uniform(0.1, 0.35) * chh
    kind = str(rng.choice(("thumb", "thumb", "coin", "pen", "note")))
    shade = np.ones((h, w), np.float32)
    if kind in ("thumb", "pen"):
        r = (rng.uniform(0.08, 0.13) if kind == "thumb" else rng.uniform(0.02, 0.035)) * cw
        tip = spot + inward * depth
        ang = math.atan2(-inward[1], -inward[0]) + rng.normal(0, 0.35)
        length = rng.uniform(0.6, 1.2) * cw if kind == "thumb" else rng.uniform(0.9, 1.6) * cw
        tail = tip + length * np.array([math.cos(ang), math.sin(ang)])
        cov, dist = _capsule_mask(h, w, tip, tail, r)
        shade = 1 - 0.35 * dist**2
        if kind == "thumb":
            colour = np.array([rng.uniform(195, 235), rng.uniform(145, 185), rng.uniform(115, 155)], np.float32)
        else:
            colour = rng.uniform(20, 230, 3).astype(np.float32)
    elif kind == "coin":
        r = rng.uniform(0.1, 0.15) * cw
        c = spot + inward * (depth - r)
        cov, dist = _capsule_mask(h, w, c, c + 0.01, r)
        shade = 0.75 + 0.35 * (1 - dist) - 0.25 * (dist > 0.85)
        colour = (
            np.array([rng.uniform(190, 215), rng.uniform(160, 185), rng.uniform(90, 120)], np.float32)
            if rng.random() < 0.5
            else np.full(3, rng.uniform(160, 200), np.float32)
        )
    else:  # a paper note, rotated, over the corner
        s = rng.uniform(0.3, 0.5) * cw
        ang = rng.uniform(0, 2 * math.pi)
        c = spot + inward * (depth - s * 0.45)
        pts = np.array([[math.cos(ang + j * math.pi / 2), math.sin(ang + j * math.pi / 2)] for j in range(4)])
        poly = c + pts * s / math.sqrt(2)
        m = np.zeros((h, w), np.uint8)
        cv2.fillPoly(m, [np.round(poly * 4).astype(np.int32)], 255, cv2.LINE_AA, shift=2)
        cov = m.astype(np.float32) / 255
        colour = np.array([rng.uniform(235, 252), rng.uniform(225, 250), rng.uniform(140, 240)], np.float32)
    # a soft shadow on what lies below
    off = np.float32([[1, 0, 0.02 * cw], [0, 1, 0.03 * cw]])
    sh = cv2.GaussianBlur(cv2.warpAffine(cov, off, (w, h)), (0, 0), max(1.0, 0.02 * cw))
    img = img * (1 - 0.45 * sh[..., None])
    top = colour[None, None, :] * shade[..., None]
    img = img * (1 - cov[..., None]) + top * cov[..., None]
    return img, cov, kind


def _samples(rect: tuple[float, float, float, float], nx: int = 14, ny: int = 4) -> np.ndarray:
    x0, y0, x1, y1 = rect
    xs, ys = np.linspace(x0, x1, nx), np.linspace(y0, y1, ny)
    return np.array([(x, y) for y in ys for x in xs], np.float64)


def _map(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(pts.reshape(-1, 1, 2).astype(np.float64), m).reshape(-1, 2)


def hidden_fields(boxes: Boxes, side: str, m: np.ndarray, w: int, h: int, cover: np.ndarray | None) -> list[str]:
    """Fields of `side` whose boxes (card pixels, mapped to the image by homography m) are not fully visible:
    partly outside the w x h frame or under the cover mask."""
    out = []
    for f in FRONT_FIELDS if side == "front" else BACK_FIELDS:
        pts = np.concatenate([_map(m, _samples(r)) for r in boxes.get(f, [])] or [np.zeros((0, 2))])
        if not len(pts):
            continue
        inside = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
        hidden = ~inside
        if cover is not None:
            xi = np.clip(pts[:, 0].astype(int), 0, w - 1)
            yi = np.clip(pts[:, 1].astype(int), 0, h - 1)
            hidden |= cover[yi, xi] > 0.3
        if hidden.any():
            out.append(f)
    return out


def card_cut(quad: np.ndarray, w: int, h: int, cover: np.ndarray | None) -> bool:
    """Whether any part of the card lies outside the frame or under the cover."""
    if (quad[:, 0] < 0).any() or (quad[:, 0] > w).any() or (quad[:, 1] < 0).any() or (quad[:, 1] > h).any():
        return True
    if cover is None:
        return False
    m = np.zeros((h, w), np.uint8)
    cv2.fillPoly(m, [np.round(quad).astype(np.int32)], 1)
    return bool(((cover > 0.3) & (m > 0)).any())


def strong_glare(
    rng: np.random.Generator,
    img: np.ndarray,
    m: np.ndarray,
    boxes: Boxes,
    side: str,
    card_w: float,
    card_alpha: np.ndarray,
) -> tuple[np.ndarray, list[str]]:
    """A saturated specular highlight on the card's surface (card_alpha), centred on one text field (the text in
    its core is washed out). Returns the image and the fields with box points in the saturated core."""
    h, w = img.shape[:2]
    fields = [f for f in (FRONT_FIELDS if side == "front" else BACK_FIELDS) if boxes.get(f)]
    target = fields[int(rng.integers(len(fields)))]
    rect = boxes[target][int(rng.integers(len(boxes[target])))]
    cx = rect[0] + (rect[2] - rect[0]) * rng.uniform(0.2, 0.8)
    cy = (rect[1] + rect[3]) / 2
    gx, gy = _map(m, np.array([[cx, cy]]))[0]
    sx, sy = rng.uniform(0.045, 0.11, 2) * card_w
    th = rng.uniform(0, math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u = (xx - gx) * math.cos(th) + (yy - gy) * math.sin(th)
    v = -(xx - gx) * math.sin(th) + (yy - gy) * math.cos(th)
    g = np.exp(-((u / sx) ** 2 + (v / sy) ** 2) / 2)
    core = (np.clip(g * rng.uniform(1.5, 2.2), 0, 1) * card_alpha).astype(np.float32)
    amp = rng.uniform(0.93, 1.0)
    img = img + (255 - img) * (amp * core)[..., None]
    washed = []
    for f in fields:
        pts = np.concatenate([_map(m, _samples(r)) for r in boxes[f]])
        xi = np.clip(pts[:, 0].astype(int), 0, w - 1)
        yi = np.clip(pts[:, 1].astype(int), 0, h - 1)
        if (core[yi, xi] * amp > 0.9).any():
            washed.append(f)
    return img, washed


def strong_blur(rng: np.random.Generator, unit: float):
    """A blur that endangers reading (defocus sigma 3-4.5 or motion 16-28 px at a 856 px card), as a function."""
    if rng.random() < 0.6:
        sigma = rng.uniform(3.0, 4.5) * unit
        return lambda img: cv2.GaussianBlur(img, (0, 0), max(0.5, sigma))
    length = max(5, int(rng.uniform(16, 28) * unit))
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), float(rng.uniform(0, 180)), 1)
    k = cv2.warpAffine(k, rot, (length, length))
    k /= max(float(k.sum()), 1e-6)
    return lambda img: cv2.filter2D(img, -1, k)
