"""A regression floor for accuracy: a small fixed slice of the benchmark's generated photos through the real
pipeline (no stub). The full benchmark is `make bench-accuracy` (300+ photos); this slice keeps CI honest."""

from __future__ import annotations

from cardgen import generate
from cnid_ocr.errors import ApiError

SEED = 1234  # the benchmark's seed
COUNT = 16
FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "dateOfBirth",
    "address",
    "idNumber",
    "issuingAuthority",
    "validFrom",
    "validTo",
)
# Measured on this slice when the floor was set; the floor leaves room for one unlucky card, not for a regression.
MIN_WHOLE_CARD = 13  # measured 14/16 (the misses: two both-sides photocopy sheets)
MIN_FIELD_ACCURACY = 0.7  # measured: name 9/11 is the lowest


def test_accuracy_floor_on_a_fixed_slice(reader):
    whole_card = 0
    right: dict[str, int] = dict.fromkeys(FIELDS, 0)
    present: dict[str, int] = dict.fromkeys(FIELDS, 0)
    misses = []
    for sample in generate(SEED, COUNT):
        try:
            body = reader.read(sample.data)
        except ApiError as error:
            body = {"error": error.code}
        wrong = []
        for field in FIELDS:
            expected = sample.truth.get(field)
            if expected is None:
                continue
            present[field] += 1
            if body.get(field) == expected:
                right[field] += 1
            else:
                wrong.append(field)
        if not wrong and body.get("sides") == sample.truth["sides"]:
            whole_card += 1
        else:
            misses.append((sample.filename, wrong, body.get("error")))
    assert whole_card >= MIN_WHOLE_CARD, misses
    for field in FIELDS:
        assert right[field] >= MIN_FIELD_ACCURACY * present[field], (field, misses)
