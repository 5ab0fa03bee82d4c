"""create_app(): the FastAPI application, the same locally, in tests and on Lambda."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from . import __version__
from .api.errors import install_error_handlers
from .api.middleware import RequestContextMiddleware
from .api.routes import router
from .logs import configure_logging
from .metrics import EmbeddedMetrics
from .page import add_page
from .services import Services

DESCRIPTION = """Reads Chinese resident identity cards (居民身份证) from photos and returns their fields as JSON.

Authenticate with `Authorization: Bearer <key>`. Errors are `{"error": {"code", "message"}}`; every code is listed
in docs/errors.md.
"""

DOCS_URL = "/docs"
# Swagger UI's files ship in the fastapi-offline wheel: /docs works without the internet (FastAPI's default page
# loads them from a public CDN).
DOCS_ASSETS_URL = "/docs/assets"


def create_app(services: Services, metrics: EmbeddedMetrics | None = None) -> FastAPI:
    """``metrics``: CloudWatch EMF on the request log lines (the Lambda entry point passes it; locally None)."""
    settings = services.settings
    configure_logging(settings.log_level)
    app = FastAPI(title="cnid-ocr", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None)
    app.state.services = services
    app.include_router(router)
    if settings.docs:
        _add_docs(app)
    if settings.page:
        add_page(app)
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-Request-Id"],
        max_age=600,
    )
    # Outermost: every response, CORS and errors included, gets a request id, the no-store/nosniff headers and one
    # log line (with the request's metrics); every request a deadline.
    app.add_middleware(RequestContextMiddleware, deadline_seconds=settings.request_deadline_seconds, metrics=metrics)
    return app


def _add_docs(app: FastAPI) -> None:
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
            # Swagger UI's default would send the schema's URL to validator.swagger.io for a badge.
            swagger_ui_parameters={"validatorUrl": None},
        )
