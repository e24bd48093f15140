"""The same calendar problem in Timefold Solver's Python API: a local-search peer of CP-SAT.

Three kinds of planning entity, each built on ``scheduler/instance.py`` (the options,
rooms, qualified trainers and guest candidates CP-SAT and the MIP see):

- :class:`Course`, one per edition: ``span``, one of the edition's pruned (start, length)
  options (so consecutive working days, length and window hold by construction; none: the
  edition is left out), ``use``, one of the modes left to it, and ``room``, one of the rooms
  that fit it (none online). Spans are shared facts: editions that may take the same days
  point to one object, which keeps the copy of the problem into the JVM small.
- :class:`Seat`, ``max_trainers`` per edition: ``person``, one of the edition's qualified
  trainers (so ``trainer_qualified`` holds by construction). Seats below ``min_trainers``
  must be filled; the others may stay empty.
- :class:`Guest`, one per guest slot of an edition: ``person`` (one of the slot's
  candidates, so who may give it holds by construction; none: the slot is empty) and
  ``offset``, the course day of the session (0 is its first).

The constraints (:func:`constraints`) are one function per rule, named after the rule
they stand for, hard ones apart from soft ones. Hard penalties count the breaches (or
days, USD over a cap...); soft penalties are the checker's objective in hundredths of
a point (``model.check.OBJECTIVE_SCALE``), each unit weighted as ``points_per_unit``
weighs it. So a calendar of score ``0hard/-Xsoft`` is worth ``X / 100`` points to the
checker, which re-verifies every calendar this module returns (:func:`solve_timefold`).

A team's make-up (size, required organisations, lead agency, a woman and a man) is asked
of every edition's seats, on the calendar or not: so placing or dropping an optional
edition never turns on a team rule, and the search can add one at the price of its dates
alone. The calendar drops the teams of the editions left out.

A problem that uses what this model leaves out (:func:`unsupported`: nominations and
demand, pins, a published baseline, standbys) gets no calendar, only the reason.

Timefold translates the constraint lambdas to Java bytecode; they read plain attributes
and precomputed facts only (prefix counts of blocked days, day lists, costs in USD). A
filtering joiner reads the other side's live objects, which a move may have changed before
the change reaches the joiner: those lambdas test for None first.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Annotated, Any

from timefold.solver import Solver, SolverFactory
from timefold.solver.config import (
    Duration,
    EnvironmentMode,
    ScoreDirectorFactoryConfig,
    SolverConfig,
    SolverConfigOverride,
    TerminationConfig,
)
from timefold.solver.domain import (
    PlanningEntityCollectionProperty,
    PlanningId,
    PlanningScore,
    PlanningVariable,
    ProblemFactCollectionProperty,
    ValueRangeProvider,
    planning_entity,
    planning_solution,
)
from timefold.solver.score import (
    Constraint,
    ConstraintCollectors,
    ConstraintFactory,
    HardSoftScore,
    Joiners,
    constraint_provider,
)

from model.check import OBJECTIVE_SCALE, check, kpis, points_per_unit
from model.problem import ROOM_MODES, STREAMED_MODES, GuestSession, Problem
from model.rules import HARD_RULES, RULES, SOFT_RULES
from model.rules.reading import quarter_of
from model.schedule import Schedule, ScheduledEdition, UnscheduledEdition
from model.shares import KNOWN_GENDERS, as_fraction
from scheduler.instance import Instance
from scheduler.solve import unplaceable

NO_LIMIT = 10**9  # a cap that is not there

# The constraint factory, joiners and collectors as the rules see them: Timefold's stubs lose an
# entity's type through joins and group-bys, so the lambdas are left untyped (they are Java once
# translated; the tests check them).
Streams = Any
Join: Any = Joiners
Collect: Any = ConstraintCollectors

# Rules held by construction of the value ranges (see the module's docstring) or by a constraint below.
MODELLED_HARD = frozenset({
    "mandatory_edition_scheduled", "course_on_consecutive_working_days", "course_length_within_range",
    "edition_within_its_window", "room_fits_the_edition", "room_open", "room_not_double_booked",
    "online_stream_limit", "trainer_qualified", "trainer_available", "trainer_not_double_booked",
    "trainer_month_limit", "trainer_year_limit", "organisation_quota", "team_size_within_limits",
    "team_covers_required_organisations", "team_includes_a_lead_agency", "team_mixed_gender",
    "guest_session_fits", "guest_slot_filled", "country_presents_once_per_edition", "prerequisite_finished_first",
    "budget_within_cap", "budget_within_quarter_caps", "trainer_days_women_share_year",
    "trainer_days_women_share_module", "trainer_days_women_share_month",
    # Without nominations or pins these two say nothing (unsupported() declines problems with either).
    "edition_has_enough_requests", "pinned_edition_kept",
})
MODELLED_SOFT = frozenset({
    "optional_edition_left_out", "priority_topic_late", "busiest_month", "busiest_trainer", "cost",
    "linked_topics_overlap", "team_without_mixed_gender", "edition_without_lead_agency", "guest_slot_empty",
    "country_sessions_short", "course_shortened", "trainer_days_off_women_share_year",
    "trainer_days_off_women_share_module", "trainer_days_off_women_share_month",
    # Only a baseline or nominations give these an amount; unsupported() declines both.
    "requests_beyond_seats", "edition_moved", "room_changed", "trainer_changed", "guest_changed",
})


def unsupported(problem: Problem) -> list[str]:
    """Why this model cannot claim to solve ``problem`` (empty: it can)."""
    out = [f"hard rule '{r.id}' is not in the Timefold model" for r in HARD_RULES if r.id not in MODELLED_HARD]
    for r in SOFT_RULES:
        assert r.weight_field is not None
        if r.id not in MODELLED_SOFT and float(getattr(problem.weights, r.weight_field)) > 0:
            out.append(f"soft rule '{r.id}' has a weight but is not in the Timefold model")
    if problem.nominations:
        out.append("nominations (demand and seats) are not in the Timefold model")
    if problem.pins:
        out.append("pinned editions are not in the Timefold model")
    if problem.baseline:
        out.append("a published baseline (re-planning) is not in the Timefold model")
    return out


# --------------------------------------------------------------------------- facts


@dataclass(eq=False)
class Day:
    """A working day: its index in the calendar and the index of its month (``WorkCalendar.months``)."""

    index: int
    month: int


@dataclass(eq=False)
class Country:
    name: str


@dataclass(eq=False)
class Person:
    """A trainer or guest, with what the rules read of them."""

    id: str
    organisation: str
    woman: int  # 1 for a woman, else 0
    man: int
    known: int  # 1 when the gender counts in a share (model.shares.KNOWN_GENDERS)
    day_rate: int
    travel_usd: int
    month_cap: int
    year_cap: int
    org_quota: int  # the organisation's trainer-day quota (NO_LIMIT: none)
    country: str  # "" for none
    region: Country | None  # their country when it is one of the problem's countries
    blocked: list[int]  # prefix counts of their unavailable working days


@dataclass(eq=False)
class Room:
    index: int
    id: str
    day_cost: int
    blocked: list[int]  # prefix counts of closed working days (room and venue)


@dataclass(eq=False)
class Span:
    """Working days ``start`` to ``end - 1``: the dates of a placement, shared by every edition that may
    take them (so that the JVM holds one copy of each)."""

    start: int
    end: int
    length: int
    days: list[Day]
    first_day: int  # calendar days from the horizon's start to the first day
    last_day: int
    quarter: str  # the quarter the costs of an edition starting on it count in
    quarter_cap: int  # that quarter's budget (NO_LIMIT: none)


@dataclass(eq=False)
class Use:
    """A mode an edition may run in, and the rooms that hold it so."""

    mode: str
    needs_room: bool
    streamed: bool
    room_ok: list[bool]  # by room index


@dataclass(eq=False)
class Need:
    """A team of ``edition`` must include someone of ``organisations`` (a guest counts when ``guests_count``)."""

    edition: int
    organisations: list[str]
    guests_count: bool


@dataclass(eq=False)
class Prerequisite:
    before: str
    after: str
    min_gap: int
    max_gap: int


# --------------------------------------------------------------------------- entities


@planning_entity
@dataclass(eq=False)
class Course:
    index: Annotated[int, PlanningId]
    id: str
    topic: str
    module: int
    mandatory: bool
    left_out_points: int  # what leaving it out costs, in hundredths of a point
    late_points: int  # a working day after its earliest start costs this (priority_topic_late)
    earliest: int
    short_points: int  # a day short of its full length costs this (course_shortened; 0: fixed length)
    longest: int
    talk_usd: int  # interpretation, a day
    linked: list[str]  # topics linked with its own
    lead_soft: bool  # the lead-agency rule is soft for it
    leads: list[str]
    spans: Annotated[list[Span], ValueRangeProvider(id="spans")]
    uses: Annotated[list[Use], ValueRangeProvider(id="uses")]
    rooms: Annotated[list[Room], ValueRangeProvider(id="rooms")]
    span: Annotated[Span | None, PlanningVariable(value_range_provider_refs=["spans"], allows_unassigned=True)] = None
    use: Annotated[Use | None, PlanningVariable(value_range_provider_refs=["uses"])] = None
    room: Annotated[Room | None, PlanningVariable(value_range_provider_refs=["rooms"], allows_unassigned=True)] = None


@planning_entity
@dataclass(eq=False)
class Seat:
    id: Annotated[int, PlanningId]
    edition: int
    k: int
    required: bool
    candidates: Annotated[list[Person], ValueRangeProvider(id="qualified")]
    person: Annotated[Person | None, PlanningVariable(value_range_provider_refs=["qualified"],
                                                      allows_unassigned=True)] = None


@planning_entity
@dataclass(eq=False)
class Guest:
    id: Annotated[int, PlanningId]
    edition: int
    slot: str
    required: bool
    candidates: Annotated[list[Person], ValueRangeProvider(id="guests")]
    offsets: Annotated[list[int], ValueRangeProvider(id="offsets")]
    person: Annotated[Person | None, PlanningVariable(value_range_provider_refs=["guests"],
                                                      allows_unassigned=True)] = None
    offset: Annotated[int, PlanningVariable(value_range_provider_refs=["offsets"])] = 0


@planning_solution
@dataclass(eq=False)
class Calendar:
    countries: Annotated[list[Country], ProblemFactCollectionProperty]
    needs: Annotated[list[Need], ProblemFactCollectionProperty]
    prerequisites: Annotated[list[Prerequisite], ProblemFactCollectionProperty]
    courses: Annotated[list[Course], PlanningEntityCollectionProperty]
    seats: Annotated[list[Seat], PlanningEntityCollectionProperty]
    guests: Annotated[list[Guest], PlanningEntityCollectionProperty]
    score: Annotated[HardSoftScore | None, PlanningScore] = field(default=None)


# --------------------------------------------------------------------------- building


def _hundredths(problem: Problem, rule_id: str) -> int:
    """Soft score a unit of the rule costs: its points in hundredths (0 when switched off)."""
    return max(0, round(points_per_unit(RULES[rule_id], problem.weights) * OBJECTIVE_SCALE))


def _prefix(days: int, blocked: set[int]) -> list[int]:
    out = [0]
    for i in range(days):
        out.append(out[-1] + (i in blocked))
    return out


@dataclass
class Model:
    """The Timefold problem of a ``Problem``, and what turns a solution back into a calendar."""

    inst: Instance
    calendar: Calendar


def build_model(problem: Problem, inst: Instance | None = None) -> Model:
    """Facts and entities of ``problem``, every entity unassigned (no start given)."""
    inst = inst or Instance(problem)
    cal = inst.cal
    horizon = problem.calendar.start
    days = [Day(i, cal.month_of[i]) for i in range(len(cal))]
    countries = {c: Country(c) for c in problem.countries}
    quotas = {o.id: o.trainer_day_quota for o in problem.organisations}
    people = []
    for i, t in enumerate(inst.trainers):
        quota = quotas.get(t.organisation)
        people.append(Person(
            id=t.id, organisation=t.organisation, woman=int(t.gender == "woman"),
            man=int(t.gender == "man"), known=int(t.gender in KNOWN_GENDERS),
            day_rate=t.day_rate, travel_usd=t.travel_usd,
            month_cap=NO_LIMIT if t.max_days_per_month is None else t.max_days_per_month,
            year_cap=NO_LIMIT if t.max_days_per_year is None else t.max_days_per_year,
            org_quota=NO_LIMIT if quota is None else quota, country=t.country or "",
            region=countries.get(t.country or ""), blocked=_prefix(len(cal), inst.trainer_blocked[i])))
    rooms = [Room(k, r.id, r.day_cost, _prefix(len(cal), inst.room_blocked[k])) for k, (_, r) in enumerate(inst.rooms)]
    late_w = _hundredths(problem, "priority_topic_late")
    short_w = _hundredths(problem, "course_shortened")
    left_w = _hundredths(problem, "optional_edition_left_out")
    linked: dict[str, list[str]] = {}
    for a, b in problem.linked_pairs:
        linked.setdefault(a, []).append(b)
        linked.setdefault(b, []).append(a)
    rules = problem.team_rules
    spans: dict[tuple[int, int], Span] = {}

    def span(s: int, d: int) -> Span:
        if (s, d) not in spans:
            first, last = cal.days[s], cal.days[s + d - 1]
            cap = problem.quarterly_budget_usd.get(quarter_of(first))
            spans[(s, d)] = Span(s, s + d, d, days[s:s + d], (first - horizon).days, (last - horizon).days,
                                 quarter_of(first), NO_LIMIT if cap is None else cap)
        return spans[(s, d)]

    courses: list[Course] = []
    seats: list[Seat] = []
    guests: list[Guest] = []
    needs: list[Need] = []
    for plan in inst.plans:
        ed, item = plan.edition, plan.edition.item
        # An edition left no mode has no span either; its one mode then only fills the variable.
        uses = [Use(mode, mode in ROOM_MODES, mode in STREAMED_MODES,
                    [k in plan.rooms and problem.room_fits(ed, r, mode) for k, (_, r) in enumerate(inst.rooms)])
                for mode in plan.modes or ed.modes[:1]]
        options = [span(s, d) for s, d in plan.options]
        courses.append(Course(
            index=plan.index, id=ed.id, topic=ed.topic.id, module=ed.topic.module, mandatory=ed.mandatory,
            left_out_points=0 if ed.mandatory else left_w * (1 + item.priority),
            late_points=late_w * item.priority, earliest=plan.earliest,
            short_points=short_w if item.duration_days is None else 0, longest=ed.topic.duration_max,
            talk_usd=len(item.interpretation) * problem.costs.interpretation_day_usd,
            linked=linked.get(ed.topic.id, []), lead_soft=problem.lead_agency_mode(item) == "soft",
            leads=list(ed.topic.lead_agencies), spans=options, uses=uses, rooms=[rooms[k] for k in plan.rooms]))
        if not options:
            continue  # never on the calendar: no team, guests or needs to choose
        team = [people[t] for t in plan.trainers]
        for k in range(rules.max_trainers):
            seats.append(Seat(len(seats), plan.index, k, k < rules.min_trainers, team))
        longest = plan.max_length
        for slot, candidates in plan.guests:
            guests.append(Guest(len(guests), plan.index, slot.id, slot.required,
                                [people[t] for t in candidates], list(range(max(longest, 1)))))
        needs += [Need(plan.index, list(n.organisations), n.guests_count) for n in problem.team_needs(item)]
    planned = {item.topic for item in problem.programme}  # a prerequisite off the programme binds nothing
    prerequisites = [Prerequisite(p.before, p.after, p.min_gap_days,
                                  NO_LIMIT if p.max_gap_days is None else p.max_gap_days)
                     for p in problem.prerequisites if p.before in planned and p.after in planned]
    return Model(inst, Calendar(list(countries.values()), needs, prerequisites, courses, seats, guests))


# --------------------------------------------------------------------------- constraints


def _off_band(groups: Any, low: Fraction | None, high: Fraction | None) -> Any:
    """(key, women, known, trainer-days off the band) of each group off it (``model.shares.share_gap``:
    short = ceil(p x known) - women, over = women - floor(q x known)). A function of its own so that
    each scope's lambdas keep their own bounds."""
    lo_n, lo_d = (low.numerator, low.denominator) if low is not None else (0, 1)
    hi_n, hi_d = (high.numerator, high.denominator) if high is not None else (1, 1)
    return (groups.map(lambda k, women, known: k, lambda k, women, known: women, lambda k, women, known: known,
                       lambda k, women, known: max(0, (lo_n * known + lo_d - 1) // lo_d - women)
                       + max(0, women - (hi_n * known) // hi_d))
            .filter(lambda k, women, known, off: off > 0))


def constraints(problem: Problem) -> Callable[[ConstraintFactory], list[Constraint]]:
    """The constraint provider of ``problem``: its limits and weights are bound here, once."""
    stream_limit = problem.platform.max_concurrent_streams
    budget = NO_LIMIT if problem.budget_usd is None else problem.budget_usd
    mixed = problem.team_rules.mixed_gender
    least_sessions = problem.team_rules.country_sessions_min
    w = {r.id: _hundredths(problem, r.id) for r in SOFT_RULES}
    bands = []  # (scope, mode, min as (num, den) or None, max as (num, den) or None, weight)
    for scope in ("year", "module", "month"):
        band = getattr(problem.targets, f"trainer_days_{scope}")
        low = None if band.min_share is None else as_fraction(band.min_share)
        high = None if band.max_share is None else as_fraction(band.max_share)
        bands.append((scope, band.mode, low, high, w[f"trainer_days_off_women_share_{scope}"]))

    # The streams many rules read are built once per provider call: Timefold shares a stream's
    # nodes between the constraints that use the same stream object.
    shared: dict[str, Any] = {}

    def once(name: str, build: Callable[[], Any]) -> Any:
        if name not in shared:
            shared[name] = build()
        return shared[name]

    def placed(f: Streams) -> Any:
        """Courses on the calendar (the room may be none: online)."""
        return once("placed", lambda: f.for_each_including_unassigned(Course).filter(lambda c: c.span is not None))

    def team(f: Streams) -> Any:
        """(seat, course): a trainer on the team of a course on the calendar."""
        return once("team", lambda: f.for_each(Seat).join(placed(f), Join.equal(lambda s: s.edition,
                                                                                   lambda c: c.index)))

    def sessions(f: Streams) -> Any:
        """(guest, course): a guest session of a course on the calendar."""
        return once("sessions", lambda: f.for_each(Guest).join(placed(f), Join.equal(lambda g: g.edition,
                                                                                        lambda c: c.index)))

    def person_days(f: Streams) -> Any:
        return once("person_days", lambda: _person_days(f))

    def _person_days(f: Streams) -> Any:
        """(person, course, day): a day someone delivers a course, the team's and the guests' (a trainer-day).

        The days are flattened before the person is read (flatten_last keeps the facts it copied,
        so a person mapped before it would stay stale when a seat changes hands)."""
        team_days = (team(f).expand(lambda s, c: c.span.days).flatten_last(lambda days: days)
                     .map(lambda s, c, d: s.person, lambda s, c, d: c, lambda s, c, d: d))
        guest_days = (sessions(f).filter(lambda g, c: g.offset < c.span.length)
                      .map(lambda g, c: g.person, lambda g, c: c, lambda g, c: c.span.days[g.offset]))
        return team_days.concat(guest_days)

    # What a course costs (model.rules.programme.cost), in USD: its room and interpretation, each team
    # member's fees and trip, each guest's day and trip. Three streams, summed apart then together.
    # Left unannotated: Timefold's translator checks annotations when they run (Any included).
    def course_usd(c):  # type: ignore[no-untyped-def]
        return (c.talk_usd + (c.room.day_cost if c.use.needs_room and c.room is not None else 0)) * c.span.length

    def seat_usd(s, c):  # type: ignore[no-untyped-def]
        return s.person.day_rate * c.span.length + (s.person.travel_usd if c.use.needs_room else 0)

    def guest_usd(g, c):  # type: ignore[no-untyped-def]
        return g.person.day_rate + (g.person.travel_usd if c.use.needs_room else 0)

    def spend(f: ConstraintFactory, by_quarter: bool) -> Any:
        """USD spent in all (a Uni stream of one total), or by quarter ((quarter, cap, USD) per capped quarter)."""
        if not by_quarter:
            return (placed(f).group_by(Collect.sum(lambda c: course_usd(c)))
                    .concat(team(f).group_by(Collect.sum(lambda s, c: seat_usd(s, c))))
                    .concat(sessions(f).group_by(Collect.sum(lambda g, c: guest_usd(g, c))))
                    .group_by(Collect.sum(lambda usd: usd)))
        capped = placed(f).filter(lambda c: c.span.quarter_cap < NO_LIMIT)
        return (capped.group_by(lambda c: c.span.quarter, lambda c: c.span.quarter_cap,
                                Collect.sum(lambda c: course_usd(c)))
                .concat(team(f).filter(lambda s, c: c.span.quarter_cap < NO_LIMIT)
                        .group_by(lambda s, c: c.span.quarter, lambda s, c: c.span.quarter_cap,
                                  Collect.sum(lambda s, c: seat_usd(s, c))))
                .concat(sessions(f).filter(lambda g, c: c.span.quarter_cap < NO_LIMIT)
                        .group_by(lambda g, c: c.span.quarter, lambda g, c: c.span.quarter_cap,
                                  Collect.sum(lambda g, c: guest_usd(g, c))))
                .group_by(lambda q, cap, usd: q, lambda q, cap, usd: cap,
                          Collect.sum(lambda q, cap, usd: usd)))

    # ------------------------------------------------------------------ hard

    def mandatory_edition_scheduled(f: Streams) -> Constraint:
        return (f.for_each_including_unassigned(Course).filter(lambda c: c.mandatory and c.span is None)
                .penalize(HardSoftScore.of_hard(10)).as_constraint("mandatory_edition_scheduled"))

    def room_fits_the_edition(f: Streams) -> Constraint:
        return (placed(f).filter(lambda c: (c.room is None) if c.use.needs_room
                                 else (c.room is not None))
                .concat(placed(f).filter(lambda c: c.room is not None and c.use.needs_room
                                         and not c.use.room_ok[c.room.index]))
                .penalize(HardSoftScore.ONE_HARD).as_constraint("room_fits_the_edition"))

    def room_open(f: Streams) -> Constraint:
        return (placed(f).filter(lambda c: c.room is not None
                                 and c.room.blocked[c.span.end] > c.room.blocked[c.span.start])
                .penalize(HardSoftScore.ONE_HARD, lambda c: c.room.blocked[c.span.end] - c.room.blocked[c.span.start])
                .as_constraint("room_open"))

    def room_not_double_booked(f: Streams) -> Constraint:
        in_rooms = placed(f).filter(lambda c: c.use.needs_room and c.room is not None)
        return (in_rooms.join(in_rooms, Join.equal(lambda c: c.room.index), Join.less_than(lambda c: c.index),
                              Join.overlapping(lambda c: c.span.start, lambda c: c.span.end))
                .penalize(HardSoftScore.ONE_HARD,
                          lambda a, b: min(a.span.end, b.span.end) - max(a.span.start, b.span.start))
                .as_constraint("room_not_double_booked"))

    def online_stream_limit(f: Streams) -> Constraint:
        return (placed(f).filter(lambda c: c.use.streamed).flatten_last(lambda c: c.span.days)
                .group_by(lambda d: d.index, Collect.count())
                .filter(lambda d, n: n > stream_limit)
                .penalize(HardSoftScore.ONE_HARD, lambda d, n: n - stream_limit).as_constraint("online_stream_limit"))

    def trainer_available(f: Streams) -> Constraint:
        on_teams = team(f).filter(lambda s, c: s.person.blocked[c.span.end] > s.person.blocked[c.span.start])
        as_guests = sessions(f).filter(lambda g, c: g.offset < c.span.length).filter(
            lambda g, c: g.person.blocked[c.span.start + g.offset + 1] > g.person.blocked[c.span.start + g.offset])
        return (on_teams.concat(as_guests)
                .penalize(HardSoftScore.ONE_HARD).as_constraint("trainer_available"))

    def trainer_not_double_booked(f: Streams) -> Constraint:
        return (person_days(f).group_by(lambda p, c, d: p, lambda p, c, d: d.index, Collect.count_tri())
                .filter(lambda p, d, n: n > 1)
                .penalize(HardSoftScore.ONE_HARD, lambda p, d, n: n - 1).as_constraint("trainer_not_double_booked"))

    def trainer_month_limit(f: Streams) -> Constraint:
        return (person_days(f).group_by(lambda p, c, d: p, lambda p, c, d: d.month, Collect.count_tri())
                .filter(lambda p, m, n: n > p.month_cap)
                .penalize(HardSoftScore.ONE_HARD, lambda p, m, n: n - p.month_cap).as_constraint("trainer_month_limit"))

    def trainer_year_limit(f: Streams) -> Constraint:
        return (person_days(f).group_by(lambda p, c, d: p, Collect.count_tri())
                .filter(lambda p, n: n > p.year_cap)
                .penalize(HardSoftScore.ONE_HARD, lambda p, n: n - p.year_cap).as_constraint("trainer_year_limit"))

    def organisation_quota(f: Streams) -> Constraint:
        return (person_days(f).filter(lambda p, c, d: p.org_quota < NO_LIMIT)
                .group_by(lambda p, c, d: p.organisation, lambda p, c, d: p.org_quota, Collect.count_tri())
                .filter(lambda o, q, n: n > q)
                .penalize(HardSoftScore.ONE_HARD, lambda o, q, n: n - q).as_constraint("organisation_quota"))

    def team_size_within_limits(f: Streams) -> Constraint:
        # At most max_trainers by construction (that many seats); required seats filled, nobody twice.
        empty = f.for_each_including_unassigned(Seat).filter(lambda s: s.required and s.person is None)
        twice = f.for_each(Seat).join(Seat, Join.equal(lambda s: s.edition), Join.equal(lambda s: s.person),
                                      Join.less_than(lambda s: s.k)).map(lambda a, b: a)
        return empty.concat(twice).penalize(HardSoftScore.ONE_HARD).as_constraint("team_size_within_limits")

    def team_needs_met(f: Streams) -> Constraint:
        """team_covers_required_organisations and team_includes_a_lead_agency: one of their people delivers it."""
        unmet = f.for_each(Need).if_not_exists(Seat, Join.equal(lambda n: n.edition, lambda s: s.edition),
                                               Join.filtering(lambda n, s: s.person is not None
                                                                 and s.person.organisation in n.organisations))
        return (unmet.filter(lambda n: not n.guests_count)
                .concat(unmet.filter(lambda n: n.guests_count)
                        .if_not_exists(Guest, Join.equal(lambda n: n.edition, lambda g: g.edition),
                                       Join.filtering(lambda n, g: g.person is not None
                                                         and g.person.organisation in n.organisations)))
                .penalize(HardSoftScore.ONE_HARD).as_constraint("team_needs_met"))

    def unmixed_teams(f: Streams) -> Any:
        return once("unmixed_teams", lambda: _unmixed_teams(f))

    def _unmixed_teams(f: Streams) -> Any:
        """(edition, team size, women, men) of each team of two or more without a woman or without a man."""
        return (f.for_each(Seat).group_by(lambda s: s.edition, Collect.count(),
                                          Collect.sum(lambda s: s.person.woman),
                                          Collect.sum(lambda s: s.person.man))
                .filter(lambda e, n, women, men: n >= 2 and (women == 0 or men == 0)))

    def team_mixed_gender(f: Streams) -> Constraint:
        return unmixed_teams(f).penalize(HardSoftScore.ONE_HARD).as_constraint("team_mixed_gender")

    def guest_session_fits(f: Streams) -> Constraint:
        # Slot, person and candidates by construction; the day is a course day, and one session a person.
        outside = sessions(f).filter(lambda g, c: g.offset >= c.span.length).map(lambda g, c: g)
        twice = f.for_each(Guest).join(Guest, Join.equal(lambda g: g.edition), Join.equal(lambda g: g.person),
                                       Join.less_than(lambda g: g.id)).map(lambda a, b: a)
        return outside.concat(twice).penalize(HardSoftScore.ONE_HARD).as_constraint("guest_session_fits")

    def guest_slot_filled(f: Streams) -> Constraint:
        return (f.for_each_including_unassigned(Guest).filter(lambda g: g.required and g.person is None)
                .join(placed(f), Join.equal(lambda g: g.edition, lambda c: c.index))
                .penalize(HardSoftScore.ONE_HARD).as_constraint("guest_slot_filled"))

    def country_presents_once_per_edition(f: Streams) -> Constraint:
        return (f.for_each(Guest).filter(lambda g: g.person.country != "")
                .join(Guest, Join.equal(lambda g: g.edition), Join.equal(lambda g: g.person.country),
                      Join.less_than(lambda g: g.id))
                .penalize(HardSoftScore.ONE_HARD).as_constraint("country_presents_once_per_edition"))

    def prerequisite_finished_first(f: Streams) -> Constraint:
        return (f.for_each(Prerequisite).join(placed(f), Join.equal(lambda p: p.after, lambda c: c.topic))
                .if_not_exists(placed(f), Join.equal(lambda p, b: p.before, lambda a: a.topic),
                               Join.filtering(lambda p, b, a: a.span is not None and b.span is not None
                                                 and p.min_gap <= b.span.first_day - a.span.last_day - 1
                                                 <= p.max_gap))
                .penalize(HardSoftScore.ONE_HARD).as_constraint("prerequisite_finished_first"))

    def budget_within_cap(f: Streams) -> Constraint:
        return (spend(f, by_quarter=False).filter(lambda usd: usd > budget)
                .penalize(HardSoftScore.ONE_HARD, lambda usd: (usd - budget) // 100 + 1)
                .as_constraint("budget_within_cap"))

    def budget_within_quarter_caps(f: Streams) -> Constraint:
        return (spend(f, by_quarter=True).filter(lambda q, cap, usd: usd > cap)
                .penalize(HardSoftScore.ONE_HARD, lambda q, cap, usd: (usd - cap) // 100 + 1)
                .as_constraint("budget_within_quarter_caps"))

    # ------------------------------------------------------------------ soft

    def optional_edition_left_out(f: Streams) -> Constraint:
        return (f.for_each_including_unassigned(Course).filter(lambda c: not c.mandatory and c.span is None)
                .penalize(HardSoftScore.ONE_SOFT, lambda c: c.left_out_points)
                .as_constraint("optional_edition_left_out"))

    def late_or_shortened(f: Streams) -> Constraint:
        """priority_topic_late and course_shortened, both costs of the option taken."""
        return (placed(f).filter(lambda c: c.late_points > 0 or c.short_points > 0)
                .penalize(HardSoftScore.ONE_SOFT, lambda c: c.late_points * (c.span.start - c.earliest)
                          + c.short_points * (c.longest - c.span.length))
                .as_constraint("late_or_shortened"))

    def busiest_month(f: Streams) -> Constraint:
        return (placed(f).flatten_last(lambda c: c.span.days)
                .group_by(lambda d: d.month, Collect.count())
                .group_by(Collect.max(lambda m, n: n))
                .penalize(HardSoftScore.of_soft(w["busiest_month"]), lambda n: n).as_constraint("busiest_month"))

    def busiest_trainer(f: Streams) -> Constraint:
        return (person_days(f).group_by(lambda p, c, d: p, Collect.count_tri())
                .group_by(Collect.max(lambda p, n: n))
                .penalize(HardSoftScore.of_soft(w["busiest_trainer"]), lambda n: n).as_constraint("busiest_trainer"))

    def cost(f: Streams) -> list[Constraint]:
        weight = HardSoftScore.of_soft(w["cost"])
        return [placed(f).penalize(weight, lambda c: course_usd(c)).as_constraint("cost: rooms and interpretation"),
                team(f).penalize(weight, lambda s, c: seat_usd(s, c)).as_constraint("cost: team fees and trips"),
                sessions(f).penalize(weight, lambda g, c: guest_usd(g, c)).as_constraint("cost: guest days and trips")]

    def linked_topics_overlap(f: Streams) -> Constraint:
        return (placed(f).join(placed(f), Join.less_than(lambda c: c.index),
                               Join.overlapping(lambda c: c.span.start, lambda c: c.span.end),
                               Join.filtering(lambda a, b: b.topic in a.linked))
                .penalize(HardSoftScore.of_soft(w["linked_topics_overlap"])).as_constraint("linked_topics_overlap"))

    def team_without_mixed_gender(f: Streams) -> Constraint:
        return (unmixed_teams(f).map(lambda e, n, women, men: e)
                .join(placed(f), Join.equal(lambda e: e, lambda c: c.index))
                .penalize(HardSoftScore.of_soft(w["team_without_mixed_gender"]))
                .as_constraint("team_without_mixed_gender"))

    def edition_without_lead_agency(f: Streams) -> Constraint:
        return (placed(f).filter(lambda c: c.lead_soft)
                .if_not_exists(Seat, Join.equal(lambda c: c.index, lambda s: s.edition),
                               Join.filtering(lambda c, s: s.person is not None
                                                 and s.person.organisation in c.leads))
                .if_not_exists(Guest, Join.equal(lambda c: c.index, lambda g: g.edition),
                               Join.filtering(lambda c, g: g.person is not None
                                                 and g.person.organisation in c.leads))
                .penalize(HardSoftScore.of_soft(w["edition_without_lead_agency"]))
                .as_constraint("edition_without_lead_agency"))

    def guest_slot_empty(f: Streams) -> Constraint:
        return (f.for_each_including_unassigned(Guest).filter(lambda g: not g.required and g.person is None)
                .join(placed(f), Join.equal(lambda g: g.edition, lambda c: c.index))
                .penalize(HardSoftScore.of_soft(w["guest_slot_empty"])).as_constraint("guest_slot_empty"))

    def country_sessions_short(f: Streams) -> Constraint:
        return (sessions(f).filter(lambda g, c: g.person.region is not None)
                .group_by(lambda g, c: g.person.region, Collect.count_bi())
                .complement(Country, lambda country: 0)
                .filter(lambda country, n: n < least_sessions)
                .penalize(HardSoftScore.of_soft(w["country_sessions_short"]), lambda country, n: least_sessions - n)
                .as_constraint("country_sessions_short"))

    def women_shares(f: Streams) -> list[Constraint]:
        """Women's share of trainer-days by year, module and month: hard bands, or trainer-days off a soft one."""
        out = []
        for scope, mode, low, high, weight in bands:
            if mode == "off" or (mode == "soft" and weight <= 0):
                continue
            days = person_days(f)
            if scope == "year":
                groups = days.group_by(lambda p, c, d: 0, Collect.sum(lambda p, c, d: p.woman),
                                       Collect.sum(lambda p, c, d: p.known))
            elif scope == "module":
                groups = days.group_by(lambda p, c, d: c.module, Collect.sum(lambda p, c, d: p.woman),
                                       Collect.sum(lambda p, c, d: p.known))
            else:
                groups = days.group_by(lambda p, c, d: d.month, Collect.sum(lambda p, c, d: p.woman),
                                       Collect.sum(lambda p, c, d: p.known))
            score = HardSoftScore.ONE_HARD if mode == "hard" else HardSoftScore.of_soft(weight)
            name = f"trainer_days_women_share_{scope}" if mode == "hard" else f"trainer_days_off_women_share_{scope}"
            out.append(_off_band(groups, low, high).penalize(score, lambda k, women, known, off: off)
                       .as_constraint(name))
        return out

    @constraint_provider
    def provider(f: ConstraintFactory) -> list[Constraint]:
        shared.clear()
        hard = [mandatory_edition_scheduled(f), room_fits_the_edition(f), room_open(f), room_not_double_booked(f),
                online_stream_limit(f), trainer_available(f), trainer_not_double_booked(f),
                trainer_month_limit(f), trainer_year_limit(f), organisation_quota(f), team_size_within_limits(f),
                team_needs_met(f), guest_session_fits(f), guest_slot_filled(f),
                country_presents_once_per_edition(f), prerequisite_finished_first(f), budget_within_cap(f),
                budget_within_quarter_caps(f)]
        if mixed == "hard":
            hard.append(team_mixed_gender(f))
        soft = [optional_edition_left_out(f), late_or_shortened(f)]
        weighed = [(busiest_month, "busiest_month"), (busiest_trainer, "busiest_trainer"),
                   (linked_topics_overlap, "linked_topics_overlap"),
                   (edition_without_lead_agency, "edition_without_lead_agency"), (guest_slot_empty, "guest_slot_empty"),
                   (country_sessions_short, "country_sessions_short")]
        if mixed == "soft":
            weighed.append((team_without_mixed_gender, "team_without_mixed_gender"))
        soft += [rule(f) for rule, rule_id in weighed if w[rule_id] > 0]
        if w["cost"] > 0:
            soft += cost(f)
        return hard + soft + women_shares(f)

    return provider


# --------------------------------------------------------------------------- back to a calendar


def to_schedule(model: Model, solution: Calendar) -> Schedule:
    """The calendar of a Timefold solution, as it stands (the checker judges it)."""
    inst = model.inst
    cal = inst.cal
    team: dict[int, list[str]] = {}
    for s in solution.seats:
        if s.person is not None:
            team.setdefault(s.edition, []).append(s.person.id)
    guests: dict[int, list[tuple[str, str, int]]] = {}
    for g in solution.guests:
        if g.person is not None:
            guests.setdefault(g.edition, []).append((g.slot, g.person.id, g.offset))
    placed, left = [], []
    for c in solution.courses:
        plan = inst.plans[c.index]
        ed = plan.edition
        o, use = c.span, c.use
        if o is None or use is None:
            left.append(UnscheduledEdition(edition=ed.id, topic=ed.topic.id, number=ed.number, mandatory=ed.mandatory,
                                           reason=plan.why_no_option or "left out by Timefold"))
            continue
        room = c.room.id if c.room is not None and use.mode in ROOM_MODES else None
        sessions = [GuestSession(slot=slot, person=person, day=cal.days[min(o.start + offset, len(cal) - 1)])
                    for slot, person, offset in guests.get(c.index, [])]
        placed.append(ScheduledEdition.place(inst.problem, ed, cal.run_days(o.start, o.length), room,
                                             team.get(c.index, []), sessions, mode=use.mode))  # type: ignore[arg-type]
    placed.sort(key=lambda e: (e.start, e.edition))
    return Schedule(problem=inst.problem, editions=placed, unscheduled=left)


# --------------------------------------------------------------------------- solving


@dataclass(frozen=True)
class TimefoldPoint:
    """A new best solution, ``elapsed_s`` after the problem was handed over.

    ``objective`` is Timefold's soft score in points (None while a hard rule is broken):
    the checker's objective of the calendar when the model is exact.
    """

    elapsed_s: float
    objective: float | None
    hard: int
    soft: int


@dataclass
class TimefoldResult:
    """What :func:`solve_timefold` returns: the checked calendar, or why there is none."""

    status: str
    schedule: Schedule | None = None
    objective: float | None = None  # the checker's, from the calendar
    score: str | None = None  # Timefold's best score
    score_objective: float | None = None  # its soft part in points
    build_s: float = 0.0
    runtime_s: float = 0.0
    first_solution_s: float | None = None  # the first feasible calendar
    history: list[TimefoldPoint] = field(default_factory=list)
    reason: str = ""
    violations: list[str] = field(default_factory=list)


def _listen(solver: Solver[Calendar], on_best: Callable[[int, int, bool], None]) -> Any:
    """Call ``on_best(hard, soft, initialized)`` at each new best solution; return the listener (keep it).

    The Python API's own listener (``Solver.add_event_listener``) converts the whole solution back
    to Python at every event, which slows the search down by orders of magnitude on these problems;
    this one reads the score alone, on the Java side (``Solver._delegate`` is the Java solver).
    """
    from jpype import JClass, JImplements, JOverride

    @JImplements(JClass("ai.timefold.solver.core.api.solver.event.SolverEventListener"))
    class Listener:
        @JOverride
        def bestSolutionChanged(self, event: Any) -> None:  # Java's name
            score = event.getNewBestScore()
            on_best(int(score.hardScore()), int(score.softScore()), bool(event.isNewBestSolutionInitialized()))

    listener = Listener()
    solver._delegate.addEventListener(listener)
    return listener


def solve_timefold(problem: Problem, time_limit_s: float = 60.0,
                   on_progress: Callable[[TimefoldPoint], None] | None = None,
                   environment: str | None = None, seed: int | None = None,
                   unimproved_s: float | None = None) -> TimefoldResult:
    """Build the model, let Timefold's default construction heuristic and local search run, check
    the best calendar without the solver.

    Parameters
    ----------
    problem
        A validated problem.
    time_limit_s
        Wall-clock seconds from now to the end of the search (the JVM's start and the model's
        build included: the search gets what is left, at least a second).
    on_progress
        Called at every new best solution, in the solver's thread.
    environment
        A Timefold ``EnvironmentMode`` name (e.g. ``FULL_ASSERT`` in tests); its default unless told.
    seed
        The random seed; Timefold's default unless told.
    unimproved_s
        Also stop after this many seconds of search without a better solution (none unless told:
        the benchmark searches to its time limit; tests stop early on small problems).
    """
    t0 = time.perf_counter()
    why = unsupported(problem)
    if why:
        return TimefoldResult("UNSUPPORTED", reason="; ".join(why))
    inst = Instance(problem)
    refusal = unplaceable(inst)
    if refusal is not None:
        return TimefoldResult("INFEASIBLE", reason="; ".join(refusal.diagnosis))
    model = build_model(problem, inst)
    config = SolverConfig(
        solution_class=Calendar, entity_class_list=[Course, Seat, Guest],
        score_director_factory_config=ScoreDirectorFactoryConfig(constraint_provider_function=constraints(problem)))
    if environment is not None:
        config.environment_mode = EnvironmentMode[environment]
    if seed is not None:
        config.random_seed = seed
    factory = SolverFactory.create(config)  # starts the JVM and translates the model's classes and lambdas
    build_s = time.perf_counter() - t0
    # The spent limit counts from the start of the search, after the problem has been copied into the
    # JVM; a timer stops the search at the time limit counted from now, whichever comes first.
    left_s = max(1.0, time_limit_s - build_s)
    termination = TerminationConfig(spent_limit=Duration(milliseconds=int(1000 * left_s)))
    if unimproved_s is not None:
        termination.unimproved_spent_limit = Duration(milliseconds=int(1000 * unimproved_s))
    solver = factory.build_solver(SolverConfigOverride(termination_config=termination))
    history: list[TimefoldPoint] = []
    first: list[float] = []

    def on_best(hard: int, soft: int, initialized: bool) -> None:
        elapsed = time.perf_counter() - t0
        feasible = initialized and hard >= 0
        point = TimefoldPoint(elapsed, -soft / OBJECTIVE_SCALE if feasible else None, hard, soft)
        if feasible and not first:
            first.append(elapsed)
        history.append(point)
        if on_progress is not None:
            on_progress(point)

    listener = _listen(solver, on_best)
    deadline = threading.Timer(max(1.0, time_limit_s - (time.perf_counter() - t0)), solver.terminate_early)
    deadline.start()
    try:
        best = solver.solve(model.calendar)
    finally:
        deadline.cancel()
    runtime = time.perf_counter() - t0
    del listener
    score = best.score
    result = TimefoldResult("FEASIBLE", build_s=build_s, runtime_s=runtime, score=str(score), history=history,
                            first_solution_s=first[0] if first else None)
    if score is not None:
        result.score_objective = -score.soft_score / OBJECTIVE_SCALE
    schedule = to_schedule(model, best)
    result.schedule = schedule
    result.violations = [str(v) for v in check(schedule)]
    if result.violations:
        result.status = "INVALID"
        result.reason = (f"Timefold's best calendar ({score}) breaks {len(result.violations)} hard rule(s): "
                         "no result")
        return result
    result.objective = kpis(schedule).objective
    if result.score_objective is not None and not math.isclose(result.objective, result.score_objective,
                                                               abs_tol=0.011):
        result.reason = (f"Timefold's score says {result.score_objective:g} points, the checker "
                         f"{result.objective:g}: the checker's figure counts")
    return result


__all__ = ["Calendar", "Course", "Guest", "Model", "Seat", "TimefoldPoint", "TimefoldResult", "build_model",
           "constraints", "solve_timefold", "to_schedule", "unsupported"]
