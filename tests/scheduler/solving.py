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


def relaxing(*rule_ids: str) -> str:
    """The diagnosis line when relaxing exactly these rules (in RELAXABLE order) would help."""
    names = "; ".join(f"'{RULES[r].name}'" for r in rule_ids)
    return f"no calendar meets every hard rule together; relaxing any one of these would: {names}"


def names_rule(diagnosis: list[str], rule_id: str) -> bool:
    """True when the diagnosis proposes relaxing this rule."""
    return any("relaxing" in line and f"'{RULES[rule_id].name}'" in line for line in diagnosis)


def edition(result: Result, edition_id: str) -> ScheduledEdition:
    return result.schedule.by_edition[edition_id]


def d(day: int, month: int = 3) -> date:
    """A day of 2027 (March unless told)."""
    return date(2027, month, day)


def overlap(a: ScheduledEdition, b: ScheduledEdition) -> bool:
    return bool(set(a.days) & set(b.days))
