"""The greedy earliest-fit calendar breaks no hard rule, on tiny instances and on rtcm_2027."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from data import default_problem
from model.check import check, kpis
from model.problem import Problem
from scheduler.greedy import greedy_schedule
from tests.instances.tiny import problem_of, race_data, record, tiny_data, tiny_problem
from tests.scheduler.solving import checked, optimal


def _one_room(data: dict[str, Any]) -> None:
    record(data, "programme", "M1.T1").update(mode="in_person", participants_in_person=15,
                                              participants_online=0)
    data["venues"][0]["rooms"] = [record(data, "rooms", "B")]


def _one_iom_trainer(data: dict[str, Any]) -> None:
    record(data, "trainers", "T2")["organisation"] = "UNHCR"


def _prerequisite(data: dict[str, Any]) -> None:
    data["prerequisites"] = [{"before": "M1.T1", "after": "M2.T1", "min_gap_days": 3}]


def _two_editions_one_stream(data: dict[str, Any]) -> None:
    record(data, "programme", "M1.T1")["editions"] = 2
    data["platform"] = {"max_concurrent_streams": 1}


def _caps_and_quota(data: dict[str, Any], quota: int = 8) -> None:
    for t in ("T3", "T4"):
        record(data, "trainers", t)["max_days_per_month"] = 2
    record(data, "organisations", "IOM")["trainer_day_quota"] = quota


def _closures_and_absences(data: dict[str, Any]) -> None:
    record(data, "rooms", "HALL")["closures"] = [{"start": "2027-03-01", "end": "2027-03-05"}]
    record(data, "trainers", "T1")["unavailable"] = [{"start": "2027-03-08", "end": "2027-03-12"}]


TINY_VARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "one_room": _one_room,
    "one_iom_trainer": _one_iom_trainer,
    "prerequisite": _prerequisite,
    "two_editions_one_stream": _two_editions_one_stream,
    "caps_and_quota": _caps_and_quota,
    "closures_and_absences": _closures_and_absences,
}


def tiny_variant(name: str) -> Problem:
    if name == "tiny":
        return tiny_problem()
    data = race_data() if name in ("one_room", "one_iom_trainer") else tiny_data()
    TINY_VARIANTS[name](data)
    return problem_of(data)


@pytest.mark.parametrize("name", ["tiny", *TINY_VARIANTS])
def test_greedy_on_tiny_places_every_edition_and_breaks_no_rule(name: str) -> None:
    problem = tiny_variant(name)
    schedule = greedy_schedule(problem)
    assert check(schedule) == []
    assert len(schedule.editions) == len(problem.editions)
    assert schedule.unscheduled == []
    # The greedy calendar is a calendar, so never better than the proven optimum.
    assert kpis(schedule).objective >= optimal(problem).objective


def test_greedy_on_rtcm_2027_places_every_edition_its_requests_allow() -> None:
    # 71 editions sized by demand; 8 topics have fewer than 8 nominees who could sit them, so
    # no start works for them: every other edition is placed, the mandatory ones among them.
    from scheduler.instance import Instance

    problem = default_problem()
    inst = Instance(problem)
    schedule = greedy_schedule(problem, inst)
    cannot = {p.id for p in inst.plans if not p.options}
    assert len(problem.editions) == 71 and len(cannot) == 8
    assert all("nominees who could sit it" in inst.plan_by_id[e].why_no_option for e in cannot)
    assert {u.edition for u in schedule.unscheduled} == cannot
    assert not any(problem.edition_by_id[e].mandatory for e in cannot)
    assert check(schedule) == []


def test_greedy_is_myopic_but_what_it_places_breaks_no_rule() -> None:
    # T3 and T4 may teach 2 days a month and IOM may give 6 trainer-days. Greedy gives
    # M1.T1 its full 3 days, which only T1 + T2 (IOM) can teach: 6 IOM days, none left
    # for M2.T1. CP-SAT shortens M1.T1 to 2 days (T1 + T4) and gives M2.T1 to T2 + T3:
    # 4 IOM days. Greedy leaves M2.T1 out and says so; the rest of its calendar is sound.
    data = tiny_data()
    _caps_and_quota(data, quota=6)
    problem = problem_of(data)
    schedule = greedy_schedule(problem)
    assert [u.edition for u in schedule.unscheduled] == ["M2.T1#1"]
    assert [v.rule for v in check(schedule)] == ["mandatory_edition_scheduled"]
    result = optimal(problem)
    assert len(result.schedule.editions) == 2


def _free_iom_and_billing_consultants(data: dict[str, Any], limit: str) -> None:
    # T1 (woman) and T2 (man) are IOM staff, free to the centre; T3 (woman) and T4 (man) are
    # consultants of the pool at 300 USD a day. M1.T1 (3 days, priority 1) is placed first.
    data["organisations"].append({"id": "POOL", "name": "RTCM pool of trainers", "kind": "pool"})
    for tid in ("T3", "T4"):
        record(data, "trainers", tid).update(organisation="POOL", day_rate=300)
    for tid in ("T1", "T2"):
        record(data, "trainers", tid)["day_rate"] = 0
        if limit == "year":
            record(data, "trainers", tid)["max_days_per_year"] = 3
    if limit == "quota":
        record(data, "organisations", "IOM")["trainer_day_quota"] = 6
    record(data, "programme", "M1.T1").update(duration_days=3, priority=1)


@pytest.mark.parametrize("limit", ["year", "quota"])
def test_greedy_keeps_free_staff_of_the_required_organisation_for_the_editions_that_need_them(limit: str) -> None:
    # IOM is required on every team and may give 6 trainer-days: T1 and T2 may teach 3 days each
    # in the year ("year"), or IOM 6 in all ("quota"). The cheapest team for M1.T1 is T1 + T2
    # (0 USD), which spends all 6 IOM days and leaves M2.T1 no IOM trainer: a cheapest-first
    # choice leaves it out. M2.T1 wants a day of each IOM trainer (its 2 days shared by the two),
    # so the greedy gives M1.T1 one of them and a consultant (900 USD), and M2.T1 the other IOM
    # trainer and the other consultant (600 USD).
    data = tiny_data()
    _free_iom_and_billing_consultants(data, limit)
    problem = problem_of(data)
    schedule = greedy_schedule(problem)
    assert check(schedule) == [] and schedule.unscheduled == []
    teams = {e.edition: set(e.trainers) for e in schedule.editions}
    assert len(teams["M1.T1#1"] & {"T1", "T2"}) == 1 and len(teams["M2.T1#1"] & {"T1", "T2"}) == 1
    assert kpis(schedule).fees_usd == 3 * 300 + 2 * 300


def _hybrid_or_in_person(data: dict[str, Any]) -> None:
    # M1.T1 (20 in person, 10 online) may run hybrid, preferred, in HALL only (the one hybrid
    # room), or in person in HALL or B (20 seats, 40 USD a day against HALL's 100).
    record(data, "programme", "M1.T1")["modes"] = ["hybrid", "in_person"]


def _streams_full(data: dict[str, Any]) -> None:
    # The platform carries one stream, and M2.T1, online and placed first (priority 2), holds it
    # on Monday 1 and Tuesday 2 March.
    _hybrid_or_in_person(data)
    record(data, "topics", "M2.T1")["modes"] = ["online"]
    record(data, "programme", "M2.T1").update(mode="online", participants_in_person=0, participants_online=15,
                                              priority=2)
    data["platform"] = {"max_concurrent_streams": 1}


def _hybrid_room_taken(data: dict[str, Any]) -> None:
    # M2.T1, hybrid and placed first (priority 2), holds HALL on Monday 1 and Tuesday 2 March.
    _hybrid_or_in_person(data)
    record(data, "programme", "M2.T1").update(mode="hybrid", participants_online=5, priority=2)


def test_greedy_runs_an_edition_in_its_preferred_mode_when_it_can() -> None:
    data = tiny_data()
    _hybrid_or_in_person(data)
    schedule = greedy_schedule(problem_of(data))
    assert check(schedule) == []
    m1 = schedule.by_edition["M1.T1#1"]
    assert (m1.mode, m1.room, m1.participants_online) == ("hybrid", "HALL", 10)


@pytest.mark.parametrize("change", [_streams_full, _hybrid_room_taken])
def test_greedy_runs_an_edition_in_person_when_its_preferred_hybrid_cannot_be_held(
        change: Callable[[dict[str, Any]], None]) -> None:
    # On Monday 1 March M2.T1 holds the one stream or the one hybrid room, and T1-T4 make two
    # teams: M1.T1 cannot run hybrid then, so the earliest fit runs it in person that day, in
    # B (the cheaper room that seats its 20), with no online seats.
    data = tiny_data()
    change(data)
    schedule = greedy_schedule(problem_of(data))
    assert check(schedule) == [] and schedule.unscheduled == []
    m1, m2 = schedule.by_edition["M1.T1#1"], schedule.by_edition["M2.T1#1"]
    assert m1.start == m2.start == date(2027, 3, 1)
    assert (m1.mode, m1.room) == ("in_person", "B")
    assert (m1.participants_in_person, m1.participants_online) == (20, 0)


def test_a_search_without_time_still_returns_the_greedy_calendar() -> None:
    # With next to no time the search may find nothing of its own; the greedy calendar,
    # which breaks no hard rule, is returned rather than no calendar at all.
    from scheduler.solve import SolveOptions, solve
    from tests.instances.tiny import tiny_problem

    result = solve(tiny_problem(), SolveOptions(time_limit_s=0.001, workers=1))
    checked(result)
    assert len(result.schedule.editions) == 2
    # Whichever it is, the objective is CP-SAT's: its search's, or its value of the start.
    assert result.objective_source in ("search", "start")


def test_a_solve_stopped_before_its_search_returns_the_start_with_the_checker_s_figure() -> None:
    import threading

    from scheduler.solve import START_KEPT, SolveOptions, solve
    from tests.instances.tiny import tiny_problem

    stop = threading.Event()
    stop.set()
    result = solve(tiny_problem(), SolveOptions(time_limit_s=10, workers=1), stop=stop)
    checked(result)
    assert result.status == "FEASIBLE" and len(result.schedule.editions) == 2
    # CP-SAT never saw this calendar: the figure is the checker's and says so; no bound was proved.
    assert result.objective_source == "checker"
    assert result.objective == kpis(result.schedule).objective
    assert result.bound == 0.0 and result.report.solutions == 0
    assert START_KEPT in result.report.warnings


@pytest.mark.parametrize("name", ["tiny", *TINY_VARIANTS])
def test_every_start_calendar_breaks_no_rule(name: str) -> None:
    # The levelled starts are the same method under a month cap: each is a sound calendar.
    from scheduler.greedy import start_calendars
    from scheduler.instance import Instance

    problem = tiny_variant(name)
    inst = Instance(problem)
    starts = list(start_calendars(problem, inst))
    mixed = len({plan.edition.item.priority > 0 for plan in inst.plans}) == 2  # then one more start
    assert len(starts) == 5 + mixed
    for schedule in starts:
        assert check(schedule) == []
        assert len(schedule.editions) == len(problem.editions)


def test_a_patient_start_waits_for_the_preferred_mode() -> None:
    # tiny: two editions of M1.T1 (2 days, hybrid preferred, in person possible), one stream. The
    # plain fit takes the earliest start in a mode held there: the second edition (in number
    # order, from the day after the first starts) runs in person on 2-3 March, beside the first.
    # Patient, it waits for the stream: both hybrid, one after the other.
    from scheduler.greedy import start_calendars
    from scheduler.instance import Instance

    data = tiny_data()
    record(data, "programme", "M1.T1").update(editions=2, duration_days=2, modes=["hybrid", "in_person"])
    data["platform"] = {"max_concurrent_streams": 1}
    problem = problem_of(data)
    inst = Instance(problem)

    def modes(schedule: Any) -> list[tuple[str, str]]:
        return sorted((str(e.start), e.mode) for e in schedule.editions if e.topic == "M1.T1")

    plain, patient = greedy_schedule(problem, inst), greedy_schedule(problem, inst, patient=True)
    assert modes(plain) == [("2027-03-01", "hybrid"), ("2027-03-02", "in_person")]
    assert [m for _, m in modes(patient)] == ["hybrid", "hybrid"]
    assert check(plain) == [] and check(patient) == []
    assert len(list(start_calendars(problem, inst))) == 2 * (1 + 4)  # each start, and patient (no priority)


def test_levelled_starts_spread_rtcm_2027_over_the_year() -> None:
    # The plain earliest fit crowds the first months; a month cap moves courses later,
    # within it wherever any start fits, and the best start is better on the objective.
    import math
    from collections import Counter

    from scheduler.greedy import LEVELS, start_calendars
    from scheduler.instance import Instance

    problem = default_problem()
    inst = Instance(problem)
    starts = list(start_calendars(problem, inst))
    # one mode per edition: no patient variants; courses with a priority and without: one levelled around them
    assert len(starts) == 1 + len(LEVELS) + 1
    plain, *levelled, _ = starts
    even = sum(p.max_length for p in inst.plans) / len(set(inst.cal.month_of))

    def busiest(schedule: Any) -> int:
        return max(Counter((d.year, d.month) for e in schedule.editions for d in e.days).values())

    for schedule, level in zip(levelled, LEVELS, strict=True):
        assert check(schedule) == []
        assert len(schedule.editions) == len(plain.editions) == 63
        assert busiest(schedule) < busiest(plain)
        assert busiest(schedule) <= math.ceil(level * even) + 5  # over the cap only by a fallback's days
    # On the demand-sized default, the plain fit's earlier priority courses outweigh the levelled
    # months: the best start is whichever scores lowest, and that is the one the solve gets.
    from scheduler.greedy import best_start

    chosen, _ = best_start(problem, inst)
    assert chosen is not None
    assert kpis(chosen).objective == min(kpis(s).objective for s in starts)


def test_a_start_levelled_around_the_priority_courses_keeps_their_plain_dates() -> None:
    # On the RTCM year, levelled around the courses with a priority: those keep the dates the plain
    # earliest fit gives them (they are placed first, as in the plain fit, and need not keep to the
    # cap), and only the courses without a priority keep to the month cap (over it only by a
    # fallback's days, or where the priority courses alone fill a month).
    import math
    from collections import Counter

    from scheduler.greedy import start_calendars
    from scheduler.instance import Instance

    problem = default_problem()
    inst = Instance(problem)
    starts = list(start_calendars(problem, inst))
    plain, around = starts[0], starts[-1]
    priority = {plan.id for plan in inst.plans if plan.edition.item.priority}
    assert 0 < len(priority) < len(inst.plans)
    assert check(around) == [] and len(around.editions) == len(plain.editions)

    def dates(schedule: Any, ids: set[str]) -> dict[str, Any]:
        return {e.edition: (e.start, e.days) for e in schedule.editions if e.edition in ids}

    assert dates(around, priority) == dates(plain, priority)
    others = {e.edition for e in around.editions} - priority
    assert dates(around, others) != dates(plain, others)  # the others did move

    def months(schedule: Any, ids: set[str] | None = None) -> Counter[tuple[int, int]]:
        return Counter((d.year, d.month) for e in schedule.editions if ids is None or e.edition in ids
                       for d in e.days)

    cap = math.ceil(sum(p.max_length for p in inst.plans) / len(set(inst.cal.month_of)))
    by_priority = months(around, priority)
    for month, days in months(around).items():
        assert days <= max(cap, by_priority[month]) + 5


def test_solve_reports_its_start_first_and_never_returns_worse() -> None:
    from scheduler.greedy import start_calendars
    from scheduler.instance import Instance
    from scheduler.solve import SolveOptions, solve

    problem = default_problem()
    best_start = min(kpis(s).objective for s in start_calendars(problem, Instance(problem)))
    seen = []
    result = solve(problem, SolveOptions(time_limit_s=3, workers=2), on_progress=seen.append)
    assert seen[0].source == "greedy" and seen[0].bound is None and seen[0].solutions == 0
    assert [p.objective for p in seen if p.source == "greedy"][-1] == best_start
    assert result.first_solution_s == pytest.approx(seen[0].elapsed_s, abs=1e-3)
    checked(result)
    assert result.objective <= best_start
    # Reported objectives only improve.
    objectives = [p.objective for p in seen if p.objective is not None]
    assert objectives == sorted(objectives, reverse=True)
