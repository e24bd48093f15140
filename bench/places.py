"""The places of a programme, and a bound on its calendar from them (an analysis of the network).

A network's centres run their own courses at their own venues: the programme falls apart in
places, groups of programme items that share no topic, prerequisite, linked topic or venue
(an item that names no venue may use any, so it joins every place). What couples two places
is then only what they share: people (a trainer's days, their year and month limits), the
platform's streams, the budget, and the rules over the whole programme (the busiest month,
the busiest trainer, women's shares, the countries' minimum of guest sessions).

Each place alone, with every person, the whole platform and the whole budget to itself, and
only the rules that split (``RuleInfo.splits`` in ``model/rules``), is a relaxation of its part
of the problem: a calendar of the whole, cut to the place, is a calendar of it, and the rules
that split add up over the places. So the sum of the places' proven bounds is a proven bound on
the whole (the rules left out count at least 0, or their floor: ``RuleInfo.floor``, e.g. the
busiest month's, the days of the editions that must run spread evenly over the months).

The product reported this bound for a large programme until the bound of the whole model's linear
relaxation (``scheduler/relaxation.py``) replaced it: on ten centres the places prove 35,357 given
120 s each, the relaxation 48,633 in well under a minute, since it sees what the centres share
(the platform's streams above all). The benches that read a network by its places
(``bench/places_bound.py``, ``bench/place_floors.py``, ``bench/network_pieces.py``) use it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from model.check import points_per_unit
from model.formats.files import problem_from_data
from model.problem import Problem
from model.rules import HARD_RULES, SOFT_RULES
from model.schedule import Schedule
from scheduler.solve import SolveOptions, _solver, build
from scheduler.variables import StopFlag, solve_unless_stopped

# The rules each place's model leaves out: those that do not split over places.
WHOLE_RULES = frozenset(r.id for r in HARD_RULES + SOFT_RULES if not r.splits)


def places(problem: Problem) -> list[list[int]]:
    """The programme's places: groups of programme items (their indices, in order) that share no
    topic, prerequisite, linked topic or venue; one group when nothing splits it."""
    items = problem.programme
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[root(i)] = root(j)

    by_topic: dict[str, int] = {}
    by_venue: dict[str, int] = {}
    anywhere: list[int] = []
    for i, item in enumerate(items):
        if item.topic in by_topic:
            join(i, by_topic[item.topic])
        by_topic.setdefault(item.topic, i)
        if not item.venues:
            anywhere.append(i)
        for venue in item.venues:
            if venue in by_venue:
                join(i, by_venue[venue])
            by_venue.setdefault(venue, i)
    if anywhere:  # an item that may be held anywhere joins every place
        for j in range(len(items)):
            join(j, anywhere[0])
    related = [(p.before, p.after) for p in problem.prerequisites]
    related += [(t.id, other) for t in problem.topics for other in t.links]
    for a, b in related:
        if a in by_topic and b in by_topic:
            join(by_topic[a], by_topic[b])
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def place_problem(problem: Problem, items: list[int]) -> Problem:
    """``problem`` cut to the programme items ``items`` (one place): their pins and published
    editions kept, everything else (people, venues, platform, budget, nominations) whole."""
    data = problem.model_dump(mode="json")
    topics = {problem.programme[i].topic for i in items}
    data["programme"] = [data["programme"][i] for i in items]
    for key in ("pins", "baseline"):
        data[key] = [x for x in data[key] if x["edition"].split("#")[0] in topics]
    return problem_from_data(data, f"{problem.name}: a place of {len(items)} programme items")


def cut(schedule: Schedule, place: Problem) -> Schedule:
    """``schedule`` cut to one place (a :func:`place_problem`): its editions and those it left
    out, under the place's problem."""
    topics = {item.topic for item in place.programme}
    return Schedule(problem=place,
                    editions=[se for se in schedule.editions if se.topic in topics],
                    unscheduled=[u for u in schedule.unscheduled if u.topic in topics])


def floor_of_the_whole(problem: Problem) -> float:
    """The points the rules the places leave out count at the least on any calendar: the sum of
    their floors (``RuleInfo.floor``), weighted."""
    return sum(rule.floor(problem) * points_per_unit(rule, problem.weights)
               for rule in SOFT_RULES if rule.floor is not None)


def bound_by_places(problem: Problem, deadline: float,
                    bound_of: Callable[[Problem, float], float | None]) -> float | None:
    """The sum of the places' bounds (points), each place's model given an equal share of the time
    left before ``deadline`` (a ``time.perf_counter()`` time). ``bound_of(place, limit_s)`` proves
    a place's bound, None when it proves none. A place with no bound, or no time left for it,
    counts 0 (no soft rule's points are below 0), so the sum stays a bound on the whole; the rules
    the places leave out add their floor (:func:`floor_of_the_whole`). None when no place proved
    one, and for a programme in one place, whose bound is its whole model's."""
    groups = places(problem)
    if len(groups) < 2:
        return None
    total, proven = 0.0, 0
    for k, items in enumerate(groups):
        limit = (deadline - time.perf_counter()) / (len(groups) - k)
        if limit <= 0:
            break
        bound = bound_of(place_problem(problem, items), limit)
        if bound is None:
            continue
        proven += 1
        # A place's bound below 0 says nothing, and is 0. Seen once, on ten centres on a busy
        # machine: -15,232.3 on the whole (how a place's search came to report it, with a short
        # share of the time, was not traced).
        total += max(0.0, bound)
    return total + floor_of_the_whole(problem) if proven else None


def place_bound(place: Problem, limit_s: float, options: SolveOptions | None = None,
                stop: StopFlag | None = None) -> float | None:
    """A place's proven bound (points) within ``limit_s``: its model with only the rules that split
    and the rooms' day-by-day rows, searched without presolve (its linear relaxation's bound comes
    within a second; presolve alone took 8 s on a centre of a two-year network). None when it
    proves none."""
    t = time.perf_counter()
    built = build(place, WHOLE_RULES, for_bound=True)
    solver = _solver(options or SolveOptions(), max(0.0, limit_s - (time.perf_counter() - t)),
                     editions=len(built.inst.plans))
    solver.parameters.cp_model_presolve = False
    code = solve_unless_stopped(solver, built.model, stop)
    value = solver.best_objective_bound / built.scale
    return value if code != cp_model.MODEL_INVALID and math.isfinite(value) else None
