"""Explaining a calendar without the solver: its penalty record by record, an edition's alternatives.

:func:`penalty_breakdown` is each soft rule's penalty split over the records it comes from,
as the rules' evaluators (``model/rules/``) charge it: each edition left out, each late
edition, the editions that make up the busiest month and the busiest trainer's days, each
edition's fees and room cost, and so on. The items of a rule add up to that rule's points
(to the hundredth). The CLI summary, the Excel Issues sheet, the schedule JSON
(``solver.breakdown``), the page and the API all show it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from model.check import check_calendar, penalties, penalty_breakdown
from model.occupancy import Occupancy
from model.problem import ROOM_MODES, Mode, Room, Venue
from model.schedule import PenaltyItem, Schedule, ScheduledEdition, points_text

__all__ = ["Alternative", "Alternatives", "alternatives", "by_edition", "by_trainer", "penalty_breakdown",
           "points_text"]


def by_edition(items: list[PenaltyItem]) -> dict[str, float]:
    """Points charged to each edition, largest first (items charged to no edition left out)."""
    out: dict[str, float] = defaultdict(float)
    for it in items:
        if it.edition:
            out[it.edition] += it.points
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def by_trainer(items: list[PenaltyItem]) -> dict[str, float]:
    """Points charged to each trainer (busiest trainer's days), largest first."""
    out: dict[str, float] = defaultdict(float)
    for it in items:
        if it.trainer:
            out[it.trainer] += it.points
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


# ------------------------------------------------------------------ one edition's alternatives


class Alternative(BaseModel):
    """Another place for one edition, everything else as scheduled, with what it would cost."""

    model_config = ConfigDict(extra="forbid")

    edition: str
    start: date
    end: date
    days: list[date]
    room: str | None
    mode: Mode = Field(description="the mode it would run in")
    trainers: list[str]
    objective: float = Field(description="the calendar's objective with the edition here")
    delta: float = Field(description="objective minus the calendar's as it is: negative is better")
    current: bool = Field(default=False, description="where the calendar has it now")
    changes: dict[str, float] = Field(default_factory=dict, description="points change per soft rule (ids)")


class BlockedWeek(BaseModel):
    model_config = ConfigDict(extra="forbid")

    week: date = Field(description="the Monday of the week")
    room: str | None
    reason: str


class Alternatives(BaseModel):
    """Where one edition could go instead (``rtcm explain SCHEDULE.json EDITION``)."""

    model_config = ConfigDict(extra="forbid")

    edition: str
    objective: float = Field(description="the calendar's objective as it is")
    current: Alternative | None = None
    alternatives: list[Alternative] = Field(default_factory=list, description="best first")
    blocked: list[BlockedWeek] = Field(default_factory=list, description="weeks and rooms with no place")


def _with(schedule: Schedule, editions: list[ScheduledEdition]) -> Schedule:
    return Schedule.model_construct(format=schedule.format, problem=schedule.problem, editions=editions,
                                    unscheduled=[], allocations=[], unplaced=[], solver=None)


def _points(schedule: Schedule) -> dict[str, float]:
    return {x.rule: x.points for x in penalties(schedule)}


def alternatives(schedule: Schedule, edition_id: str, *, most_checks_per_week: int = 5) -> Alternatives:
    """Other start weeks and rooms for one edition, everything else as scheduled, with their cost.

    For every ISO week and every room that holds it in one of its modes (and online, when it
    may run online), the first start day in the week where the room is free and open and a team
    is free: the edition's own team when all its trainers are, otherwise the cheapest valid team
    of free qualified trainers. The placement is kept when the checker finds no hard rule it
    breaks that the calendar did not already break; its objective is recomputed by the checker.
    A scheduled edition keeps its length; one left out tries each allowed length. In a room it
    keeps the mode it is scheduled in when the room holds it in that mode, else it takes the
    first of its modes the room holds.

    Parameters
    ----------
    schedule
        A calendar with its problem.
    edition_id
        The edition, e.g. ``M3.T2#1``, scheduled or left out.

    Returns
    -------
    Alternatives
        The calendar's objective, the edition's current place, the alternatives (best first)
        and the weeks and rooms where it cannot go, with the first reason found.
    """
    p = schedule.problem
    ed = p.edition_by_id.get(edition_id)
    if ed is None:
        raise ValueError(f"edition {edition_id} is not in the programme")
    cal = p.work_calendar
    current = next((se for se in schedule.editions if se.edition == edition_id), None)
    others = [se for se in schedule.editions if se.edition != edition_id]
    base_points = _points(schedule)
    base = round(sum(base_points.values()), 2)
    already = {v.message for v in check_calendar(_with(schedule, others))}
    occ = Occupancy(schedule, others)
    lengths = [len(current.days)] if current else sorted(ed.durations, reverse=True)
    rooms: list[tuple[Venue, Room] | None] = [*p.suitable_rooms(ed), *([None] if "online" in ed.modes else [])]

    def mode_in(vr: tuple[Venue, Room] | None) -> Mode:
        if vr is None:
            return "online"
        held = [m for m in ed.modes if m in ROOM_MODES and p.room_fits(ed, vr[1], m)]
        return current.mode if current is not None and current.mode in held else held[0]

    pool = p.qualified_trainers(ed)
    required = p.team_needs(ed.item)
    from model.doctor import Teams, _Doctor  # the doctor's calendar windows and team logic

    slots = [(s, d) for s, d in _Doctor(p).slots(ed) if d in lengths]
    weeks: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for s, d in slots:
        day = cal.days[s]
        weeks[day - timedelta(days=day.weekday())].append((s, d))
    out: list[Alternative] = []
    blocked: list[BlockedWeek] = []
    for monday, week_slots in sorted(weeks.items()):
        week_slots.sort(key=lambda sd: (sd[0], lengths.index(sd[1])))
        for vr in rooms:
            why = "no start day in the week works"
            tries = 0
            found = None
            for s, d in week_slots:
                days = list(cal.days[s:s + d])
                if vr is not None:
                    closed = occ.room_free(vr[0], vr[1], days)
                    if closed:
                        why = closed
                        continue
                free = [t for t in pool if occ.trainer_can_teach(t, days)]
                own = [t for t in free if current and t.id in current.trainers]
                team = own if current and len(own) == len(set(current.trainers)) else Teams(
                    free, required, p.team_rules).cheapest()
                if not team:
                    busy = [occ.why_busy(t, days) for t in pool if t not in free]
                    why = ("no valid team of its qualified trainers is free"
                           + (f" ({'; '.join(busy[:4])}{'; ...' if len(busy) > 4 else ''})" if busy else ""))
                    continue
                if tries >= most_checks_per_week:
                    break
                tries += 1
                cand = ScheduledEdition.place(p, ed, days, vr[1].id if vr else None, (t.id for t in team),
                                              mode=mode_in(vr))
                trial = _with(schedule, [*others, cand])
                new = [v for v in check_calendar(trial) if v.message not in already]
                if new:
                    why = new[0].message
                    continue
                points = _points(trial)
                objective = round(sum(points.values()), 2)
                changes = {r: round(points[r] - base_points.get(r, 0), 2) for r in points
                           if abs(points[r] - base_points.get(r, 0)) >= 0.005}
                is_current = bool(current and current.start == cand.start and current.room == cand.room
                                  and current.mode == cand.mode)
                found = Alternative(edition=ed.id, start=cand.start, end=cand.end, days=days, room=cand.room,
                                    mode=cand.mode, trainers=cand.trainers, objective=objective,
                                    delta=round(objective - base, 2), current=is_current, changes=changes)
                break
            if found is not None:
                out.append(found)
            else:
                blocked.append(BlockedWeek(week=monday, room=vr[1].id if vr else None, reason=why))
    now = None
    if current is not None:
        now = Alternative(edition=ed.id, start=current.start, end=current.end, days=current.days,
                          room=current.room, mode=current.mode, trainers=current.trainers, objective=base, delta=0.0,
                          current=True)
    out = [a for a in out if not a.current]
    out.sort(key=lambda a: (a.delta, a.start, a.room or ""))
    return Alternatives(edition=ed.id, objective=base, current=now, alternatives=out, blocked=blocked)
