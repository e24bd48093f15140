"""Explaining a calendar without the solver: the penalty record by record ("score analysis").

:func:`penalty_breakdown` splits each soft rule's penalty (as :func:`model.check.penalties`
computes it) over the records it comes from: each edition left out, each late edition,
the editions that make up the busiest month and the busiest trainer's days, each edition's
fees and room cost, each overlapping pair of linked topics, each team without a woman and
a man, each shortened course, each published edition moved, and each group outside a
women's-share band. The items of a rule add up to that rule's points (to the hundredth).
The CLI summary, the Excel Issues sheet, the schedule JSON (``solver.breakdown``) and the
API all show it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from model.check import (
    UNIT_FACTOR,
    _Checker,
    earliest_index,
    known_count,
    penalties,
    scope_label,
    share_gap,
    trainer_day_counts,
)
from model.problem import Edition, Room, ShareBand, Trainer, Venue
from model.rules import RULES
from model.schedule import PenaltyItem, RulePenalty, Schedule, ScheduledEdition


def points_text(points: float) -> str:
    """1055.2 -> '1,055.2'; 30.0 -> '30': points as a planner reads them, to the hundredth."""
    return f"{points:,.2f}".rstrip("0").rstrip(".")


class _Items:
    def __init__(self, pens: list[RulePenalty]) -> None:
        self.pen = {p.rule: p for p in pens}
        self.out: list[PenaltyItem] = []

    def add(self, rule: str, amount: float, message: str, *, edition: str | None = None,
            trainer: str | None = None, records: list[str] | None = None) -> None:
        """``amount`` in the rule's counting unit (USD for cost), as soft_amounts counts it."""
        pen = self.pen.get(rule)
        if pen is None or pen.weight <= 0 or not amount:
            return
        scaled = amount * UNIT_FACTOR.get(rule, 1.0)
        points = round(scaled * pen.weight, 2)
        self.out.append(PenaltyItem(
            rule=rule, name=RULES[rule].name, edition=edition, trainer=trainer,
            records=records if records is not None else [x for x in (edition, trainer) if x],
            amount=scaled, unit=pen.unit, points=points, message=f"{message}: {points_text(points)} points"))


def penalty_breakdown(schedule: Schedule) -> list[PenaltyItem]:
    """Each soft rule's penalty, record by record, in planner words.

    Parameters
    ----------
    schedule
        Any calendar with its problem (solved or edited by hand).

    Returns
    -------
    list[PenaltyItem]
        In the order of the soft rules, then of the calendar; a rule's items add up to its
        points in :func:`model.check.penalties`. Rules with a weight of 0 have no items.
    """
    p = schedule.problem
    cal = p.work_calendar
    items = _Items(penalties(schedule))
    placed: list[tuple[Edition, ScheduledEdition]] = [
        (p.edition_by_id[se.edition], se) for se in schedule.sorted_editions()
        if se.edition in p.edition_by_id]
    done = {ed.id for ed, _ in placed}

    for ed in p.editions:
        if not ed.mandatory and ed.id not in done:
            n = 1 + ed.item.priority
            items.add("optional_edition_left_out", n,
                      f"optional edition {ed.id} ({ed.topic.title}) is left out; priority {ed.item.priority} "
                      f"counts {n}", edition=ed.id)
    for ed, se in placed:
        if ed.item.priority and se.start in cal.index:
            late = cal.index[se.start] - earliest_index(p, ed)
            if late:
                items.add("priority_topic_late", late * ed.item.priority,
                          f"{se.edition} (priority {ed.item.priority}) starts {se.start}, {late} working "
                          "days "
                          "after it could", edition=se.edition)
    _busiest_month(items, placed)
    _busiest_trainer(items, schedule, placed)
    for _, se in placed:
        _cost(items, schedule, se)
    linked = set(p.linked_pairs)
    for i, (ea, a) in enumerate(placed):
        for eb, b in placed[i + 1:]:
            if tuple(sorted((ea.topic.id, eb.topic.id))) in linked and a.start <= b.end and b.start <= a.end:
                items.add("linked_topics_overlap", 1,
                          f"{a.edition} and {b.edition} are linked topics and run at the same time",
                          edition=a.edition, records=[a.edition, b.edition])
    if p.team_rules.mixed_gender == "soft":
        for _, se in placed:
            genders = {p.trainer_by_id[t].gender for t in se.trainers if t in p.trainer_by_id}
            if len(se.trainers) >= 2 and not {"woman", "man"} <= genders:
                items.add("team_without_mixed_gender", 1,
                          f"the team of {se.edition} ({', '.join(se.trainers)}) lacks a woman or a man",
                          edition=se.edition)
    for ed, se in placed:
        cut = ed.topic.duration_max - len(se.days)
        if ed.item.duration_days is None and cut:
            items.add("course_shortened", cut, f"{se.edition} runs {len(se.days)} of its "
                      f"{ed.topic.duration_max} days", edition=se.edition)
    _baseline(items, schedule)
    for scope, groups in trainer_day_counts(schedule).items():
        rule = f"trainer_days_off_women_share_{scope}"
        band: ShareBand = getattr(p.targets, f"trainer_days_{scope}")
        if band.mode != "soft":
            continue
        for key, counts in sorted(groups.items(), key=lambda kv: str(kv[0])):
            known = known_count(counts)
            short, over = share_gap(counts["woman"], known, band)
            if short or over:
                label = scope_label(scope, key)
                gap = f"{short} trainer-days short" if short else f"{over} trainer-days over"
                items.add(rule, short + over,
                          f"women's share of trainer-days in {label}: {counts['woman']} of {known}, "
                          f"band {band.describe()}: {gap}", records=[label])
    order = {r: i for i, r in enumerate(items.pen)}
    return sorted(items.out, key=lambda it: order[it.rule])


def _busiest_month(items: _Items, placed: list[tuple[Edition, ScheduledEdition]]) -> None:
    months: Counter[tuple[int, int]] = Counter((d.year, d.month) for _, se in placed for d in se.days)
    if not months:
        return
    (y, m), total = max(sorted(months.items()), key=lambda kv: kv[1])
    label = f"{y}-{m:02d}"
    for _, se in placed:
        n = sum(1 for d in se.days if (d.year, d.month) == (y, m))
        if n:
            items.add("busiest_month", n,
                      f"{se.edition} has {n} of the {total} training days of the busiest month, {label}",
                      edition=se.edition, records=[label, se.edition])


def _busiest_trainer(items: _Items, schedule: Schedule,
                     placed: list[tuple[Edition, ScheduledEdition]]) -> None:
    p = schedule.problem
    days: Counter[str] = Counter(t for _, se in placed for t in set(se.trainers) for _ in se.days)
    if not days:
        return
    tid, total = max(sorted(days.items()), key=lambda kv: kv[1])
    name = p.trainer_by_id[tid].name if tid in p.trainer_by_id else tid
    for _, se in placed:
        if tid in se.trainers:
            items.add("busiest_trainer", len(se.days),
                      f"the busiest trainer, {tid} {name} ({total} days in all), teaches {len(se.days)} days "
                      f"on {se.edition}", edition=se.edition, trainer=tid, records=[tid, se.edition])


def _cost(items: _Items, schedule: Schedule, se: ScheduledEdition) -> None:
    p = schedule.problem
    n = len(se.days)
    fees = [(t, p.trainer_by_id[t].day_rate) for t in sorted(set(se.trainers)) if t in p.trainer_by_id]
    fee_usd = sum(rate * n for _, rate in fees)
    room_usd = p.room_by_id[se.room][1].day_cost * n if se.room in p.room_by_id else 0
    if not fee_usd + room_usd:
        return
    parts = [f"fees {fee_usd:,} USD (" + ", ".join(f"{t} {rate:,}" for t, rate in fees) + f" a day x {n})"]
    if se.room in p.room_by_id:
        parts.append(f"room {se.room} {room_usd:,} USD ({p.room_by_id[se.room][1].day_cost:,} a day x {n})")
    items.add("cost", fee_usd + room_usd, f"{se.edition}: " + " and ".join(parts)
              + f", {fee_usd + room_usd:,} USD", edition=se.edition,
              records=[se.edition, *(t for t, _ in fees), *([se.room] if se.room else [])])


def _baseline(items: _Items, schedule: Schedule) -> None:
    by_id = {se.edition: se for se in schedule.editions}
    for b in schedule.problem.baseline:
        se = by_id.get(b.edition)
        if se is None:
            items.add("edition_moved", 1, f"published edition {b.edition} is dropped", edition=b.edition)
            continue
        if se.start != b.start:
            items.add("edition_moved", 1, f"published edition {b.edition} moves from {b.start} to {se.start}",
                      edition=b.edition)
        if b.room is not None and se.room != b.room:
            items.add("room_changed", 1, f"{b.edition} moves from room {b.room} to {se.room or 'online'}",
                      edition=b.edition)
        gone = sorted(set(b.trainers) - set(se.trainers))
        if gone:
            items.add("trainer_changed", len(gone),
                      f"{', '.join(gone)} taken off the published team of {b.edition}", edition=b.edition,
                      records=[b.edition, *gone])


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


class _Occupancy:
    """What the other editions take: trainers' and rooms' days, loads, streams."""

    def __init__(self, schedule: Schedule, others: list[ScheduledEdition]) -> None:
        p = schedule.problem
        self.p = p
        self.trainer_days: dict[str, set[date]] = defaultdict(set)
        self.room_days: dict[str, set[date]] = defaultdict(set)
        self.year: Counter[str] = Counter()
        self.month: Counter[tuple[str, int, int]] = Counter()
        self.org: Counter[str] = Counter()
        for se in others:
            for t in set(se.trainers):
                self.trainer_days[t].update(se.days)
                self.year[t] += len(se.days)
                for d in se.days:
                    self.month[(t, d.year, d.month)] += 1
                if t in p.trainer_by_id:
                    self.org[p.trainer_by_id[t].organisation] += len(se.days)
            if se.room:
                self.room_days[se.room].update(se.days)

    def trainer_free(self, t: Trainer, days: list[date]) -> bool:
        if any(d in self.trainer_days[t.id] for d in days):
            return False
        if any(per.start <= d <= per.end for per in t.unavailable for d in days):
            return False
        if t.max_days_per_year is not None and self.year[t.id] + len(days) > t.max_days_per_year:
            return False
        if t.max_days_per_month is not None:
            per_month = Counter((d.year, d.month) for d in days)
            if any(self.month[(t.id, y, m)] + n > t.max_days_per_month for (y, m), n in per_month.items()):
                return False
        quota = self.p.organisation_by_id[t.organisation].trainer_day_quota
        return quota is None or self.org[t.organisation] + len(days) <= quota

    def why_busy(self, t: Trainer, days: list[date]) -> str:
        """Why trainer ``t`` cannot teach on ``days`` (``trainer_free`` is False)."""
        if any(d in self.trainer_days[t.id] for d in days):
            return f"{t.id} teaches then"
        away = next((per for per in t.unavailable if any(per.start <= d <= per.end for d in days)), None)
        if away is not None:
            return f"{t.id} is away {away.describe()}"
        return f"{t.id} is at a limit (days a year or a month, or {t.organisation}'s quota)"

    def room_free(self, venue: Venue, room: Room, days: list[date]) -> str | None:
        """None when the room is free and open on every day, else why not."""
        if any(d in self.room_days[room.id] for d in days):
            return f"room {room.id} hosts another course then"
        for c in list(room.closures) + list(venue.closures):
            if any(c.start <= d <= c.end for d in days):
                return f"room {room.id} is closed {c.describe()}"
        return None


def _with(schedule: Schedule, editions: list[ScheduledEdition]) -> Schedule:
    return Schedule.model_construct(format=schedule.format, problem=schedule.problem, editions=editions,
                                    unscheduled=[], allocations=[], unplaced=[], solver=None)


def _points(schedule: Schedule) -> dict[str, float]:
    return {x.rule: x.points for x in penalties(schedule)}


def alternatives(schedule: Schedule, edition_id: str, *, most_checks_per_week: int = 5) -> Alternatives:
    """Other start weeks and rooms for one edition, everything else as scheduled, with their cost.

    For every ISO week and every room that fits (or online), the first start day in the
    week where the room is free and open and a team is free: the edition's own team when
    all its trainers are, otherwise the cheapest valid team of free qualified trainers. The
    placement is kept when the checker finds no hard rule it breaks that the calendar did
    not already break; its objective is recomputed by the checker. A scheduled edition keeps
    its length; one left out tries each allowed length.

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
    already = {v.message for v in _Checker(_with(schedule, others)).run()}
    occ = _Occupancy(schedule, others)
    lengths = [len(current.days)] if current else sorted(ed.durations, reverse=True)
    rooms: list[tuple[Venue, Room] | None] = [None] if ed.mode == "online" else list(p.suitable_rooms(ed))
    pool = p.qualified_trainers(ed)
    required = p.required_organisations(ed.item)
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
                free = [t for t in pool if occ.trainer_free(t, days)]
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
                cand = ScheduledEdition(
                    edition=ed.id, topic=ed.topic.id, number=ed.number, title=ed.topic.title,
                    module=ed.topic.module, start=days[0], end=days[-1], days=days, mode=ed.mode,
                    venue=vr[0].id if vr else None, room=vr[1].id if vr else None,
                    trainers=sorted(t.id for t in team),
                    participants_in_person=ed.item.participants_in_person,
                    participants_online=ed.item.participants_online)
                trial = _with(schedule, [*others, cand])
                new = [v for v in _Checker(trial).run() if v.message not in already]
                if new:
                    why = new[0].message
                    continue
                points = _points(trial)
                objective = round(sum(points.values()), 2)
                changes = {r: round(points[r] - base_points.get(r, 0), 2) for r in points
                           if abs(points[r] - base_points.get(r, 0)) >= 0.005}
                is_current = bool(current and current.start == cand.start and current.room == cand.room)
                found = Alternative(edition=ed.id, start=cand.start, end=cand.end, days=days, room=cand.room,
                                    trainers=cand.trainers, objective=objective,
                                    delta=round(objective - base, 2), current=is_current, changes=changes)
                break
            if found is not None:
                out.append(found)
            else:
                blocked.append(BlockedWeek(week=monday, room=vr[1].id if vr else None, reason=why))
    now = None
    if current is not None:
        now = Alternative(edition=ed.id, start=current.start, end=current.end, days=current.days,
                          room=current.room, trainers=current.trainers, objective=base, delta=0.0,
                          current=True)
    out = [a for a in out if not a.current]
    out.sort(key=lambda a: (a.delta, a.start, a.room or ""))
    return Alternatives(edition=ed.id, objective=base, current=now, alternatives=out, blocked=blocked)
