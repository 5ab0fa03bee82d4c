"""The recognition pipeline shared by the API and the CLI: image bytes in, the API's JSON body out.

decode (JPEG draft scaling, EXIF orientation, limits) -> drop red ink (stamps) -> detect text lines at a modest
scale -> group the boxes into cards (imaging/cards.py: one direction and one cluster per card) -> per card, when
its text is small or tilted, cut it out levelled and rescaled and detect again -> cut each line out
perspective-corrected from the decoded pixels -> per card, one 0/180 decision (two when the card's halves face
opposite ways) -> recognise every line, keeping each step's alternatives -> extract each card's fields in its own
level, upright frame -> combine the cards into one body.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import cv2
import numpy as np

from .config import DEFAULT_MAX_PIXELS, Settings
from .errors import BlurredImage, NoIdCardFound
from .extract import CardLines, codes, combine_cards, read_sides
from .extract.result import FieldWarning, SideInspection, SideReading
from .extract.text import is_han
from .imaging.cards import CardRegion, ClusterOptions, find_cards, split_by_orientation
from .imaging.decode import decode_image
from .imaging.frame import CardFrame, FrameOptions, card_frame, expected_outline, portrait_corners
from .imaging.geometry import (
    Quad,
    agrees,
    apply_affine,
    crop_line,
    fit_affine,
    flip,
    level_region,
    map_back,
    median_height,
    quad_part,
    upright,
)
from .imaging.ink import drop_coloured_ink, drop_red_ink, flatten, is_greyscale
from .imaging.quality import QualityOptions, card_quality, image_is_blurred
from .ocr.engine import LINE_HEIGHT, EngineOptions, OcrEngine
from .ocr.threads import available_cpus
from .ocr.types import TextLine, as_box


@dataclass(frozen=True, slots=True)
class ReaderOptions:
    """Sizes and thresholds of the pipeline. Boxes only come from detection: crops are always cut from the decoded
    pixels, so the detection sizes trade detection time against missed or split lines. The values were chosen on
    the 300-photo accuracy benchmark (README, bench-results/accuracy-*.txt)."""

    max_pixels: int = DEFAULT_MAX_PIXELS
    # Longest side of the decoded image: line crops come from it, so it bounds recognition quality and memory.
    max_decode_side: int = 2400
    # Longest side given to the detector on the first look at the whole image.
    det_side: int = 768
    # Fewer boxes than a card's labels on the first look: the text may be too small to see at det_side.
    min_first_look_boxes: int = 5
    # A card's first-look boxes are enough when at least this tall (px at detector scale) and level within
    # level_tolerance degrees; otherwise the card is cut out, levelled and scaled so boxes are about
    # target_box_height px tall (at most refined_side px on its longer side, zoom at most max_zoom), and detected
    # again.
    min_box_height: int = 16
    # Below this height of the smaller boxes on the first look (px at detector scale), smaller text elsewhere on
    # the page may have gone unseen: the text's part of the page is looked at again at twice the scale.
    min_page_box_height: float = 14.0
    closer_margin: float = 0.3
    level_tolerance: float = 3.0
    target_box_height: int = 24
    refined_side: int = 1600
    max_zoom: float = 3.0
    # Border around a card's first-look text in its second look: lines it missed (a number at the card's edge) lie
    # near the ones it found. The larger of region_margin text heights and region_share of the region's size.
    region_margin: float = 4.0
    region_share: float = 0.15
    # Lines of a card the 0/180 vote looks at (the widest ones say the most).
    orientation_sample: int = 8
    # A card whose sampled votes are this mixed has every line classified, to find halves facing opposite ways.
    mixed_vote: float = 0.2
    clusters: ClusterOptions = field(default_factory=ClusterOptions)
    frame: FrameOptions = field(default_factory=FrameOptions)
    quality: QualityOptions = field(default_factory=QualityOptions)
    # A line ending in at least min_number_digits digits but fewer than number_length is an ID number cut short
    # (its end under a stamp): it is read again, longer.
    min_number_digits: int = 10
    flatten_copies: bool = True
    flatten_divisor: float = 30.0
    # A greyscale image's unread fields are also read again from a copy flattened without its light strokes
    # (ink.flatten): on the generated benchmark's grey images it reads the periods under grey 复印无效 stamps that the
    # images without coloured ink did not; the real set is unchanged.
    reread_light_stroke: float = 0.4
    number_length: int = 18


@dataclass(slots=True)
class StageTimings:
    """Seconds per stage of one read (as RapidOCR's results carry ``elapse``): what the speed benchmark reports."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


@dataclass(slots=True)
class Analysis:
    body: dict
    cards: list[CardLines]
    timings: StageTimings


@dataclass(slots=True)
class CardReader:
    engine: OcrEngine
    options: ReaderOptions = field(default_factory=ReaderOptions)
    today: Callable[[], dt.date] = dt.date.today

    @classmethod
    def create(cls, options: ReaderOptions | None = None, engine: EngineOptions | None = None) -> CardReader:
        """Loads the OCR models (once per process). ONNX Runtime threads default to the CPUs the process gets."""
        engine = engine or EngineOptions(threads=available_cpus())
        return cls(engine=OcrEngine(engine), options=options or ReaderOptions())

    @classmethod
    def from_settings(cls, settings: Settings) -> CardReader:
        threads = settings.threads or available_cpus()
        return cls.create(ReaderOptions(max_pixels=settings.max_image_pixels), EngineOptions(threads=threads))

    def read(self, data: bytes, crops: frozenset[str] = frozenset()) -> dict:
        """Raises an ``ApiError`` for anything that is not a readable card (bad bytes: 4xx, no card: 422).
        ``crops``: images to return (CROPS), in the body's ``images`` and per card."""
        return self.analyse(data, crops).body

    def analyse(self, data: bytes, crops: frozenset[str] = frozenset()) -> Analysis:
        timings = StageTimings()
        with timings.stage("decode"):
            decoded = decode_image(data, max_pixels=self.options.max_pixels, max_side=self.options.max_decode_side)
        cards = self.read_cards(decoded.pixels, timings)
        scale = _original_scale(decoded.original_size, decoded.pixels.shape)
        with timings.stage("extraction"), self._unread(decoded.pixels):
            inspect = _Inspector(decoded.pixels, crops, self.options, timings)
            body = combine_cards(cards, today=self.today(), image_scale=scale, inspect=inspect).to_body()
        return Analysis(body, cards, timings)

    def read_pixels(self, pixels: np.ndarray) -> dict:
        cards = self.read_cards(pixels, StageTimings())
        with self._unread(pixels):
            return combine_cards(cards, today=self.today(), image_scale=1.0).to_body()

    @contextmanager
    def _unread(self, pixels: np.ndarray) -> Iterator[None]:
        """Where no card could be read (no text, or no side in it), the error says why when the image shows it:
        a blurred image is refused as blurred."""
        try:
            yield
        except NoIdCardFound as unread:
            if type(unread) is NoIdCardFound and image_is_blurred(pixels, self.options.quality):
                raise BlurredImage() from None
            raise

    def read_cards(self, pixels: np.ndarray, timings: StageTimings) -> list[CardLines]:
        """Each card's recognised lines in its own level, upright frame, largest card first."""
        colour, pixels = pixels, drop_red_ink(pixels)
        grey_copy = is_greyscale(colour)
        # flatten's closing size: wider than a stroke, from the page's size (the text's is not known yet).
        stroke_scale = max(9.0, min(pixels.shape[:2]) / self.options.flatten_divisor)
        if self.options.flatten_copies and grey_copy:
            # A photocopy's stamps are grey: dividing by the local background keeps the print under them dark.
            pixels = flatten(pixels, stroke_scale)
        with timings.stage("detect"):
            regions = self._find_cards(pixels)
        with timings.stage("crops"):
            prepared = [(region, upright(region.quads, region.angle)) for region in regions]
            crops = [[crop_line(pixels, original, LINE_HEIGHT) for original, _ in pairs] for _, pairs in prepared]
        with timings.stage("orientation"):
            oriented = self._orient(prepared, crops)
        with timings.stage("recognize"):
            every = [crop for _, _, card_crops in oriented for crop in card_crops]
            readings = iter(self.engine.recognize(every))
            cards = []
            for region, pairs, card_crops in oriented:
                lines = []
                for (original, level), _ in zip(pairs, card_crops, strict=True):
                    reading = next(readings)
                    if reading.text.strip():
                        lines.append(TextLine.from_reading(reading, level, original))
                if lines:
                    cards.append(CardLines(self._complete_numbers(pixels, lines), region.angle))
        with timings.stage("second_reading"):
            sources: tuple[np.ndarray, ...] = ()
            for card in cards:
                if any(side.regions for side in read_sides(card.lines, today=self.today())):
                    sources = sources or self._reread_sources(colour, grey_copy, stroke_scale)
                    card.lines.extend(self._read_unread_fields(sources, card))
        return cards

    def _reread_sources(self, colour: np.ndarray, grey_copy: bool, stroke_scale: float) -> tuple[np.ndarray, ...]:
        """What an unread field's region is read again from: the image without coloured ink (two ways); a grey copy
        also with its grey stamps faded by flattening without light strokes (it thins fine print, so it is one more
        reading to choose from, not a replacement)."""
        without_colour = drop_coloured_ink(colour)
        if grey_copy:
            return (*without_colour, flatten(colour, stroke_scale, light_stroke=self.options.reread_light_stroke))
        return without_colour

    def _read_unread_fields(self, sources: tuple[np.ndarray, ...], card: CardLines) -> list[TextLine]:
        """Lines read where the card's layout says an unread field is printed (a stamp across it, faint print: the
        detector proposed no box there): the region's crop goes straight to the recogniser, from each of
        ``sources`` (``_reread_sources``: values are printed black, stamps and labels are not), and the surer
        reading is kept."""
        regions = []
        for side in read_sides(card.lines, today=self.today()):
            placed = [line for line in side.lines if line.image_box is not None]
            if not side.regions or len(placed) < 2:
                continue
            to_image = fit_affine(_corners(placed, "box"), _corners(placed, "image_box"))
            regions += [apply_affine(to_image, _rectangle(rect)) for rect in side.regions.values()]
        if not regions:
            return []
        originals = [line for line in card.lines if line.image_box is not None]
        to_card = fit_affine(_corners(originals, "image_box"), _corners(originals, "box"))
        crops = [crop_line(pixels, quad, LINE_HEIGHT) for pixels in sources for quad in regions]
        readings = self.engine.recognize(crops)
        found = []
        for k, quad in enumerate(regions):
            reading = max(readings[k :: len(regions)], key=lambda option: (bool(option.text), option.score))
            if reading.text:
                line = TextLine.from_reading(reading, apply_affine(to_card, quad), quad)
                found.append(dataclasses.replace(line, reread=True))
        return found

    def _complete_numbers(self, pixels: np.ndarray, lines: list[TextLine]) -> list[TextLine]:
        """Lines that end in a run of digits too short for an ID number (its end under a stamp, where the detector
        stopped) read again over their length extended to the right by the missing digits; kept when the longer
        crop reads more digits that begin with the ones read."""
        out = []
        for line in lines:
            run = _TRAILING_DIGITS.search(line.text)
            missing = self.options.number_length - len(run.group()) if run else 0
            if run is None or len(run.group()) < self.options.min_number_digits or missing <= 0 or not line.image_box:
                out.append(line)
                continue
            quad = np.array(line.image_box, dtype=np.float32)
            pitch = _digit_pitch(line, run.start(), quad)
            if _continued(line, lines, pitch * (missing + 0.5)):  # the rest of the number is the next box
                out.append(line)
                continue
            direction = quad[1] - quad[0]
            direction /= max(float(np.linalg.norm(direction)), 1e-6)
            longer = quad.copy()
            longer[1] += direction * pitch * (missing + 0.5)
            longer[2] += direction * pitch * (missing + 0.5)
            longer[:, 0] = np.clip(longer[:, 0], 0, pixels.shape[1] - 1)
            longer[:, 1] = np.clip(longer[:, 1], 0, pixels.shape[0] - 1)
            reading = self.engine.recognize([crop_line(pixels, longer, LINE_HEIGHT)])[0]
            again = _TRAILING_DIGITS.search(reading.text)
            if again and len(again.group()) > len(run.group()) and reading.text.startswith(line.text):
                level = np.array(line.box, dtype=np.float32)
                grown = level.copy()
                grown[1, 0] += pitch * (missing + 0.5)
                grown[2, 0] += pitch * (missing + 0.5)
                out.append(TextLine.from_reading(reading, grown, longer))
            else:
                out.append(line)
        return out

    def _orient(
        self, prepared: list[tuple[CardRegion, list[tuple[Quad, Quad]]]], crops: list[list[np.ndarray]]
    ) -> list[tuple[CardRegion, list[tuple[Quad, Quad]], list[np.ndarray]]]:
        """Per card: its boxes turned upright (0 or 180 degrees, by the angle classifier), with their crops; a card
        whose two halves face opposite ways becomes two."""
        out = []
        for (region, pairs), card_crops in zip(prepared, crops, strict=True):
            widest = sorted(range(len(card_crops)), key=lambda i: -card_crops[i].shape[1])
            sample = widest[: self.options.orientation_sample]
            shares = self.engine.upside_down_shares([card_crops[i] for i in sample])
            votes: list[float | None] = [None] * len(card_crops)
            for i, share in zip(sample, shares, strict=True):
                votes[i] = share
            mean = sum(shares) / len(shares) if shares else 0.0
            if len(card_crops) > len(sample) and abs(mean - 0.5) < 0.5 - self.options.mixed_vote:
                rest = widest[len(sample) :]
                for i, share in zip(rest, self.engine.upside_down_shares([card_crops[i] for i in rest]), strict=True):
                    votes[i] = share
            index = {id(quad): i for i, quad in enumerate(region.quads)}
            for part, turned in split_by_orientation(region, votes):
                members = [index[id(quad)] for quad in part.quads]
                part_pairs = [pairs[i] for i in members]
                part_crops = [card_crops[i] for i in members]
                if turned:
                    part_pairs = flip(part_pairs)
                    part_crops = [np.ascontiguousarray(crop[::-1, ::-1]) for crop in part_crops]
                out.append((part, part_pairs, part_crops))
        return out

    def _find_cards(self, pixels: np.ndarray) -> list[CardRegion]:
        """The cards' text boxes: from one look at det_side, then, for each card whose text is small or tilted, from
        a second look at that card levelled and rescaled (a small, far or tilted card, a photocopy page)."""
        options = self.options
        scale = min(1.0, options.det_side / max(pixels.shape[:2]))
        quads = _detect_scaled(self.engine, pixels, scale)
        if len(quads) < options.min_first_look_boxes and scale < 1.0:  # a card far away: look again, closer
            scale = min(1.0, 2 * scale)
            quads = max(quads, _detect_scaled(self.engine, pixels, scale), key=len)
        elif quads and scale < 1.0 and _small_height(quads) * scale < options.min_page_box_height:
            # Small text (a sheet photographed whole): a card whose text is smaller still was not seen at all; look
            # again, closer, at the part of the page that holds text.
            closer = _detect_region(self.engine, pixels, quads, min(1.0, 2 * scale), options.closer_margin)
            quads = max(quads, closer, key=len)
        regions = find_cards(quads, options.clusters)
        refined = []
        for region in regions:
            height = median_height(region.quads)
            if height * scale >= options.min_box_height and abs(region.angle) <= options.level_tolerance:
                refined.append(region)
                continue
            text = [quad for quad in region.quads if agrees(quad, region.angle)] or region.quads
            zoom = min(options.max_zoom, options.target_box_height / max(height, 1.0))
            levelled, matrix = level_region(
                pixels, text, region.angle, zoom, options.refined_side, options.region_margin, options.region_share
            )
            found = self.engine.detect(levelled)
            again = find_cards(map_back(found, matrix), options.clusters) if found else []
            refined.extend(again or [region])
        return _distinct(refined)


_TRAILING_DIGITS = re.compile(r"[0-9]+[0-9Xx]?$")


def _digit_pitch(line: TextLine, first_digit: int, quad: np.ndarray) -> float:
    """Image pixels from one digit to the next in ``line``: from the recogniser's steps when it has them, else
    the line's height (OCR-B digits are about half as wide as high, plus spacing)."""
    width = float(np.linalg.norm(quad[1] - quad[0]))
    height = float(np.linalg.norm(quad[3] - quad[0]))
    if line.lattice is not None and line.spans is not None and len(line.spans) > first_digit + 1:
        starts = [start for start, _ in line.spans[first_digit:]]
        steps = (starts[-1] - starts[0]) / (len(starts) - 1)
        return max(1.0, steps * width / max(len(line.lattice), 1))
    return 0.6 * height


CROPS = frozenset({"card", "portrait"})


@dataclass(slots=True)
class _Inspector:
    """Each side's card seen in the image: its outline from the card's edges, its quality and defect warnings,
    and the crops asked for (built in memory, never written anywhere)."""

    pixels: np.ndarray
    crops: frozenset[str]
    options: ReaderOptions
    timings: StageTimings

    def __call__(self, side: SideReading) -> SideInspection:
        # The printed text's boxes. A region read again lies where the layout guessed, maybe beyond the card: it
        # counts only as far as the recogniser found characters in it (a front whose number the detector missed
        # otherwise loses its widest row, and the card's outline with it).
        parts = (_printed_part(line) for line in side.lines if line.image_box is not None)
        placed = [line for line in parts if line is not None]
        if len(placed) < 2:
            return SideInspection()
        with self.timings.stage("card_frame"):
            level, image = _corners(placed, "box"), _corners(placed, "image_box")
            own = _card_text(placed, side.print_lines, side.side)
            text_box = _extent(own)
            printed = _print_boxes(own)
            frame = card_frame(self.pixels, fit_affine(level, image), text_box, side.side, self.options.frame, printed)
            quality = card_quality(self.pixels, frame.corners, self.options.quality, printed, side.side)
        warnings = [
            FieldWarning(code, message)
            for flagged, code, message in (
                (quality.photocopy, codes.PHOTOCOPY, "the card has no colour: a photocopy or a greyscale image"),
                (frame.cut_off, codes.CARD_CUT_OFF, "part of the card lies outside the image"),
                (quality.blurry, codes.BLURRY, f"the card is blurred (sharpness {quality.sharpness:.2f})"),
                (quality.glared, codes.GLARE, f"a highlight washes out text ({quality.glare:.1%} of the card)"),
            )
            if flagged
        ]
        images: dict[str, str] = {}
        if self.crops:
            with self.timings.stage("crops_out"):
                if "card" in self.crops:
                    images["card"] = _jpeg(frame.rectified(self.pixels))
                if "portrait" in self.crops and side.side == "front":
                    images["portrait"] = _jpeg(_portrait(self.pixels, frame))
                elif "portrait" in self.crops:
                    warnings.append(FieldWarning(codes.NO_PORTRAIT, "a back side has no portrait to crop"))
        corners = [(float(x), float(y)) for x, y in frame.corners]
        return SideInspection(corners, quality.score, warnings, images)


def _jpeg(pixels: np.ndarray) -> str:
    ok, data = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, CROP_JPEG_QUALITY])
    return base64.b64encode(data.tobytes()).decode("ascii") if ok else ""


def _portrait(pixels: np.ndarray, frame: CardFrame) -> np.ndarray:
    corners = portrait_corners(frame)
    width = int(round(np.linalg.norm(corners[1] - corners[0])))
    height = int(round(np.linalg.norm(corners[3] - corners[0])))
    scale = min(1.0, PORTRAIT_HEIGHT / max(height, 1))
    size = (max(8, int(width * scale)), max(8, int(height * scale)))
    target = np.array([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(pixels, matrix, size, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)


# Crops: the card at its canonical 856 x 540 and the portrait at most this tall, JPEG at this quality: a body with
# two cards and both crops stays far below Lambda's 6 MB response limit (docs/limits.md).
CROP_JPEG_QUALITY = 85
PORTRAIT_HEIGHT = 400


def _printed_part(line: TextLine) -> TextLine | None:
    """A detected line as it is; a line read again in a guessed region cut to the span of its characters along the
    region (None when it has none, or no character positions)."""
    if not line.reread:
        return line
    extent = line.characters_extent()
    if extent is None or line.image_box is None:
        return None
    return dataclasses.replace(
        line,
        box=as_box(quad_part(np.asarray(line.box), *extent)),
        image_box=as_box(quad_part(np.asarray(line.image_box), *extent)),
    )


# How far from the median of a side's line centres its own print reaches, in median line heights (level frame):
# over the generated benchmark's scans at most 9.6 across and 8.6 along the rows. Beyond it: text beside the card
# (a receipt, a price tag) that the side's lines took in, which would stretch its outline past the card.
CARD_TEXT_REACH = (12.0, 10.5)


def _card_text(lines: list[TextLine], print_lines: list[TextLine], side: str) -> list[TextLine]:
    """The side's own print. The lines its labels and values were read from (``print_lines``, as placed), when
    there are two, and the lines that lie on the card they put where the side's margins say (a row whose value was
    not read, print a highlight cut short); this twice, the second time on the card the first found. Else the lines
    near the middle of the side's text (CARD_TEXT_REACH), all of them when fewer would be left than two. Text beside
    the card within that reach (a note, a receipt) stretched the outline past the card on many generated photos with
    clutter (README, card outline)."""
    height = float(np.median([line.height for line in lines]))
    centres = np.array([((line.left + line.right) / 2, (line.top + line.bottom) / 2) for line in lines])
    near = (np.abs(centres - np.median(centres, axis=0)) <= np.array(CARD_TEXT_REACH) * height).all(axis=1)
    kept = [line for line, keep in zip(lines, near, strict=True) if keep]
    nearby = kept if len(kept) >= 2 else lines
    own = [line for line in (_printed_part(line) for line in print_lines if line.image_box is not None) if line]
    if len(own) < 2:
        return nearby
    read_from = {id(line) for line in own}
    others = [line for line in nearby if id(line) not in read_from]
    card = own
    for _ in range(2):
        left, top, right, bottom = expected_outline(_extent(card), side)
        on_card = [line for line in others if left <= line.center_x <= right and top <= line.center_y <= bottom]
        card = own + on_card
    return card


def _extent(lines: list[TextLine]) -> tuple[float, float, float, float]:
    """Left, top, right, bottom of the lines' boxes (level frame)."""
    corners = _corners(lines, "box")
    left, top = corners.min(axis=0)
    right, bottom = corners.max(axis=0)
    return (float(left), float(top), float(right), float(bottom))


def _print_boxes(lines: list[TextLine]) -> np.ndarray:
    """Image boxes (N x 4 x 2) of the lines that look like the card's own print, for the cut-off test: Han or
    digits at about the card's text height (a price tag or a receipt beside the card is neither)."""
    median = float(np.median([line.height for line in lines]))
    printed = [
        line for line in lines if line.height <= 1.5 * median and any(ch.isdigit() or is_han(ch) for ch in line.text)
    ]
    return _corners(printed, "image_box").reshape(-1, 4, 2)


def _corners(lines: list[TextLine], attribute: str) -> np.ndarray:
    return np.array([point for line in lines for point in getattr(line, attribute)], dtype=np.float64)


def _rectangle(rect: tuple[float, float, float, float]) -> np.ndarray:
    left, top, right, bottom = rect
    return np.array([[left, top], [right, top], [right, bottom], [left, bottom]], dtype=np.float64)


def _distinct(regions: list[CardRegion]) -> list[CardRegion]:
    """Regions without repeats, largest first: a card seen again in a neighbour's second look (its canvas has a
    margin) is the same card when most of the smaller one's boxes lie inside the larger one's outline."""
    kept: list[CardRegion] = []
    for region in sorted(regions, key=lambda r: -len(r.quads)):
        centres = np.array([quad.mean(axis=0) for quad in region.quads])
        if not any(_inside_share(centres, other) > 0.5 for other in kept):
            kept.append(region)
    return kept


def _inside_share(points: np.ndarray, region: CardRegion) -> float:
    outline = cv2.convexHull(np.concatenate(region.quads).astype(np.float32))
    inside = [cv2.pointPolygonTest(outline, (float(x), float(y)), False) >= 0 for x, y in points]
    return sum(inside) / max(len(inside), 1)


def _original_scale(original_size: tuple[int, int], shape: tuple[int, ...]) -> float:
    """Factor from decoded pixels to the original image's pixels (after its EXIF orientation)."""
    return max(original_size) / max(shape[:2])


def _continued(line: TextLine, lines: list[TextLine], reach: float) -> bool:
    """Whether another box starts on ``line``'s row, to its right, within ``reach`` (the lines' frame)."""
    return any(
        other is not line
        and abs(other.center_y - line.center_y) <= 0.5 * min(other.height, line.height)
        and line.right - 0.5 * line.height <= other.left <= line.right + reach
        for other in lines
    )


def _small_height(quads: list[Quad]) -> float:
    """The height of the page's smaller text (25th percentile of box heights): a back's large titles must not hide
    that its labels are small."""
    return float(np.percentile([min(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2])) for q in quads], 25))


def _detect_region(engine: OcrEngine, pixels: np.ndarray, quads: list[Quad], scale: float, margin: float) -> list[Quad]:
    """Boxes found in the bounding box of ``quads`` grown by ``margin`` of its size on each side, at ``scale``."""
    points = np.concatenate(quads)
    low, high = points.min(axis=0), points.max(axis=0)
    pad = (high - low) * margin
    x0, y0 = (max(0, int(v)) for v in low - pad)
    x1, y1 = int(min(pixels.shape[1], high[0] + pad[0])), int(min(pixels.shape[0], high[1] + pad[1]))
    if x1 - x0 < 32 or y1 - y0 < 32:
        return []
    found = _detect_scaled(engine, np.ascontiguousarray(pixels[y0:y1, x0:x1]), scale)
    return [quad + np.array([x0, y0], dtype=np.float32) for quad in found]


def _detect_scaled(engine: OcrEngine, pixels: np.ndarray, scale: float) -> list[Quad]:
    """Boxes (in ``pixels``' frame) found in ``pixels`` scaled by about ``scale``, to sides that are multiples of
    32 as the detector needs (one resize)."""
    height, width = pixels.shape[:2]
    size = (max(32, round(width * scale / 32) * 32), max(32, round(height * scale / 32) * 32))
    if size == (width, height):
        return engine.detect(pixels, page=True)
    small = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    factor = np.array([width / small.shape[1], height / small.shape[0]], dtype=np.float32)
    return [quad * factor for quad in engine.detect(small, page=True)]
