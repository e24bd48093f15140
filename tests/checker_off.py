"""A pytest plugin that switches one hard rule's checker off, for ``make mutation``.

Loaded with ``-p tests.checker_off`` and the rule id in ``RTCM_CHECKER_OFF``: that rule's
checker then finds nothing, as a regression in it would. Without the variable it does nothing.
"""

from __future__ import annotations

import dataclasses
import os

import pytest

import model.rules as registry


def _silent(_: object) -> tuple[()]:
    return ()


def pytest_configure(config: pytest.Config) -> None:
    rule = os.environ.get("RTCM_CHECKER_OFF")
    if not rule:
        return
    if rule not in registry.RULES or not registry.RULES[rule].hard:
        raise pytest.UsageError(f"RTCM_CHECKER_OFF={rule}: not a hard rule")
    off = dataclasses.replace(registry.RULES[rule], check=_silent)
    registry.RULES[rule] = off
    for name in ("HARD_RULES", "PARTICIPANT_HARD_RULES"):
        rules = getattr(registry, name)
        setattr(registry, name, tuple(off if r.id == rule else r for r in rules))
