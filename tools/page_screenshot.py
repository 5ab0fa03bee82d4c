"""docs/page.png: the try-it page with a generated card read by a real `cnid-ocr serve`, in headless Chromium.

    python tools/page_screenshot.py [--kind photo --seed 5] [--out docs/page.png]

Starts `cnid-ocr serve` (embedded store, a fresh development key), opens the link it prints (the key in the
fragment), ticks the crop box, posts the card and saves a screenshot of the page, reduced to a 256-colour PNG so
that it stays small in the repository. Needs Debian's chromium (`make setup`) and the dev extra (Playwright). The
card is synthetic (tools/cardgen): nobody's personal data is in the picture.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from cardgen import identity_for, sample_for
from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serve(port: int) -> tuple[subprocess.Popen, str]:
    """`cnid-ocr serve` on an embedded store; the page's link from its banner."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DYNAMODB_", "CNID_OCR_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "cnid_ocr.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    link = None
    for line in process.stdout:
        match = re.match(r"Try it in a browser: (\S+#key=\S+)", line)
        if match:
            link = match.group(1)
        if line.startswith(("API docs:", "Traceback")):
            break
    if link is None:
        process.kill()
        raise SystemExit("serve printed no link to the page")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, link
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("serve did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="photo", help="cardgen sample kind (photo, scan, both_sides, ...)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "page.png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=860)
    args = parser.parse_args()

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed: `make setup` installs Debian's package")
    sides = ("front", "back") if args.kind == "both_sides" else ("front",)
    sample = sample_for(identity_for(seed=args.seed), args.kind, seed=args.seed, sides=sides, fmt="jpeg")

    process, link = start_serve(free_port())
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(link)
            page.wait_for_selector('body[data-state="ready"]', state="attached")
            page.check("#crop")
            page.set_input_files(
                "#file", files=[{"name": "cn_id_card.jpg", "mimeType": "image/jpeg", "buffer": sample.data}]
            )
            page.wait_for_selector('body[data-state="done"], body[data-state="error"]', state="attached", timeout=60000)
            if page.get_attribute("body", "data-state") != "done":
                raise SystemExit("the page shows an error: " + page.inner_text("#error"))
            png = page.screenshot(full_page=True)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)

    # 256 colours: the page is flat colour but for the photo, which survives the palette well enough.
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    image.save(args.out, optimize=True)
    print(f"{args.out}: {image.width}x{image.height}, {args.out.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
