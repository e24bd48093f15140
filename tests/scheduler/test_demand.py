"""Demand: editions run where enough nominees asked for them, with seats for the requests.

On ``tiny`` (M1.T1 hybrid, 2-3 days; M2.T1 in person, 2 days; March 2027, here and there with
April too) with a few nominees, all from Georgia, asking for either mode unless told. Three
rules:

- edition_has_enough_requests (hard): an edition of a topic with ``min_participants`` runs only
  in months when that many of the nominees who could sit it are free, and the topic runs no more
  editions than its requests fill to that minimum (requests // min_participants);
- requests_beyond_seats (soft, calendar): the requests a topic's editions have no seat for, the
  seats going to first choices first, each counting 3 (a first choice), 2 (a second) or 1, times
  1 + the topic's priority;
- edition_under_minimum (soft, allocation): the participants a scheduled edition lacks of its
  minimum once the nominees are seated.
"""

from __future__ import annotations

from typing import Any

import pytest

from model.check import allocation_objective, check, kpis, soft_amounts
from model.problem import Problem
from model.rules import PARTICIPANT_SOFT_RULES, RULES
from model.rules.reading import Reading
from model.schedule import Allocation, Schedule
from scheduler.explain import explain_infeasible, facts_hold
from scheduler.greedy import greedy_schedule
from scheduler.instance import Instance
from scheduler.solve import solve
from tests.instances.tiny import only_weights, problem_of, record, tiny_data
from tests.scheduler.solving import (
    OPTIONS,
    allocation_term_values,
    checked,
    d,
    names_rule,
    optimal,
    term_values,
)

APRIL_1 = d(1, 4)  # a Thursday, the 24th working day: March has 23


def nominee(nid: str, *topics: str, away: tuple[str, ...] = (), **more: Any) -> dict[str, Any]:
    return {"id": nid, "country": "Georgia", "audience": "government", "topics": list(topics),
            "unavailable_months": list(away), **more}


def march_and_april() -> dict[str, Any]:
    data = tiny_data()
    data["calendar"]["end"] = "2027-04-30"
    return data


def editions_of(schedule: Schedule, topic: str) -> list[str]:
    return [se.edition for se in schedule.editions if se.topic == topic]


def months_of(schedule: Schedule, edition: str) -> set[str]:
    return {f"{x.year}-{x.month:02d}" for x in schedule.by_edition[edition].days}


# --------------------------------------------------------------------- requests beyond seats


def ranked_requests() -> dict[str, Any]:
    """Two seats in each course and four requests for each: who gets a seat matters.

    M1.T1 (priority 1) has 1 seat in person and 1 online; N1, N2 and N5 ask for it first (3
    each), N3 second (2). M2.T1 (priority 0) has 2 seats; N3 and N4 ask for it first, N1 and N2
    second. First choices first: M1.T1 seats two of its three first choices and leaves one and
    N3: (3 + 2) x (1 + 1) = 10; M2.T1 seats N3 and N4 and leaves N1 and N2: (2 + 2) x 1 = 4. In
    all 14, wherever the courses run (seats going to second choices first would leave
    (3 + 3) x 2 + (3 + 3) = 18).
    """
    data = tiny_data()
    record(data, "programme", "M1.T1").update(priority=1, participants_in_person=1, participants_online=1)
    record(data, "programme", "M2.T1")["participants_in_person"] = 2
    data["nominations"] = [
        nominee("N1", "M1.T1", "M2.T1"), nominee("N2", "M1.T1", "M2.T1"), nominee("N3", "M2.T1", "M1.T1"),
        nominee("N4", "M2.T1"), nominee("N5", "M1.T1"),
    ]
    return data


def test_requests_beyond_seats_seats_first_choices_first() -> None:
    result = checked(solve(problem_of(ranked_requests()), OPTIONS))
    evaluate = RULES["requests_beyond_seats"].evaluate
    assert evaluate is not None
    charges = {tuple(c.records): c.amount for c in evaluate(Reading(result.schedule))}
    assert charges == {("M1.T1",): 10, ("M2.T1",): 4}


def test_the_requests_beyond_seats_term_is_the_evaluators_total() -> None:
    # The CP-SAT term at the solved calendar, minimised alone: the solver fills the seats from
    # the highest preference down, as the evaluator does.
    result = checked(solve(problem_of(ranked_requests()), OPTIONS))
    assert soft_amounts(result.schedule)["requests_beyond_seats"] == 14
    assert term_values(result.schedule)["requests_beyond_seats"] == 14


def test_requests_beyond_seats_make_an_optional_edition_run() -> None:
    # A second, optional edition of M2.T1 seats N1 and N2 too, and nothing else is weighed:
    # the optimum runs it and pays M1.T1's 10 alone.
    data = ranked_requests()
    record(data, "programme", "M2.T1").update(editions=2, min_editions=1)
    data["weights"] = only_weights(requests_beyond_seats=1)
    result = optimal(problem_of(data))
    assert result.objective == 10
    assert editions_of(result.schedule, "M2.T1") == ["M2.T1#1", "M2.T1#2"]
    assert term_values(result.schedule)["requests_beyond_seats"] == 10


def free_in_april_only() -> dict[str, Any]:
    """March and April; M2.T1 has 4 seats and 4 nominees, N1 and N2 away in March; only
    requests_beyond_seats is weighed."""
    data = march_and_april()
    record(data, "programme", "M2.T1")["participants_in_person"] = 4
    data["nominations"] = [nominee("N1", "M2.T1", away=("2027-03",)), nominee("N2", "M2.T1", away=("2027-03",)),
                           nominee("N3", "M2.T1"), nominee("N4", "M2.T1")]
    data["weights"] = only_weights(requests_beyond_seats=1)
    return data


def test_requests_beyond_seats_count_only_the_nominees_free_in_the_edition_s_months() -> None:
    # In April all four can come: nothing is charged. Pinned in March, the 4 seats reach only
    # N3 and N4: N1 and N2 are charged as first choices, 2 x 3 = 6, by the term and the evaluator.
    result = optimal(problem_of(free_in_april_only()))
    assert result.objective == 0 and months_of(result.schedule, "M2.T1#1") == {"2027-04"}
    data = free_in_april_only()
    data["pins"] = [{"edition": "M2.T1#1", "start": "2027-03-01"}]
    march = optimal(problem_of(data))
    assert march.objective == 6
    assert soft_amounts(march.schedule)["requests_beyond_seats"] == 6
    assert term_values(march.schedule)["requests_beyond_seats"] == 6


# ------------------------------------------------------------------ enough requests: months


def away_in_march(min_participants: int = 3) -> Problem:
    """March and April; M2.T1 (priority 3: the sooner the better; nothing else is weighed) needs
    3 participants; of its 4 nominees N1 and N2 are away in March: only 2 are free then.

    The earliest start with 3 free is Thursday 1 April, working day 23: 3 x 23 = 69 points.
    Starting 31 March would cost 66, but the course would run in March too.
    """
    data = march_and_april()
    record(data, "programme", "M2.T1").update(min_participants=min_participants, priority=3)
    data["nominations"] = [nominee("N1", "M2.T1", away=("2027-03",)), nominee("N2", "M2.T1", away=("2027-03",)),
                           nominee("N3", "M2.T1"), nominee("N4", "M2.T1")]
    data["weights"] = only_weights(priority_topic_late=1)
    return problem_of(data)


def test_the_minimum_binds_without_it_the_course_starts_on_1_march() -> None:
    result = optimal(away_in_march(min_participants=0))
    assert result.objective == 0 and result.schedule.by_edition["M2.T1#1"].start == d(1)


def test_an_edition_never_runs_in_months_when_too_few_nominees_are_free() -> None:
    problem = away_in_march()
    result = optimal(problem)  # checked: edition_has_enough_requests holds
    assert result.objective == 69
    assert result.schedule.by_edition["M2.T1#1"].start == APRIL_1
    assert months_of(result.schedule, "M2.T1#1") == {"2027-04"}
    # The March options never reach the solver.
    plan = Instance(problem).plan_by_id["M2.T1#1"]
    assert min(s for s, _ in plan.options) == 23


def test_an_edition_in_too_thin_a_month_is_reported_by_the_checker() -> None:
    # The unconstrained calendar (1-2 March) held against the problem with the minimum.
    free = optimal(away_in_march(min_participants=0)).schedule
    [breach] = check(free.model_copy(update={"problem": away_in_march()}))
    assert (breach.rule, breach.records) == ("edition_has_enough_requests", ["M2.T1#1"])


# --------------------------------------------------------------- enough requests: editions


def requests_for_one_edition(min_participants: int = 3) -> Problem:
    """M1.T1 up to three editions, none required, 3 participants at least, and 4 nominees: its
    requests fill one edition (4 // 3). Only optional editions left out are weighed (1 point
    each): without the minimum all three run (0 points); with it two stay out: 2 points."""
    data = tiny_data()
    record(data, "programme", "M1.T1").update(editions=3, min_editions=0, min_participants=min_participants)
    data["nominations"] = [nominee(f"N{i}", "M1.T1") for i in range(1, 5)]
    data["weights"] = only_weights(optional_edition_left_out=1)
    return problem_of(data)


def test_without_the_minimum_all_three_editions_run() -> None:
    result = optimal(requests_for_one_edition(min_participants=0))
    assert result.objective == 0 and len(editions_of(result.schedule, "M1.T1")) == 3


def test_a_topic_never_runs_more_editions_than_its_requests_fill() -> None:
    problem = requests_for_one_edition()
    assert Instance(problem).most_editions("M1.T1") == 1
    result = optimal(problem)
    assert result.objective == 2
    assert editions_of(result.schedule, "M1.T1") == ["M1.T1#1"]


# ----------------------------------------------------------------------- the greedy start


def test_the_greedy_start_waits_for_the_month_with_enough_nominees() -> None:
    schedule = greedy_schedule(away_in_march())
    assert check(schedule) == []
    assert schedule.by_edition["M2.T1#1"].start == APRIL_1
    # Without the minimum the same greedy start takes 1 March: the rule is what moves it.
    assert greedy_schedule(away_in_march(min_participants=0)).by_edition["M2.T1#1"].start == d(1)


def test_the_greedy_start_runs_no_more_editions_than_the_requests_fill() -> None:
    schedule = greedy_schedule(requests_for_one_edition())
    assert check(schedule) == []
    assert editions_of(schedule, "M1.T1") == ["M1.T1#1"]
    assert {u.edition: u.reason for u in schedule.unscheduled} == dict.fromkeys(
        ("M1.T1#2", "M1.T1#3"), "its topic's requests fill no more editions to the minimum of 3 participants")
    assert len(editions_of(greedy_schedule(requests_for_one_edition(min_participants=0)), "M1.T1")) == 3


# ------------------------------------------------------------------------------ infeasible


def too_few_requests() -> Problem:
    """M2.T1 (mandatory) needs 3 participants; only N1 and N2 asked for it."""
    data = tiny_data()
    record(data, "programme", "M2.T1")["min_participants"] = 3
    data["nominations"] = [nominee("N1", "M2.T1"), nominee("N2", "M2.T1", "M1.T1")]
    return problem_of(data)


MIN_PARTICIPANTS_M2 = ("edition_has_enough_requests", ("programme M2.T1 min_participants",))


def explained_minimally(problem: Problem) -> set[tuple[str, tuple[str, ...]]]:
    """The first conflict's facts, (rule, records) each, once shown minimal by the solver: with
    all of them on there is no calendar, with any one off there is one."""
    explanation = explain_infeasible(problem, time_budget_s=20)
    assert explanation.status == "explained", explanation.lines()
    first = explanation.conflicts[0]
    assert first.minimal
    keys = [f.key for f in first.facts]
    assert facts_hold(problem, keys) is False
    for key in keys:
        assert facts_hold(problem, [k for k in keys if k != key]) is True, f"{key} is not needed"
    return {(f.rule, f.records) for f in first.facts}


def test_a_mandatory_edition_without_enough_requests_is_explained() -> None:
    assert explained_minimally(too_few_requests()) == {("mandatory_edition_scheduled", ("M2.T1#1",)),
                                                        MIN_PARTICIPANTS_M2}


def test_solving_a_mandatory_edition_without_enough_requests_says_why() -> None:
    # A status and a reason naming the rule, never an exception.
    result = solve(too_few_requests(), OPTIONS)
    assert result.status == "INFEASIBLE" and result.schedule.editions == []
    assert names_rule(result.report.diagnosis, "edition_has_enough_requests"), result.report.diagnosis


def more_mandatory_editions_than_requests_fill() -> Problem:
    """Both editions of M2.T1 must run, each with 3 participants, but 4 nominees asked for it:
    all are free all March, so each edition alone could run; two cannot."""
    data = tiny_data()
    record(data, "programme", "M2.T1").update(editions=2, min_participants=3)
    data["nominations"] = [nominee(f"N{i}", "M2.T1") for i in range(1, 5)]
    return problem_of(data)


def test_mandatory_editions_beyond_what_the_requests_fill_are_explained() -> None:
    problem = more_mandatory_editions_than_requests_fill()
    assert explained_minimally(problem) == {("mandatory_edition_scheduled", ("M2.T1#1",)),
                                            ("mandatory_edition_scheduled", ("M2.T1#2",)), MIN_PARTICIPANTS_M2}
    result = solve(problem, OPTIONS)
    assert result.status == "INFEASIBLE"
    assert names_rule(result.report.diagnosis, "edition_has_enough_requests"), result.report.diagnosis


# ---------------------------------------------------------------- edition under its minimum


def seats_short_of_the_minimum() -> dict[str, Any]:
    """M1.T1 (1-3 March, 1 seat in person) before M2.T1 (8-9 March), which needs 3 participants.

    N1, N2 and N3 ask for M1.T1 then M2.T1; N4 has taken M1.T1 and asks for M2.T1: four
    requests, all free, so the calendar may run M2.T1. But M1.T1's one seat lets one of N1-N3
    take it in time: M2.T1 seats that one and N4, one short of its minimum.
    """
    data = tiny_data()
    record(data, "programme", "M1.T1").update(duration_days=3, participants_in_person=1, participants_online=0)
    record(data, "programme", "M2.T1")["min_participants"] = 3
    data["pins"] = [{"edition": "M1.T1#1", "start": "2027-03-01"}, {"edition": "M2.T1#1", "start": "2027-03-08"}]
    data["prerequisites"] = [{"before": "M1.T1", "after": "M2.T1"}]
    data["targets"] = {"participants_edition": {"mode": "off"}, "country_cap_edition": {"mode": "off"}}
    data["nominations"] = [nominee(n, "M1.T1", "M2.T1", mode="in_person") for n in ("N1", "N2", "N3")]
    data["nominations"].append(nominee("N4", "M2.T1", mode="in_person", completed=["M1.T1"]))
    return data


@pytest.fixture(scope="module")
def short_of_the_minimum() -> Schedule:
    result = checked(solve(problem_of(seats_short_of_the_minimum()), OPTIONS))
    report = result.report.allocation
    assert report is not None and report.status == "OPTIMAL", report
    assert report.objective == allocation_objective(result.schedule)
    return result.schedule


def test_the_allocation_seats_what_it_can_and_counts_the_shortfall(short_of_the_minimum: Schedule) -> None:
    m2 = {a.nominee for a in short_of_the_minimum.allocations if a.edition == "M2.T1#1"}
    assert len(m2) == 2 and "N4" in m2
    amounts = soft_amounts(short_of_the_minimum, PARTICIPANT_SOFT_RULES)
    assert amounts["edition_under_minimum"] == 1


def _seat(nominee_id: str, edition: str) -> Allocation:
    return Allocation(nominee=nominee_id, edition=edition, mode="in_person")


# The calendar of seats_short_of_the_minimum with seats given by hand: M2.T1 lacks 3 of its 3
# with nobody seated, 2 with N4 alone, 1 with N1 (who took M1.T1) and N4.
SEATINGS = [
    ([], 3),
    ([_seat("N4", "M2.T1#1")], 2),
    ([_seat("N1", "M1.T1#1"), _seat("N1", "M2.T1#1"), _seat("N4", "M2.T1#1")], 1),
]


@pytest.mark.parametrize(("seats", "lacking"), SEATINGS, ids=["nobody", "one", "two"])
def test_the_edition_under_minimum_term_is_the_evaluators_total(short_of_the_minimum: Schedule,
                                                                 seats: list[Allocation], lacking: int) -> None:
    schedule = short_of_the_minimum.model_copy(update={"allocations": seats})
    assert check(schedule) == []
    amounts = soft_amounts(schedule, PARTICIPANT_SOFT_RULES)
    assert amounts["edition_under_minimum"] == lacking
    terms = allocation_term_values(schedule)
    assert set(terms) == {r.id for r in PARTICIPANT_SOFT_RULES}
    assert terms == pytest.approx(amounts)


# ------------------------------------------- an edition the seating leaves short is cancelled


def short_after_seating(*, mandatory: bool) -> Problem:
    """M1.T1 (hybrid, 20 in person and no online seat) needs 2 participants; N1 comes in person,
    N2 only online: the calendar counts both as requests it could seat (the course offers the
    mode), the seating can give N2 no seat."""
    data = tiny_data()
    record(data, "programme", "M1.T1").update(participants_online=0, min_participants=2,
                                              min_editions=1 if mandatory else 0)
    data["nominations"] = [nominee("N1", "M1.T1"), nominee("N2", "M1.T1", mode="online")]
    return problem_of(data)


def test_an_optional_edition_the_seating_leaves_short_is_cancelled_and_said_why() -> None:
    result = solve(short_after_seating(mandatory=False), OPTIONS)
    s = result.schedule
    assert "M1.T1#1" not in s.by_edition and check(s) == []
    left = next(u for u in s.unscheduled if u.edition == "M1.T1#1")
    assert left.reason.startswith("cancelled: M1.T1#1 seats 1 participants, below its minimum of 2")
    assert "only 1 nominees can sit it" in left.reason
    assert not any(a.edition == "M1.T1#1" for a in s.allocations)
    # The solver's figures are the calendar's as it ends: the checker's objective, the same bound.
    assert s.solver is not None and s.solver.objective_source == "checker"
    assert s.solver.objective == kpis(s).objective and s.solver.bound is not None
    assert s.solver.bound <= s.solver.objective


def test_a_mandatory_edition_left_short_stays_and_counts_its_shortfall() -> None:
    result = solve(short_after_seating(mandatory=True), OPTIONS)
    s = result.schedule
    assert "M1.T1#1" in s.by_edition and check(s) == []
    assert soft_amounts(s, PARTICIPANT_SOFT_RULES)["edition_under_minimum"] == 1
