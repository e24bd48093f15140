"""Every mandatory edition is on the calendar, whatever it costs."""

from __future__ import annotations

import pytest

from model.check import soft_amounts
from tests.instances.tiny import only_weights, problem_of, record, tiny_data
from tests.scheduler.solving import infeasible, optimal


@pytest.mark.parametrize(
    ("mandatory", "objective"),
    [
        # Cost (1 point per 100 USD) and optional editions left out (1 point each) count.
        # M1.T1 (2-3 days, cheapest 2): 2 x (HALL 100 + 450) = 1100 USD = 11.0.
        # M2.T1: 2 x (B 40 + 450) = 980 USD = 9.8. Mandatory, it runs: 20.8.
        (True, 20.8),
        # Optional, leaving it out costs 1 point instead of 9.8: 11.0 + 1 = 12.0.
        (False, 12.0),
    ],
)
def test_mandatory_edition_scheduled(mandatory: bool, objective: float) -> None:
    data = tiny_data()
    record(data, "programme", "M2.T1")["mandatory"] = mandatory
    data["weights"] = only_weights(cost=1, optional_edition_left_out=1)
    result = optimal(problem_of(data))
    assert ("M2.T1#1" in result.schedule.by_edition) is mandatory
    assert result.objective == objective
    assert soft_amounts(result.schedule)["optional_edition_left_out"] == (0 if mandatory else 1)


def test_mandatory_edition_scheduled_infeasible_is_reported() -> None:
    # Only T1 and T2 can give M2.T1 (T3 and T4 teach module 1 only), and both are away
    # all March: the mandatory edition has no start day.
    data = tiny_data()
    for t in ("T3", "T4"):
        record(data, "trainers", t)["modules"] = [1]
    for t in ("T1", "T2"):
        record(data, "trainers", t)["unavailable"] = [{"start": "2027-03-01", "end": "2027-03-31"}]
    diagnosis = infeasible(problem_of(data))
    assert any(line.startswith("M2.T1#1 cannot be scheduled") for line in diagnosis)
