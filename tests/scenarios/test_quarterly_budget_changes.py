"""The ``budget_cap`` change and quarterly caps: set, removed, cut with the yearly budget."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from model.errors import InputError
from model.problem import Problem
from scenarios.scenario import Scenario, apply_changes
from tests.instances.tiny import problem_of, tiny_data


def base(**top: Any) -> Problem:
    data = tiny_data()
    data["calendar"]["end"] = "2027-06-30"
    data.update(top)
    return problem_of(data)


def changed(problem: Problem, *changes: dict[str, Any]) -> Problem:
    return apply_changes(problem, Scenario.model_validate({"name": "t", "changes": list(changes)}))


def test_quarters_are_set_and_removed_and_the_yearly_budget_stays() -> None:
    p = changed(base(budget_usd=9000, quarterly_budget_usd={"2027-Q1": 4000}),
                {"type": "budget_cap", "quarters": {"2027-Q2": 3000, "2027-Q1": None}})
    assert (p.budget_usd, p.quarterly_budget_usd) == (9000, {"2027-Q2": 3000})


def test_usd_and_quarters_together_set_both() -> None:
    p = changed(base(), {"type": "budget_cap", "usd": 8000, "quarters": {"2027-Q1": 5000}})
    assert (p.budget_usd, p.quarterly_budget_usd) == (8000, {"2027-Q1": 5000})


def test_usd_alone_sets_the_yearly_budget_and_keeps_the_quarters() -> None:
    p = changed(base(budget_usd=9000, quarterly_budget_usd={"2027-Q1": 4000}), {"type": "budget_cap", "usd": None})
    assert (p.budget_usd, p.quarterly_budget_usd) == (None, {"2027-Q1": 4000})


def test_a_cut_cuts_the_budget_and_every_quarter() -> None:
    p = changed(base(budget_usd=10000, quarterly_budget_usd={"2027-Q1": 4000, "2027-Q2": 3001}),
                {"type": "budget_cap", "cut": 0.3})
    assert (p.budget_usd, p.quarterly_budget_usd) == (7000, {"2027-Q1": 2800, "2027-Q2": 2101})
    # Quarterly caps alone are enough to cut.
    p = changed(base(quarterly_budget_usd={"2027-Q1": 4000}), {"type": "budget_cap", "cut": 0.5})
    assert (p.budget_usd, p.quarterly_budget_usd) == (None, {"2027-Q1": 2000})


def test_a_cut_without_any_budget_is_refused() -> None:
    with pytest.raises(InputError, match="a budget cut needs a budget"):
        changed(base(), {"type": "budget_cap", "cut": 0.3})


def test_a_cut_with_quarters_is_refused() -> None:
    with pytest.raises(ValidationError, match="not both"):
        Scenario.model_validate({"name": "t", "changes": [{"type": "budget_cap", "cut": 0.3,
                                                           "quarters": {"2027-Q1": 1}}]})


def test_the_change_describes_what_it_sets() -> None:
    scenario = Scenario.model_validate({"name": "t", "changes": [
        {"type": "budget_cap", "quarters": {"2027-Q2": 3000, "2027-Q1": None}}]})
    assert scenario.changes[0].describe() == "no cap in 2027-Q1, 2027-Q2 capped at 3,000 USD"
