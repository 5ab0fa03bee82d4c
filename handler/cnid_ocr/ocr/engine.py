"""The OCR engine: RapidOCR's detector, angle classifier and recogniser (PP-OCRv6 det + rec, v2 cls) on ONNX
Runtime, built once per process.

Model files come from the installed ``rapidocr`` wheel (or the Lambda layer) and are passed by explicit path, so
nothing is downloaded or written at run time (the package folder is read-only on Lambda). The three stages are
exposed separately so the pipeline can detect once at a small scale, settle the page's orientation once, and
recognise line crops taken from the full-resolution image.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True, slots=True)
class EngineOptions:
    # ONNX Runtime threads per session; Lambda gives one vCPU per 1,769 MB, this machine has 2 cores.
    threads: int = 2
    rec_batch: int = 8
    # Model files, relative to the model folder or absolute. PP-OCRv6 small det + rec: chosen by the accuracy and
    # speed comparison in the README (the PP-OCRv4 recogniser cannot output 仫, 赟, 旻, 䶮 ...).
    det_model: str = "PP-OCRv6_det_small.onnx"
    rec_model: str = "PP-OCRv6_rec_small.onnx"
    cls_model: str = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"


def default_model_dir() -> Path:
    import rapidocr

    return Path(rapidocr.__file__).resolve().parent / "models"


class OcrEngine:
    def __init__(self, options: EngineOptions | None = None, model_dir: Path | None = None) -> None:
        from rapidocr import RapidOCR  # heavy import: only when an engine is really built
        from rapidocr.ch_ppocr_rec import TextRecInput

        self.options = options or EngineOptions()
        model_dir = model_dir or default_model_dir()
        det, rec, cls = (model_dir / name for name in (self.options.det_model, self.options.rec_model,
                                                        self.options.cls_model))
        for path in (det, rec, cls):
            if not path.is_file():
                raise FileNotFoundError(f"OCR model missing: {path}")
        params = {
            "Global.log_level": "warning",
            "EngineConfig.onnxruntime.intra_op_num_threads": self.options.threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "Det.model_path": str(det),
            # The pipeline sizes the detector's input itself; "max" with a large limit means "do not resize".
            "Det.limit_type": "max",
            "Det.limit_side_len": 8192,
            "Cls.model_path": str(cls),
            "Rec.model_path": str(rec),
            "Rec.rec_batch_num": self.options.rec_batch,
        }
        ocr = RapidOCR(params=params)
        # RapidOCR loads sessions lazily; loading them here puts the cost in the cold start, not the first request.
        self._det = ocr._load_det_model()
        self._cls = ocr._load_cls_model()
        self._rec = ocr._load_rec_model()
        self._rec_input = TextRecInput

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """Text-line quadrilaterals (4x2 float32, image coordinates) found in ``image`` as given."""
        result = self._det(image)
        if result.boxes is None:
            return []
        return [np.asarray(box, dtype=np.float32) for box in result.boxes]

    def upside_down_share(self, crops: list[np.ndarray]) -> float:
        """The share (0..1, weighted by confidence) of crops the angle classifier reads as turned by 180 degrees."""
        if not crops:
            return 0.0
        result = self._cls(crops)
        flipped = total = 0.0
        for label, score in result.cls_res:
            total += score
            if "180" in str(label):
                flipped += score
        return flipped / total if total else 0.0

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        result = self._rec(self._rec_input(img=crops))
        return [(str(text), float(score)) for text, score in zip(result.txts, result.scores, strict=True)]
