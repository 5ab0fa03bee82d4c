"""Every event in events/ through tools/invoke.py (what `make invoke` / `sam local invoke` do), checked against
events/expected.yaml; plus a real-size oversized upload that the 6 MB Lambda payload still carries."""

from __future__ import annotations

import base64
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from cnid_ocr.store.tables import load_template
from PIL import Image

from .events import EVENTS, EXPECTED, INVOKE, ROOT, check, fresh_key, groups_by_env_vars, invoke

LAMBDA_SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024


def test_every_event_has_an_expectation_and_is_small() -> None:
    files = {p.name for p in EVENTS.glob("*.json")}
    assert files == set(EXPECTED)
    for name in files:
        path = EVENTS / name
        assert path.stat().st_size < 1_000_000, name
        event = json.loads(path.read_text(encoding="utf-8"))
        # HTTP API payload format 2.0, as template.yaml configures it.
        assert event["version"] == "2.0" and event["routeKey"] == "$default"
        assert event["requestContext"]["http"]["method"] in {"POST", "OPTIONS"}
        assert all(h == h.lower() for h in event["headers"])
        if "body" in event:
            assert event["isBase64Encoded"] is True
            base64.b64decode(event["body"], validate=True)


@pytest.fixture(scope="module")
def api_key() -> str:
    return fresh_key()


@pytest.fixture(scope="module")
def oversized_event(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JPEG just over the deployed limit (CNID_OCR_MAX_IMAGE_BYTES in template.yaml) whose event still fits
    Lambda's 6 MB synchronous payload: the app, not Lambda, must answer 413."""
    template = load_template(ROOT / "template.yaml")
    env = template["Resources"]["OcrFunction"]["Properties"]["Environment"]["Variables"]
    limit = int(env["CNID_OCR_MAX_IMAGE_BYTES"])
    rng = np.random.default_rng(3)
    side = 1500
    while True:
        out = io.BytesIO()
        Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8)).save(out, "JPEG", quality=93)
        if out.tell() > limit:
            break
        side += 50
    # Reuse the front-card event's shape, with this image in place of the card.
    event = json.loads((EVENTS / "front-card.json").read_text(encoding="utf-8"))
    body = base64.b64decode(event["body"])
    head, _, rest = body.partition(b"\r\n\r\n\xff\xd8")  # the JPEG starts after the image part's headers
    boundary_tail = rest[rest.rindex(b"\r\n--") :]
    new_body = head + b"\r\n\r\n" + out.getvalue() + boundary_tail
    event["body"] = base64.b64encode(new_body).decode("ascii")
    event["headers"]["content-length"] = str(len(new_body))
    path = tmp_path_factory.mktemp("events") / "real-oversized.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    assert path.stat().st_size < LAMBDA_SYNC_PAYLOAD_LIMIT
    return path


@pytest.mark.models  # the invoke imports the handler, which loads the models
def test_events_through_invoke(api_key: str, oversized_event: Path) -> None:
    groups = groups_by_env_vars()
    groups[None].append(oversized_event)
    seen = set()
    for env_vars, paths in groups.items():
        args = ["--api-key", api_key]
        if env_vars:
            args += ["--env-vars", str(EVENTS / env_vars)]
        results = invoke(paths, *args)
        for name, result in results.items():
            expected = EXPECTED.get(name, {"status": 413})
            check(name, result["response"], expected)
            seen.add(name)
    assert seen == set(EXPECTED) | {oversized_event.name}


def test_invoke_reads_handler_and_environment_from_the_template() -> None:
    """The resolved environment: parameters' defaults, table names from !Sub, the bucket's local name."""
    sys.path.insert(0, str(INVOKE.parent))
    try:
        import invoke as invoke_module
    finally:
        sys.path.remove(str(INVOKE.parent))
    function = invoke_module.load_function(ROOT / "template.yaml", None, {"AllowedOrigins": "https://a.example"})
    assert function["handler"] == "cnid_ocr.lambda_handler.handler"
    assert function["codeUri"] == ROOT / "handler"
    env = function["environment"]
    assert env["CNID_OCR_KEYS_TABLE"] == "cnid-ocr-local-keys"
    assert env["CNID_OCR_USAGE_TABLE"] == "cnid-ocr-local-usage"
    assert env["CNID_OCR_ALLOWED_ORIGINS"] == "https://a.example"
    assert env["CNID_OCR_UPLOADS_BUCKET"] in function["buckets"]
    assert function["tables"] == {"KeysTable": "cnid-ocr-local-keys", "UsageTable": "cnid-ocr-local-usage"}
    assert function["timeout"] == 29
