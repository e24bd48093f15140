"""The schedule: what runs when, where and with whom; self-contained with its problem."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from model.problem import Mode, Problem

Status = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "MODEL_INVALID", "INVALID_INPUT"]

SCHEDULE_FORMAT = "rtcm-schedule/1"


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


class Schedule(BaseModel):
    """A calendar with the problem it answers, so that it can be checked on its own."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["rtcm-schedule/1"] = SCHEDULE_FORMAT
    problem: Problem
    editions: list[ScheduledEdition]
    unscheduled: list[UnscheduledEdition] = Field(default_factory=list)
    solver: SolverReport | None = None

    @cached_property
    def by_edition(self) -> dict[str, ScheduledEdition]:
        return {e.edition: e for e in self.editions}

    def sorted_editions(self) -> list[ScheduledEdition]:
        return sorted(self.editions, key=lambda e: (e.start, e.edition))
