"""OCR: pixels to text lines (the engine is built once per process)."""
