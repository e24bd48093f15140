"""Solving a tiny instance in a rule test: the same settings and the same checks every time.

Every calendar the engine returns goes through the solver-free checker, and the
objective the engine optimised must be the one the checker recomputes from the
calendar alone (STYLE.md guidelines 6 and 9).
"""

from __future__ import annotations

from datetime import date

import pytest

from model.check import check, kpis
from model.problem import Problem
from model.rules import RULES
from model.schedule import ScheduledEdition
from scheduler.solve import Result, SolveOptions, solve

OPTIONS = SolveOptions(time_limit_s=10, workers=2, deterministic=True)


def optimal(problem: Problem) -> Result:
    """Solve to a proven optimum and check the calendar without the solver."""
    result = solve(problem, OPTIONS)
    assert result.status == "OPTIMAL", str(result)
    assert check(result.schedule) == []
    assert kpis(result.schedule).objective == result.objective
    # The engine's own objective for the calendar it returned, and its proven bound,
    # agree with the checker's figure: the engine optimised what the checker measures.
    engine = [p.objective for p in result.progress if p.objective is not None]
    assert engine, "the solver reported no solution"
    assert engine[-1] == pytest.approx(result.objective)
    assert result.bound == pytest.approx(result.objective)
    return result


def infeasible(problem: Problem) -> list[str]:
    """Solve a problem with no calendar: a status and a reason, never an exception."""
    result = solve(problem, OPTIONS)
    assert result.status == "INFEASIBLE", str(result)
    assert result.objective is None
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
