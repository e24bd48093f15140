"""Shared fixtures, named after instances."""

from __future__ import annotations

import pytest

from model.check import check, kpis
from scheduler.solve import Result, SolveOptions, solve


@pytest.fixture(scope="session")
def rtcm_2027() -> Result:
    """The embedded default (68 editions, 2027) solved once per test process.

    Tests check correctness, not the optimum (bench/ measures that): 20 s is ample for a
    full calendar, which the greedy hint gives within seconds.
    """
    from data import default_problem

    result = solve(default_problem(), SolveOptions(time_limit_s=20, workers=2))
    assert result.found, result.report.diagnosis
    assert check(result.schedule) == []
    assert kpis(result.schedule).objective == result.objective
    return result
