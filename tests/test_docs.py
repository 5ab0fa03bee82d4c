"""The documented codes are the real ones: every error code of errors.py is in docs/errors.md (with its status and
whether it is billable), every warning code of extract/codes.py is in docs/errors.md and the README's table, and
nothing documented there is a code that no longer exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cnid_ocr import errors
from cnid_ocr.extract import codes

ROOT = Path(__file__).resolve().parents[1]
ERRORS_MD = ROOT / "docs" / "errors.md"
README = ROOT / "README.md"


def error_classes() -> list[type[errors.ApiError]]:
    found, todo = [errors.ApiError], [errors.ApiError]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return [cls for cls in found if cls.__module__ == errors.__name__]


def error_codes() -> dict[str, tuple[int, bool]]:
    """code -> (status, billable); ApiError's own defaults are InternalError's."""
    return {cls.code: (cls.status, cls.billable) for cls in error_classes()}


def warning_codes() -> set[str]:
    return {value for name, value in vars(codes).items() if name.isupper() and isinstance(value, str)}


def table_rows(text: str, header: str) -> list[list[str]]:
    """The cells of the Markdown table whose header row starts with ``header`` (leading indentation allowed)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(header))
    rows = []
    for line in lines[start + 2 :]:  # past the header and the |---| line
        if not line.strip().startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def codes_in(cell: str) -> list[str]:
    return re.findall(r"`([a-z_]+)`", cell)


def documented_errors() -> dict[str, tuple[int, str]]:
    rows = table_rows(ERRORS_MD.read_text(encoding="utf-8"), "| status | code |")
    return {code: (int(row[0]), row[3]) for row in rows for code in codes_in(row[1])}


def documented_warnings(path: Path) -> set[str]:
    rows = table_rows(path.read_text(encoding="utf-8"), "| code | meaning |")
    return {code for row in rows for code in codes_in(row[0])}


def test_every_error_code_is_documented_with_its_status_and_billing() -> None:
    real, documented = error_codes(), documented_errors()
    assert set(real) - set(documented) == set(), "missing from docs/errors.md"
    assert set(documented) - set(real) == set(), "documented in docs/errors.md but not in errors.py"
    for code, (status, billable) in real.items():
        documented_status, counted = documented[code]
        assert documented_status == status, code
        assert ("**billable**" in counted) == billable, code


@pytest.mark.parametrize("path", [ERRORS_MD, README], ids=["docs/errors.md", "README.md"])
def test_every_warning_code_is_documented(path: Path) -> None:
    real, documented = warning_codes(), documented_warnings(path)
    assert real - documented == set(), f"missing from {path.name}"
    assert documented - real == set(), f"documented in {path.name} but not in extract/codes.py"


def test_the_readers_find_what_they_look_for() -> None:
    """Guards the parsing above: the tables are found and read (a renamed header would make every check vacuous)."""
    assert {"missing_image", "no_id_card_found", "storage_unavailable"} <= set(documented_errors())
    assert documented_errors()["no_id_card_found"][0] == 422
    assert {"id_checksum_failed", "birth_date_mismatch", "gender_mismatch"} <= documented_warnings(README)
    assert len(warning_codes()) >= 15
