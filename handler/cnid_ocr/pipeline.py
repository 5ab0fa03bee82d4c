"""The recognition pipeline shared by the API and the CLI: image bytes in, the API's JSON body out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import NoIdCardFound
from .extract import extract_card
from .imaging.decode import decode_image
from .ocr.engine import OcrEngine

# The longest side handed to the OCR engine. A card filling a third of a 12 MP frame is still ~1,300 px wide
# at this size, well above what the detector needs.
MAX_OCR_SIDE = 2000
DEFAULT_MAX_PIXELS = 50_000_000


@dataclass(slots=True)
class CardReader:
    engine: OcrEngine
    max_pixels: int = DEFAULT_MAX_PIXELS
    today: Callable[[], dt.date] = dt.date.today

    @classmethod
    def create(cls, max_pixels: int = DEFAULT_MAX_PIXELS) -> CardReader:
        return cls(engine=OcrEngine(), max_pixels=max_pixels)

    def read(self, data: bytes) -> dict:
        """Raises an ``ApiError`` for anything that is not a readable card (bad bytes: 4xx, no card: 422)."""
        decoded = decode_image(data, max_pixels=self.max_pixels, max_side=MAX_OCR_SIDE)
        return self.read_pixels(decoded.pixels)

    def read_pixels(self, pixels: np.ndarray) -> dict:
        today = self.today()
        last_error: NoIdCardFound | None = None
        for image in _orientations(pixels):
            lines = self.engine.read_lines(image)
            try:
                return extract_card(lines, today=today).to_body()
            except NoIdCardFound as exc:
                last_error = exc
        raise last_error or NoIdCardFound()


def _orientations(pixels: np.ndarray):
    """Yield the image upright first, then the other quarter turns (phone photos come at any of them)."""
    yield pixels
    for k in (1, 3, 2):
        yield np.ascontiguousarray(np.rot90(pixels, k))
