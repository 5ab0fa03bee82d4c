"""A bounded, in-memory multipart/form-data parser.

Starlette's form parser spools large files to a temporary file on disk; identity-card images must never touch
disk, and a hostile body must not cost unbounded memory, so the parts are collected here with hard limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from ..config import MIB
from ..errors import FileTooLarge, InvalidMultipart

MAX_PARTS = 16
MAX_FIELD_BYTES = 4096


@dataclass(slots=True)
class Part:
    name: str
    filename: str | None
    content_type: str | None
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


def form_collector(content_type: str | None, max_file_bytes: int) -> FormCollector | UrlencodedCollector:
    """The collector for the body's type: multipart (the contract), or a URL-encoded form, which can carry an
    ``uploadId`` but never an image."""
    mime, _ = parse_options_header(content_type or "")
    if mime == b"application/x-www-form-urlencoded":
        return UrlencodedCollector()
    return FormCollector(content_type, max_file_bytes)


def boundary_of(content_type: str | None) -> bytes:
    mime, params = parse_options_header(content_type or "")
    if mime != b"multipart/form-data":
        raise InvalidMultipart("The request body must be multipart/form-data with fields 'image' and 'documentType'.")
    boundary = params.get(b"boundary")
    if not boundary or len(boundary) > 200:
        raise InvalidMultipart("The multipart Content-Type has no valid boundary.")
    return boundary


class FormCollector:
    """Feed the body in chunks; file parts are capped at ``max_file_bytes``, other fields at MAX_FIELD_BYTES."""

    def __init__(self, content_type: str | None, max_file_bytes: int) -> None:
        self._max_file_bytes = max_file_bytes
        self.parts: list[Part] = []
        self._headers: dict[bytes, bytes] = {}
        self._header_name = b""
        self._header_value = b""
        self._current: Part | None = None
        self._ended = False
        callbacks = {
            "on_part_begin": self._on_part_begin,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_end": self._on_end,
        }
        self._parser = MultipartParser(boundary_of(content_type), callbacks)  # type: ignore[arg-type]

    def feed(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise InvalidMultipart("The multipart body is malformed.") from exc

    def finish(self) -> dict[str, Part]:
        try:
            self._parser.finalize()
        except MultipartParseError as exc:
            raise InvalidMultipart("The multipart body is malformed.") from exc
        if not self._ended:
            raise InvalidMultipart("The multipart body is truncated: the closing boundary is missing.")
        form: dict[str, Part] = {}
        for part in self.parts:
            form.setdefault(part.name, part)  # first occurrence wins, like most form parsers
        return form

    # python-multipart callbacks
    def _on_part_begin(self) -> None:
        if len(self.parts) >= MAX_PARTS:
            raise InvalidMultipart(f"Too many form fields: at most {MAX_PARTS} are accepted.")
        self._headers = {}

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def _on_headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise InvalidMultipart("A multipart part lacks 'Content-Disposition: form-data; name=...'.")
        filename = options.get(b"filename")
        content_type = self._headers.get(b"content-type")
        self._current = Part(
            name=options[b"name"].decode("utf-8", "replace"),
            filename=filename.decode("utf-8", "replace") if filename is not None else None,
            content_type=content_type.decode("latin-1") if content_type else None,
        )
        self.parts.append(self._current)

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current
        if part is None:
            return
        part.size += end - start
        limit = self._max_file_bytes if part.filename is not None or part.name == "image" else MAX_FIELD_BYTES
        if part.size > limit:
            if limit == MAX_FIELD_BYTES:
                raise InvalidMultipart(f"The form field {part.name!r} is longer than {MAX_FIELD_BYTES} bytes.")
            raise FileTooLarge(too_large_message(limit))
        part.chunks.append(data[start:end])

    def _on_part_end(self) -> None:
        self._current = None

    def _on_end(self) -> None:
        self._ended = True


def too_large_message(limit: int) -> str:
    return (
        f"The image is larger than {limit / MIB:.1f} MB, the limit of a direct upload. "
        "Send a smaller or more compressed photo, or upload it first: POST /api/v1/uploads returns a pre-signed "
        "upload, then call /api/v1/ocr with 'uploadId' instead of 'image' (files up to 10 MB)."
    )


class UrlencodedCollector:
    """``a=1&b=2`` bodies, with the same limits on field count and length as multipart text fields."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > MAX_PARTS * (MAX_FIELD_BYTES + 64):
            raise InvalidMultipart("The URL-encoded form is too long.")
        self._chunks.append(chunk)

    def finish(self) -> dict[str, Part]:
        from urllib.parse import parse_qsl

        try:
            pairs = parse_qsl(
                b"".join(self._chunks).decode("ascii"),
                keep_blank_values=True,
                max_num_fields=MAX_PARTS,
                strict_parsing=False,
            )
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidMultipart("The URL-encoded form is malformed or has too many fields.") from exc
        form: dict[str, Part] = {}
        for name, value in pairs:
            data = value.encode("utf-8", "surrogateescape")
            if len(data) > MAX_FIELD_BYTES:
                raise InvalidMultipart(f"The form field {name!r} is longer than {MAX_FIELD_BYTES} bytes.")
            form.setdefault(name, Part(name=name, filename=None, content_type=None, chunks=[data], size=len(data)))
        return form
