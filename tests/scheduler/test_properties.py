"""Properties of solve() on generated problems of every rule family (``tests/instances/generated.py``).

1. Every calendar solve() returns breaks no hard rule (``check()``), and its objective and
   bound are the objective the checker recomputes.
2. The status is OPTIMAL or INFEASIBLE: on instances this small a time-out (UNKNOWN, or a
   calendar not proven optimal) is a failure.
3. INFEASIBLE is true: an exhaustive search finds no calendar either.
4. On the smallest instances the proven optimum is the exhaustive search's minimum, and the
   MIP baseline of ``bench/mip.py`` proves the same one.

The faults found this way are kept at the end, each on a minimal instance with its optimum
derived by hand (``FOUND``): a regression test once fixed, an ``xfail`` test while not. The
properties allow for a fault still open only where it is recognised (:func:`known_mip_fault`,
the MIP baseline's), and the hypothesis statistics count how often it bites.

The tests run under the hypothesis profile that ``tests/conftest.py`` loads: ``ci`` by default
(derandomized: the same instances on every run). A long local exploration, with fresh random
instances on each run and failures kept for replay:

    .venv/bin/python -m pytest -p no:cacheprovider tests/scheduler/test_properties.py \\
        --hypothesis-profile=long --hypothesis-show-statistics
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Mapping
from graphlib import TopologicalSorter
from typing import Any, NamedTuple
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, event, given, note, settings

import scheduler.rules
from bench.mip import MipOptions, solve_mip, unsupported
from model.calendar import Period
from model.check import check, kpis
from model.problem import Edition, Mode, Prerequisite, Problem
from model.schedule import Schedule, ScheduledEdition
from scheduler.solve import Result, SolveOptions, solve
from tests.instances.generated import SMALL, problems
from tests.instances.tiny import only_weights, problem_of, record, tiny_data

# One worker and deterministic time: the same instance gives the same answer on any machine.
# The limit (deterministic seconds) is far more than these instances need.
OPTIONS = SolveOptions(time_limit_s=10, workers=1, deterministic=True, explain=False)
# HiGHS's threads are set once per process (the first solve's setting stays): the default here,
# as in tests/bench; a node limit, not a time limit, so that a busy machine changes nothing.
MIP = MipOptions(time_limit_s=math.inf, start="none", highs=(("mip_max_nodes", 1000),))

SLOW_AND_LARGE = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def solved(data: dict[str, Any]) -> tuple[Problem, Result]:
    """Solve a generated problem and check what comes back (properties 1 and 2)."""
    problem = problem_of(data)
    note(str(problem))
    result = solve(problem, OPTIONS)
    event(f"status {result.status}")
    assert result.status in ("OPTIMAL", "INFEASIBLE"), str(result)
    if result.found:
        event("calendar checked")
        assert check(result.schedule) == []
        assert kpis(result.schedule).objective == result.objective
    if result.status == "OPTIMAL":
        assert result.bound == pytest.approx(result.objective)
    if not result.found:
        assert result.schedule.editions == []
        assert result.objective is None
    return problem, result


def agrees(result: Result, best: Schedule | None) -> bool:
    """The solver's answer is the exhaustive search's: no calendar, or the same optimum."""
    if best is None:
        return result.status == "INFEASIBLE"
    return result.found and result.objective == pytest.approx(kpis(best).objective)


def known_mip_fault(problem: Problem) -> str | None:
    """The MIP's fault still open (``FOUND``) that may explain its answer, if the instance has what
    it takes: a course of variable length and a soft share band by year or module."""
    if any(len(ed.durations) > 1 for ed in problem.editions) and any(
            getattr(problem.targets, f"trainer_days_{scope}").mode == "soft" for scope in ("year", "module")):
        return "the MIP's share gap bound"  # pinned_man_on_a_variable_course
    return None


@SLOW_AND_LARGE
@given(problems())
def test_every_calendar_passes_the_checker_and_infeasible_means_none_exists(data: dict[str, Any]) -> None:
    problem, result = solved(data)
    if result.status == "INFEASIBLE":
        found = exhaustive_search(problem, first=True)
        assert found is None, f"a calendar exists: {found.editions}"


@SLOW_AND_LARGE
@given(problems(SMALL))
def test_the_proven_optimum_is_the_exhaustive_one_and_the_mip_one(data: dict[str, Any]) -> None:
    problem, result = solved(data)
    best = exhaustive_search(problem)
    assert agrees(result, best), f"the best calendar: {best and best.editions}"
    if unsupported(problem):
        event("MIP: unsupported")
        return
    mip = solve_mip(problem, MIP)
    if best is None:
        assert mip.schedule is None, mip.reason
    elif mip.status != "OPTIMAL" or mip.objective != pytest.approx(kpis(best).objective):
        fault = known_mip_fault(problem)
        assert fault, f"the MIP: {mip.status} {mip.objective} {mip.reason}"
        event(f"known fault: {fault}")


@settings(SLOW_AND_LARGE, max_examples=60)
@given(problems(SMALL))
def test_the_monthly_caps_as_a_cumulative_keep_the_proven_optimum(data: dict[str, Any]) -> None:
    # The form larger programmes get (scheduler/rules.py, LINEAR_MONTH_CAPS_EDITIONS), on the
    # small ones the exhaustive search can settle.
    with patch.object(scheduler.rules, "LINEAR_MONTH_CAPS_EDITIONS", 0):
        problem, result = solved(data)
    best = exhaustive_search(problem)
    assert agrees(result, best), f"the best calendar: {best and best.editions}"


def test_the_exhaustive_search_finds_the_tiny_optimum() -> None:
    # tests/bench/test_mip.py derives it: 156.3.
    best = exhaustive_search(problem_of(tiny_data()))
    assert best is not None and kpis(best).objective == 156.3


# ----------------------------------------------------------------------- exhaustive search

# Hard rules a partial calendar can break and a fuller one mend: a mandatory edition not yet
# placed, a prerequisite not yet given, a women's share not yet reached. Every other rule,
# once broken, stays broken whatever is added (a pinned edition's wrong date, room or team
# included; its absence is its own).
MENDABLE = frozenset({
    "mandatory_edition_scheduled", "prerequisite_finished_first",
    "trainer_days_women_share_year", "trainer_days_women_share_module", "trainer_days_women_share_month",
})
# An objective is whole hundredths of a point (the checker rounds each rule's points), so a
# better calendar scores at least 0.01 less than the best so far. With the weights generated
# (quarter points; the cost's half points per 100 USD, on fees and rents in tens of USD) every
# rule's points are whole hundredths already, and the bounds below exact but for float noise.
BETTER_BY = 0.005


class Option(NamedTuple):
    """One way to take an edition: a placement (None: left out), the points it adds whatever
    the others do (:func:`own_points`), what it uses of each resource (:func:`resources`), and
    again those of them that have a capacity (:func:`capacity`): a trainer or room on a day
    (capacity 1) apart, the others with their capacity."""

    placement: ScheduledEdition | None
    points: float
    use: tuple[tuple[Any, int], ...]  # counted: the capped ones and those the bounds read
    exclusive: frozenset[Any]
    capped: tuple[tuple[Any, int, float], ...]


def option_of(problem: Problem, ed: Edition, se: ScheduledEdition | None) -> Option:
    use = resources(problem, se) if se is not None else Counter()
    exclusive = frozenset(k for k in use if k[0] in ("trainer", "room"))
    capped = tuple((k, n, cap) for k, n in use.items()
                   if k not in exclusive and (cap := capacity(problem, k)) < math.inf)
    # What the search counts: the capped resources, and those its bounds read.
    counted = {k for k, _, _ in capped} | {k for k in use if k[0] in ("training days", "year", "women", "known")}
    return Option(se, own_points(problem, ed, se), tuple((k, use[k]) for k in counted), exclusive, capped)


def exhaustive_search(problem: Problem, *, first: bool = False) -> Schedule | None:
    """The calendar of least ``kpis().objective`` among all calendars ``check()`` accepts
    (with ``first``: any one of them); None when there is none.

    Every edition takes one placement: a run of its length on consecutive working days, a
    room (none when online) and a team of allowed size among the trainers qualified for it;
    an optional edition may also be left out, unless pinned. Every combination goes to
    ``check()`` but those that cannot pass it or cannot beat the best so far:

    - a placement ``check()`` rejects on its own, for a rule no other edition can mend;
    - placements that together use a resource beyond its capacity (:func:`resources`);
    - an edition whose prerequisite's editions are all placed or left out, none in time;
    - a partial combination no choice of the other editions can bring into a hard women's
      share band (:class:`ShareBands`);
    - a partial combination whose bound reaches the best: its own points, the least the other
      editions add, the least busiest month and trainer, the least the soft share bands cost.

    Size: at most (placements per edition + 1) ** editions combinations. On ``SMALL`` instances
    (3 editions, 15 working days, lengths of 1-3 days, 1 room, teams of 1-3 among 4 trainers:
    14 teams) that is (15 x 3 x 14 + 1) ** 3, about 2.5e8, before the cuts. After them, on the
    generated instances: one call of ``check()`` per candidate placement, a few dozen at most on
    whole calendars, about a second at worst.
    """
    w = problem.weights
    empty = Schedule(problem=problem, editions=[])
    ways: dict[str, list[ScheduledEdition | None]] = {}
    for ed in problem.editions:
        ways[ed.id] = list(placements(empty, ed))
        if not ed.mandatory and ed.id not in problem.pin_by_edition:
            ways[ed.id].append(None)
        if not ways[ed.id]:
            return None  # an edition that must run cannot
    editions = search_order(problem, {e: len(w) for e, w in ways.items()})
    options = [sorted((option_of(problem, ed, se) for se in ways[ed.id]), key=lambda o: o.points) for ed in editions]

    def least(amount: Callable[[Option], float]) -> list[float]:
        """For each i, the least the editions from i on add to an amount."""
        return [sum(min(amount(o) for o in opts) for opts in options[i:]) for i in range(len(options) + 1)]

    rest = least(lambda o: o.points)
    rest_days = least(lambda o: len(o.placement.days) if o.placement else 0)
    rest_trainer_days = least(lambda o: len(o.placement.days) * len(o.placement.trainers) if o.placement else 0)
    shares = ShareBands(problem, options)
    checks = prerequisite_checks(problem, editions)
    months = [("training days", y, m) for y, m in sorted({(d.year, d.month) for d in problem.work_calendar.days})]
    loads = [("year", t.id) for t in problem.trainers]
    in_use: Counter[Any] = Counter()
    taken: set[Any] = set()  # the trainers and rooms on the days they are booked
    chosen: list[ScheduledEdition | None] = []
    best: list[tuple[float, Schedule]] = []

    def busiest(keys: list[Any], more: float) -> int:
        """The least the busiest month (or trainer) ends with: the busiest so far, and the average
        once the least the editions still to place add (``more`` days) is in."""
        now = [in_use[k] for k in keys]
        return max(0, *now, math.ceil((sum(now) + more) / len(keys)) if keys else 0)

    def bound(i: int, points: float) -> float:
        """The least any calendar completing the partial combination scores."""
        return (points + rest[i] + w.busiest_month * busiest(months, rest_days[i])
                + w.busiest_trainer * busiest(loads, rest_trainer_days[i]) + shares.least_points(i, in_use))

    def visit(i: int, points: float) -> bool:
        """Place editions i..; True to stop (``first`` found a calendar)."""
        if not shares.reachable(i, in_use):
            return False
        if best and bound(i, points) > best[0][0] - BETTER_BY:
            return False
        if i == len(options):
            schedule = calendar_of(empty, [se for se in chosen if se is not None])
            if not check(schedule):
                objective = kpis(schedule).objective
                if not best or objective < best[0][0] - BETTER_BY:
                    best[:] = [(objective, schedule)]
                return first
            return False
        for se, pts, use, exclusive, capped in options[i]:
            if best and points + pts + rest[i + 1] > best[0][0] - BETTER_BY:
                break  # the options come by their own points: the others cannot do better
            if not exclusive.isdisjoint(taken) or any(in_use[k] + n > cap for k, n, cap in capped):
                continue
            chosen.append(se)
            if se is None or all(given_in_time(pr, se, [chosen[j] for j in before]) for pr, before in checks[i]):
                taken.update(exclusive)
                for k, n in use:
                    in_use[k] += n
                stop = visit(i + 1, points + pts)
                for k, n in use:
                    in_use[k] -= n
                taken.difference_update(exclusive)
                if stop:
                    return True
            chosen.pop()
        return False

    visit(0, 0.0)
    return best[0][1] if best else None


def search_order(problem: Problem, ways: dict[str, int]) -> list[Edition]:
    """The order editions are placed in: those a prerequisite ties come first, each topic after
    the topics it needs (so that a prerequisite is judged as soon as both sides are placed),
    then the others; the fewer ways to place an edition, the sooner."""
    tied = {t for pr in problem.prerequisites for t in (pr.before, pr.after)}
    needs: dict[str, set[str]] = {t.id: set() for t in problem.topics}
    for pr in problem.prerequisites:
        needs[pr.after].add(pr.before)
    rank = {topic: i for i, topic in enumerate(TopologicalSorter(needs).static_order())}
    return sorted(problem.editions, key=lambda ed: (ed.topic.id not in tied, rank[ed.topic.id] if ed.topic.id in tied
                                                    else 0, ways[ed.id], ed.id))


def placements(empty: Schedule, ed: Edition) -> list[ScheduledEdition]:
    """Every placement of ``ed`` that ``check()`` accepts on its own (in the ``empty`` calendar),
    for the rules no other edition can mend."""
    problem = empty.problem
    cal = problem.work_calendar
    item = ed.item
    places: list[tuple[Mode, str | None, list[Period]]] = [(mode, None, []) for mode in ed.modes
                                                           if mode == "online"]
    places += [(mode, r.id, [*r.closures, *v.closures]) for mode in ed.modes if mode != "online"
               for v, r in problem.rooms]
    able = [t for t in problem.trainers if t.can_teach(ed.topic) and item.language in t.languages]
    sizes = range(problem.team_rules.min_trainers, problem.team_rules.max_trainers + 1)
    needs = [set(need.organisations) for need in problem.team_needs(item)]
    teams = [team for n in sizes for team in itertools.combinations(able, n)
             if all(need & {t.organisation for t in team} for need in needs)]
    out = []
    for length in ed.durations:
        for first in range(len(cal) - length + 1):
            days = list(cal.days[first:first + length])
            # Quick tests before check(): the window, a weekend or holiday inside the course, a
            # required organisation missing from the team (above), the team's absences, the
            # room's closures.
            if (item.earliest_start and days[0] < item.earliest_start) or (
                    item.latest_end and days[-1] > item.latest_end):
                continue
            if not problem.calendar.allow_straddle and (days[-1] - days[0]).days != length - 1:
                continue
            for team in teams:
                if any(u.start <= d <= u.end for t in team for u in t.unavailable for d in days):
                    continue
                for mode, room, closures in places:
                    if any(c.start <= d <= c.end for c in closures for d in days):
                        continue
                    in_person, online = item.planned_seats(mode)
                    se = ScheduledEdition(
                        edition=ed.id, topic=ed.topic.id, number=ed.number, module=ed.topic.module,
                        start=days[0], end=days[-1], days=days, mode=mode,
                        venue=problem.room_by_id[room][0].id if room else None, room=room,
                        trainers=sorted(t.id for t in team),
                        participants_in_person=in_person, participants_online=online)
                    broken = [v for v in check(calendar_of(empty, [se]))
                              if v.rule not in MENDABLE and (v.rule != "pinned_edition_kept" or v.records == [ed.id])]
                    if not broken:
                        out.append(se)
    return out


def calendar_of(empty: Schedule, editions: list[ScheduledEdition]) -> Schedule:
    """The empty calendar of a problem with these editions (without validating the problem again)."""
    return empty.model_copy(update={"editions": editions})


def resources(problem: Problem, se: ScheduledEdition) -> Counter[tuple[Any, ...]]:
    """What a placement uses: each trainer and its room on each day, a stream of the platform
    on each day (hybrid and online courses), each trainer's days in each month and in the
    horizon, its organisation's trainer-days, the budget in USD; and, without a limit, the
    training days of each month and the trainer-days of women and of people of known gender
    in the year, the module and each month (for the bounds)."""
    use: Counter[tuple[Any, ...]] = Counter()
    for d in se.days:
        use["training days", d.year, d.month] += 1
        if se.room is not None:
            use["room", se.room, d] += 1
        if se.mode != "in_person":
            use["streams", d] += 1
        for t in se.trainers:
            use["trainer", t, d] += 1
            use["month", t, d.year, d.month] += 1
    for t in se.trainers:
        trainer = problem.trainer_by_id[t]
        for d in se.days:
            for group in (("year", "year"), ("module", se.module), ("month", (d.year, d.month))):
                use["women", *group] += trainer.gender == "woman"
                use["known", *group] += trainer.gender in ("woman", "man", "another_identity")
        use["year", t] += len(se.days)
        use["quota", trainer.organisation] += len(se.days)
        use["budget",] += trainer.day_rate * len(se.days)
    if se.room is not None:
        use["budget",] += problem.room_by_id[se.room][1].day_cost * len(se.days)
    return use


def capacity(problem: Problem, resource: tuple[Any, ...]) -> float:
    """How much of a resource of :func:`resources` all editions together may use."""
    kind = resource[0]
    if kind in ("trainer", "room"):
        return 1
    if kind == "streams":
        return problem.platform.max_concurrent_streams
    if kind in ("month", "year"):
        trainer = problem.trainer_by_id[resource[1]]
        cap = trainer.max_days_per_month if kind == "month" else trainer.max_days_per_year
    elif kind == "quota":
        cap = problem.organisation_by_id[resource[1]].trainer_day_quota
    elif kind == "budget":
        cap = problem.budget_usd
    else:
        cap = None
    return math.inf if cap is None else cap


class ShareBands:
    """The women's share bands of trainer-days (the year's, each module's, each month's), for
    partial combinations: whether the hard ones can still be met, and the least the soft ones
    will cost. Each end of a band is a side: sign x (women - share x known) must end >= 0,
    with the share left unrounded (the checker rounds outwards: ceil(p x known) <= women <=
    floor(q x known), so a side that cannot end >= 0 cannot be met, and a soft one costs at
    least its shortfall)."""

    def __init__(self, problem: Problem, options: list[list[Option]]) -> None:
        self.sides: list[tuple[Any, Any, float, int, float | None]] = []  # women, known, share, sign, weight
        for scope in ("year", "module", "month"):
            band = getattr(problem.targets, f"trainer_days_{scope}")
            weight = getattr(problem.weights, f"trainer_days_off_women_share_{scope}") if band.mode == "soft" else None
            if band.mode == "off" or weight == 0:
                continue
            for key in {k[2] for opts in options for o in opts for k, _ in o.use if k[:2] == ("known", scope)}:
                for share, sign in ((band.min_share, 1), (band.max_share, -1)):
                    if share is not None:
                        self.sides.append((("women", scope, key), ("known", scope, key), share, sign, weight))
        # The most the editions from i on can add to each side's margin.
        self.most = [[sum(max(self.margin(dict(o.use), side) for o in opts) for opts in options[i:])
                      for side in self.sides] for i in range(len(options) + 1)]

    @staticmethod
    def margin(use: Mapping[Any, int], side: tuple[Any, ...]) -> float:
        women, known, share, sign, _ = side
        return sign * (use.get(women, 0) - share * use.get(known, 0))

    def reachable(self, i: int, in_use: Counter[Any]) -> bool:
        """Whether the editions from i on can still bring every hard band's group inside it."""
        return all(self.margin(in_use, side) + most >= -1e-9
                   for side, most in zip(self.sides, self.most[i], strict=True) if side[4] is None)

    def least_points(self, i: int, in_use: Counter[Any]) -> float:
        """The least the soft bands will cost, whatever the editions from i on do: a side's
        shortfall is a whole number of trainer-days, so at least the shortfall rounded up
        (exactly the checker's once every edition is placed)."""
        return sum(side[4] * max(0, math.ceil(-(self.margin(in_use, side) + most) - 1e-9))
                   for side, most in zip(self.sides, self.most[i], strict=True) if side[4] is not None)


def prerequisite_checks(problem: Problem, editions: list[Edition]) -> list[list[tuple[Prerequisite, list[int]]]]:
    """For each edition, in the search order, its prerequisites whose editions all come before
    it in that order (with their positions): those can be judged as soon as it is placed."""
    out: list[list[tuple[Prerequisite, list[int]]]] = []
    for i, ed in enumerate(editions):
        checks = []
        for pr in problem.prerequisites:
            before = [j for j, other in enumerate(editions) if other.topic.id == pr.before]
            if pr.after == ed.topic.id and before and max(before) < i:
                checks.append((pr, before))
        out.append(checks)
    return out


def given_in_time(pr: Prerequisite, se: ScheduledEdition, before: list[ScheduledEdition | None]) -> bool:
    """Whether an edition of the prerequisite's topic ends in time for ``se`` (min and max gap,
    in calendar days)."""
    gaps = [(se.start - b.end).days - 1 for b in before if b is not None]
    return any(g >= pr.min_gap_days and (pr.max_gap_days is None or g <= pr.max_gap_days) for g in gaps)


def own_points(problem: Problem, ed: Edition, se: ScheduledEdition | None) -> float:
    """Points an edition placed as ``se`` (None: left out) adds to any calendar it is part of,
    the others aside: left out, its priority's points and its baseline's move; placed, its fees
    and room cost, its lateness, the days cut from it, its team without a woman and a man (when
    soft), and how far it is from its baseline (moved, another room, trainers taken off). A lower
    bound: one too high would hide the optimum from the search and fail the comparison, never
    pass it."""
    w = problem.weights
    kept = problem.baseline_by_edition.get(ed.id)
    if se is None:
        return w.optional_edition_left_out * (1 + ed.item.priority) + w.edition_moved * (kept is not None)
    cal = problem.work_calendar
    fees = sum(problem.trainer_by_id[t].day_rate for t in se.trainers) * len(se.days)
    rent = problem.room_by_id[se.room][1].day_cost * len(se.days) if se.room else 0
    earliest = cal.first_index_on_or_after(ed.item.earliest_start) if ed.item.earliest_start else 0
    late = ed.item.priority * (cal.index[se.start] - earliest)
    cut = ed.topic.duration_max - len(se.days) if ed.item.duration_days is None else 0
    genders = {problem.trainer_by_id[t].gender for t in se.trainers}
    unmixed = problem.team_rules.mixed_gender == "soft" and len(se.trainers) >= 2 and not {"woman", "man"} <= genders
    moved = rehoused = dropped = 0
    if kept is not None:
        moved = kept.start != se.start
        rehoused = (kept.room is not None and kept.room != se.room) or (
            kept.mode is not None and kept.mode != se.mode)
        dropped = len(set(kept.trainers) - set(se.trainers))
    return (w.cost * (fees + rent) / 100 + w.priority_topic_late * late + w.course_shortened * cut
            + w.team_without_mixed_gender * unmixed + w.edition_moved * moved + w.room_changed * rehoused
            + w.trainer_changed * dropped)


# ------------------------------------------------------------------------- faults found
# Each fault the properties found, on a minimal instance (``tiny`` changed), with the optimum
# derived by hand (None: no calendar exists), which the exhaustive search confirms.


def twins(**item: Any) -> dict[str, Any]:
    """``tiny`` with one course only: M2.T1 (2 days, 15 in person) twice, mandatory.

    It fits both rooms (HALL at 100 USD a day, B at 40); teams T1+T4 and T2+T3 both have a
    woman, a man and an IOM trainer, at 450 USD a day.
    """
    data = tiny_data()
    data["programme"] = [{"topic": "M2.T1", "mode": "in_person", "participants_in_person": 15,
                          "editions": 2, **item}]
    return data


def twins_on_the_same_days() -> dict[str, Any]:
    # Both inside Mon 1-Tue 2 March: one in HALL with T1+T4, one in B with T2+T3. Busiest month
    # 4 days x 20 = 80, busiest trainer 2 x 10 = 20, cost (4 x 450 + 2 x 100 + 2 x 40) USD = 20.8:
    # 120.8. (The engine made #2 start strictly after #1 and answered INFEASIBLE.)
    return twins(earliest_start="2027-03-01", latest_end="2027-03-02")


def second_twin_pinned_first() -> dict[str, Any]:
    # #2 pinned to Mon 1-Tue 2 March, #1 on Wed 3-Thu 4, both in room B with different teams:
    # busiest month 80, busiest trainer 20, cost (4 x 450 + 4 x 40) USD = 19.6: 119.6. (The engine
    # kept a pinned #2 after #1 and answered INFEASIBLE.)
    data = twins()
    data["pins"] = [{"edition": "M2.T1#2", "start": "2027-03-01"}]
    return data


def second_twin_published_first() -> dict[str, Any]:
    # Only "published editions moved" counts: #2 stays on Mon 1 March, #1 follows: 0 points. (The
    # engine kept a published #2 after #1, moved it, and answered 500.)
    data = twins()
    data["baseline"] = [{"edition": "M2.T1#2", "start": "2027-03-01"}]
    data["weights"] = only_weights(edition_moved=500)
    return data


def half_a_point_per_100_usd() -> dict[str, Any]:
    # Only the cost counts, 0.5 point per 100 USD. The cheapest calendar: M1.T1 on 2 days in HALL
    # with T1+T4 (2 x 550 USD), M2.T1 on 2 days in B with T2+T3 (2 x 490): 2080 USD, 10.4 points.
    # (The engine's cost coefficient, in hundredths of a point per USD, rounded to 0: it answered 0
    # for a calendar the checker put at 13.15.)
    data = tiny_data()
    data["weights"] = only_weights(cost=0.5)
    return data


def online_course_pinned_to_a_room() -> dict[str, Any]:
    # An online course has no room, so the pin cannot be kept: no calendar, or the pin refused as
    # input. (The engine and the MIP ignored the pin and returned a calendar check() rejected:
    # "pinned M1.T1#1 is in room None, not HALL".)
    data = tiny_data()
    record(data, "topics", "M1.T1")["modes"] = ["online"]
    data["programme"] = [{"topic": "M1.T1", "mode": "online", "participants_in_person": 0,
                          "participants_online": 10}]
    data["pins"] = [{"edition": "M1.T1#1", "room": "HALL"}]
    return data


def no_iom_days_and_a_cheap_iom_woman() -> dict[str, Any]:
    # No organisation is required and IOM may give no trainer-day, so T3 and T4 (UNHCR, a woman
    # and a man) teach both courses, one after the other: M1.T1 Mon 1-Wed 3 March in HALL
    # (3 x (400 + 100) USD), M2.T1 Thu 4-Fri 5 in B (2 x (400 + 40)): cost 23.8, busiest month
    # 5 days x 20 = 100, busiest trainer 5 x 10 = 50: 173.8. (The doctor answered INFEASIBLE: T1,
    # now the cheapest woman, is from IOM, and it counted her on every team.)
    data = tiny_data()
    data["team_rules"] = {"required_organisations": []}
    record(data, "organisations", "IOM")["trainer_day_quota"] = 0
    record(data, "trainers", "T1")["day_rate"] = 100
    return data


def optimal_with_one_worker() -> dict[str, Any]:
    # M1.T1 (1-2 days, priority 3) twice, in person; T1 (a man, IOM, no fee) and T2 (a woman,
    # UNHCR, 100 USD a day, away Tue 2-Wed 3 March); IOM on every team; the month's trainer-days
    # at least half women's (soft); a day cut costs 61.25. The best: #1 Mon 1-Tue 2 with T1, #2
    # Thu 4-Fri 5 with T1+T2: lateness 3 x (0 + 3) = 9, busiest month 4 days x 20 = 80, busiest
    # trainer 4 x 10 = 40, cost 200 USD = 2, women 2 of 6 trainer-days, 1 short of half: 10;
    # 141. One worker (deterministic, interleaved) finds it and CP-SAT answers OPTIMAL, but
    # leaves its best bound at 140.5. (solve() then reported FEASIBLE with a gap of 0.35 %.)
    data = tiny_data()
    data["calendar"] = {"start": "2027-03-01", "end": "2027-03-14", "holiday_country": None, "allow_straddle": True}
    data["topics"] = [{"id": "M1.T1", "module": 1, "title": "Migration basics", "duration_min": 1, "duration_max": 2}]
    data["trainers"] = [
        {"id": "T1", "name": "Bakhtiyar (fictional)", "gender": "man", "organisation": "IOM", "modules": [1],
         "fictional": True},
        {"id": "T2", "name": "Leyla (fictional)", "gender": "woman", "organisation": "UNHCR", "modules": [1],
         "day_rate": 100, "unavailable": [{"start": "2027-03-02", "end": "2027-03-03"}], "fictional": True},
    ]
    data["venues"][0]["rooms"] = [{"id": "HALL", "name": "Main hall", "seats": 30}]
    data["programme"] = [{"topic": "M1.T1", "editions": 2, "mode": "in_person", "priority": 3,
                          "participants_in_person": 5}]
    data["team_rules"] = {"min_trainers": 1, "max_trainers": 2, "mixed_gender": "off"}
    data["targets"] = {"trainer_days_year": {"mode": "off"},
                       "trainer_days_month": {"min_share": 0.5, "max_share": None, "mode": "soft"}}
    data["weights"] = {"course_shortened": 61.25}
    return data


def pinned_man_on_a_variable_course() -> dict[str, Any]:
    # M1.T1 alone (2-3 days), a team of one pinned to T2 (a man); only days cut (100 each) and
    # the module's trainer-days short of 40 % women (10 each) count. Three days: 0 of 3 women,
    # ceil(1.2) = 2 short: 20. The MIP proves 110 instead (two days: 100 + 1 short): it bounds a
    # share gap by the number of trainer terms of the group (here 1), not by their trainer-days
    # (up to 3 each on a course of variable length).
    data = tiny_data()
    data["programme"] = [{"topic": "M1.T1", "mode": "hybrid", "participants_in_person": 20,
                          "participants_online": 10}]
    data["team_rules"] = {"min_trainers": 1, "max_trainers": 1, "required_organisations": [], "mixed_gender": "off"}
    data["pins"] = [{"edition": "M1.T1#1", "trainers": ["T2"]}]
    data["targets"] = {"trainer_days_year": {"mode": "off"},
                       "trainer_days_module": {"min_share": 0.4, "max_share": None, "mode": "soft"}}
    data["weights"] = only_weights(course_shortened=100, trainer_days_off_women_share_module=10)
    return data


FOUND = [
    pytest.param(twins_on_the_same_days, 120.8, id="twins-on-the-same-days"),
    pytest.param(second_twin_pinned_first, 119.6, id="second-twin-pinned-first"),
    pytest.param(second_twin_published_first, 0, id="second-twin-published-first"),
    pytest.param(half_a_point_per_100_usd, 10.4, id="half-a-point-per-100-usd"),
    pytest.param(online_course_pinned_to_a_room, None, id="online-course-pinned-to-a-room"),
    pytest.param(no_iom_days_and_a_cheap_iom_woman, 173.8, id="no-iom-days-and-a-cheap-iom-woman"),
    pytest.param(optimal_with_one_worker, 141, id="optimal-with-one-worker"),
    pytest.param(pinned_man_on_a_variable_course, 20, id="pinned-man-on-a-variable-course"),
]


@pytest.mark.parametrize(("instance", "optimum"), FOUND)
def test_solve_finds_the_optimum_of_each_fault_found(instance: Callable[[], dict[str, Any]],
                                                       optimum: float | None) -> None:
    try:
        problem = problem_of(instance())
    except ValueError:
        assert optimum is None  # refused as input: as good as no calendar
        return
    result = solve(problem, OPTIONS)
    if optimum is None:
        assert not result.found
    else:
        assert result.status == "OPTIMAL" and result.objective == optimum
        assert kpis(result.schedule).objective == optimum


@pytest.mark.parametrize(("instance", "optimum"), [pytest.param(*p.values, id=p.id) for p in FOUND])
def test_the_exhaustive_search_finds_the_optimum_of_each_fault_found(instance: Callable[[], dict[str, Any]],
                                                                       optimum: float | None) -> None:
    try:
        problem = problem_of(instance())
    except ValueError:
        assert optimum is None
        return
    best = exhaustive_search(problem)
    assert (None if best is None else kpis(best).objective) == optimum


def test_the_properties_recognise_the_mip_fault_still_open() -> None:
    problem = problem_of(pinned_man_on_a_variable_course())
    mip = solve_mip(problem, MIP)
    if mip.objective != 20:  # not fixed yet
        assert known_mip_fault(problem)


@pytest.mark.xfail(strict=True, reason="known fault: the MIP baseline bounds a soft share gap by the number of "
                   "trainer terms of a group, not their trainer-days, so a pinned team on a course of variable "
                   "length cannot fall short by more than one day per trainer")
def test_the_mip_finds_the_optimum_of_a_pinned_man_on_a_variable_course() -> None:
    problem = problem_of(pinned_man_on_a_variable_course())
    mip = solve_mip(problem, MIP)
    assert mip.status == "OPTIMAL" and mip.objective == 20
