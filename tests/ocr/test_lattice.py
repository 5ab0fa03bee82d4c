"""The recogniser's alternatives, without a model: lattices built from hand-made probability matrices."""

import math

import numpy as np
import pytest
from cnid_ocr.ocr.lattice import Alphabet, Lattice
from cnid_ocr.ocr.types import Reading

ALPHABET = Alphabet(["", "1", "２", "a", "b", " "])  # blank, digits (one full-width), letters, space


def matrix(rows: list[dict[int, float]]) -> np.ndarray:
    out = np.full((len(rows), len(ALPHABET)), 1e-4, dtype=np.float32)
    for t, row in enumerate(rows):
        for cls, p in row.items():
            out[t, cls] = p
    return out / out.sum(axis=1, keepdims=True)


def test_alphabet_is_clean_text():
    assert ALPHABET.chars == ("", "1", "2", "a", "b", "")  # NFKC; the space acts as a blank


def test_sure_steps_keep_their_best_and_unsure_ones_their_alternatives():
    lattice = Lattice.from_matrix(matrix([{1: 0.999}, {0: 0.999}, {3: 0.6, 4: 0.38}]), ALPHABET, k=3)
    assert list(lattice.steps[0]) == ["1"]
    assert set(lattice.steps[2]) >= {"a", "b"}
    assert lattice.steps[2]["a"] == pytest.approx(0.6, abs=0.03)


def test_full_width_twins_merge_into_one_character():
    lattice = Lattice.from_matrix(matrix([{2: 0.5, 1: 0.1, 4: 0.4}]), ALPHABET, k=3)
    assert "２" not in lattice.steps[0] and lattice.steps[0]["2"] == pytest.approx(0.5, abs=0.01)


def test_best_path_collapses_repeats_and_blanks_and_keeps_spans():
    lattice = Lattice(({"1": 0.9}, {"1": 0.8}, {"": 0.9}, {"1": 0.7}, {"a": 0.6, "b": 0.4}))
    reading = Reading.from_lattice(lattice)
    assert reading.text == "11a"
    assert reading.spans == ((0, 2), (3, 4), (4, 5))
    assert reading.score == pytest.approx((0.9 + 0.7 + 0.6) / 3)


def test_ctc_score_sums_every_alignment():
    # Two steps, "a" at each with p: paths "a_", "_a", "aa" -> 2 p (1-p) + p^2.
    p = 0.3
    lattice = Lattice(({"a": p, "": 1 - p}, {"a": p, "": 1 - p}))
    assert math.exp(lattice.score("a")) == pytest.approx(2 * p * (1 - p) + p * p)
    assert math.exp(lattice.score("")) == pytest.approx((1 - p) ** 2)
    # A doubled character needs a blank between: impossible in two steps (floor only).
    assert lattice.score("aa") < math.log(1e-5)


def test_a_character_the_lattice_never_kept_costs_the_floor():
    lattice = Lattice(({"a": 1.0}, {"": 1.0}))
    assert lattice.score("b") < lattice.score("a") - 10
