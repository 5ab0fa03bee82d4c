"""Extraction: OCR text lines to card fields, with the card's own consistency rules. Needs no model."""
