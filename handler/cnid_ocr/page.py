"""The try-it page at ``/``: plain HTML, CSS and JavaScript from the package (``cnid_ocr/web/``), no CDN, no build
step. It posts the chosen photo to ``/api/v1/ocr`` as any client would (the key in ``Authorization: Bearer``), so
it needs no route of its own beyond its three files, and it works offline."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import Response

from .errors import NotFound

PAGE_URL = "/"
ASSETS_URL = "/page"
# The page's files besides index.html, and their types. A fixed list: nothing else under web/ is ever served.
ASSETS = {"page.js": "text/javascript", "page.css": "text/css"}

# The page shows personal data (the photo, a name, a number): it may run only its own script and style, talk only
# to its own origin, and show images only from the photo the user picked (blob:) and the crops in the response
# (data:). No inline script or style, no framing (clickjacking), no form posting elsewhere, no <base> rewriting.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src data: blob:",
        "connect-src 'self'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
# Added to the middleware's no-store/nosniff on the page's own responses (the API's JSON needs no CSP, and /docs'
# Swagger UI runs inline script that this policy would block). X-Frame-Options for browsers without
# frame-ancestors; no Referer, so the page's address never leaves with a request.
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def add_page(app: FastAPI) -> None:
    """Routes for ``/`` and ``/page/<file>``; the files are read once, here (a few KB)."""
    web = files("cnid_ocr") / "web"
    index = (web / "index.html").read_bytes()
    assets = {name: ((web / name).read_bytes(), media_type) for name, media_type in ASSETS.items()}

    @app.get(PAGE_URL, include_in_schema=False)
    async def page() -> Response:
        return Response(index, media_type="text/html", headers=PAGE_HEADERS)

    @app.get(ASSETS_URL + "/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        if name not in assets:
            raise NotFound()
        content, media_type = assets[name]
        return Response(content, media_type=media_type, headers=PAGE_HEADERS)
