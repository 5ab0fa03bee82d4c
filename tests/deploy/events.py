"""The events of events/ and what each must produce (events/expected.yaml), run through tools/invoke.py: shared by
the invoke tests on the repository's code (test_events.py) and on what `sam build` built (test_sam_build.py)."""

from __future__ import annotations

import json
import secrets
import string
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
INVOKE = ROOT / "tools" / "invoke.py"

EXPECTED: dict[str, dict] = yaml.safe_load((EVENTS / "expected.yaml").read_text(encoding="utf-8"))


def fresh_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "sk_live_" + "".join(secrets.choice(alphabet) for _ in range(40))


def invoke(events: list[Path], *args: str, timeout: float = 600) -> dict[str, dict]:
    return invoke_with_log(events, *args, timeout=timeout)[0]


def invoke_with_log(events: list[Path], *args: str, timeout: float = 600) -> tuple[dict[str, dict], list[str]]:
    """The results by event file name, and the function's log (what CloudWatch would get), line by line."""
    proc = subprocess.run(
        [sys.executable, str(INVOKE), *map(str, events), "--json", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return {Path(r["event"]).name: r for r in results}, proc.stderr.splitlines()


def groups_by_env_vars() -> dict[str | None, list[Path]]:
    """The events grouped by the --env-vars file they run with (None: the template's environment)."""
    groups: dict[str | None, list[Path]] = {}
    for name, expected in EXPECTED.items():
        groups.setdefault(expected.get("envVars"), []).append(EVENTS / name)
    return groups


def check(name: str, response: dict, expected: dict) -> None:
    assert response["statusCode"] == expected["status"], (name, response.get("body"))
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    for header, allowed in expected.get("headers", {}).items():
        assert headers.get(header) in allowed, (name, header, headers)
    body = json.loads(response["body"]) if headers.get("content-type", "").startswith("application/json") else None
    if expected["status"] >= 400:
        assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"], body
    for field, value in expected.get("fields", {}).items():
        assert body[field] == value, (name, field, body)
    if "sides" in expected:
        assert body["sides"] == expected["sides"]
