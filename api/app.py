"""The FastAPI application: ``uvicorn api.app:app`` (``make serve``), docs at ``/docs``.

Importing this module is cheap: the database is opened and the solver threads are
started by the app's lifespan, when a server (or a test client) starts it. On startup
any job left queued or running by a previous process is marked interrupted; it can be
resubmitted with ``POST /jobs/{id}/resubmit``.

Solves run in threads of this process, so serve it with one worker process; a second
process on the same database would mark the first one's jobs interrupted.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api import errors
from api.jobs import JobRunner
from api.routes import BODY_MODELS, ROUTERS
from api.store import Store, default_database_url
from model.problem import Problem

log = logging.getLogger("api")

MAX_BODY_BYTES = 5_000_000
DEFAULT_QUEUE_SIZE = 8

DESCRIPTION = """\
Build the annual training calendar of the Regional Training Center on Migration.

1. `POST /problems` a problem (JSON, YAML, or a file), or use the embedded `default`.
2. `POST /problems/{id}/solve` starts a job; follow it at `GET /jobs/{id}` or stream
   `GET /jobs/{id}/events`; `DELETE /jobs/{id}` stops it and keeps the best calendar.
3. Fetch `GET /jobs/{id}/schedule` (JSON) or `/schedule.xlsx`, and its analysis at `/check`.
4. `POST /check` verifies a calendar edited by hand.

Errors are problem details (RFC 9457); invalid input lists every error under `errors`.
"""


class PlannerAPI(FastAPI):
    """FastAPI, with the models of hand-parsed request bodies in its OpenAPI schema."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema:
            return self.openapi_schema
        schema = get_openapi(title=self.title, version=self.version, description=self.description,
                             routes=self.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        models: tuple[type[BaseModel], ...] = (Problem, *BODY_MODELS)
        for model in models:
            model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in model_schema.pop("$defs", {}).items():
                components.setdefault(name, sub)
            components.setdefault(model.__name__, model_schema)
        self.openapi_schema = schema
        return schema


def create_app(
    database_url: str | None = None,
    max_concurrent: int | None = None,
    queue_size: int = DEFAULT_QUEUE_SIZE,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """The API over one database.

    Parameters
    ----------
    database_url
        Any SQLAlchemy URL; default ``RTCM_DATABASE_URL``, else a SQLite file under ``var/``.
    max_concurrent
        Solves run at once; default one per two cores.
    queue_size
        Jobs that may wait for a slot; beyond, a submission answers 429.
    max_body_bytes
        Larger request bodies answer 413.
    """
    url = database_url or default_database_url()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(url)
        await run_in_threadpool(store.open)
        interrupted = await run_in_threadpool(store.interrupt_unfinished)
        if interrupted:
            log.warning("%d job(s) left unfinished by the previous run marked interrupted", interrupted)
        runner = JobRunner(store, max_concurrent, queue_size)
        runner.start()
        app.state.store, app.state.runner = store, runner
        try:
            yield
        finally:
            await run_in_threadpool(runner.shutdown)
            store.close()

    app = PlannerAPI(
        title="RTCM Planner",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        separate_input_output_schemas=False,
    )
    errors.install(app)
    app.add_middleware(errors.BodyLimit, max_bytes=max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)
    return app


app = create_app()
