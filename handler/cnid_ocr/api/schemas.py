"""Response models: the one description of each body. The routes build their 200 bodies through these models, so
what OpenAPI documents is what is returned (tests/api/test_contract.py holds it)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    code: str = Field(examples=["no_id_card_found"])
    message: str = Field(examples=["No Chinese ID card could be read in the image."])


class ErrorResponse(BaseModel):
    error: ErrorDetail


class Warning(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="Stable warning code (docs/errors.md)", examples=["id_checksum_failed"])
    field: str | None = Field(default=None, examples=["idNumber"])
    message: str


Side = Literal["front", "back"]


class Images(BaseModel):
    """Crops asked for with the form field ``crop``: base64-encoded JPEG, built in memory, never stored."""

    model_config = ConfigDict(extra="forbid")

    card: str | None = Field(default=None, description="The card rectified: upright, perspective removed, 856x540")
    portrait: str | None = Field(default=None, description="The front's portrait (a back side has none)")


class CardSide(BaseModel):
    """One side of one card found in the image, with its own fields."""

    model_config = ConfigDict(extra="forbid")

    side: Side
    corners: list[tuple[float, float]] | None = Field(
        description="The side's outline in the image's pixels: four [x, y] points clockwise from its top-left"
    )
    fields: dict[str, str | None] = Field(description="That side's keys, as at the top level")
    confidence: dict[str, float]
    warnings: list[Warning]
    quality: float | None = Field(
        default=None, description="0..1: how sharp and glare-free the card is (1 = no blur, no glare)"
    )
    images: Images | None = Field(default=None, description="This side's crops, when the request asked for them")


class OcrResponse(BaseModel):
    # A key the extraction adds without adding it here fails validation (a 500, never billed) and the contract tests:
    # the documented schema and the returned body cannot drift apart.
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(description="Full name as printed (front side)", examples=["张三"])
    gender: str | None = Field(description="男 or 女", examples=["男"])
    ethnicity: str | None = Field(description="Ethnic group as printed, without 族", examples=["汉"])
    dateOfBirth: str | None = Field(description="YYYY-MM-DD", examples=["1990-01-01"])
    address: str | None = Field(description="Full address, printed lines joined", examples=["北京市朝阳区建国路88号"])
    idNumber: str | None = Field(description="18-character ID number", examples=["11010519900101123X"])
    issuingAuthority: str | None = Field(
        default=None, description="签发机关 (back side)", examples=["北京市公安局朝阳分局"]
    )
    validFrom: str | None = Field(default=None, description="YYYY-MM-DD (back side)", examples=["2015-06-01"])
    validTo: str | None = Field(
        default=None, description="YYYY-MM-DD, or 长期 for long-term validity (back side)", examples=["2035-06-01"]
    )
    sides: list[Side] = Field(description="Sides read: 'front', 'back' or both", examples=[["front"]])
    confidence: dict[str, float] = Field(description="Per-field confidence, 0..1", examples=[{"name": 0.998}])
    warnings: list[Warning] = Field(description="Consistency and quality warnings; they never alter the values")
    cards: list[CardSide] = Field(
        default_factory=list,
        description="Every side found in the image; the top-level keys are from the first front and the first back",
    )
    images: Images | None = Field(
        default=None, description="The crops of the top-level sides (the first front, the first back), when asked"
    )
    requestId: str = Field(description="Identifier of this request, also in the X-Request-Id header")


class UsageResponse(BaseModel):
    keyId: str = Field(examples=["sk_live_AbCdEfGh"])
    period: str = Field(description="Calendar month (UTC), YYYY-MM", examples=["2026-11"])
    succeeded: int
    failed: int
    billable: int = Field(description="Calls that count against the monthly quota (docs/limits.md)")
    monthlyQuota: int | None
    remaining: int | None
    rateLimit: int | None = Field(description="Requests per second, or null when unlimited")


class UploadResponse(BaseModel):
    uploadId: str = Field(description="Name this in /api/v1/ocr as the form field uploadId")
    url: str = Field(description="Where to POST the file (multipart/form-data)")
    fields: dict[str, str] = Field(description="Form fields to send before the file part, named 'file'")
    expiresIn: int = Field(description="Seconds the form stays valid")
    maxBytes: int = Field(description="Largest accepted file", examples=[10485760])


def error_responses(*statuses: int) -> dict[int | str, dict]:
    descriptions = {
        400: "Missing or empty image, missing or wrong documentType, undecodable image, malformed multipart",
        401: "Missing or unknown API key",
        403: "Revoked API key",
        408: "The request body did not arrive within the read timeout (self-hosted servers)",
        413: "File over the size limit, or an image with too many pixels",
        415: "Not a JPEG, PNG or WebP image (decided by the file's bytes), or an animated image",
        422: "A readable image with no ID card found",
        429: "Monthly quota used up, per-second rate limit exceeded, or (uploads) too many unused upload grants",
        500: "Unexpected error (generic message)",
        501: "Large-file uploads are not configured on this deployment",
        503: "Key store or upload store unavailable or too slow; Retry-After: 1",
    }
    return {status: {"model": ErrorResponse, "description": descriptions[status]} for status in statuses}
