"""The OCR engine: RapidOCR (PP-OCRv6 det + rec, v2 angle classifier) on ONNX Runtime, built once per process.

Model files come from the installed ``rapidocr`` wheel (or the Lambda layer) and are passed by explicit path, so
nothing is ever downloaded or written at run time (the package folder is read-only on Lambda).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .types import TextLine

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EngineOptions:
    # ONNX Runtime threads per session; Lambda gives one vCPU per 1,769 MB, this machine has 2 cores.
    threads: int = 2
    # Detector input: the shorter side is brought to this length (RapidOCR's default is 736, "min" mode).
    det_limit_side_len: int = 736
    det_limit_type: str = "min"
    use_angle_cls: bool = True
    text_score: float = 0.3


def default_model_dir() -> Path:
    import rapidocr

    return Path(rapidocr.__file__).resolve().parent / "models"


class OcrEngine:
    """Image (BGR ndarray) in, recognised text lines out."""

    DET_MODEL = "PP-OCRv6_det_small.onnx"
    REC_MODEL = "PP-OCRv6_rec_small.onnx"
    CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"

    def __init__(self, options: EngineOptions | None = None, model_dir: Path | None = None) -> None:
        from rapidocr import RapidOCR  # heavy import: only when an engine is really built

        self.options = options or EngineOptions()
        model_dir = model_dir or default_model_dir()
        opts = self.options
        params = {
            "Global.log_level": "warning",
            "Global.use_cls": opts.use_angle_cls,
            "Global.text_score": opts.text_score,
            "EngineConfig.onnxruntime.intra_op_num_threads": opts.threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "Det.model_path": str(model_dir / self.DET_MODEL),
            "Det.limit_side_len": opts.det_limit_side_len,
            "Det.limit_type": opts.det_limit_type,
            "Cls.model_path": str(model_dir / self.CLS_MODEL),
            "Rec.model_path": str(model_dir / self.REC_MODEL),
        }
        for name in (self.DET_MODEL, self.REC_MODEL, self.CLS_MODEL):
            if not (model_dir / name).is_file():
                raise FileNotFoundError(f"OCR model missing: {model_dir / name}")
        self._ocr = RapidOCR(params=params)
        # RapidOCR loads its sessions lazily on first use; load them now so the cost lands in the cold start
        # (Lambda init) and not in the first request.
        for loader in ("_load_det_model", "_load_cls_model", "_load_rec_model"):
            getattr(self._ocr, loader, lambda: None)()

    def read_lines(self, image: np.ndarray) -> list[TextLine]:
        result = self._ocr(image)
        txts = getattr(result, "txts", None)
        if not txts:
            return []
        lines = []
        for text, score, box in zip(txts, result.scores, result.boxes, strict=False):
            corners = tuple((float(x), float(y)) for x, y in box)
            lines.append(TextLine(str(text), float(score), corners))  # type: ignore[arg-type]
        return lines
