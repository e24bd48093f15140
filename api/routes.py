"""The routes: each converts wire models to a domain call and back, nothing more.

One router per resource (problems, jobs, published versions, checks, the service itself);
a new feature is a new router listed in :data:`ROUTERS`, and a new view of a finished job's calendar
(``/jobs/{id}/<view>``) is one function under :func:`schedule_view`.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, StreamingResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import NOT_FOUND, QUEUE_FULL, UNSUPPORTED, ApiError, conflict, invalid
from api.jobs import JobRunner, QueueFull, ShuttingDown
from api.store import (
    ACTIVE_STATES,
    DEFAULT_PROBLEM_ID,
    ENDED_STATES,
    JobRow,
    NotFound,
    ProblemInUse,
    ScheduleBody,
    Store,
)
from api.uploads import UnsupportedFormat, read_problem_bytes
from api.wire import (
    MAX_VERSION,
    SCHEDULE_LINKS,
    CheckReport,
    CheckRequest,
    Health,
    JobOut,
    JobState,
    ProblemDetails,
    ProblemOut,
    ProblemSummary,
    ProgressOut,
    PublishedVersion,
    PublishRequest,
    SolveRequest,
    machine_cores,
)
from model.backups import verify_backups
from model.check import check, kpis
from model.compare import CalendarDiff, diff
from model.errors import InputError, validate_as
from model.formats.excel import schedule_workbook
from model.formats.files import parse_text
from model.formats.versions import digest, key_figures
from model.schedule import Schedule

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_TYPES = {"", "application/json"}
YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
SSE_POLL_S = 0.25
SSE_KEEPALIVE_S = 15.0


# Async, so that FastAPI calls them on the event loop rather than through the thread pool.
async def get_store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


async def get_runner(request: Request) -> JobRunner:
    return request.app.state.runner  # type: ignore[no-any-return]


StoreDep = Annotated[Store, Depends(get_store)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ProblemDetails} for code in codes}


def _body_schema(content: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": content}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


PROBLEM_BODY = _body_schema({
    "application/json": {"schema": _ref("Problem")},
    "application/yaml": {"schema": {"type": "string", "description": "the problem as YAML"}},
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": "a .yaml, .yml, .json or .xlsx problem file"}},
    }},
    XLSX: {"schema": {"type": "string", "format": "binary", "description": "the input workbook"}},
})
CHECK_BODY = _body_schema({"application/json": {"schema": _ref("CheckRequest")}})
# Models the bodies above refer to, added to the OpenAPI components by the app.
BODY_MODELS: tuple[type[BaseModel], ...] = (CheckRequest,)


# ------------------------------------------------------------------------------ service

service = APIRouter(tags=["service"])


@service.get("/", include_in_schema=False)
def index() -> RedirectResponse:
    return RedirectResponse("/docs")


@service.get("/health", response_model=Health)
def health(store: StoreDep, runner: RunnerDep) -> Health:
    """Whether the service and its database answer, and how busy the solver is."""
    ok = store.ping()
    running, queued = runner.counts()
    return Health(
        status="ok" if ok else "degraded", database=store.dialect, database_ok=ok, running=running,
        queued=queued, max_concurrent=runner.max_concurrent, queue_size=runner.queue_size,
        cores=machine_cores(),
    )


# ----------------------------------------------------------------------------- problems

problems = APIRouter(prefix="/problems", tags=["problems"])


async def _problem_upload(request: Request) -> tuple[bytes, str, str]:
    """(content, file name that picks the reader, where it came from)"""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=5)
        except StarletteHTTPException as err:
            if err.status_code != 400:  # e.g. 413 from the body limit
                raise
            raise invalid([f"file: the multipart upload cannot be read: {err.detail}"]) from None
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise invalid(["file: a multipart upload needs a 'file' part holding the problem"])
            name = upload.filename or "upload.yaml"
            return await upload.read(), name, f"upload {name}"
        finally:
            await form.close()  # the spooled file
    if kind in JSON_TYPES or kind.endswith("+json"):
        return await request.body(), "body.json", "JSON body"
    if kind in YAML_TYPES:
        return await request.body(), "body.yaml", "YAML body"
    if kind == XLSX:
        return await request.body(), "body.xlsx", "Excel body"
    raise ApiError(415, f"cannot read a problem sent as '{kind}'; send JSON, YAML, a workbook or a file "
                   "upload", type=UNSUPPORTED)


@problems.post("", status_code=201, response_model=ProblemSummary, openapi_extra=PROBLEM_BODY,
               responses=_errors(413, 415, 422))
async def create_problem(request: Request, response: Response, store: StoreDep) -> ProblemSummary:
    """Validate and store a problem: a JSON, YAML or Excel body, or a file upload of one.

    Invalid input answers 422 with every error, each naming the record and field.
    """
    data, name, source = await _problem_upload(request)
    try:
        problem = await run_in_threadpool(read_problem_bytes, data, name)
    except UnsupportedFormat as err:
        raise ApiError(415, str(err), type=UNSUPPORTED) from None
    except InputError as err:
        raise InputError(err.issues, name if source.startswith("upload") else f"the {source}") from None
    row = await run_in_threadpool(store.add_problem, problem, source)
    response.headers["Location"] = f"/problems/{row.id}"
    return ProblemSummary.of(row)


# Listings come a page at a time: ?limit=&offset=, the whole count in X-Total-Count.
TOTAL_HEADER = "X-Total-Count"
MAX_PAGE = 500
MAX_OFFSET = 1_000_000
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="how many to skip")]
PAGED = {"headers": {TOTAL_HEADER: {"description": "how many there are in all", "schema": {"type": "integer"}}}}


@problems.get("", response_model=list[ProblemSummary], responses={200: PAGED})
def list_problems(
    store: StoreDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Offset = 0,
) -> list[ProblemSummary]:
    """Stored problems, the embedded default first, then oldest first; a page of them."""
    rows = store.list_problems()
    response.headers[TOTAL_HEADER] = str(len(rows))
    return [ProblemSummary.of(row) for row in rows[offset:offset + limit]]


@problems.get("/{problem_id}", response_model=ProblemOut, responses=_errors(404))
def get_problem(problem_id: str, store: StoreDep) -> ProblemOut:
    row = store.problem_row(problem_id)
    summary = ProblemSummary.of(row)
    return ProblemOut(**dict(summary), problem=store.problem(problem_id))


@problems.delete("/{problem_id}", status_code=204, response_class=Response, responses=_errors(404, 409))
def delete_problem(problem_id: str, store: StoreDep) -> Response:
    """Delete a stored problem. Its finished jobs keep their schedules (each embeds the problem)."""
    if problem_id == DEFAULT_PROBLEM_ID:
        raise conflict("the embedded default problem cannot be deleted")
    try:
        store.delete_problem(problem_id)  # refused while solves of it are queued or running
    except ProblemInUse as err:
        raise conflict(str(err)) from None
    return Response(status_code=204)


@contextmanager
def queue_answers() -> Iterator[None]:
    """A submission to the job runner refused: 429 with Retry-After for a full queue, 503 while stopping."""
    try:
        yield
    except QueueFull as err:
        raise ApiError(429, f"{err}; try again later", type=QUEUE_FULL,
                       headers={"Retry-After": str(err.retry_after_s)}) from None
    except ShuttingDown as err:
        raise ApiError(503, str(err), headers={"Retry-After": "30"}) from None


def _submit(runner: JobRunner, problem_id: str, request: SolveRequest, response: Response,
            resubmitted_from: str | None = None) -> JobOut:
    with queue_answers():
        row = runner.submit(problem_id, request, resubmitted_from)
    response.headers["Location"] = f"/jobs/{row.id}"
    return JobOut.of(row)


@problems.post("/{problem_id}/solve", status_code=202, response_model=JobOut,
               responses=_errors(404, 422, 429, 503))
def solve_problem(problem_id: str, response: Response, store: StoreDep, runner: RunnerDep,
                  options: SolveRequest | None = None) -> JobOut:
    """Start a solve job and answer at once with its id; follow it at ``/jobs/{id}``.

    A full queue answers 429 with Retry-After.
    """
    store.problem_row(problem_id)
    return _submit(runner, problem_id, options or SolveRequest(), response)


# --------------------------------------------------------------------------------- jobs

jobs = APIRouter(prefix="/jobs", tags=["jobs"])


def _job(store: Store, runner: JobRunner, job_id: str) -> JobOut:
    live = runner.live_view(job_id)  # before the row: a job that ends in between reads as ended
    return JobOut.of(store.job(job_id), live)


@jobs.get("", response_model=list[JobOut], responses={200: PAGED})
def list_jobs(
    store: StoreDep,
    runner: RunnerDep,
    response: Response,
    problem_id: str | None = None,
    state: JobState | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Offset = 0,
) -> list[JobOut]:
    """Jobs, newest first; a page of them."""
    rows, total = store.job_page(problem_id, state, limit=limit, offset=offset)
    response.headers[TOTAL_HEADER] = str(total)
    return [JobOut.of(row, runner.live_view(row.id)) for row in rows]


@jobs.get("/{job_id}", response_model=JobOut, responses=_errors(404))
def get_job(job_id: str, store: StoreDep, runner: RunnerDep) -> JobOut:
    """State, progress (objective, bound, gap, elapsed, solutions) and, once ended, the summary."""
    return _job(store, runner, job_id)


@jobs.delete("/{job_id}", response_model=JobOut, responses={202: {"model": JobOut}, **_errors(404, 409)})
def cancel_job(job_id: str, response: Response, store: StoreDep, runner: RunnerDep) -> JobOut:
    """Stop a queued or running job; a running one keeps the best calendar found so far.

    Answers 200 once the job has ended as cancelled, or 202 if it is still winding down.
    """
    store.job(job_id)
    ended = runner.cancel(job_id)
    if ended is None:
        row = store.job(job_id)
        if row.state != "cancelled":
            raise conflict(f"job '{job_id}' is {row.state}; there is nothing to stop")
    elif not ended:
        response.status_code = 202
    return _job(store, runner, job_id)


@jobs.post("/{job_id}/resubmit", status_code=202, response_model=JobOut,
           responses=_errors(404, 409, 429, 503))
def resubmit_job(job_id: str, response: Response, store: StoreDep, runner: RunnerDep) -> JobOut:
    """A new job for the same problem and options, e.g. after an interruption."""
    row = store.job(job_id)
    if row.state in ACTIVE_STATES:
        raise conflict(f"job '{job_id}' is still {row.state}")
    try:
        store.problem_row(row.problem_id)
    except NotFound:
        raise conflict(f"job '{job_id}': its problem '{row.problem_id}' has been deleted") from None
    options = dict(row.options)
    options["workers"] = min(int(options.get("workers", 1)), machine_cores())  # the machine may be smaller
    try:
        request = SolveRequest.model_validate(options)
    except ValidationError:  # stored before today's bounds, e.g. a seed past CP-SAT's range
        raise conflict(f"job '{job_id}': its options are no longer accepted; submit a new solve") from None
    return _submit(runner, row.problem_id, request, response, job_id)


def _sse(event: str, data: BaseModel | dict[str, Any]) -> str:
    payload = data.model_dump_json() if isinstance(data, BaseModel) else json.dumps(data)
    return f"event: {event}\ndata: {payload}\n\n"


def _server_exiting(runner: JobRunner) -> bool:
    """Whether the service is stopping, so that open streams let it stop.

    uvicorn waits for open responses before it shuts the app down, and tells the app
    nothing meanwhile; its SIGTERM handler is a method of the server, whose
    ``should_exit`` says it is stopping. Elsewhere the runner's own flag serves.
    """
    server = getattr(signal.getsignal(signal.SIGTERM), "__self__", None)
    return bool(getattr(server, "should_exit", False)) or runner.closing


@dataclass(frozen=True)
class Events:
    """What the event stream of a job of one kind sends: its ``progress`` as that model, and at its end
    ``ended(row)``, the whole job (or run) as its own route shows it."""

    kind: str
    progress: type[BaseModel]
    ended: Callable[[JobRow], BaseModel]


SOLVE_EVENTS = Events("solve", ProgressOut, JobOut.of)


async def _job_events(job_id: str, store: Store, runner: JobRunner,
                      events: Events = SOLVE_EVENTS) -> AsyncIterator[str]:
    seen_state: str | None = None
    seen_progress: BaseModel | None = None
    last_sent = time.monotonic()
    while True:
        if _server_exiting(runner):
            yield _sse("shutdown", {"detail": "the service is stopping; a running job will end interrupted"})
            return
        live = runner.live(job_id)
        out: list[str] = []
        if live is None:
            row: JobRow = await run_in_threadpool(store.job, job_id, events.kind)
            if row.state in ENDED_STATES:
                ended = await run_in_threadpool(events.ended, row)
                if row.progress and seen_progress is None:
                    yield _sse("progress", events.progress.model_validate(row.progress))
                yield _sse("end", ended)
                return
        else:
            state, progress, _ = live.snapshot()
            if state != seen_state:
                seen_state = state
                out.append(_sse("state", {"state": state}))
            if isinstance(progress, events.progress) and progress is not seen_progress:
                seen_progress = progress
                out.append(_sse("progress", progress))
        if out:
            last_sent = time.monotonic()
            for chunk in out:
                yield chunk
        elif time.monotonic() - last_sent > SSE_KEEPALIVE_S:
            last_sent = time.monotonic()
            yield ": keep-alive\n\n"
        await asyncio.sleep(SSE_POLL_S)


@jobs.get("/{job_id}/events", response_class=StreamingResponse, responses={
    200: {"content": {"text/event-stream": {}}, "description": "server-sent events"}, **_errors(404)})
async def job_events(job_id: str, store: StoreDep, runner: RunnerDep) -> StreamingResponse:
    """Progress as server-sent events, until the job ends.

    Events: ``state`` ({"state": ...}) when the job starts running, ``progress``
    (objective, bound, gap, elapsed_s, solutions) at each improvement, and a final
    ``end`` carrying the whole job. Comments keep idle connections alive. If the service
    stops first, the stream ends with a ``shutdown`` event instead.
    """
    return await event_stream(job_id, store, runner)


async def event_stream(job_id: str, store: Store, runner: JobRunner, events: Events = SOLVE_EVENTS
                       ) -> StreamingResponse:
    """The server-sent events of a job of ``events.kind`` (404 for an unknown one, before the stream
    starts): ``state``, ``progress`` and ``end`` as ``GET /jobs/{id}/events`` sends them."""
    await run_in_threadpool(store.job, job_id, events.kind)
    return StreamingResponse(
        _job_events(job_id, store, runner, events), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _why_no_calendar(row: JobRow) -> str:
    return row.message or "; ".join((row.summary or {}).get("diagnosis", [])) or "no calendar was found"


def _schedule_body(store: Store, job_id: str) -> ScheduleBody:
    # A stored schedule means the job has ended: it is written with the job's final state.
    body = store.schedule_json(job_id)
    if body is not None:
        return body
    row = store.job(job_id)
    if row.state in ACTIVE_STATES:
        raise conflict(f"job '{job_id}' is {row.state}; its schedule is ready when it ends")
    raise ApiError(404, f"job '{job_id}' ended ({row.state}) without a calendar: {_why_no_calendar(row)}",
                   type=NOT_FOUND)


@dataclass(frozen=True)
class FinishedJob:
    """A job that has ended with a calendar: what every view of a schedule starts from."""

    row: JobRow
    schedule: Schedule


def finished_job(job_id: str, store: StoreDep) -> FinishedJob:
    body = _schedule_body(store, job_id)
    return FinishedJob(store.job(job_id), Schedule.model_validate_json(body.json))


FinishedJobDep = Annotated[FinishedJob, Depends(finished_job)]


def schedule_view(suffix: str, **route: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``GET /jobs/{job_id}/<suffix>``, a view of a finished job's calendar.

    The function takes ``job: FinishedJobDep`` (404 for an unknown job or one without a
    calendar, 409 while it runs) and returns its answer; the view is also listed in
    every finished job's ``links``. A new analysis (say gender parity) is one function::

        @schedule_view("parity", response_model=ParityReport)
        def job_parity(job: FinishedJobDep) -> ParityReport:
            return ParityReport.of(parity(job.schedule))
    """
    SCHEDULE_LINKS[suffix.replace(".", "_")] = suffix
    route["responses"] = {**_errors(404, 409), **route.get("responses", {})}
    return jobs.get(f"/{{job_id}}/{suffix}", **route)


NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "not modified: the ETag sent in If-None-Match is the schedule's"}}


@jobs.get("/{job_id}/schedule", response_model=Schedule, responses={**NOT_MODIFIED, **_errors(404, 409)})
async def job_schedule(job_id: str, request: Request, store: StoreDep) -> Response:
    """The calendar found, with the problem it answers and the solver's report.

    A schedule never changes: it has an ETag (send it back in If-None-Match for a 304),
    and is sent gzip-compressed to clients that accept it.
    """
    # The busiest read: from memory once read, compressed once, no parsing.
    body = store.cached_schedule(job_id)
    if body is None:
        body = await run_in_threadpool(_schedule_body, store, job_id)
    return schedule_response(body, request)


def schedule_response(body: ScheduleBody, request: Request) -> Response:
    """A calendar as stored, with its ETag (304 when the client has it) and gzip when the client accepts it."""
    headers = {"ETag": body.etag, "Vary": "Accept-Encoding", "Cache-Control": "private, max-age=0"}
    if_none_match = request.headers.get("if-none-match", "")
    if body.etag in if_none_match or if_none_match.strip() == "*":
        return Response(status_code=304, headers=headers)
    if accepts_gzip(request.headers.get("accept-encoding", "")):
        headers["Content-Encoding"] = "gzip"
        return Response(body.gzip, media_type="application/json", headers=headers)
    return Response(body.json, media_type="application/json", headers=headers)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header accepts gzip (``gzip``, ``*``, not ``gzip;q=0``)."""
    quality = {}
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[coding.strip()] = q
    return quality.get("gzip", quality.get("*", 0.0)) > 0


SCHEDULE_LINKS["schedule"] = "schedule"


@schedule_view("schedule.xlsx", response_class=Response, responses={
    200: {"content": {XLSX: {}}, "description": "the calendar as an Excel workbook"}})
def job_schedule_xlsx(job: FinishedJobDep) -> Response:
    """The calendar as an Excel workbook: summary, calendar by week, editions, trainers, rooms, issues."""
    buffer = BytesIO()
    schedule_workbook(job.schedule).save(buffer)
    filename = f"rtcm-schedule-{job.row.id[:8]}.xlsx"
    return Response(buffer.getvalue(), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@schedule_view("check", response_model=CheckReport)
def job_check(job: FinishedJobDep) -> CheckReport:
    """The hard rules the job's calendar breaks (none, from the solver), any backup it carries that could
    not step in (rule ``backups_can_step_in``), and its KPIs."""
    return CheckReport.of(job.row.problem_id, check(job.schedule) + verify_backups(job.schedule), kpis(job.schedule))


# ---------------------------------------------------------------------------- published

published = APIRouter(prefix="/published", tags=["published"])
VersionNumber = Annotated[int, PathParam(ge=1, le=MAX_VERSION, description="a published version's number")]
OtherVersion = Annotated[int, PathParam(ge=1, le=MAX_VERSION, description="the version compared with n")]


def _calendar_to_publish(store: Store, job_id: str) -> ScheduleBody:
    body = store.schedule_json(job_id)
    if body is not None:
        return body
    row = store.job(job_id)
    if row.state in ACTIVE_STATES:
        raise conflict(f"job '{job_id}' is {row.state}; its calendar can be published when it ends")
    raise conflict(f"job '{job_id}' ended ({row.state}) without a calendar, so there is nothing to publish: "
                   f"{_why_no_calendar(row)}")


@jobs.post("/{job_id}/publish", status_code=201, response_model=PublishedVersion, tags=["published"], responses={
    201: {"description": "published as the next version; Location names its calendar",
          "headers": {"Location": {"description": "/published/{n}", "schema": {"type": "string"}}}},
    200: {"model": PublishedVersion, "description": "published before: the same version, unchanged"},
    **_errors(404, 409, 422)})
def publish_job(job_id: str, response: Response, store: StoreDep,
                request: PublishRequest | None = None) -> PublishedVersion:
    """Publish the job's calendar as the next version (numbered 1, 2, ... across the service).

    The version keeps a copy of the calendar, its note and its key figures. Publishing is
    idempotent for the same job: a job published before answers 200 with its version, as it
    was (a note sent again is not kept). A job without a calendar (queued, running, or ended
    without one) answers 409.
    """
    store.job(job_id)  # 404 for an unknown job
    return publish_calendar(store, job_id, lambda: _calendar_to_publish(store, job_id), request, response)


def publish_calendar(store: Store, job_id: str, calendar: Callable[[], ScheduleBody],
                     request: PublishRequest | None, response: Response) -> PublishedVersion:
    """Publish the calendar of a solve or a scenario run (``calendar`` reads it, or raises 409), once per id."""
    row = store.published_for_job(job_id)
    new = False
    if row is None:
        body = calendar()
        schedule = Schedule.model_validate_json(body.json)
        row, new = store.publish(job_id, (request or PublishRequest()).note, digest(schedule),
                                 key_figures(schedule), body.json.decode("utf-8"))
    if new:
        response.headers["Location"] = f"/published/{row.number}"
    else:
        response.status_code = 200
    return PublishedVersion.of(row)


@published.get("", response_model=list[PublishedVersion], responses={200: PAGED})
def list_published(
    store: StoreDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Offset = 0,
) -> list[PublishedVersion]:
    """The published versions, newest first, with their date, note and key figures; a page of them."""
    rows, total = store.published_page(limit=limit, offset=offset)
    response.headers[TOTAL_HEADER] = str(total)
    return [PublishedVersion.of(row) for row in rows]


@published.get("/{n}", response_model=Schedule, responses={**NOT_MODIFIED, **_errors(404)})
async def published_schedule(n: VersionNumber, request: Request, store: StoreDep) -> Response:
    """The calendar of version ``n`` as published: the schedule JSON ``/jobs/{id}/schedule`` gave.

    A version never changes: it has an ETag and is sent gzip-compressed to clients that accept it.
    """
    return schedule_response(await run_in_threadpool(store.published_json, n), request)


@published.get("/{n}/diff/{m}", response_model=CalendarDiff, responses=_errors(404))
def published_diff(n: VersionNumber, m: OtherVersion, store: StoreDep) -> CalendarDiff:
    """Every edition moved, re-roomed, re-staffed, added or dropped from version ``n`` to version ``m``.

    Each change says the rule or change that forced it, as a scenario comparison does (``rtcm diff n m``).
    """
    old, new = (Schedule.model_validate_json(store.published_json(v).json) for v in (n, m))
    return diff(old, new)


# ------------------------------------------------------------------------------- checks

checks = APIRouter(tags=["check"])


def _check(store: Store, text: str) -> CheckReport:
    request = validate_as(CheckRequest, parse_text(text, "request.json"), "request")
    try:
        problem = store.problem(request.problem_id)
    except NotFound as err:
        raise invalid([f"problem_id: {err}"]) from None
    schedule = Schedule(problem=problem, editions=request.editions)
    return CheckReport.of(request.problem_id, check(schedule), kpis(schedule))


@checks.post("/check", response_model=CheckReport, openapi_extra=CHECK_BODY, responses=_errors(413, 422))
async def check_schedule(request: Request, store: StoreDep) -> CheckReport:
    """Verify a calendar the planner edited by hand against a stored problem.

    Lists every broken hard rule, by rule id and name, with the records involved.
    """
    body = await request.body()
    return await run_in_threadpool(_check, store, body.decode("utf-8", errors="replace"))


ROUTERS = (service, problems, jobs, published, checks)
