"""Deterministic generator of synthetic Chinese resident identity card images with ground truth.

from cardgen import generate, sample_for, random_identity
for s in generate(seed=1234, n=300):
    s.data, s.format, s.kind, s.tags, s.truth
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .card import CARD_H, CARD_W, CardStyle, render_back, render_front
from .data import ETHNIC_GROUPS
from .identity import LONG_TERM, REFERENCE_DATE, Identity, id_check_char, random_identity
from .samples import KINDS, MODIFIERS, Sample, build_sample, generate, make_sample

__all__ = [
    "CARD_H",
    "CARD_W",
    "ETHNIC_GROUPS",
    "KINDS",
    "LONG_TERM",
    "MODIFIERS",
    "REFERENCE_DATE",
    "CardStyle",
    "Identity",
    "Sample",
    "build_sample",
    "generate",
    "id_check_char",
    "identity_for",
    "make_sample",
    "random_identity",
    "render_back",
    "render_card",
    "render_front",
    "sample_for",
]


def identity_for(seed: int = 0, **fixed: str) -> Identity:
    """A random valid identity with some fields fixed: ethnicity, gender, name, region_code."""
    return random_identity(np.random.default_rng([seed, 0xC0DE]), **fixed)


def render_card(identity: Identity, side: str = "front", *, seed: int = 0, scale: float = 1.0) -> Image.Image:
    """A clean, flat RGB render of one side (856x540 at scale 1)."""
    style = CardStyle.random(np.random.default_rng([seed, 0x57]))
    img = (render_front if side == "front" else render_back)(identity, style, scale)
    flat = Image.new("RGB", img.size, (255, 255, 255))
    flat.paste(img, mask=img.getchannel("A"))
    return flat


def sample_for(
    identity: Identity,
    kind: str = "scan",
    *,
    seed: int = 0,
    sides: tuple[str, ...] | None = None,
    stamped: bool = False,
    exif: bool = False,
    fmt: str | None = None,
) -> Sample:
    """An image of this identity's card as `kind` (photo, scan, small, photocopy, both_sides)."""
    return build_sample(
        identity, np.random.default_rng([seed, 0x5A]), kind, sides=sides, stamped=stamped, exif=exif, fmt=fmt
    )
