"""Shared fixtures, named after instances."""

from __future__ import annotations

import pytest
from hypothesis import settings

from scheduler.solve import Result, SolveOptions, solve
from tests.scheduler.solving import checked

# Property tests: the same examples on every run by default (CI); `--hypothesis-profile=long`
# explores many more, at random, keeping failures for replay.
settings.register_profile("ci", max_examples=200, derandomize=True, database=None, deadline=None)
settings.register_profile("long", max_examples=3000, derandomize=False, deadline=None)
settings.load_profile("ci")


@pytest.fixture(scope="session")
def rtcm_2027() -> Result:
    """The embedded default (71 editions, 2027) solved once per test process.

    Tests check correctness, not the optimum (bench/ measures that): 20 s is ample for a
    full calendar, which the greedy hint gives within seconds.
    """
    from data import default_problem

    result = solve(default_problem(), SolveOptions(time_limit_s=20, workers=2))
    assert result.found, result.report.diagnosis
    return checked(result)  # the solver's own objective and bound against the checker
