"""The console script, run as a user would: subprocesses against a shared local DynamoDB endpoint."""

from __future__ import annotations

import json
import os

import pytest

pytestmark = pytest.mark.slow  # each test runs the CLI in subprocesses


def test_keys_create_list_revoke(cli, store_env):
    created = cli("keys", "create", "--name", "hotel front desk", "--json", env=store_env)
    assert created.returncode == 0, created.stderr
    record = json.loads(created.stdout)
    assert record["key"].startswith("sk_live_") and record["key"].startswith(record["id"])

    listed = cli("keys", "list", "--json", env=store_env)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [r["name"] for r in rows if r["id"] == record["id"]] == ["hotel front desk"]
    assert record["key"] not in listed.stdout

    table = cli("keys", "list", env=store_env)
    assert record["id"] in table.stdout and "active" in table.stdout

    revoked = cli("keys", "revoke", record["id"], env=store_env)
    assert revoked.returncode == 0, revoked.stderr
    rows = json.loads(cli("keys", "list", "--json", env=store_env).stdout)
    assert [r["status"] for r in rows if r["id"] == record["id"]] == ["revoked"]

    missing = cli("keys", "revoke", "sk_live_nothere0", env=store_env)
    assert missing.returncode == 1 and "not_found" in missing.stderr


def test_keys_without_a_store_explains_what_to_set(cli, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DYNAMODB_"))}
    result = cli("keys", "list", env=env)
    assert result.returncode != 0
    assert "DYNAMODB_ENDPOINT_URL" in result.stderr
