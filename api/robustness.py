"""Absence risk over HTTP: ``rtcm robustness`` as a run of its own kind.

- ``POST /jobs/{id}/robustness`` (a finished solve's calendar) and ``POST /published/{n}/robustness``
  (a published version): draw ``samples`` futures with people away (``absence_rate`` on each course
  day, ``week_rate`` for whole weeks, ``seed``), re-plan the calendar in each, without its backups and
  with them, each re-plan within ``time_limit_s``; answers 202 at once;
- ``GET /robustness/runs/{id}``: its state, its progress (futures done of all, seconds elapsed, an
  estimate of the seconds left) and, once ended, the report (``?futures=true`` adds every future)
  and the histogram of the editions changed per future;
- ``GET /robustness/runs/{id}/events``: the same progress as server-sent events, as a solve's;
- ``DELETE /robustness/runs/{id}``: stop it; the report covers the futures finished ("12 of 50");
- ``GET /robustness/runs/{id}/robustness.xlsx``: the workbook ``rtcm robustness --out`` writes.

A robustness run is a job of the kind "robustness" (:mod:`api.jobs`): it waits in the solves' queue
and runs in one process of its own, which re-plans the futures in processes of its own, as many at
once as the cores one slot may use (:attr:`api.jobs.JobRunner.cores_per_run`), or on the Ray cluster
``RTCM_RAY_ADDRESS`` names when it is set (:func:`scenarios.robustness.robustness`). The backups are
those the calendar names (``Schedule.backups``, chosen by its solve) while each can still step in,
else chosen by the run first. A run stopped, or stopped by the service shutting down, keeps the report of the futures it
finished; one whose processes die keeps only how many it had finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from io import BytesIO
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import Field

from api.errors import NOT_FOUND, ApiError, conflict
from api.jobs import JobRunner, RobustnessProgress, RobustnessSettings, Work
from api.routes import XLSX, Events, FinishedJobDep, RunnerDep, StoreDep, VersionNumber, event_stream, queue_answers
from api.store import ACTIVE_STATES, DEFAULT_PROBLEM_ID, JobRow, Store, as_utc
from api.wire import MAX_SEED, JobState, ProblemDetails, Wire
from model.errors import InputError
from model.formats.excel_robustness import changed_counts, robustness_workbook
from model.robustness import MAX_SAMPLES, AbsenceRates, RobustnessReport, check_settings
from model.schedule import Schedule
from scenarios.robustness import TIME_LIMIT_S
from scenarios.sweep import ray_address
from scheduler.solve import SolveOptions

MAX_REPLAN_TIME_S = 120.0  # each re-plan's try
DEFAULT_SAMPLES = 50

router = APIRouter(tags=["robustness"])


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ProblemDetails} for code in codes}


class RobustnessRequest(Wire):
    """The futures to draw and how long each re-plan may take. Every field has a default."""

    # The ranges are documented here and checked once, by model.robustness.check_settings.
    samples: int = Field(default=DEFAULT_SAMPLES, description=f"futures to draw, 1 to {MAX_SAMPLES:,}",
                         json_schema_extra={"minimum": 1, "maximum": MAX_SAMPLES})
    absence_rate: float = Field(default=0.03, description="the chance a person is away on a given course day, "
                                "0 to 1", json_schema_extra={"minimum": 0, "maximum": 1})
    week_rate: float = Field(default=0.0, description="the chance a person is away for a given whole week, 0 to 1",
                             json_schema_extra={"minimum": 0, "maximum": 1})
    seed: int = Field(default=0, ge=0, le=MAX_SEED, description="the same seed draws the same futures")
    time_limit_s: float = Field(default=TIME_LIMIT_S, gt=0, le=MAX_REPLAN_TIME_S, allow_inf_nan=False,
                                description="seconds per re-plan (each of its tries)")

    def rates(self) -> AbsenceRates:
        """The rates to sample with; :class:`InputError` naming each field out of range (``samples`` too)."""
        try:
            return check_settings(self.samples, day=self.absence_rate, week=self.week_rate)
        except InputError as err:
            # Fields of the request body: pointed at as FastAPI's own checks point ("/samples").
            raise InputError([replace(issue, at=()) for issue in err.issues], "the request") from None


class ChangedCount(Wire):
    """One bar of the histogram: the futures in which this many editions changed."""

    editions: int = Field(description="editions changed (moved, re-staffed, re-roomed, another mode)")
    without_backups: int = Field(description="futures with that many changed, without backups")
    with_backups: int = Field(description="futures with that many changed, with backups")


class RobustnessRunOut(Wire):
    id: str
    job_id: str | None = Field(description="the finished solve whose calendar is re-planned; null for a version")
    version: int | None = Field(description="the published version re-planned; null for a solve's calendar")
    problem: str = Field(description="the calendar's problem's name")
    editions: int = Field(description="editions in the calendar")
    samples: int = Field(description="futures asked for")
    absence_rate: float
    week_rate: float
    seed: int
    time_limit_s: float = Field(description="each re-plan's (each try's) time limit")
    processes: int = Field(description="futures re-planned at once")
    backend: str = Field(description="local: this machine's cores; ray: the Ray cluster RTCM_RAY_ADDRESS names")
    state: JobState
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress: RobustnessProgress | None = None
    message: str | None = Field(default=None, description="why a run ended short of its futures, failed, was "
                                                          "cancelled or interrupted")
    report: RobustnessReport | None = Field(
        default=None, description="once ended: the futures re-planned summed up, without backups and with them "
        "(report.samples of report.requested when stopped); report.futures holds every future with ?futures=true")
    histogram: list[ChangedCount] = Field(
        default_factory=list, description="futures by editions changed in them, from none to the most")
    links: dict[str, str]

    @classmethod
    def of(cls, row: JobRow, live: tuple[str, RobustnessProgress | None] | None = None,
           report: RobustnessReport | None = None, futures: bool = False) -> RobustnessRunOut:
        """The stored run (its settings are in ``row.options``), with the runner's fresher state while live,
        and its report once ended (every future in it when ``futures``)."""
        state = row.state
        progress = RobustnessProgress.model_validate(row.progress) if row.progress else None
        if live is not None and row.state in ACTIVE_STATES:
            state, progress = live[0], live[1] or progress
        settings = row.options
        base = f"/robustness/runs/{row.id}"
        links = {"self": base, "events": f"{base}/events",
                 "calendar": f"/jobs/{settings['job_id']}/schedule" if settings["version"] is None
                 else f"/published/{settings['version']}"}
        if report is not None and report.samples and state not in ACTIVE_STATES:
            links["workbook"] = f"{base}/robustness.xlsx"
        histogram = [] if report is None else [ChangedCount(editions=k, without_backups=a, with_backups=b)
                                               for k, a, b in changed_counts(report.futures)]
        if report is not None and not futures:
            report = report.model_copy(update={"futures": []})
        return cls(
            id=row.id, job_id=settings["job_id"], version=settings["version"], problem=settings["problem"],
            editions=settings["editions"], samples=settings["samples"], absence_rate=settings["absence_rate"],
            week_rate=settings["week_rate"], seed=settings["seed"], time_limit_s=settings["time_limit_s"],
            processes=settings["processes"], backend=settings["backend"],
            state=state,  # type: ignore[arg-type]
            created_at=as_utc(row.created_at),  # type: ignore[arg-type]
            started_at=as_utc(row.started_at), finished_at=as_utc(row.finished_at),
            progress=progress, message=row.message, report=report, histogram=histogram, links=links,
        )


def _report(store: Store, row: JobRow) -> RobustnessReport | None:
    text = store.robustness_report_json(row.id) if row.state not in ACTIVE_STATES else None
    return RobustnessReport.model_validate_json(text) if text else None


def _run(store: Store, runner: JobRunner, run_id: str, futures: bool = False) -> RobustnessRunOut:
    live = runner.live_robustness(run_id)  # before the row: a run that ends in between reads as ended
    row = store.job(run_id, kind="robustness")
    return RobustnessRunOut.of(row, live, _report(store, row), futures)


def _ended(store: Store) -> Callable[[JobRow], RobustnessRunOut]:
    """The "end" event of a run's stream: the run as ``GET`` shows it, without every future."""
    return lambda row: RobustnessRunOut.of(row, None, _report(store, row))


def _submit(store: Store, runner: JobRunner, req: RobustnessRequest, response: Response, calendar: Schedule,
            calendar_json: str, problem_id: str, job_id: str | None, version: int | None) -> RobustnessRunOut:
    rates = req.rates()
    # As the CLI: this machine's cores, unless RTCM_RAY_ADDRESS names a Ray cluster.
    settings = RobustnessSettings(samples=req.samples, rates=rates, seed=req.seed, time_limit_s=req.time_limit_s,
                                  processes=runner.cores_per_run, backend="ray" if ray_address() else "local")
    shown = {
        "job_id": job_id, "version": version, "problem": calendar.problem.name, "editions": len(calendar.editions),
        "samples": req.samples, "absence_rate": rates.day, "week_rate": rates.week, "seed": req.seed,
        "time_limit_s": req.time_limit_s, "processes": settings.processes, "backend": settings.backend,
    }
    work = Work("robustness", "", SolveOptions(time_limit_s=req.time_limit_s, workers=1), base_json=calendar_json,
                name=calendar.problem.name, robustness=settings)
    with queue_answers():
        row = runner.submit_run(problem_id, shown, work)
    response.headers["Location"] = f"/robustness/runs/{row.id}"
    return _run(store, runner, row.id)


START_ANSWERS = _errors(404, 409, 422, 429, 503)


@router.post("/jobs/{job_id}/robustness", status_code=202, response_model=RobustnessRunOut, tags=["jobs"],
             responses=START_ANSWERS)
def run_job_robustness(job: FinishedJobDep, response: Response, store: StoreDep, runner: RunnerDep,
                       req: RobustnessRequest | None = None) -> RobustnessRunOut:
    """Re-plan a finished solve's calendar in sampled absence futures (``rtcm robustness`` over HTTP).

    Answers at once; follow the run at ``/robustness/runs/{id}`` or its ``/events``. A job still
    running answers 409, one that ended without a calendar 404. The run waits in the solves' queue:
    a full queue answers 429 with Retry-After.
    """
    body = store.schedule_json(job.row.id)
    assert body is not None  # a finished job's calendar, just read
    return _submit(store, runner, req or RobustnessRequest(), response, job.schedule, body.json.decode(),
                   job.row.problem_id, job.row.id, None)


@router.post("/published/{n}/robustness", status_code=202, response_model=RobustnessRunOut, tags=["published"],
             responses=START_ANSWERS)
def run_published_robustness(n: VersionNumber, response: Response, store: StoreDep, runner: RunnerDep,
                             req: RobustnessRequest | None = None) -> RobustnessRunOut:
    """Re-plan published version ``n`` in sampled absence futures, as ``POST /jobs/{id}/robustness`` does."""
    version = store.published_version(n)  # 404 for a version not published
    body = store.published_json(n)
    # The problem of the job (or scenario run) it was published from, while that is stored.
    problem_id = store.problem_id_of(version.job_id) or DEFAULT_PROBLEM_ID
    return _submit(store, runner, req or RobustnessRequest(), response, Schedule.model_validate_json(body.json),
                   body.json.decode(), problem_id, None, n)


@router.get("/robustness/runs/{run_id}", response_model=RobustnessRunOut, responses=_errors(404))
def get_robustness_run(
    run_id: str, store: StoreDep, runner: RunnerDep,
    futures: Annotated[bool, Query(description="include every future in report.futures")] = False,
) -> RobustnessRunOut:
    """A robustness run: its progress, then the report of the futures re-planned."""
    return _run(store, runner, run_id, futures)


@router.get("/robustness/runs/{run_id}/events", response_class=StreamingResponse, responses={
    200: {"content": {"text/event-stream": {}}, "description": "server-sent events"}, **_errors(404)})
async def robustness_run_events(run_id: str, store: StoreDep, runner: RunnerDep) -> StreamingResponse:
    """Progress as server-sent events, until the run ends.

    Events: ``state`` ({"state": ...}) when the run starts, ``progress`` (done, total, elapsed_s,
    estimate_s) as the futures start and as each ends, and a final ``end`` carrying the whole run
    as ``GET /robustness/runs/{id}`` gives it. If the service stops first, the stream ends with a
    ``shutdown`` event instead.
    """
    return await event_stream(run_id, store, runner, Events("robustness", RobustnessProgress, _ended(store)))


@router.delete("/robustness/runs/{run_id}", response_model=RobustnessRunOut, responses=_errors(404))
def stop_robustness_run(run_id: str, store: StoreDep, runner: RunnerDep) -> RobustnessRunOut:
    """Stop a queued or running robustness run; the report covers the futures re-planned so far.

    The futures under way are abandoned. Waits for the run to wind down (a few seconds at most); a
    run that has ended is left as it is.
    """
    store.job(run_id, kind="robustness")
    runner.cancel(run_id)
    return _run(store, runner, run_id)


@router.get("/robustness/runs/{run_id}/robustness.xlsx", response_class=Response, responses={
    200: {"content": {XLSX: {}}, "description": "the report as a workbook: its tables, a histogram, every future"},
    **_errors(404, 409)})
def robustness_run_xlsx(run_id: str, store: StoreDep, runner: RunnerDep) -> Response:
    """The report as the workbook ``rtcm robustness --out`` writes: the figures without and with backups, a
    histogram of the editions changed per future with its chart, who and what is most often at fault, and
    a row per future."""
    live = runner.live_robustness(run_id)
    row = store.job(run_id, kind="robustness")
    state = live[0] if live is not None and row.state in ACTIVE_STATES else row.state
    if state in ACTIVE_STATES:
        raise conflict(f"robustness run '{run_id}' is {state}; its workbook is ready when it ends")
    report = _report(store, row)
    if report is None or not report.samples:
        raise ApiError(404, f"robustness run '{run_id}' ended ({row.state}) without a future re-planned: "
                            f"{row.message or 'none was finished'}", type=NOT_FOUND)
    buffer = BytesIO()
    robustness_workbook(report).save(buffer)
    return Response(buffer.getvalue(), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="rtcm-robustness-{run_id[:8]}.xlsx"'})
