"""A prerequisite topic is delivered first, with its minimum (and maximum) gap.

The gap is counted in calendar days between the last day of the prerequisite's edition
and the first day of the dependent one: Wed 3 -> Thu 4 is a gap of 0 days.
"""

from __future__ import annotations

from typing import Any

import pytest

from model.check import soft_amounts
from tests.instances.tiny import only_weights, problem_of, record, tiny_data
from tests.scheduler.solving import d, edition, infeasible, names_rule, optimal


def prerequisite_data(*, min_gap: int | None, max_gap: int | None = None) -> dict[str, Any]:
    """M1.T1 (3 days) before M2.T1; only lateness counts (weight 1)."""
    data = tiny_data()
    record(data, "programme", "M1.T1")["duration_days"] = 3
    if min_gap is not None:
        data["prerequisites"] = [{"before": "M1.T1", "after": "M2.T1", "min_gap_days": min_gap,
                                  "max_gap_days": max_gap, "reason": "basics first"}]
    data["weights"] = only_weights(priority_topic_late=1)
    return data


def gap(result: Any) -> int:
    return (edition(result, "M2.T1#1").start - edition(result, "M1.T1#1").end).days - 1


@pytest.mark.parametrize(
    ("min_gap", "start", "late"),
    [
        # M2.T1 (priority 1) wants Mon 1 March. Without the prerequisite it gets it: 0.
        (None, d(1), 0),
        # M1.T1 can end Wed 3 March at the earliest; with no gap M2.T1 starts Thu 4
        # (working day 3): 3 late.
        (0, d(4), 3),
        # 3 free days after Wed 3 (Thu, Fri, Sat): no earlier than Sun 7, so Mon 8
        # (working day 5): 5 late.
        (3, d(8), 5),
        # 7 free days: no earlier than Thu 11 (working day 8): 8 late.
        (7, d(11), 8),
    ],
)
def test_prerequisite_finished_first(min_gap: int | None, start: Any, late: int) -> None:
    data = prerequisite_data(min_gap=min_gap)
    record(data, "programme", "M2.T1")["priority"] = 1
    result = optimal(problem_of(data))
    assert edition(result, "M2.T1#1").start == start
    if min_gap is not None:
        assert gap(result) >= min_gap
    assert result.objective == late
    assert soft_amounts(result.schedule)["priority_topic_late"] == late


def test_prerequisite_finished_first_within_the_maximum_gap() -> None:
    # Now M1.T1 has priority 1 and M2.T1 may not start before Mon 22 March, at most 7
    # days after M1.T1 ends: M1.T1 must end on Sun 14 or later. A 3-day course that
    # does not straddle a weekend ends Wed 17 at the earliest such date (Mon 15 - Wed 17,
    # working day 10): 10 late. Without the maximum it would start Mon 1: 0.
    data = prerequisite_data(min_gap=0, max_gap=7)
    record(data, "programme", "M1.T1")["priority"] = 1
    record(data, "programme", "M2.T1")["earliest_start"] = "2027-03-22"
    result = optimal(problem_of(data))
    assert edition(result, "M1.T1#1").days == [d(15), d(16), d(17)]
    assert 0 <= gap(result) <= 7
    assert result.objective == 10


def test_prerequisite_finished_first_infeasible_is_reported() -> None:
    # 30 free days after M1.T1 cannot fit in March.
    diagnosis = infeasible(problem_of(prerequisite_data(min_gap=30)))
    assert names_rule(diagnosis, "prerequisite_finished_first")
