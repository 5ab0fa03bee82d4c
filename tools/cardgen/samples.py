"""Sample records and the per-kind recipes: phone photo, flat scan, small image, photocopy, both sides on a sheet."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from . import data, defects, marks, photo, scene, sheets
from .card import CARD_H, CARD_W, Boxes, CardStyle, render_back, render_front
from .identity import Identity, long_authority_for, random_identity, region_of, with_fields
from .phenomena import (
    BACK_MODIFIERS,
    COPY_CROP_P,
    FRONT_MODIFIERS,
    MARK_MODIFIERS,
    NEW_MODIFIERS,
    NEW_TAGS,
    PHOTO_MODIFIERS,
    Extras,
    draw_extras,
)
from .sheets import SheetLayout

CLASSIC_KINDS = ("photo", "scan", "small", "photocopy", "both_sides")
KIND_WEIGHTS = (0.56, 0.12, 0.10, 0.08, 0.14)  # of the classic kinds; copy_crop takes COPY_CROP_P of all samples
KINDS = (*CLASSIC_KINDS, "copy_crop")
MODIFIERS = ("stamp", "exif", "front", "back", *NEW_MODIFIERS)
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp"}
WORK_PIXELS = 3.0e6  # compose at most this many pixels, then resize to the output size


@dataclass
class Sample:
    index: int
    data: bytes
    format: str  # jpeg | png | webp
    kind: str  # one of KINDS
    tags: list[str]
    truth: dict  # API body fields a perfect reader returns (None for fields of absent sides)
    identity: Identity
    size: tuple[int, int] = (0, 0)  # stored pixel size (before any EXIF rotation)
    meta: dict = field(default_factory=dict)

    @property
    def sides(self) -> list[str]:
        return self.truth["sides"]

    @property
    def filename(self) -> str:
        return f"{self.index:04d}_{self.kind}.{EXTENSIONS[self.format]}"


def _pick(rng: np.random.Generator, seq: tuple) -> object:
    return seq[int(rng.integers(len(seq)))]


def _angle(rng: np.random.Generator, tags: list[str], upright_p: float = 0.45) -> float:
    r = rng.random()
    if r < upright_p:
        a = float(np.clip(rng.normal(0, 6), -20, 20))
    elif r < 0.88:
        a = float(_pick(rng, (90, 180, 270))) + rng.normal(0, 3)
    else:
        a = float(rng.uniform(0, 360))
    q = round(a / 90) % 4 * 90
    tags.append(f"rot{q}" if abs((a - q + 180) % 360 - 180) < 12 else "rot_any")
    return a


def _choose_format(rng: np.random.Generator, pixels: int, tags: list[str], q_lo: int = 40) -> tuple[str, int]:
    r = rng.random()
    fmt = "jpeg" if r < 0.7 else ("webp" if r < 0.85 else "png")
    if fmt == "png" and pixels > 4e6:  # a 12 MP PNG of a noisy photo is 30 MB: nobody uploads that
        fmt = "jpeg"
    q = int(rng.integers(q_lo, 96))
    tags.append(fmt if fmt == "png" else f"{fmt}_q{q}")
    return fmt, q


def _photo(
    rng: np.random.Generator,
    obj_fn,
    aspect: float,
    tags: list[str],
    min_obj_px: float = 460,
    card_frac: float = 1.0,
    fx: defects.PhotoFx | None = None,
    outline: list | None = None,
) -> tuple[Image.Image, float]:
    """A phone photo of an object (card or sheet) rendered by obj_fn(scale); aspect = height/width; card_frac =
    a card's width as a fraction of the object's (blur and clutter text scale with the card, not the sheet).
    `fx` (single cards only) adds a cut-off, a cover, a strong glare or a strong blur, drawn from its own rng so
    that the photo is otherwise the one drawn without it; obj_fn must then fill fx.boxes. `outline` gets the object's
    corners in the photo's pixels (clockwise from its top-left), for the card-outline benchmark."""
    mp = math.exp(rng.uniform(math.log(0.5e6), math.log(12e6)))
    ar = float(_pick(rng, (4 / 3, 4 / 3, 16 / 9, 1.0)))
    landscape = rng.random() < 0.5
    w_out, h_out = (math.sqrt(mp * ar), math.sqrt(mp / ar)) if landscape else (math.sqrt(mp / ar), math.sqrt(mp * ar))
    angle = _angle(rng, tags)
    th = math.radians(angle)
    bw1, bh1 = abs(math.cos(th)) + aspect * abs(math.sin(th)), abs(math.sin(th)) + aspect * abs(math.cos(th))
    fill = rng.uniform(0.3, 0.9)
    obj_px = fill * min(w_out / bw1, h_out / bh1)
    if obj_px < min_obj_px:
        fill2 = min(0.9, fill * min_obj_px / obj_px)
        obj_px = fill2 * obj_px / fill
        fill = fill2
        if obj_px < min_obj_px:
            k = min_obj_px / obj_px
            w_out, h_out, obj_px = w_out * k, h_out * k, min_obj_px
    w_out, h_out = round(w_out), round(h_out)
    f = min(1.0, math.sqrt(WORK_PIXELS / (w_out * h_out)))
    w, h = round(w_out * f), round(h_out * f)
    ow = obj_px * f
    bg_kind = str(_pick(rng, scene.BACKGROUNDS))
    tags += [f"bg_{bg_kind}", f"fill{int(fill * 100)}", f"{w_out * h_out / 1e6:.1f}mp"]
    bg = scene.background(rng, bg_kind, w, h)
    if rng.random() < 0.4:
        tags.append("clutter")
        bg = scene.clutter(rng, bg, ow * card_frac * 28 / CARD_W)
    persp = rng.uniform(0, 0.14) if rng.random() < 0.8 else 0.0
    if persp > 0.07:
        tags.append("perspective")
    cx = rng.uniform(0.35, 0.65) * w
    cy = rng.uniform(0.35, 0.65) * h
    quad = photo.fit_quad(photo.quad_for(rng, ow, ow * aspect, angle, persp, (cx, cy)), w, h)
    if fx is not None and fx.cut in ("edge", "corner"):
        quad = defects.shift_out(fx.rng, quad, w, h, corner=fx.cut == "corner")
    obj = obj_fn(min(3.0, max(0.5, ow / CARD_W * 1.15)))
    img, alpha = photo.paste(bg, obj, quad, shadow=rng.uniform(0.15, 0.5))
    cover = None
    if fx is not None and fx.cut == "cover":
        img, cover, fx.cut_detail = defects.occlude(fx.rng, img, quad)
    img = photo.lighting(rng, img, quad, tags)
    m = None
    if fx is not None:
        src = np.array([[0, 0], [obj.width, 0], [obj.width, obj.height], [0, obj.height]], np.float32)
        m = cv2.getPerspectiveTransform(src, quad.astype(np.float32)).astype(np.float64)
        if fx.glare_strong:
            img, fx.glare_fields = defects.strong_glare(fx.rng, img, m, fx.boxes, fx.side, ow, alpha)
            tags.append("glare_strong")
    strong = defects.strong_blur(fx.rng, ow / CARD_W) if fx is not None and fx.blur_strong else None
    img = photo.degrade(rng, img, ow * card_frac, tags, strong_blur=strong)
    if fx is not None and fx.cut is not None:
        fx.hidden = defects.hidden_fields(fx.boxes, fx.side, m, w, h, cover)
        if not defects.card_cut(quad, w, h, cover):
            fx.cut = None  # (cannot happen by construction: the card always reaches out or is covered)
    if (w, h) != (w_out, h_out):
        img = cv2.resize(img, (w_out, h_out), interpolation=cv2.INTER_LINEAR)
    if outline is not None:
        outline.extend((quad * np.array([w_out / w, h_out / h])).round(1).tolist())
    return photo.to_image(img), obj_px


def _flat(
    rng: np.random.Generator,
    cards: list[Image.Image],
    card_px: float,
    tags: list[str],
    grey: bool,
    page: bool,
    boxes: list[tuple[int, int, int, int]] | None = None,
    quads: list[np.ndarray] | None = None,
) -> Image.Image:
    """Cards laid flat (scanner glass or a photocopy page), stacked vertically, with margins; appends each
    card's bounding box to `boxes` and its corners to `quads`."""
    ch = card_px * CARD_H / CARD_W
    gap = ch * rng.uniform(0.15, 0.6)
    content_h = ch * len(cards) + gap * (len(cards) - 1)
    if page:  # an A4 sheet (or its upper part)
        w = round(card_px * 210 / 85.6)
        h = round(w * 297 / 210) if rng.random() < 0.6 else round(content_h * rng.uniform(1.3, 1.8))
        top = rng.uniform(0.05, 0.2) * h if h > content_h * 1.5 else (h - content_h) / 2
    else:
        w = round(card_px * rng.uniform(1.04, 1.6))
        h = round(content_h * rng.uniform(1.04, 1.5) + (w - card_px) * 0.3)
        top = (h - content_h) / 2 + rng.uniform(-0.3, 0.3) * (h - content_h) / 2
    left = (w - card_px) / 2 + rng.uniform(-0.3, 0.3) * (w - card_px) / 2
    # Copy paper or the scanner lid: light and nearly uniform.
    paper = scene.background(rng, "plain", w, h)
    paper = np.clip((paper.mean(axis=2, keepdims=True) * 0.8 + paper * 0.2) * 0.15 + rng.uniform(200, 225), 0, 255)
    tilt = rng.normal(0, 0.8)
    img = paper
    for i, card in enumerate(cards):
        cy = top + i * (ch + gap) + ch / 2
        quad = photo.quad_for(rng, card_px, ch, tilt + rng.normal(0, 0.3), 0.0, (left + card_px / 2, cy))
        quad = photo.fit_quad(quad, w, h, 0.0)
        img, alpha = photo.paste(img, card, quad, shadow=0.0)
        if quads is not None:
            quads.append(quad)
        if boxes is not None:
            lo, hi = quad.min(axis=0), quad.max(axis=0)
            boxes.append((int(lo[0]), int(lo[1]), int(np.ceil(hi[0])), int(np.ceil(hi[1]))))
        if grey:  # photocopies show the card's edge as a dark outline
            edge = alpha - cv2.erode(alpha, np.ones((3, 3), np.uint8))
            img = img * (1 - 0.6 * np.clip(edge, 0, 1)[..., None])
    img = photo.degrade(rng, img, card_px, tags, strength=0.4)
    if grey:
        img = photo.photocopy(rng, img)
    return photo.to_image(img)


def _crop_copy(rng: np.random.Generator, card: Image.Image, width: float, tags: list[str]) -> Image.Image:
    """A competition-style crop: the card alone filling the image (a few pixels of margin), greyscale, mildly
    blurred. `card` is the RGBA card rendered at about twice the output size."""
    margin = rng.uniform(0, 4)
    out_w = round(width)
    out_h = round((width - 2 * margin) * CARD_H / CARD_W + 2 * margin)
    k = card.width / (out_w - 2 * margin)
    big = (round(out_w * k), round(out_h * k))
    outside = int(rng.uniform(200, 248))
    canvas = Image.new("RGBA", big, (outside, outside, outside, 255))
    tilt = float(rng.normal(0, 0.4))
    rotated = card.rotate(tilt, resample=Image.BICUBIC, expand=False)
    canvas.alpha_composite(rotated, (round(margin * k), round(margin * k)))
    arr = np.asarray(canvas.convert("RGB"), np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    # Tone of a grey copy: the card's paper mid-light grey, the ink near black.
    paper, ink = float(np.percentile(arr, 60)), float(np.percentile(arr, 0.5))
    want_paper, want_ink = rng.uniform(188, 228), rng.uniform(5, 45)
    gain = (want_paper - want_ink) / max(paper - ink, 1.0)
    arr = (arr - ink) * gain + want_ink
    arr = cv2.resize(arr, (out_w, out_h), interpolation=cv2.INTER_AREA)
    if rng.random() < 0.7:
        arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.3, 0.75))
        tags.append("blur")
    arr = arr + rng.normal(0, rng.uniform(0.5, 4), arr.shape).astype(np.float32)
    img = photo.to_image(arr)
    return img if rng.random() < 0.4 else img.convert("RGB")


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [t for t in items if not (t in seen or seen.add(t))]


def _page_boxes(boxes: Boxes, quad: np.ndarray, size: tuple[int, int], origin: tuple[int, int]) -> Boxes:
    """A card's field boxes mapped onto the page (axis-aligned around the mapped box), relative to origin."""
    src = np.array([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    out: Boxes = {}
    for f, rects in boxes.items():
        out[f] = []
        for x0, y0, x1, y1 in rects:
            pts = np.array([[[x0, y0]], [[x1, y0]], [[x1, y1]], [[x0, y1]]], np.float32)
            q = cv2.perspectiveTransform(pts, m).reshape(-1, 2) - np.array(origin, np.float32)
            out[f].append((float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max())))
    return out


def build_sample(
    identity: Identity,
    rng: np.random.Generator,
    kind: str = "photo",
    *,
    sides: tuple[str, ...] | None = None,
    stamped: bool = False,
    exif: bool = False,
    fmt: str | None = None,
    index: int = 0,
    extras: Extras | None = None,
) -> Sample:
    """One synthetic image of the given identity's card(s) with its ground truth. `extras` adds the phenomena
    of phenomena.py (None: none, except for copy_crop, which draws its own from rng)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    style = CardStyle.random(rng)
    if sides is None:
        sides = ("front", "back") if kind == "both_sides" else (("front",) if rng.random() < 0.6 else ("back",))
    tags: list[str] = [kind, *sides]
    stamp_seed = int(rng.integers(1 << 30))
    if extras is None:
        extras = Extras()
        if kind == "copy_crop":
            extras = draw_extras(rng, kind, long_authority_for(region_of(identity), rng))
    ex = extras
    # Identity changes that the print shows (and so the truth).
    if ex.id17 and "front" in sides:
        identity = with_fields(identity, id_number=identity.id_number[:17])
        tags.append("id17")
    if ex.name is not None and "front" in sides:
        identity = with_fields(identity, name=ex.name)
        tags.append("latin_name")
    if ex.authority is not None and "back" in sides:
        identity = with_fields(identity, issuing_authority=ex.authority)
    variants = {"front": ex.front, "back": ex.back}
    for side in sides:
        v = variants[side]
        tags += ["watermark"] if v.watermark is not None else []
        tags += ["small_labels"] if v.label_scale != 1.0 else []
    if "front" in sides:
        v = ex.front
        tags += (["faint_labels"] if v.faint_labels else []) + (["dob_spacing"] if v.birth_gaps else [])
        tags += [] if v.portrait else ["no_portrait"]
    if "back" in sides and ex.back.spaced_dots:
        tags.append("dots_spaced")

    grey = kind in ("photocopy", "copy_crop") or (kind == "both_sides" and rng.random() < 0.65)
    # (drawn here, in the order the classic generator drew them: grey first, then whether a sheet is photographed)
    sheet_photo = kind == "photo" and len(sides) > 1 or (kind == "both_sides" and rng.random() < 0.25)
    if sheet_photo:
        grey = ex.grey_photo  # a phone photo of the sheet: colour, unless the sheet is a greyscale copy
    grey_marks = bool(ex.grey_stamps) and grey
    stamp_tags: list[str] = []
    rendered: dict[str, Boxes] = {}

    def card(side: str, scale: float, stamp: bool = stamped, marks_on: bool = False) -> Image.Image:
        boxes: Boxes = {}
        img = (render_front if side == "front" else render_back)(identity, style, scale, variants[side], boxes)
        rendered[side] = boxes
        if stamp:
            feet: list[np.ndarray] = []
            img = photo.stamp(np.random.default_rng([stamp_seed, len(side)]), img, feet)
            stamp_tags.extend(marks.covered_tags(feet[0], boxes))
        if marks_on:
            for k, mark in enumerate(ex.grey_stamps):
                mrng = np.random.default_rng([ex.seed, len(side), k])
                target = marks.pick_target(mrng, side)
                fn = marks.block_stamp if mark == "block" else marks.frame_stamp
                img, foot = fn(mrng, img, boxes, target, light=kind != "copy_crop")
                stamp_tags.extend(marks.covered_tags(foot, boxes))
                stamp_tags.append("stamp_block" if mark == "block" else "stamp_frame")
        return img

    if kind == "copy_crop":
        stamped = False  # a crop's stamps are grey ones (extras.grey_stamps)
    if grey_marks:
        tags += ["stamp", "grey_stamp"]
        stamped = False  # grey stamps take the place of a red one
    elif stamped:
        tags.append("stamp")
    fx = None
    outline: list[list[float]] = []  # a single card's corners in a phone photo (the reader's cards[].corners)
    cut_fields: list[str] = []
    meta: dict = {}
    if kind == "copy_crop":
        width = rng.uniform(440, 462)
        tags += [f"card{int(width)}px", "grey"]
        img = _crop_copy(rng, card(sides[0], 2 * width / CARD_W, stamp=False, marks_on=grey_marks), width, tags)
    elif kind == "photo" and len(sides) == 1:
        if ex.cut or ex.blur_strong or ex.glare_strong:
            fx = defects.PhotoFx(
                np.random.default_rng([ex.seed, 0xF0]), sides[0], ex.cut, ex.blur_strong, ex.glare_strong
            )

            def obj(s: float) -> Image.Image:
                img = card(sides[0], s)
                fx.boxes = rendered[sides[0]]
                return img

            img, _ = _photo(rng, obj, CARD_H / CARD_W, tags, fx=fx, outline=outline)
        else:
            img, _ = _photo(rng, lambda s: card(sides[0], s), CARD_H / CARD_W, tags, outline=outline)
    elif sheet_photo:
        # A phone photo of a sheet with both sides on it.
        tags.append("sheet_photo")
        card_px = 700.0
        layout = ex.sheet

        def sheet(scale: float) -> Image.Image:
            if layout is None and not ex.grey_photo:
                cards = [card(s, card_px / CARD_W) for s in sides]
                page = _flat(np.random.default_rng(stamp_seed), cards, card_px, [], grey=False, page=True)
            else:
                lay = layout or SheetLayout((0,) * len(sides), (0.0,) * len(sides), False, 0.3, "a4", (0.5, 0.3), 0)
                cards = [card(s, card_px / CARD_W, marks_on=grey_marks) for s in sides]
                page = sheets.compose(np.random.default_rng(stamp_seed), cards, card_px, lay, [], ex.grey_photo)
            return page.convert("RGBA").resize(
                (round(page.width * scale * CARD_W / card_px), round(page.height * scale * CARD_W / card_px))
            )

        tags += ["grey", "photo_of_copy"] if grey else []
        if layout is not None:
            tags += layout.tags(sides)
            meta["card_turns"] = dict(zip(sides, layout.turns, strict=True))
        probe = sheet(CARD_W / card_px)
        img, _ = _photo(rng, sheet, probe.height / probe.width, tags, min_obj_px=1300, card_frac=85.6 / 210)
        quarter = next((int(t[3:]) for t in tags if t[:3] == "rot" and t[3:].isdigit()), None)
        if "card_turns" in meta:  # in the photo: the sheet's own turn (clockwise in the photo) taken off
            meta["card_turns"] = {
                k: None if quarter is None else (v - quarter) % 360 for k, v in meta["card_turns"].items()
            }
    elif kind in ("scan", "small"):
        card_px = rng.uniform(420, 480) if kind == "small" else rng.uniform(700, 2000)
        tags.append(f"card{int(card_px)}px")
        cards = [card(s, card_px / CARD_W) for s in sides]
        img = _flat(rng, cards, card_px, tags, grey=False, page=False)
    else:  # photocopy / both_sides page
        card_px = rng.uniform(480, 1000)
        tags += [f"card{int(card_px)}px"] + (["grey"] if grey else [])
        # A greyscale copy is stamped after copying (red on grey), a colour one may be stamped on the card.
        cards = [card(s, card_px / CARD_W, stamp=stamped and not grey, marks_on=grey_marks) for s in sides]
        boxes: list[tuple[int, int, int, int]] = []
        quads: list[np.ndarray] = []
        if ex.sheet is not None:
            img = sheets.compose(rng, cards, card_px, ex.sheet, tags, grey, quads)
            tags += ex.sheet.tags(sides)
            meta["card_turns"] = dict(zip(sides, ex.sheet.turns, strict=True))
            for q in quads:
                lo, hi = np.floor(q.min(axis=0)), np.ceil(q.max(axis=0))
                boxes.append(
                    (max(0, int(lo[0])), max(0, int(lo[1])), min(img.width, int(hi[0])), min(img.height, int(hi[1])))
                )
        else:
            page = kind == "both_sides" or rng.random() < 0.3
            img = _flat(rng, cards, card_px, tags, grey=grey, page=page, boxes=boxes, quads=quads)
        if stamped and grey:
            feet: list[np.ndarray] = []
            img = photo.stamp_boxes(np.random.default_rng(stamp_seed), img, boxes, feet)
            for side, c, q, b, foot in zip(sides, cards, quads, boxes, feet, strict=True):
                stamp_tags.extend(marks.covered_tags(foot, _page_boxes(rendered[side], q, c.size, b[:2])))
    if kind not in ("photo", "copy_crop") and rng.random() < 0.15:
        turn = int(_pick(rng, (90, 180, 270)))
        img = img.rotate(turn, expand=True)
        tags.append(f"turned{turn}")
        if "card_turns" in meta:
            meta["card_turns"] = {k: (v + turn) % 360 for k, v in meta["card_turns"].items()}
    if fmt is None:
        fmt, quality = _choose_format(rng, img.width * img.height, tags, q_lo=40 if kind == "photo" else 60)
    else:
        quality = int(rng.integers(60, 96))
        tags.append(fmt)
    orientation = int(_pick(rng, (6, 6, 8, 3, 1))) if exif else None
    if orientation is not None:
        tags.append(f"exif{orientation}")
    data_bytes = photo.encode(img, fmt, quality, orientation)
    size = img.size if orientation not in (6, 8) else (img.height, img.width)
    if "back" in sides and len(rendered.get("back", {}).get("issuingAuthority", [])) > 1:
        tags.append("authority_2lines")
    if fx is not None:
        if fx.cut is not None:
            tags += ["card_cut_off", {"edge": "cut_edge", "corner": "cut_corner", "cover": "covered"}[fx.cut]]
            cut_fields = fx.hidden
            meta["cut_fields"] = cut_fields
            if fx.cut_detail:
                meta["cover"] = fx.cut_detail
        if fx.glare_strong:
            meta["glare_fields"] = fx.glare_fields
    tags += [] if grey else ["colour"]
    tags = _dedupe(tags + stamp_tags)
    truth = identity.ground_truth(sides)
    for f in cut_fields:
        truth[f] = None
    truth["cutFields"] = list(cut_fields)
    if outline:
        truth["corners"] = outline
    truth["defects"] = {
        "photocopy": grey,
        "card_cut_off": fx is not None and fx.cut is not None,
        "blurry": "blur_strong" in tags,
        "glare": "glare_strong" in tags,
    }
    meta["new"] = [t for t in tags if t in NEW_TAGS]
    return Sample(index, data_bytes, fmt, kind, tags, truth, identity, size, meta)


def make_sample(seed: int, index: int, only: str | None = None, classic: bool = False) -> Sample:
    """Sample number `index` of the set for `seed` (independent of the other samples). classic=True: without
    the phenomena of phenomena.py (the set as the generator made it before them, byte for byte)."""
    if classic and only in NEW_MODIFIERS + ("copy_crop",):
        raise ValueError(f"{only!r} is not a classic kind or modifier")
    rng = np.random.default_rng([seed, index])
    ethnicity = data.ETHNIC_GROUPS[1 + (index // 4) % 55] if index % 4 == 3 else None  # every group appears
    identity = random_identity(rng, ethnicity=ethnicity)
    drawn = str(rng.choice(CLASSIC_KINDS, p=np.array(KIND_WEIGHTS) / sum(KIND_WEIGHTS)))
    kind = only if only in CLASSIC_KINDS else drawn
    stamp_p = 0.3 if kind in ("photocopy", "both_sides") else 0.06
    stamped = only == "stamp" or rng.random() < stamp_p
    exif = only == "exif" or (kind == "photo" and rng.random() < 0.2)
    sides = None
    if only in ("front", "back"):
        sides = (only,)
        kind = kind if kind != "both_sides" else "photo"
    if classic:
        return build_sample(identity, rng, kind, sides=sides, stamped=stamped, exif=exif, index=index, extras=Extras())
    # The new phenomena come from a stream of their own: a sample that draws none of them is the same bytes as
    # before they existed.
    rng2 = np.random.default_rng([seed, index, 0x4E4557])
    classic_kind = kind
    force = only if only in NEW_MODIFIERS else None
    if only == "copy_crop" or (only is None or force is not None) and rng2.random() < COPY_CROP_P:
        kind = "copy_crop"
    if force == "sides_turned":
        kind = "both_sides"
    elif force in MARK_MODIFIERS:  # marks are on copies
        kind = kind if kind in ("photocopy", "copy_crop") else ("copy_crop" if rng2.random() < 0.5 else "photocopy")
    elif force in PHOTO_MODIFIERS:  # photo defects are drawn on single-card photos
        kind = "photo"
    if force in FRONT_MODIFIERS and kind != "both_sides":
        sides = ("front",)
    elif force in BACK_MODIFIERS and kind != "both_sides":
        sides = ("back",)
    if kind != classic_kind and kind != "photo":
        exif = False  # an EXIF tag was drawn for a phone photo, not for what this sample became
    extras = draw_extras(rng2, kind, long_authority_for(region_of(identity), rng2), force)
    return build_sample(identity, rng, kind, sides=sides, stamped=stamped, exif=exif, index=index, extras=extras)


def generate(seed: int, n: int, *, only: str | None = None, start: int = 0, classic: bool = False) -> Iterator[Sample]:
    """n samples, deterministic for (seed, index). `only` is a kind (KINDS) or a modifier (MODIFIERS); classic=True
    leaves out the phenomena of phenomena.py (the set as it was before them)."""
    if only is not None and only not in KINDS + MODIFIERS:
        raise ValueError(f"unknown kind {only!r}; expected one of {KINDS + MODIFIERS}")
    for i in range(start, start + n):
        yield make_sample(seed, i, only, classic)
