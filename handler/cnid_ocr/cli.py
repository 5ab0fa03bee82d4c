"""The `cnid-ocr` command: serve the API locally, read images, manage API keys."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from .config import MIB, Settings, describe_settings_error, get_settings
from .errors import ApiError, FileTooLarge


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args, get_settings())
    except ValidationError as error:  # a malformed CNID_OCR_* variable
        print(f"error: {describe_settings_error(error)}", file=sys.stderr)
        return 2
    except ApiError as error:  # e.g. the store is unreachable, an unknown key id, an empty name
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cnid-ocr", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API locally (embedded DynamoDB unless one is configured)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--dev-key",
        action="store_true",
        help="also create a development key when the store is not the embedded one (shared or real DynamoDB)",
    )
    serve.set_defaults(run=_serve)

    extract = commands.add_parser("extract", help="read ID card images; one JSON line per image")
    extract.add_argument("images", nargs="+", metavar="IMAGE")
    extract.set_defaults(run=_extract)

    keys = commands.add_parser("keys", help="manage API keys in the configured store")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create a key; its plaintext is printed once")
    create.add_argument("--name", required=True)
    create.add_argument("--monthly-quota", type=_positive_int, default=None)
    create.add_argument("--rate-limit", type=_positive_int, default=None, help="requests per second")
    create.add_argument("--json", action="store_true", help="print one JSON object")
    create.set_defaults(run=_keys_create)
    listing = key_commands.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_keys_list)
    revoke = key_commands.add_parser("revoke", help="revoke a key: its next request is refused")
    revoke.add_argument("key_id", metavar="KEY_ID")
    revoke.set_defaults(run=_keys_revoke)
    rotate = key_commands.add_parser(
        "rotate", help="replace a key by a new one (same name and limits); the old one is revoked now or later"
    )
    rotate.add_argument("key_id", metavar="KEY_ID")
    rotate.add_argument(
        "--grace-seconds",
        type=_non_negative_int,
        default=0,
        help="keep the old key working this many seconds (default 0: revoke it now)",
    )
    rotate.add_argument("--json", action="store_true", help="print one JSON object")
    rotate.set_defaults(run=_keys_rotate)
    update = key_commands.add_parser("update", help="change a key's name, monthly quota or rate limit")
    update.add_argument("key_id", metavar="KEY_ID")
    update.add_argument("--name")
    quota = update.add_mutually_exclusive_group()
    quota.add_argument("--monthly-quota", type=_positive_int)
    quota.add_argument("--no-quota", action="store_true", help="remove the monthly quota (unlimited)")
    rate = update.add_mutually_exclusive_group()
    rate.add_argument("--rate-limit", type=_positive_int, help="requests per second")
    rate.add_argument("--no-rate-limit", action="store_true", help="remove the rate limit (unlimited)")
    update.add_argument("--json", action="store_true", help="print one JSON object")
    update.set_defaults(run=_keys_update)
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from .app import create_app
    from .local import prepare_store
    from .services import build_services

    settings, embedded = prepare_store(settings, allow_embedded=True)
    try:
        services = build_services(settings)
        where = (
            f"embedded DynamoDB at {settings.dynamodb_endpoint_url}"
            if embedded
            else (settings.dynamodb_endpoint_url or "DynamoDB (AWS)")
        )
        url = f"http://{args.host}:{args.port}"
        print(f"cnid-ocr listening on {url}  (keys and usage: {where})")
        lines, key = _development_key(
            services.keys, settings, embedded=embedded is not None, asked=args.dev_key, url=url
        )
        for line in lines:
            print(line)
        if settings.page:
            # The key rides in the fragment: browsers never send it, so it reaches neither the server nor a log.
            link = f"{url}/#key={key}" if key else f"{url}/  (paste a key there)"
            print(f"Try it in a browser: {link}")
        if settings.docs:
            print(f"API docs: {url}/docs")
        sys.stdout.flush()
        # A request body that trickles is cut off by the app (CNID_OCR_BODY_READ_TIMEOUT_SECONDS, docs/limits.md).
        uvicorn.run(create_app(services), host=args.host, port=args.port, log_level="warning")
    finally:
        if embedded:
            embedded.stop()
    return 0


def _development_key(
    keys, settings: Settings, *, embedded: bool, asked: bool, url: str
) -> tuple[list[str], str | None]:
    """Register or mint the development key, and say what happened: the lines to print, and the key if it works.

    - ``CNID_OCR_DEV_API_KEY`` set: that key, on any store, inserted only if absent: an existing record is left
      exactly as it is (a revoked key stays revoked, changed limits stay changed).
    - unset: a fresh unlimited key on the embedded store (it vanishes with the process), or against a shared or
      real store only with ``--dev-key``, so restarts do not pile up keys there.
    """
    from .store.keys import REVOKED

    plaintext = settings.dev_api_key
    notes: list[str] = []
    if plaintext:
        registration = keys.register_key(plaintext, "development")
        record = registration.record
        if record.effective_status(keys.now()) == REVOKED:
            return [
                f"Development key {record.key_id} (CNID_OCR_DEV_API_KEY) is revoked: requests with it get "
                "403 revoked_api_key. It is left as it is; unset the variable or set another key."
            ], None
        if not registration.created:
            notes.append(f"Development key {record.key_id} (CNID_OCR_DEV_API_KEY) was already stored: left as it is.")
    elif embedded or asked:
        _, plaintext = keys.create_key("development")
    else:
        return [
            "No development key created (the store is shared or real): create one with `cnid-ocr keys create`, "
            "or start with --dev-key or CNID_OCR_DEV_API_KEY."
        ], None
    return [
        *notes,
        f"API key: {plaintext}",
        "Try it:",
        f'  curl -X POST "{url}/api/v1/ocr" -H "Authorization: Bearer {plaintext}" '
        '-F "image=@cn_id_card.jpg" -F "documentType=cn_id_card"',
    ], plaintext


def _extract(args: argparse.Namespace, settings: Settings) -> int:
    from .pipeline import CardReader

    reader = CardReader.from_settings(settings)
    for name in args.images:
        status, body = _read_one(reader, Path(name), settings.max_image_bytes)
        print(json.dumps({"file": name, "status": status, "body": body}, ensure_ascii=False), flush=True)
    return 0


def _read_one(reader, path: Path, max_bytes: int) -> tuple[int, dict]:
    try:
        if path.stat().st_size > max_bytes:
            raise FileTooLarge(f"The image is larger than {max_bytes / MIB:.1f} MB.")
        return 200, reader.read(path.read_bytes())
    except ApiError as error:
        return error.status, error.body()
    except OSError as exc:
        return 400, {"error": {"code": "file_not_readable", "message": f"Cannot read the file: {exc.strerror}."}}


def _stores(settings: Settings):
    from .local import prepare_store
    from .services import build_stores

    settings, _ = prepare_store(settings, allow_embedded=False)
    return build_stores(settings)


def _key_store(settings: Settings):
    return _stores(settings)[0]


def _keys_create(args: argparse.Namespace, settings: Settings) -> int:
    record, plaintext = _key_store(settings).create_key(
        args.name, monthly_quota=args.monthly_quota, rate_limit=args.rate_limit
    )
    if args.json:
        print(json.dumps({**record.to_json(), "key": plaintext}))
    else:
        print(f"Created key {record.key_id} ({record.name}). Store it now: it is not shown again.")
        print(plaintext)
    return 0


def _keys_list(args: argparse.Namespace, settings: Settings) -> int:
    keys, usage = _stores(settings)
    now = keys.now()
    rows = []
    for record in keys.list_keys():
        rows.append(
            {
                **record.to_json(),
                "status": record.effective_status(now),
                # Of the key's rotation line: old and new keys of one rotation share their usage.
                "lastUsedAt": usage.last_used(record.usage_key),
            }
        )
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{'ID':<18}{'NAME':<20}{'CREATED':<27}{'LAST USED':<27}{'STATUS':<10}{'QUOTA/MONTH':>12}{'RATE/S':>8}")
    for r in rows:
        quota = "-" if r["monthlyQuota"] is None else str(r["monthlyQuota"])
        rate = "-" if r["rateLimit"] is None else str(r["rateLimit"])
        status = r["status"]
        print(
            f"{r['id']:<18}{r['name'][:19]:<20}{r['createdAt']:<27}{r['lastUsedAt'] or '-':<27}{status:<10}"
            f"{quota:>12}{rate:>8}" + (f"  (revoked at {r['revokeAt']})" if status == "expiring" else "")
        )
    return 0


def _keys_rotate(args: argparse.Namespace, settings: Settings) -> int:
    old, new, plaintext = _key_store(settings).rotate(args.key_id, grace_seconds=args.grace_seconds)
    if args.json:
        print(json.dumps({**new.to_json(), "key": plaintext, "replaces": old.to_json()}))
        return 0
    when = f"at {old.revoke_at}" if old.revoke_at and old.status == "active" else "now"
    print(f"Rotated key {old.key_id} ({old.name}): it is refused {when}.")
    print(f"New key {new.key_id}. Store it now: it is not shown again.")
    print(plaintext)
    return 0


def _keys_update(args: argparse.Namespace, settings: Settings) -> int:
    from .store.keys import UNCHANGED

    changes = {}
    if args.name is not None:
        changes["name"] = args.name
    if args.no_quota or args.monthly_quota is not None:
        changes["monthly_quota"] = None if args.no_quota else args.monthly_quota
    if args.no_rate_limit or args.rate_limit is not None:
        changes["rate_limit"] = None if args.no_rate_limit else args.rate_limit
    if not changes:
        print(
            "error: nothing to update: give --name, --monthly-quota/--no-quota or --rate-limit/--no-rate-limit",
            file=sys.stderr,
        )
        return 2
    record = _key_store(settings).update(args.key_id, **{k: changes.get(k, UNCHANGED) for k in changes})
    if args.json:
        print(json.dumps(record.to_json()))
        return 0
    quota = "unlimited" if record.monthly_quota is None else f"{record.monthly_quota}/month"
    rate = "unlimited" if record.rate_limit is None else f"{record.rate_limit}/s"
    print(f"Updated key {record.key_id} ({record.name}): quota {quota}, rate {rate}.")
    return 0


def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    record = _key_store(settings).revoke(args.key_id)
    print(f"Revoked key {record.key_id} ({record.name}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
