"""The card's own outline around a side's text: the card edges found near the text block, the card rectified to its
canonical frame (upright, perspective removed, 85.6:54), and where its portrait is printed.

The text gives the card's direction and roughly its place; the edges are the strongest straight brightness steps
parallel to the text rows (top, bottom) and across them (left, right) just outside the text block, allowed a few
degrees of slant each (perspective). An edge not found (the card runs off the image, or nothing contrasts with the
desk) is inferred from the others and the card's aspect ratio; an outline that leaves the image far, a text box on
the card that touches the image's border, or the card's paper colour along a border the outline reaches past, means
the card is cut off. Needs no model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from .cover import CoverOptions, covered
from .geometry import apply_affine

CARD_ASPECT = 85.6 / 54.0
CARD_SIZE = (856, 540)  # the canonical frame, pixels (10 per mm)
# The portrait on the front, as fractions of the card (the printed photo window of the portrait side).
PORTRAIT = (0.62, 0.08, 0.96, 0.70)


# Where a side's text block sits on the card: its margins (left, top, right, bottom) as shares of the card's width
# and height. Measured on generated scans (medians of 43 fronts and 26 backs, edges found: the 10-90% range is
# within +-0.02) and checked on the real development cards (a front's label column at 0.066 W, its first row at
# 0.12 H).
MARGINS = {"front": (0.06, 0.124, 0.071, 0.088), "back": (0.186, 0.114, 0.169, 0.091)}


@dataclass(frozen=True, slots=True)
class FrameOptions:
    # How far from where the margins put it an edge is looked for, as a share of the card's width / height.
    search: float = 0.08
    # Width of the levelled canvas the edges are measured on (pixels).
    canvas_width: int = 640
    # Slants tried for each edge (degrees): perspective tilts a card's edges a little against its text rows.
    slants: tuple[float, ...] = (-2.0, 0.0, 2.0)
    # An edge needs this much more gradient than the search window's median to count as found.
    min_contrast: float = 3.0
    # A found outline whose aspect ratio is off by more than this share is not trusted as a whole.
    aspect_tolerance: float = 0.18
    # The card (where the text's margins put it) may leave the image by this share of its size before it counts as
    # cut off. On scans the margins hold within +-0.02, but on the generated benchmark's whole cards the estimate left
    # the image by up to 0.35 (tight crops, layouts with other margins), so only a card far outside counts.
    cut_off_margin: float = 0.36
    # A text box on the card reaching this close to the image's border (share of the card's width) is cut by it:
    # a whole card prints its text at least 6% of its width inside its edges (MARGINS).
    text_border_margin: float = 0.01
    # The card's paper at the image's border: where the outline (grown by outline_grow, for its own error) reaches
    # past a border, the border runs through the card if at least paper_share of it there has the card's paper
    # colour (within paper_tolerance per channel) over at least paper_reach of the card's height. Not on a tight crop
    # or a scan, where tight_crop_borders of the four borders are mostly (tight_crop_share) paper coloured.
    # Chosen on a calibration set (seed 777), checked on the benchmark and the real set (README, card warnings).
    outline_grow: float = 1.03
    # An edge that was not seen but inferred is placed to within this share of the card's height: it counts as
    # reaching a border it lies this close to (a card cut a little by the frame has its edge inferred at the border).
    inferred_slack: float = 0.02
    paper_reach: float = 0.2
    paper_share: float = 0.5
    paper_tolerance: float = 30.0
    tight_crop_share: float = 0.6
    tight_crop_borders: int = 3
    # An object over one of the edges seen (imaging.cover): the card is covered, and so cut off.
    cover: CoverOptions = field(default_factory=CoverOptions)


@dataclass(frozen=True, slots=True)
class CardFrame:
    corners: np.ndarray  # 4 x 2 image pixels, clockwise from the card's top-left (upright)
    seen_edges: frozenset[str]  # the card's edges (top, right, bottom, left) seen; the others were inferred
    cut_off: bool  # part of the card lies outside the image or under an object

    @property
    def found_edges(self) -> int:
        return len(self.seen_edges)

    def rectified(self, image: np.ndarray, size: tuple[int, int] = CARD_SIZE) -> np.ndarray:
        """The card upright in its canonical frame (perspective removed)."""
        width, height = size
        target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
        matrix = cv2.getPerspectiveTransform(self.corners.astype(np.float32), target)
        return cv2.warpPerspective(image, matrix, size, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)


def card_frame(
    image: np.ndarray,
    level_to_image: np.ndarray,
    text_box: tuple[float, float, float, float],
    side: str,
    options: FrameOptions | None = None,
    line_corners: np.ndarray | None = None,
) -> CardFrame:
    """The outline of the card whose ``side`` has its text block at ``text_box`` (left, top, right, bottom in the
    side's level, upright frame), ``level_to_image`` the 2x3 affine map from that frame to ``image``'s pixels;
    ``line_corners`` (N x 4 x 2 image pixels) are its text boxes, for the cut-off test."""
    options = options or FrameOptions()
    expected = expected_outline(text_box, side)
    left, top, right, bottom = expected
    width, height = right - left, bottom - top
    pad_x, pad_y = (options.search + 0.02) * width, (options.search + 0.02) * height
    window = (left - pad_x, top - pad_y, right + pad_x, bottom + pad_y)
    scale = options.canvas_width / (window[2] - window[0])
    canvas_size = (options.canvas_width, max(32, int(round((window[3] - window[1]) * scale))))
    # canvas -> level frame -> image: the image is sampled on the canvas through the inverse map.
    canvas_to_level = np.array([[1 / scale, 0, window[0]], [0, 1 / scale, window[1]]], dtype=np.float64)
    canvas_to_image = _compose(level_to_image, canvas_to_level)
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    flags = cv2.INTER_AREA | cv2.WARP_INVERSE_MAP
    canvas = cv2.warpAffine(grey, canvas_to_image, canvas_size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    inside = np.full(grey.shape, 255, dtype=np.uint8)
    valid = cv2.warpAffine(inside, canvas_to_image, canvas_size, flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
    card = tuple((v - o) * scale for v, o in zip(expected, (window[0], window[1], window[0], window[1]), strict=True))
    edges = _edges(canvas.astype(np.float32), valid > 0, card, options)
    corners_canvas, found = _outline(edges, card, options)
    corners = apply_affine(canvas_to_image, corners_canvas)
    expected_corners = apply_affine(level_to_image, _rectangle(expected))
    cut_off = (
        _leaves(expected_corners, grey.shape, options.cut_off_margin)
        or _text_at_border(line_corners, corners, grey.shape, options.text_border_margin)
        or _paper_at_border(image, corners, _inferred_out(corners, found, options.inferred_slack), options)
        or covered(image, corners, found, options.cover)
    )
    if not cut_off:  # the card is whole: an edge it seemed to have outside the image is the image's border
        corners = _clip(corners, grey.shape)
    return CardFrame(corners, found, cut_off)


def expected_outline(text_box: tuple[float, float, float, float], side: str) -> tuple[float, float, float, float]:
    """The card's rectangle (same frame as ``text_box``) where the side's typical margins put it."""
    left, top, right, bottom = text_box
    m_left, m_top, m_right, m_bottom = MARGINS[side]
    width = (right - left) / (1 - m_left - m_right)
    height = (bottom - top) / (1 - m_top - m_bottom)
    # The text's width and height each say how big the card is; the aspect ratio ties them (a short name row or
    # a long address moves one of them more than the card does).
    size = (width + height * CARD_ASPECT) / 2
    width, height = size, size / CARD_ASPECT
    cx = left - m_left * width + width / 2 + ((right + m_right * width) - (left - m_left * width) - width) / 2
    cy = top - m_top * height + height / 2 + ((bottom + m_bottom * height) - (top - m_top * height) - height) / 2
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


def portrait_corners(frame: CardFrame) -> np.ndarray:
    """Where the front's portrait is printed, as image corners (clockwise from top-left)."""
    x0, y0, x1, y1 = PORTRAIT
    unit = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)
    square = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(square, frame.corners.astype(np.float32))
    return cv2.perspectiveTransform(unit[None], matrix)[0]


# ---------------------------------------------------------------------------------------------------------------


Line = tuple[float, float]  # an edge as (offset at the canvas centre, slope) along its own axis


def _edges(
    canvas: np.ndarray, valid: np.ndarray, card: tuple[float, ...], options: FrameOptions
) -> dict[str, Line | None]:
    """Per side, the strongest straight edge near where the card's edge is expected (or None)."""
    smooth = cv2.GaussianBlur(canvas, (0, 0), 1.2)
    across = np.abs(cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3))  # horizontal edges (top, bottom)
    along = np.abs(cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3))  # vertical edges (left, right)
    # Nothing outside the image counts (its border would look like an edge).
    across[~valid] = 0
    along[~valid] = 0
    left, top, right, bottom = card
    dx, dy = options.search * (right - left), options.search * (bottom - top)
    inner_x = (left + 0.15 * (right - left), right - 0.15 * (right - left))
    inner_y = (top + 0.15 * (bottom - top), bottom - 0.15 * (bottom - top))
    return {
        "top": _best_line(across, inner_x, (top - dy, top + dy), options),
        "bottom": _best_line(across, inner_x, (bottom - dy, bottom + dy), options),
        "left": _best_line(along.T, inner_y, (left - dx, left + dx), options),
        "right": _best_line(along.T, inner_y, (right - dx, right + dx), options),
    }


def _best_line(
    gradient: np.ndarray, span: tuple[float, float], reach: tuple[float, float], options: FrameOptions
) -> Line | None:
    """The straight line y = c + slope * (x - centre) with the highest mean gradient over ``span`` of x, for c
    within ``reach``; ``gradient`` is indexed [y, x] along the edge's own axes."""
    rows, cols = gradient.shape
    lo, hi = int(max(0, reach[0])), int(min(rows - 1, reach[1]))
    x0, x1 = int(max(0, span[0])), int(min(cols, span[1]))
    if hi - lo < 3 or x1 - x0 < 8:
        return None
    xs = np.arange(x0, x1, max(1, (x1 - x0) // 120))
    centre = (x0 + x1) / 2
    best: tuple[float, float, float] | None = None
    floor = float(np.median(gradient[lo : hi + 1, x0:x1])) + 1e-3
    expected, reach_half = (reach[0] + reach[1]) / 2, max(1.0, (reach[1] - reach[0]) / 2)
    for degrees in options.slants:
        slope = math.tan(math.radians(degrees))
        offsets = np.round(slope * (xs - centre)).astype(int)
        for c in range(lo, hi + 1):
            ys = c + offsets
            inside = (ys >= 0) & (ys < rows)
            if inside.sum() < len(xs) * 0.8:
                continue
            # A card edge runs the whole length: the median, not the mean, so text strokes or a stamp do not count.
            score = float(np.median(gradient[ys[inside], xs[inside]]))
            weighted = score * (1 - 0.4 * abs(c - expected) / reach_half)  # nearer where the margins put it
            if best is None or weighted > best[0]:
                best = (weighted, float(c), slope)
    if best is None or best[0] < options.min_contrast * floor:
        return None
    return best[1], best[2]


def _outline(
    edges: dict[str, Line | None], card: tuple[float, ...], options: FrameOptions
) -> tuple[np.ndarray, frozenset[str]]:
    """Four canvas corners from the edges found; a missing edge (or a pair that breaks the aspect ratio) is put
    where the found ones and the aspect ratio say, else where the text's margins put it."""
    left, top, right, bottom = card
    cx, cy = (left + right) / 2, (top + bottom) / 2
    t, b = _offset(edges["top"]), _offset(edges["bottom"])
    lft, rgt = _offset(edges["left"]), _offset(edges["right"])
    complete = lft is not None and rgt is not None and t is not None and b is not None
    if complete and abs((rgt - lft) / (b - t) / CARD_ASPECT - 1) > options.aspect_tolerance:  # type: ignore[operator]
        # One pair is wrong (a desk edge, a shadow, a stamp's frame): keep the pair nearer its expectation.
        if abs(lft - left) + abs(rgt - right) > abs(t - top) + abs(b - bottom):  # type: ignore[operator]
            lft = rgt = None
        else:
            t = b = None
    offsets = {"top": t, "bottom": b, "left": lft, "right": rgt}
    found = frozenset(name for name, offset in offsets.items() if offset is not None)
    w = rgt - lft if lft is not None and rgt is not None else None
    h = b - t if t is not None and b is not None else None
    if w is None:
        w = h * CARD_ASPECT if h is not None else right - left
    if h is None:
        h = w / CARD_ASPECT
    if lft is None:
        lft = rgt - w if rgt is not None else cx - w / 2
    if rgt is None:
        rgt = lft + w
    if t is None:
        t = b - h if b is not None else cy - h / 2
    if b is None:
        b = t + h
    corners = np.array([[lft, t], [rgt, t], [rgt, b], [lft, b]], dtype=np.float32)
    kept = {name: edge for name, edge in edges.items() if edge is not None}
    return _slanted(corners, kept, cx, cy), found


def _offset(edge: Line | None) -> float | None:
    return None if edge is None else edge[0]


def _slanted(corners: np.ndarray, edges: dict[str, Line], cx: float, cy: float) -> np.ndarray:
    """Corners moved along the found edges' slants (perspective: each edge may lean a little)."""
    out = corners.copy()
    (lft, t), (rgt, _), (_, b), _ = corners
    for name, index, axis, centre in (
        ("top", (0, 1), 1, cx),
        ("bottom", (3, 2), 1, cx),
        ("left", (0, 3), 0, cy),
        ("right", (1, 2), 0, cy),
    ):
        edge = edges.get(name)
        if edge is None:
            continue
        for i in index:
            along = out[i, 1 - axis]
            out[i, axis] = out[i, axis] + edge[1] * (along - centre)
    return out


def _rectangle(box: tuple[float, float, float, float]) -> np.ndarray:
    left, top, right, bottom = box
    return np.array([[left, top], [right, top], [right, bottom], [left, bottom]], dtype=np.float64)


def _clip(corners: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    height, width = shape[:2]
    out = corners.copy()
    out[:, 0] = np.clip(out[:, 0], 0, width - 1)
    out[:, 1] = np.clip(out[:, 1], 0, height - 1)
    return out


def _compose(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """The 2x3 affine of ``outer`` after ``inner``."""
    a = np.vstack([outer, [0, 0, 1]])
    b = np.vstack([inner, [0, 0, 1]])
    return (a @ b)[:2]


def _text_at_border(
    line_corners: np.ndarray | None, outline: np.ndarray, shape: tuple[int, ...], margin: float
) -> bool:
    """A text box on the card (its centre inside the outline: not clutter beside it) that reaches the image's
    border: the border cuts the card's text."""
    if line_corners is None or not len(line_corners):
        return False
    height, width = shape[:2]
    slack = margin * float(np.linalg.norm(outline[1] - outline[0]))
    polygon = outline.astype(np.float32).reshape(-1, 1, 2)
    for box in line_corners:
        centre = box.mean(axis=0)
        if cv2.pointPolygonTest(polygon, (float(centre[0]), float(centre[1])), False) < 0:
            continue
        if (box[:, 0] < slack).any() or (box[:, 1] < slack).any():
            return True
        if (box[:, 0] > width - 1 - slack).any() or (box[:, 1] > height - 1 - slack).any():
            return True
    return False


def _inferred_out(corners: np.ndarray, seen: frozenset[str], slack: float) -> np.ndarray:
    """The outline with each edge that was inferred, not seen, moved out by ``slack`` of the card's height."""
    out = corners.astype(np.float64).copy()
    centre = corners.mean(axis=0)
    size = slack * float(np.linalg.norm(corners[3] - corners[0]))
    for edge, (i, j) in {"top": (0, 1), "right": (1, 2), "bottom": (2, 3), "left": (3, 0)}.items():
        if edge in seen:
            continue
        along = corners[j] - corners[i]
        normal = np.array([along[1], -along[0]]) / max(float(np.linalg.norm(along)), 1e-6)
        if normal @ ((corners[i] + corners[j]) / 2 - centre) < 0:
            normal = -normal
        out[i] += normal * size
        out[j] += normal * size
    return out


def _paper_at_border(image: np.ndarray, corners: np.ndarray, reach: np.ndarray, options: FrameOptions) -> bool:
    """Whether an image border runs through the card: the outline (``reach`` where it may lie) reaches past it, and
    the border's pixels inside the outline have the colour of the card's paper (not the desk's), unless the whole
    image is card (a tight crop)."""
    height, width = image.shape[:2]
    centre = corners.mean(axis=0)
    grown = centre + (corners - centre) * options.outline_grow
    card_height = float(np.linalg.norm(corners[3] - corners[0]))
    pixels = image if image.ndim == 3 else image[:, :, None]
    paper = _paper_colour(pixels, corners)
    if paper is None or card_height < 1:
        return False
    step = 2
    xs, ys = np.arange(0, width, step), np.arange(0, height, step)
    borders = {  # the border's pixels, and how far (pixels) the outline reaches past it
        "top": (np.stack([xs, np.full_like(xs, 1)], 1), -reach[:, 1].min()),
        "bottom": (np.stack([xs, np.full_like(xs, height - 2)], 1), reach[:, 1].max() - (height - 1)),
        "left": (np.stack([np.full_like(ys, 1), ys], 1), -reach[:, 0].min()),
        "right": (np.stack([np.full_like(ys, width - 2), ys], 1), reach[:, 0].max() - (width - 1)),
    }
    tight = 0
    through = False
    for points, beyond in borders.values():
        like = np.abs(pixels[points[:, 1], points[:, 0]].astype(np.float32) - paper).max(axis=1)
        like = like <= options.paper_tolerance
        tight += bool(like.mean() >= options.tight_crop_share)
        inside = _inside_quad(points.astype(np.float64), grown)
        reach = inside.sum() * step / card_height
        if beyond >= 0 and reach >= options.paper_reach and like[inside].mean() >= options.paper_share:
            through = True
    return through and tight < options.tight_crop_borders


def _paper_colour(pixels: np.ndarray, corners: np.ndarray) -> np.ndarray | None:
    """The card's paper: the median colour of the lighter 40% of a grid of points inside the outline."""
    u, v = np.meshgrid(np.linspace(0.05, 0.95, 40), np.linspace(0.05, 0.95, 25))
    u, v = u.ravel()[:, None], v.ravel()[:, None]
    top = corners[0] + (corners[1] - corners[0]) * u
    bottom = corners[3] + (corners[2] - corners[3]) * u
    points = np.round(top + (bottom - top) * v).astype(int)
    height, width = pixels.shape[:2]
    keep = (points[:, 0] >= 0) & (points[:, 0] < width) & (points[:, 1] >= 0) & (points[:, 1] < height)
    if keep.sum() < 50:
        return None
    colours = pixels[points[keep, 1], points[keep, 0]].astype(np.float32)
    light = colours.mean(axis=1)
    return np.median(colours[light >= np.percentile(light, 60)], axis=0)


def _inside_quad(points: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Which points lie inside the convex quadrilateral ``quad`` (either winding)."""
    starts, ends = quad[:, None, :], np.roll(quad, -1, axis=0)[:, None, :]
    edge, offset = ends - starts, points[None, :, :] - starts
    signs = edge[..., 0] * offset[..., 1] - edge[..., 1] * offset[..., 0]
    return (signs >= 0).all(axis=0) | (signs <= 0).all(axis=0)


def _leaves(corners: np.ndarray, shape: tuple[int, ...], margin: float) -> bool:
    height, width = shape[:2]
    size = float(np.linalg.norm(corners[1] - corners[0]))
    slack = margin * size
    return bool(
        (corners[:, 0] < -slack).any()
        or (corners[:, 1] < -slack).any()
        or (corners[:, 0] > width - 1 + slack).any()
        or (corners[:, 1] > height - 1 + slack).any()
    )
