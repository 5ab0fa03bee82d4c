"""Compare OCR model choices on the accuracy benchmark: PP-OCRv6 (rapidocr 3.x) vs PP-OCRv4 (rapidocr-onnxruntime
1.4.4) and their det/rec mixes, same images, same pipeline and extraction.

    python tools/compare_models.py --n 60 --seed 1234

The v4 models are taken from the rapidocr-onnxruntime wheel on PyPI (downloaded once with pip into a cache folder,
never at service run time): they are only a comparison point, the service ships v6.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench_accuracy import FIELDS, score
from cardgen import generate
from cnid_ocr.errors import ApiError
from cnid_ocr.ocr.engine import EngineOptions, OcrEngine, default_model_dir
from cnid_ocr.pipeline import CardReader

V4_WHEEL = "rapidocr-onnxruntime==1.4.4"
V4_DET = "ch_PP-OCRv4_det_infer.onnx"
V4_REC = "ch_PP-OCRv4_rec_infer.onnx"
CACHE = Path(tempfile.gettempdir()) / "cnid-ocr-v4-models"


def v4_models() -> Path:
    """The PP-OCRv4 det/rec models from the rapidocr-onnxruntime wheel, fetched once with pip."""
    if not (CACHE / V4_REC).is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(CACHE), V4_WHEEL], check=True
        )
        wheel = next(CACHE.glob("rapidocr_onnxruntime-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.endswith((V4_DET, V4_REC)):
                    (CACHE / Path(name).name).write_bytes(archive.read(name))
    return CACHE


def variants() -> dict[str, EngineOptions]:
    v6, v4 = default_model_dir(), v4_models()
    base = EngineOptions()
    return {
        "v6 det + v6 rec": base,
        "v4 det + v4 rec": EngineOptions(det_model=str(v4 / V4_DET), rec_model=str(v4 / V4_REC)),
        "v4 det + v6 rec": EngineOptions(det_model=str(v4 / V4_DET), rec_model=str(v6 / base.rec_model)),
        "v6 det + v4 rec": EngineOptions(det_model=str(v6 / base.det_model), rec_model=str(v4 / V4_REC)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args(argv)
    samples = list(generate(args.seed, args.n))
    rows = []
    for name, options in variants().items():
        reader = CardReader(engine=OcrEngine(options))
        results, times = [], []
        for sample in samples:
            started = time.perf_counter()
            try:
                got = reader.read(sample.data)
            except ApiError as exc:
                got = {"_error": f"{exc.status} {exc.code}"}
            times.append(time.perf_counter() - started)
            results.append(score(sample, got, times[-1], raw=False))
        fields = {}
        for field in FIELDS:
            relevant = [r for r in results if r.sample.truth.get(field) is not None]
            fields[field] = sum(r.error is None and field not in r.wrong for r in relevant) / max(1, len(relevant))
        card = sum(r.card_ok for r in results) / len(results)
        rows.append((name, card, fields, statistics.median(times)))
        print(f"{name}: whole card {card:.1%}, p50 {statistics.median(times):.2f}s", file=sys.stderr, flush=True)
    print(f"\nseed {args.seed}, n {args.n}")
    print(f"| models | whole card | {' | '.join(FIELDS)} | p50 s/image |")
    print("|---" * (len(FIELDS) + 3) + "|")
    for name, card, fields, p50 in rows:
        print(f"| {name} | {card:.1%} | {' | '.join(f'{fields[f]:.1%}' for f in FIELDS)} | {p50:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
