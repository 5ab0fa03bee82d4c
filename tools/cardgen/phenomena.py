"""What real inputs show that the classic generator never drew, and how often each appears.

`draw_extras` decides them for one sample from a random stream of their own, so a sample that draws none of them
is byte for byte the sample the generator made before they existed (the classic kinds keep their numbers), and a
forced modifier (`generate(..., only="watermark")`) makes every sample show it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import marks
from .card import PLAIN, Variant
from .defects import CUTS
from .sheets import SheetLayout

COPY_CROP_P = 0.10  # share of samples that are competition-style single-side crops

# Modifiers (`only=`) of the new phenomena, each forcing what it names.
SHEET_MODIFIERS = ("sides_turned",)
MARK_MODIFIERS = ("grey_stamp", "watermark")
FRONT_MODIFIERS = ("id17", "latin_name", "faint_labels", "dob_spacing")
BACK_MODIFIERS = ("authority_2lines", "dots_spaced")
PHOTO_MODIFIERS = ("card_cut_off", "blur_strong", "glare_strong")
NEW_MODIFIERS = SHEET_MODIFIERS + MARK_MODIFIERS + FRONT_MODIFIERS + BACK_MODIFIERS + PHOTO_MODIFIERS

# Tags that only the new phenomena produce (Sample.meta["new"] lists those a sample shows).
NEW_TAGS = frozenset(
    {
        "copy_crop",
        "sides_turned",
        "side_rot90",
        "side_rot180",
        "side_rot270",
        "side_tilt",
        "sides_row",
        "sides_close",
        "page_a4",
        "page_square",
        "page_tight",
        "photo_of_copy",
        "grey_stamp",
        "stamp_block",
        "stamp_frame",
        "watermark",
        "authority_2lines",
        "dots_spaced",
        "id17",
        "latin_name",
        "faint_labels",
        "dob_spacing",
        "no_portrait",
        "small_labels",
        "card_cut_off",
        "cut_edge",
        "cut_corner",
        "covered",
        "blur_strong",
        "glare_strong",
    }
)


@dataclass(frozen=True)
class Extras:
    """The new phenomena of one sample (the default: none, the classic sample)."""

    seed: int = 0  # the extras' own draws while rendering (stamp positions, covers, glare, blur)
    front: Variant = PLAIN  # how the front is printed (used only if the front is drawn)
    back: Variant = PLAIN
    id17: bool = False  # the number printed with 17 characters (the truth is the 17 printed)
    name: str | None = None  # a Latin-letter name replacing the identity's
    authority: str | None = None  # the authority written out in full (wraps when back.authority_wrap is set)
    grey_stamps: tuple[str, ...] = ()  # "block" / "frame" per stamp, on greyscale copies (replacing a red stamp)
    sheet: SheetLayout | None = None  # cards on a sheet each in its own orientation
    grey_photo: bool = False  # a sheet photo of a greyscale copy
    cut: str | None = None  # single-card photos: one of defects.CUTS
    blur_strong: bool = False
    glare_strong: bool = False


def _front_variant(rng: np.random.Generator, p: dict[str, float], force: str | None) -> tuple[Variant, dict]:
    """A front print variant and the identity changes that go with it."""
    kw: dict = {}
    ident: dict = {}
    if force == "faint_labels" or rng.random() < p.get("faint", 0.0):
        kw.update(faint_labels=float(rng.uniform(0.3, 0.7)), faint_seed=int(rng.integers(1 << 30)))
    if force == "dob_spacing" or rng.random() < p.get("dob", 0.0):
        kw["birth_gaps"] = tuple(float(g) for g in rng.uniform(0, 30, 5))
    if rng.random() < p.get("no_portrait", 0.0):
        kw["portrait"] = False
    if force == "id17" or rng.random() < p.get("id17", 0.0):
        ident["id17"] = True
    if force == "latin_name" or rng.random() < p.get("latin", 0.0):
        from .identity import latin_name

        ident["name"] = latin_name(rng)
    return Variant(**kw), ident


def _back_variant(
    rng: np.random.Generator, p: dict[str, float], force: str | None, authority: str
) -> tuple[Variant, dict]:
    kw: dict = {}
    ident: dict = {}
    if force == "dots_spaced" or rng.random() < p.get("dots", 0.0):
        kw.update(spaced_dots=True, spaced_hyphen=bool(rng.random() < 0.3))
    if force == "authority_2lines" or rng.random() < p.get("authority", 0.0):
        n = len(authority)
        if n >= 9:
            chars = rng.uniform(max(8.0, n / 2 + 0.6), max(8.5, min(16.0, n - 1.5)))
            kw.update(authority_wrap=float(chars * 28), authority_shift=float(rng.uniform(0, 18)))
            ident["authority"] = authority
    return Variant(**kw), ident


# Per kind: probabilities of each phenomenon (front/back print variants, marks, sheets, photo defects).
_P = {
    "photo": {"faint": 0.03, "dob": 0.04, "latin": 0.012, "dots": 0.04, "authority": 0.08},
    "scan": {"faint": 0.03, "dob": 0.04, "latin": 0.012, "dots": 0.04, "authority": 0.08, "watermark": 0.05},
    "small": {"faint": 0.03, "dob": 0.04, "latin": 0.012, "dots": 0.04, "authority": 0.08, "watermark": 0.05},
    "photocopy": {
        "faint": 0.05,
        "dob": 0.1,
        "latin": 0.012,
        "dots": 0.08,
        "authority": 0.15,
        "watermark": 0.35,
        "no_portrait": 0.2,
        "small_labels": 0.25,
        "id17": 0.1,
        "grey_stamp": 0.45,
        "sheet": 0.3,
    },
    "both_sides": {
        "faint": 0.04,
        "dob": 0.08,
        "latin": 0.012,
        "dots": 0.08,
        "authority": 0.15,
        "watermark": 0.3,
        "no_portrait": 0.15,
        "small_labels": 0.2,
        "id17": 0.06,
        "grey_stamp": 0.4,
        "sheet": 0.5,
        "grey_photo": 0.3,
    },
    "copy_crop": {
        "faint": 0.1,
        "dob": 0.3,
        "latin": 0.012,
        "dots": 0.12,
        "authority": 0.3,
        "watermark": 0.85,
        "no_portrait": 0.6,
        "small_labels": 0.6,
        "id17": 0.4,
        "grey_stamp": 0.85,
    },
}
_PHOTO_DEFECTS = {"cut": 0.06, "blur_strong": 0.045, "glare_strong": 0.045}


def draw_extras(rng: np.random.Generator, kind: str, authority: str, force: str | None = None) -> Extras:
    """The new phenomena of a sample of `kind` (after any kind change), `force` = a modifier that must show.
    `authority` is the long form of the identity's issuing authority (used if the back wraps it)."""
    p = _P[kind]
    front, fid = _front_variant(rng, p, force)
    back, bid = _back_variant(rng, p, force, authority)
    # A copy's watermark and its label size are the same on both sides of it.
    if force == "watermark" or rng.random() < p.get("watermark", 0.0):
        mark = marks.watermark(rng)
        front, back = replace(front, watermark=mark), replace(back, watermark=mark)
    if rng.random() < p.get("small_labels", 0.0):
        ls = float(rng.uniform(0.68, 0.85))
        front, back = replace(front, label_scale=ls), replace(back, label_scale=ls)
    grey_stamps: tuple[str, ...] = ()
    if force == "grey_stamp" or rng.random() < p.get("grey_stamp", 0.0):
        r = rng.random()
        grey_stamps = ("block",) if r < 0.5 else (("frame",) if r < 0.9 else ("block", "frame"))
    sheet = None
    if kind in ("photocopy", "both_sides") and (force == "sides_turned" or rng.random() < p.get("sheet", 0.0)):
        n = 2 if kind == "both_sides" else 1
        sheet = SheetLayout.random(rng, n, turned=True if force == "sides_turned" else None)
    grey_photo = kind == "both_sides" and rng.random() < p.get("grey_photo", 0.0)
    cut, blur_strong, glare_strong = None, False, False
    if kind == "photo":
        if force == "card_cut_off" or rng.random() < _PHOTO_DEFECTS["cut"]:
            cut = CUTS[int(rng.choice(3, p=[0.4, 0.3, 0.3]))]
        blur_strong = force == "blur_strong" or rng.random() < _PHOTO_DEFECTS["blur_strong"]
        glare_strong = force == "glare_strong" or rng.random() < _PHOTO_DEFECTS["glare_strong"]
    return Extras(
        seed=int(rng.integers(1 << 30)),
        front=front,
        back=back,
        id17=bool(fid.get("id17", False)),
        name=fid.get("name"),
        authority=bid.get("authority"),
        grey_stamps=grey_stamps,
        sheet=sheet,
        grey_photo=grey_photo,
        cut=cut,
        blur_strong=blur_strong,
        glare_strong=glare_strong,
    )
