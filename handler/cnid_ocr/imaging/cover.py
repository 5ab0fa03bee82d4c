"""Whether something lies over the card's edge: a thumb, a coin, a pen or a note covers part of it.

A card's edge has its paper just inside it all along, whatever the light: a shadow darkens the paper but keeps its
tint, and no print reaches the outer 4% of a card (the front's portrait, the nearest, stops 4% inside its right
edge). So along each edge the card's outline found (``CardFrame``), looked at across the edge from a little outside
to a little inside it (an outline a few percent off still crosses the paper), the paper shows on every point of a
whole card; where an object lies over the edge, a run of points shows none. Only the edges card_frame saw are
judged: an inferred edge may lie off the card, where the desk shows no paper either, and so may the ends of the seen
edges next to it. Needs no model.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# The edges at the start and the end of each edge's points (left to right, top to bottom).
NEIGHBOURS = {
    "top": ("left", "right"),
    "bottom": ("left", "right"),
    "left": ("top", "bottom"),
    "right": ("top", "bottom"),
}


@dataclass(frozen=True, slots=True)
class CoverOptions:
    # The canvas the card is rectified to (pixels), with this share of its size around it.
    canvas: tuple[int, int] = (428, 270)
    pad: float = 0.05
    # Across each edge, from this share of the card's size outside it to this share inside it.
    outside: float = 0.03
    inside: float = 0.06
    # Paper shows at a point of the edge when a run of this share of the card's size across the edge is paper:
    # within chroma_tolerance (levels, blue-green and red-green) of the paper's tint scaled to the pixel's brightness,
    # and between brightness_range of the paper's brightness (a shadow, a highlight).
    paper_run: float = 0.012
    chroma_tolerance: float = 25.0
    brightness_range: tuple[float, float] = (0.4, 1.3)
    # A run of points without paper longer than min_gap of an edge is an object over it. A run longer than max_gap
    # is not (no object covers a whole edge): the outline is off there.
    min_gap: float = 0.05
    max_gap: float = 0.9
    # Not judged on a crop of the card: an outline within desk_margin of the card's height of crop_borders or more
    # of the image's borders. A tight crop or a scan has no desk to tell an object from, and its outline, placed
    # against the image's borders, is least sure there (a colour specimen crop of the real set, its portrait taken
    # for its edge).
    desk_margin: float = 0.02
    crop_borders: int = 2


def covered(image: np.ndarray, corners: np.ndarray, seen: frozenset[str], options: CoverOptions | None = None) -> bool:
    """Whether an object lies over one of the ``seen`` edges of the card under ``corners`` (4 x 2 image pixels,
    clockwise from the card's top-left, upright)."""
    options = options or CoverOptions()
    if image.ndim != 3 or not seen:
        return False  # a greyscale image has no tint to tell the paper by
    if _borders_touched(corners, image.shape, options.desk_margin) >= options.crop_borders:
        return False
    paper_mask = _paper_mask(image, corners, options)
    if paper_mask is None:
        return False
    width, height = options.canvas
    x0, y0 = round(options.pad * width), round(options.pad * height)
    out_x, out_y = round(options.outside * width), round(options.outside * height)
    in_x, in_y = round(options.inside * width), round(options.inside * height)
    bands = {  # (across the edge, along it), outside first
        "top": paper_mask[y0 - out_y : y0 + in_y, x0 : x0 + width],
        "bottom": paper_mask[y0 + height - in_y : y0 + height + out_y, x0 : x0 + width][::-1],
        "left": paper_mask[y0 : y0 + height, x0 - out_x : x0 + in_x].T,
        "right": paper_mask[y0 : y0 + height, x0 + width - in_x : x0 + width + out_x].T[::-1],
    }
    for edge in seen:
        run = max(1, round(options.paper_run * (height if edge in ("top", "bottom") else width)))
        first, last = NEIGHBOURS[edge]
        gap = _longest_gap(_paper_across(bands[edge], run), first in seen, last in seen)
        if options.min_gap <= gap <= options.max_gap:
            return True
    return False


def _borders_touched(corners: np.ndarray, shape: tuple[int, ...], margin: float) -> int:
    """How many of the image's borders the outline comes within ``margin`` of the card's height of."""
    height, width = shape[:2]
    slack = margin * float(np.linalg.norm(corners[3] - corners[0]))
    xs, ys = corners[:, 0], corners[:, 1]
    return (
        int(xs.min() < slack)
        + int(ys.min() < slack)
        + int(xs.max() > width - 1 - slack)
        + int(ys.max() > height - 1 - slack)
    )


def _paper_mask(image: np.ndarray, corners: np.ndarray, options: CoverOptions) -> np.ndarray | None:
    """The padded canvas's pixels that look like the card's paper (outside the image counts as paper: nothing is
    known to cover it)."""
    width, height = options.canvas
    x0, y0 = options.pad * width, options.pad * height
    size = (round(width + 2 * x0), round(height + 2 * y0))
    target = np.array([[x0, y0], [x0 + width, y0], [x0 + width, y0 + height], [x0, y0 + height]], np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    canvas = cv2.warpPerspective(image, matrix, size, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT)
    inside_image = cv2.warpPerspective(np.full(image.shape[:2], 255, np.uint8), matrix, size, flags=cv2.INTER_NEAREST)
    pixels = canvas.astype(np.float32)
    rows = slice(round(y0 + 0.03 * height), round(y0 + 0.97 * height))
    inner = (rows, slice(round(x0 + 0.03 * width), round(x0 + 0.97 * width)))
    flat = pixels[inner].reshape(-1, 3)[(inside_image[inner] > 0).ravel()]
    if flat.shape[0] < 100:
        return None
    light = flat.mean(axis=1)
    paper = np.median(flat[light >= np.percentile(light, 60)], axis=0)
    brightness = pixels.mean(axis=2) / max(float(paper.mean()), 1.0)
    tint = np.array([paper[0] - paper[1], paper[2] - paper[1]], np.float32)
    chroma = np.stack([pixels[..., 0] - pixels[..., 1], pixels[..., 2] - pixels[..., 1]], axis=-1)
    off_tint = np.abs(chroma - brightness[..., None] * tint).max(axis=-1)
    low, high = options.brightness_range
    like = (off_tint <= options.chroma_tolerance) & (brightness >= low) & (brightness <= high)
    return like | (inside_image == 0)


def _paper_across(band: np.ndarray, run: int) -> np.ndarray:
    """Per point along the edge, whether a run of ``run`` paper pixels crosses it."""
    if band.shape[0] < run:
        return np.ones(band.shape[1], dtype=bool)
    counts = np.vstack([np.zeros((1, band.shape[1])), np.cumsum(band, axis=0)])
    return ((counts[run:] - counts[:-run]) >= run).any(axis=0)


def _longest_gap(present: np.ndarray, from_start: bool = True, to_end: bool = True) -> float:
    """The longest run of False in ``present``, as a share of its length; a run at its start (end) only when
    ``from_start`` (``to_end``): next to an inferred edge, a seen edge's end may run past the card's corner."""
    padded = np.concatenate([[True], present, [True]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    starts, ends = edges[::2], edges[1::2]
    keep = ((starts > 0) | from_start) & ((ends < len(present)) | to_end)
    return float((ends - starts)[keep].max()) / len(present) if keep.any() else 0.0
