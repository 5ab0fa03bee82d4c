"""Settings from the environment (pydantic-settings), cached once per process and overridable in tests.

Every variable the app reads is a typed field here, validated at start-up: a malformed value is one clear error
(``describe_settings_error``), not a traceback from deep inside a request.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIB = 1024 * 1024

# API keys: this prefix, then at least 32 base62 characters (keys the service mints have 40).
API_KEY_PREFIX = "sk_live_"
API_KEY_PATTERN = re.compile(rf"{API_KEY_PREFIX}[A-Za-z0-9]{{32,}}")
API_KEY_FORMAT = f"'{API_KEY_PREFIX}' followed by at least 32 letters or digits"

# An origin as browsers send it: scheme://host[:port], nothing after.
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?")

# <repo>/handler/cnid_ocr/config.py -> <repo>/template.yaml
_REPO_TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def looks_like_key(value: str) -> bool:
    return bool(API_KEY_PATTERN.fullmatch(value))


# Decompression-bomb guard: no image with more pixels than this is decoded.
DEFAULT_MAX_PIXELS = 50_000_000


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CNID_OCR_", extra="ignore", validate_default=True)

    keys_table: str = "cnid-ocr-keys"
    usage_table: str = "cnid-ocr-usage"
    # Set in AWS or for DynamoDB Local / a shared moto server; unset + local serve = embedded moto server.
    dynamodb_endpoint_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DYNAMODB_ENDPOINT_URL", "CNID_OCR_DYNAMODB_ENDPOINT_URL")
    )
    aws_region: str = Field(
        default="us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION", "CNID_OCR_AWS_REGION")
    )
    # CORS origins, comma-separated in the environment; ["*"] allows all (the local default).
    allowed_origins: Annotated[list[str], NoDecode] = ["*"]
    # Direct multipart uploads: the contract's 10 MB. Behind API Gateway + Lambda the template lowers it to what fits
    # a 6 MB synchronous payload and points larger files at the pre-signed upload path.
    max_image_bytes: int = Field(default=10 * MIB, gt=0)
    # Decompression-bomb guard: no image with more pixels than this is decoded.
    max_image_pixels: int = Field(default=DEFAULT_MAX_PIXELS, gt=0)
    # S3 bucket for large uploads (pre-signed POST); empty = the upload path is disabled.
    uploads_bucket: str = ""
    # The contract's limit, for files that arrive through the upload path.
    max_upload_bytes: int = Field(default=10 * MIB, gt=0)
    # How long an upload id stays usable after POST /api/v1/uploads granted it (the S3 form itself expires after
    # upload_form_seconds); each key may hold at most max_open_uploads unused grants at once (docs/limits.md).
    upload_validity_seconds: int = Field(default=3600, ge=60)
    upload_form_seconds: int = Field(default=300, ge=10)
    max_open_uploads: int = Field(default=20, ge=1)
    # A local S3-compatible endpoint (the embedded moto server sets it); unset = AWS.
    s3_endpoint_url: str | None = Field(
        default=None, validation_alias=AliasChoices("S3_ENDPOINT_URL", "CNID_OCR_S3_ENDPOINT_URL")
    )
    # The development key `serve` registers (insert-only); validated here so a typo is a start-up error.
    dev_api_key: str | None = None
    log_level: LogLevel = "INFO"
    # Where the table definitions are read from (local stores and tests create their tables from it).
    template: Path = _REPO_TEMPLATE
    # Store calls: short timeouts and few attempts, so a hung DynamoDB or S3 becomes a quick 503 (docs/limits.md).
    store_connect_timeout: float = Field(default=1.0, gt=0)
    store_read_timeout: float = Field(default=2.0, gt=0)
    store_max_attempts: int = Field(default=2, ge=1, le=10)
    # Longest time a request may spend; on Lambda also bounded by the invocation's remaining time (minus a margin
    # for sending the answer). No store call is started that could end after it.
    request_deadline_seconds: float = Field(default=25.0, gt=0)
    # Self-hosted: a request body must arrive within this many seconds (a trickling client is cut off with 408).
    body_read_timeout_seconds: float = Field(default=60.0, gt=0)
    # ONNX Runtime threads; unset = the CPUs this process really gets (ocr/threads.py: Lambda's memory setting, CPU
    # affinity, a cgroup quota).
    threads: int | None = Field(default=None, ge=1, le=64)
    # Serve Swagger UI at /docs (from files in the package; no CDN). Off: no /docs, the OpenAPI JSON stays.
    docs: bool = True
    # Serve the try-it page at / (plain HTML/CSS/JS from the package, app.py). On by default so `serve` shows it;
    # the deployed stack sets it from its TryPage parameter, off unless asked for.
    page: bool = True

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _check_origins(cls, origins: list[str]) -> list[str]:
        if not origins:
            raise ValueError("give at least one origin, or '*' for all")
        for origin in origins:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin like https://app.example.com (or '*')")
        return origins

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("dev_api_key")
    @classmethod
    def _check_dev_key(cls, value: str | None) -> str | None:
        if value is not None and not looks_like_key(value):
            raise ValueError(f"must be {API_KEY_FORMAT}")
        return value

    @model_validator(mode="after")
    def _form_within_validity(self) -> Settings:
        if self.upload_form_seconds > self.upload_validity_seconds:
            raise ValueError("upload_form_seconds must not exceed upload_validity_seconds")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()


def describe_settings_error(error: ValidationError) -> str:
    """One line naming each bad variable, e.g. ``CNID_OCR_DEV_API_KEY: must be 'sk_live_' followed by ...``."""
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        name = field if field.isupper() else f"CNID_OCR_{field.upper()}" if field else "settings"
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{name}: {message}")
    return "invalid configuration: " + "; ".join(problems)
