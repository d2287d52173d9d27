"""uvicorn's app factory: each worker process opens its own engine on FRONTDESK_DATABASE_URL."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette

from frontdesk.http.app import create_app
from frontdesk.services.app import Frontdesk
from frontdesk.storage.db import Database


def create() -> Starlette:
    app = Frontdesk(Database())
    starlette = create_app(app)
    inner = starlette.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: Starlette) -> AsyncIterator[None]:
        try:
            async with inner(a):
                yield
        finally:
            await app.close()

    starlette.router.lifespan_context = lifespan
    return starlette
