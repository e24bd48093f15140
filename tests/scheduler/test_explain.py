"""Explaining an infeasible problem: a minimal set of input facts, with their records.

One ``tiny`` variant per cause, each with one known reason to have no calendar. The engine
(``scheduler.explain.explain_infeasible``, called here directly, without the doctor that
``solve`` runs first) must name exactly the facts of that cause -- their rules and records,
nothing unrelated -- and the set must be minimal: with all of its facts on there is no
calendar, and with any one of them off there is one (checked by the solver, fact by fact).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings

from bench.explain_time import broken_default
from model.problem import Problem
from model.rules import RULES
from scheduler.explain import Explanation, explain_infeasible, facts_hold
from scheduler.solve import SolveOptions, solve, why_infeasible
from tests.instances.tiny import only_weights, problem_of, record, tiny_data
from tests.model.test_doctor import variants
from tests.scheduler.solving import OPTIONS, explained_facts, infeasible, names_rule

Facts = set[tuple[str, tuple[str, ...]]]  # (rule, records) of each fact


def away(data: dict[str, Any], *trainers: str) -> None:
    for t in trainers:
        record(data, "trainers", t)["unavailable"] = [{"start": "2027-03-01", "end": "2027-03-31",
                                                       "reason": "mission"}]


def unavailable_trainers() -> dict[str, Any]:
    # Both IOM trainers (T1, T2) are away all March, and every team needs an IOM trainer:
    # M1.T1#1 cannot run (nor can M2.T1#1, for the same reason).
    data = tiny_data()
    away(data, "T1", "T2")
    return data


def room_too_small() -> dict[str, Any]:
    # M2.T1 expects 25 in person: room B (20 seats) is too small, and M1.T1 (hybrid) cannot
    # use B either (no hybrid equipment). Both must end by Wed 3 March (2-3 + 2 days): they
    # would need HALL at the same time.
    data = tiny_data()
    record(data, "programme", "M2.T1")["participants_in_person"] = 25
    for topic in ("M1.T1", "M2.T1"):
        record(data, "programme", topic)["latest_end"] = "2027-03-03"
    return data


def prerequisite_chain_too_long() -> dict[str, Any]:
    # M1.T1 (3 days) may not start before Mon 8 March and must come 10 days before M2.T1,
    # which must end by Fri 19 March: M1.T1 ends Wed 10 at the earliest, M2.T1 could start
    # Sun 21 at the earliest.
    data = tiny_data()
    record(data, "programme", "M1.T1").update(duration_days=3, earliest_start="2027-03-08")
    record(data, "programme", "M2.T1")["latest_end"] = "2027-03-19"
    data["prerequisites"] = [{"before": "M1.T1", "after": "M2.T1", "min_gap_days": 10}]
    return data


def parity_impossible() -> dict[str, Any]:
    # A hard 60 % of women's trainer-days, but T3 teaches nothing and T1 is the only woman:
    # a team of two on M1.T1 (3 days) gives at most 3 women-days of 6.
    data = tiny_data()
    record(data, "programme", "M1.T1")["duration_days"] = 3
    record(data, "trainers", "T3")["modules"] = []
    data["team_rules"] = {"mixed_gender": "off"}
    data["targets"] = {"trainer_days_year": {"min_share": 0.6, "max_share": None, "mode": "hard"}}
    return data


def quota_too_small() -> dict[str, Any]:
    # Every team needs an IOM trainer: M1.T1 (3 days) and M2.T1 (2) need 5 IOM trainer-days,
    # but IOM's quota is 3.
    data = tiny_data()
    record(data, "programme", "M1.T1")["duration_days"] = 3
    record(data, "organisations", "IOM")["trainer_day_quota"] = 3
    return data


def window_too_short() -> dict[str, Any]:
    # A 2-day course whose window is the single day Wed 3 March.
    data = tiny_data()
    record(data, "programme", "M2.T1").update(earliest_start="2027-03-03", latest_end="2027-03-03")
    return data


IOM_RULE = ("team_covers_required_organisations", ("IOM", "team rules required_organisations"))

CASES: list[tuple[Callable[[], dict[str, Any]], Facts, list[str]]] = [
    (unavailable_trainers, {
        ("mandatory_edition_scheduled", ("M1.T1#1",)),
        ("trainer_available", ("T1", "T1 unavailable 2027-03-01..2027-03-31")),
        ("trainer_available", ("T2", "T2 unavailable 2027-03-01..2027-03-31")),
        IOM_RULE,
    }, ["M2.T1#1"]),
    (room_too_small, {
        ("mandatory_edition_scheduled", ("M1.T1#1",)),
        ("mandatory_edition_scheduled", ("M2.T1#1",)),
        ("edition_within_its_window", ("programme M1.T1 latest_end 2027-03-03",)),
        ("edition_within_its_window", ("programme M2.T1 latest_end 2027-03-03",)),
        ("room_fits_the_edition", ("programme M1.T1 participants", "B")),
        ("room_fits_the_edition", ("programme M2.T1 participants", "B")),
        ("room_not_double_booked", ("HALL",)),
    }, []),
    (prerequisite_chain_too_long, {
        ("mandatory_edition_scheduled", ("M2.T1#1",)),
        ("edition_within_its_window", ("programme M1.T1 earliest_start 2027-03-08",)),
        ("edition_within_its_window", ("programme M2.T1 latest_end 2027-03-19",)),
        ("prerequisite_finished_first", ("prerequisite M1.T1->M2.T1",)),
    }, []),
    (parity_impossible, {
        ("mandatory_edition_scheduled", ("M1.T1#1",)),
        ("team_size_within_limits", ("team rules min_trainers",)),
        ("trainer_days_women_share_year", ("targets trainer_days_year", "the year")),
    }, []),
    (quota_too_small, {
        ("mandatory_edition_scheduled", ("M1.T1#1",)),
        ("mandatory_edition_scheduled", ("M2.T1#1",)),
        ("organisation_quota", ("IOM",)),
        IOM_RULE,
    }, []),
    (window_too_short, {
        ("mandatory_edition_scheduled", ("M2.T1#1",)),
        ("edition_within_its_window", ("programme M2.T1 earliest_start 2027-03-03",)),
        ("edition_within_its_window", ("programme M2.T1 latest_end 2027-03-03",)),
    }, []),
]
IDS = [case.__name__ for case, _, _ in CASES]


def explained(problem: Problem) -> Explanation:
    explanation = explain_infeasible(problem, time_budget_s=20)
    assert explanation.status == "explained", explanation.lines()
    return explanation


@pytest.mark.parametrize(("case", "facts", "also"), CASES, ids=IDS)
def test_each_cause_is_explained_with_exactly_its_records(case: Callable[[], dict[str, Any]], facts: Facts,
                                                          also: list[str]) -> None:
    explanation = explained(problem_of(case()))
    first = explanation.conflicts[0]
    assert {(f.rule, f.records) for f in first.facts} == facts
    assert first.also == also
    assert first.minimal


@pytest.mark.parametrize(("case", "facts", "also"), CASES, ids=IDS)
def test_each_explanation_is_minimal(case: Callable[[], dict[str, Any]], facts: Facts,
                                     also: list[str]) -> None:
    problem = problem_of(case())
    keys = [f.key for f in explained(problem).conflicts[0].facts]
    assert facts_hold(problem, keys) is False
    for key in keys:
        assert facts_hold(problem, [k for k in keys if k != key]) is True, f"{key} is not needed"


def test_the_explanation_is_phrased_with_names_dates_and_relaxations() -> None:
    lines = explained(problem_of(unavailable_trainers())).lines()
    assert lines[0] == ("no calendar meets every hard rule together: M1.T1#1 cannot be scheduled, because "
                        "these "
                        "4 facts cannot all hold (drop any one of them and a calendar exists):")
    assert explained_facts(lines) == [
        "M1.T1#1 (Migration basics) is mandatory",
        "trainer T1 Amina (fictional) (IOM, woman) is away 2027-03-01 to 2027-03-31 (mission)",
        "trainer T2 Bakhtiyar (fictional) (IOM, man) is away 2027-03-01 to 2027-03-31 (mission)",
        "every team includes a trainer of IOM (team rules)",
    ]
    assert "  note: the IOM trainers qualified for M1.T1#1 are T1, T2" in lines
    assert ("  the same facts also keep M2.T1#1 off the calendar (each with its own mandatory flag and "
            "window)"
            in lines)
    # Least change first: the absences (23 working days each), then the team rule, then the course.
    assert lines[-1] == (
        "  to restore a calendar, relax one (least change first): (1) T1 available on 2027-03-01..2027-03-31 "
        "after all (23 working days); (2) T2 available on 2027-03-01..2027-03-31 after all (23 working "
        "days); "
        "(3) let teams run without a trainer of IOM; (4) make M1.T1#1 optional (it may then be left out)")


def test_relaxations_put_the_shorter_absence_first_and_never_offer_a_structural_fact() -> None:
    # T1 away all March, T2 only 1-12 March: dropping T2's shorter absence changes less.
    data = tiny_data()
    away(data, "T1")
    record(data, "trainers", "T2")["unavailable"] = [{"start": "2027-03-01", "end": "2027-03-12"}]
    record(data, "programme", "M2.T1")["latest_end"] = "2027-03-10"
    data["programme"] = [i for i in data["programme"] if i["topic"] == "M2.T1"]
    conflict = explained(problem_of(data)).conflicts[0]
    order = [f.key for f in conflict.relaxations()]
    assert order == ["latest_end[M2.T1]", "unavailable[T2,0]", "unavailable[T1,0]", "required_org[IOM]",
                     "mandatory[M2.T1#1]"]
    one_room = explained(problem_of(room_too_small())).conflicts[0]
    assert "one_course[room HALL]" not in [f.key for f in one_room.relaxations()]


def test_solve_returns_the_explanation_and_its_causes() -> None:
    # The doctor finds nothing here (each course fits alone): the engine explains it.
    result = solve(problem_of(room_too_small()), OPTIONS)
    assert result.status == "INFEASIBLE"
    assert names_rule(result.report.diagnosis, "room_not_double_booked")
    causes = result.report.causes
    assert {c.source for c in causes} == {"explanation"}
    assert {(c.rule, tuple(c.records)) for c in causes} == CASES[1][1]
    assert all(c.name == RULES[c.rule].name for c in causes)
    ranks = sorted(c.relaxation_rank for c in causes if c.relaxation_rank is not None)
    assert ranks == list(range(1, 7))  # every fact but "room HALL hosts one course at a time"


def test_the_explanation_is_deterministic_in_deterministic_runs() -> None:
    problem = problem_of(room_too_small())
    first = infeasible(problem)
    assert infeasible(problem) == first


def test_when_the_explanation_does_not_finish_the_single_rule_relaxations_are_given(monkeypatch) -> None:
    import scheduler.explain

    monkeypatch.setattr(scheduler.explain, "explain_infeasible",
                        lambda problem, **kw: Explanation("timeout"))
    problem = problem_of(room_too_small())
    from scheduler.instance import Instance

    # Deterministic: the single-rule relaxations are settled in solver time, not before a wall-clock limit.
    options = SolveOptions(time_limit_s=10, workers=1, deterministic=True)
    lines, causes = why_infeasible(problem, Instance(problem), options)
    assert causes == []
    assert lines[0].startswith("no calendar meets every hard rule together; relaxing any one of these would:")
    assert "'A room hosts one course at a time'" in lines[0]
    assert lines[-1] == "(a minimal set of facts was not found within 5 s)"


# ------------------------------------------------------------------- optional editions left out


def test_a_left_out_edition_that_fits_says_what_including_it_would_cost() -> None:
    # M2.T1 optional, 9 points left out; running it costs 980 USD = 9.8 points (room B,
    # T1 + T4... the cheapest valid team): 0.8 points more than leaving it out.
    data = tiny_data()
    record(data, "programme", "M2.T1")["mandatory"] = False
    data["weights"] = only_weights(cost=1, optional_edition_left_out=9)
    (left,) = solve(problem_of(data), OPTIONS).schedule.unscheduled
    assert left.reason.startswith("left out: including it would cost 0.8 points more than leaving it out, "
                                  "at the best place found (2027-03-01 in B with ")
    assert left.reason.endswith("Optional editions left out -9; Fees, travel, room costs and interpretation +9.8)")


def test_a_left_out_edition_names_the_edition_that_holds_its_trainer() -> None:
    # T2 joins UNHCR: T1 is the only IOM trainer. M1.T1 (3 days, priority 1) takes her
    # 1-3 March; optional M2.T1 must also end by 3 March: it cannot run beside M1.T1.
    data = tiny_data()
    record(data, "programme", "M1.T1").update(duration_days=3, latest_end="2027-03-03", priority=1)
    record(data, "programme", "M2.T1").update(mandatory=False, latest_end="2027-03-03")
    record(data, "trainers", "T2")["organisation"] = "UNHCR"
    data["weights"] = only_weights(optional_edition_left_out=1)
    result = solve(problem_of(data), OPTIONS)
    (left,) = result.schedule.unscheduled
    m1 = result.schedule.by_edition["M1.T1#1"]
    assert left.reason == (
        "left out: it cannot be added without moving another edition: M1.T1#1 stays as scheduled "
        f"(2027-03-01 to 2027-03-03, {m1.room}, with {', '.join(m1.trainers)}); M2.T1 must end by 2027-03-03 "
        "(its latest end); every team includes a trainer of IOM (team rules); trainer T1 Amina (fictional) "
        "gives one course or session at a time")


# --------------------------------------------------------------- the default, deliberately broken
# bench.explain_time.broken_default: the IOM trainers qualified for Module 2 (by module or topic)
# away 1 January - 30 June 2027, and every Module 2 item required to end by 30 June.


@pytest.mark.slow
def test_the_broken_default_names_the_trainers_the_period_and_the_editions() -> None:
    problem, iom = broken_default()
    assert len(iom) >= 2
    # A budget of deterministic time: the same explanation however busy the machine (it needs
    # well under a second of it); `make explain-time` measures how long it takes.
    explanation = explain_infeasible(problem, time_budget_s=30, deterministic=True)
    assert explanation.status == "explained"
    text = "\n".join(explanation.lines())
    for tid in iom:
        assert f"trainer {tid} " in text
        assert f"{tid} available on 2027-01-01..2027-06-30 after all" in text
    assert "is away 2027-01-01 to 2027-06-30 (mission)" in text
    module_2 = [e.id for e in problem.editions if e.topic.module == 2]
    blocked = explanation.conflicts[0].editions + explanation.conflicts[0].also
    assert sorted(blocked) == sorted(module_2)
    assert "must end by 2027-06-30" in text
    # solve() gets there first with the doctor: the same trainers, period and editions.
    result = solve(problem, SolveOptions(time_limit_s=10, workers=2, deterministic=True))
    assert result.status == "INFEASIBLE"
    assert {c.editions[0] for c in result.report.causes} == set(module_2)
    assert all(all(f"{tid} unavailable 2027-01-01..2027-06-30" in c.records for tid in iom)
               for c in result.report.causes)


# ----------------------------------------------------- the explain build follows the rules


def test_every_hard_rule_of_the_engine_has_a_fact_enforced_version() -> None:
    # A new hard rule in scheduler/rules.py needs its version in scheduler/facts.py, or
    # explanations would miss it (they would then fall back to the single-rule relaxations).
    from scheduler.facts import FACT_RULES
    from scheduler.rules import HARD

    not_a_planner_rule = {"editions_in_number_order"}  # symmetry breaking only
    assert set(HARD) - not_a_planner_rule <= {rule.__name__ for rule in FACT_RULES}


@settings(max_examples=15, deadline=None, derandomize=True, database=None)
@given(variants())
def test_with_every_fact_on_the_explain_build_agrees_with_the_engine(data: dict[str, Any]) -> None:
    from ortools.sat.python import cp_model

    from scheduler.facts import build_fact_model
    from scheduler.instance import Instance
    from scheduler.solve import build

    problem = problem_of(data)
    inst = Instance(problem)
    if any(not plan.options and plan.edition.mandatory for plan in inst.plans):
        engine = False
    else:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 10
        code = solver.solve(build(problem, objective=False, inst=inst).model)
        assert code in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE)
        engine = code != cp_model.INFEASIBLE
    assert facts_hold(problem, list(build_fact_model(problem).facts)) is engine
