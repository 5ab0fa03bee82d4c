"""The try-it page as a newcomer meets it: `cnid-ocr serve` started as a user starts it, the link it prints opened
in a real Chromium (nothing typed), generated cards read by the real OCR, the outline drawn on the photo (also on
an EXIF-rotated one), the crops when asked, the API's message for a file that is not an image; and the server's
output holds neither the key nor anything of the card."""

from __future__ import annotations

import io
import re
import time

import pytest
from cardgen import identity_for, sample_for
from PIL import Image, ImageOps

from .conftest import FRONT, Serve, Tab, clean_env

pytestmark = pytest.mark.models  # the served app loads the OCR models


@pytest.fixture(scope="module")
def serve():
    server = Serve(clean_env())
    yield server
    server.stop()


def scan(seed: int, *, exif: bool = False):
    return sample_for(identity_for(seed=seed), "scan", seed=seed, sides=("front",), fmt="jpeg", exif=exif)


def oriented_size(data: bytes) -> tuple[int, int]:
    return ImageOps.exif_transpose(Image.open(io.BytesIO(data))).size


def open_link(tab: Tab, url: str) -> None:
    tab.page.goto(url)
    tab.page.wait_for_selector('body[data-state="ready"]', state="attached")


def geometry(tab: Tab) -> dict:
    """What the page drew: the photo's natural (EXIF-applied) size, the overlay's viewBox, and the on-screen boxes
    of the photo and of each outline."""
    return tab.page.evaluate(
        """() => {
            const img = document.getElementById('photo');
            const box = (r) => [r.left, r.top, r.width, r.height];
            return {
                natural: [img.naturalWidth, img.naturalHeight],
                viewBox: document.getElementById('outlines').getAttribute('viewBox'),
                photo: box(img.getBoundingClientRect()),
                layer: box(document.getElementById('outlines').getBoundingClientRect()),
                outlines: [...document.querySelectorAll('#outlines polygon')].map(
                    (p) => box(p.getBoundingClientRect())
                ),
            };
        }"""
    )


def assert_inside(inner: list[float], outer: list[float], slack: float = 1.0) -> None:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    assert ox - slack <= x and oy - slack <= y and x + w <= ox + ow + slack and y + h <= oy + oh + slack, (inner, outer)


def test_the_printed_link_carries_the_development_key_in_its_fragment(serve: Serve, tab: Tab):
    key = serve.banner_value("API key:")
    assert key and serve.link == f"{serve.url}/#key={key}", serve.banner
    open_link(tab, serve.link)
    assert tab.page.input_value("#key") == key
    assert tab.text("#key-source") == "from the link (#key=…)"
    # The page's own requests never carry the key: a fragment is not sent.
    assert tab.requests and not any(key in url for url in tab.requests)


def test_a_generated_card_is_read_and_outlined(serve: Serve, tab: Tab):
    sample = scan(2)
    open_link(tab, serve.link)
    result = tab.post(sample.data, "cn_id_card.jpg")
    assert result["status"] == 200, result["body"]
    body = result["body"]
    assert {f: tab.field(f) for f in FRONT} == {f: sample.truth[f] for f in FRONT}
    # Each confidence as the page shows it.
    (card,) = body["cards"]
    for name in FRONT:
        shown = tab.text(f'section.card[data-card="0"] tr[data-field="{name}"] td.conf')
        assert shown == f"{card['confidence'][name] * 100:.1f}%"

    # The outline: the response's corners, in an overlay whose coordinates are the image's pixels, on the photo.
    assert tab.polygons() == [[tuple(p) for p in card["corners"]]]
    drawn = geometry(tab)
    width, height = oriented_size(sample.data)
    assert drawn["natural"] == [width, height]
    assert drawn["viewBox"] == f"0 0 {width} {height}"
    assert drawn["layer"] == pytest.approx(drawn["photo"], abs=0.5)
    (outline,) = drawn["outlines"]
    assert_inside(outline, drawn["photo"])
    assert outline[2] > 0.5 * drawn["photo"][2]  # the card fills most of a scan: the outline is not a speck

    # Nothing but the server and the photo's own blob: URL (the chosen file, in the page's memory).
    assert all(url.startswith((f"{serve.url}/", f"blob:{serve.url}/")) for url in tab.requests), tab.requests
    assert tab.errors == [] and tab.csp_violations() == []


def test_an_exif_rotated_photo_is_outlined_where_its_upright_twin_is(serve: Serve, tab: Tab):
    """The same picture stored turned with an EXIF orientation tag (6: shown turned 90 degrees) and stored upright:
    the browser shows both upright; the outline must land on the same place of the picture in both."""
    rotated, upright = scan(7, exif=True), scan(7)
    assert "exif6" in rotated.tags and "exif6" not in upright.tags
    stored = Image.open(io.BytesIO(rotated.data)).size
    width, height = oriented_size(rotated.data)
    assert stored == (height, width) and oriented_size(upright.data) == (width, height)

    open_link(tab, serve.link)
    seen = {}
    for name, sample in (("rotated", rotated), ("upright", upright)):
        result = tab.post(sample.data, f"{name}.jpg")
        assert result["status"] == 200, result["body"]
        assert {f: tab.field(f) for f in FRONT} == {f: sample.truth[f] for f in FRONT}
        drawn = geometry(tab)
        assert drawn["natural"] == [width, height], name  # the browser applied the orientation
        assert drawn["viewBox"] == f"0 0 {width} {height}"
        x, y, w, h = drawn["photo"]
        assert abs(w / h - width / height) < 0.01, name  # shown upright, not as stored
        (outline,) = drawn["outlines"]
        assert_inside(outline, drawn["photo"])
        # The outline's box as fractions of the photo's box on screen.
        seen[name] = [(outline[0] - x) / w, (outline[1] - y) / h, outline[2] / w, outline[3] / h]
    assert seen["rotated"] == pytest.approx(seen["upright"], abs=0.01), seen


def test_crops_when_the_box_is_ticked(serve: Serve, tab: Tab):
    sample = scan(4)
    open_link(tab, serve.link)
    bodies: list[bytes] = []

    def passing(route) -> None:  # sees the body (a request's network record omits file parts), then sends it on
        bodies.append(route.request.post_data_buffer)
        route.continue_()

    tab.page.route("**/api/v1/ocr", passing)
    tab.page.check("#crop")
    result = tab.post(sample.data)
    assert result["status"] == 200, result["body"]
    (sent,) = bodies
    assert re.search(rb'name="crop"\r\n\r\ncard,portrait\r\n', sent), sent[-400:]
    body = result["body"]
    shown = tab.page.eval_on_selector_all(
        "figure[data-crop] img", "imgs => imgs.map(i => [i.getAttribute('src'), i.naturalWidth])"
    )
    per_card = [c.get("images") or {} for c in body["cards"]]
    expected = [v for images in per_card for v in images.values()] or list((body.get("images") or {}).values())
    # Guarded while the server side of `crop` is being built (issue 13): with it, the crops must be shown and be
    # images the browser decodes; without it, the page shows none.
    if "images" in body or any(per_card):
        assert expected and len(shown) == len(expected)
        assert [src for src, _ in shown] == ["data:image/jpeg;base64," + e for e in expected]
        assert all(width > 0 for _, width in shown)
    else:
        assert shown == []
    assert tab.errors == [] and tab.csp_violations() == []


def test_a_text_file_shows_the_apis_message(serve: Serve, tab: Tab):
    open_link(tab, serve.link)
    result = tab.post(b"name,idNumber\nnot an image\n", "notes.txt", "text/plain")
    assert result["status"] == 415, result["body"]
    error = result["body"]["error"]
    assert tab.page.get_attribute("body", "data-state") == "error"
    assert tab.page.is_visible("#error")
    assert tab.text("#error-message") == error["message"]
    assert tab.text("#error-code") == f"415 {error['code']}"
    assert tab.page.is_hidden("#result")


def test_a_pasted_key_after_a_wrong_one(serve: Serve, tab: Tab):
    sample = scan(6)
    open_link(tab, f"{serve.url}/")
    assert tab.page.input_value("#key") == ""
    tab.page.fill("#key", "sk_live_" + "Wrong" * 8)
    refused = tab.post(sample.data)
    assert refused["status"] == 401
    assert tab.text("#error-message") == refused["body"]["error"]["message"]

    tab.page.fill("#key", serve.key)
    with tab.page.expect_response(lambda r: r.url.endswith("/api/v1/ocr")) as again:
        tab.page.click("#again")
    read = tab.settle(again.value)
    assert read["status"] == 200
    assert tab.page.is_hidden("#error")
    assert tab.field("idNumber") == sample.truth["idNumber"]


def test_the_servers_output_holds_neither_the_key_nor_the_card(serve: Serve, tab: Tab):
    sample = scan(3)

    def ocr_lines() -> int:
        return sum('"path": "/api/v1/ocr"' in line for line in serve.output)

    before = ocr_lines()
    open_link(tab, serve.link)
    assert tab.post(sample.data)["status"] == 200
    deadline = time.monotonic() + 10
    while ocr_lines() == before and time.monotonic() < deadline:  # the log line is written after the answer
        time.sleep(0.05)
    assert ocr_lines() == before + 1, serve.output[-5:]
    assert any('"path": "/"' in line for line in serve.output), serve.output[-5:]
    text = "\n".join(serve.output)
    assert serve.key not in text
    for field in ("name", "idNumber", "address", "dateOfBirth"):
        assert sample.truth[field] not in text, field
    assert max(len(line) for line in serve.output) < 1000  # no image or base64 in a log line
