"""The places of a programme and the bound by places (bench/places.py).

The bound is proven only if every rule the places' models keep splits over places: a hard rule
that holds on the whole holds on each place, a soft rule's amount is the sum of its amounts on
the places. The registry says which rules split (``RuleInfo.splits``); the tests here hold each
of them to it on a calendar of a network, by the checker's own functions.
"""

from __future__ import annotations

import copy
import time
from datetime import timedelta
from typing import Any

import pytest

from bench.generate import family_problem, network_data
from bench.places import WHOLE_RULES, bound_by_places, cut, floor_of_the_whole, place_bound, place_problem, places
from data import default_problem
from model.check import check, soft_amounts
from model.formats.files import problem_from_data
from model.problem import Problem
from model.rules import HARD_RULES, SOFT_RULES, Reading
from model.schedule import Schedule
from scheduler.greedy import greedy_schedule
from scheduler.solve import SolveOptions, solve
from tests.instances.tiny import tiny_data

SPLIT_SOFT = tuple(r for r in SOFT_RULES if r.splits)
SPLIT_HARD = tuple(r for r in HARD_RULES if r.splits)


def published_elsewhere(schedule: Schedule) -> list[dict[str, Any]]:
    """A published calendar the schedule departs from: some editions a week apart, some in another
    room, some with another team, some with their guests moved, some dropped from it."""
    people = [t.id for t in schedule.problem.trainers]
    rooms = [room.id for _, room in schedule.problem.rooms]
    out = []
    for k, se in enumerate(schedule.sorted_editions()):
        if k % 7 == 6:
            continue
        start = se.start + timedelta(days=7) if k % 2 else se.start
        trainers = list(se.trainers)
        if k % 5 == 0 and trainers:
            trainers[0] = next(p for p in people if p not in se.trainers)
        guests = [g.model_dump(mode="json") for g in se.guests]
        if k % 4 == 1:
            for g in guests:
                g["day"] = se.start.isoformat()
        room = next(r for r in rooms if r != se.room) if k % 3 == 0 else se.room
        out.append({"edition": se.edition, "start": start.isoformat(), "room": room, "mode": se.mode,
                    "trainers": trainers, "guests": guests})
    return out


@pytest.fixture(scope="module")
def network() -> tuple[Schedule, list[Problem]]:
    """A calendar of two centres (the greedy one, which breaks no hard rule) judged against a
    published calendar it departs from, and the problem of each of its places."""
    problem = family_problem("network", 2)
    first = greedy_schedule(problem)
    data = problem.model_dump(mode="json")
    data["baseline"] = published_elsewhere(first)
    problem = problem_from_data(data, "two centres, re-planned")
    schedule = first.model_copy(update={"problem": problem})
    assert check(schedule) == []
    return schedule, [place_problem(problem, items) for items in places(problem)]


def test_a_network_falls_in_its_centres_and_the_rtcm_year_in_one_place() -> None:
    problem = family_problem("network", 3)
    groups = places(problem)
    assert len(groups) == 3
    assert sorted(i for g in groups for i in g) == list(range(len(problem.programme)))
    for group in groups:
        assert len({tuple(problem.programme[i].venues) for i in group}) == 1
    # The RTCM's items name no venue: any room will do, so nothing splits it.
    assert len(places(default_problem())) == 1


@pytest.mark.parametrize("relation", ["prerequisite", "link"])
def test_a_prerequisite_or_a_link_between_centres_joins_them(relation: str) -> None:
    data = network_data(2)
    first = data["programme"][0]["topic"]
    other = next(item["topic"] for item in data["programme"] if int(item["topic"].split(".T")[1]) > 200)
    if relation == "prerequisite":
        data["prerequisites"].append({"before": first, "after": other})
    else:
        next(t for t in data["topics"] if t["id"] == first)["links"].append(other)
    assert len(places(problem_from_data(data, "two centres joined"))) == 1


def test_each_soft_rule_that_splits_adds_up_over_the_places(network: tuple[Schedule, list[Problem]]) -> None:
    schedule, place_problems = network
    whole = soft_amounts(schedule, SPLIT_SOFT)
    by_place = [soft_amounts(cut(schedule, p), SPLIT_SOFT) for p in place_problems]
    for rule in SPLIT_SOFT:
        assert sum(x[rule.id] for x in by_place) == pytest.approx(whole[rule.id]), rule.id
    # The calendar charges most of them, so the sums say something.
    charged = {r for r, x in whole.items() if x}
    assert {"optional_edition_left_out", "priority_topic_late", "cost", "linked_topics_overlap", "edition_moved",
            "room_changed", "trainer_changed"} <= charged


def test_the_rules_that_do_not_split_would_fail_that_test(network: tuple[Schedule, list[Problem]]) -> None:
    # The test above tells: the peaks are not sums over the places.
    schedule, place_problems = network
    peaks = tuple(r for r in SOFT_RULES if r.id in ("busiest_month", "busiest_trainer"))
    whole = soft_amounts(schedule, peaks)
    by_place = [soft_amounts(cut(schedule, p), peaks) for p in place_problems]
    for rule in peaks:
        assert sum(x[rule.id] for x in by_place) != pytest.approx(whole[rule.id]), rule.id


def test_each_hard_rule_that_splits_holds_on_every_place(network: tuple[Schedule, list[Problem]]) -> None:
    schedule, place_problems = network
    for place in place_problems:
        reading = Reading(cut(schedule, place))
        for rule in SPLIT_HARD:
            assert rule.check is not None
            assert list(rule.check(reading)) == [], rule.id


def test_peaks_shares_and_minimums_over_the_programme_are_left_out_of_the_places() -> None:
    # A share over a place may fail where the whole meets it; a minimum over the year counts more
    # short on each place than on the whole.
    assert {"busiest_month", "busiest_trainer", "trainer_days_women_share_year", "trainer_days_women_share_module",
            "trainer_days_women_share_month", "country_sessions_short",
            "trainer_days_off_women_share_year"} <= WHOLE_RULES


def two_places() -> Problem:
    """The tiny problem at two venues, one topic each: small enough to solve to optimality."""
    data = tiny_data()
    second = copy.deepcopy(data["venues"][0])
    second["id"], second["name"] = "C2", "Second centre"
    for room in second["rooms"]:
        room["id"] += "2"
    data["venues"].append(second)
    data["programme"][0]["venues"] = ["RTCM"]
    data["programme"][1]["venues"] = ["C2"]
    return problem_from_data(data, "tiny at two places")


def test_the_bound_by_places_is_at_most_the_proven_optimum() -> None:
    problem = two_places()
    assert len(places(problem)) == 2
    whole = solve(problem, SolveOptions(time_limit_s=30, explain=False, by_parts=False))
    assert whole.status == "OPTIMAL"
    bound = bound_by_places(problem, time.perf_counter() + 10, place_bound)
    assert bound is not None and 0 < bound <= whole.objective + 1e-6


def test_a_place_bound_below_zero_counts_as_zero() -> None:
    # No soft rule's points are negative, so a place whose search ended on a bound below 0 (its
    # variables' domains alone) adds nothing: the bound on the whole is never below 0 for it.
    problem = family_problem("network", 3)
    seen: list[int] = []

    def bound_of(place: Problem, limit_s: float) -> float:
        seen.append(len(place.programme))
        return [-15_000.0, 1_200.5, 800.0][len(seen) - 1]

    assert bound_by_places(problem, time.perf_counter() + 60, bound_of) == 2_000.5 + floor_of_the_whole(problem)
    assert len(seen) == 3

def test_a_place_without_a_bound_counts_as_zero_and_none_proven_gives_none() -> None:
    # A place whose search proved nothing, or that had no time left, adds 0: the sum of the others
    # is still a bound on the whole. With no place proven there is no bound at all.
    problem = family_problem("network", 3)
    answers = iter([None, 1_200.5, None])
    floor = floor_of_the_whole(problem)
    assert bound_by_places(problem, time.perf_counter() + 60, lambda place, limit_s: next(answers)) == 1_200.5 + floor

    def slow(place: Problem, limit_s: float) -> float:  # the first place takes all the time there was
        time.sleep(limit_s * 3 + 0.05)
        return 900.0

    assert bound_by_places(problem, time.perf_counter() + 0.05, slow) == 900.0 + floor
    assert bound_by_places(problem, time.perf_counter() + 60, lambda place, limit_s: None) is None


def test_the_rules_the_places_leave_out_add_their_floor_weighted() -> None:
    from model.rules import calendar

    problem = family_problem("network", 3)
    assert floor_of_the_whole(problem) == problem.weights.busiest_month * calendar.busiest_month_floor(problem) > 0
    silent = problem.model_copy(update={"weights": problem.weights.model_copy(update={"busiest_month": 0})})
    assert floor_of_the_whole(silent) == 0
