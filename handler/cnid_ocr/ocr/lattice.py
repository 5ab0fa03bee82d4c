"""The recogniser's alternatives for one line: per CTC step, the few most probable characters with their
probabilities.

The full output (steps x 18,710 classes) is not kept: a step the recogniser is sure of keeps its best character,
an uncertain one its top ``k``. Extraction decodes each field's part of a line under the field's grammar (digits
only, one of 56 names, ...) from this lattice instead of guessing from the free reading by edit distance.

Characters are NFKC-normalised (the alphabet holds full-width twins such as １) and whitespace counts as the
blank "" (both separate repeated characters), so the lattice's readings are already clean text. A character a
step did not keep has probability ``FLOOR``: small, never zero, so a grammar can still demand it at a high price.
Needs no model: tests build lattices by hand.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BLANK = ""
FLOOR = 1e-6
LOG_FLOOR = math.log(FLOOR)

Step = dict[str, float]  # character ("" = blank) -> probability


class Alphabet:
    """The recogniser's classes as clean characters (class 0 is the CTC blank)."""

    def __init__(self, classes: Sequence[str]) -> None:
        self.chars = tuple(_clean_char(ch) if i else BLANK for i, ch in enumerate(classes))

    def __len__(self) -> int:
        return len(self.chars)


def _clean_char(ch: str) -> str:
    text = unicodedata.normalize("NFKC", ch)
    return "" if not text.strip() else text.strip()


@dataclass(frozen=True, slots=True, eq=False)
class Lattice:
    steps: tuple[Step, ...]

    @classmethod
    def from_matrix(cls, matrix: np.ndarray, alphabet: Alphabet, k: int = 5, sure: float = 0.995) -> Lattice:
        """From one line's T x C probability matrix: the top ``k`` classes of each step whose best class has less
        than ``sure`` probability, the best class alone elsewhere; classes of the same character merged."""
        chars = alphabet.chars
        best = matrix.argmax(axis=1)
        peak = matrix[np.arange(matrix.shape[0]), best]
        steps: list[Step] = [{chars[int(c)]: float(p)} for c, p in zip(best, peak, strict=True)]
        unsure = np.nonzero(peak < sure)[0]
        if unsure.size:
            rows = matrix[unsure]
            top = np.argpartition(rows, -k, axis=1)[:, -k:]
            top_probs = np.take_along_axis(rows, top, axis=1)
            for row, classes, probs in zip(unsure, top.tolist(), top_probs.tolist(), strict=True):
                step: Step = {}
                for c, p in zip(classes, probs, strict=True):
                    ch = chars[c]
                    step[ch] = step.get(ch, 0.0) + p
                steps[int(row)] = step
        return cls(tuple(steps))

    @classmethod
    def certain(cls, text: str, repeat: int = 2) -> Lattice:
        """A lattice that reads ``text`` with certainty (each character ``repeat`` steps, blanks between): for
        lines that come without one (tests, text typed in)."""
        steps: list[Step] = []
        for ch in text:
            steps += [{ch: 1.0}] * repeat + [{BLANK: 1.0}]
        return cls(tuple(steps))

    def __len__(self) -> int:
        return len(self.steps)

    def best_path(self) -> tuple[str, list[tuple[int, int]]]:
        """Greedy CTC reading: the text and each character's steps [start, end)."""
        text: list[str] = []
        spans: list[tuple[int, int]] = []
        previous = BLANK
        for t, step in enumerate(self.steps):
            ch = max(step, key=step.__getitem__)
            if ch != BLANK and ch == previous:
                spans[-1] = (spans[-1][0], t + 1)
            elif ch != BLANK:
                text.append(ch)
                spans.append((t, t + 1))
            previous = ch
        return "".join(text), spans

    def log_prob(self, t: int, ch: str) -> float:
        p = self.steps[t].get(ch)
        return math.log(p) if p and p > FLOOR else LOG_FLOOR

    def window(self, start: int, end: int) -> Lattice:
        return Lattice(self.steps[start:end])

    def score(self, text: str) -> float:
        """log p(text | lattice): the CTC forward probability, summed over every alignment of ``text``."""
        labels = [BLANK]
        for ch in text:
            labels += [ch, BLANK]
        count = len(labels)
        if not self.steps:
            return 0.0 if not text else -math.inf
        alpha = [-math.inf] * count
        alpha[0] = self.log_prob(0, BLANK)
        if count > 1:
            alpha[1] = self.log_prob(0, labels[1])
        for t in range(1, len(self.steps)):
            emit = [self.log_prob(t, label) for label in labels]
            new = [-math.inf] * count
            for s in range(count):
                best = alpha[s]
                if s >= 1:
                    best = _log_add(best, alpha[s - 1])
                if s >= 2 and labels[s] != BLANK and labels[s] != labels[s - 2]:
                    best = _log_add(best, alpha[s - 2])
                new[s] = best + emit[s] if best > -math.inf else -math.inf
            alpha = new
        return _log_add(alpha[-1], alpha[-2]) if count > 1 else alpha[-1]


def _log_add(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    high, low = (a, b) if a > b else (b, a)
    return high + math.log1p(math.exp(low - high))
