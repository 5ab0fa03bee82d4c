"""`cnid-ocr keys rotate / update / list`, run as a user would against a shared local DynamoDB endpoint."""

from __future__ import annotations

import json

import pytest
from cnid_ocr.config import Settings
from cnid_ocr.errors import RevokedApiKey
from cnid_ocr.services import build_stores
from cnid_ocr.store.dynamo import make_dynamodb_client

pytestmark = pytest.mark.slow  # each test runs the CLI in subprocesses


@pytest.fixture
def stores(store_env):
    """The same tables, seen from the test process (as the API would see them)."""
    settings = Settings(keys_table=store_env["CNID_OCR_KEYS_TABLE"], usage_table=store_env["CNID_OCR_USAGE_TABLE"])
    return build_stores(settings, make_dynamodb_client("us-east-1", store_env["DYNAMODB_ENDPOINT_URL"]))


def create(cli, env, *extra: str) -> dict:
    result = cli("keys", "create", "--json", *extra, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def listed(cli, env) -> dict[str, dict]:
    result = cli("keys", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    return {row["id"]: row for row in json.loads(result.stdout)}


def test_rotate_now_and_with_grace(cli, store_env, stores):
    keys, _ = stores
    old = create(cli, store_env, "--name", "kiosk", "--monthly-quota", "30", "--rate-limit", "2")
    rotated = cli("keys", "rotate", old["id"], "--json", env=store_env)
    assert rotated.returncode == 0, rotated.stderr
    new = json.loads(rotated.stdout)
    assert new["key"].startswith("sk_live_") and new["key"] != old["key"]
    assert (new["name"], new["monthlyQuota"], new["rateLimit"]) == ("kiosk", 30, 2)
    with pytest.raises(RevokedApiKey):
        keys.authenticate(old["key"])
    assert keys.authenticate(new["key"]).key_id == new["id"]

    # With a grace period the old key keeps working, and `keys list` says it is on its way out.
    plain = cli("keys", "rotate", new["id"], "--grace-seconds", "3600", env=store_env)
    assert plain.returncode == 0, plain.stderr
    newest = plain.stdout.strip().splitlines()[-1]
    assert newest.startswith("sk_live_") and "refused at" in plain.stdout
    assert keys.authenticate(new["key"]).key_id == new["id"]
    assert keys.authenticate(newest).name == "kiosk"
    rows = listed(cli, store_env)
    assert rows[old["id"]]["status"] == "revoked"
    assert rows[new["id"]]["status"] == "expiring" and rows[new["id"]]["revokeAt"]
    table = cli("keys", "list", env=store_env).stdout
    assert "expiring" in table and newest not in table and new["key"] not in table

    missing = cli("keys", "rotate", "sk_live_nothere0", env=store_env)
    assert missing.returncode == 1 and "not_found" in missing.stderr
    again = cli("keys", "rotate", old["id"], env=store_env)
    assert again.returncode == 1 and "revoked_api_key" in again.stderr


def test_update_limits_and_name(cli, store_env, stores):
    keys, _ = stores
    record = create(cli, store_env, "--name", "partner", "--monthly-quota", "10")
    result = cli(
        "keys",
        "update",
        record["id"],
        "--monthly-quota",
        "500",
        "--rate-limit",
        "3",
        "--name",
        "partner B",
        "--json",
        env=store_env,
    )
    assert result.returncode == 0, result.stderr
    assert (json.loads(result.stdout)["monthlyQuota"], json.loads(result.stdout)["rateLimit"]) == (500, 3)
    seen = keys.authenticate(record["key"])
    assert (seen.name, seen.monthly_quota, seen.rate_limit) == ("partner B", 500, 3)

    result = cli("keys", "update", record["id"], "--no-quota", "--no-rate-limit", env=store_env)
    assert result.returncode == 0, result.stderr
    assert "unlimited" in result.stdout
    seen = keys.authenticate(record["key"])
    assert (seen.monthly_quota, seen.rate_limit) == (None, None)

    assert cli("keys", "update", record["id"], env=store_env).returncode == 2  # nothing to change
    both = cli("keys", "update", record["id"], "--monthly-quota", "5", "--no-quota", env=store_env)
    assert both.returncode == 2  # mutually exclusive
    missing = cli("keys", "update", "sk_live_nothere0", "--rate-limit", "1", env=store_env)
    assert missing.returncode == 1 and "not_found" in missing.stderr


def test_list_shows_last_used_from_the_usage_table(cli, store_env, stores):
    keys, usage = stores
    record = create(cli, store_env, "--name", "counted")
    assert listed(cli, store_env)[record["id"]]["lastUsedAt"] is None
    usage.record(keys.authenticate(record["key"]), request_id="list-test", succeeded=True, billable=True)
    used = usage.current(record["id"])
    row = listed(cli, store_env)[record["id"]]
    assert row["lastUsedAt"] == used.last_used_at and row["status"] == "active"
    table = cli("keys", "list", env=store_env).stdout
    header, *lines = table.splitlines()
    assert "LAST USED" in header and "QUOTA" in header and "RATE" in header
    assert any(record["id"] in line and used.last_used_at in line for line in lines)
    assert record["key"] not in table


def test_bad_input_is_a_one_line_error(cli, store_env):
    record = create(cli, store_env, "--name", "named")
    empty = cli("keys", "update", record["id"], "--name", "", env=store_env)
    assert empty.returncode == 1 and empty.stdout == ""
    assert empty.stderr.count("\n") == 1 and empty.stderr.startswith("error: invalid_key_change: ")
    assert "Traceback" not in empty.stderr

    bad_key = cli("keys", "list", env={**store_env, "CNID_OCR_DEV_API_KEY": "sk_live_tooShort"})
    assert bad_key.returncode == 2 and bad_key.stderr.count("\n") == 1, bad_key.stderr
    assert bad_key.stderr.startswith("error: invalid configuration: CNID_OCR_DEV_API_KEY: must be 'sk_live_'")

    bad_origin = cli("keys", "list", env={**store_env, "CNID_OCR_ALLOWED_ORIGINS": "https://ok.example,not an origin"})
    assert bad_origin.returncode == 2 and "CNID_OCR_ALLOWED_ORIGINS" in bad_origin.stderr
    bad_level = cli("keys", "list", env={**store_env, "CNID_OCR_LOG_LEVEL": "LOUD"})
    assert bad_level.returncode == 2 and "CNID_OCR_LOG_LEVEL" in bad_level.stderr


def test_rotating_a_key_twice_is_refused(cli, store_env):
    record = create(cli, store_env, "--name", "twice")
    first = cli("keys", "rotate", record["id"], "--grace-seconds", "600", "--json", env=store_env)
    assert first.returncode == 0, first.stderr
    again = cli("keys", "rotate", record["id"], "--grace-seconds", "600", env=store_env)
    assert again.returncode == 1 and again.stderr.startswith("error: key_conflict: ")
    assert json.loads(first.stdout)["id"] in again.stderr  # names the successor to rotate instead


# ---- `serve` and the development key -------------------------------------------------------------------------------


def serve_banner(env: dict[str, str], *args: str) -> list[str]:
    """Start `cnid-ocr serve`, read what it prints up to the docs line, stop it."""
    import subprocess
    import sys

    from cnid_ocr.local import free_port

    proc = subprocess.Popen(
        [sys.executable, "-m", "cnid_ocr.cli", "serve", "--port", str(free_port()), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line.rstrip("\n"))
            if line.startswith("API docs:") or line.startswith("Traceback") or len(lines) > 50:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return lines


@pytest.mark.models  # `cnid-ocr serve` loads the OCR models before it prints its banner
def test_serve_against_a_shared_store_creates_a_key_only_when_asked(cli, store_env):
    before = set(listed(cli, store_env))
    lines = serve_banner(store_env)
    assert any(line.startswith("No development key created") for line in lines), lines
    assert not any("sk_live_" in line for line in lines)
    assert set(listed(cli, store_env)) == before  # restarts leave no keys behind on a shared store

    asked = serve_banner(store_env, "--dev-key")
    assert any(line.startswith("API key: sk_live_") for line in asked), asked
    assert len(set(listed(cli, store_env)) - before) == 1


@pytest.mark.models  # `cnid-ocr serve` loads the OCR models before it prints its banner
def test_serve_never_revives_or_resets_the_development_key(cli, store_env):
    plaintext = "sk_live_" + "Restart" * 6
    env = {**store_env, "CNID_OCR_DEV_API_KEY": plaintext}
    first = serve_banner(env)
    assert f"API key: {plaintext}" in first, first
    key_id = plaintext[:16]
    created_at = listed(cli, store_env)[key_id]["createdAt"]
    assert cli("keys", "update", key_id, "--monthly-quota", "1", "--rate-limit", "1", env=store_env).returncode == 0
    assert cli("keys", "revoke", key_id, env=store_env).returncode == 0

    again = serve_banner(env)
    assert any("is revoked" in line and key_id in line for line in again), again
    assert not any(plaintext in line for line in again)  # no curl line with a key that cannot work
    row = listed(cli, store_env)[key_id]
    assert (row["status"], row["monthlyQuota"], row["rateLimit"], row["createdAt"]) == ("revoked", 1, 1, created_at)
