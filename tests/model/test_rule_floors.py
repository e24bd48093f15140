"""A soft rule's floor (``RuleInfo.floor``): the least it counts on any calendar of a problem, which
the bound by places adds for the rules its places leave out. Proven at most the rule's amount on
calendars of every size, met by the optimum where it can be, and refused where it would be counted
twice."""

from __future__ import annotations

import pytest

from bench.generate import family_problem
from data import default_problem
from model.check import soft_amounts
from model.problem import Problem
from model.rules import SOFT_RULES, RuleInfo, calendar
from scheduler.instance import Instance
from scheduler.solve import find_start
from tests.instances.tiny import only_weights, tiny_data, tiny_problem
from tests.scheduler.solving import optimal

FLOORED = [rule for rule in SOFT_RULES if rule.floor is not None]


def test_only_rules_that_do_not_split_have_a_floor() -> None:
    assert [rule.id for rule in FLOORED] == ["busiest_month"]
    with pytest.raises(ValueError, match="only a soft rule that does not split"):
        RuleInfo("x", "X", "days", evaluate=calendar.busiest_month, splits=True, floor=calendar.busiest_month_floor)
    with pytest.raises(ValueError, match="only a soft rule that does not split"):
        RuleInfo("x", "X", check=calendar.mandatory_edition_scheduled, floor=calendar.busiest_month_floor)


@pytest.mark.parametrize("problem", [
    pytest.param(lambda: tiny_problem(), id="tiny"),
    pytest.param(default_problem, id="default"),
    pytest.param(lambda: family_problem("network", 3), id="network3x"),
    pytest.param(lambda: family_problem("rollout", 2), id="rollout2y"),
])
def test_each_floor_is_at_most_the_rule_s_amount_on_the_start_calendars(problem: object) -> None:
    p: Problem = problem()  # type: ignore[operator]
    start = find_start(p, Instance(p)).greedy
    assert start is not None
    amounts = soft_amounts(start, tuple(FLOORED))
    for rule in FLOORED:
        assert rule.floor is not None
        assert 0 < rule.floor(p) <= amounts[rule.id], rule.id


def test_the_busiest_month_s_floor_spreads_the_mandatory_days_over_the_working_months() -> None:
    # tiny: two editions that must run, of at least 2 days each, in March alone.
    assert calendar.busiest_month_floor(tiny_problem()) == 4
    # Over March and April: 4 days over two months; an optional edition adds nothing.
    data = tiny_data()
    data["calendar"]["end"] = "2027-04-30"
    data["programme"][0] |= {"editions": 2, "min_editions": 1}
    assert calendar.busiest_month_floor(tiny_problem(calendar=data["calendar"], programme=data["programme"])) == 2
    # A month without a working day takes no share: April closed.
    data["calendar"]["closures"] = [{"start": "2027-04-01", "end": "2027-04-30", "reason": "closed"}]
    assert calendar.busiest_month_floor(tiny_problem(calendar=data["calendar"])) == 4
    # Ten centres over two years: 1,160 days of 410 editions that must run, over 20 working months.
    assert calendar.busiest_month_floor(family_problem("network", 10)) == 58


@pytest.mark.parametrize("end", ["2027-03-31", "2027-04-30"])
def test_the_busiest_month_s_floor_is_the_optimum_where_nothing_else_counts(end: str) -> None:
    data = tiny_data()
    data["calendar"]["end"] = end
    problem = tiny_problem(calendar=data["calendar"], weights=only_weights(busiest_month=1))
    result = optimal(problem)
    assert result.objective == calendar.busiest_month_floor(problem)
