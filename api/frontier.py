"""The budget frontier over HTTP: ``rtcm frontier`` as a run of its own kind.

- ``POST /problems/{id}/frontier``: a stored problem (or ``default``) solved at each budget, a
  range (``start_usd``, ``stop_usd`` included, ``step_usd``) or a list (``budgets_usd``), each
  for ``time_limit_s``; answers 202 at once;
- ``GET /frontier/runs/{id}``: its state, the budget being solved and its search, and the points
  of the budgets solved so far (cost, editions, requests seated in all and by priority, seats in
  person and online, the women's share of participants, the solve whose calendar it keeps);
- ``DELETE /frontier/runs/{id}``: stop it; the budget under way keeps the best calendar it found
  and the budgets after it are left out;
- ``GET /frontier/runs/{id}/frontier.xlsx``: the workbook ``rtcm frontier --out`` writes.

A frontier run is a job of the kind "frontier" (:mod:`api.jobs`): it waits in the solves' queue
and runs in one solver process of its own, the budgets one after another, the smallest first
(:func:`scenarios.frontier.frontier_in_turn`). A budget's point depends on the budgets at or
below it only, so each point is final once its budget is solved: the run keeps its points as
it goes, and one stopped, failed or interrupted keeps those it has.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import Field

from api.errors import NOT_FOUND, ApiError, conflict
from api.jobs import FrontierProgress, JobRunner, Work
from api.routes import XLSX, RunnerDep, StoreDep, queue_answers
from api.store import ACTIVE_STATES, JobRow, Store, as_utc
from api.wire import JobState, ProblemDetails, ProgressOut, Wire, machine_cores
from model.errors import InputError, Issue
from model.formats.excel_frontier import frontier_workbook
from model.frontier import MAX_BUDGETS, Frontier, FrontierPoint
from scheduler.solve import SolveOptions

MAX_BUDGET_USD = 10**12  # far beyond any centre's year; keeps the solver's integers small
MAX_FRONTIER_TIME_S = 120.0  # a budget's solve
MAX_FRONTIER_TOTAL_S = 3600.0  # every budget's solve together
DEFAULT_FRONTIER_TIME_S = 10.0

router = APIRouter(tags=["frontier"])

Usd = Annotated[int, Field(ge=0, le=MAX_BUDGET_USD)]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ProblemDetails} for code in codes}


class FrontierRequest(Wire):
    """The budgets to solve the problem at, a range or a list, and how long each solve may take."""

    start_usd: Usd | None = Field(default=None, description="the first budget of a range, USD")
    stop_usd: Usd | None = Field(default=None, description="the last budget of a range, USD (included)")
    step_usd: int | None = Field(default=None, gt=0, le=MAX_BUDGET_USD,
                                 description="from one budget of a range to the next, USD")
    budgets_usd: list[Usd] | None = Field(
        default=None, min_length=1, max_length=MAX_BUDGETS,
        description="the budgets, USD, instead of a range (solved from the smallest up; a budget given twice "
        "is solved once)")
    time_limit_s: float = Field(default=DEFAULT_FRONTIER_TIME_S, gt=0, le=MAX_FRONTIER_TIME_S, allow_inf_nan=False,
                                description="each budget's solve, seconds")

    def budgets(self) -> list[int]:
        """The budgets asked for, smallest first; :class:`InputError` naming the field that is wrong."""
        range_fields = {"start_usd": self.start_usd, "stop_usd": self.stop_usd, "step_usd": self.step_usd}
        given = [name for name, value in range_fields.items() if value is not None]
        if self.budgets_usd is not None:
            if given:
                raise _invalid("conflict", given[0], "give either budgets_usd or a range (start_usd, stop_usd, "
                                                     "step_usd), not both")
            levels = sorted(set(self.budgets_usd))
        else:
            missing = [name for name in range_fields if name not in given]
            if missing:
                raise InputError([_issue("missing", name, "give start_usd, stop_usd and step_usd (a range), or "
                                                          "budgets_usd (a list)") for name in missing], "the request")
            assert self.start_usd is not None and self.stop_usd is not None and self.step_usd is not None
            first, last, step = self.start_usd, self.stop_usd, self.step_usd
            if last < first:
                raise _invalid("out_of_order", "stop_usd", f"the range ends ({last:,}) below where it starts "
                                                           f"({first:,})")
            count = (last - first) // step + 1
            if count > MAX_BUDGETS:
                raise _invalid("out_of_range", "step_usd", f"{first:,} to {last:,} by {step:,} is {count:,} "
                                                           f"budgets; at most {MAX_BUDGETS} in one frontier")
            levels = list(range(first, last + 1, step))
        total = len(levels) * self.time_limit_s
        if total > MAX_FRONTIER_TOTAL_S:
            raise _invalid("out_of_range", "time_limit_s", f"{len(levels)} budgets of {self.time_limit_s:g} s "
                                                           f"each is {total:g} s; at most {MAX_FRONTIER_TOTAL_S:g} s "
                                                           "in one frontier")
        return levels


def _issue(kind: Any, name: str, text: str) -> Issue:
    # A field of the request body, as FastAPI's own checks name it: "step_usd: ...", pointer /step_usd.
    return Issue(kind, text, field=(name,), at=(), label=name)


def _invalid(kind: Any, name: str, text: str) -> InputError:
    return InputError([_issue(kind, name, text)], "the request")


class FrontierStatus(Wire):
    """Where a frontier run stands."""

    budgets_done: int = Field(description="budgets solved")
    budgets_total: int
    budget_usd: int | None = Field(default=None, description="the budget being solved; null once ended")
    solve: ProgressOut | None = Field(default=None, description="the search at that budget")


class FrontierRunOut(Wire):
    id: str
    problem_id: str
    problem: str = Field(description="the problem's name")
    budgets_usd: list[int] = Field(description="the budgets asked for, smallest first")
    time_limit_s: float = Field(description="each budget's solve")
    state: JobState
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress: FrontierStatus | None = None
    message: str | None = Field(default=None, description="why a run ended short of its budgets, failed, was "
                                                          "cancelled or interrupted")
    points: list[FrontierPoint] = Field(
        description="a point per budget solved, smallest first: the cost, editions, requests seated in all and "
        "by priority, seats in person and online, the women's share of participants of the best calendar found "
        "at or below the budget (solved_at_usd: the budget of the solve it comes from; null: none found), so more "
        "budget never seats fewer requests")
    links: dict[str, str]

    @classmethod
    def of(cls, row: JobRow, live: tuple[str, FrontierProgress | None] | None = None) -> FrontierRunOut:
        """The stored run (its settings are in ``row.options``), with the runner's fresher state while live."""
        state = row.state
        progress = FrontierProgress.model_validate(row.progress) if row.progress else None
        if live is not None and row.state in ACTIVE_STATES:
            state, progress = live[0], live[1] or progress
        settings = row.options
        base = f"/frontier/runs/{row.id}"
        links = {"self": base, "problem": f"/problems/{row.problem_id}"}
        if progress is not None and progress.points and state not in ACTIVE_STATES:
            links["workbook"] = f"{base}/frontier.xlsx"
        return cls(
            id=row.id, problem_id=row.problem_id, problem=settings["problem"], budgets_usd=settings["budgets_usd"],
            time_limit_s=settings["time_limit_s"], state=state,  # type: ignore[arg-type]
            created_at=as_utc(row.created_at),  # type: ignore[arg-type]
            started_at=as_utc(row.started_at), finished_at=as_utc(row.finished_at),
            progress=None if progress is None else FrontierStatus(
                budgets_done=progress.budgets_done, budgets_total=len(settings["budgets_usd"]),
                budget_usd=progress.budget_usd, solve=progress.solve),
            message=row.message, points=progress.points if progress is not None else [], links=links,
        )

    def frontier(self) -> Frontier:
        return Frontier(problem=self.problem, time_limit_s=self.time_limit_s, points=self.points)


def _run(store: Store, runner: JobRunner, run_id: str) -> FrontierRunOut:
    live = runner.live_frontier(run_id)  # before the row: a run that ends in between reads as ended
    return FrontierRunOut.of(store.job(run_id, kind="frontier"), live)


@router.post("/problems/{problem_id}/frontier", status_code=202, response_model=FrontierRunOut,
             tags=["problems"], responses=_errors(404, 422, 429, 503))
def run_frontier(problem_id: str, req: FrontierRequest, response: Response, store: StoreDep,
                 runner: RunnerDep) -> FrontierRunOut:
    """Solve the problem at each budget and read what each buys (``rtcm frontier`` over HTTP).

    Answers at once; follow the run at ``/frontier/runs/{id}``. The budgets are a range
    (``start_usd`` to ``stop_usd`` included, by ``step_usd``) or a list (``budgets_usd``), at most
    60, solved one after another from the smallest up, each for ``time_limit_s``. The run waits
    in the solves' queue: a full queue answers 429 with Retry-After.
    """
    levels = req.budgets()
    problem = store.problem(problem_id)  # 404 for an unknown problem
    options = SolveOptions(time_limit_s=req.time_limit_s, workers=min(2, machine_cores()))
    shown = {"problem": problem.name, "budgets_usd": levels, "time_limit_s": req.time_limit_s,
             "workers": options.workers}
    work = Work("frontier", problem.model_dump_json(), options, name=problem.name, budgets=tuple(levels))
    with queue_answers():
        row = runner.submit_run(problem_id, shown, work)
    response.headers["Location"] = f"/frontier/runs/{row.id}"
    return _run(store, runner, row.id)


@router.get("/frontier/runs/{run_id}", response_model=FrontierRunOut, responses=_errors(404))
def get_frontier_run(run_id: str, store: StoreDep, runner: RunnerDep) -> FrontierRunOut:
    """A frontier run: the budget being solved, and the points of the budgets solved so far."""
    return _run(store, runner, run_id)


@router.delete("/frontier/runs/{run_id}", response_model=FrontierRunOut, responses=_errors(404))
def stop_frontier_run(run_id: str, store: StoreDep, runner: RunnerDep) -> FrontierRunOut:
    """Stop a queued or running frontier run; the points of the budgets solved are kept.

    The budget under way keeps the best calendar it found; those after it are left out. Waits
    for the run to wind down (a few seconds at most); a run that has ended is left as it is.
    """
    store.job(run_id, kind="frontier")
    runner.cancel(run_id)
    return _run(store, runner, run_id)


@router.get("/frontier/runs/{run_id}/frontier.xlsx", response_class=Response, responses={
    200: {"content": {XLSX: {}}, "description": "the frontier as a workbook: its table and chart"},
    **_errors(404, 409)})
def frontier_run_xlsx(run_id: str, store: StoreDep, runner: RunnerDep) -> Response:
    """The frontier as a workbook: a row per budget and a chart of the requests seated against the budget."""
    run = _run(store, runner, run_id)
    if run.state in ACTIVE_STATES:
        raise conflict(f"frontier run '{run_id}' is {run.state}; its workbook is ready when it ends")
    if not run.points:
        raise ApiError(404, f"frontier run '{run_id}' ended ({run.state}) without a point: "
                            f"{run.message or 'no budget was solved'}", type=NOT_FOUND)
    buffer = BytesIO()
    frontier_workbook(run.frontier()).save(buffer)
    return Response(buffer.getvalue(), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="rtcm-frontier-{run_id[:8]}.xlsx"'})
