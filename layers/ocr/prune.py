"""Remove from an installed layer tree (…/python) what never runs on Lambda, and report what it saved.

Kept: everything ONNX Runtime inference, OpenCV, numpy and Pillow need at run time, and the rapidocr package folder
with the three ONNX models the app loads (cnid_ocr.ocr.engine.OcrEngine: PP-OCRv6 det/rec small, v2 mobile cls). The
engine never imports rapidocr (its dependencies are not in the layer); it finds the folder with
importlib.util.find_spec, so rapidocr/__init__.py stays. Its remaining Python code (~0.2 MB) is left as shipped.
Removed: tests, type stubs, bytecode compiled by the build machine's (other) Python, C headers and Cython sources,
console scripts, the other inference engines of rapidocr (paddle, pytorch, openvino, mnn, tensorrt), onnxruntime's
offline tools (quantization, transformers optimisers, model tools), numpy's f2py/distutils, OpenCV's Haar cascades.

Usage: python prune.py BUILD/python
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

KEEP_MODELS = {
    "PP-OCRv6_det_small.onnx",
    "PP-OCRv6_rec_small.onnx",
    "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}

# Directories removed wherever they appear.
DIR_NAMES = {"__pycache__", "tests", "testing_data"}
# File suffixes removed everywhere.
SUFFIXES = {".pyc", ".pyo", ".pyi", ".pxd", ".pyx", ".h", ".hpp", ".c", ".cpp"}
# Paths relative to the layer root.
PATHS = [
    "bin",
    # rapidocr: only its models are used (the package is never imported); its engines for other runtimes go.
    "rapidocr/inference_engine/paddle",
    "rapidocr/inference_engine/pytorch",
    "rapidocr/inference_engine/openvino",
    "rapidocr/inference_engine/mnn",
    "rapidocr/inference_engine/tensorrt",
    # onnxruntime: inference only (capi); tools for converting, quantising and optimising models are not.
    "onnxruntime/tools",
    "onnxruntime/transformers",
    "onnxruntime/quantization",
    "onnxruntime/datasets",
    "onnxruntime/backend",
    # numpy: build-time helpers, headers, examples.
    "numpy/f2py",
    "numpy/distutils",
    "numpy/_core/include",
    "numpy/core/include",
    "numpy/_core/lib/pkgconfig",
    "numpy/_pyinstaller",
    "numpy/random/_examples",
    "numpy/doc",
    # OpenCV: Haar cascade XML files (cv2.data), unused.
    "cv2/data",
    # Pillow: C headers for extension authors.
    "PIL/include",
]


def size_of(path: Path) -> int:
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def prune(root: Path) -> int:
    if not (root / "rapidocr").is_dir():
        raise SystemExit(f"{root} does not look like a layer's python/ dir (no rapidocr/)")
    saved = 0

    def remove(path: Path) -> None:
        nonlocal saved
        if not path.exists() and not path.is_symlink():
            return
        saved += size_of(path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()

    for rel in PATHS:
        remove(root / rel)
    models = root / "rapidocr" / "models"
    for model in models.iterdir():
        if model.is_file() and model.suffix in {".onnx", ".txt", ".yaml"} and model.name not in KEEP_MODELS:
            remove(model)
    missing = [name for name in KEEP_MODELS if not (models / name).is_file()]
    if missing:
        raise SystemExit(f"models missing from the rapidocr wheel: {missing}")
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and path.name in DIR_NAMES or path.is_file() and path.suffix in SUFFIXES:
            remove(path)
    return saved


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    freed = prune(Path(sys.argv[1]))
    print(f"pruned {freed:,} bytes from {sys.argv[1]}")
