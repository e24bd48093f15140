"""Women's shares: one arithmetic for the engine, the checker, the doctor and the reports.

A share counts women among people (or person-days) of known gender; undisclosed genders
are counted apart, never guessed. A band p..q is read as exact fractions.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.problem import ShareBand
    from model.schedule import Schedule

KNOWN_GENDERS = ("woman", "man", "another_identity")  # undisclosed is counted apart, never guessed
TRAINER_SCOPES = ("year", "module", "month")
# A group within a scope: "year", a module number, or a (year, month); keys of one scope sort together.
ScopeKey = str | int | tuple[int, int]


def as_fraction(share: float) -> Fraction:
    """A share as an exact fraction (0.4 -> 2/5), so that rounding is the same everywhere."""
    return Fraction(share).limit_denominator(1000)


def known_count(by_gender: Mapping[Any, int]) -> int:
    """People (or person-days) whose gender is known: the denominator of every share."""
    return sum(by_gender.get(g, 0) for g in KNOWN_GENDERS)


def share_gap(women: int, known: int, band: ShareBand) -> tuple[int, int]:
    """(short, over): how many women short of the band's minimum, or over its maximum.

    With the band read as exact fractions p..q: short = max(0, ceil(p x known) - women) and
    over = max(0, women - floor(q x known)). Both are in the group's unit (trainer-days,
    participants); at most one is positive. The engine's constraints use the same definition.
    """
    short = over = 0
    if band.min_share is not None:
        p = as_fraction(band.min_share)
        short = max(0, math.ceil(p * known) - women)
    if band.max_share is not None:
        q = as_fraction(band.max_share)
        over = max(0, women - math.floor(q * known))
    return short, over


def trainer_day_counts(schedule: Schedule) -> dict[str, dict[ScopeKey, Counter[str]]]:
    """Trainer-days by gender for the year, each module and each (year, month), from the calendar."""
    p = schedule.problem
    out: dict[str, dict[ScopeKey, Counter[str]]] = {s: defaultdict(Counter) for s in TRAINER_SCOPES}
    for se in schedule.editions:
        if se.edition not in p.edition_by_id:
            continue
        module = p.edition_by_id[se.edition].topic.module
        for t, d in se.person_days():
            tr = p.trainer_by_id.get(t)
            if tr is None:
                continue
            out["year"]["year"][tr.gender] += 1
            out["module"][module][tr.gender] += 1
            out["month"][(d.year, d.month)][tr.gender] += 1
    return out


def scope_label(scope: str, key: object) -> str:
    """'the year', 'module 3' or '2027-03': a group of a scope as a planner names it."""
    if scope == "module":
        return f"module {key}"
    if scope == "month" and isinstance(key, tuple):
        return f"{key[0]}-{key[1]:02d}"
    return "the year"
