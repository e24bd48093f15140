"""The rollout over HTTP: ``rtcm rollout`` for a finished job's calendar as the first year.

- ``GET /jobs/{id}/rollout``: the :class:`~model.rollout.RolloutPlan` over the problem's
  ``rollout.years``, or ``years`` (1 to 3) given as a query parameter;
- ``GET /jobs/{id}/rollout.xlsx``: the workbook ``rtcm rollout --out`` writes, the first year's
  sheets and the "Rollout" sheet (:func:`model.formats.excel_rollout.rollout_workbook_bytes`).

Both answer 404 for an unknown job (or one that ended without a calendar) and 409 while it runs,
as every view of a job's calendar does. An impossible rollout is an answer, not an error: 200,
with the plan's ``status`` and, in ``diagnosis``, the smallest set of its rules the solver cannot
keep together.

The later years are a small CP-SAT model (a tenth of a second on the default), so it is planned
on the request rather than queued like a solve: with one worker, on deterministic time, so that a
job gives the same plan every time, and bounded (:data:`ROLLOUT_TIME_S`, as much again to explain a
rollout that cannot be). A job's calendar never changes, so
each plan is kept in memory by job and years (:class:`RolloutCache`) and the workbook is made
from it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from api.routes import XLSX, FinishedJob, FinishedJobDep
from api.wire import SCHEDULE_LINKS, ProblemDetails
from model.errors import InputError, Issue, validate_as
from model.formats.excel_rollout import rollout_workbook_bytes
from model.problem import MAX_ROLLOUT_YEARS, Problem
from model.rollout import RolloutPlan
from model.schedule import Schedule
from scheduler.rollout import plan_rollout

ROLLOUT_TIME_S = 10.0  # deterministic seconds; the default plans in a tenth of that
ROLLOUT_WORKERS = 1  # one worker: the same calendar always gives the same plan
ROLLOUT_CACHE = 32  # plans kept in memory, by job and years

router = APIRouter(tags=["jobs"])

Years = Annotated[int | None, Query(
    ge=1, le=MAX_ROLLOUT_YEARS,
    description=f"rollout years, 1 to {MAX_ROLLOUT_YEARS} (the first is the job's calendar); omitted: the "
                "problem's rollout.years")]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ProblemDetails} for code in codes}


@dataclass(frozen=True)
class Rollout:
    """A job's rollout: the first year (the job's calendar, its problem over the years asked
    for) and the plan."""

    first_year: Schedule
    plan: RolloutPlan


class RolloutCache:
    """The rollouts planned lately, by job and years asked for (None: the problem's)."""

    def __init__(self, size: int = ROLLOUT_CACHE) -> None:
        self.size = size
        self._plans: OrderedDict[tuple[str, int | None], Rollout] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int | None]) -> Rollout | None:
        with self._lock:
            found = self._plans.get(key)
            if found is not None:
                self._plans.move_to_end(key)
            return found

    def put(self, key: tuple[str, int | None], rollout: Rollout) -> None:
        with self._lock:
            self._plans[key] = rollout
            self._plans.move_to_end(key)
            while len(self._plans) > self.size:
                self._plans.popitem(last=False)


def rollout_cache(request: Request) -> RolloutCache:
    """The app's cache (made with the app, see :func:`api.app.create_app`)."""
    cache: RolloutCache = request.app.state.rollouts
    return cache


CacheDep = Annotated[RolloutCache, Depends(rollout_cache)]


def with_years(problem: Problem, years: int | None) -> Problem:
    """The problem over ``years`` rollout years; :class:`InputError` naming the query parameter when
    the problem cannot be (a theme due after the last year)."""
    if years is None or years == problem.rollout.years:
        return problem
    data = problem.model_dump(mode="json")
    data["rollout"]["years"] = years
    try:
        return validate_as(Problem, data, problem.name)
    except InputError as err:
        raise InputError([Issue("conflict", f"{years} year(s) do not fit the problem: {i.message}",
                                field=("years",), label="query parameter years") for i in err.issues],
                         "the request") from None


def job_rollout(job: FinishedJob, years: int | None, cache: RolloutCache) -> Rollout:
    """The job's rollout over ``years`` (None: the problem's), from the cache when planned before."""
    key = (job.row.id, years)
    found = cache.get(key)
    if found is not None:
        return found
    schedule = job.schedule
    first = schedule.model_copy(update={"problem": with_years(schedule.problem, years)})
    plan = plan_rollout(first, time_limit_s=ROLLOUT_TIME_S, workers=ROLLOUT_WORKERS, deterministic=True)
    rollout = Rollout(first, plan)
    cache.put(key, rollout)
    return rollout


SCHEDULE_LINKS["rollout"] = "rollout"


@router.get("/jobs/{job_id}/rollout", response_model=RolloutPlan, responses=_errors(404, 409, 422))
def get_rollout(job: FinishedJobDep, cache: CacheDep, years: Years = None) -> RolloutPlan:
    """The programme over one to three years, the job's calendar as the first (``rtcm rollout``).

    The later years are planned by quarter: every topic runs unless dropped, each theme's topics by
    the year it is due, prerequisites in an earlier quarter, no quarter over the centre's pace and
    no later year over the budget. No rollout keeps them all: 200 with ``status`` and ``diagnosis``.
    422 for ``years`` out of 1 to 3, or fewer than a theme's due year.
    """
    return job_rollout(job, years, cache).plan


SCHEDULE_LINKS["rollout_xlsx"] = "rollout.xlsx"


@router.get("/jobs/{job_id}/rollout.xlsx", response_class=Response, responses={
    200: {"content": {XLSX: {}}, "description": "the first year's workbook with the Rollout sheet"},
    **_errors(404, 409, 422)})
def get_rollout_xlsx(job: FinishedJobDep, cache: CacheDep, years: Years = None) -> Response:
    """The rollout as a workbook (``rtcm rollout --out``): the first year's sheets and the "Rollout"
    sheet, a row per topic and a column per quarter."""
    rollout = job_rollout(job, years, cache)
    filename = f"rtcm-rollout-{job.row.id[:8]}.xlsx"
    return Response(rollout_workbook_bytes(rollout.first_year, rollout.plan), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
