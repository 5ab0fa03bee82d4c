"""Accuracy on real images of fictitious cards that nobody on the team made (`make bench-real`).

    python tools/bench_real.py                      # ../shared/realdata (the development set)
    python tools/bench_real.py /path/to/folder      # any folder with the same truth.jsonl format
    python tools/bench_real.py --json out.json      # also the per-image results

The folder holds images and a truth.jsonl (one `{"file", "side", "style", "truth": {...}}` per line: values as
PRINTED; see its README). Each image goes through the real pipeline (`CardReader.read`); a field is right when it
equals the truth after Unicode NFKC, whitespace removed and an upper-case X. Prints per-field accuracy, the images
with every field right, time per image, the warnings raised, and every miss (file, field, wanted, got).

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
from pathlib import Path

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
