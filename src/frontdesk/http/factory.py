"""uvicorn's app factory: each worker process opens its own engine on FRONTDESK_DATABASE_URL."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from starlette.applications import Starlette

from frontdesk import logs, telemetry
from frontdesk.composition import Frontdesk
from frontdesk.http.app import create_app


def create() -> Starlette:
    logs.setup()  # each worker process is a fresh interpreter
    telemetry.setup()  # before the engine and the server are built: they are instrumented only if on
    app = Frontdesk.build()
    starlette = create_app(app)
    inner = starlette.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: Starlette) -> AsyncIterator[None]:
        try:
            async with inner(a):
                # Everything loaded at start-up lives for the whole process: move it out of the
                # collector's sight, so full collections stay short (30 ms pauses before, under 1 ms after).
                gc.collect()
                gc.freeze()
                yield
        finally:
            await app.close()
            telemetry.shutdown()

    starlette.router.lifespan_context = lifespan
    return starlette
