"""create_app(): the FastAPI application, the same locally, in tests and on Lambda."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from . import __version__
from .api.errors import install_error_handlers
from .api.middleware import RequestContextMiddleware
from .api.routes import router
from .logs import configure_logging
from .services import Services

DESCRIPTION = """Reads Chinese resident identity cards (居民身份证) from photos and returns their fields as JSON.

Authenticate with `Authorization: Bearer <key>`. Errors are `{"error": {"code", "message"}}`; every code is listed
in docs/errors.md.
"""


def allowed_origins(setting: str) -> list[str]:
    return [origin.strip() for origin in setting.split(",") if origin.strip()]


def create_app(services: Services) -> FastAPI:
    configure_logging(services.settings.log_level)
    app = FastAPI(title="cnid-ocr", version=__version__, description=DESCRIPTION)
    app.state.services = services
    app.include_router(router)
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=allowed_origins(services.settings.allowed_origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-Request-Id"],
        max_age=600,
    )
    # Outermost: every response, CORS and errors included, gets a request id and one log line.
    app.add_middleware(RequestContextMiddleware)
    return app
