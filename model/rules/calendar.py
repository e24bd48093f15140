"""Rules of the calendar itself: which editions run, on which days, inside which window.

Each function is one rule: a hard rule's checker yields breaches, a soft rule's evaluator
yields charges; the registry (``model/rules/__init__.py``) names and weighs them.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from model.rules.reading import Breach, Charge, Reading

if TYPE_CHECKING:
    from model.problem import Problem

# ------------------------------------------------------------------------------ hard


def mandatory_edition_scheduled(r: Reading) -> Iterator[Breach]:
    for eid in r.unknown:
        yield Breach([eid], f"{eid} is not an edition of the programme")
    for eid in r.twice:
        yield Breach([eid], f"{eid} is scheduled twice")
    for ed in r.problem.editions:
        if ed.mandatory and ed.id not in r.done:
            yield Breach([ed.id], f"{ed.id} is mandatory but not scheduled")


def course_on_consecutive_working_days(r: Reading) -> Iterator[Breach]:
    idx = r.cal.index
    for _, se in r.placed:
        days = se.days
        if not days or days[0] != se.start or days[-1] != se.end:
            yield Breach([se.edition], f"{se.edition}: start/end ({se.start}..{se.end}) do not match its days")
        bad = [d for d in days if d not in idx]
        if bad:
            reasons = ", ".join(f"{d} ({r.cal.off.get(d, 'outside the horizon')})" for d in bad)
            yield Breach([se.edition], f"{se.edition} runs on non-working days: {reasons}")
            continue
        pos = [idx[d] for d in days]
        if any(b != a + 1 for a, b in itertools.pairwise(pos)):
            yield Breach([se.edition], f"{se.edition}: its days are not consecutive working days")
        elif days and not r.problem.calendar.allow_straddle and (days[-1] - days[0]).days != len(days) - 1:
            yield Breach([se.edition], f"{se.edition} straddles a weekend or holiday ({days[0]}..{days[-1]})")


def course_length_within_range(r: Reading) -> Iterator[Breach]:
    for ed, se in r.placed:
        if len(se.days) not in ed.durations:
            yield Breach([se.edition], f"{se.edition} lasts {len(se.days)} days; allowed: "
                                       f"{', '.join(map(str, ed.durations))}")


def edition_within_its_window(r: Reading) -> Iterator[Breach]:
    for ed, se in r.placed:
        item = ed.item
        if not se.days:
            continue
        if item.earliest_start and se.days[0] < item.earliest_start:
            yield Breach([se.edition], f"{se.edition} starts {se.days[0]}, before its earliest start "
                                       f"{item.earliest_start}")
        if item.latest_end and se.days[-1] > item.latest_end:
            yield Breach([se.edition], f"{se.edition} ends {se.days[-1]}, after its latest end {item.latest_end}")


# ------------------------------------------------------------------------------ soft


def optional_edition_left_out(r: Reading) -> Iterator[Charge]:
    """Editions x (1 + priority)."""
    for ed in r.problem.editions:
        if not ed.mandatory and ed.id not in r.done:
            n = 1 + ed.item.priority
            yield Charge(n, f"optional edition {ed.id} ({ed.topic.title}) is left out; priority "
                            f"{ed.item.priority} counts {n}", edition=ed.id)


def priority_topic_late(r: Reading) -> Iterator[Charge]:
    """Working days after the earliest possible start, times the priority."""
    for ed, se in r.placed:
        if ed.item.priority and se.start in r.cal.index:
            late = r.cal.index[se.start] - r.earliest_index(ed)
            if late:
                yield Charge(late * ed.item.priority, f"{se.edition} (priority {ed.item.priority}) starts "
                             f"{se.start}, {late} working days after it could", edition=se.edition)


def busiest_month(r: Reading) -> Iterator[Charge]:
    """The training days of the busiest month, charged to the editions that make them."""
    months: Counter[tuple[int, int]] = Counter((d.year, d.month) for _, se in r.placed for d in se.days)
    if not months:
        return
    (y, m), total = max(sorted(months.items()), key=lambda kv: kv[1])
    label = f"{y}-{m:02d}"
    for _, se in r.placed:
        n = sum(1 for d in se.days if (d.year, d.month) == (y, m))
        if n:
            yield Charge(n, f"{se.edition} has {n} of the {total} training days of the busiest month, {label}",
                         edition=se.edition, records=[label, se.edition])


def busiest_month_floor(p: Problem) -> int:
    """The fewest days any calendar of ``p`` has in its busiest month: the days the editions that
    must run take at the least, spread evenly over the months with a working day."""
    months = len(set(p.work_calendar.month_of))
    days = sum(min(ed.durations) for ed in p.editions if ed.mandatory)
    return math.ceil(days / months) if months else 0


def linked_topics_overlap(r: Reading) -> Iterator[Charge]:
    """Pairs of editions of linked topics that share a day of their span."""
    linked = set(r.problem.linked_pairs)
    for i, (ea, a) in enumerate(r.placed):
        for eb, b in r.placed[i + 1:]:
            if tuple(sorted((ea.topic.id, eb.topic.id))) in linked and a.start <= b.end and b.start <= a.end:
                yield Charge(1, f"{a.edition} and {b.edition} are linked topics and run at the same time",
                             edition=a.edition, records=[a.edition, b.edition])


def course_shortened(r: Reading) -> Iterator[Charge]:
    """Days below the topic's full length, for editions whose length the solver chooses."""
    for ed, se in r.placed:
        cut = ed.topic.duration_max - len(se.days)
        if ed.item.duration_days is None and cut:
            yield Charge(cut, f"{se.edition} runs {len(se.days)} of its {ed.topic.duration_max} days",
                         edition=se.edition)
