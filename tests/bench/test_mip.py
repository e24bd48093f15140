"""The HiGHS MIP of bench/mip.py solves the same problem as CP-SAT: same optimum, checked calendars."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from bench.mip import MipOptions, build_mip, extract, solve_mip, start_values, unsupported
from data import default_problem
from model.check import check, kpis
from model.problem import Problem
from scheduler.greedy import greedy_schedule
from tests.instances.tiny import only_weights, problem_of, race_data, record, tiny_data, tiny_problem
from tests.scheduler.solving import optimal

# No wall-clock limit, which a busy machine could reach: a node limit instead, the same
# work on every machine and far above what these instances need (a few nodes each).
COLD = MipOptions(time_limit_s=math.inf, start="none", highs=(("mip_max_nodes", 1000),))


def proven(problem: Problem, options: MipOptions = COLD) -> float:
    """The MIP's proven optimum, after the checker has passed its calendar."""
    result = solve_mip(problem, options)
    assert result.status == "OPTIMAL", result.reason
    assert result.schedule is not None and check(result.schedule) == []
    assert result.objective == kpis(result.schedule).objective
    # HiGHS's own value of the calendar is the checker's (within its tolerances).
    assert result.mip_objective == pytest.approx(result.objective, abs=1e-4)
    assert result.bound == result.objective and result.gap == 0
    return result.objective


def test_tiny_optimum_is_156_3_as_with_cp_sat() -> None:
    # Both courses in March: busiest month 5 days x 20 = 100. Two teams, no one on both:
    # busiest trainer 3 days x 10 = 30. Cost: M1.T1 (hybrid, so HALL at 100/day) 3 days with
    # T1 + T4 (IOM woman 250 + UNHCR man 200), M2.T1 2 days in room B (40) with T2 + T3:
    # 300 + 1350 + 80 + 900 = 2630 USD = 26.3. Women give 5 of 10 trainer-days: in the band.
    # Total 156.3; cutting M1.T1 to 2 days would save less than its 100-point penalty.
    problem = tiny_problem()
    assert proven(problem) == 156.3
    assert optimal(problem).objective == 156.3


def _prerequisite_with_window(data: dict[str, Any]) -> None:
    # M2.T1 would like to start on 1 March (priority) but waits for M1.T1 and the gap.
    data["prerequisites"] = [{"before": "M1.T1", "after": "M2.T1", "min_gap_days": 3, "max_gap_days": 5}]
    record(data, "programme", "M2.T1")["priority"] = 1


def _two_editions_one_stream(data: dict[str, Any]) -> None:
    record(data, "programme", "M1.T1")["editions"] = 2
    data["platform"] = {"max_concurrent_streams": 1}


def _caps_and_quota(data: dict[str, Any]) -> None:
    # The greedy test's myopic case: only a shortened M1.T1 leaves IOM days for M2.T1.
    for t in ("T3", "T4"):
        record(data, "trainers", t)["max_days_per_month"] = 2
    record(data, "organisations", "IOM")["trainer_day_quota"] = 6


def _soft_mixed_teams_of_one(data: dict[str, Any]) -> None:
    data["team_rules"] = {"min_trainers": 1, "max_trainers": 3, "mixed_gender": "soft"}


def _optional_priority_edition(data: dict[str, Any]) -> None:
    record(data, "programme", "M1.T1").update(mandatory=False, priority=2, editions=2)


def _women_share_bands(data: dict[str, Any]) -> None:
    data["targets"] = {"trainer_days_year": {"min_share": 0.6, "max_share": 0.8, "mode": "soft"},
                       "trainer_days_month": {"mode": "soft"},
                       "trainer_days_module": {"min_share": 0.5, "max_share": 0.5, "mode": "hard"}}


def _budget_and_baseline(data: dict[str, Any]) -> None:
    data["budget_usd"] = 2500
    data["baseline"] = [{"edition": "M1.T1#1", "start": "2027-03-10", "room": "HALL",
                         "trainers": ["T1", "T2"]}]


def _pinned_team(data: dict[str, Any]) -> None:
    data["pins"] = [{"edition": "M2.T1#1", "start": "2027-03-03", "trainers": ["T1", "T2", "T3"]}]


def _race_for_the_first_monday(data: dict[str, Any]) -> None:
    data.clear()
    data.update(race_data())
    record(data, "trainers", "T2")["organisation"] = "UNHCR"  # one IOM trainer: the courses cannot overlap
    data["weights"] = only_weights(priority_topic_late=1, linked_topics_overlap=30)


VARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "prerequisite_with_window": _prerequisite_with_window,
    "two_editions_one_stream": _two_editions_one_stream,
    "caps_and_quota": _caps_and_quota,
    "soft_mixed_teams_of_one": _soft_mixed_teams_of_one,
    "optional_priority_edition": _optional_priority_edition,
    "women_share_bands": _women_share_bands,
    "budget_and_baseline": _budget_and_baseline,
    "pinned_team": _pinned_team,
    "race_for_the_first_monday": _race_for_the_first_monday,
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_mip_and_cp_sat_prove_the_same_optimum(name: str) -> None:
    data = tiny_data()
    VARIANTS[name](data)
    problem = problem_of(data)
    assert proven(problem) == pytest.approx(optimal(problem).objective)


def test_the_race_costs_two_days_of_lateness() -> None:
    # race_data's docstring: M2.T1 Mon 1-Tue 2, then M1.T1 Wed 3-Fri 5: objective 2.
    data = tiny_data()
    _race_for_the_first_monday(data)
    assert proven(problem_of(data)) == 2


def test_a_greedy_start_is_the_greedy_calendar_and_still_reaches_the_optimum() -> None:
    problem = tiny_problem()
    model = build_mip(problem)
    greedy = greedy_schedule(problem)
    idx, val = start_values(model, greedy)
    values = np.zeros(model.lp.n_cols)
    values[idx] = val
    again = extract(model, values)
    assert [(e.edition, e.start, e.room, e.trainers) for e in again.editions] == \
        [(e.edition, e.start, e.room, e.trainers) for e in greedy.editions]
    assert proven(problem, replace(COLD, start="greedy")) == 156.3


def test_the_default_problem_uses_no_rule_the_mip_leaves_out() -> None:
    assert unsupported(default_problem()) == []
