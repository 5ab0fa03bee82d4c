"""Decoding a field's part of the recogniser's lattice under the field's grammar: a closed list of values (56
ethnic groups, 男/女, place names) scored by CTC, or a character pattern (the ID number's digits) decoded by a
constrained best path.

The free (greedy) reading is what the recogniser would say with no grammar; a grammar reading differs from it only
when the lattice gives the difference real probability, so a repair is always the recogniser's own second choice,
never a guess from similarity. ``support`` measures that: the grammar reading's probability relative to the free
reading's, per character (geometric mean), in 0..1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..ocr.lattice import BLANK, LOG_FLOOR, Lattice, Step
from .side import REPAIR_PENALTY, Read

# A grammar reading is taken only when each of its characters has, on average, at least this share of the
# probability of the free reading's character at the same place: the recogniser's own runner-up, not a floor.
MIN_SUPPORT = 0.02
# States kept per step by the constrained best path (enough for 18 characters with a few alternatives each).
BEAM = 48


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    log_prob: float
    posterior: float  # among the candidates scored
    support: float  # vs the free reading, per character

    @property
    def confidence(self) -> float:
        """A repaired value's confidence: sure of the grammar (posterior), less so where the recogniser preferred
        another character (support below 1/2 lowers it), never the certainty of a reading as printed."""
        return REPAIR_PENALTY * self.posterior * min(1.0, 0.5 + self.support)


def lattice_of(read: Read) -> Lattice | None:
    """The steps behind a read (its pieces' windows, a blank between boxes); None when the read's characters cannot
    be traced back to their boxes."""
    if not read.exact:
        return None
    steps: list[Step] = []
    for k, piece in enumerate(read.pieces):
        if k:
            steps.append({BLANK: 1.0})
        steps.extend(piece.window().steps)
    return Lattice(tuple(steps))


def free_score(lattice: Lattice) -> float:
    """log p of the greedy path (the best single alignment)."""
    return sum(math.log(max(max(step.values()), 1e-12)) for step in lattice.steps)


def choose(lattice: Lattice, candidates: Iterable[str], free_text: str) -> Choice | None:
    """The candidate with the highest CTC probability, its posterior among the candidates and its support."""
    scored = [(lattice.score(text), text) for text in dict.fromkeys(candidates) if text]
    if not scored:
        return None
    scored.sort(reverse=True)
    best_score, best = scored[0]
    total = _log_sum(score for score, _ in scored)
    free = lattice.score(free_text) if free_text else free_score(lattice)
    support = _support(best_score, free, max(len(best), len(free_text), 1))
    return Choice(best, best_score, math.exp(best_score - total), support)


def _support(score: float, free: float, length: int) -> float:
    return min(1.0, math.exp((score - free) / length))


def _log_sum(values: Iterable[float]) -> float:
    items = list(values)
    high = max(items)
    if high == -math.inf:
        return high
    return high + math.log(sum(math.exp(v - high) for v in items))


# ---------------------------------------------------------------------------------------------------------------
# Character patterns


@dataclass(frozen=True, slots=True)
class PatternReading:
    value: str
    log_prob: float
    # Per character: (its most probable step's alternatives, as allowed characters with probabilities).
    options: tuple[dict[str, float], ...]


def best_pattern(
    lattice: Lattice,
    allowed: Callable[[int], str],
    lengths: Sequence[int],
    project: Callable[[str], str | None] = lambda ch: ch,
) -> PatternReading | None:
    """The most probable single path whose text has one of ``lengths`` characters, character i from
    ``allowed(i)``. ``project`` maps what the recogniser output to the pattern's alphabet (a look-alike letter to its
    digit; None = not of the pattern, counted as a blank). Only characters a step kept can be emitted."""
    longest = max(lengths)
    steps = [_project(step, project) for step in lattice.steps]
    # state: (emitted, last char, last step blank) -> (log prob, text, per-char peak step)
    states: dict[tuple[int, str, bool], tuple[float, str, tuple[int, ...]]] = {(0, "", True): (0.0, "", ())}
    for t, step in enumerate(steps):
        blank = _log(step.get(BLANK))
        new: dict[tuple[int, str, bool], tuple[float, str, tuple[int, ...]]] = {}
        for (n, last, after_blank), (score, text, peaks) in states.items():
            _keep(new, (n, last, True), score + blank, text, peaks)
            if last and not after_blank:
                stay = score + _log(step.get(last))
                peak = peaks
                if step.get(last, 0.0) > steps[peaks[-1]].get(last, 0.0):
                    peak = (*peaks[:-1], t)
                _keep(new, (n, last, False), stay, text, peak)
            if n >= longest:
                continue
            for ch, p in step.items():
                if ch == BLANK or ch not in allowed(n) or (ch == last and not after_blank):
                    continue
                _keep(new, (n + 1, ch, False), score + _log(p), text + ch, (*peaks, t))
        states = dict(sorted(new.items(), key=lambda item: -item[1][0])[:BEAM])
    finals = [(score, text, peaks) for (n, _, _), (score, text, peaks) in states.items() if n in lengths]
    if not finals:
        return None
    score, text, peaks = max(finals)
    options = tuple(
        {ch: p for ch, p in steps[t].items() if ch != BLANK and ch in allowed(i)} for i, t in enumerate(peaks)
    )
    return PatternReading(text, score, options)


def _project(step: Step, project: Callable[[str], str | None]) -> Step:
    out: Step = {}
    for ch, p in step.items():
        mapped = BLANK if ch == BLANK else project(ch)
        key = BLANK if mapped is None else mapped
        out[key] = out.get(key, 0.0) + p
    return out


def _log(p: float | None) -> float:
    return math.log(p) if p and p > 1e-6 else LOG_FLOOR


def _keep(states: dict, key: tuple, score: float, text: str, peaks: tuple[int, ...]) -> None:
    found = states.get(key)
    if found is None or score > found[0]:
        states[key] = (score, text, peaks)


# ---------------------------------------------------------------------------------------------------------------
# Single characters


def char_options(read: Read, index: int) -> dict[str, float]:
    """The recogniser's alternatives for character ``index`` of the read, at the step where that character was
    most probable ({} when the read cannot be traced to its boxes)."""
    if not read.exact:
        return {}
    offset = 0
    for piece in read.pieces:
        if index < offset + len(piece.text):
            lattice, spans = piece.line.alternatives()
            local = piece.start + index - offset
            ch = piece.line.text[local]
            start, end = spans[local]
            peak = max(range(start, end), key=lambda t: lattice.steps[t].get(ch, 0.0))
            return {c: p for c, p in lattice.steps[peak].items() if c != BLANK}
        offset += len(piece.text)
    return {}


def substitution_support(read: Read, index: int, new: str) -> float:
    """How much the recogniser supports ``new`` in place of the read's character ``index``: p(new) / p(read)."""
    options = char_options(read, index)
    old = options.get(read.text[index], 0.0)
    return min(1.0, options.get(new, 0.0) / old) if old > 0 else 0.0
