"""Embedded datasets: the RTCM catalogue and the default 2027 programme."""

from __future__ import annotations

from functools import lru_cache

from model.formats.files import parse_text, problem_from_data
from model.problem import Problem


@lru_cache(maxsize=1)
def default_problem() -> Problem:
    """The embedded default: the real catalogue, fictional trainers, calendar year 2027."""
    from data.default import DEFAULT_FILE, default_text

    return problem_from_data(parse_text(default_text(), DEFAULT_FILE), DEFAULT_FILE)
