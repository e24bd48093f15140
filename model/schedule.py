"""The schedule: what runs when, where and with whom; self-contained with its problem."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from model.problem import Edition, GuestSession, Mode, Problem

Status = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "MODEL_INVALID", "INVALID_INPUT"]

SCHEDULE_FORMAT: Final = "rtcm-schedule/1"

# Where a solve's objective comes from (see SolverReport.objective_source).
ObjectiveSource = Literal["search", "start", "checker"]


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(objective - bound) / |objective|, at least 0: how far a calendar may be from the best.

    None when either figure is missing, or when the objective is 0 and the bound is not
    (no ratio); 0 when both are 0.
    """
    if objective is None or bound is None:
        return None
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-9 else None
    return max(0.0, (objective - bound) / abs(objective))


def points_text(points: float) -> str:
    """1055.2 -> '1,055.2'; 30.0 -> '30': points as a planner reads them, to the hundredth."""
    return f"{points:,.2f}".rstrip("0").rstrip(".")


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
    guests: list[GuestSession] = Field(default_factory=list, description="guest sessions, by slot")
    participants_in_person: int = 0
    participants_online: int = 0
    standbys: list[str] = Field(
        default_factory=list, description="people kept free on the course's days to stand in for a team member "
        "(the soft rule team_member_without_standby)")

    def team_days(self) -> list[tuple[str, date]]:
        """(person id, day) for each member of the team on each course day."""
        return [(t, d) for t in dict.fromkeys(self.trainers) for d in self.days]

    def guest_days(self) -> list[tuple[str, date]]:
        """(person id, day) for each guest on the day of their session."""
        return [(g.person, g.day) for g in self.guests]

    def person_days(self) -> list[tuple[str, date]]:
        """(person id, day) for each day someone delivers the edition: the team's days and the
        guests' days. A trainer-day is one of these."""
        return self.team_days() + self.guest_days()

    @classmethod
    def place(cls, problem: Problem, edition: Edition | str, days: Sequence[date], room: str | None,
              trainers: Iterable[str], guests: Iterable[GuestSession] = (), mode: Mode | None = None,
              standbys: Iterable[str] = ()) -> ScheduledEdition:
        """``edition`` of ``problem`` on ``days`` in ``room`` (None online) with ``trainers``.

        Everything else (topic, number, title, module, start, end, mode, venue, participants)
        comes from the problem, so every producer of a calendar builds its editions alike.

        Parameters
        ----------
        problem
            The problem the edition belongs to.
        edition
            The edition, or its id (e.g. ``M3.T2#1``).
        days
            The training days, in order; the first is the start, the last the end.
        room
            The room's id; its venue is the one the problem lists it in. None for an online course.
        trainers
            The team's trainer ids, kept in id order.
        guests
            The guest sessions, kept in slot order.
        mode
            The mode it runs in; None: the first of its modes the room allows (online without a room).
        standbys
            The people kept free to stand in for a team member, kept in id order.
        """
        ed = edition if isinstance(edition, Edition) else problem.edition_by_id[edition]
        run = list(days)
        if not run:
            raise ValueError(f"edition {ed.id}: no training day to place it on")
        rooms = problem.room_by_id
        runs_in: Mode = mode if mode is not None else next(
            (m for m in ed.modes if (m == "online") == (room is None)
             and (room not in rooms or problem.room_fits(ed, rooms[room][1], m))), ed.modes[0])
        in_person, online = ed.item.planned_seats(runs_in)
        return cls(
            edition=ed.id, topic=ed.topic.id, number=ed.number, title=ed.topic.title, module=ed.topic.module,
            start=run[0], end=run[-1], days=run, mode=runs_in,
            venue=problem.room_by_id[room][0].id if room is not None else None, room=room,
            trainers=sorted(trainers), guests=sorted(guests, key=lambda g: (g.slot, g.day, g.person)),
            participants_in_person=in_person, participants_online=online, standbys=sorted(standbys),
        )


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
    objective: float | None = Field(
        default=None, description="the calendar's objective in points, as the solver computed it "
        "(objective_source says how); the checker recomputes it from the calendar alone")
    objective_source: ObjectiveSource | None = Field(
        default=None, description="search: CP-SAT's value of the calendar its search returned; start: "
        "CP-SAT's value of the start calendar (greedy, or kept from a published one), which the search "
        "did not improve on; checker: the checker's figure for the start, which CP-SAT never evaluated "
        "(stopped before the search, or the start could not be completed in time)")
    bound: float | None = Field(
        default=None, description="the best bound CP-SAT proved, in points, as it reported it "
        "(0 when it proved none: no penalty is negative)")
    gap: float | None = Field(default=None, description="(objective - bound) / objective, a bound below 0 counted "
                              "as 0 (no calendar scores below 0)")
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


class MemberBackup(BaseModel):
    """Who would step in for one team member of an edition (``model/backups.py`` says who may)."""

    model_config = ConfigDict(extra="forbid")

    trainer: str = Field(description="the team member")
    backup: str | None = Field(default=None, description="who would step in; None when nobody can")
    reason: str = Field(default="", description="why nobody, when there is no backup")


class EditionBackups(BaseModel):
    """The backups of one edition: one per team member, and a backup room for one held in a room."""

    model_config = ConfigDict(extra="forbid")

    edition: str
    members: list[MemberBackup]
    room: str | None = Field(default=None, description="the edition's room (None online)")
    backup_room: str | None = None
    room_reason: str = ""

    @property
    def complete(self) -> bool:
        """Every member has a backup, and an edition in a room a backup room."""
        return all(m.backup for m in self.members) and (self.room is None or self.backup_room is not None)


class BackupReport(BaseModel):
    """A calendar's backups, edition by edition (``scheduler/backups.py`` chooses them)."""

    model_config = ConfigDict(extra="forbid")

    editions: list[EditionBackups] = Field(default_factory=list)
    status: str = Field(default="OPTIMAL", description="the assignment's solver status")

    @property
    def roles(self) -> int:
        return sum(len(e.members) for e in self.editions)

    @property
    def covered(self) -> int:
        return sum(1 for e in self.editions for m in e.members if m.backup)

    @property
    def complete(self) -> int:
        return sum(1 for e in self.editions if e.complete)

    def summary(self) -> str:
        """'55 of 127 roles, 4 of 63 editions complete': the figures a planner reads first."""
        return (f"{self.covered} of {self.roles} roles, {self.complete} of {len(self.editions)} "
                "editions complete")

    def backing_up(self, person: str) -> dict[str, list[str]]:
        """The editions ``person`` backs up, each with the team members they would step in for."""
        out: dict[str, list[str]] = {}
        for e in self.editions:
            for m in e.members:
                if m.backup == person:
                    out.setdefault(e.edition, []).append(m.trainer)
        return out


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
    backups: BackupReport | None = Field(
        default=None, description="who would step in for each team member, and which room for each course "
        "(scheduler/backups.py); None when they were not chosen")

    @property
    def by_edition(self) -> dict[str, ScheduledEdition]:
        """The editions by id; kept while ``editions`` is the same list, so that a copy with other
        editions (``model_copy(update=...)``, which copies what is kept) never sees the old ones."""
        kept = self.__dict__.get("_by_edition")
        if kept is None or kept[0] is not self.editions:
            kept = (self.editions, {e.edition: e for e in self.editions})
            self.__dict__["_by_edition"] = kept
        return kept[1]

    def sorted_editions(self) -> list[ScheduledEdition]:
        return sorted(self.editions, key=lambda e: (e.start, e.edition))
