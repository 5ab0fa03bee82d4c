"""Stable warning codes of the API body (``warnings[].code``). Clients match on these strings: never rename.

Every code here is documented in docs/errors.md and the README's table (tests/test_docs.py reads this module)."""

from __future__ import annotations

ID_CHECKSUM_FAILED = "id_checksum_failed"  # the number's check character disagrees with its first 17 digits
ID_NUMBER_INVALID = "id_number_invalid"  # not 17 digits + [0-9X], or an unknown province prefix
ID_NUMBER_REPAIRED = "id_number_repaired"  # one misread character corrected; the message says which
RESIDENCE_PERMIT_NUMBER = "residence_permit_number"  # 81/82/83: a HK/Macao/Taiwan residence permit number
BIRTH_DATE_MISMATCH = "birth_date_mismatch"  # 出生 line and the number's birth date differ
GENDER_MISMATCH = "gender_mismatch"  # 性别 and the number's sex digit differ
GENDER_FROM_ID_NUMBER = "gender_from_id_number"  # 性别 unreadable; taken from a valid number's sex digit
BIRTH_DATE_FROM_ID_NUMBER = "birth_date_from_id_number"  # 出生 unreadable; taken from a valid number's birth date
UNKNOWN_ETHNICITY = "unknown_ethnicity"  # not one of the 56 groups of GB 3304 (kept as read)
ETHNICITY_REPAIRED = "ethnicity_repaired"  # a misread decoded as the group the recogniser's alternatives support
GENDER_REPAIRED = "gender_repaired"  # 性别 misread as another glyph, decoded as 男 or 女 from the alternatives
NAME_REPAIRED = "name_repaired"  # a character the greedy reading dropped or misread, restored from the alternatives
AUTHORITY_REPAIRED = "authority_repaired"  # 公安 + a misread character read as 公安局 (the alternatives support 局)
STRAY_TEXT_DROPPED = "stray_text_dropped"  # text that cannot belong to the field (see message) dropped
PLACE_NAME_REPAIRED = "place_name_repaired"  # a group name inside an autonomous area's name mapped to the only fit
INVALID_DATE = "invalid_date"  # unreadable or non-existent date, birth in the future, validTo before validFrom
VALIDITY_DECODED = "validity_decoded"  # 有效期限 unreadable as read; decoded from the alternatives (see message)
CARD_EXPIRED = "card_expired"  # validTo is before today
LOW_CONFIDENCE = "low_confidence"  # field confidence below LOW_CONFIDENCE_THRESHOLD
INCOMPLETE_CARD = "incomplete_card"  # a side was found but this field of it was not
PARTIAL_VALUE = "partial_value"  # what was read cannot be the whole field (kept as read; the message says why)
# About the card itself (field null), from its pixels (imaging/frame.py, imaging/quality.py):
PHOTOCOPY = "photocopy"  # no colour on the card: a photocopy or a greyscale image
CARD_CUT_OFF = "card_cut_off"  # part of the card lies outside the image
BLURRY = "blurry"  # blurred enough to endanger the reading
GLARE = "glare"  # a highlight washes out part of the card's text
NO_PORTRAIT = "no_portrait"  # a portrait crop was asked for a back side
MULTIPLE_CARDS = "multiple_cards"  # two fronts (or backs) in one image: the top-level keys are from cards[0]

LOW_CONFIDENCE_THRESHOLD = 0.9
