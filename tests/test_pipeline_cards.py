"""Every card on a page read in its own frame (real models, generated pages): sides facing opposite ways, sides
turned 90 degrees apart, and the ``cards`` list."""

from __future__ import annotations

import pytest
from cardgen.measure import outline_iou
from cardgen.samples import make_sample

pytestmark = pytest.mark.models

FRONT = ("name", "gender", "ethnicity", "dateOfBirth", "address", "idNumber")
BACK = ("issuingAuthority", "validFrom", "validTo")

# Pages of the accuracy benchmark's seed whose two sides face their own ways (tools/README.md: sides_turned).
PAGES = [
    (1234, 184),  # front upright, back turned 180 degrees, tilted, on an A4 copy
    (1234, 148),  # one side turned 90, the other 180, the whole page turned 90
    (1234, 73),  # colour, back turned 180, a two-line authority
]


@pytest.mark.parametrize(("seed", "index"), PAGES)
def test_each_side_is_read_in_its_own_orientation(reader, seed, index):
    sample = make_sample(seed, index)
    assert "sides_turned" in sample.tags
    body = reader.read(sample.data)
    assert {name: body[name] for name in FRONT + BACK} == {name: sample.truth[name] for name in FRONT + BACK}
    assert sorted(body["sides"]) == ["back", "front"]


def test_the_cards_list_has_each_side_with_its_outline(reader):
    sample = make_sample(1234, 184)
    body = reader.read(sample.data)
    width, height = sample.size
    assert [card["side"] for card in body["cards"]] == ["front", "back"]
    for card in body["cards"]:
        assert len(card["corners"]) == 4
        xs, ys = [x for x, _ in card["corners"]], [y for _, y in card["corners"]]
        assert -0.05 * width <= min(xs) < max(xs) <= 1.05 * width
        assert -0.05 * height <= min(ys) < max(ys) <= 1.05 * height
        side_keys = FRONT if card["side"] == "front" else BACK
        assert {k: card["fields"][k] for k in side_keys} == {k: sample.truth[k] for k in side_keys}
    front, back = body["cards"]
    # Two cards of one page: their outlines do not overlap (stacked on the page).
    assert (
        max(y for _, y in front["corners"]) <= min(y for _, y in back["corners"]) + 0.05 * height
        or max(y for _, y in back["corners"]) <= min(y for _, y in front["corners"]) + 0.05 * height
    )


# Phone photos of one card among notes and receipts whose text lay within reach of the card's own: the outline used
# to take that text in and reach far past the card (intersection over union with the card's 0.39 and 0.48).
CLUTTERED = [(5151, 44), (5151, 41)]


@pytest.mark.parametrize(("seed", "index"), CLUTTERED)
def test_the_outline_is_the_cards_not_the_text_beside_it(reader, seed, index):
    sample = make_sample(seed, index, only="photo")
    assert "clutter" in sample.tags and sample.truth["corners"]
    body = reader.read(sample.data)
    (card,) = body["cards"]
    assert outline_iou(card["corners"], sample.truth["corners"]) >= 0.9


# Phone photos whose card has an object over an edge (seed 5151's cut-off set: a cover over the bottom edge of a
# front, over the top edge of a back): nothing of the card leaves the image, and only imaging.cover sees them.
COVERED = [(5151, 8), (5151, 75)]
# Whole cards under a shadow that crosses their edges.
SHADOWED = [(5151, 27), (5151, 28)]


@pytest.mark.parametrize(("seed", "index"), COVERED)
def test_a_card_with_an_object_over_its_edge_is_cut_off(reader, seed, index):
    sample = make_sample(seed, index, only="card_cut_off")
    assert "covered" in sample.tags
    body = reader.read(sample.data)
    assert any(w["code"] == "card_cut_off" for card in body["cards"] for w in card["warnings"])


@pytest.mark.parametrize(("seed", "index"), SHADOWED)
def test_a_shadow_over_the_cards_edge_is_not_a_cover(reader, seed, index):
    sample = make_sample(seed, index, only="photo")
    assert "shadow" in sample.tags and not sample.truth["defects"]["card_cut_off"]
    body = reader.read(sample.data)
    assert body["cards"] and not any(w["code"] == "card_cut_off" for card in body["cards"] for w in card["warnings"])
