"""Finding the cards on a page from its text boxes alone: every card is a cluster of text lines that run along one
direction, apart from the other cards' lines.

A page may hold several cards (a photocopy of both sides, two people's cards) at their own angles and each turned
its own way. Boxes are first grouped by the direction they run along (mod 180 degrees: a card turned by 90 degrees
is another group), then, within a direction, clustered by the gaps between them measured in text heights in that
direction's level frame: the rows of one card are at most a few text heights apart, two cards further. Two cards
closer than that (a generator's sheet of both sides, stacked) stay one cluster; extraction splits it by its labels,
and ``split_by_orientation`` splits it when its halves face opposite ways. Needs no model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .geometry import Quad, agrees, box_direction, level_angle, rotation_matrix

# Boxes within this many degrees of a group's direction belong to it.
DIRECTION_TOLERANCE = 15.0
# A direction group needs this share of the page's directional weight to be a card of its own (less: stray text
# at another angle, which joins the nearest group's clustering instead of making a card of its own).
MIN_GROUP_SHARE = 0.08


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    # Two boxes belong to one card when the gap between them is at most this many text heights across the lines
    # (rows of a card are < 4 heights apart; the cards of the development set's pages are >= 5.5 apart) ...
    row_gap: float = 4.6
    # ... and along the lines (a value is at most ~9 heights right of its label's row neighbour).
    column_gap: float = 9.0
    # Clusters with fewer boxes are not a card (a price tag, a stray word on the desk): neither looked at again nor
    # recognised. A back has at least its two titles and two labels; a far card whose first look saw fewer boxes is
    # looked at again at twice the scale first (pipeline).
    min_boxes: int = 3


@dataclass(slots=True)
class CardRegion:
    """The boxes of one card (page coordinates) and the turn that makes its lines level."""

    quads: list[Quad]
    angle: float  # degrees in (-90, 90]: the card's lines run level after turning the page by -angle
    text_height: float  # median box height, page pixels

    def level_boxes(self) -> np.ndarray:
        """N x 4 (left, top, right, bottom) of each quad in the card's level frame."""
        return _level_boxes(self.quads, self.angle)


def find_cards(quads: Sequence[Quad], options: ClusterOptions | None = None) -> list[CardRegion]:
    """The page's text boxes grouped into cards, largest first. Boxes too short to have a direction follow the
    nearest directional box; clusters smaller than ``options.min_boxes`` are dropped."""
    options = options or ClusterOptions()
    if not quads:
        return []
    groups = _direction_groups(list(quads))
    cards: list[CardRegion] = []
    for angle, members in groups:
        boxes = _level_boxes(members, angle)
        height = float(np.median(boxes[:, 3] - boxes[:, 1]))
        for cluster in _clusters(boxes, max(height, 1.0), options):
            if len(cluster) >= options.min_boxes:
                chosen = [members[i] for i in cluster]
                cards.append(CardRegion(chosen, level_angle(chosen) if _directional(chosen) else angle, height))
    cards.sort(key=lambda card: -len(card.quads))
    return cards


def split_by_orientation(
    region: CardRegion, upside_down: Sequence[float | None], min_lines: int = 3
) -> list[tuple[CardRegion, bool]]:
    """``region`` as one or two cards with whether each is turned by 180 degrees, from per-box votes
    (``upside_down[i]``: the classifier's share for box i, None when it was not asked).

    A sheet with one side upright and the other turned has two halves whose votes disagree: it is cut at the row
    gap (across the lines) that best separates the votes, when each half has ``min_lines`` voting boxes and both
    halves are decisive. Otherwise the majority decides for the whole region.
    """
    votes = [(i, share) for i, share in enumerate(upside_down) if share is not None]
    if not votes:
        return [(region, False)]
    overall = sum(share for _, share in votes) / len(votes)
    boxes = region.level_boxes()
    best: tuple[float, list[int], list[int]] | None = None
    centres = (boxes[:, 1] + boxes[:, 3]) / 2
    order = np.argsort(centres)
    for cut in range(1, len(order)):
        above, below = [int(i) for i in order[:cut]], [int(i) for i in order[cut:]]
        if boxes[above, 3].max() > boxes[below, 1].min():  # not a gap between rows
            continue
        a = [upside_down[i] for i in above if upside_down[i] is not None]
        b = [upside_down[i] for i in below if upside_down[i] is not None]
        if len(a) < min_lines or len(b) < min_lines:
            continue
        mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)  # type: ignore[arg-type]
        separation = abs(mean_a - mean_b)
        decisive = (mean_a > 0.5) != (mean_b > 0.5) and min(abs(mean_a - 0.5), abs(mean_b - 0.5)) >= 0.25
        if decisive and (best is None or separation > best[0]):
            best = (separation, above, below)
    if best is None:
        return [(region, overall > 0.5)]
    out = []
    for part in best[1:]:
        quads = [region.quads[i] for i in part]
        shares = [upside_down[i] for i in part if upside_down[i] is not None]
        out.append((CardRegion(quads, region.angle, region.text_height), sum(shares) / len(shares) > 0.5))  # type: ignore[arg-type]
    return out


def _directional(quads: Sequence[Quad]) -> bool:
    return any(box_direction(quad)[1] > 0 for quad in quads)


def _direction_groups(quads: list[Quad]) -> list[tuple[float, list[Quad]]]:
    """(level angle, members) per direction the boxes run along, heaviest first; short boxes join the group of
    the nearest directional box."""
    measured = [box_direction(quad) for quad in quads]
    total = sum(weight for _, weight in measured)
    remaining = [i for i, (_, weight) in enumerate(measured) if weight > 0]
    groups: list[tuple[float, list[int]]] = []
    while remaining:
        angle = level_angle([quads[i] for i in remaining])
        members = [i for i in remaining if agrees(quads[i], angle, DIRECTION_TOLERANCE)]
        if not members:  # cannot happen for the heaviest bin, but never loop forever
            members = remaining[:]
        weight = sum(measured[i][1] for i in members)
        if groups and weight < MIN_GROUP_SHARE * total:
            break
        groups.append((angle, members))
        remaining = [i for i in remaining if i not in members]
    if not groups:  # nothing elongated: one group, level
        return [(0.0, quads)]
    assigned = {i for _, members in groups for i in members}
    centres = np.array([quad.mean(axis=0) for quad in quads])
    anchors = [(g, i) for g, (_, members) in enumerate(groups) for i in members]
    for i in range(len(quads)):
        if i in assigned:
            continue
        g, _ = min(anchors, key=lambda anchor: float(np.linalg.norm(centres[anchor[1]] - centres[i])))
        groups[g][1].append(i)
    return [(angle, [quads[i] for i in members]) for angle, members in groups]


def _level_boxes(quads: Sequence[Quad], angle: float) -> np.ndarray:
    rotation = rotation_matrix(-angle)
    out = np.empty((len(quads), 4), dtype=np.float32)
    for k, quad in enumerate(quads):
        points = quad.astype(np.float32) @ rotation.T
        out[k] = (*points.min(axis=0), *points.max(axis=0))
    return out


def _clusters(boxes: np.ndarray, height: float, options: ClusterOptions) -> list[list[int]]:
    """Single-linkage clusters of level boxes: linked when the gaps across and along the lines are both small."""
    count = len(boxes)
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    left, top, right, bottom = boxes.T
    for i in range(count):
        gap_x = np.maximum(left - right[i], left[i] - right)
        gap_y = np.maximum(top - bottom[i], top[i] - bottom)
        linked = np.nonzero((gap_x <= options.column_gap * height) & (gap_y <= options.row_gap * height))[0]
        for j in linked:
            a, b = root(i), root(int(j))
            if a != b:
                parent[a] = b
    clusters: dict[int, list[int]] = {}
    for i in range(count):
        clusters.setdefault(root(i), []).append(i)
    return sorted(clusters.values(), key=lambda members: -len(members))
