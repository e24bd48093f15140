"""Rules of demand: editions run where enough nominees asked, with seats for the requests.

A problem without nominations has no demand to read: both rules then say nothing. The
requests an edition could seat, whatever its dates, are ``model.participants.requests_for``;
which of them get a seat is the allocation's business (``model/rules/participants.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from model.participants import (
    accepting,
    edition_months,
    free_count,
    preference_factor,
    seat_capacity,
    unserved,
)
from model.rules.reading import Breach, Charge, Reading

# ------------------------------------------------------------------------------ hard


def edition_has_enough_requests(r: Reading) -> Iterator[Breach]:
    """An edition with a minimum of participants runs only in months when that many of the
    nominees who could sit it, in the mode it runs in, are free; and a topic runs no more
    editions than its requests fill to that minimum."""
    if not r.problem.nominations:
        return
    runs: Counter[str] = Counter()
    for ed, se in r.placed:
        least = ed.item.min_participants
        if not least:
            continue
        requests = accepting(r.requests[ed.topic.id], se.mode)
        months = edition_months(se)
        free = free_count(requests, months)
        if free < least:
            how = se.mode.replace("_", " ")
            yield Breach([se.edition], f"{se.edition} needs {least} participants; {free} of the {len(requests)} "
                                       f"nominees who could sit it ({how}) are free in {', '.join(months)}")
        runs[ed.topic.id] += 1
    for topic, count in sorted(runs.items()):
        least = r.problem.first_edition[topic].item.min_participants
        asked = len(r.requests[topic])
        if count * least > asked:
            yield Breach([topic], f"{topic} runs {count} editions of at least {least} participants; "
                                  f"{asked} nominees could sit it")


# ------------------------------------------------------------------------------ soft


def requests_beyond_seats(r: Reading) -> Iterator[Charge]:
    """Requests a topic's editions have no seat for, first choices seated first; each counts its
    preference (3 a first choice, 2 a second, 1 another) times one plus the topic's priority.
    An edition fills at most its seats, the nominees free in its months and those accepting a
    seat in its mode."""
    if not r.problem.nominations:
        return
    reach: Counter[str] = Counter()
    for ed, se in r.placed:
        requests = r.requests[ed.topic.id]
        free = free_count(requests, edition_months(se))
        reach[ed.topic.id] += min(free, len(accepting(requests, se.mode)), sum(seat_capacity(r.problem, se).values()))
    for item in r.problem.programme:
        requests = r.requests.get(item.topic, [])
        seats = reach[item.topic]
        left = unserved(requests, seats)
        if not left:
            continue
        amount = (1 + item.priority) * sum(preference_factor(q.rank) for q in left)
        firsts = sum(1 for q in left if q.rank == 0)
        yield Charge(amount, f"{item.topic}: {len(left)} of its {len(requests)} requests have no seat in the "
                             f"{seats} its editions can fill, with the nominees free in their months "
                             f"({firsts} first choices)"
                             + (f", priority {item.priority}" if item.priority else ""),
                     records=[item.topic])
