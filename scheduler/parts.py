"""The search by parts, for programmes too large for one CP-SAT search to move in its time.

On a large programme (a network of centres, several years) CP-SAT's presolve of the whole
model takes most of the time limit before its search starts, and its search then rarely
improves on the start. The search by parts keeps the whole model and its objective, and
searches it one neighbourhood at a time: every decision of the editions outside the part
(on the calendar or not, option, mode, room, team, standbys, guests) is fixed at the best
calendar so far, the rest of the model is left free, and CP-SAT starts from that calendar
(a complete hint). What it finds is a calendar of the whole problem, never worse than the
one it started from; the next part starts from it.

A part is the editions held at the same venues (one centre of a network), cut into windows of
about :data:`PART_EDITIONS` editions by where the calendar has them. Parts are searched in
turn, each for :data:`PART_LIMIT_S` seconds at most, until the time limit; after each round the
windows are cut again, every other time with their cuts moved by half a window, so that a round
does not search again only the neighbourhoods the last one left at their optimum. Small parts searched
briefly do best: on ten centres (710 editions, 300 s) parts of 80 editions searched 20 s each
ended 2.9 % below the start, of 40 for 10 s 6.4 %, of 20 for 5 s 9.4 % (one run each,
``bench/results/parts_trials.json``); a part of 20 is nearly proven optimal within its 5 s.

No part proves a bound on the whole. The bound reported beside the search by parts is that of the
whole model's linear relaxation (``scheduler/relaxation.py``), proved in a thread beside the parts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise

from ortools.sat.python import cp_model

from scheduler.variables import EditionVars, StopFlag, solve_unless_stopped

# Programmes of more editions are searched by parts (scheduler/solve.py).
PARTS_FROM_EDITIONS = 300
# And programmes of more options (an edition's possible start and length pairs), whatever their
# editions: the RTCM curriculum over three years (213 editions, 67,011 options) has the whole
# model's presolve outlast a 60 s limit, and by parts ends 5.2 % below its start; three centres
# over one year (213 editions, 22,869 options) search well whole. Where between the turn lies is
# not measured (bench/results/engine.json).
PARTS_FROM_OPTIONS = 50_000
# About this many editions free in each part.
PART_EDITIONS = 20
# The longest search of one part.
PART_LIMIT_S = 5.0


@dataclass(frozen=True)
class Part:
    name: str
    editions: frozenset[int]  # indices of the editions whose decisions are free


def decisions(ev: EditionVars) -> Iterator[cp_model.IntVar]:
    """The variables that decide an edition: everything else in the model follows from them."""
    yield ev.present
    yield from ev.choose
    yield ev.start
    if isinstance(ev.length, cp_model.IntVar):
        yield ev.length
    yield from ev.mode.values()
    yield from ev.room.values()
    yield from ev.teaches.values()
    yield from ev.standby.values()
    for gv in ev.guests:
        yield gv.day
        yield from gv.gives.values()


def parts(editions: list[EditionVars], values: list[int], shifted: bool = False) -> list[Part]:
    """The places: the editions held at the same venues (one centre of a network), cut in windows
    of time of about :data:`PART_EDITIONS` editions where there are more (editions off the
    calendar count by their earliest option). ``shifted``: the cuts moved by half a window, so
    that the windows straddle the unshifted ones' cuts (with half windows at either end)."""
    groups: dict[tuple[str, ...], list[EditionVars]] = {}
    for ev in editions:
        groups.setdefault(tuple(ev.plan.edition.item.venues), []).append(ev)
    return [part for venues, group in groups.items()
            for part in _windows(group, lambda ev: _start(ev, values), ", ".join(venues) or "every venue", shifted)]


def _start(ev: EditionVars, values: list[int]) -> int:
    if values[ev.present.index]:
        return values[ev.start.index]
    return min((s for s, _ in ev.plan.options), default=0)


def _windows(group: list[EditionVars], start: Callable[[EditionVars], int], where: str,
             shifted: bool) -> list[Part]:
    group = sorted(group, key=start)
    pieces = max(1, round(len(group) / PART_EDITIONS))
    size = -(-len(group) // pieces)
    if pieces == 1:
        return [Part(f"{where} 1/1", frozenset(ev.plan.index for ev in group))]
    cuts = [k * size - (size // 2 if shifted else 0) for k in range(pieces + shifted)] + [len(group)]
    windows = [group[max(0, a):b] for a, b in pairwise(cuts)]
    return [Part(f"{where} {k + 1}/{len(windows)}{' (shifted)' if shifted else ''}",
                 frozenset(ev.plan.index for ev in window))
            for k, window in enumerate(windows) if window]


class Values:
    """A full assignment of the model's variables, read as a solver's solution is."""

    def __init__(self, values: list[int]) -> None:
        self.values = values

    def value(self, var: cp_model.IntVar) -> int:
        return self.values[var.index]

    def boolean_value(self, lit: cp_model.IntVar) -> bool:
        return bool(self.values[lit.index])


@dataclass
class PartsOutcome:
    values: list[int]  # the best assignment found (the start's when no part improved it)
    objective: float  # its objective, in the model's units
    searches: int = 0  # parts searched
    improved: int = 0  # parts that found a better calendar


def search_by_parts(model: cp_model.CpModel, editions: list[EditionVars], values: list[int], objective: float,
                    deadline: float, make_solver: Callable[[float], cp_model.CpSolver], *,
                    on_better: Callable[[list[int], float], None] | None = None,
                    stop: StopFlag | None = None) -> PartsOutcome:
    """Search ``model`` part by part from the complete assignment ``values`` until ``deadline``
    (a ``time.perf_counter()`` time).

    ``make_solver(limit_s)`` gives the CP-SAT solver of one part's search; ``on_better`` gets
    each better assignment and its objective as it is found.
    """
    best = PartsOutcome(list(values), objective)
    ring = parts(editions, values)
    rounds = 0
    # One copy of the model serves every part, its decisions' domains set for each: with a copy
    # per part the process grew by about 25 MB a second on ten centres (CP-SAT 9.15's clone).
    sub = model.clone()
    proto = sub.proto
    domains = proto.variables
    chosen = {ev.plan.index: [var.index for var in decisions(ev)] for ev in editions}
    own = {i: list(domains[i].domain) for indices in chosen.values() for i in indices}

    def hold(edition: int, free: bool) -> None:
        for i in chosen[edition]:
            domain = domains[i].domain
            domain.clear()
            domain.extend(own[i] if free else [best.values[i]] * 2)

    # Every edition held at the start; then only the editions of the last part and of the next
    # change (those outside both keep their values: no part's search changes them). Setting every
    # edition's domains anew took 0.6-1.0 s a part on ten centres, against a search of 5 s.
    for edition in chosen:
        hold(edition, False)
    freed: frozenset[int] = frozenset()
    proto.solution_hint.vars.clear()
    proto.solution_hint.values.clear()
    proto.solution_hint.vars.extend(range(len(best.values)))
    k = 0
    while ring and time.perf_counter() < deadline - 1.0 and not (stop is not None and stop.is_set()):
        part = ring[k % len(ring)]
        k += 1
        for edition in freed - part.editions:
            hold(edition, False)
        for edition in part.editions - freed:
            hold(edition, True)
        freed = part.editions
        proto.solution_hint.values.clear()
        proto.solution_hint.values.extend(best.values)
        solver = make_solver(min(PART_LIMIT_S, deadline - time.perf_counter()))
        code = solve_unless_stopped(solver, sub, stop)
        best.searches += 1
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value < best.objective - 1e-6:
            best.values = list(solver.response_proto.solution)
            best.objective = solver.objective_value
            best.improved += 1
            if on_better is not None:
                on_better(best.values, best.objective)
        if k % len(ring) == 0:  # a round done: cut the places again where the calendar has them, the
            # cuts moved by half a window every other round (a part searched to its optimum is
            # searched again only with editions from beside it)
            rounds += 1
            ring, k = parts(editions, best.values, shifted=rounds % 2 == 1), 0
    return best

