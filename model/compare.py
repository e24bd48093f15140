"""Comparing calendars: what moved between two schedules, why, and their KPIs side by side."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from model.check import check, kpis
from model.problem import Mode
from model.rules import Violation
from model.schedule import Schedule

ChangeKind = Literal["moved", "room", "mode", "trainers", "added", "dropped"]


class EditionChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edition: str
    kinds: list[ChangeKind]
    old_start: date | None = None
    old_end: date | None = None
    new_start: date | None = None
    new_end: date | None = None
    old_room: str | None = None
    new_room: str | None = None
    old_mode: Mode | None = None
    new_mode: Mode | None = None
    trainers_off: list[str] = Field(default_factory=list)
    trainers_on: list[str] = Field(default_factory=list)
    why: list[str] = Field(default_factory=list, description="what in the new problem forced it")

    def describe(self) -> str:
        parts = []
        if "added" in self.kinds:
            parts.append(f"added on {self.new_start}")
        if "dropped" in self.kinds:
            parts.append(f"dropped (was {self.old_start})")
        if "moved" in self.kinds:
            parts.append(f"moved {self.old_start} -> {self.new_start}")
        if "room" in self.kinds:
            parts.append(f"room {self.old_room} -> {self.new_room}")
        if "mode" in self.kinds and self.old_mode and self.new_mode:
            parts.append(f"{self.old_mode.replace('_', ' ')} -> {self.new_mode.replace('_', ' ')}")
        if "trainers" in self.kinds:
            off, on = ",".join(self.trainers_off) or "none", ",".join(self.trainers_on) or "none"
            parts.append(f"trainers -{off} +{on}")
        return f"{self.edition}: " + "; ".join(parts)


class CalendarDiff(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changes: list[EditionChange] = Field(default_factory=list)

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for c in self.changes if kind in c.kinds)

    @property
    def unchanged(self) -> bool:
        return not self.changes


NOT_FORCED = "not forced by a rule: it makes room, or a better calendar overall"


# Rules the base calendar breaks under the new problem without forcing any edition to change.
NOT_REASONS = ("mandatory_edition_scheduled", "pinned_edition_kept")


def forcing(base: Schedule, new: Schedule) -> dict[str, list[Violation]]:
    """For each edition, the hard rules the base calendar breaks under the new problem: what forced it to
    change (the violations keep the records they are about, people and rooms included)."""
    known = new.problem.edition_by_id
    old_calendar = Schedule(problem=new.problem, editions=[e for e in base.editions if e.edition in known])
    out: dict[str, list[Violation]] = {}
    for v in check(old_calendar) if old_calendar.editions else []:
        if v.rule in NOT_REASONS:
            continue
        for record in v.records:
            if record in known:
                out.setdefault(record, []).append(v)
    return out


def diff(base: Schedule, new: Schedule, forced: dict[str, list[Violation]] | None = None) -> CalendarDiff:
    """Every edition added, dropped, moved, re-roomed, run in another mode or re-staffed from
    ``base`` to ``new``; ``forced`` is :func:`forcing` of the two when the caller has it already."""
    old_by, new_by = base.by_edition, new.by_edition
    forced = forcing(base, new) if forced is None else forced
    changes = []
    for eid in sorted(set(old_by) | set(new_by)):
        a, b = old_by.get(eid), new_by.get(eid)
        kinds: list[ChangeKind] = []
        if a is None and b is not None:
            kinds.append("added")
        elif b is None and a is not None:
            kinds.append("dropped")
        elif a is not None and b is not None:
            if a.days != b.days:
                kinds.append("moved")
            if a.room != b.room:
                kinds.append("room")
            if a.mode != b.mode:
                kinds.append("mode")
            if set(a.trainers) != set(b.trainers):
                kinds.append("trainers")
        if not kinds:
            continue
        change = EditionChange(
            edition=eid, kinds=kinds,
            old_start=a.start if a else None, old_end=a.end if a else None,
            new_start=b.start if b else None, new_end=b.end if b else None,
            old_room=a.room if a else None, new_room=b.room if b else None,
            old_mode=a.mode if a else None, new_mode=b.mode if b else None,
            trainers_off=sorted(set(a.trainers) - set(b.trainers)) if a and b else [],
            trainers_on=sorted(set(b.trainers) - set(a.trainers)) if a and b else [],
        )
        if a is not None and eid not in new.problem.edition_by_id:
            change.why = ["the edition is no longer in the programme"]
        elif a is not None:
            change.why = [v.message for v in forced.get(eid, [])] or [NOT_FORCED]
        changes.append(change)
    return CalendarDiff(changes=changes)


class KpiRow(BaseModel):
    """The figures compared across scenarios, all recomputed from each schedule."""

    model_config = ConfigDict(extra="forbid")

    name: str
    status: str
    editions_scheduled: int
    editions_total: int
    optional_dropped: int
    objective: float | None
    gap: float | None
    women_share_of_trainer_days: float | None
    cost_usd: int
    room_use: float = Field(description="mean share of working days each room is used")
    trainer_days_spread: int = Field(description="busiest minus least busy trainer who teaches")
    hard_rules_broken: int


def kpi_row(name: str, schedule: Schedule) -> KpiRow:
    k = kpis(schedule)
    report = schedule.solver
    loads = [d for d in k.trainer_days.values() if d]
    return KpiRow(
        name=name,
        status=report.status if report else "UNKNOWN",
        editions_scheduled=k.editions_scheduled,
        editions_total=k.editions_total,
        optional_dropped=k.optional_left_out,
        objective=k.objective if schedule.editions else None,
        gap=report.gap if report else None,
        women_share_of_trainer_days=k.women_share_of_trainer_days,
        cost_usd=k.cost_usd,
        room_use=sum(k.room_use.values()) / len(k.room_use) if k.room_use else 0.0,
        trainer_days_spread=(max(loads) - min(loads)) if loads else 0,
        hard_rules_broken=len(check(schedule)),
    )
