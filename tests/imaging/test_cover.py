"""An object over the card's edge (imaging.cover) on drawn cards: a coin, a thumb or a pen over an edge is seen; a
shadow, a highlight or the desk beyond an edge inferred is not."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from cnid_ocr.imaging.cover import covered
from cnid_ocr.imaging.frame import card_frame

from .test_geometry import drawn_card, rect

EDGES = frozenset({"top", "right", "bottom", "left"})
CARD = rect(200, 150, 856, 540)  # where drawn_card puts the card


@pytest.mark.parametrize(
    "draw",
    [
        lambda image: cv2.circle(image, (1056, 690), 90, (70, 140, 190), -1),  # a gold coin over a corner
        lambda image: cv2.circle(image, (600, 150), 70, (120, 160, 215), -1),  # a thumb's tip over the top edge
        lambda image: cv2.line(image, (100, 420), (420, 470), (40, 170, 40), 44),  # a pen across the left edge
    ],
)
def test_an_object_over_an_edge_covers_the_card(draw):
    image, _ = drawn_card(colour=True)
    assert not covered(image, CARD, EDGES)
    draw(image)
    assert covered(image, CARD, EDGES)


def test_a_shadow_or_a_highlight_over_an_edge_covers_nothing():
    image, _ = drawn_card(colour=True)
    light = np.ones(image.shape[:2], np.float32)
    light[:, :600] = 0.55  # a shadow over the card's left half, edges included
    light = cv2.GaussianBlur(light, (0, 0), 25)
    lit = image.astype(np.float32) * light[..., None]
    cv2.circle(lit, (1000, 200), 60, (255, 255, 255), -1)  # a highlight at the top right corner
    assert not covered(np.clip(lit, 0, 255).astype(np.uint8), CARD, EDGES)


def test_only_the_edges_seen_are_judged():
    image, _ = drawn_card(colour=True)
    cv2.circle(image, (200, 420), 70, (70, 140, 190), -1)  # over the middle of the left edge only
    assert covered(image, CARD, EDGES)
    assert not covered(image, CARD, EDGES - {"left"})  # an inferred edge may lie on the desk: not judged


def test_a_whole_edge_without_paper_is_an_outline_off_the_card_not_a_cover():
    image, _ = drawn_card(colour=True)
    cv2.rectangle(image, (200, 150), (1056, 260), (40, 40, 40), -1)  # the outline's top 20% is desk
    assert not covered(image, CARD, frozenset({"top"}))


def test_card_frame_calls_a_covered_card_cut_off():
    image, text = drawn_card(colour=True)
    identity = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    assert not card_frame(image, identity, text, "front").cut_off
    cv2.circle(image, (1056, 690), 90, (70, 140, 190), -1)
    assert card_frame(image, identity, text, "front").cut_off


def test_a_greyscale_image_has_no_tint_to_judge_by():
    image, _ = drawn_card(colour=False)
    cv2.circle(image, (1056, 690), 90, (90, 90, 90), -1)
    assert not covered(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), CARD, EDGES)
