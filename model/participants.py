"""Participants: nominees' seats in the calendar's editions, checked without the solver.

The allocation (``scheduler/allocation.py``) seats nominees after the calendar is made.
This module holds what the allocation, its rules (``model/rules/participants.py``) and the
parity report share: seat capacities and modes, country caps, preferences, prerequisites.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

from model.calendar import WorkCalendar
from model.problem import ROOM_MODES, Edition, Mode, Nomination, Problem, Room
from model.schedule import Allocation, Schedule, ScheduledEdition
from model.shares import as_fraction

SEAT_MODES = ("in_person", "online")


def month_key(d: date) -> str:
    return f"{d.year}-{d.month:02d}"


def edition_months(se: ScheduledEdition) -> list[str]:
    """The YYYY-MM months an edition runs in, in order."""
    return sorted({month_key(d) for d in se.days})


def seat_capacity(problem: Problem, se: ScheduledEdition) -> dict[str, int]:
    """Seats per mode: the planned number, capped by the room (in person, online) or the platform."""
    room = problem.room_by_id[se.room][1] if se.room in problem.room_by_id else None
    return seats_offered(problem, problem.edition_by_id[se.edition], room, se.mode)


def seats_offered(problem: Problem, ed: Edition, room: Room | None, mode: Mode) -> dict[str, int]:
    """Seats per seat mode of an edition run in ``mode`` in ``room`` (None: no room, as online):
    the seats planned for the mode (``ProgrammeItem.planned_seats``), capped by the room or the platform."""
    planned_in_person, planned_online = ed.item.planned_seats(mode)
    in_person = online = 0
    if mode in ROOM_MODES:
        in_person = min(planned_in_person, room.seats) if room else 0
    if mode == "hybrid":
        online = min(planned_online, room.online_seats if room and room.hybrid else 0)
    elif mode == "online":
        online = min(planned_online, problem.platform.online_seats_per_stream)
    return {"in_person": in_person, "online": online}


class SeatCost(NamedTuple):
    """What a seat costs, in USD: the return fare and the allowance (a night per course day)."""

    fare: int
    allowance: int

    @property
    def total(self) -> int:
        return self.fare + self.allowance


def seat_cost(problem: Problem, nomination: Nomination, se: ScheduledEdition, mode: str) -> SeatCost:
    """What a seat costs: for an in-person participant the return fare from their country and the
    allowance for a night per course day; an online seat costs nothing."""
    if mode != "in_person":
        return SeatCost(0, 0)
    costs = problem.costs
    return SeatCost(costs.participant_fares_usd.get(nomination.country, 0), costs.allowance_night_usd * len(se.days))


ACCEPTED_MODES = {"in_person": ("in_person",), "in_person_preferred": SEAT_MODES, "online": ("online",),
                  "either": SEAT_MODES}


SEATS_OF_MODE: dict[str, tuple[str, ...]] = {"hybrid": SEAT_MODES, "in_person": ("in_person",),
                                             "online": ("online",)}


def seat_modes(nomination: Nomination, mode: Mode) -> list[str]:
    """The seat modes a nominee may take in an edition run in ``mode``: what they accept and it
    offers. One who prefers to come in person accepts an online seat (``online_instead_of_in_person``)."""
    return [m for m in SEATS_OF_MODE[mode] if m in ACCEPTED_MODES[nomination.mode]]


def may_sit(nomination: Nomination, edition: Edition) -> bool:
    """Whether a nominee accepts a seat in some mode the edition may run in."""
    return any(seat_modes(nomination, m) for m in edition.modes)


def seated_online_instead(nomination: Nomination, mode: str) -> bool:
    """Whether a seat in ``mode`` is online for a nominee who preferred to come in person."""
    return nomination.mode == "in_person_preferred" and mode == "online"


def follows(nomination: Nomination, edition: Edition) -> bool:
    """Whether a nominee follows an edition: in its language or one it is interpreted into.

    A nominee who states no language follows any course.
    """
    item = edition.item
    return not nomination.languages or bool({item.language, *item.interpretation} & set(nomination.languages))


def languages_held(edition: Edition) -> str:
    """'en' or 'en, interpreted into ru': how an edition can be followed."""
    item = edition.item
    into = f", interpreted into {', '.join(item.interpretation)}" if item.interpretation else ""
    return f"'{item.language}'{into}"


def country_cap_seats(problem: Problem, se: ScheduledEdition) -> int:
    """Most seats of an edition one country may take: the cap share of its seats, rounded down."""
    seats = sum(seat_capacity(problem, se).values())
    return math.floor(as_fraction(problem.targets.country_cap_edition.max_share) * seats)


def preference_factor(rank: int) -> int:
    """Weight of a nomination left out by its rank (0 = first choice): 3, 2, then 1."""
    return max(1, 3 - rank)


class TopicRequest(NamedTuple):
    """A nominee's request for a topic, with its rank in their list (0: first choice)."""

    nomination: Nomination
    rank: int


def requests_for(problem: Problem, ed: Edition) -> list[TopicRequest]:
    """The requests an edition of its topic could seat, whatever its dates and mode: nominated for
    the topic, asking for a seat mode it may offer, following its language, and with every
    prerequisite taken or asked for. Editions of one topic share their programme item, and so
    their requests."""
    topic = ed.topic.id
    return [TopicRequest(n, n.topics.index(topic)) for n in problem.nominations
            if topic in n.topics and may_sit(n, ed) and follows(n, ed)
            and not lacking_prerequisites(problem, n, topic)]


def topic_requests(problem: Problem) -> dict[str, list[TopicRequest]]:
    """Each programme topic's requests its editions could seat (:func:`requests_for`), read once per problem."""
    return problem.derived("topic_requests", lambda p: {topic: requests_for(p, ed)
                                                         for topic, ed in p.first_edition.items()})


def accepting(requests: list[TopicRequest], mode: Mode) -> list[TopicRequest]:
    """The requests whose nominees accept a seat in an edition run in ``mode``."""
    return [q for q in requests if seat_modes(q.nomination, mode)]


def free_in(nomination: Nomination, months: Iterable[str]) -> bool:
    """Whether a nominee is free in all the YYYY-MM ``months``."""
    return not set(months) & set(nomination.unavailable_months)


def free_count(requests: list[TopicRequest], months: Iterable[str]) -> int:
    """How many of the requests' nominees are free in all the YYYY-MM ``months``."""
    months = set(months)
    return sum(1 for q in requests if free_in(q.nomination, months))


def span_months(cal: WorkCalendar, start: int, length: int) -> tuple[str, ...]:
    """The YYYY-MM months of ``length`` working days from working-day index ``start``, in order."""
    return tuple(sorted({month_key(cal.days[i]) for i in range(start, start + length)}))


def unserved(requests: list[TopicRequest], seats: int) -> list[TopicRequest]:
    """The requests left beyond ``seats``, seats going to first choices first, then second, then others."""
    ranked = sorted(requests, key=lambda q: (-preference_factor(q.rank), q.nomination.id))
    return ranked[max(0, seats):]


def lacking_prerequisites(problem: Problem, nomination: Nomination, topic: str) -> list[str]:
    """The prerequisite topics of ``topic`` a nominee has neither taken nor asked for: they cannot
    sit it in this horizon."""
    return [b for b, _ in prerequisites_of(problem, topic)
            if b not in nomination.completed and b not in nomination.topics]


def enrol_in_prerequisites(nominations: Iterable[dict[str, Any]], prerequisites: Iterable[tuple[str, str]]) -> int:
    """Nominate each nominee for every prerequisite they have neither taken nor asked for, just
    ahead of the first topic in their list that needs it (and so on down a chain): the centre
    enrols them in the course that comes first rather than leave them without a seat.

    Works on plain data (a problem's ``nominations``, ``prerequisites`` as (before, after)
    pairs), before the problem is read; returns how many nominations it added.
    """
    needs: dict[str, list[str]] = defaultdict(list)
    for before, after in prerequisites:
        needs[after].append(before)
    added = 0
    for n in nominations:
        topics: list[str] = n.get("topics", [])
        done = set(n.get("completed", []))
        i = 0
        while i < len(topics):
            missing = [b for b in needs.get(topics[i], []) if b not in topics and b not in done]
            topics[i:i] = missing
            added += len(missing)
            i += 1 if not missing else 0  # the inserted ones may need their own prerequisites
        n["topics"] = topics
    return added


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
