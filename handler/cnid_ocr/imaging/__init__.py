"""Imaging: upload bytes to a safe, upright pixel array (type sniffing, limits, EXIF orientation)."""
