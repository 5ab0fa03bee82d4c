"""Sizes of the Lambda function package and the OCR layer, checked against Lambda's unzipped limit.

Lambda rejects a function whose code plus all its layers exceed 262,144,000 bytes unzipped (the sum of file sizes).
Prints the unzipped sizes (total and the largest top-level entries of the layer), and with --zip-dir writes
deterministic zips (sorted entries, fixed timestamps) and prints their sizes. Exits 1 above the limit.

Usage: python size_check.py --layer BUILD/layer [--function BUILD/function] [--zip-dir BUILD] [--limit BYTES]
"""

from __future__ import annotations

import argparse
import os
import sys
import zipfile
from pathlib import Path

LAMBDA_UNZIPPED_LIMIT = 262_144_000
DIRECT_UPLOAD_ZIP_LIMIT = 50 * 1024 * 1024  # above this a zip must go through S3 (sam deploy does that anyway)
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def unzipped_size(root: Path) -> int:
    return sum(p.stat().st_size for p in files_under(root))


def write_zip(root: Path, target: Path) -> int:
    """Zip ``root``'s contents (paths relative to it) reproducibly; returns the zip's size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in files_under(root):
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, path.read_bytes(), compresslevel=6)
    return target.stat().st_size


def largest_entries(python_dir: Path, count: int = 12) -> list[tuple[str, int]]:
    sizes: dict[str, int] = {}
    for path in files_under(python_dir):
        top = path.relative_to(python_dir).parts[0]
        sizes[top] = sizes.get(top, 0) + path.stat().st_size
    return sorted(sizes.items(), key=lambda kv: kv[1], reverse=True)[:count]


def mb(n: int) -> str:
    return f"{n:>13,} B  ({n / 1e6:7.1f} MB)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layer", type=Path, required=True, help="the layer dir (holding python/)")
    parser.add_argument("--function", type=Path, help="the function package dir (/var/task)")
    parser.add_argument("--zip-dir", type=Path, help="write layer.zip / function.zip here and report their sizes")
    parser.add_argument("--limit", type=int, default=LAMBDA_UNZIPPED_LIMIT)
    args = parser.parse_args(argv)

    layer = unzipped_size(args.layer)
    function = unzipped_size(args.function) if args.function else 0
    total = layer + function
    print(f"layer    {args.layer}")
    for name, size in largest_entries(args.layer / "python"):
        print(f"    {name:<34}{size / 1e6:8.1f} MB")
    print(f"unzipped layer            {mb(layer)}")
    if args.function:
        print(f"unzipped function         {mb(function)}")
    label = "unzipped function + layer" if args.function else "unzipped layer"
    print(f"{label:<26}{mb(total)}  = {100 * total / args.limit:.1f}% of the {args.limit:,} B limit")
    print(f"headroom                  {mb(args.limit - total)}")
    if args.zip_dir:
        layer_zip = write_zip(args.layer, args.zip_dir / "layer.zip")
        print(f"zipped layer              {mb(layer_zip)}")
        if args.function:
            function_zip = write_zip(args.function, args.zip_dir / "function.zip")
            print(f"zipped function           {mb(function_zip)}")
        if layer_zip > DIRECT_UPLOAD_ZIP_LIMIT:
            print("note: the layer zip is over 50 MB, so it must be uploaded through S3 (sam deploy does)")
    if total > args.limit:
        print(f"FAIL: {total:,} bytes unzipped is over Lambda's limit of {args.limit:,}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
