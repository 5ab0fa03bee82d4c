"""Privacy: one structured log line per request with operational facts only, never the image or what is on the
card; and nothing written to disk while a request is handled."""

from __future__ import annotations

import base64
import builtins
import io
import json
import os
import tempfile

import pytest
from PIL import Image, ImageDraw, ImageFont

from .conftest import FORM, OCR

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
NAME = "欧阳明月"
ADDRESS_LINES = ("北京市海淀区中关村南大街", "27号院3号楼502室")
BIRTH = "19900307"


def id_number(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


ID_NUMBER = id_number("110108" + BIRTH + "462")


def render_front() -> bytes:
    """A plain front side: labels in blue-grey, values in black, the layout of a real card (856x540)."""
    if not os.path.exists(FONT):
        pytest.skip("WenQuanYi font not installed")
    card = Image.new("RGB", (856, 540), (236, 240, 236))
    draw = ImageDraw.Draw(card)
    label, value = ImageFont.truetype(FONT, 26), ImageFont.truetype(FONT, 30)
    grey, black = (70, 110, 150), (20, 20, 20)
    draw.text((60, 60), "姓名", font=label, fill=grey)
    draw.text((150, 56), NAME, font=value, fill=black)
    draw.text((60, 130), "性别", font=label, fill=grey)
    draw.text((150, 126), "女", font=value, fill=black)
    draw.text((260, 130), "民族", font=label, fill=grey)
    draw.text((350, 126), "汉", font=value, fill=black)
    draw.text((60, 200), "出生", font=label, fill=grey)
    draw.text((150, 196), "1990  年  3  月  7  日", font=value, fill=black)
    draw.text((60, 270), "住址", font=label, fill=grey)
    draw.text((150, 266), ADDRESS_LINES[0], font=value, fill=black)
    draw.text((150, 310), ADDRESS_LINES[1], font=value, fill=black)
    draw.text((60, 440), "公民身份号码", font=label, fill=grey)
    draw.text((260, 436), ID_NUMBER, font=ImageFont.truetype(FONT, 34), fill=black)
    draw.rectangle((600, 60, 800, 320), fill=(210, 214, 210))  # where the photo goes
    buffer = io.BytesIO()
    card.save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


@pytest.fixture
def no_disk_writes(monkeypatch, tmp_path):
    """Fail on any file opened for writing (Python-level) and point tempfile at an empty directory to inspect."""
    writes: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            writes.append(f"open({file!r}, {mode!r})")
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            writes.append(f"os.open({path!r})")
        return real_os_open(path, flags, *args, **kwargs)

    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))

    class Guard:
        def __enter__(self):
            monkeypatch.setattr(builtins, "open", guarded_open)
            monkeypatch.setattr(io, "open", guarded_open)
            monkeypatch.setattr(os, "open", guarded_os_open)
            return writes

        def __exit__(self, *exc):
            monkeypatch.setattr(builtins, "open", real_open)
            monkeypatch.setattr(io, "open", real_open)
            monkeypatch.setattr(os, "open", real_os_open)
            assert list(spool.iterdir()) == [], "a temporary file was left behind"

    return Guard()


def personal_values(image: bytes) -> list[str]:
    return [
        NAME,
        *ADDRESS_LINES,
        "".join(ADDRESS_LINES),
        ID_NUMBER,
        ID_NUMBER[:14],
        BIRTH,
        "1990-03-07",
        # The image, in any form a careless log call could print it.
        base64.b64encode(image[:48]).decode(),
        image[:32].hex(),
        repr(image[:24])[2:-1],
    ]


def read_log_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_logs_of_a_full_request_hold_no_personal_data(client, auth, services, captured_logs, capfd, no_disk_writes):
    image = render_front()
    with no_disk_writes as writes:
        response = client.post(OCR, headers=auth, files={"image": ("front.jpg", image, "image/jpeg")}, data=FORM)
    assert writes == []
    # The real pipeline read the rendered card: the personal values really passed through the process.
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["idNumber"], body["address"]) == (NAME, ID_NUMBER, "".join(ADDRESS_LINES))

    lines = read_log_lines(captured_logs)
    request_lines = [line for line in lines if line["message"] == "request"]
    assert len(request_lines) == 1
    entry = request_lines[0]
    key_id = services.keys.list_keys()[0].key_id
    assert entry["requestId"] == response.headers["x-request-id"]
    assert entry["keyId"] == key_id and len(entry["keyId"]) < len(auth["Authorization"]) - len("Bearer ")
    assert entry["status"] == response.status_code
    assert isinstance(entry["latencyMs"], float) and entry["latencyMs"] > 0
    assert entry["imageBytes"] == len(image)
    assert entry["path"] == OCR and entry["method"] == "POST"

    everything = captured_logs.getvalue() + "".join(capfd.readouterr())
    for value in personal_values(image):
        assert value not in everything, f"personal value {value!r} found in the logs"
    assert auth["Authorization"].split()[1] not in everything  # nor the secret key


def test_a_crash_with_personal_data_in_its_message_is_not_logged_verbatim(client, auth, services, captured_logs, capfd):
    class Leaky:
        def read(self, data: bytes, crops: frozenset[str] = frozenset()) -> dict:
            raise RuntimeError(f"could not parse {NAME} {ID_NUMBER} {ADDRESS_LINES[0]}")

    services.reader = Leaky()
    image = render_front()
    response = client.post(OCR, headers=auth, files={"image": ("front.jpg", image)}, data=FORM)
    assert response.status_code == 500
    everything = captured_logs.getvalue() + "".join(capfd.readouterr()) + response.text
    for value in personal_values(image):
        assert value not in everything
    entry = [line for line in read_log_lines(captured_logs) if line["message"] == "request"][0]
    assert (entry["status"], entry["errorCode"]) == (500, "internal_error")


def test_error_requests_log_their_code_and_size_only(client, auth, captured_logs):
    payload = b"\xff\xd8\xff" + NAME.encode() + ID_NUMBER.encode()  # a "JPEG" that is really the card's text
    response = client.post(OCR, headers=auth, files={"image": (f"{NAME}.jpg", payload)}, data=FORM)
    assert response.status_code == 400
    entry = [line for line in read_log_lines(captured_logs) if line["message"] == "request"][0]
    assert (entry["status"], entry["errorCode"], entry["imageBytes"]) == (400, "invalid_image", len(payload))
    assert NAME not in captured_logs.getvalue() and ID_NUMBER not in captured_logs.getvalue()


def test_an_unexpected_error_is_logged_once_with_its_type_and_stack(client, auth, services, captured_logs, capfd):
    """A bug and a client that hung up must not look the same: the bug's type and where it happened are logged, in
    one place (the request middleware), once; its message (which could quote the card) is not."""

    class Buggy:
        def read(self, data: bytes, crops: frozenset[str] = frozenset()) -> dict:
            raise KeyError(f"{NAME} {ID_NUMBER}")

    services.reader = Buggy()
    response = client.post(OCR, headers=auth, files={"image": ("front.jpg", render_front())}, data=FORM)
    assert response.status_code == 500
    errors = [line for line in read_log_lines(captured_logs) if "exception" in line]
    assert len(errors) == 1, errors
    assert errors[0]["exception"] == "KeyError" and errors[0]["level"] == "ERROR"
    assert "in read" in errors[0]["stack"] and "test_privacy.py" in errors[0]["stack"]
    entry = [line for line in read_log_lines(captured_logs) if line["message"] == "request"][0]
    assert entry["requestId"] == errors[0]["requestId"]
    everything = captured_logs.getvalue() + "".join(capfd.readouterr())
    assert NAME not in everything and ID_NUMBER not in everything
