"""What travels over HTTP: request and response models, and their conversion from the domain.

The domain models (:class:`~model.problem.Problem`, :class:`~model.schedule.Schedule`,
:class:`~model.check.Violation`, :class:`~model.check.Kpis`, :class:`~model.compare.CalendarDiff`,
:class:`~model.formats.versions.Version`) are sent as they are; the models here only add what
the service itself knows: ids, job states, progress, links.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.store import DEFAULT_PROBLEM_ID, JobRow, ProblemRow, PublishedRow, as_utc
from model.calendar import MAX_HORIZON_DAYS, Day
from model.check import Kpis, Violation
from model.errors import KINDS, Issue, IssueKind
from model.formats.versions import Version
from model.problem import Problem
from model.schedule import RulePenalty, ScheduledEdition, Status
from scheduler.solve import Progress, Result, SolveOptions

JobState = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]

MAX_TIME_LIMIT_S = 600.0
MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit signed integer
MAX_WORKERS = 64  # CP-SAT's own ceiling is far higher; this machine's cores bound it first
MAX_CHECKED_EDITIONS = 5000  # as many as a problem may plan (api.uploads.MAX_EDITIONS)
MAX_NOTE = 1000  # characters of a published version's note
MAX_VERSION = 2**31 - 1  # a version's number is a 32-bit integer in every database

# Views of a finished job's calendar, link name -> path under /jobs/{id}/; the routes fill it.
SCHEDULE_LINKS: dict[str, str] = {}


def machine_cores() -> int:
    """Cores this process may use (the affinity mask, where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordRef(Wire):
    """The record an input error is about."""

    type: str = Field(description="the record's type, e.g. trainer, room, programme, calendar")
    id: str | None = Field(default=None, description="its id, e.g. T07")
    index: int | None = Field(default=None, description="its position in its list (from 0), where it has no id")


class InputIssue(Wire):
    """One error of an input: what is wrong in planner words, and where, as data."""

    message: str = Field(description="naming the record and field, e.g. \"trainer T07: unavailable period 1 "
                                     "ends (2027-03-01) before it starts (2027-03-20)\"")
    kind: IssueKind = Field(description="; ".join(f"{k}: {v}" for k, v in KINDS.items()))
    pointer: str | None = Field(description="JSON pointer (RFC 6901) into the document sent (for a workbook, "
                                            "the problem it reads into), e.g. /trainers/6/unavailable/0/end; "
                                            "null when the error is about no place in it")
    record: RecordRef | None = Field(description="the record it is about; null for the input as a whole")
    field: list[str | int] = Field(description="the path inside the record, e.g. [\"unavailable\", 0, \"end\"]")
    sheet: str | None = Field(description="for a workbook: the sheet")
    cell: str | None = Field(description="for a workbook: the cell on the sheet, e.g. C14")

    @classmethod
    def of(cls, issue: Issue) -> InputIssue:
        record = None if issue.record is None else RecordRef(type=issue.record, id=issue.id, index=issue.index)
        return cls(message=issue.message, kind=issue.kind, pointer=issue.pointer, record=record,
                   field=list(issue.field), sheet=issue.sheet, cell=issue.cell)


class ProblemDetails(Wire):
    """An error (RFC 9457). ``errors`` lists every error of an invalid input."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[InputIssue] | None = None


class Health(Wire):
    status: Literal["ok", "degraded"]
    database: str = Field(description="the database kind, e.g. sqlite or postgresql")
    database_ok: bool
    running: int = Field(description="solves running now")
    queued: int = Field(description="solves waiting for a slot")
    max_concurrent: int
    queue_size: int
    cores: int


# ----------------------------------------------------------------------------- problems


class ProblemFacts(Wire):
    description: str = ""
    horizon_start: date
    horizon_end: date
    editions: int
    mandatory_editions: int
    topics: int
    trainers: int
    organisations: int
    rooms: int
    prerequisites: int


class ProblemSummary(Wire):
    id: str
    name: str
    source: str = Field(description="where it came from: the embedded default, a JSON body, a file")
    builtin: bool = Field(description="the embedded default: always present, cannot be deleted")
    created_at: datetime | None
    facts: ProblemFacts

    @classmethod
    def of(cls, row: ProblemRow) -> ProblemSummary:
        return cls(
            id=row.id, name=row.name, source=row.source, builtin=row.id == DEFAULT_PROBLEM_ID,
            created_at=as_utc(row.created_at), facts=ProblemFacts.model_validate(row.facts),
        )


class ProblemOut(ProblemSummary):
    problem: Problem


# ------------------------------------------------------------------------------ solving


class SolveRequest(Wire):
    """Solver settings for one job. Every field has a default; an empty body is fine."""

    time_limit_s: float = Field(
        default=60.0, gt=0, le=MAX_TIME_LIMIT_S, allow_inf_nan=False,
        description="wall-clock limit (deterministic time when deterministic is true)",
    )
    workers: int = Field(
        default_factory=lambda: min(2, machine_cores()), ge=1, le=MAX_WORKERS,
        description="CP-SAT search workers; at most the machine's cores",
    )
    deterministic: bool = Field(default=False, description="the same problem gives the same schedule")
    relative_gap: float = Field(
        default=0.0, ge=0, lt=1, allow_inf_nan=False,
        description="stop once the calendar is within this fraction of the bound (0: prove optimal)",
    )
    seed: int = Field(default=0, ge=0, le=MAX_SEED, description="the search's random seed")

    @field_validator("workers")
    @classmethod
    def _within_cores(cls, workers: int) -> int:
        cores = machine_cores()
        if workers > cores:
            raise ValueError(f"workers ({workers}) exceeds the machine's {cores} cores")
        return workers

    def options(self) -> SolveOptions:
        return SolveOptions(
            time_limit_s=self.time_limit_s, workers=self.workers, deterministic=self.deterministic,
            seed=self.seed, relative_gap=self.relative_gap,
        )


class ProgressOut(Wire):
    """The search so far: best calendar's objective, proven bound, gap between them."""

    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    elapsed_s: float = 0.0
    solutions: int = 0
    source: Literal["greedy", "search"] = Field(
        default="search", description="greedy: the greedy calendar the solve starts from; search: CP-SAT's")

    @classmethod
    def of(cls, p: Progress) -> ProgressOut:
        return cls(
            objective=None if p.objective is None else round(p.objective, 2),
            bound=None if p.bound is None else round(p.bound, 2),
            gap=None if p.gap is None else round(p.gap, 5),
            elapsed_s=round(p.elapsed_s, 3),
            solutions=p.solutions,
            source=p.source,
        )

    @classmethod
    def final(cls, r: Result) -> ProgressOut:
        report = r.report
        gap = None if report.gap is None else round(report.gap, 5)
        return cls(objective=report.objective, bound=report.bound, gap=gap,
                   elapsed_s=r.runtime_s, solutions=report.solutions)


class JobSummary(Wire):
    """How the solve ended: the solver's status, the calendar's figures, and why."""

    status: Status
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    runtime_s: float = 0.0
    first_solution_s: float | None = None
    solutions: int = 0
    editions_total: int = 0
    editions_scheduled: int = 0
    mandatory_unscheduled: int = 0
    penalties: list[RulePenalty] = Field(default_factory=list)
    diagnosis: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, r: Result) -> JobSummary:
        report, schedule = r.report, r.schedule
        return cls(
            status=report.status, objective=report.objective, bound=report.bound, gap=report.gap,
            runtime_s=r.runtime_s, first_solution_s=r.first_solution_s,
            solutions=report.solutions, editions_total=len(schedule.problem.editions),
            editions_scheduled=len(schedule.editions),
            mandatory_unscheduled=sum(1 for u in schedule.unscheduled if u.mandatory) if r.found else 0,
            penalties=report.penalties, diagnosis=report.diagnosis, warnings=report.warnings,
        )


class JobOut(Wire):
    id: str
    problem_id: str
    state: JobState
    options: SolveRequest
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress: ProgressOut | None = None
    summary: JobSummary | None = Field(default=None, description="when the job has ended")
    message: str | None = Field(default=None, description="why a job failed, was cancelled or interrupted")
    has_schedule: bool = False
    resubmitted_from: str | None = None
    links: dict[str, str]

    @classmethod
    def of(cls, row: JobRow, live: tuple[str, ProgressOut | None] | None = None) -> JobOut:
        """The stored job, with the runner's fresher state and progress while it is live."""
        state, progress = row.state, ProgressOut.model_validate(row.progress) if row.progress else None
        if live is not None and row.state in ("queued", "running"):
            state, progress = live[0], live[1] or progress
        base = f"/jobs/{row.id}"
        links = {"self": base, "events": f"{base}/events", "problem": f"/problems/{row.problem_id}"}
        if row.has_schedule:
            links |= {name: f"{base}/{suffix}" for name, suffix in SCHEDULE_LINKS.items()}
        return cls(
            id=row.id, problem_id=row.problem_id, state=state,  # type: ignore[arg-type]
            options=SolveRequest.model_construct(**row.options),  # as validated when submitted
            created_at=as_utc(row.created_at),  # type: ignore[arg-type]
            started_at=as_utc(row.started_at), finished_at=as_utc(row.finished_at),
            progress=progress,
            summary=JobSummary.model_validate(row.summary) if row.summary else None,
            message=row.message, has_schedule=row.has_schedule,
            resubmitted_from=row.resubmitted_from, links=links,
        )


# ----------------------------------------------------------------------------- checking


class EditedEdition(ScheduledEdition):
    """An edition of a calendar edited by hand: as on a schedule, its dates a date or ISO text
    (2027-03-01), never a number (which would read as a Unix timestamp)."""

    start: Day
    end: Day = Field(description="last day of the course")
    days: list[Day] = Field(max_length=MAX_HORIZON_DAYS, description="the training days, in order")


class CheckRequest(Wire):
    """A calendar the planner edited by hand, to verify against a stored problem."""

    problem_id: str = Field(description="a stored problem's id, or 'default'")
    editions: list[EditedEdition] = Field(max_length=MAX_CHECKED_EDITIONS)


class CheckReport(Wire):
    problem_id: str
    ok: bool = Field(description="no hard rule is broken")
    violations: list[Violation]
    kpis: Kpis
    cost_usd: int

    @classmethod
    def of(cls, problem_id: str, violations: list[Violation], kpis: Kpis) -> CheckReport:
        return cls(problem_id=problem_id, ok=not violations, violations=violations, kpis=kpis,
                   cost_usd=kpis.cost_usd)


# ---------------------------------------------------------------------------- publishing


class PublishRequest(Wire):
    """Why this version is published; an empty body, or none, publishes it without a note."""

    note: str = Field(default="", max_length=MAX_NOTE,
                      description="why this version, e.g. 'trainer T07 away in March'")


class PublishedVersion(Version):
    """A published calendar: a version as ``rtcm versions`` lists it, its ``source`` the job it came from."""

    links: dict[str, str] = Field(description="schedule: the calendar as published; job: the job it came from")

    @classmethod
    def of(cls, row: PublishedRow) -> PublishedVersion:
        return cls(
            number=row.number, published_at=as_utc(row.published_at),  # type: ignore[arg-type]
            note=row.note, source=row.job_id, digest=row.digest, **row.figures,
            links={"schedule": f"/published/{row.number}", "job": f"/jobs/{row.job_id}"},
        )


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
