"""`cnid-ocr extract`, run as a user would: one JSON line per image, the status and body the API would give."""

from __future__ import annotations

import json
import os

import pytest

pytestmark = pytest.mark.models  # the child process loads the OCR models


def test_extract_prints_one_line_per_image_and_goes_on_after_bad_files(cli, tmp_path, blank_image):
    blank = tmp_path / "blank.png"
    blank.write_bytes(blank_image())
    text = tmp_path / "notes.jpg"
    text.write_bytes(b"not an image")
    missing = tmp_path / "missing.jpg"
    result = cli("extract", str(text), str(missing), str(blank), env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["file"], line["status"]) for line in lines] == [
        (str(text), 415),
        (str(missing), 400),
        (str(blank), 422),
    ]
    assert lines[0]["body"]["error"]["code"] == "unsupported_media_type"
    assert lines[2]["body"]["error"]["code"] == "no_id_card_found"
