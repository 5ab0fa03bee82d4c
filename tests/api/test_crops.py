"""Card and portrait crops (form field ``crop``), and the card warnings, with the real reader on generated cards."""

from __future__ import annotations

import base64
import io

import cv2
import numpy as np
import pytest
from cardgen import identity_for, sample_for
from PIL import Image

OCR = "/api/v1/ocr"


def post(client, auth, data: bytes, **fields: str):
    form = {"documentType": "cn_id_card", **fields}
    return client.post(OCR, headers=auth, files={"image": ("card.jpg", data)}, data=form)


def jpeg(text: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(text)))
    assert image.format == "JPEG"
    return image


def test_no_crops_unless_asked(client, auth):
    sample = sample_for(identity_for(seed=11), "scan", seed=11, sides=("front",), fmt="jpeg")
    body = post(client, auth, sample.data).json()
    assert "images" not in body
    assert all("images" not in card for card in body["cards"])
    assert 0 <= body["cards"][0]["quality"] <= 1


def test_card_and_portrait_crops_of_a_front(client, auth):
    sample = sample_for(identity_for(seed=12), "photo", seed=12, sides=("front",), fmt="jpeg")
    response = post(client, auth, sample.data, crop="card,portrait")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == sample.truth["name"]
    card, portrait = jpeg(body["images"]["card"]), jpeg(body["images"]["portrait"])
    assert card.size == (856, 540)  # the ID-1 frame, upright
    assert portrait.height > portrait.width  # the photo window is taller than wide
    assert body["cards"][0]["images"] == body["images"]


def test_a_back_has_no_portrait(client, auth):
    sample = sample_for(identity_for(seed=13), "scan", seed=13, sides=("back",), fmt="jpeg")
    body = post(client, auth, sample.data, crop="portrait,card").json()
    assert set(body["images"]) == {"card"}
    assert "no_portrait" in [w["code"] for w in body["warnings"]]


@pytest.mark.parametrize("value", ["face", "card,", "card;portrait", ""])
def test_bad_crop_values_are_refused(client, auth, value):
    sample = sample_for(identity_for(seed=11), "scan", seed=11, sides=("front",), fmt="jpeg")
    response = post(client, auth, sample.data, crop=value)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_crop"


def test_a_photo_too_blurred_to_read_is_refused_as_blurred(client, auth):
    sample = sample_for(identity_for(seed=14), "photo", seed=14, sides=("front",), fmt="jpeg")
    photo = cv2.imdecode(np.frombuffer(sample.data, np.uint8), cv2.IMREAD_COLOR)
    blurred = cv2.GaussianBlur(photo, (0, 0), 0.01 * max(photo.shape[:2]))  # no text is left to find
    response = post(client, auth, cv2.imencode(".jpg", blurred)[1].tobytes())
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "image_blurred"
    assert "blurred" in response.json()["error"]["message"]
