"""The problem on integer indices: each edition's options, rooms and trainers, precomputed.

An *option* of an edition is a (first working-day index, length in days) pair that
already satisfies the calendar (consecutive working days, no straddling unless
allowed), the edition's window, and the simplest resource facts (some suitable room
open, enough qualified trainers available, each required organisation available).
Those pruned options never reach the solver.

``Instance(problem, prune=False)`` is the explain build (``scheduler/explain.py``): options
obey only the calendar (consecutive working days of an allowed length), every room is a
candidate for an edition that needs one, and pins narrow nothing; windows, absences,
closures, room fit and pins are then constraints switched on by one literal per input fact.
``only`` keeps a subset of the editions (numbered afresh), for models of a few editions.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from model.calendar import Period, WorkCalendar
from model.participants import accepting, free_count, span_months, topic_requests
from model.problem import ROOM_MODES, STREAMED_MODES, Edition, GuestSlot, Mode, Problem, Room, Trainer, Venue
from model.rules.reading import earliest_index


@dataclass
class EditionPlan:
    index: int
    edition: Edition
    options: list[tuple[int, int]] = field(default_factory=list)
    modes: list[Mode] = field(default_factory=list)  # the modes it may still run in, preferred first
    rooms: list[int] = field(default_factory=list)
    trainers: list[int] = field(default_factory=list)
    guests: list[tuple[GuestSlot, list[int]]] = field(default_factory=list)  # each slot and its candidates
    earliest: int = 0
    why_no_option: str = ""

    @property
    def id(self) -> str:
        return self.edition.id

    @property
    def in_a_room(self) -> bool | None:
        """True when it always runs in a room, False when never, None when its mode decides."""
        held = {m in ROOM_MODES for m in self.modes} or {False}
        return held.pop() if len(held) == 1 else None

    @property
    def streamed(self) -> bool | None:
        """True when the platform always carries it, False when never, None when its mode decides."""
        carried = {m in STREAMED_MODES for m in self.modes} or {False}
        return carried.pop() if len(carried) == 1 else None

    @property
    def fixed_length(self) -> int | None:
        lengths = {d for _, d in self.options}
        return lengths.pop() if len(lengths) == 1 else None

    @cached_property  # read very often; options are final once the instance is built
    def max_length(self) -> int:
        return max((d for _, d in self.options), default=0)

    @cached_property
    def spans(self) -> tuple[np.ndarray, np.ndarray]:
        """Each option's first working-day index and the index after its last, as arrays."""
        starts = np.fromiter((s for s, _ in self.options), dtype=np.int64, count=len(self.options))
        lengths = np.fromiter((d for _, d in self.options), dtype=np.int64, count=len(self.options))
        return starts, starts + lengths

    def touching(self, blocked: np.ndarray) -> np.ndarray:
        """Positions of the options with a day in ``blocked`` (a :func:`blocked_prefix` array)."""
        starts, ends = self.spans
        return np.flatnonzero(blocked[ends] > blocked[starts])


def _blocked(cal: WorkCalendar, periods: list[Period]) -> set[int]:
    return {i for p in periods for i in cal.indices_within(p)}


def blocked_prefix(days: int, blocked: set[int]) -> np.ndarray:
    """Prefix counts of blocked working days: days ``s..e-1`` hold ``p[e] - p[s]`` of them."""
    marks = np.zeros(days + 1, dtype=np.int32)
    marks[[i + 1 for i in blocked]] = 1
    return np.cumsum(marks, dtype=np.int32)


class Instance:
    """Lookup maps and per-edition options, built once from a validated problem."""

    def __init__(self, problem: Problem, *, ignore_pins: bool = False, prune: bool = True,
                 only: Collection[str] | None = None) -> None:
        self.problem = problem
        self.prune = prune
        self.pins = {} if ignore_pins or not prune else problem.pin_by_edition
        self.cal = problem.work_calendar
        self.trainers: list[Trainer] = list(problem.trainers)
        self.rooms: list[tuple[Venue, Room]] = list(problem.rooms)
        self.trainer_blocked = [_blocked(self.cal, t.unavailable) for t in self.trainers]
        self.room_blocked = [
            _blocked(self.cal, list(r.closures) + list(v.closures)) for v, r in self.rooms
        ]
        # The same as prefix counts, one row per trainer / room: a span's test is two lookups.
        n = len(self.cal)
        self.trainer_prefix = np.array([blocked_prefix(n, b) for b in self.trainer_blocked],
                                       dtype=np.int32).reshape(len(self.trainers), n + 1)
        self.room_prefix = np.array([blocked_prefix(n, b) for b in self.room_blocked],
                                    dtype=np.int32).reshape(len(self.rooms), n + 1)
        tindex = {t.id: i for i, t in enumerate(self.trainers)}
        rindex = {r.id: i for i, (_, r) in enumerate(self.rooms)}
        # Demand: each topic's requests, and how many are free in a run of months (cached).
        self.requests = topic_requests(problem) if problem.nominations else {}
        self._free: dict[tuple[str, tuple[str, ...], Mode | None], int] = {}
        self.plans: list[EditionPlan] = []
        editions = [ed for ed in problem.editions if only is None or ed.id in only]
        for i, ed in enumerate(editions):
            plan = EditionPlan(index=i, edition=ed, earliest=earliest_index(problem, ed))
            plan.trainers = [tindex[t.id] for t in problem.qualified_trainers(ed)]
            plan.guests = [(slot, [tindex[t.id] for t in problem.guest_candidates(ed, slot)])
                           for slot in ed.item.guest_slots]
            plan.modes = list(ed.modes)
            if not prune:
                plan.rooms = list(range(len(self.rooms))) if ed.sometimes_in_a_room else []
                plan.options = self.calendar_options(ed)
                self.plans.append(plan)
                continue
            plan.rooms = [rindex[r.id] for _, r in problem.suitable_rooms(ed)]
            pin = self.pins.get(ed.id)
            if pin is not None:
                if pin.trainers is not None:
                    plan.trainers = [t for t in plan.trainers if self.trainers[t].id in pin.trainers]
                if pin.room is not None:
                    plan.rooms = [r for r in plan.rooms if self.rooms[r][1].id == pin.room]
            # A mode stays when its pin allows it, some room holds it (a room mode) and the platform
            # carries it and its interpretation (streamed).
            if pin is not None:
                plan.modes = list(problem.pinned_modes(ed))
            platform = problem.platform
            streams = (platform.max_concurrent_streams > 0
                       and len(ed.item.interpretation) <= platform.interpretation_channels)
            plan.modes = [m for m in plan.modes
                          if (m not in ROOM_MODES or any(problem.room_fits(ed, self.rooms[r][1], m)
                                                         for r in plan.rooms))
                          and (m not in STREAMED_MODES or streams)]
            plan.rooms = [r for r in plan.rooms
                          if any(problem.room_fits(ed, self.rooms[r][1], m) for m in plan.modes)]
            self._options(plan)
            if pin is not None and pin.trainers is not None:
                missing = set(pin.trainers) - {self.trainers[t].id for t in plan.trainers}
                if missing:
                    plan.options = []
                    plan.why_no_option = (f"pinned trainer(s) {', '.join(sorted(missing))} cannot teach it "
                                          "(not qualified or not speaking its language)")
            self.plans.append(plan)
        self.plan_by_id = {p.id: p for p in self.plans}

    def calendar_options(self, ed: Edition) -> list[tuple[int, int]]:
        """Every (start, length) on consecutive working days, whatever the window or resources."""
        cal, straddle = self.cal, self.problem.calendar.allow_straddle
        return [(s, d) for d in ed.durations for s in range(len(cal) - d + 1)
                if straddle or cal.consecutive(s, d)]

    def _options(self, plan: EditionPlan) -> None:
        p, cal, ed = self.problem, self.cal, plan.edition
        item = ed.item
        n = len(cal)
        last_ok = n - 1
        if item.latest_end is not None:
            last_ok = cal.first_index_on_or_after(item.latest_end) - (
                0 if item.latest_end in cal.index else 1
            )
        needs = p.team_needs(item)
        team_min = p.team_rules.min_trainers
        reasons: set[str] = set()
        pin = self.pins.get(ed.id)
        pinned_start = cal.index.get(pin.start, -1) if pin is not None and pin.start is not None else None
        if pinned_start == -1:
            reasons.add("its pinned start is not a working day")
        trainers = np.array(plan.trainers, dtype=np.int64)
        org_rows = [np.array([self.trainers[t].organisation in need.organisations for t in plan.trainers],
                             dtype=bool)
                    for need in needs]
        # A need a guest meets too: that guest free on one day of the course is enough.
        guest_rows = [np.array(sorted({t for _, cands in plan.guests for t in cands
                                       if need.guests_count and self.trainers[t].organisation in need.organisations}),
                               dtype=np.int64)
                      for need in needs]
        for d in ed.durations if plan.modes else ():
            # Every start at once: each test below is a boolean per start.
            starts = np.arange(plan.earliest, n - d + 1)
            if pinned_start is not None:
                starts = starts[starts == pinned_start]
            late = starts + d - 1 > last_ok
            if late.any():
                reasons.add("its date window is too short")
                starts = starts[~late]
            if not p.calendar.allow_straddle:
                runs = (cal.consecutive(int(s), d) for s in starts)
                starts = starts[np.fromiter(runs, dtype=bool, count=len(starts))]
            if not len(starts):
                continue
            ends = starts + d
            pre = self.trainer_prefix[trainers]
            free = pre[:, ends] == pre[:, starts]  # trainer x start: free on every day of the span
            team_ok = free.sum(axis=0) >= team_min
            if (~team_ok).any():
                reasons.add(f"fewer than {team_min} qualified trainers are free")
            orgs_ok = np.ones(len(starts), dtype=bool)
            for rows, guests in zip(org_rows, guest_rows, strict=True):
                met = free[rows].any(axis=0)
                if len(guests):
                    gpre = self.trainer_prefix[guests]
                    met |= (gpre[:, ends] - gpre[:, starts] < d).any(axis=0)
                orgs_ok &= met
            if (team_ok & ~orgs_ok).any():
                reasons.add("no trainer of a required organisation or lead agency is free")
            ok = team_ok & orgs_ok
            if self.requests and item.min_participants:
                asked = np.fromiter((any(not self.too_few_free(ed, int(x), d, m) for m in plan.modes)
                                     for x in starts), dtype=bool, count=len(starts))
                if (ok & ~asked).any():
                    reasons.add(f"fewer than {item.min_participants} nominees who could sit it are free")
                ok &= asked
            if plan.in_a_room:
                rpre = self.room_prefix[np.array(plan.rooms, dtype=np.int64)]
                room_ok = (rpre[:, ends] == rpre[:, starts]).any(axis=0)
                if (ok & ~room_ok).any():
                    reasons.add("no suitable room is open")
                ok &= room_ok
            plan.options.extend((int(s), d) for s in starts[ok])
        if not plan.options:
            if not plan.modes:
                reasons = {"no room fits it" if ed.sometimes_in_a_room and not plan.rooms
                           else "the platform carries no stream"}
            elif len(plan.trainers) < team_min:
                reasons = {f"only {len(plan.trainers)} trainer(s) are qualified"}
            plan.why_no_option = (
                "no start day works: " + "; ".join(sorted(reasons))
                if reasons
                else "no block of consecutive working days fits its length and window"
            )

    def too_few_free(self, ed: Edition, start: int, length: int, mode: Mode | None = None) -> bool:
        """Whether fewer nominees who could sit ``ed`` in ``mode`` (None: in any mode) are free in
        the months of the span than its minimum of participants (the per-edition half of
        edition_has_enough_requests)."""
        least = ed.item.min_participants
        if not least or not self.requests:
            return False
        return self.free_in_span(ed.topic.id, start, length, mode) < least

    def free_in_span(self, topic: str, start: int, length: int, mode: Mode | None = None) -> int:
        """How many nominees who could sit ``topic`` (in ``mode``; None: in any) are free in the
        months of ``length`` working days from ``start`` (``model.participants.free_count``,
        cached by months)."""
        key = (topic, span_months(self.cal, start, length), mode)
        if key not in self._free:
            requests = self.requests[topic]
            if mode is not None:
                requests = accepting(requests, mode)
            self._free[key] = free_count(requests, key[1])
        return self._free[key]

    def most_editions(self, topic: str) -> int | None:
        """How many editions of ``topic`` its requests fill to the minimum (None: no limit)."""
        least = self.problem.first_edition[topic].item.min_participants
        if not least or not self.requests:
            return None
        return len(self.requests[topic]) // least

    def days_in_months(self, start: int, length: int) -> dict[int, int]:
        out: dict[int, int] = {}
        for i in range(start, start + length):
            m = self.cal.month_of[i]
            out[m] = out.get(m, 0) + 1
        return out

    def day_number(self, index: int) -> int:
        """Calendar days from the horizon start to working day ``index``."""
        return (self.cal.days[index] - self.problem.calendar.start).days
