"""The schedule: what runs when, where and with whom; self-contained with its problem."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from model.problem import Mode, Problem

Status = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "MODEL_INVALID", "INVALID_INPUT"]

SCHEDULE_FORMAT: Final = "rtcm-schedule/1"


class ScheduledEdition(BaseModel):
    """One edition on the calendar."""

    model_config = ConfigDict(extra="forbid")

    edition: str = Field(description="edition id, e.g. M3.T2#1")
    topic: str
    number: int = Field(ge=1, description="edition number of the topic")
    title: str = ""
    module: int = 0
    start: date
    end: date = Field(description="last day of the course")
    days: list[date] = Field(description="the training days, in order")
    mode: Mode
    venue: str | None = None
    room: str | None = Field(default=None, description="None for an online course")
    trainers: list[str]
    participants_in_person: int = 0
    participants_online: int = 0


class UnscheduledEdition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edition: str
    topic: str
    number: int
    mandatory: bool
    reason: str


class RulePenalty(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str
    name: str
    amount: float = Field(description="in the rule's own unit")
    unit: str
    weight: float
    points: float = Field(description="amount x weight: the rule's share of the objective")


class PenaltyItem(BaseModel):
    """One record's share of a soft rule's penalty: what it costs and why (model/explain.py)."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    name: str
    edition: str | None = Field(default=None, description="the edition it is charged to, if one")
    trainer: str | None = Field(default=None, description="the trainer it is charged to, if one")
    records: list[str] = Field(default_factory=list)
    amount: float = Field(description="in the rule's own unit (as in penalties)")
    unit: str
    points: float = Field(description="this item's share of the objective")
    message: str = Field(description="in planner words")


class Cause(BaseModel):
    """An input fact among those that together leave no calendar (doctor or explanation)."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["doctor", "explanation"]
    conflict: int = Field(default=1, description="which conflict (or doctor finding) it belongs to, from 1")
    rule: str
    name: str
    records: list[str]
    message: str
    relaxation: str = Field(default="", description="what dropping this fact means, if it can be dropped")
    relaxation_rank: int | None = Field(default=None, description="1 = the least change")
    editions: list[str] = Field(default_factory=list, description="the editions kept off the calendar")


class Allocation(BaseModel):
    """A nominee's seat in an edition."""

    model_config = ConfigDict(extra="forbid")

    nominee: str = Field(description="nomination id")
    edition: str
    mode: Literal["in_person", "online"]


class UnplacedNomination(BaseModel):
    """A topic a nominee was nominated for but got no seat in, and why."""

    model_config = ConfigDict(extra="forbid")

    nominee: str
    topic: str
    reason: str


class AllocationReport(BaseModel):
    """How the participant allocation (run after the calendar) ended."""

    model_config = ConfigDict(extra="forbid")

    status: Status
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    runtime_s: float | None = Field(default=None, description="left out (null) of deterministic runs")
    time_limit_s: float = 0.0
    placed: int = 0
    unplaced: int = 0
    penalties: list[RulePenalty] = Field(default_factory=list)
    diagnosis: list[str] = Field(default_factory=list)


class SolverReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status
    objective: float | None = None
    bound: float | None = None
    gap: float | None = Field(default=None, description="(objective - bound) / objective")
    runtime_s: float | None = Field(
        default=None, description="wall-clock seconds; left out (null) of deterministic runs"
    )
    first_solution_s: float | None = None
    solutions: int = 0
    workers: int = 0
    time_limit_s: float = 0.0
    deterministic: bool = False
    penalties: list[RulePenalty] = Field(default_factory=list)
    diagnosis: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    allocation: AllocationReport | None = Field(
        default=None, description="the participant allocation, when the problem has nominations"
    )
    causes: list[Cause] = Field(
        default_factory=list, description="when no calendar exists: the input facts that leave none"
    )
    breakdown: list[PenaltyItem] = Field(
        default_factory=list, description="each soft rule's penalty record by record (score analysis)"
    )


class Schedule(BaseModel):
    """A calendar with the problem it answers, so that it can be checked on its own."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["rtcm-schedule/1"] = SCHEDULE_FORMAT
    problem: Problem
    editions: list[ScheduledEdition]
    unscheduled: list[UnscheduledEdition] = Field(default_factory=list)
    allocations: list[Allocation] = Field(default_factory=list, description="nominees' seats")
    unplaced: list[UnplacedNomination] = Field(
        default_factory=list, description="nominated topics without a seat, with the reason"
    )
    solver: SolverReport | None = None

    @cached_property
    def by_edition(self) -> dict[str, ScheduledEdition]:
        return {e.edition: e for e in self.editions}

    def sorted_editions(self) -> list[ScheduledEdition]:
        return sorted(self.editions, key=lambda e: (e.start, e.edition))
