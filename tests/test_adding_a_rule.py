"""Adding a planner rule is one checker or evaluator, one CP-SAT function and a line in each registry.

Two toy rules go in through that path only, and show up everywhere a rule does: the engine
obeys or weighs them, the checker reports the hard one, the objective, the breakdown, the
schedule JSON and the workbook's Issues sheet carry the soft one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

import model.rules
import scheduler.rules
from model.check import check, kpis, penalty_breakdown
from model.formats.excel import write_schedule_workbook
from model.formats.files import schedule_json
from model.rules import Breach, Charge, Reading, RuleInfo
from model.schedule import Schedule
from scheduler.rules import Context
from scheduler.solve import SolveOptions, solve
from scheduler.variables import LinearExpr
from tests.instances.tiny import only_weights, problem_of, tiny_data

FRIDAY = 4


def no_course_starts_on_a_friday(r: Reading) -> Iterator[Breach]:
    for _, se in r.placed:
        if se.start.weekday() == FRIDAY:
            yield Breach([se.edition], f"{se.edition} starts on Friday {se.start}")


def no_course_starts_on_a_friday_cpsat(c: Context) -> None:
    for ev in c.v.editions:
        for (s, _), x in zip(ev.plan.options, ev.choose, strict=True):
            if c.inst.cal.days[s].weekday() == FRIDAY:
                c.model.add(x == 0)


def course_days_on_mondays(r: Reading) -> Iterator[Charge]:
    for _, se in r.placed:
        mondays = sum(1 for d in se.days if d.weekday() == 0)
        if mondays:
            yield Charge(mondays, f"{se.edition} teaches on {mondays} Monday(s)", edition=se.edition)


def course_days_on_mondays_cpsat(c: Context) -> LinearExpr:
    return sum(sum(1 for i in range(s, s + d) if c.inst.cal.days[i].weekday() == 0) * x
               for ev in c.v.editions for (s, d), x in zip(ev.plan.options, ev.choose, strict=True))


HARD_TOY = RuleInfo("no_course_starts_on_a_friday", "No course starts on a Friday", check=no_course_starts_on_a_friday)
# A toy soft rule borrows the weight of a rule the tiny instance never counts (no linked topics).
SOFT_TOY = RuleInfo("course_days_on_mondays", "Course days on Mondays", "days", evaluate=course_days_on_mondays,
                    weight_field="linked_topics_overlap")


@pytest.fixture
def toy_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model.rules, "HARD_RULES", (*model.rules.HARD_RULES, HARD_TOY))
    monkeypatch.setattr(model.rules, "SOFT_RULES", (*model.rules.SOFT_RULES, SOFT_TOY))
    for toy in (HARD_TOY, SOFT_TOY):
        monkeypatch.setitem(model.rules.RULES, toy.id, toy)
    monkeypatch.setitem(scheduler.rules.HARD, HARD_TOY.id, no_course_starts_on_a_friday_cpsat)
    monkeypatch.setitem(scheduler.rules.SOFT, SOFT_TOY.id, course_days_on_mondays_cpsat)


def test_a_new_rule_reaches_the_engine_the_checker_and_every_report(toy_rules: None, tmp_path: Path) -> None:
    data = tiny_data()
    # Only the toy soft rule counts (10 points a Monday), and the priority of being early.
    data["weights"] = only_weights(linked_topics_overlap=10, priority_topic_late=1)
    for item in data["programme"]:
        item["priority"] = 1
    problem = problem_of(data)
    result = solve(problem, SolveOptions(time_limit_s=10, workers=1, deterministic=True))
    assert result.found, str(result)
    schedule = result.schedule
    assert check(schedule) == []
    assert all(se.start.weekday() != FRIDAY for se in schedule.editions)
    # The engine weighed the toy rule as the checker counts it: no course touches a Monday
    # (1 March is a Monday: starting Tuesday 2 March costs 1 working day of priority each, a
    # Monday 10 points), and the objective is the checker's.
    assert all(d.weekday() != 0 for se in schedule.editions for d in se.days)
    assert result.objective == pytest.approx(kpis(schedule).objective)

    # Hand-edited onto a Friday and a Monday: the checker reports the hard rule, the breakdown
    # charges the soft one, and both reach the schedule JSON and the workbook.
    se = schedule.sorted_editions()[0]
    friday = next(d for d in problem.work_calendar.days if d.weekday() == FRIDAY and d > se.end)
    days = [d for d in problem.work_calendar.days if d >= friday][: len(se.days)]
    moved = se.model_copy(update={"start": days[0], "end": days[-1], "days": days})
    edited = schedule.model_copy(update={"editions": [moved if e is se else e for e in schedule.editions]})
    broken = [v for v in check(edited) if v.rule == HARD_TOY.id]
    assert [v.records for v in broken] == [[se.edition]]
    charged = [it for it in penalty_breakdown(edited) if it.rule == SOFT_TOY.id]
    assert [(it.edition, it.amount, it.points) for it in charged] == [(se.edition, 1, 10)]
    assert next(p for p in kpis(edited).penalties if p.rule == SOFT_TOY.id).points == 10

    reread = Schedule.model_validate_json(schedule_json(schedule))
    assert reread.solver is not None
    assert [p.rule for p in reread.solver.penalties if p.rule == SOFT_TOY.id] == [SOFT_TOY.id]
    workbook = tmp_path / "edited.xlsx"
    write_schedule_workbook(edited, workbook)
    issues = list(openpyxl.load_workbook(workbook)["Issues"].iter_rows(values_only=True))
    assert any(r[0] == "Hard rule broken" and r[1] == HARD_TOY.id for r in issues)
    assert any(r[0] == "Soft rule" and r[1] == SOFT_TOY.id and r[2] == "Course days on Mondays" for r in issues)
