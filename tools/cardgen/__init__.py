"""Deterministic generator of synthetic Chinese resident identity card images with ground truth.

from cardgen import generate, sample_for, random_identity
for s in generate(seed=1234, n=300):
    s.data, s.format, s.kind, s.tags, s.truth, s.meta
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .card import CARD_H, CARD_W, CardStyle, Variant, render_back, render_front
from .data import ETHNIC_GROUPS
from .identity import LONG_TERM, REFERENCE_DATE, Identity, id_check_char, random_identity
from .phenomena import NEW_TAGS, Extras
from .samples import CLASSIC_KINDS, KINDS, MODIFIERS, Sample, build_sample, generate, make_sample

__all__ = [
    "CARD_H",
    "CARD_W",
    "CLASSIC_KINDS",
    "ETHNIC_GROUPS",
    "KINDS",
    "LONG_TERM",
    "MODIFIERS",
    "NEW_TAGS",
    "REFERENCE_DATE",
    "CardStyle",
    "Extras",
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
    "Variant",
]


def identity_for(seed: int = 0, **fixed: str) -> Identity:
    """A random valid identity with some fields fixed: ethnicity, gender, name, region_code."""
    return random_identity(np.random.default_rng([seed, 0xC0DE]), **fixed)


def render_card(
    identity: Identity, side: str = "front", *, seed: int = 0, scale: float = 1.0, variant: Variant | None = None
) -> Image.Image:
    """A clean, flat RGB render of one side (856x540 at scale 1); `variant` = how it is printed (Variant)."""
    style = CardStyle.random(np.random.default_rng([seed, 0x57]))
    img = (render_front if side == "front" else render_back)(identity, style, scale, variant)
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
    """An image of this identity's card as `kind` (photo, scan, small, photocopy, both_sides, copy_crop). Only
    copy_crop draws new phenomena (its watermark, stamp ...); the others are the classic images."""
    return build_sample(
        identity, np.random.default_rng([seed, 0x5A]), kind, sides=sides, stamped=stamped, exif=exif, fmt=fmt
    )
