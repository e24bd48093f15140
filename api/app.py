"""The FastAPI application: ``uvicorn api.app:app`` (``make serve``), docs at ``/docs``.

Importing this module is cheap: the database is opened and the job runner is
started by the app's lifespan, when a server (or a test client) starts it. On startup
any job left queued or running by a previous process is marked interrupted; it can be
resubmitted with ``POST /jobs/{id}/resubmit``.

The job runner lives in this process (each solve runs in a child process it starts), so
serve it with one worker process; a second server process on the same database would
mark the first one's jobs interrupted.

Access (:mod:`api.security`): with ``RTCM_API_TOKEN`` set every request but ``/health``
and the documentation needs ``Authorization: Bearer <token>``; without it the service
answers only clients on this machine.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api import errors
from api.feeds import FeedCache, feeds, published_feeds
from api.frontier import router as frontier_router
from api.jobs import GRACE_S, JobRunner
from api.notices import router as notices_router
from api.robustness import router as robustness_router
from api.rollout import RolloutCache
from api.rollout import router as rollout_router
from api.routes import BODY_MODELS, ROUTERS
from api.security import (
    STATE_CHANGING,
    Guard,
    allowed_hosts_from_env,
    allowed_origins_from_env,
    is_open,
    token_from_env,
)
from api.store import Store, StoreUnavailable, default_database_url
from api.web import router as page_router
from model.problem import Problem

log = logging.getLogger("api")

MAX_BODY_BYTES = 10_000_000  # 10 MB: request bodies and uploads alike
DEFAULT_QUEUE_SIZE = 8

DESCRIPTION = """\
Build the annual training calendar of the Regional Training Center on Migration.

1. `POST /problems` a problem (JSON, YAML, or a file), or use the embedded `default`.
2. `POST /problems/{id}/solve` starts a job; follow it at `GET /jobs/{id}` or stream
   `GET /jobs/{id}/events`; `DELETE /jobs/{id}` stops it and keeps the best calendar.
3. Fetch `GET /jobs/{id}/schedule` (JSON) or `/schedule.xlsx`, and its analysis at `/check`.
4. `POST /check` verifies a calendar edited by hand.
5. `POST /jobs/{id}/publish` keeps a job's calendar as the next numbered version; `GET /published`
   lists the versions, `GET /published/{n}` gives one's calendar, `GET /published/{n}/diff/{m}`
   every edition changed between two and why. `GET /published/feeds` gives each trainer's, room's
   and the centre's subscription feed (`/feeds/{token}.ics`, the latest version, no API token needed).
6. `POST /problems/{id}/frontier` solves the problem at each of a range of budgets (a run; follow it
   at `GET /frontier/runs/{id}`): what each budget buys, and the workbook of it.
7. `GET /jobs/{id}/rollout` plans the programme over one to three years with the job's calendar as the
   first (`?years=`), and `/rollout.xlsx` gives it as a workbook.
8. `POST /jobs/{id}/robustness` or `POST /published/{n}/robustness` re-plans a calendar in sampled futures
   with people away (a run; follow it at `GET /robustness/runs/{id}` or its `/events`): how often every
   edition is still delivered, how much moves, and what the backups save; `/robustness.xlsx` the workbook.

Errors are problem details (RFC 9457); invalid input lists every error under `errors`.
When the service has an API token, send it as `Authorization: Bearer <token>`.
"""


class PlannerAPI(FastAPI):
    """FastAPI, with the models of hand-parsed request bodies and the access rule in its OpenAPI schema."""

    requires_token = False

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
        _errors_as_problem_details(schema)
        self._document_access(schema)
        _document_refusals(schema)
        self.openapi_schema = schema
        return schema

    def _document_access(self, schema: dict[str, Any]) -> None:
        # With a token: the bearer scheme and a 401 on every guarded operation. Without:
        # any operation answers 403 to a client on another machine.
        details = {errors.PROBLEM_JSON: {"schema": _PROBLEM_DETAILS_REF}}
        if self.requires_token:
            schema["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        for path, item in schema.get("paths", {}).items():
            for operation in item.values():
                if self.requires_token and not is_open(path):
                    operation["security"] = [{"bearer": []}]
                    operation["responses"].setdefault(
                        "401", {"description": "no valid API token", "content": details})
                elif not self.requires_token:
                    operation["responses"].setdefault(
                        "403", {"description": "a client on another machine, and no API token set",
                                "content": details})


def _document_refusals(schema: dict[str, Any]) -> None:
    # What any operation may answer whatever its parameters: 421 for a Host the service does
    # not answer to (api.security); a write, 403 from another site's page and 503 while the
    # database refuses writes (api.store.StoreUnavailable).
    details = {errors.PROBLEM_JSON: {"schema": _PROBLEM_DETAILS_REF}}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            responses.setdefault("421", {
                "description": "the Host header names a host this service does not answer to (a DNS-rebinding "
                               "page, say); RTCM_ALLOWED_HOSTS lists more", "content": details})
            if method.upper() in STATE_CHANGING:
                cross_site = ("sent from another site's page (its Origin, Referer or Sec-Fetch-Site says so); "
                              "RTCM_ALLOWED_ORIGINS lists the pages allowed")
                forbidden = responses.setdefault("403", {"description": "", "content": details})
                forbidden["description"] = "; or ".join(filter(None, (forbidden["description"], cross_site)))
                # A route that queues a solve has its own 503 already: the service is stopping.
                stopping = "503" in responses
                unavailable = responses.setdefault("503", {"content": details})
                unavailable["description"] = (
                    ("the service is stopping; or " if stopping else "")
                    + "the database cannot be written now (read-only, full or locked): nothing was changed; "
                    "try again after Retry-After seconds")
                unavailable["headers"] = {"Retry-After": {"description": "seconds to wait",
                                                          "schema": {"type": "integer"}}}


def _env_int(name: str, default: int | None = None) -> int | None:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not '{text}'") from None


def _errors_as_problem_details(schema: dict[str, Any]) -> None:
    # FastAPI documents error answers as application/json, its own 422 as HTTPValidationError;
    # every error this service sends is problem details (see api.errors).
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for code, response in operation.get("responses", {}).items():
                if str(code)[0] in "45":
                    response["content"] = {errors.PROBLEM_JSON: {"schema": _PROBLEM_DETAILS_REF}}
    components = schema["components"]["schemas"]
    if "HTTPValidationError" in components:
        components.pop("HTTPValidationError")
        if {"loc", "msg"} <= set(components.get("ValidationError", {}).get("properties", {})):
            components.pop("ValidationError")  # FastAPI's, not a domain model of that name


_PROBLEM_DETAILS_REF = {"$ref": "#/components/schemas/ProblemDetails"}


def create_app(
    database_url: str | None = None,
    max_concurrent: int | None = None,
    queue_size: int | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    api_token: str | None = None,
    allowed_hosts: Sequence[str] | None = None,
    allowed_origins: Sequence[str] | None = None,
    grace_s: float = GRACE_S,
    solve_memory_mb: int | None = None,
) -> FastAPI:
    """The API over one database.

    Parameters
    ----------
    database_url
        Any SQLAlchemy URL; default ``RTCM_DATABASE_URL``, else a SQLite file under ``var/``.
    max_concurrent
        Solves run at once; default ``RTCM_MAX_CONCURRENT``, else one per two cores.
    queue_size
        Jobs that may wait for a slot, beyond which a submission answers 429; default
        ``RTCM_QUEUE_SIZE``, else 8.
    max_body_bytes
        Larger request bodies answer 413.
    api_token
        The bearer token every request but ``/health`` and the docs must carry; default
        ``RTCM_API_TOKEN``. Without one, only clients on this machine are answered.
    allowed_hosts
        Host names the service answers to besides loopback ones and the address it is
        reached at (``name``, ``name:port``, ``*``); default ``RTCM_ALLOWED_HOSTS``.
    allowed_origins
        Origins of pages allowed to send state-changing requests besides the service's own
        page (``https://name[:port]``); default ``RTCM_ALLOWED_ORIGINS``.
    grace_s
        How long a solve asked to stop, or past its time limit, may run on before its process
        is killed.
    solve_memory_mb
        The most resident memory a solver process may use, in MB (0: no limit); default
        ``RTCM_SOLVE_MEMORY_MB``, else half the machine's memory shared among the solves.
    """
    url = database_url or default_database_url()
    token = api_token or token_from_env()
    hosts = allowed_hosts_from_env() if allowed_hosts is None else tuple(allowed_hosts)
    origins = allowed_origins_from_env() if allowed_origins is None else tuple(allowed_origins)
    max_concurrent = max_concurrent or _env_int("RTCM_MAX_CONCURRENT")
    if queue_size is None:
        from_env = _env_int("RTCM_QUEUE_SIZE")
        queue_size = DEFAULT_QUEUE_SIZE if from_env is None else from_env

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(url)
        await run_in_threadpool(store.open)
        try:
            interrupted = await run_in_threadpool(store.interrupt_unfinished)
        except StoreUnavailable as err:  # served read-only until the database takes writes again
            log.warning("jobs left unfinished by the previous run stay as they were: %s", err)
            interrupted = 0
        if interrupted:
            log.warning("%d job(s) left unfinished by the previous run marked interrupted", interrupted)
        runner = JobRunner(store, max_concurrent, queue_size, grace_s=grace_s, memory_mb=solve_memory_mb)
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
    app.requires_token = token is not None
    app.state.rollouts = RolloutCache()  # plans of finished calendars, which never change
    app.state.feeds = FeedCache()  # the latest published version's feeds
    errors.install(app)
    app.add_middleware(errors.BodyLimit, max_bytes=max_body_bytes)
    # Outermost: a refused request's body is never read.
    app.add_middleware(Guard, token=token, allowed_hosts=hosts, allowed_origins=origins)
    app.include_router(page_router)  # the planner's page at / (before the service's redirect to /docs)
    app.include_router(published_feeds)  # before /published/{n}, which would take "feeds" for a number
    app.include_router(feeds)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(frontier_router)
    app.include_router(robustness_router)
    app.include_router(rollout_router)
    app.include_router(notices_router)
    return app


app = create_app()
