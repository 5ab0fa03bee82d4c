"""Write the API Gateway events in events/: HTTP API (payload format 2.0) requests, as Lambda receives them.

    python events/make_events.py        # or: make events

Each event is complete (requestContext, lower-case headers, base64 multipart body) and under 1 MB. The card images
come from the synthetic generator (tools/cardgen), so the events are reproducible and hold no real person's data.
The API key in the events is the fixed local development key below: tools/invoke.py registers it in its embedded
store, or replaces it with --api-key.

expected.yaml says what each event must produce (tests/deploy/test_events.py checks it), and which sam-style
--env-vars file it needs: the oversized-file event would need a body over the real 4.4 MB limit (a 6 MB event file),
so it carries a 0.5 MB image and runs with CNID_OCR_MAX_IMAGE_BYTES lowered by env/oversized.json, exactly as
`sam local invoke -e events/oversized-file.json --env-vars events/env/oversized.json` would.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

HERE = Path(__file__).resolve().parent
DEV_API_KEY = "sk_live_LocalDevelopmentKeyForEventsOnly0000"
BOUNDARY = "----cnidocrEventBoundary7MA4YWxkTrZu0gW"
API_ID = "a1b2c3d4e5"
REGION = "us-east-1"
ORIGIN = "https://app.example.com"
TIME = ("26/Nov/2026:01:00:00 +0000", 1795654800000)
OVERSIZE_LIMIT = 262_144  # the lowered limit in env-vars.oversized.json


def multipart(fields: dict[str, str], filename: str, content_type: str, data: bytes) -> bytes:
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    out.write(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
    )
    out.write(data)
    out.write(f"\r\n--{BOUNDARY}--\r\n".encode())
    return out.getvalue()


def http_api_event(method: str, path: str, headers: dict[str, str], body: bytes | None, seq: int) -> dict:
    """An HTTP API payload 2.0 event for the $default route and stage."""
    request_id = f"CnidEvt{seq:04d}QAMEb="  # the shape of HTTP API request ids
    all_headers = {
        "accept": "*/*",
        "host": f"{API_ID}.execute-api.{REGION}.amazonaws.com",
        "user-agent": "curl/8.5.0",
        "x-amzn-trace-id": f"Root=1-6745a0b0-{seq:024x}",
        "x-forwarded-for": "203.0.113.10",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        **{k.lower(): v for k, v in headers.items()},
    }
    if body is not None:
        all_headers["content-length"] = str(len(body))
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": dict(sorted(all_headers.items())),
        "requestContext": {
            "accountId": "123456789012",
            "apiId": API_ID,
            "domainName": f"{API_ID}.execute-api.{REGION}.amazonaws.com",
            "domainPrefix": API_ID,
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": all_headers["user-agent"],
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": TIME[0],
            "timeEpoch": TIME[1],
        },
        "isBase64Encoded": body is not None,
    }
    if body is not None:
        # Binary (multipart) bodies reach Lambda base64-encoded.
        event["body"] = base64.b64encode(body).decode("ascii")
    return event


def card_jpeg(side: str, seed: int) -> tuple[bytes, dict]:
    from cardgen import identity_for, render_card

    identity = identity_for(seed)
    card = render_card(identity, side, seed=seed)
    # A little margin, as on a scanner bed.
    page = Image.new("RGB", (card.width + 80, card.height + 80), (236, 236, 232))
    page.paste(card, (40, 40))
    out = io.BytesIO()
    page.save(out, "JPEG", quality=90)
    return out.getvalue(), identity


def noisy_jpeg(target_bytes: int) -> bytes:
    """A valid JPEG just over ``target_bytes`` (noise does not compress)."""
    rng = np.random.default_rng(7)
    side = 400
    while True:
        pixels = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
        out = io.BytesIO()
        Image.fromarray(pixels).save(out, "JPEG", quality=92)
        if out.tell() > target_bytes:
            return out.getvalue()
        side += 100


def front_fields(identity) -> dict[str, str]:
    return {
        "name": identity.name,
        "gender": identity.gender,
        "ethnicity": identity.ethnicity,
        "dateOfBirth": identity.birth.isoformat(),
        "address": identity.address,
        "idNumber": identity.id_number,
    }


def build() -> dict[str, dict]:
    auth = {"authorization": f"Bearer {DEV_API_KEY}", "origin": ORIGIN}
    form = {"documentType": "cn_id_card"}
    front, front_identity = card_jpeg("front", seed=11)
    back, _ = card_jpeg("back", seed=12)
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    big = noisy_jpeg(OVERSIZE_LIMIT * 2)

    def post(headers: dict[str, str], body: bytes, seq: int) -> dict:
        content_type = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
        return http_api_event("POST", "/api/v1/ocr", {**headers, **content_type}, body, seq)

    events = {
        "front-card.json": (
            post(auth, multipart(form, "front.jpg", "image/jpeg", front), 1),
            {"status": 200, "fields": front_fields(front_identity)},
        ),
        "back-card.json": (
            post(auth, multipart(form, "back.jpg", "image/jpeg", back), 2),
            {"status": 200, "sides": ["back"]},
        ),
        "missing-key.json": (
            post({"origin": ORIGIN}, multipart(form, "front.jpg", "image/jpeg", front), 3),
            {"status": 401},
        ),
        "unsupported-file.json": (
            # Named and declared as a JPEG; the bytes are a PDF: the type is decided by the bytes.
            post(auth, multipart(form, "card.jpg", "image/jpeg", pdf), 4),
            {"status": 415},
        ),
        "oversized-file.json": (
            post(auth, multipart(form, "large.jpg", "image/jpeg", big), 5),
            {"status": 413, "envVars": "env/oversized.json"},
        ),
        "cors-preflight.json": (
            http_api_event(
                "OPTIONS",
                "/api/v1/ocr",
                {
                    "origin": ORIGIN,
                    "access-control-request-method": "POST",
                    "access-control-request-headers": "authorization,content-type",
                },
                None,
                6,
            ),
            {"status": 200, "headers": {"access-control-allow-origin": [ORIGIN, "*"]}},
        ),
    }
    return events


def main() -> None:
    expected = {}
    for name, (event, expectation) in build().items():
        text = json.dumps(event, ensure_ascii=False, indent=2) + "\n"
        assert len(text.encode()) < 1_000_000, f"{name} is {len(text.encode()):,} bytes"
        (HERE / name).write_text(text, encoding="utf-8")
        expected[name] = expectation
        print(f"wrote events/{name} ({len(text.encode()):,} bytes)")
    header = "# What each event in this folder must produce; written by make_events.py, checked by tests/deploy.\n"
    text = yaml.safe_dump(expected, allow_unicode=True, sort_keys=False)
    (HERE / "expected.yaml").write_text(header + text, encoding="utf-8")
    # sam local invoke --env-vars format: {"<LogicalId>": {VAR: value}}.
    env_vars = {"OcrFunction": {"CNID_OCR_MAX_IMAGE_BYTES": str(OVERSIZE_LIMIT)}}
    (HERE / "env").mkdir(exist_ok=True)
    (HERE / "env" / "oversized.json").write_text(json.dumps(env_vars, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
