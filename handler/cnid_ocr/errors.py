"""One error hierarchy: every failure the API can report carries its HTTP status and a stable code.

Raised anywhere (imaging, OCR, extraction, storage, routes) and turned into
``{"error": {"code", "message"}}`` responses in one place (``api.errors``). The CLI uses the same mapping.
"""

from __future__ import annotations


class ApiError(Exception):
    status: int = 500
    code: str = "internal_error"
    message: str = "An unexpected error occurred."
    # Whether a request that ends with this error counts against the key's monthly quota (docs/limits.md).
    billable: bool = False

    def __init__(self, message: str | None = None, *, headers: dict[str, str] | None = None) -> None:
        self.message = message or type(self).message
        self.headers = headers or {}
        super().__init__(self.message)

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


# 400: the request is malformed.
class BadRequest(ApiError):
    status, code, message = 400, "bad_request", "The request is malformed."


class MissingImage(BadRequest):
    code, message = "missing_image", "The multipart field 'image' is required and must not be empty."


class InvalidDocumentType(BadRequest):
    code, message = "invalid_document_type", "The field 'documentType' is required and must be 'cn_id_card'."


class InvalidCrop(BadRequest):
    code, message = "invalid_crop", "The field 'crop' is a comma-separated list of 'card' and 'portrait'."


class InvalidImage(BadRequest):
    code, message = "invalid_image", "The image could not be decoded (corrupt or truncated file)."


class InvalidMultipart(BadRequest):
    code, message = "invalid_multipart", "The request body is not valid multipart/form-data."


class InvalidUpload(BadRequest):
    code, message = "invalid_upload", "The upload reference is unknown, expired or already used."


class InvalidKeyChange(BadRequest):
    """A key-management request (CLI) with a value the store refuses: an empty name, a limit below 1, ..."""

    code, message = "invalid_key_change", "The change to the API key is not valid."


# 401/403: authentication.
class Unauthorized(ApiError):
    status, code, message = 401, "unauthorized", "A valid API key is required: 'Authorization: Bearer <key>'."


class MissingApiKey(Unauthorized):
    code, message = "missing_api_key", "Missing API key: send 'Authorization: Bearer <key>'."


class InvalidApiKey(Unauthorized):
    code, message = "invalid_api_key", "The API key is not valid."


class RevokedApiKey(ApiError):
    status, code, message = 403, "revoked_api_key", "The API key has been revoked."


# 404/405: routing.
class NotFound(ApiError):
    status, code, message = 404, "not_found", "No such resource."


class MethodNotAllowed(ApiError):
    status, code, message = 405, "method_not_allowed", "Method not allowed on this resource."


# 408/409: the request's timing and the key store's state.
class RequestTimeout(ApiError):
    status, code, message = 408, "request_timeout", "The request body did not arrive in time."


class KeyConflict(ApiError):
    """Key management (CLI): the change conflicts with the key's current state (already rotated, id collision)."""

    status, code, message = 409, "key_conflict", "The API key was changed meanwhile; look at it and try again."


# 413/415/422: the image itself.
class FileTooLarge(ApiError):
    status, code, message = 413, "file_too_large", "The image is larger than the limit."


class ImageTooLarge(ApiError):
    status, code, message = 413, "image_too_large", "The image has too many pixels to be decoded safely."


class UnsupportedMediaType(ApiError):
    status, code, message = 415, "unsupported_media_type", "Only JPEG, PNG and WebP images are supported."


class AnimatedImage(UnsupportedMediaType):
    code, message = "animated_image", "Animated images are not supported; send a single still photo."


class NoIdCardFound(ApiError):
    status, code, message = 422, "no_id_card_found", "No Chinese ID card could be read in the image."
    billable = True  # the full recognition ran: hosted APIs bill this too


class BlurredImage(NoIdCardFound):
    # Hosted APIs say why too (Baidu's image_status "blurred", Tencent's FailedOperation.ImageBlur): the fix is a
    # new photo, not another document.
    code = "image_blurred"
    message = "No ID card could be read: the image is blurred. Take the photo again, in focus and held still."


# 429: limits.
class QuotaExceeded(ApiError):
    status, code, message = 429, "quota_exceeded", "The monthly quota of this API key is used up."


class RateLimited(ApiError):
    status, code, message = 429, "rate_limited", "Too many requests per second for this API key."


class TooManyOpenUploads(ApiError):
    status, code, message = 429, "too_many_open_uploads", "This API key holds too many unused upload grants."


# 499: the client went away before the answer (nginx's convention); nobody receives it, the log line records it.
class ClientDisconnected(ApiError):
    status, code, message = 499, "client_disconnected", "The client closed the connection before the request ended."


# 5xx.
class InternalError(ApiError):
    status, code, message = 500, "internal_error", "An unexpected error occurred."


class StorageUnavailable(ApiError):
    """DynamoDB or S3 throttled, unreachable or too slow for the request's deadline. Never counted (docs/limits.md);
    a throttled or unreachable store is usually back within seconds, hence ``Retry-After: 1``."""

    status, code, message = 503, "storage_unavailable", "The key store is unavailable; retry later."

    def __init__(self, message: str | None = None, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, headers={"Retry-After": "1", **(headers or {})})


class UploadsDisabled(ApiError):
    status, code, message = 501, "uploads_disabled", "Large-file uploads are not configured on this deployment."
