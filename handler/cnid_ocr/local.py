"""Local stores: an embedded DynamoDB-compatible endpoint (moto's server) when nothing else is configured."""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import TYPE_CHECKING

from .config import Settings
from .store.tables import TABLE_SETTINGS, create_tables_from_template

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

_AWS_CREDENTIAL_HINTS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)


LOCAL_UPLOADS_BUCKET = "cnid-ocr-uploads-local"


def aws_configured() -> bool:
    return any(os.environ.get(name) for name in _AWS_CREDENTIAL_HINTS)


def table_names(settings: Settings) -> dict[str, str]:
    return {logical_id: getattr(settings, attr) for logical_id, attr in TABLE_SETTINGS.items()}


def create_tables(client, settings: Settings) -> None:
    """The settings' keys and usage tables, as ``settings.template`` declares them (unless they exist)."""
    create_tables_from_template(client, table_names(settings), settings.template)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class EmbeddedDynamoDB:
    """moto's server on a loopback port: the real boto3 code path against an in-memory store.

    It serves one request at a time on purpose: moto's backend does not lock, so a threaded server would let two
    conditional updates interleave, while real DynamoDB applies each atomically. Serial handling keeps that promise
    (quotas hold under concurrent clients) at a throughput that is ample for local use.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port or free_port(host)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        from moto.server import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        app = DomainDispatcherApplication(create_backend_app)
        # One access-log line per store call would bury the API's own output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = make_server(self.host, self.port, app, threaded=False)
        self._thread = threading.Thread(target=self._server.serve_forever, name="embedded-dynamodb", daemon=True)
        self._thread.start()
        return self.endpoint_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)


def use_fake_credentials() -> None:
    """moto accepts any credentials; boto3 still insists on having some."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")


def prepare_store(
    settings: Settings, *, allow_embedded: bool, aws: bool = True
) -> tuple[Settings, EmbeddedDynamoDB | None]:
    """Resolve where keys and usage live, creating local tables when needed.

    - DYNAMODB_ENDPOINT_URL set: that endpoint (DynamoDB Local, a shared moto server); tables created if missing.
    - AWS settings present (and ``aws``): real DynamoDB; the tables are the deployed stack's.
    - Neither: an embedded moto server (``allow_embedded``), tables created from template.yaml, and an uploads bucket
      on the same server.
    """
    from .services import store_timeouts
    from .store.dynamo import make_dynamodb_client

    embedded = None
    if settings.dynamodb_endpoint_url:
        use_fake_credentials()
    elif aws and aws_configured():
        return settings, None
    elif allow_embedded:
        embedded = EmbeddedDynamoDB()
        use_fake_credentials()
        endpoint = embedded.start()
        # The same moto server speaks S3 too: the large-file upload path works locally as it does on AWS.
        settings = settings.model_copy(
            update={
                "dynamodb_endpoint_url": endpoint,
                "s3_endpoint_url": endpoint,
                "uploads_bucket": settings.uploads_bucket or LOCAL_UPLOADS_BUCKET,
            }
        )
    else:
        raise SystemExit(
            "No key store configured: set DYNAMODB_ENDPOINT_URL (e.g. the endpoint `cnid-ocr serve` prints) "
            "or AWS credentials and CNID_OCR_KEYS_TABLE / CNID_OCR_USAGE_TABLE."
        )
    client = make_dynamodb_client(settings.aws_region, settings.dynamodb_endpoint_url, **store_timeouts(settings))
    create_tables(client, settings)
    if embedded is not None:
        from .store.uploads import make_s3_client

        s3 = make_s3_client(settings.aws_region, settings.s3_endpoint_url, **store_timeouts(settings))
        s3.create_bucket(Bucket=settings.uploads_bucket)
    return settings, embedded
