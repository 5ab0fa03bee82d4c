"""Settings from the environment (pydantic-settings), cached once per process and overridable in tests."""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CNID_OCR_", extra="ignore")

    keys_table: str = "cnid-ocr-keys"
    usage_table: str = "cnid-ocr-usage"
    # Set in AWS or for DynamoDB Local / a shared moto server; unset + local serve = embedded moto server.
    dynamodb_endpoint_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DYNAMODB_ENDPOINT_URL", "CNID_OCR_DYNAMODB_ENDPOINT_URL")
    )
    aws_region: str = Field(
        default="us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION", "CNID_OCR_AWS_REGION")
    )
    # Comma-separated origins allowed by CORS; "*" allows all (the local default).
    allowed_origins: str = "*"
    # Direct multipart uploads: the contract's 10 MB. Behind API Gateway + Lambda the template lowers it to what fits
    # a 6 MB synchronous payload and points larger files at the pre-signed upload path.
    max_image_bytes: int = 10 * MIB
    # Decompression-bomb guard: no image with more pixels than this is decoded.
    max_image_pixels: int = 50_000_000
    # S3 bucket for large uploads (pre-signed POST); empty = the upload path is disabled.
    uploads_bucket: str = ""
    # The contract's limit, for files that arrive through the upload path.
    max_upload_bytes: int = 10 * MIB
    # A local S3-compatible endpoint (the embedded moto server sets it); unset = AWS.
    s3_endpoint_url: str | None = Field(
        default=None, validation_alias=AliasChoices("S3_ENDPOINT_URL", "CNID_OCR_S3_ENDPOINT_URL")
    )
    dev_api_key: str | None = None
    log_level: str = "INFO"


@lru_cache
def get_settings() -> Settings:
    return Settings()
