"""Solving a tiny instance in a rule test: the same settings and the same checks every time.

Every calendar the engine returns goes through the solver-free checker, and the
objective the engine optimised (CP-SAT's own figure, not recomputed) must be the one the
checker recomputes from the calendar alone (STYLE.md guidelines 6 and 9): :func:`checked`.
And each soft rule's CP-SAT term read at a given calendar (:func:`term_values`) or seating
(:func:`allocation_term_values`), to hold against its evaluator.
"""

from __future__ import annotations

from datetime import date

import pytest
from ortools.sat.python import cp_model

from model.check import check, kpis, soft_amounts
from model.problem import Problem
from model.rules import RULES, SOFT_RULES
from model.schedule import Schedule, ScheduledEdition
from scheduler import allocation
from scheduler.solve import Result, SolveOptions, add_hint, build, solve

OPTIONS = SolveOptions(time_limit_s=10, workers=2, deterministic=True)
ALL_ON = {r.id: 1.0 for r in SOFT_RULES}


def checked(result: Result) -> Result:
    """A found calendar through the checker, with the solver's own figures held against it.

    Each soft rule's floor (``RuleInfo.floor``) is at most what it counts on the calendar.
    The objective CP-SAT computed for the calendar it returned is the checker's figure for
    that calendar, to the hundredth (the objective is kept in hundredths); the bound CP-SAT
    proved is no higher (a minimisation); and an optimum is proven: its bound meets it.
    An objective that CP-SAT never computed (``objective_source == "checker"``: the solve
    stopped before its search) has nothing to be held against.
    """
    assert result.found, str(result)
    assert check(result.schedule) == []
    floored = tuple(rule for rule in SOFT_RULES if rule.floor is not None)
    for rule, amount in zip(floored, soft_amounts(result.schedule, floored).values(), strict=True):
        assert rule.floor is not None and rule.floor(result.schedule.problem) <= amount, (
            f"{rule.id}: its floor {rule.floor(result.schedule.problem)} is above its amount {amount}")
    r = result.report
    assert r.objective is not None and r.bound is not None, str(result)
    assert r.objective_source in ("search", "start", "checker")
    if r.objective_source != "checker":
        assert round(r.objective, 2) == round(kpis(result.schedule).objective, 2), (
            f"the solver's objective {r.objective} is not the checker's {kpis(result.schedule).objective}")
    assert r.bound <= r.objective, f"bound {r.bound} above the objective {r.objective}"
    if r.status == "OPTIMAL":
        assert r.bound == r.objective
    return result


def optimal(problem: Problem) -> Result:
    """Solve to a proven optimum and check the calendar without the solver."""
    result = solve(problem, OPTIONS)
    assert result.status == "OPTIMAL", str(result)
    checked(result)
    assert result.objective_source == "search"
    # The last calendar the search reported is the one returned.
    engine = [p.objective for p in result.progress if p.objective is not None]
    assert engine, "the solver reported no solution"
    assert engine[-1] == pytest.approx(result.objective)
    return result


def infeasible(problem: Problem) -> list[str]:
    """Solve a problem with no calendar: a status and a reason, never an exception."""
    result = solve(problem, OPTIONS)
    assert result.status == "INFEASIBLE", str(result)
    assert result.objective is None and result.objective_source is None
    assert result.schedule.editions == []
    assert {u.edition for u in result.schedule.unscheduled} == {e.id for e in problem.editions}
    assert result.report.diagnosis, "an infeasible result must say why"
    return result.report.diagnosis


def rules_of(line: str) -> list[str]:
    """The human names of the rules a diagnosis line ends with: '... (rule: X)' or '(rules: X; Y)'."""
    _, sep, tail = line.rpartition("(rule")
    if not sep or not tail.endswith(")"):
        return []
    return [name.strip() for name in tail.split(":", 1)[1][:-1].split(";")]


def names_rule(diagnosis: list[str], rule_id: str) -> bool:
    """True when a doctor's finding or a fact of the explanation in the diagnosis stems from this rule."""
    return any(RULES[rule_id].name in rules_of(line) for line in diagnosis)


def explained_facts(diagnosis: list[str]) -> list[str]:
    """The facts listed by the explanation of an infeasible problem (without their rule)."""
    return [line[4:].rpartition(" (rule")[0] for line in diagnosis if line.startswith("  - ")]


def edition(result: Result, edition_id: str) -> ScheduledEdition:
    return result.schedule.by_edition[edition_id]


def d(day: int, month: int = 3) -> date:
    """A day of 2027 (March unless told)."""
    return date(2027, month, day)


def overlap(a: ScheduledEdition, b: ScheduledEdition) -> bool:
    return bool(set(a.days) & set(b.days))


# ------------------------------------------------------------ the CP-SAT terms at a schedule


def _minimised(model: cp_model.CpModel, rule: str, term: cp_model.LinearExprT) -> float:
    model.minimize(term)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.max_deterministic_time = 60
    status = solver.solve(model)
    assert status == cp_model.OPTIMAL, f"{rule}: {solver.status_name(status)}"
    return solver.objective_value


def term_values(schedule: Schedule) -> dict[str, float]:
    """Each calendar soft rule's CP-SAT term at the schedule's calendar (every rule weighted, so
    every term built), each minimised alone so that its auxiliary variables settle at what it counts."""
    data = schedule.problem.model_dump(mode="json")
    data["weights"] = ALL_ON
    built = build(Problem.model_validate(data))
    add_hint(built, schedule)
    return {rule: _minimised(built.model, rule, term) for rule, term in built.soft.items()}


def allocation_term_values(schedule: Schedule) -> dict[str, float]:
    """Each participant soft rule's CP-SAT term (``scheduler/allocation.py``) at the schedule's seats.

    The seat variables are fixed to the seats; a seat the model has no variable for (one the
    engine rules out by construction) fails the test.
    """
    inst = allocation.AllocationInstance(schedule)
    model = cp_model.CpModel()
    ctx = allocation._variables(model, inst)
    taken = {(a.nominee, a.edition, a.mode) for a in schedule.allocations}
    seats = {(r.nomination.id, eid, mode): x for r in inst.requests for (eid, mode), x in r.seats.items()}
    assert taken <= set(seats), f"seats the allocation model cannot make: {sorted(taken - set(seats))}"
    for key, x in seats.items():
        model.add(x == int(key in taken))
    terms = {rule: term(ctx) for rule, term in allocation.SOFT.items()}
    return {rule: _minimised(model, rule, term) for rule, term in terms.items()}
