"""Accuracy benchmark: synthetic ID-card images with ground truth through the real pipeline.

    python tools/bench_accuracy.py --n 300 --seed 1234            # the benchmark (make bench-accuracy)
    python tools/bench_accuracy.py --n 20 --only stamp --save out  # a few stamped images, dumped for inspection
    python tools/bench_accuracy.py --n 20 --engine raw             # plain RapidOCR: is the printed text readable?
    python tools/bench_accuracy.py --warnings 40 --seed 9001       # card warnings on photos made with each defect

Prints per-field exact-match accuracy, whole-card accuracy (every field of the sides present exact), time per
image (mean/p50/p95, the reader's work only, not generation), accuracy by kind and condition, and the worst errors.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `cardgen` without installing the project

from cardgen import KINDS, MODIFIERS, Sample, generate  # noqa: E402
from cardgen.measure import outline_iou  # noqa: E402

FRONT_FIELDS = ("name", "gender", "ethnicity", "dateOfBirth", "address", "idNumber")
BACK_FIELDS = ("issuingAuthority", "validFrom", "validTo")
FIELDS = FRONT_FIELDS + BACK_FIELDS
# Condition tags worth a line of their own in the accuracy breakdown.
CONDITION_TAGS = frozenset(
    {
        "front",
        "back",
        "stamp",
        "grey",
        "glare",
        "shadow",
        "blur",
        "motion_blur",
        "noise",
        "perspective",
        "clutter",
        "rot0",
        "rot90",
        "rot180",
        "rot270",
        "rot_any",
        "sheet_photo",
        "png",
        # Phenomena of real inputs (tools/README.md: the generator's phenomena table).
        "copy_crop",
        "sides_turned",
        "side_rot180",
        "sides_close",
        "grey_stamp",
        "stamp_block",
        "stamp_frame",
        "stamp_on_number",
        "stamp_on_date",
        "stamp_on_address",
        "stamp_on_name",
        "stamp_on_authority",
        "watermark",
        "authority_2lines",
        "dots_spaced",
        "id17",
        "latin_name",
        "faint_labels",
        "dob_spacing",
        "card_cut_off",
        "blur_strong",
        "glare_strong",
        "colour",
    }
)


def condition_groups(tags: list[str]) -> set[str]:
    groups = set()
    for t in tags:
        if t in CONDITION_TAGS or t.startswith("bg_"):
            groups.add(t)
        elif t.startswith(("exif", "turned")):
            groups.add(t.rstrip("0123456789"))
        elif t.startswith("jpeg_q"):
            groups.add("jpeg_q<60" if int(t[6:]) < 60 else "jpeg_q>=60")
        elif t.startswith("webp"):
            groups.add("webp")
    return groups


@dataclass
class Result:
    sample: Sample
    got: dict
    error: str | None
    seconds: float
    wrong: dict[str, tuple[object, object]] = field(default_factory=dict)  # field -> (expected, got)
    sides_ok: bool = True
    outline_iou: float | None = None  # a single-card photo: the card's corners against its true outline
    batch: str = ""  # --warnings: the defect forced ("blur_strong_0003_photo.jpg"; each batch numbers from 0)

    @property
    def filename(self) -> str:
        return f"{self.batch}_{self.sample.filename}" if self.batch else self.sample.filename

    @property
    def card_ok(self) -> bool:
        return self.error is None and not self.wrong and self.sides_ok


def pipeline_reader() -> Callable[[bytes], dict]:
    from cnid_ocr.errors import ApiError
    from cnid_ocr.pipeline import CardReader

    reader = CardReader.create()

    def read(data: bytes) -> dict:
        try:
            return reader.read(data)
        except ApiError as exc:
            return {"_error": f"{exc.status} {exc.code}"}

    return read


def raw_reader() -> Callable[[bytes], dict]:
    """Plain RapidOCR, no extraction: a field counts as read when its printed form appears in the joined text."""
    import io

    import numpy as np
    from PIL import Image, ImageOps
    from rapidocr import RapidOCR

    engine = RapidOCR(params={"Global.log_level": "warning"})

    def read(data: bytes) -> dict:
        img = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
        arr = np.asarray(img)
        texts: list[str] = []
        for k in range(4):  # no orientation handling in plain OCR: try the quarter turns, keep the richest
            out = engine(np.ascontiguousarray(np.rot90(arr, k)))
            t = [str(x) for x in (out.txts or ())]
            if len("".join(t)) > len("".join(texts)):
                texts = t
            if any(len(x) >= 15 for x in t):
                break
        return {"_text": "".join(texts).replace(" ", "")}

    return read


def printed_forms(truth: dict) -> dict[str, str]:
    """What each field looks like on the card (for the raw engine's substring check)."""
    out: dict[str, str] = {}
    for k in FIELDS:
        v = truth.get(k)
        if v is None:
            continue
        if k == "dateOfBirth":
            y, m, d = v.split("-")
            v = f"{y}年{int(m)}月{int(d)}日"
        elif k in ("validFrom", "validTo") and v != "长期":
            v = v.replace("-", ".")
        out[k] = v
    return out


def score(sample: Sample, got: dict, seconds: float, raw: bool) -> Result:
    error = got.get("_error")
    res = Result(sample, got, error, seconds)
    truth = sample.truth
    if raw:
        text = got.get("_text", "")
        for k, v in printed_forms(truth).items():
            if v not in text:
                res.wrong[k] = (v, "(not in OCR text)")
        return res
    for k in FIELDS:
        if truth.get(k) is not None and got.get(k) != truth[k]:
            res.wrong[k] = (truth[k], got.get(k))
    res.sides_ok = sorted(got.get("sides") or []) == sorted(truth["sides"])
    if truth.get("corners") and not error:
        found = [
            c["corners"] for c in got.get("cards") or [] if c.get("side") == truth["sides"][0] and c.get("corners")
        ]
        res.outline_iou = outline_iou(found[0], truth["corners"]) if found else 0.0
    return res


def silent_wrong_values(results: list[Result]) -> list[tuple[Result, str]]:
    """Wrong non-null values that no warning of the body names (the product's promise: never a silent wrong
    value)."""
    out = []
    for r in results:
        if r.error:
            continue
        warned = {w.get("field") for w in r.got.get("warnings") or []}
        out += [(r, k) for k, (_, got) in r.wrong.items() if got is not None and k not in warned]
    return out


CARD_WARNINGS = ("photocopy", "card_cut_off", "blurry", "glare")  # truth["defects"] keys, named as the codes
# --warnings N: N single-card photos made with each defect forced, and twice as many made without one forced (the
# benchmark has only a handful of each defect: its precision and recall move by 10-20 points per photo).
WARNING_SETS = (("card_cut_off", 1), ("blur_strong", 1), ("glare_strong", 1), ("photo", 2))


# Errors that tell what a card warning would: a photo too blurred to read says so (422 image_blurred).
ERRORS_AS_WARNINGS = {"image_blurred": "blurry"}


def warned_codes(got: dict) -> set[str]:
    """Every warning code of a body, its own and its cards', or the warning an error answer stands for."""
    error_code = (got.get("_error") or "").rpartition(" ")[2]
    codes = {ERRORS_AS_WARNINGS[error_code]} if error_code in ERRORS_AS_WARNINGS else set()
    codes |= {w.get("code") for w in got.get("warnings") or []}
    for card in got.get("cards") or []:
        codes |= {w.get("code") for w in card.get("warnings") or []}
    return codes


def card_warning_counts(results: list[Result]) -> dict[str, tuple[int, int, int]]:
    """Per card warning: (true positives, false positives, false negatives) over the images whose truth says
    whether they have the defect. An image answered with an error carries no warning (a miss if it has the
    defect) unless the error says it (ERRORS_AS_WARNINGS)."""
    counts = {}
    for code in CARD_WARNINGS:
        tp = fp = fn = 0
        for r in results:
            defects = r.sample.truth.get("defects")
            if not defects:
                continue
            flagged = code in warned_codes(r.got)
            tp += flagged and defects[code]
            fp += flagged and not defects[code]
            fn += not flagged and defects[code]
        counts[code] = (tp, fp, fn)
    return counts


OUTLINE_GOOD = 0.9  # an outline this close to the card's (intersection over union) crops it usably


def outline_report(results: list[Result], summary: dict) -> None:
    """How well the card's outline (cards[].corners) fits the card in single-card photos that were read: every
    crop and card warning is measured inside it."""
    print("card outline (single-card photos read; intersection over union with the card's true outline):")
    summary["outline"] = {}
    for name, cut in (("whole cards", False), ("cut-off cards", True)):
        values = sorted(
            r.outline_iou
            for r in results
            if r.outline_iou is not None and bool((r.sample.truth.get("defects") or {}).get("card_cut_off")) == cut
        )
        if not values:
            continue
        good = sum(v >= OUTLINE_GOOD for v in values)
        median, p10 = values[len(values) // 2], values[len(values) // 10]
        summary["outline"][name] = {"n": len(values), "good": good, "median": median, "p10": p10}
        print(f"  {name:<16}>= {OUTLINE_GOOD} {pct(good, len(values)):>18}   median {median:.3f}   p10 {p10:.3f}")


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:6.2f}% ({a}/{b})" if b else "   n/a"


def report(results: list[Result], worst: int, raw: bool) -> dict:
    n = len(results)
    summary: dict = {"n": n, "fields": {}}
    print(f"\n== {'RAW OCR text check' if raw else 'Pipeline'}: {n} images ==")
    print(f"{'field':<18}{'exact match':>24}")
    for k in FIELDS:
        relevant = [r for r in results if r.sample.truth.get(k) is not None]
        ok = sum(1 for r in relevant if r.error is None and k not in r.wrong)
        summary["fields"][k] = ok / len(relevant) if relevant else None
        print(f"{k:<18}{pct(ok, len(relevant)):>24}")
    if not raw:
        sides_ok = sum(r.sides_ok for r in results)
        print(f"{'sides':<18}{pct(sides_ok, n):>24}")
    cards_ok = sum(r.card_ok for r in results)
    summary["card"] = cards_ok / n if n else None
    print(f"{'WHOLE CARD':<18}{pct(cards_ok, n):>24}")
    if not raw:
        silent = silent_wrong_values(results)
        summary["silent_wrong"] = len(silent)
        wrong_values = sum(1 for r in results if not r.error for _, got in r.wrong.values() if got is not None)
        print(f"wrong values with no warning on their field: {len(silent)} of {wrong_values} wrong non-null values")
        for r, k in silent:
            print(f"    silent: {r.filename} {k}")
        print("card warnings (issue 13's targets: precision >= 95%, recall >= 90%):")
        summary["card_warnings"] = {}
        for code, (tp, fp, fn) in card_warning_counts(results).items():
            summary["card_warnings"][code] = {"tp": tp, "fp": fp, "fn": fn}
            print(f"  {code:<16}precision {pct(tp, tp + fp):>18}   recall {pct(tp, tp + fn):>18}")
        outline_report(results, summary)
    errors = Counter(r.error for r in results if r.error)
    if errors:
        print("errors: " + ", ".join(f"{e} x{c}" for e, c in errors.most_common()))
    times = sorted(r.seconds for r in results)
    if times:
        p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
        summary["time"] = {"mean": statistics.fmean(times), "p50": p(0.5), "p95": p(0.95), "max": times[-1]}
        print(
            f"time per image: mean {statistics.fmean(times):.2f}s  p50 {p(0.5):.2f}s  p95 {p(0.95):.2f}s  "
            f"max {times[-1]:.2f}s"
        )

    groups: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        groups["kind=" + r.sample.kind].append(r)
        for g in condition_groups(r.sample.tags):
            groups[g].append(r)
    print("\nwhole-card accuracy by kind / condition:")
    for g in sorted(groups, key=lambda g: (not g.startswith("kind="), g)):
        rs = groups[g]
        print(f"  {g:<16}{pct(sum(r.card_ok for r in rs), len(rs)):>24}")

    bad = sorted(
        (r for r in results if not r.card_ok), key=lambda r: (-(len(r.wrong) + 10 * bool(r.error)), r.sample.index)
    )
    if bad:
        print(f"\nworst errors ({min(worst, len(bad))} of {len(bad)} imperfect images):")
    for r in bad[:worst]:
        s = r.sample
        print(f"- {r.filename} [{' '.join(s.tags)}] {r.seconds:.2f}s")
        if r.error:
            print(f"    ERROR {r.error}")
        if not r.sides_ok and not r.error:
            print(f"    sides: expected {s.truth['sides']} got {r.got.get('sides')}")
        for k, (exp, got) in r.wrong.items():
            if not r.error:
                print(f"    {k}: expected {exp!r} got {got!r}")
        if r.got.get("warnings") and not r.error:
            print(f"    warnings: {r.got['warnings']}")
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300, help="number of images (default 300)")
    ap.add_argument("--seed", type=int, default=1234, help="generator seed (default 1234)")
    ap.add_argument("--start", type=int, default=0, help="first sample index (to re-run a slice of a set)")
    ap.add_argument("--only", choices=KINDS + MODIFIERS, help="generate only this kind/condition")
    ap.add_argument(
        "--warnings",
        type=int,
        metavar="N",
        help="instead of --n/--only: N photos with each card defect forced (cut off, strong blur, strong glare) and "
        "2N photos without one forced, for the card warnings' precision and recall",
    )
    ap.add_argument("--save", type=Path, metavar="DIR", help="also write the images and truth.jsonl to DIR")
    ap.add_argument(
        "--engine",
        choices=("pipeline", "raw"),
        default="pipeline",
        help="pipeline: cnid_ocr CardReader (default); raw: plain RapidOCR text containment",
    )
    ap.add_argument("--worst", type=int, default=25, help="how many imperfect images to list")
    ap.add_argument("--json", type=Path, metavar="FILE", help="write the summary and per-image results as JSON")
    ap.add_argument("--fail-under", type=float, metavar="PCT", help="exit 1 if whole-card accuracy is below PCT")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per image as it is read")
    args = ap.parse_args(argv)

    raw = args.engine == "raw"
    read = raw_reader() if raw else pipeline_reader()
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        truth_file = (args.save / "truth.jsonl").open("w", encoding="utf-8")
    results: list[Result] = []
    t0 = time.perf_counter()
    gen_seconds = 0.0
    batches = (
        [(only, share * args.warnings) for only, share in WARNING_SETS] if args.warnings else [(args.only, args.n)]
    )
    total = sum(n for _, n in batches)
    for only, n in batches:
        samples = generate(args.seed, n, only=only, start=args.start)
        for _ in range(n):
            g0 = time.perf_counter()
            sample = next(samples)
            gen_seconds += time.perf_counter() - g0
            r0 = time.perf_counter()
            got = read(sample.data)
            res = score(sample, got, time.perf_counter() - r0, raw)
            res.batch = (only or "") if args.warnings else ""
            results.append(res)
            if args.save:
                (args.save / res.filename).write_bytes(sample.data)
                line = {"file": res.filename, "kind": sample.kind, "tags": sample.tags, "truth": sample.truth}
                truth_file.write(json.dumps(line, ensure_ascii=False) + "\n")
            done = len(results)
            if args.verbose:
                status = "OK " if res.card_ok else f"BAD {res.error or ','.join(res.wrong) or 'sides'}"
                print(f"[{done}/{total}] {res.filename} {res.seconds:.2f}s {status}", flush=True)
            elif done % 25 == 0:
                print(f"  {done}/{total} images, {time.perf_counter() - t0:.0f}s", file=sys.stderr, flush=True)
    if args.save:
        truth_file.close()
    made = ", ".join(f"{n} {only or 'mixed'}" for only, n in batches)
    print(f"seed {args.seed}: {made}; generation {gen_seconds:.0f}s, total {time.perf_counter() - t0:.0f}s")
    summary = report(results, args.worst, raw)
    if args.json:
        per_image = [
            {
                "file": r.filename,
                "tags": r.sample.tags,
                "seconds": round(r.seconds, 3),
                "error": r.error,
                "wrong": {k: list(v) for k, v in r.wrong.items()},
            }
            for r in results
        ]
        args.json.write_text(
            json.dumps({"seed": args.seed, "summary": summary, "images": per_image}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    if args.fail_under is not None and (summary["card"] or 0) * 100 < args.fail_under:
        print(f"whole-card accuracy below {args.fail_under}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
