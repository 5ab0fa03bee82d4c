"""The one place where errors become HTTP responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import ApiError, BadRequest, MethodNotAllowed, NotFound

_BY_STATUS: dict[int, type[ApiError]] = {404: NotFound, 405: MethodNotAllowed}


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


def as_api_error(exc: Exception) -> ApiError | None:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, StarletteHTTPException):
        error_class = _BY_STATUS.get(exc.status_code)
        if error_class is not None:
            return error_class(headers=dict(exc.headers or {}))
        error = ApiError(str(exc.detail), headers=dict(exc.headers or {}))
        error.status, error.code = exc.status_code, f"http_{exc.status_code}"
        return error
    if isinstance(exc, RequestValidationError):
        return BadRequest("The request parameters are invalid.")
    return None


def install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        error = as_api_error(exc)
        assert error is not None  # registered only for the types as_api_error knows
        request.state.error_code = error.code
        return error_response(error)

    for exc_type in (ApiError, StarletteHTTPException, RequestValidationError):
        app.add_exception_handler(exc_type, handle)
