"""Participants: nominees' seats in the calendar's editions, checked without the solver.

The allocation (``scheduler/allocation.py``) seats nominees after the calendar is made.
This module re-tests every one of its hard rules from the schedule alone (seats, one
edition per topic, mode, availability, per-person prerequisites, hard parity bands) and
recomputes its soft amounts, exactly as the engine counts them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date

from model.check import Violation, as_fraction, known_count, share_gap
from model.problem import Edition, Nomination, Problem
from model.rules import PARTICIPANT_SOFT_RULES, RULES
from model.schedule import Allocation, RulePenalty, Schedule, ScheduledEdition

SEAT_MODES = ("in_person", "online")


def month_key(d: date) -> str:
    return f"{d.year}-{d.month:02d}"


def edition_months(se: ScheduledEdition) -> list[str]:
    """The YYYY-MM months an edition runs in, in order."""
    return sorted({month_key(d) for d in se.days})


def seat_capacity(problem: Problem, se: ScheduledEdition) -> dict[str, int]:
    """Seats per mode: the planned number, capped by the room (in person, online) or the platform."""
    ed = problem.edition_by_id[se.edition]
    item = ed.item
    room = problem.room_by_id[se.room][1] if se.room in problem.room_by_id else None
    in_person = online = 0
    if ed.mode in ("hybrid", "in_person"):
        in_person = min(item.participants_in_person, room.seats) if room else 0
    if ed.mode == "hybrid":
        online = min(item.participants_online, room.online_seats if room and room.hybrid else 0)
    elif ed.mode == "online":
        online = min(item.participants_online, problem.platform.online_seats_per_stream)
    return {"in_person": in_person, "online": online}


def seat_modes(nomination: Nomination, edition: Edition) -> list[str]:
    """The seat modes a nominee may take in an edition: what they asked for and it offers."""
    offered = {"hybrid": SEAT_MODES, "in_person": ("in_person",), "online": ("online",)}[edition.mode]
    return [m for m in offered if nomination.mode in (m, "either")]


def country_cap_seats(problem: Problem, se: ScheduledEdition) -> int:
    """Most seats of an edition one country may take: the cap share of its seats, rounded down."""
    seats = sum(seat_capacity(problem, se).values())
    return math.floor(as_fraction(problem.targets.country_cap_edition.max_share) * seats)


def preference_factor(rank: int) -> int:
    """Weight of a nomination left out by its rank (0 = first choice): 3, 2, then 1."""
    return max(1, 3 - rank)


def prerequisites_of(problem: Problem, topic: str) -> list[tuple[str, int]]:
    """(before topic, min gap days) a person needs before ``topic``, for topics in the programme.

    A prerequisite outside the programme cannot be taken this horizon; participants are
    assumed to have taken it elsewhere (the calendar's warning says so).
    """
    planned = {i.topic for i in problem.programme}
    return [(pr.before, pr.min_gap_days) for pr in problem.prerequisites
            if pr.after == topic and pr.before in planned]


def gap_days(first: ScheduledEdition, then: ScheduledEdition) -> int:
    """Calendar days between the end of ``first`` and the start of ``then``."""
    return (then.start - first.end).days - 1


def edition_participants(schedule: Schedule) -> dict[str, list[tuple[Allocation, Nomination]]]:
    """Each scheduled edition's allocations with their nominations (unknown nominees left out)."""
    by_id = schedule.problem.nomination_by_id
    out: dict[str, list[tuple[Allocation, Nomination]]] = defaultdict(list)
    for a in schedule.allocations:
        if a.nominee in by_id:
            out[a.edition].append((a, by_id[a.nominee]))
    return out


def check_allocations(schedule: Schedule) -> list[Violation]:
    """Every participant hard rule the schedule's allocations break."""
    p = schedule.problem
    out: list[Violation] = []

    def fail(rule: str, records: list[str], message: str) -> None:
        out.append(Violation(rule=rule, name=RULES[rule].name, records=records, message=message))

    scheduled = schedule.by_edition
    nominations = p.nomination_by_id
    valid: list[tuple[Allocation, Nomination, ScheduledEdition, Edition]] = []
    for a in schedule.allocations:
        n = nominations.get(a.nominee)
        se = scheduled.get(a.edition)
        ed = p.edition_by_id.get(a.edition)
        if n is None:
            fail("participant_nominated_for_the_edition", [a.nominee, a.edition],
                 f"nominee {a.nominee} in {a.edition} is not in the nominations")
        elif se is None or ed is None:
            fail("participant_nominated_for_the_edition", [a.nominee, a.edition],
                 f"nominee {a.nominee} sits in {a.edition}, which is not on the calendar")
        elif ed.topic.id not in n.topics:
            fail("participant_nominated_for_the_edition", [a.nominee, a.edition],
                 f"nominee {a.nominee} sits in {a.edition} but is not nominated for {ed.topic.id}")
        else:
            valid.append((a, n, se, ed))

    seats: Counter[tuple[str, str]] = Counter()
    per_topic: dict[tuple[str, str], list[ScheduledEdition]] = defaultdict(list)
    for a, n, se, ed in valid:
        seats[(se.edition, a.mode)] += 1
        per_topic[(n.id, ed.topic.id)].append(se)
        if a.mode not in seat_modes(n, ed):
            fail("participant_mode_compatible", [n.id, se.edition],
                 f"nominee {n.id} asked for {n.mode.replace('_', '-')} seats and sits "
                 f"{a.mode.replace('_', ' ')} in {se.edition}, {'a' if ed.mode == 'hybrid' else 'an'} "
                 f"{ed.mode.replace('_', '-')} course")
        away = sorted(set(edition_months(se)) & set(n.unavailable_months))
        if away:
            fail("participant_available", [n.id, se.edition],
                 f"nominee {n.id} is unavailable in {', '.join(away)}, when {se.edition} runs")

    for (eid, mode), count in sorted(seats.items()):
        room = seat_capacity(p, scheduled[eid])[mode]
        if count > room:
            fail("participant_seats_within_capacity", [eid],
                 f"{eid} seats {count} participants {mode.replace('_', ' ')}; it has {room} "
                 f"{mode.replace('_', '-')} seat{'' if room == 1 else 's'}")

    for (nid, topic), eds in sorted(per_topic.items()):
        if len(eds) > 1:
            fail("participant_one_edition_per_topic", [nid, topic],
                 f"nominee {nid} sits in {len(eds)} editions of {topic}: "
                 f"{', '.join(se.edition for se in eds)}")

    for (nid, topic), eds in sorted(per_topic.items()):
        n = nominations[nid]
        for before, min_gap in prerequisites_of(p, topic):
            if before in n.completed:
                continue
            for se in eds:
                earlier = [b for b in per_topic.get((nid, before), []) if gap_days(b, se) >= min_gap]
                if not earlier:
                    fail("participant_prerequisite_taken", [nid, se.edition],
                         f"nominee {nid} sits in {se.edition} without having taken {before} "
                         f"(before, or in an edition ending at least {min_gap} days before)")

    targets = p.targets
    band = targets.participants_edition
    cap = targets.country_cap_edition
    for eid, people in sorted(edition_participants(schedule).items()):
        if eid not in scheduled:
            continue
        if band.mode == "hard":
            genders: Counter[str] = Counter(n.gender for _, n in people)
            short, over = share_gap(genders["woman"], known_count(genders), band)
            if short or over:
                fail("participants_women_share_edition", [eid],
                     f"{eid}: {genders['woman']} women of {known_count(genders)} participants of known "
                     f"gender; the band is {band.describe()}")
        if cap.mode == "hard":
            most = country_cap_seats(p, scheduled[eid])
            for country, count in sorted(Counter(n.country for _, n in people).items()):
                if count > most:
                    fail("country_within_cap", [eid, country],
                         f"{eid}: {count} participants from {country}; the cap is {most} "
                         f"({100 * cap.max_share:g} % of its seats)")
    return out


def allocation_amounts(schedule: Schedule) -> dict[str, float]:
    """The amount of each participant soft rule, in its own unit, recomputed from the schedule."""
    p = schedule.problem
    amounts: dict[str, float] = dict.fromkeys((r.id for r in PARTICIPANT_SOFT_RULES), 0.0)
    placed = {(a.nominee, p.edition_by_id[a.edition].topic.id)
              for a in schedule.allocations if a.edition in p.edition_by_id}
    amounts["nomination_unplaced"] = sum(
        preference_factor(rank)
        for n in p.nominations
        for rank, topic in enumerate(n.topics)
        if (n.id, topic) not in placed
    )
    band = p.targets.participants_edition
    cap = p.targets.country_cap_edition
    for eid, people in edition_participants(schedule).items():
        se = schedule.by_edition.get(eid)
        if se is None:
            continue
        if band.mode == "soft":
            genders: Counter[str] = Counter(n.gender for _, n in people)
            gap = share_gap(genders["woman"], known_count(genders), band)
            amounts["participants_off_women_share"] += sum(gap)
        if cap.mode == "soft":
            most = country_cap_seats(p, se)
            amounts["country_over_cap"] += sum(
                max(0, count - most) for count in Counter(n.country for _, n in people).values()
            )
    return amounts


def allocation_penalties(schedule: Schedule) -> list[RulePenalty]:
    """Each participant soft rule's amount, weight and points, recomputed from the schedule."""
    weights = schedule.problem.weights
    amounts = allocation_amounts(schedule)
    out = []
    for r in PARTICIPANT_SOFT_RULES:
        assert r.weight_field is not None
        w = float(getattr(weights, r.weight_field))
        out.append(RulePenalty(rule=r.id, name=r.name, amount=amounts[r.id], unit=r.unit, weight=w,
                               points=round(amounts[r.id] * w, 2)))
    return out


def allocation_objective(schedule: Schedule) -> float:
    """The allocation's objective recomputed from the schedule: the sum of its penalties' points."""
    return round(sum(x.points for x in allocation_penalties(schedule)), 2)

