"""The page's rendering of what the API can answer, in a real browser, without the OCR models: the page is served by
the live app (a stand-in reader), and the answers of /api/v1/ocr are set by each test (Playwright's routing), so
every shape of response is shown: several cards, a card without an outline, crops per card or only at the top
level, markup in a value, an error without JSON, no answer at all."""

from __future__ import annotations

import base64
import io
import json
import re

import pytest
from cnid_ocr.app import create_app
from cnid_ocr.config import Settings
from cnid_ocr.local import EmbeddedDynamoDB, create_tables
from cnid_ocr.services import Services, build_stores
from cnid_ocr.store.dynamo import make_dynamodb_client
from PIL import Image

from .conftest import FastReader, LiveServer, Tab, data_url_bytes

WIDTH, HEIGHT = 1200, 800


def jpeg(size: tuple[int, int], color=(90, 120, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


PHOTO = jpeg((WIDTH, HEIGHT), (200, 190, 170))
CARD_CROP = base64.b64encode(jpeg((428, 270), (30, 140, 200))).decode()
PORTRAIT_CROP = base64.b64encode(jpeg((90, 110), (220, 60, 60))).decode()
BACK_CROP = base64.b64encode(jpeg((428, 270), (40, 180, 90))).decode()

FRONT_A = {
    "name": "王小明",
    "gender": "男",
    "ethnicity": "汉",
    "dateOfBirth": "1990-01-01",
    "address": "北京市朝阳区建国路88号",
    "idNumber": "11010519900101123X",
}
BACK_A = {"issuingAuthority": "北京市公安局朝阳分局", "validFrom": "2015-06-01", "validTo": "2035-06-01"}
FRONT_B = {
    **FRONT_A,
    "name": "阿依古丽·买买提",
    "gender": "女",
    "ethnicity": "维吾尔",
    "idNumber": "650102198502021246",
}
CHECKSUM = {"code": "id_checksum_failed", "field": "idNumber", "message": "The check character disagrees."}
MULTIPLE = {"code": "multiple_cards", "field": None, "message": "2 fronts in the image: the top-level fields are ..."}


def corners(x: float, y: float, w: float, h: float) -> list[list[float]]:
    return [[x, y], [x + w, y + 10.5], [x + w - 8, y + h], [x - 4, y + h - 6]]


def conf(fields: dict, value: float = 0.99) -> dict:
    return {k: value for k in fields}


def body_of(cards: list[dict], **top) -> dict:
    first_front = next((c for c in cards if c["side"] == "front"), None)
    first_back = next((c for c in cards if c["side"] == "back"), None)
    body: dict = {k: None for k in (*FRONT_A, *BACK_A)}
    for card in (first_front, first_back):
        if card:
            body.update(card["fields"])
    body.update(
        sides=[s for s in ("front", "back") if any(c["side"] == s for c in cards)],
        confidence={},
        warnings=[w for c in cards[:2] for w in c["warnings"]],
        cards=cards,
        requestId="req-123",
    )
    body.update(top)
    return body


def card(side: str, fields: dict, box, warnings=(), images=None, low: tuple[str, ...] = ()) -> dict:
    result = {
        "side": side,
        "corners": None if box is None else corners(*box),
        "fields": fields,
        "confidence": {k: (0.42 if k in low else 0.99) for k in fields},
        "warnings": list(warnings),
    }
    if images is not None:
        result["images"] = images
    return result


def answer(tab: Tab, body, *, status: int = 200, content_type: str = "application/json") -> list:
    """Answer the page's next calls to /api/v1/ocr with ``body``; returns the requests seen."""
    seen: list = []

    def handle(route) -> None:
        seen.append(route.request)
        payload = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        route.fulfill(status=status, body=payload, content_type=content_type)

    tab.page.route("**/api/v1/ocr", handle)
    return seen


def form_value(request, name: str) -> bytes | None:
    match = re.search(rb'name="' + name.encode() + rb'"\r\n\r\n(.*?)\r\n--', request.post_data_buffer, re.S)
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def services():
    """One live app for the module (each test gets a fresh browser context): the page is static, and the stubbed
    answers never reach it."""
    settings = Settings(keys_table="page-keys", usage_table="page-usage", aws_region="us-east-1")
    store = EmbeddedDynamoDB()
    with pytest.MonkeyPatch.context() as env:  # module-wide: the per-test fake credentials come too late
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.setenv(name, "testing")
        env.delenv("AWS_PROFILE", raising=False)
        client = make_dynamodb_client("us-east-1", store.start())
        create_tables(client, settings)
        keys, usage = build_stores(settings, client)
        yield Services(settings=settings, reader=FastReader(), keys=keys, usage=usage)
    store.stop()


@pytest.fixture(scope="module")
def server(services):
    with LiveServer(create_app(services)) as live:
        yield live


@pytest.fixture(scope="module")
def key(services) -> str:
    return services.keys.create_key("page")[1]


@pytest.fixture
def opened(tab: Tab, server, key) -> Tab:
    tab.page.goto(f"{server.url}/#key={key}")
    tab.page.wait_for_selector('body[data-state="ready"]', state="attached")
    return tab


def test_the_request_is_the_seeds_browser_example_and_the_box_adds_crop(opened: Tab, key):
    seen = answer(opened, body_of([card("front", FRONT_A, (100, 100, 800, 500))]))
    opened.post(PHOTO, "photo.jpg")
    (request,) = seen
    assert request.method == "POST" and request.url.endswith("/api/v1/ocr")
    assert request.headers["authorization"] == f"Bearer {key}"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    data = request.post_data_buffer
    assert b'name="image"; filename="photo.jpg"' in data and PHOTO in data
    assert form_value(request, "documentType") == b"cn_id_card"
    assert form_value(request, "crop") is None  # no crops unless asked: the fastest call

    # Ticking the box asks again for the same photo, with the crops.
    with opened.page.expect_response(lambda r: r.url.endswith("/api/v1/ocr")) as again:
        opened.page.check("#crop")
    opened.settle(again.value)
    assert len(seen) == 2
    assert form_value(seen[1], "crop") == b"card,portrait"
    assert PHOTO in seen[1].post_data_buffer


def test_every_card_is_shown_with_its_outline_fields_warnings_and_crops(opened: Tab):
    """A front and a back of one person and the front of another: three outlines, three sections, each with its own
    fields, confidence, warnings and crops (a back has no portrait); the image's own warning shown once."""
    cards = [
        card("front", FRONT_A, (60, 50, 500, 320), images={"card": CARD_CROP, "portrait": PORTRAIT_CROP}),
        card("back", BACK_A, (620, 60, 500, 320), images={"card": BACK_CROP}),
        card(
            "front",
            FRONT_B,
            (300, 420, 520, 330),
            warnings=[CHECKSUM],
            images={"card": CARD_CROP, "portrait": PORTRAIT_CROP},
            low=("address",),
        ),
    ]
    body = body_of(cards, images={"card": CARD_CROP, "portrait": PORTRAIT_CROP})
    body["warnings"].append(MULTIPLE)
    answer(opened, body)
    result = opened.post(PHOTO)
    assert result["status"] == 200

    page = opened.page
    assert page.get_attribute("#outlines", "viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    drawn = opened.polygons()
    assert len(drawn) == 3
    for polygon, expected in zip(drawn, cards, strict=True):
        assert polygon == [tuple(p) for p in expected["corners"]]
    groups = page.eval_on_selector_all("#outlines g", "gs => gs.map(g => [g.getAttribute('class'), g.textContent])")
    assert groups == [["c0", "1 front"], ["c1", "2 back"], ["c2", "3 front"]]

    assert page.locator("section.card").count() == 3
    for index, expected in enumerate(cards):
        section = page.locator(f'section.card[data-card="{index}"]')
        assert section.get_attribute("data-side") == expected["side"]
        assert section.get_attribute("class") == f"card c{index}"  # the outline's colour
        for name, value in expected["fields"].items():
            assert opened.field(name, index) == value
            shown = section.locator(f'tr[data-field="{name}"] td.conf')
            assert shown.inner_text() == ("42.0%" if name in ("address",) and index == 2 else "99.0%")
    # A front shows front fields only, a back back fields only.
    assert page.locator('section.card[data-card="1"] tr[data-field="name"]').count() == 0
    assert page.locator('section.card[data-card="0"] tr[data-field="validTo"]').count() == 0
    low = page.locator('section.card[data-card="2"] tr[data-field="address"] td.conf')
    assert low.get_attribute("class") == "conf low"

    warned = page.locator('section.card[data-card="2"] ul.warnings li')
    assert warned.count() == 1
    assert warned.inner_text() == "id_checksum_failed (idNumber): The check character disagrees."
    assert page.locator('section.card[data-card="0"] ul.warnings').count() == 0
    image_wide = page.locator("#page-warnings li")
    assert image_wide.count() == 1 and image_wide.get_attribute("data-code") == "multiple_cards"

    # Crops per card, in the card's section; the top-level copy of the first card's is not shown again.
    shown = page.eval_on_selector_all(
        "section.card figure[data-crop] img",
        "imgs => imgs.map(i => [i.closest('section').dataset.card, i.closest('figure').dataset.crop,"
        " i.getAttribute('src'), i.naturalWidth])",
    )
    expected_crops = [
        ("0", "card", CARD_CROP, 428),
        ("0", "portrait", PORTRAIT_CROP, 90),
        ("1", "card", BACK_CROP, 428),
        ("2", "card", CARD_CROP, 428),
        ("2", "portrait", PORTRAIT_CROP, 90),
    ]
    assert [(c, n, data_url_bytes(src), w) for c, n, src, w in shown] == [
        (c, n, base64.b64decode(b64), w) for c, n, b64, w in expected_crops
    ]
    assert page.locator("#crops img").count() == 0
    # The raw answer, for whoever writes a client, with the base64 abbreviated.
    raw = page.locator("#json").text_content()
    assert '"requestId": "req-123"' in raw and "<base64 JPEG," in raw and CARD_CROP not in raw
    assert opened.errors == [] and opened.csp_violations() == []


def test_a_card_without_corners_is_listed_without_an_outline(opened: Tab):
    answer(opened, body_of([card("front", FRONT_A, None), card("back", BACK_A, (620, 60, 500, 320))]))
    opened.post(PHOTO)
    assert opened.polygons() == [[tuple(p) for p in corners(620, 60, 500, 320)]]
    assert opened.page.eval_on_selector_all("#outlines g", "gs => gs.map(g => g.dataset.card)") == ["1"]
    assert "card 1 front: no outline (corners: null)" in opened.text("#caption")
    assert "(no outline)" in opened.text('section.card[data-card="0"] h2')
    assert opened.field("name") == FRONT_A["name"]


def test_top_level_crops_are_shown_when_no_card_carries_its_own(opened: Tab):
    answer(opened, body_of([card("front", FRONT_A, (60, 50, 500, 320))], images={"card": CARD_CROP}))
    opened.page.check("#crop")  # no photo chosen yet: nothing is sent
    opened.post(PHOTO)
    sources = opened.page.eval_on_selector_all("#crops img", "imgs => imgs.map(i => i.getAttribute('src'))")
    assert [data_url_bytes(s) for s in sources] == [base64.b64decode(CARD_CROP)]
    assert opened.page.locator("section.card img").count() == 0


def test_no_images_in_the_answer_no_crops_on_the_page(opened: Tab):
    answer(opened, body_of([card("front", FRONT_A, (60, 50, 500, 320))]))
    opened.page.check("#crop")
    opened.post(PHOTO)
    assert opened.page.locator("img.crop").count() == 0
    assert opened.page.locator("#crops").inner_html() == ""
    assert opened.field("idNumber") == FRONT_A["idNumber"]


def test_values_are_shown_as_text_never_as_markup(opened: Tab):
    hostile = '<img src=x onerror="window.__pwned=1">'
    fields = {**FRONT_A, "name": hostile, "address": "<b>bold</b>"}
    warning = {"code": "<i>x</i>", "field": "<u>f</u>", "message": "<script>window.__pwned=2</script>"}
    answer(opened, body_of([card("<em>side</em>", fields, (60, 50, 500, 320), warnings=[warning])]))
    opened.post(PHOTO)
    assert opened.field("name") == hostile
    assert opened.field("address") == "<b>bold</b>"
    assert opened.page.evaluate("window.__pwned") is None
    assert opened.page.locator("#answer img, #answer b, #answer script, #answer em, #answer i, #answer u").count() == 0
    assert "<script>window.__pwned=2</script>" in opened.text('section.card[data-card="0"] ul.warnings')


def test_an_error_without_json_is_described(opened: Tab):
    answer(opened, "<html>Bad Gateway</html>", status=502, content_type="text/html")
    result = opened.post(PHOTO)
    assert result["status"] == 502
    assert opened.page.get_attribute("body", "data-state") == "error"
    assert opened.text("#error-message") == "The server answered 502 Bad Gateway without an error message."
    assert opened.page.is_hidden("#result")


def test_no_answer_at_all_is_said(opened: Tab):
    opened.page.route("**/api/v1/ocr", lambda route: route.abort("connectionrefused"))
    opened.page.set_input_files("#file", files=[{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": PHOTO}])
    opened.page.wait_for_selector('body[data-state="error"]', state="attached")
    assert opened.text("#error-title") == "No answer:"
    assert opened.text("#error-message").startswith("The request failed: ")


def test_a_dropped_file_is_read(opened: Tab):
    seen = answer(opened, body_of([card("front", FRONT_A, (60, 50, 500, 320))]))
    page = opened.page
    transfer = page.evaluate_handle(
        """(b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], 'dropped.jpg', { type: 'image/jpeg' }));
            return transfer;
        }""",
        base64.b64encode(PHOTO).decode(),
    )
    with page.expect_response(lambda r: r.url.endswith("/api/v1/ocr")) as response:
        page.dispatch_event("#drop", "dragover", {"dataTransfer": transfer})
        assert page.get_attribute("#drop", "class") == "over"
        page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    opened.settle(response.value)
    assert b'filename="dropped.jpg"' in seen[0].post_data_buffer and PHOTO in seen[0].post_data_buffer
    assert opened.field("name") == FRONT_A["name"]
    assert len(opened.polygons()) == 1


def test_top_level_fields_when_the_answer_has_no_cards(opened: Tab):
    """The live app's stand-in reader answers without `cards`: the top-level fields are shown as one card."""
    result = opened.post(PHOTO)
    assert result["status"] == 200 and result["body"]["cards"] == []
    assert opened.field("name") == result["body"]["name"]
    assert opened.field("idNumber") == result["body"]["idNumber"]
    assert opened.polygons() == []


def test_only_its_own_files_load_and_the_policy_is_enforced(opened: Tab, server):
    """Offline by construction (every other host is unresolvable in these tests, and the page asks for none), and
    the Content-Security-Policy really applies: an inline script injected into the page is refused."""
    assert opened.requests and all(url.startswith(server.url + "/") for url in opened.requests), opened.requests
    assert {url.removeprefix(server.url) for url in opened.requests} >= {"/", "/page/page.js", "/page/page.css"}
    assert opened.csp_violations() == []
    opened.page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.body.append(s); }"
    )
    assert opened.page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in opened.csp_violations()), opened.csp_violations()


def test_a_pasted_key_is_the_one_sent(tab: Tab, server, key):
    tab.page.goto(f"{server.url}/")
    tab.page.wait_for_selector('body[data-state="ready"]', state="attached")
    assert tab.page.input_value("#key") == ""
    assert "paste one" in tab.text("#key-source")
    seen = answer(tab, body_of([card("front", FRONT_A, (60, 50, 500, 320))]))
    tab.page.fill("#key", f"  {key} ")
    tab.post(PHOTO)
    assert seen[0].headers["authorization"] == f"Bearer {key}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("null", "The answer was not a JSON object."),
        ("[1, 2]", "The answer was not a JSON object."),
        ('{"cards": [null]}', "The page could not show the answer: "),
        ('{"cards": "not a list", "sides": 3}', None),  # shown as one card of top-level keys (none)
    ],
)
def test_an_answer_of_an_unknown_shape_is_said_not_left_busy(opened: Tab, body, message):
    answer(opened, body)
    opened.post(PHOTO)
    if message is None:
        assert opened.page.get_attribute("body", "data-state") == "done"
        assert opened.page.locator("section.card").count() == 1
    else:
        assert opened.page.get_attribute("body", "data-state") == "error"
        assert opened.text("#error-message").startswith(message)
        assert opened.page.is_hidden("#result")
    assert opened.errors == []
