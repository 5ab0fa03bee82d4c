"""Cards found from text boxes alone (no model): clusters per card, directions, halves facing opposite ways."""

import math

import numpy as np
from cnid_ocr.imaging.cards import CardRegion, find_cards, split_by_orientation


def box(x: float, y: float, w: float, h: float = 20.0, degrees: float = 0.0, about=(0.0, 0.0)) -> np.ndarray:
    quad = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float32)
    if degrees:
        rad = math.radians(degrees)
        rotation = np.array([[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]], dtype=np.float32)
        quad = (quad - about) @ rotation.T + about
    return quad


def card(x0: float, y0: float, degrees: float = 0.0) -> list[np.ndarray]:
    """Six rows of a card's text, 35 px apart, about (x0, y0)."""
    rows = [box(x0, y0 + 35 * i, 160 + 20 * (i % 3)) for i in range(6)]
    return [box(*q[0], q[1, 0] - q[0, 0], 20.0, degrees, about=(x0, y0)) for q in rows] if degrees else rows


def test_two_cards_far_apart_are_two_clusters():
    found = find_cards(card(0, 0) + card(0, 600))
    assert len(found) == 2 and all(len(region.quads) == 6 for region in found)


def test_one_card_stays_one_cluster():
    found = find_cards(card(50, 50))
    assert len(found) == 1 and len(found[0].quads) == 6 and abs(found[0].angle) < 0.5


def test_a_card_turned_90_degrees_next_to_an_upright_one_is_its_own_card():
    found = find_cards(card(0, 0) + card(600, 0, degrees=90))
    assert len(found) == 2
    angles = sorted(abs(region.angle) for region in found)
    assert angles[0] < 1 and abs(angles[1] - 90) < 1


def test_a_stray_word_is_not_a_card():
    found = find_cards(card(0, 0) + [box(2000, 2000, 60)])
    assert len(found) == 1 and len(found[0].quads) == 6


def test_halves_facing_opposite_ways_are_split():
    quads = card(0, 0) + card(0, 230)  # close together: one cluster
    (region,) = find_cards(quads)
    votes = [0.05] * 6 + [0.95] * 6
    parts = split_by_orientation(region, votes)
    assert [(len(part.quads), turned) for part, turned in parts] == [(6, False), (6, True)]


def test_a_consistent_vote_turns_the_whole_card():
    region = CardRegion(card(0, 0), 0.0, 20.0)
    assert [turned for _, turned in split_by_orientation(region, [0.9] * 6)] == [True]
    assert [turned for _, turned in split_by_orientation(region, [0.1, None, 0.2, None, 0.3, 0.1])] == [False]
