"""cnid-ocr: read Chinese resident identity cards from photos."""

__version__ = "0.1.0"
