"""Dependencies: the process's services and the calling API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from ..services import Services
from ..store.keys import ApiKey

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer sk_live_...`")


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def authenticated_key(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ApiKey:
    key = await run_in_threadpool(services.keys.authenticate, credentials.credentials if credentials else None)
    request.state.key_id = key.key_id
    return key


ApiKeyDep = Annotated[ApiKey, Depends(authenticated_key)]
