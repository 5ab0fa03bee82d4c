"""The card generator (tools/cardgen) on its own, without OCR: determinism, what each forced phenomenon draws and
tags, and the truth that goes with it."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from cardgen import KINDS, MODIFIERS, generate, identity_for, make_sample, render_card
from cardgen.card import CARD_H, CARD_W, CardStyle, Variant, render_back, render_front, validity_text
from cardgen.identity import id_check_char
from cardgen.marks import block_stamp, covered_tags, frame_stamp, watermark_text
from cardgen.phenomena import NEW_MODIFIERS, NEW_TAGS
from cardgen.sheets import SheetLayout
from PIL import Image

pytestmark = pytest.mark.slow  # renders many cards: about 35 s

SEED = 1234
FRONT = ("name", "gender", "ethnicity", "dateOfBirth", "address", "idNumber")
BACK = ("issuingAuthority", "validFrom", "validTo")
DEFECTS = {"photocopy", "card_cut_off", "blurry", "glare"}


def _check_truth(s) -> None:
    t = s.truth
    assert set(FRONT + BACK + ("sides", "cutFields", "defects")) <= set(t)
    assert set(t["defects"]) == DEFECTS and all(isinstance(v, bool) for v in t["defects"].values())
    assert t["defects"]["photocopy"] == ("grey" in s.tags) != ("colour" in s.tags)
    assert t["defects"]["blurry"] == ("blur_strong" in s.tags)
    assert t["defects"]["glare"] == ("glare_strong" in s.tags)
    assert t["defects"]["card_cut_off"] == ("card_cut_off" in s.tags)
    for f in t["cutFields"]:
        assert t[f] is None
    for side, fields in (("front", FRONT), ("back", BACK)):
        for f in fields:
            if side not in t["sides"]:
                assert t[f] is None
            elif f not in t["cutFields"]:
                assert t[f] is not None, (s.filename, f)
    if t["idNumber"] is not None:
        n = t["idNumber"]
        assert len(n) == (17 if "id17" in s.tags else 18)
        if len(n) == 18:
            assert id_check_char(n[:17]) == n[17]
    for d in ("dateOfBirth", "validFrom"):
        assert t[d] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", t[d])
    assert t["validTo"] in (None, "长期") or re.fullmatch(r"\d{4}-\d\d-\d\d", t["validTo"])
    assert s.meta["new"] == [x for x in s.tags if x in NEW_TAGS]
    Image.open(io.BytesIO(s.data)).load()


def test_same_seed_same_bytes():
    for i in (0, 1, 2, 9):
        a, b = make_sample(SEED, i), make_sample(SEED, i)
        assert a.data == b.data and a.tags == b.tags and a.truth == b.truth
    assert make_sample(SEED, 0).data != make_sample(SEED + 1, 0).data


def test_classic_samples_draw_no_new_phenomena_and_sample_for_is_plain():
    s = make_sample(SEED, 0, classic=True)
    assert s.meta["new"] == [] and s.kind != "copy_crop"
    from cardgen import sample_for

    s = sample_for(identity_for(3), "scan", seed=3, sides=("front",), fmt="png")
    assert s.meta["new"] == [] and "colour" in s.tags


def test_every_only_choice_generates():
    assert "copy_crop" in KINDS and set(NEW_MODIFIERS) <= set(MODIFIERS)
    with pytest.raises(ValueError):
        next(generate(SEED, 1, only="nonsense"))


@pytest.mark.parametrize("only", [m for m in NEW_MODIFIERS if m not in ("card_cut_off", "blur_strong", "glare_strong")])
def test_forced_modifier_shows(only):
    for s in generate(SEED, 2, only=only, start=20):
        assert only in s.tags, (only, s.tags)
        _check_truth(s)


@pytest.mark.parametrize("only", ["card_cut_off", "blur_strong", "glare_strong"])
def test_forced_photo_defect_shows(only):
    s = next(generate(SEED, 1, only=only, start=3))
    assert s.kind == "photo" and only in s.tags
    _check_truth(s)


def test_copy_crop_is_a_small_grey_card():
    for s in generate(SEED, 4, only="copy_crop", start=40):
        img = Image.open(io.BytesIO(s.data))
        assert 440 <= img.width <= 462 and 278 <= img.height <= 292
        arr = np.asarray(img.convert("RGB")).astype(int)
        assert np.abs(arr[..., 0] - arr[..., 1]).max() <= 8  # grey (up to JPEG chroma noise)
        assert s.kind == "copy_crop" and "grey" in s.tags and len(s.sides) == 1
        _check_truth(s)


def test_cut_fields_are_unscored_and_listed():
    found = 0
    for s in generate(SEED, 6, only="card_cut_off", start=60):
        _check_truth(s)
        assert s.truth["defects"]["card_cut_off"]
        found += bool(s.truth["cutFields"])
    assert found  # some cuts reach a field


def test_sheet_layouts_turn_cards_independently():
    rng = np.random.default_rng(0)
    for _ in range(50):
        lay = SheetLayout.random(rng, 2, turned=True)
        assert len(set(lay.turns)) == 2 and "sides_turned" in lay.tags(("front", "back"))
        assert all(abs(t) <= 4.5 for t in lay.tilts)
    s = next(generate(SEED, 1, only="sides_turned", start=5))
    assert s.kind == "both_sides" and set(s.meta["card_turns"]) == {"front", "back"}


def test_plain_variant_renders_the_classic_card():
    idt = identity_for(5)
    style = CardStyle.random(np.random.default_rng([0, 0x57]))
    for fn in (render_front, render_back):
        assert fn(idt, style, 0.5, Variant()).tobytes() == fn(idt, style, 0.5).tobytes()
    assert render_card(idt, "front").size == (CARD_W, CARD_H)


def test_spaced_dots_print_but_truth_stays_iso():
    idt = identity_for(2)
    start, end = validity_text(idt, Variant(spaced_dots=True))
    assert re.fullmatch(r"\d{4}\. \d\d\. \d\d-", start)
    assert end == "长期" or re.fullmatch(r"\d{4}\. \d\d\. \d\d", end)
    assert "".join(validity_text(idt)) == idt.validity_printed


def test_two_line_authority_wraps_at_the_value_edge():
    idt = identity_for(4)
    from dataclasses import replace

    idt = replace(idt, issuing_authority="内蒙古自治区呼伦贝尔市公安局海拉尔分局")
    boxes: dict = {}
    render_back(idt, CardStyle.random(np.random.default_rng(1)), 1.0, Variant(authority_wrap=12 * 28), boxes)
    (a0, _, _, a_bottom), (b0, b_top, _, _) = boxes["issuingAuthority"]
    assert abs(a0 - b0) < 1e-6 and b_top > a_bottom - 10
    assert boxes["validFrom"][0][1] > boxes["issuingAuthority"][1][3] - 6


def test_stamps_aimed_at_a_field_are_tagged():
    idt = identity_for(6)
    style = CardStyle.random(np.random.default_rng(2))
    hits = {"stamp_on_number": 0, "stamp_on_address": 0, "stamp_on_date": 0}
    for k in range(12):
        rng = np.random.default_rng(k)
        boxes: dict = {}
        card = render_front(idt, style, 0.6, None, boxes)
        _, foot = block_stamp(rng, card, boxes, "number_end")
        hits["stamp_on_number"] += "stamp_on_number" in covered_tags(foot, boxes)
        _, foot = frame_stamp(rng, card, boxes, "address_last")
        hits["stamp_on_address"] += "stamp_on_address" in covered_tags(foot, boxes)
        _, foot = block_stamp(rng, card, boxes, "dateOfBirth")
        hits["stamp_on_date"] += "stamp_on_date" in covered_tags(foot, boxes)
    assert all(v >= 10 for v in hits.values()), hits


def test_watermark_lines_vary():
    rng = np.random.default_rng(0)
    texts = {watermark_text(rng) for _ in range(60)}
    assert len(texts) > 30 and all(re.match("仅(限|供|用于)", t) for t in texts)


@pytest.mark.parametrize("length", [0.9, 2.4, 3.0, 7.5, 20.0])
def test_a_motion_blur_is_as_long_as_asked_even_shorter_than_whole_pixels(length):
    # A small card's mild blur (3-8 px at an 856 px card) spans a pixel or two: rounded up to whole pixels it was
    # strong blur in the card's units, on photos whose truth said not blurry.
    from cardgen.photo import motion_kernel

    kernel = motion_kernel(length, 0.0)
    assert kernel.sum() == pytest.approx(1.0)
    offsets = np.arange(kernel.shape[1]) - kernel.shape[1] // 2
    spread = float(np.sqrt((kernel.sum(axis=0) * offsets**2).sum()))
    assert spread == pytest.approx(length / np.sqrt(12), abs=0.3)  # a uniform path's standard deviation
    turned = motion_kernel(length, 90.0)
    assert np.allclose(turned, kernel.T, atol=1e-6)
