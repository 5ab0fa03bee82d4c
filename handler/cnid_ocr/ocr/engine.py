"""The OCR engine: PP-OCRv6 small text detector and recogniser and the v2 0/180 classifier, run directly on ONNX
Runtime, built once per process.

The model files come from the ``rapidocr`` wheel (or the Lambda layer's copy of it) and are opened by path, so
nothing is downloaded or written at run time. RapidOCR's own Python wrapper is not used: importing it costs ~1.3 s
of cold start (omegaconf configuration, model registries, requests), and its pre-processing computes in float64.
The three stages are exposed separately so the pipeline can detect at a scale it chooses, settle the page's
orientation once, and recognise line crops cut from the full-resolution image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from .lattice import Alphabet, Lattice
from .postprocess import boxes_from_probability
from .types import Reading

# Recogniser and classifier inputs: 48 px high. Recogniser inputs are at least 320 px wide (PaddleOCR's setting):
# narrower, short lines lose context (民族仫佬 read as 仏佬 below 280 px). PaddleOCR batches 6-8 lines padded to the
# widest of them; batching only lines of about the same width avoids most of that padding.
LINE_HEIGHT = 48
MIN_REC_WIDTH = 320
WIDTH_SLACK = 1.3
CLS_WIDTH = 192
CLS_LABELS = ("0", "180")


@dataclass(frozen=True, slots=True)
class EngineOptions:
    # ONNX Runtime threads per session: CardReader.create sets the CPUs the process really gets (ocr/threads.py).
    threads: int = 1
    rec_batch: int = 8
    cls_batch: int = 8
    # Model files, relative to the model folder or absolute. PP-OCRv6 small det + rec: chosen by the accuracy and
    # speed comparison in the README (the PP-OCRv4 recogniser cannot output 仫, 赟, 旻, 䶮 ...).
    det_model: str = "PP-OCRv6_det_small.onnx"
    # The detector of the first look at a whole page (None: det_model).
    page_det_model: str | None = None
    rec_model: str = "PP-OCRv6_rec_small.onnx"
    cls_model: str = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"


def default_model_dir() -> Path:
    """The ``models`` folder of the installed ``rapidocr`` package, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the rapidocr package (which ships the OCR models) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


class OcrEngine:
    def __init__(self, options: EngineOptions | None = None, model_dir: Path | None = None) -> None:
        self.options = options or EngineOptions()
        model_dir = model_dir or default_model_dir()
        self._det = self._session(model_dir / self.options.det_model)
        # The first look over a whole page only has to find the cards: a faster detector may do it.
        page_model = self.options.page_det_model
        self._page_det = self._session(model_dir / page_model) if page_model else self._det
        self._page_det_input = self._page_det.get_inputs()[0].name
        self._cls = self._session(model_dir / self.options.cls_model)
        self._rec = self._session(model_dir / self.options.rec_model)
        self._det_input, self._cls_input, self._rec_input = (
            session.get_inputs()[0].name for session in (self._det, self._cls, self._rec)
        )
        # The recogniser's alphabet is stored in the model: class 0 is the CTC blank, the last one a space.
        alphabet = self._rec.get_modelmeta().custom_metadata_map["character"].splitlines()
        self._characters = ["", *alphabet, " "]
        self.alphabet = Alphabet(self._characters)

    def _session(self, path: Path) -> ort.InferenceSession:
        if not path.is_file():
            raise FileNotFoundError(f"OCR model missing: {path}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.options.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Without the arena, memory from a large image goes back after the request instead of staying reserved.
        options.enable_cpu_mem_arena = False
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def detect(self, image: np.ndarray, page: bool = False) -> list[np.ndarray]:
        """Text-line quadrilaterals (4x2 float32, TL TR BR BL, image coordinates) found in ``image`` as given
        (stretched to multiples of 32 px for the network, boxes mapped back). ``page``: the first look at a whole
        page, with the page detector."""
        height, width = image.shape[:2]
        size = (max(32, round(width / 32) * 32), max(32, round(height / 32) * 32))
        resized = image if (width, height) == size else cv2.resize(image, size)
        session, name = (self._page_det, self._page_det_input) if page else (self._det, self._det_input)
        probability = session.run(None, {name: _normalise([resized])})[0]
        return boxes_from_probability(probability[0, 0], width, height)

    def upside_down_shares(self, crops: list[np.ndarray]) -> list[float]:
        """Per crop, the angle classifier's probability that it is turned by 180 degrees."""
        shares: list[float] = []
        for batch in _batches(crops, self.options.cls_batch):
            inputs = _normalise([_fit_height(crop, CLS_WIDTH) for crop in batch], CLS_WIDTH)
            for scores in self._cls.run(None, {self._cls_input: inputs})[0]:
                total = float(scores.sum()) or 1.0
                shares.append(float(scores[CLS_LABELS.index("180")]) / total)
        return shares

    def recognize(self, crops: list[np.ndarray]) -> list[Reading]:
        """Per crop: the greedy reading, its mean character confidence and the lattice of alternatives, read in
        batches of lines that need about the same input width (so little is spent on padding)."""
        results: list[Reading | None] = [None] * len(crops)
        for batch, width in _width_batches(crops, self.options.rec_batch):
            inputs = _normalise([_fit_height(crops[i], width) for i in batch], width)
            outputs = self._rec.run(None, {self._rec_input: inputs})[0]
            for i, matrix in zip(batch, outputs, strict=True):
                # Steps over the right padding read nothing; the lattice keeps the crop's own steps.
                steps = math.ceil(outputs.shape[1] * min(width, _line_width(crops[i])) / width)
                results[i] = Reading.from_lattice(Lattice.from_matrix(matrix[:steps], self.alphabet))
        return [result for result in results if result is not None]


def _width_batches(crops: list[np.ndarray], size: int) -> list[tuple[list[int], int]]:
    """Crop indices grouped by the recogniser's input width (at least MIN_REC_WIDTH), narrowest first, each group
    with its width: at most ``size`` lines, each within WIDTH_SLACK of the group's narrowest."""
    widths = [max(MIN_REC_WIDTH, _line_width(crop)) for crop in crops]
    groups: list[list[int]] = []
    for i in sorted(range(len(crops)), key=widths.__getitem__):
        if groups and len(groups[-1]) < size and widths[i] <= widths[groups[-1][0]] * WIDTH_SLACK:
            groups[-1].append(i)
        else:
            groups.append([i])
    return [(group, widths[group[-1]]) for group in groups]


def _batches(items: list, size: int) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _line_width(crop: np.ndarray) -> int:
    return math.ceil(LINE_HEIGHT * crop.shape[1] / crop.shape[0])


def _fit_height(crop: np.ndarray, max_width: int) -> np.ndarray:
    """``crop`` scaled to the line height, at most ``max_width`` wide."""
    return cv2.resize(crop, (min(max_width, _line_width(crop)), LINE_HEIGHT))


def _normalise(images: list[np.ndarray], width: int | None = None) -> np.ndarray:
    """N x 3 x H x W float32 in [-1, 1], each image padded on the right with 0 (mid grey) to ``width``."""
    height = images[0].shape[0]
    width = width or images[0].shape[1]
    batch = np.zeros((len(images), 3, height, width), dtype=np.float32)
    for slot, image in zip(batch, images, strict=True):
        pixels = image if image.ndim == 3 else image[:, :, None]
        slot[:, :, : pixels.shape[1]] = pixels.transpose(2, 0, 1)
        slot[:, :, : pixels.shape[1]] *= 2 / 255
        slot[:, :, : pixels.shape[1]] -= 1
    return batch
