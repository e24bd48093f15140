"""The planner's web page: one static page at ``/``, and the JSON it needs beyond the API.

The page (``api/static/``: ``index.html``, ``app.js``, ``app.css``; no build step, nothing
from a CDN) talks to the JSON API like any client: it lists and uploads problems, starts a
solve and follows its server-sent events, and fetches the finished calendar. This router
adds what only the page needs:

- ``GET /jobs/{id}/view``: a finished calendar ready to draw (each edition with its room,
  team, participants and penalties in planner words; the trainers, rooms, modules and
  their colours, the days off), computed from the schedule by the checker;
- ``GET /jobs/{id}/parity``: the gender parity report (:func:`model.parity.parity_report`);
- ``GET /jobs/{id}/trainers/{trainer}.ics`` and ``/rooms/{room}.ics``: iCalendar files;
- ``GET /scenarios``: the what-if scenario files shipped in ``scenarios/``;
- ``POST /scenarios/run``: a shipped scenario, or changes built in a form, applied to a
  finished job's calendar and solved off the request path staying close to it (like
  ``rtcm replan``), or to the latest published version when no job is named;
  ``GET /scenarios/runs/{id}`` follows it and, once it has ended, gives the KPIs side by side
  and every edition moved, re-roomed, re-staffed, added or dropped;
- ``POST /scenarios/runs/{id}/publish``: the run's calendar published as the next version.

A scenario run is a job of the kind "scenario" (:mod:`api.jobs`): it waits in the solves'
queue, runs in a solver process of its own, can be stopped keeping the best calendar found,
and is stored with its comparison, so that a restart forgets neither; one the service
stopped with is marked interrupted.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse
from pydantic import Field, TypeAdapter, ValidationError

import scenarios as scenarios_package
from api.errors import NOT_FOUND, ApiError, conflict, not_found
from api.jobs import Comparison, JobRunner, Work
from api.routes import (
    FinishedJob,
    FinishedJobDep,
    RunnerDep,
    StoreDep,
    finished_job,
    publish_calendar,
    queue_answers,
)
from api.store import ACTIVE_STATES, DEFAULT_PROBLEM_ID, JobRow, ScheduleBody, Store, as_utc
from api.wire import SCHEDULE_LINKS, ProblemDetails, ProgressOut, PublishedVersion, PublishRequest, Wire, machine_cores
from model.calendar import WEEKDAYS
from model.check import check, kpis, penalty_breakdown
from model.compare import CalendarDiff, KpiRow
from model.errors import InputError, format_validation_error
from model.formats.excel import module_fill
from model.formats.ical import file_name, room_ics, trainer_ics
from model.parity import ParityReport, parity_report
from model.participants import edition_participants
from model.schedule import Schedule, ScheduledEdition, UnscheduledEdition
from scenarios.changes import AnyChange
from scenarios.replan import with_baseline
from scenarios.scenario import Scenario, apply_changes, read_scenario
from scheduler.solve import SolveOptions

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
SCENARIO_DIR = Path(scenarios_package.__file__).resolve().parent
CALENDAR = "text/calendar; charset=utf-8"

MAX_SCENARIO_TIME_S = 120.0
MAX_SCENARIO_CHANGES = 200  # a scenario is a few changes; each may add a period to a list
DEFAULT_SCENARIO_TIME_S = 20.0

router = APIRouter(tags=["page"])


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ProblemDetails} for code in codes}


# -------------------------------------------------------------------------------- page


def _static(name: str) -> FileResponse:
    path = STATIC_DIR / name
    kind = STATIC_TYPES.get(path.suffix)
    # One folder, no sub-folders: a name never leaves it.
    if kind is None or name.startswith(".") or path.parent != STATIC_DIR or not path.is_file():
        raise ApiError(404, f"no static file '{name}'", type=NOT_FOUND)
    return FileResponse(path, media_type=kind, headers={"Cache-Control": "no-cache"})


@router.get("/", include_in_schema=False)
def page() -> FileResponse:
    """The planner's page."""
    return _static("index.html")


@router.get("/static/{name}", include_in_schema=False)
def static_file(name: str) -> FileResponse:
    return _static(name)


# --------------------------------------------------------------------- calendar view


class ModuleRef(Wire):
    number: int
    title: str
    colour: str = Field(description="the module's colour in the Excel calendar, #RRGGBB")


class TopicRef(Wire):
    id: str
    title: str
    module: int


class TrainerRef(Wire):
    id: str
    name: str
    organisation: str
    gender: str


class RoomRef(Wire):
    id: str
    name: str
    venue: str
    venue_name: str
    seats: int
    hybrid: bool
    online_seats: int


class DayOff(Wire):
    day: date
    reason: str


class Issue(Wire):
    """A broken hard rule or a soft rule's penalty, in planner words."""

    kind: Literal["hard", "soft"]
    rule: str
    name: str
    records: list[str]
    message: str


class EditionView(Wire):
    edition: str
    topic: str
    number: int
    title: str
    module: int
    start: date
    end: date
    days: list[date]
    mode: str
    venue: str | None
    venue_name: str | None
    room: str | None
    room_name: str | None
    trainers: list[str]
    organisations: list[str] = Field(description="the organisations of its trainers")
    lead_agencies: list[str] = Field(default_factory=list, description="its topic's lead agencies")
    language: str = Field(default="en", description="its working language")
    interpretation: list[str] = Field(default_factory=list, description="languages it is interpreted into")
    participants_in_person: int
    participants_online: int
    seated: int | None = Field(description="nominees seated in it; None when the problem has no nominations")
    seated_women: int | None = None
    costs: dict[str, int] = Field(
        default_factory=dict, description="what it costs by category, USD (fees_usd, travel_usd, room_cost_usd, "
        "interpretation_usd, participant_fares_usd, participant_allowances_usd): each adds up over the editions "
        "to the calendar's figure of that name")
    cost_usd: int = Field(default=0, description="what it costs, every category together")
    mandatory: bool
    priority: int
    issues: list[Issue] = Field(description="the hard rules it breaks and the penalties it incurs")


class DemandServed(Wire):
    """Topic requests (a nominee and a topic of their list) and those seated (the nominee sits in an
    edition of the topic), as the checker counts them (:class:`model.check.Kpis`)."""

    requests: int
    seated: int
    requests_by_priority: dict[int, int] = Field(
        description="by the topic's priority, the levels with requests, 3 first (a topic outside the programme: 0)")
    seated_by_priority: dict[int, int]
    requests_by_audience: dict[str, int] = Field(description="by the nominee's audience")
    seated_by_audience: dict[str, int]


class CalendarView(Wire):
    """A finished calendar as the page draws it."""

    job_id: str
    problem_id: str
    problem: str
    horizon_start: date
    horizon_end: date
    working_weekdays: list[str]
    status: str | None
    objective: float | None
    bound: float | None
    gap: float | None
    editions_total: int
    editions_scheduled: int
    training_days: int
    women_share_of_trainer_days: float | None
    cost_usd: int
    demand: DemandServed | None = Field(
        default=None, description="the nominees' topic requests and those seated; null without nominations")
    hard_rules_broken: int
    modules: list[ModuleRef]
    topics: list[TopicRef]
    trainers: list[TrainerRef]
    rooms: list[RoomRef]
    organisations: list[str]
    days_off: list[DayOff] = Field(description="holidays and closures on working weekdays")
    editions: list[EditionView]
    unscheduled: list[UnscheduledEdition]
    issues: list[Issue] = Field(description="issues that concern no single edition")
    diagnosis: list[str]
    warnings: list[str]


def module_colour(module: int) -> str:
    return "#" + str(module_fill(module).fgColor.rgb)[-6:]


def calendar_view(job_id: str, problem_id: str, schedule: Schedule) -> CalendarView:
    """Everything the page shows of a calendar, from the schedule alone."""
    p = schedule.problem
    k = kpis(schedule)
    by_edition: dict[str, list[Issue]] = {}
    general: list[Issue] = []

    def file(issue: Issue) -> None:
        mine = [r for r in issue.records if r in schedule.by_edition]
        for r in mine:
            by_edition.setdefault(r, []).append(issue)
        if not mine:
            general.append(issue)

    violations = check(schedule)
    for v in violations:
        file(Issue(kind="hard", rule=v.rule, name=v.name, records=v.records, message=v.message))
    for it in penalty_breakdown(schedule):
        file(Issue(kind="soft", rule=it.rule, name=it.name, records=it.records, message=it.message))
    seated = edition_participants(schedule) if p.nominations else None
    trainers = p.trainer_by_id
    editions = []
    for se in schedule.sorted_editions():
        ed = p.edition_by_id.get(se.edition)
        venue_name = room_name = None
        if se.room in p.room_by_id:
            venue, room = p.room_by_id[se.room]
            venue_name, room_name = venue.name, room.name
        people = seated.get(se.edition, []) if seated is not None else None
        editions.append(EditionView(
            edition=se.edition, topic=se.topic, number=se.number, title=se.title, module=se.module,
            start=se.start, end=se.end, days=se.days, mode=se.mode, venue=se.venue, venue_name=venue_name,
            room=se.room, room_name=room_name, trainers=se.trainers,
            organisations=sorted({trainers[t].organisation for t in se.trainers if t in trainers}),
            lead_agencies=list(ed.topic.lead_agencies) if ed else [],
            language=ed.item.language if ed else "en", interpretation=list(ed.item.interpretation) if ed else [],
            participants_in_person=se.participants_in_person, participants_online=se.participants_online,
            seated=None if people is None else len(people),
            seated_women=None if people is None else sum(1 for _, n in people if n.gender == "woman"),
            costs=k.edition_costs.get(se.edition, {}), cost_usd=k.edition_cost_usd(se.edition),
            mandatory=ed.mandatory if ed else True, priority=ed.item.priority if ed else 0,
            issues=by_edition.get(se.edition, []),
        ))
    cal = p.work_calendar
    weekdays = set(p.calendar.working_weekdays)
    report = schedule.solver
    return CalendarView(
        job_id=job_id, problem_id=problem_id, problem=p.name,
        horizon_start=p.calendar.start, horizon_end=p.calendar.end,
        working_weekdays=list(p.calendar.working_weekdays),
        status=report.status if report else None,
        objective=report.objective if report else None, bound=report.bound if report else None,
        gap=report.gap if report else None,
        editions_total=k.editions_total, editions_scheduled=k.editions_scheduled,
        training_days=k.training_days, women_share_of_trainer_days=k.women_share_of_trainer_days,
        cost_usd=k.cost_usd, hard_rules_broken=len(violations),
        demand=DemandServed(
            requests=k.requests_total, seated=k.seated_total, requests_by_priority=k.requests_by_priority,
            seated_by_priority=k.seated_by_priority, requests_by_audience=k.requests_by_audience,
            seated_by_audience=k.seated_by_audience) if p.nominations else None,
        modules=[ModuleRef(number=m.number, title=m.title, colour=module_colour(m.number))
                 for m in p.modules],
        topics=[TopicRef(id=t.id, title=t.title, module=t.module) for t in p.topics],
        trainers=[TrainerRef(id=t.id, name=t.name, organisation=t.organisation, gender=t.gender)
                  for t in p.trainers],
        rooms=[RoomRef(id=r.id, name=r.name, venue=v.id, venue_name=v.name, seats=r.seats, hybrid=r.hybrid,
                       online_seats=r.online_seats) for v, r in p.rooms],
        organisations=[o.id for o in p.organisations],
        days_off=[DayOff(day=d, reason=why) for d, why in sorted(cal.off.items())
                  if why != "weekend" and WEEKDAYS[d.weekday()] in weekdays],
        editions=editions, unscheduled=schedule.unscheduled, issues=general,
        diagnosis=report.diagnosis if report else [], warnings=report.warnings if report else [],
    )


SCHEDULE_LINKS["view"] = "view"


@router.get("/jobs/{job_id}/view", response_model=CalendarView, responses=_errors(404, 409))
def job_view(job: FinishedJobDep) -> CalendarView:
    """The finished calendar ready to draw: editions with room, team, participants and penalties."""
    return calendar_view(job.row.id, job.row.problem_id, job.schedule)


SCHEDULE_LINKS["parity"] = "parity"


@router.get("/jobs/{job_id}/parity", response_model=ParityReport, responses=_errors(404, 409))
def job_parity(job: FinishedJobDep) -> Any:
    """Women's share of trainer-days and of participants against the targets, failures with reasons."""
    return parity_report(job.schedule)


def _ics(body: bytes, kind: str, ident: str) -> Response:
    return Response(body, media_type=CALENDAR,
                    headers={"Content-Disposition": f'attachment; filename="{file_name(kind, ident)}"'})


ICS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {CALENDAR: {}}, "description": "an iCalendar file"}, **_errors(404, 409)}


@router.get("/jobs/{job_id}/trainers/{trainer_id}.ics", response_class=Response, responses=ICS_RESPONSES)
def job_trainer_ics(trainer_id: str, job: FinishedJobDep) -> Response:
    """A trainer's courses as an iCalendar file (one all-day event per edition)."""
    try:
        return _ics(trainer_ics(job.schedule, trainer_id), "trainer", trainer_id)
    except KeyError:
        raise not_found("trainer", trainer_id) from None


@router.get("/jobs/{job_id}/rooms/{room_id}.ics", response_class=Response, responses=ICS_RESPONSES)
def job_room_ics(room_id: str, job: FinishedJobDep) -> Response:
    """A room's courses as an iCalendar file."""
    try:
        return _ics(room_ics(job.schedule, room_id), "room", room_id)
    except KeyError:
        raise not_found("room", room_id) from None


# ------------------------------------------------------------------------------ scenarios


class ScenarioFile(Wire):
    file: str = Field(description="the file's name in scenarios/, to run it")
    name: str
    description: str
    changes: list[str] = Field(description="each change in words")
    errors: list[str] = Field(default_factory=list, description="why the file cannot be read")


def shipped_scenarios() -> list[ScenarioFile]:
    out = []
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        try:
            s = read_scenario(path)
        except InputError as err:
            out.append(ScenarioFile(file=path.name, name=path.stem, description="", changes=[],
                                    errors=err.messages))
            continue
        out.append(ScenarioFile(file=path.name, name=s.name, description=s.description,
                                changes=[c.describe() for c in s.changes]))
    return out


@router.get("/scenarios", response_model=list[ScenarioFile])
def list_scenarios() -> list[ScenarioFile]:
    """The what-if scenario files shipped with the planner."""
    return shipped_scenarios()


class ScenarioRunRequest(Wire):
    """A what-if scenario to apply to a finished job's calendar: a shipped file, or changes."""

    job_id: str | None = Field(default=None, description="a finished job: its calendar is the base; "
                               "none: the latest published version is")
    file: str | None = Field(default=None, description="a shipped scenario (see GET /scenarios)")
    name: str | None = Field(default=None, description="for changes built by hand")
    changes: list[dict[str, Any]] | None = Field(
        default=None, max_length=MAX_SCENARIO_CHANGES,
        description="changes as in a scenario file, e.g. {type: room_closed, room, start, end}")
    stay_close: bool = Field(default=True, description="moving the base calendar's editions costs points")
    time_limit_s: float = Field(default=DEFAULT_SCENARIO_TIME_S, gt=0, le=MAX_SCENARIO_TIME_S)


CHANGE: TypeAdapter[Any] = TypeAdapter(AnyChange)

RunState = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]


class ScenarioRunOut(Wire):
    id: str
    job_id: str
    name: str
    description: str
    changes: list[str]
    state: RunState
    time_limit_s: float
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress: ProgressOut | None = None
    message: str | None = None
    base: KpiRow | None = Field(default=None, description="the base calendar's figures, once ended")
    scenario: KpiRow | None = Field(default=None, description="the scenario calendar's figures, once ended")
    diff: CalendarDiff | None = Field(default=None, description="every edition changed, and why")
    editions: list[ScheduledEdition] = Field(default_factory=list, description="the scenario calendar")
    unscheduled: list[UnscheduledEdition] = Field(default_factory=list)
    diagnosis: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, row: JobRow, live: tuple[str, ProgressOut | None] | None = None,
           comparison: Comparison | None = None) -> ScenarioRunOut:
        """The stored run (its settings are in ``row.options``), with the runner's fresher state while live."""
        state, progress = row.state, ProgressOut.model_validate(row.progress) if row.progress else None
        if live is not None and row.state in ACTIVE_STATES:
            state, progress = live[0], live[1] or progress
        settings = row.options
        return cls(
            id=row.id, job_id=settings["job_id"], name=settings["name"], description=settings["description"],
            changes=settings["changes"], state=state,  # type: ignore[arg-type]
            time_limit_s=settings["time_limit_s"], created_at=as_utc(row.created_at),  # type: ignore[arg-type]
            started_at=as_utc(row.started_at), finished_at=as_utc(row.finished_at),
            progress=progress, message=row.message,
            **(dict(comparison) if comparison is not None else {}),
        )


def _scenario_of(req: ScenarioRunRequest) -> Scenario:
    if (req.file is None) == (req.changes is None):
        raise InputError(["give one of file (a shipped scenario) and changes"], "the request")
    if req.file is not None:
        names = {s.file for s in shipped_scenarios()}
        if req.file not in names:
            raise InputError([f"file: '{req.file}' is not a shipped scenario ({', '.join(sorted(names))})"],
                             "the request")
        scenario = read_scenario(SCENARIO_DIR / req.file)
        return scenario.model_copy(update={"stay_close": req.stay_close})
    if not req.changes:
        raise InputError(["changes: add at least one change"], "the scenario")
    changes, errors = [], []
    for i, raw in enumerate(req.changes):
        try:
            changes.append(CHANGE.validate_python(raw))
        except ValidationError as err:
            kind = raw.get("type", "?")
            errors += [f"change {i + 1} ({kind}): {m.removeprefix(f'{kind}.')}"
                       for m in format_validation_error(err, raw)]
    if errors:
        raise InputError(errors, "the scenario")
    return Scenario(name=req.name or "My scenario", changes=changes, stay_close=req.stay_close)


def _base_of(job_id: str | None, store: Store) -> tuple[str, str, ScheduleBody]:
    """A scenario's base: (the job it came from, its problem, its calendar): the job's, or the latest
    published version's when no job is named (a version published from a run re-plans that run)."""
    if job_id is not None:
        job: FinishedJob = finished_job(job_id, store)
        body = store.schedule_json(job.row.id)
        assert body is not None  # a finished job's calendar, just read
        return job.row.id, job.row.problem_id, body
    rows, _ = store.published_page(limit=1)
    if not rows:
        raise conflict("nothing is published yet: name the job whose calendar is the base (job_id)")
    return rows[0].job_id, store.problem_id_of(rows[0].job_id) or DEFAULT_PROBLEM_ID, \
        store.published_json(rows[0].number)


def _scenario_run(store: Store, runner: JobRunner, run_id: str) -> ScenarioRunOut:
    live = runner.live_view(run_id)  # before the row: a run that ends in between reads as ended
    row = store.job(run_id, kind="scenario")
    text = store.comparison_json(run_id) if row.state not in ACTIVE_STATES else None
    return ScenarioRunOut.of(row, live, Comparison.model_validate_json(text) if text else None)


@router.post("/scenarios/run", status_code=202, response_model=ScenarioRunOut,
             responses=_errors(404, 409, 422, 429, 503))
def run_scenario(req: ScenarioRunRequest, response: Response, store: StoreDep, runner: RunnerDep) -> ScenarioRunOut:
    """Apply a what-if scenario to a finished job's calendar and solve it, staying close to it.

    Answers at once; follow the run at ``/scenarios/runs/{id}``. Its changes apply to the
    job's problem (a shipped file's ``base`` is not read). The run waits in the solves'
    queue: a full queue answers 429 with Retry-After.
    """
    base_id, problem_id, base_json = _base_of(req.job_id, store)
    base = Schedule.model_validate_json(base_json.json)
    scenario = _scenario_of(req)
    changed = apply_changes(base.problem, scenario, f"scenario '{scenario.name}'")
    problem = with_baseline(changed, base) if scenario.stay_close and base.editions else changed
    options = SolveOptions(time_limit_s=req.time_limit_s, workers=min(2, machine_cores()))
    shown = {
        "job_id": base_id, "name": scenario.name, "description": scenario.description,
        "changes": [c.describe() for c in scenario.changes], "stay_close": scenario.stay_close,
        "time_limit_s": req.time_limit_s, "workers": options.workers,
    }
    work = Work("scenario", problem.model_dump_json(), options, base_json=base_json.json.decode(),
                name=scenario.name)
    with queue_answers():
        row = runner.submit_run(problem_id, shown, work)
    response.headers["Location"] = f"/scenarios/runs/{row.id}"
    return _scenario_run(store, runner, row.id)


@router.get("/scenarios/runs/{run_id}", response_model=ScenarioRunOut, responses=_errors(404))
def get_scenario_run(run_id: str, store: StoreDep, runner: RunnerDep) -> ScenarioRunOut:
    """A scenario run: its progress, then the base and the scenario side by side."""
    return _scenario_run(store, runner, run_id)


def _run_calendar(store: Store, run_id: str) -> ScheduleBody:
    body = store.scenario_schedule_json(run_id)
    if body is not None:
        return body
    row = store.job(run_id, kind="scenario")
    if row.state in ACTIVE_STATES:
        raise conflict(f"scenario run '{run_id}' is {row.state}; its calendar can be published when it ends")
    raise conflict(f"scenario run '{run_id}' ended ({row.state}) without a calendar, so there is nothing "
                   f"to publish: {row.message or 'no calendar was found'}")


@router.post("/scenarios/runs/{run_id}/publish", status_code=201, response_model=PublishedVersion,
             tags=["published"], responses={
                 201: {"description": "published as the next version; Location names its calendar"},
                 200: {"model": PublishedVersion, "description": "published before: the same version"},
                 **_errors(404, 409, 422)})
def publish_scenario_run(run_id: str, response: Response, store: StoreDep,
                         request: PublishRequest | None = None) -> PublishedVersion:
    """Publish a scenario run's calendar (re-planned after an absence, a closure...) as the next version.

    As ``POST /jobs/{id}/publish``: once per run (published again, 200 with its version), 409 without a
    calendar. The version holds the scenario's problem, so a later scenario run on the latest
    version (no ``job_id``) starts from it, absences and all.
    """
    store.job(run_id, kind="scenario")  # 404 for an unknown run
    return publish_calendar(store, run_id, lambda: _run_calendar(store, run_id), request, response)


@router.delete("/scenarios/runs/{run_id}", response_model=ScenarioRunOut, responses=_errors(404))
def stop_scenario_run(run_id: str, store: StoreDep, runner: RunnerDep) -> ScenarioRunOut:
    """Stop a queued or running scenario; the best calendar found so far is compared.

    Waits for the run to wind down (a few seconds at most); a run that has ended is left as it is.
    """
    store.job(run_id, kind="scenario")
    runner.cancel(run_id)
    return _scenario_run(store, runner, run_id)
