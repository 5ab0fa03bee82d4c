"""Geometry of boxes without a model: levelling and mapping back, corner order, crops, the card's outline."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from cardgen.photo import motion_kernel
from cnid_ocr.imaging.frame import CARD_SIZE, card_frame, expected_outline
from cnid_ocr.imaging.geometry import (
    apply_affine,
    crop_line,
    fit_affine,
    flip,
    level_angle,
    level_region,
    map_back,
    reading_order,
    rotation_matrix,
    upright,
)
from cnid_ocr.imaging.quality import QualityOptions, card_quality, image_is_blurred


def rect(x: float, y: float, w: float, h: float) -> np.ndarray:
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float32)


def turned(quad: np.ndarray, degrees: float, about=(500.0, 500.0)) -> np.ndarray:
    centre = np.array(about, dtype=np.float64)
    return ((quad - centre) @ rotation_matrix(degrees).T + centre).astype(np.float32)


@pytest.mark.parametrize("degrees", [-30.0, -3.0, 0.0, 12.0, 45.0])
def test_level_region_and_map_back_are_inverse(degrees):
    image = np.full((1000, 1000, 3), 255, dtype=np.uint8)
    quads = [turned(rect(300, 300 + 60 * i, 300, 30), degrees) for i in range(4)]
    levelled, matrix = level_region(image, quads, degrees, 1.5, 1600)
    back = map_back([apply_affine(matrix, quad) for quad in quads], matrix)
    for original, again in zip(quads, back, strict=True):
        assert np.allclose(original, again, atol=0.05)
    assert level_angle(quads) == pytest.approx(degrees, abs=0.5)
    assert max(levelled.shape[:2]) <= 1600


@pytest.mark.parametrize("degrees", [0.0, 30.0, 90.0, -90.0, 170.0])
def test_upright_orders_corners_for_reading_and_flip_turns_them(degrees):
    quad = turned(rect(400, 480, 200, 40), degrees)
    ((original, level),) = upright([quad], level_angle([quad]))
    assert reading_order(level) == [0, 1, 2, 3]  # TL, TR, BR, BL once level
    assert level[1, 0] > level[0, 0] and level[3, 1] > level[0, 1]
    ((turned_original, turned_level),) = flip([(original, level)])
    assert np.allclose(turned_original[0], original[2]) and np.allclose(turned_level, -level[[2, 3, 0, 1]])


def test_a_crop_at_the_image_edge_is_whole_and_upright():
    image = np.zeros((100, 200, 3), dtype=np.uint8)
    image[:, :, :] = np.arange(200, dtype=np.uint8)[None, :, None]  # brighter to the right
    crop = crop_line(image, rect(150, 10, 80, 20), min_height=48)  # runs off the right edge
    assert crop.shape[0] == 48 and crop.shape[1] == round(80 * 48 / 20)
    assert crop[:, -1].mean() >= crop[:, 0].mean()  # replicated border, not black


def test_fit_affine_recovers_a_similarity():
    source = np.array([[0, 0], [10, 0], [10, 5], [0, 5], [3, 2]], dtype=np.float64)
    rad = math.radians(20)
    matrix = np.array([[2 * math.cos(rad), -2 * math.sin(rad), 7], [2 * math.sin(rad), 2 * math.cos(rad), -3]])
    target = source @ matrix[:, :2].T + matrix[:, 2]
    assert np.allclose(fit_affine(source, target), matrix, atol=1e-9)


def drawn_card(colour: bool) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """A card-sized light rectangle on a dark desk with a text block where a front prints its text."""
    image = np.full((900, 1300, 3), 40, dtype=np.uint8)
    left, top, width, height = 200, 150, 856, 540
    paper = (235, 225, 245) if colour else (232, 232, 232)
    cv2.rectangle(image, (left, top), (left + width, top + height), paper, -1)
    text = expected_inverse(left, top, width, height)
    x0, y0, x1, y1 = (int(v) for v in text)
    for y in range(y0, y1, 60):
        cv2.rectangle(image, (x0, y), (x1 - 150, y + 24), (30, 30, 30), -1)
    return image, text


def expected_inverse(left: float, top: float, width: float, height: float) -> tuple[float, float, float, float]:
    """The text block that a front's margins (frame.MARGINS) put on a card at that place."""
    from cnid_ocr.imaging.frame import MARGINS

    m_left, m_top, m_right, m_bottom = MARGINS["front"]
    return (left + m_left * width, top + m_top * height, left + width * (1 - m_right), top + height * (1 - m_bottom))


def test_the_card_outline_is_found_from_its_edges():
    image, text = drawn_card(colour=True)
    identity = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    frame = card_frame(image, identity, text, "front")
    assert frame.found_edges == 4 and not frame.cut_off
    assert np.allclose(frame.corners, rect(200, 150, 856, 540), atol=6)
    assert frame.rectified(image).shape[:2] == (CARD_SIZE[1], CARD_SIZE[0])
    assert expected_outline(text, "front") == pytest.approx((200, 150, 1056, 690), abs=2)


def test_a_card_reaching_far_out_of_the_image_is_cut_off():
    image, text = drawn_card(colour=True)
    shifted = (text[0] - 600, text[1], text[2] - 600, text[3])  # the card's text as if most of it were left of x=0
    frame = card_frame(image, np.array([[1.0, 0, 0], [0, 1.0, 0]]), shifted, "front")
    assert frame.cut_off


def test_a_card_whose_text_the_image_border_cuts_is_cut_off():
    image, text = drawn_card(colour=True)
    identity = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    x0, y0, x1, _ = text
    rows = np.array([rect(x0, y, x1 - 150 - x0, 24) for y in np.arange(y0, y0 + 300, 60)])
    assert not card_frame(image, identity, text, "front", line_corners=rows).cut_off
    cut = image[:, : int(x1 - 300)]  # the border runs through the rows, a little inside the card's right margin
    assert card_frame(cut, identity, text, "front", line_corners=rows).cut_off
    wider = image[:, : int(x1 + 100)]
    beside = np.concatenate([rows, rect(wider.shape[1] - 60, 40, 80, 30)[None]])  # a price tag off the card
    assert not card_frame(wider, identity, text, "front", line_corners=beside).cut_off


def test_a_grey_card_is_a_photocopy_and_a_tinted_one_is_not():
    for colour in (True, False):
        image, _ = drawn_card(colour)
        quality = card_quality(image, rect(200, 150, 856, 540))
        assert quality.photocopy is (not colour)
        assert 0 <= quality.score <= 1


def test_a_card_whose_paper_the_image_border_runs_through_is_cut_off():
    # No text at the border: the border cuts the card below its last text row, through the paper.
    image = np.full((900, 1300, 3), 40, dtype=np.uint8)
    cv2.rectangle(image, (200, 150), (1056, 690), (235, 225, 245), -1)
    text = expected_inverse(200, 150, 856, 540)
    x0, y0, x1, y1 = (int(v) for v in text)
    for y in range(y0 + 24, y1 + 1, 50):
        cv2.putText(image, "1234567890 ABCDEFGHIJ", (x0, y), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (30, 30, 30), 2)
    identity = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    assert not card_frame(image, identity, text, "front").cut_off
    through_paper = image[: y1 + 25]
    assert card_frame(through_paper, identity, text, "front").cut_off
    desk_below = image[: 690 + 30]  # the card whole, the border just below its edge
    assert not card_frame(desk_below, identity, text, "front").cut_off
    tight_crop = image[150:690, 200:1056]  # a scan or crop: the image is the card
    shift = np.array([[1.0, 0, -200], [0, 1.0, -150]])
    assert not card_frame(tight_crop, shift, text, "front").cut_off


def printed_card() -> np.ndarray:
    """A card-sized light rectangle on a dark desk with rows of printed text (strokes in every direction)."""
    image = np.full((900, 1300, 3), 40, dtype=np.uint8)
    cv2.rectangle(image, (200, 150), (1056, 690), (235, 225, 245), -1)
    for y in range(220, 660, 48):
        cv2.putText(image, "1234567890 ABCDEFGHIJ", (300, y), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (30, 30, 30), 2)
    return image


def test_a_card_blurred_by_defocus_or_by_motion_in_any_direction_is_blurry_and_a_soft_one_is_not():
    image, card = printed_card(), rect(200, 150, 856, 540)
    assert not card_quality(image, card).blurry
    assert not card_quality(cv2.GaussianBlur(image, (0, 0), 0.8), card).blurry  # a phone's ordinary softness
    assert not card_quality(cv2.filter2D(image, -1, motion_kernel(3, 30)), card).blurry  # a slightly shaken hand
    defocused = cv2.GaussianBlur(image, (0, 0), 4.0)
    assert card_quality(defocused, card).blurry
    # A motion blur leaves the edges along its path steep: measured in every direction, the card is still blurred.
    for degrees in (0, 30, 45, 90, 120, 160):
        assert card_quality(cv2.filter2D(image, -1, motion_kernel(28, degrees)), card).blurry, degrees
    assert card_quality(image, card).score > card_quality(defocused, card).score


def test_an_image_is_blurred_when_its_finest_edges_are_soft_but_not_when_it_has_none():
    image = printed_card()
    assert not image_is_blurred(image)
    assert image_is_blurred(cv2.GaussianBlur(image, (0, 0), 6.0))
    assert image_is_blurred(cv2.filter2D(image, -1, motion_kernel(40, 60)))
    assert not image_is_blurred(np.full((700, 1000, 3), 128, dtype=np.uint8))  # blank: nothing to be blurred
    wall = np.tile(np.linspace(90, 200, 1000, dtype=np.float32), (700, 1)).astype(np.uint8)
    assert not image_is_blurred(cv2.cvtColor(wall, cv2.COLOR_GRAY2BGR))  # a smooth wall: no edges at all


def highlight(image: np.ndarray, x: float, y: float, amount: float = 1.0) -> np.ndarray:
    """A specular highlight at (x, y): saturated in its core (amount 1), its light added over the print."""
    yy, xx = np.mgrid[0 : image.shape[0], 0 : image.shape[1]].astype(np.float32)
    spot = np.clip(2.0 * np.exp(-(((xx - x) / 60) ** 2 + ((yy - y) / 45) ** 2) / 2), 0, 1)[..., None]
    return (image + (255 - image.astype(np.float32)) * spot * amount).astype(np.uint8)


def test_a_highlight_that_washes_out_text_is_glare_and_a_bright_card_is_not():
    image, card = printed_card(), rect(200, 150, 856, 540)
    assert not card_quality(image, card).glared
    brighter = np.clip(image.astype(np.float32) * 1.12 + 10, 0, 255).astype(np.uint8)
    assert not card_quality(brighter, card).glared
    quality = card_quality(highlight(image, 420, 420), card)
    assert quality.glared and quality.glare > QualityOptions().glare_share
    assert quality.score < card_quality(image, card).score
    # A mild highlight leaves the print legible: not glare.
    assert not card_quality(highlight(image, 420, 420, amount=0.7), card).glared


def test_glare_on_a_card_whose_paper_is_already_near_white_is_found():
    image, card = printed_card(), rect(200, 150, 856, 540)
    white = image.copy()
    white[150:690, 200:1056][white[150:690, 200:1056] > 200] = 250  # the paper, not the print
    assert not card_quality(white, card).glared
    assert card_quality(highlight(white, 420, 420), card).glared
