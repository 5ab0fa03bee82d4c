"""Accuracy on real images of fictitious cards that nobody on the team made (`make bench-real`).

    python tools/bench_real.py                      # ../shared/realdata (the development set)
    python tools/bench_real.py /path/to/folder      # any folder with the same truth.jsonl format
    python tools/bench_real.py --json out.json      # also the per-image results
    python tools/bench_real.py --variants           # also each image turned, scaled, tilted, re-compressed...

The folder holds images and a truth.jsonl (one `{"file", "side", "style", "truth": {...}}` per line: values as
PRINTED; see its README). Each image goes through the real pipeline (`CardReader.read`); a field is right when it
equals the truth after Unicode NFKC, whitespace removed and an upper-case X. Prints per-field accuracy, the images
with every field right, time per image, the warnings raised, and every miss (file, field, wanted, got).

``--variants`` reads every image again as a user's photo of it could differ (VARIANTS: quarter turns, 0.6x and 2.2x,
a 7 degree tilt, a margin, JPEG q40, greyscale, blur, dimmer and brighter, perspective, noise): the same cards, so a
variant that fails where the image itself is read shows a phenomenon the pipeline does not handle yet.

The images are never copied anywhere: they are read from the folder given. Without the folder the benchmark says
so and exits 2 (a fresh clone has no ../shared; nothing in `make test` depends on it).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

if TYPE_CHECKING:
    from cnid_ocr.pipeline import CardReader

DEFAULT_FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
FRONT = ("name", "gender", "ethnicity", "dateOfBirth", "address", "idNumber")
BACK = ("issuingAuthority", "validFrom", "validTo")


def canonical(value: object) -> str | None:
    if value is None:
        return None
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).upper()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the per-image results as JSON")
    parser.add_argument("--variants", action="store_true", help="also read each image transformed (see VARIANTS)")
    parser.add_argument(
        "--redact", action="store_true", help="print misses without their values (for results kept in the repository)"
    )
    args = parser.parse_args(argv)
    truth_file = args.folder / "truth.jsonl"
    if not truth_file.is_file():
        print(f"bench-real: no real-image set at {args.folder} (expected {truth_file}); nothing measured.")
        return 2

    from cnid_ocr.errors import ApiError
    from cnid_ocr.pipeline import CardReader

    reader = CardReader.create()
    rows = [json.loads(line) for line in truth_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    per_field: dict[str, list[int]] = {}
    misses: list[tuple[str, str, object, object, bool]] = []  # file, field, wanted, got, silent
    warnings: Counter[str] = Counter()
    results = []
    seconds = []
    images_right = 0
    for row in rows:
        data = (args.folder / row["file"]).read_bytes()
        start = time.perf_counter()
        try:
            body = reader.read(data)
        except ApiError as error:
            body = {"error": {"code": error.code}}
        seconds.append(time.perf_counter() - start)
        right = True
        for name, wanted in row["truth"].items():
            got = body.get(name)
            hit = canonical(got) == canonical(wanted)
            tally = per_field.setdefault(name, [0, 0])
            tally[0] += hit
            tally[1] += 1
            if not hit:
                right = False
                warned = any(w.get("field") == name for w in body.get("warnings", []))
                misses.append((row["file"], name, wanted, got, got is not None and not warned))
        images_right += right
        codes = [f"{w['code']}:{w['field']}" if w.get("field") else w["code"] for w in body.get("warnings", [])]
        warnings.update(codes)
        results.append({"file": row["file"], "right": right, "body": body, "seconds": seconds[-1]})

    print(f"== real images: {len(rows)} from {args.folder} ==")
    for group, names in (("front", FRONT), ("back", BACK)):
        right = sum(per_field.get(name, [0, 0])[0] for name in names)
        total = sum(per_field.get(name, [0, 0])[1] for name in names)
        for name in names:
            if name in per_field:
                ok, n = per_field[name]
                print(f"  {name:<18}{100 * ok / n:7.2f}% ({ok}/{n})")
        if total:
            print(f"  {group + ' fields':<18}{100 * right / total:7.2f}% ({right}/{total})")
    print(f"  {'IMAGES ALL RIGHT':<18}{100 * images_right / len(rows):7.2f}% ({images_right}/{len(rows)})")
    times = sorted(seconds)
    print(
        f"time per image: mean {statistics.fmean(times):.2f}s  p50 {times[len(times) // 2]:.2f}s  max {times[-1]:.2f}s"
    )
    print("warnings: " + (", ".join(f"{code} x{n}" for code, n in warnings.most_common()) or "none"))
    silent = sum(miss[4] for miss in misses)
    print(f"wrong values with no warning on their field: {silent} of {sum(miss[3] is not None for miss in misses)}")
    for file, name, wanted, got, unwarned in misses:
        said = "" if args.redact else f": wanted {wanted!r} got {got!r}"
        print(f"MISS {file}  {name}{said}" + ("  (silent)" if unwarned else ""))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.variants:
        read_variants(reader, args.folder, rows, redact=args.redact)
    return 0


def _variants() -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    def tilt(img: np.ndarray) -> np.ndarray:
        h, w = img.shape[:2]
        return cv2.warpAffine(img, cv2.getRotationMatrix2D((w / 2, h / 2), 7, 1.0), (w, h), borderValue=(255,) * 3)

    def perspective(img: np.ndarray) -> np.ndarray:
        h, w = img.shape[:2]
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = np.float32([[w * 0.06, h * 0.04], [w * 0.97, 0], [w, h], [0, h * 0.93]])
        return cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=(200,) * 3)

    def jpeg(img: np.ndarray, quality: int = 40) -> np.ndarray:
        return cv2.imdecode(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)

    def scaled(factor: float) -> Callable[[np.ndarray], np.ndarray]:
        method = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
        return lambda img: cv2.resize(img, None, fx=factor, fy=factor, interpolation=method)

    def levels(gain: float, offset: float = 0.0, gamma: float = 1.0) -> Callable[[np.ndarray], np.ndarray]:
        return lambda img: np.clip(255 * (img / 255.0) ** gamma * gain + offset, 0, 255).astype(np.uint8)

    noise = np.random.default_rng(1)
    return {
        "turned 90": lambda img: cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE),
        "turned 180": lambda img: cv2.rotate(img, cv2.ROTATE_180),
        "turned 270": lambda img: cv2.rotate(img, cv2.ROTATE_90_COUNTERCLOCKWISE),
        "0.6x": scaled(0.6),
        "2.2x": scaled(2.2),
        "tilted 7 degrees": tilt,
        "in a margin": lambda img: cv2.copyMakeBorder(
            img, *[img.shape[0] // 2] * 2, *[img.shape[1] // 2] * 2, cv2.BORDER_CONSTANT, value=(90, 110, 130)
        ),
        "JPEG q40": jpeg,
        "greyscale": lambda img: cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR),
        "blur sigma 1": lambda img: cv2.GaussianBlur(img, (0, 0), 1.0),
        "dimmer": levels(0.55, 20),
        "brighter": levels(1.0, gamma=0.6),
        "perspective": perspective,
        "noise sigma 8": lambda img: np.clip(img + noise.normal(0, 8, img.shape), 0, 255).astype(np.uint8),
        "turned 90, 0.6x": lambda img: scaled(0.6)(cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE)),
        "turned 180, JPEG q55": lambda img: jpeg(cv2.rotate(img, cv2.ROTATE_180), 55),
    }


def read_variants(reader: CardReader, folder: Path, rows: list[dict], *, redact: bool) -> None:
    """Each image read again under each of ``_variants`` (PNG-encoded, so only the transformation differs)."""
    from cnid_ocr.errors import ApiError

    print("\n== the same images transformed ==")
    misses = []
    for name, transform in _variants().items():
        right = wrong = 0
        for row in rows:
            img = cv2.imdecode(np.frombuffer((folder / row["file"]).read_bytes(), np.uint8), cv2.IMREAD_COLOR)
            data = cv2.imencode(".png", transform(img))[1].tobytes()
            try:
                body = reader.read(data)
            except ApiError as error:
                body = {"error": {"code": error.code}}
            bad = [(f, w, body.get(f)) for f, w in row["truth"].items() if canonical(body.get(f)) != canonical(w)]
            right += not bad
            wrong += len(bad)
            misses += [(row["file"], name, field, wanted, got) for field, wanted, got in bad]
        print(f"  {name:<22} images all right {right}/{len(rows)}, fields wrong {wrong}")
    for file, name, field, wanted, got in misses:
        said = "" if redact else f": wanted {wanted!r} got {got!r}"
        print(f"MISS {file} ({name})  {field}{said}")


if __name__ == "__main__":
    sys.exit(main())
