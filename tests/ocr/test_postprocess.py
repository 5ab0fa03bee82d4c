"""Detector and recogniser post-processing, without a model: probability maps and CTC outputs made by hand."""

from __future__ import annotations

import numpy as np
import pytest
from cnid_ocr.ocr.postprocess import UNCLIP_RATIO, boxes_from_probability, ctc_decode


def probability_map(height: int, width: int, blobs: list[tuple[int, int, int, int, float]]) -> np.ndarray:
    prob = np.zeros((height, width), dtype=np.float32)
    for x0, y0, x1, y1, value in blobs:
        prob[y0:y1, x0:x1] = value
    return prob


def test_each_confident_region_becomes_one_box_grown_and_scaled_to_the_image() -> None:
    prob = probability_map(100, 200, [(20, 10, 120, 20, 0.9), (30, 60, 180, 74, 0.8)])
    quads = boxes_from_probability(prob, width=400, height=200)  # the map is half the image's size
    assert len(quads) == 2
    first, second = quads  # top to bottom
    assert first[0, 1] < second[0, 1]
    # A 100 x 10 region (101 x 11 px after dilation, 100 x 10 between its outline's pixel centres) grows by
    # area * ratio / perimeter on every side, then doubles with the map's scale.
    w, h = 100, 10
    grow = w * h * UNCLIP_RATIO / (2 * (w + h))
    assert first[1, 0] - first[0, 0] == pytest.approx(2 * (w + 2 * grow), abs=3)
    assert first[3, 1] - first[0, 1] == pytest.approx(2 * (h + 2 * grow), abs=3)
    # Corners in reading order: top-left, top-right, bottom-right, bottom-left.
    assert first[0, 0] < first[1, 0] and first[0, 1] < first[3, 1] and first[2, 0] > first[3, 0]


def test_weak_tiny_and_empty_regions_give_no_box() -> None:
    weak = probability_map(100, 200, [(20, 10, 120, 30, 0.4)])  # above the binary threshold, below the box one
    tiny = probability_map(100, 200, [(20, 10, 22, 12, 0.99)])
    assert boxes_from_probability(weak, 200, 100) == []
    assert boxes_from_probability(tiny, 200, 100) == []
    assert boxes_from_probability(np.zeros((64, 64), np.float32), 64, 64) == []


def test_boxes_stay_inside_the_image() -> None:
    prob = probability_map(50, 50, [(0, 0, 50, 12, 0.95)])
    (quad,) = boxes_from_probability(prob, 100, 100)
    assert quad.min() >= 0 and quad.max() <= 99


def one_hot(sequence: list[int], classes: int, confidence: float = 0.9) -> np.ndarray:
    out = np.full((len(sequence), classes), (1 - confidence) / (classes - 1), dtype=np.float32)
    out[np.arange(len(sequence)), sequence] = confidence
    return out


def test_ctc_drops_blanks_and_repeats_but_keeps_letters_split_by_a_blank() -> None:
    characters = ["", "1", "2", "X", " "]
    rows = np.stack([one_hot([1, 1, 0, 1, 2, 2, 3, 0], 5), one_hot([0] * 8, 5)])
    rows[0, 6, 3] = 0.5  # a less certain last character lowers the mean
    (text, score), (empty, nothing) = ctc_decode(rows, characters)
    assert text == "112X"
    assert score == pytest.approx((0.9 * 3 + 0.5) / 4)
    assert (empty, nothing) == ("", 0.0)


def test_recogniser_batches_group_lines_of_about_the_same_width() -> None:
    from cnid_ocr.ocr.engine import MIN_REC_WIDTH, WIDTH_SLACK, _width_batches

    # Lines 48 px high: their input width is their own width, at least MIN_REC_WIDTH.
    widths = [100, 900, 60, 330, 200, 600, 640, 1000]
    crops = [np.zeros((48, w, 3), np.uint8) for w in widths]
    groups = _width_batches(crops, size=3)
    assert sorted(i for group, _ in groups for i in group) == list(range(len(crops)))
    for group, width in groups:
        assert len(group) <= 3
        needs = [max(MIN_REC_WIDTH, widths[i]) for i in group]
        assert width == max(needs) and max(needs) <= min(needs) * WIDTH_SLACK
    assert groups[0] == ([0, 2, 4], MIN_REC_WIDTH)  # the short lines share one padded input
    assert ([1, 7], 1000) in groups and ([5, 6], 640) in groups
