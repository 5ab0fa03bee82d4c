"""Flattening a grey copy: a grey stamp block turns light, the print under it stays dark."""

import numpy as np
from cnid_ocr.imaging.ink import PAPER, flatten, is_greyscale

TEXT_HEIGHT = 12.0


def stamped_copy() -> np.ndarray:
    """Grey paper with a dark stamp block (light characters stamped in it, as on BDCI copies) over a dark digit
    row's right half."""
    page = np.full((120, 240), 215, np.uint8)
    page[30:90, 120:220] = 85  # the block
    for x in range(128, 216, 10):  # its light characters' strokes, 3 px wide
        page[36:84, x : x + 3] = 235
    for x in range(20, 220, 12):  # the print: 4 px bars, half of them under the block
        page[70:86, x : x + 4] = 25
    return np.ascontiguousarray(np.repeat(page[:, :, None], 3, axis=2))


def test_the_block_turns_light_only_when_its_light_strokes_are_removed_first():
    page = stamped_copy()
    between_strokes = (slice(40, 66), slice(131, 138))  # block pixels next to a light stroke
    plain = flatten(page, TEXT_HEIGHT)[:, :, 0]
    opened = flatten(page, TEXT_HEIGHT, light_stroke=0.4)[:, :, 0]
    assert plain[between_strokes].mean() < 0.6 * PAPER  # the strokes held the background up: the block stays dark
    assert opened[between_strokes].mean() > 0.85 * PAPER


def test_print_under_the_block_stays_darker_than_the_block():
    page = stamped_copy()
    opened = flatten(page, TEXT_HEIGHT, light_stroke=0.4)[:, :, 0]
    bar_under_block = opened[72:84, 153:156]  # a bar at x=152..155 under the block
    block = opened[40:66, 131:138]
    assert bar_under_block.mean() < block.mean() - 60
    paper_bar = opened[72:84, 21:23]
    assert paper_bar.mean() < 0.3 * PAPER


def test_a_grey_copy_is_greyscale_and_a_tinted_card_is_not():
    page = stamped_copy()
    assert is_greyscale(page)
    tinted = page.copy()
    tinted[:, :, 0] = np.clip(tinted[:, :, 0].astype(int) + 30, 0, 255)
    assert not is_greyscale(tinted)
