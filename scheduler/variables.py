"""Every CP-SAT variable of the model, created in one place with readable names."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from ortools.sat.python import cp_model

from model.problem import ROOM_MODES, STREAMED_MODES, GuestSlot, Mode
from scheduler.instance import EditionPlan, Instance

# A CP-SAT expression, a variable or a Python int constant. Narrower than cp_model.LinearExprT,
# which also admits numpy integers: none reach the model (options, lengths, rates and day
# numbers are Python ints), and with them in the union mypy cannot type `days - top * (1 - b)`.
LinearExpr = cp_model.LinearExpr | cp_model.IntVar | int


@dataclass
class GuestVars:
    """One guest slot of an edition: who gives it (one literal per candidate) and on which day."""

    slot: GuestSlot
    day: cp_model.IntVar  # working-day index; a day of the course when the slot is filled
    gives: dict[int, cp_model.IntVar]  # candidate trainer index -> literal
    interval: dict[int, cp_model.IntervalVar]  # candidate -> their one-day interval
    lo: int  # the earliest and latest day the slot can take
    hi: int

    @property
    def filled(self) -> LinearExpr:
        return sum(self.gives.values())


@dataclass
class EditionVars:
    plan: EditionPlan
    present: cp_model.IntVar
    choose: list[cp_model.IntVar]  # one per option, aligned with plan.options
    start: cp_model.IntVar
    length: cp_model.IntVar | int
    end: cp_model.LinearExprT
    interval: cp_model.IntervalVar
    mode: dict[Mode, cp_model.IntVar] = field(default_factory=dict)  # one literal per mode it may run in
    in_room: LinearExpr = 0  # 1 when it runs in a room (a literal, ``present``, or 0)
    streamed: LinearExpr = 0  # 1 when the platform carries it (likewise)
    stream_interval: cp_model.IntervalVar | None = None  # its interval on the platform, if ever streamed
    stream_choose: list[cp_model.IntVar] = field(default_factory=list)  # per option: chosen and streamed
    room: dict[int, cp_model.IntVar] = field(default_factory=dict)
    room_interval: dict[int, cp_model.IntervalVar] = field(default_factory=dict)
    teaches: dict[int, cp_model.IntVar] = field(default_factory=dict)
    teach_interval: dict[int, cp_model.IntervalVar] = field(default_factory=dict)
    # Standbys (only when team_member_without_standby is weighed): kept free on the course's days.
    standby: dict[int, cp_model.IntVar] = field(default_factory=dict)
    standby_interval: dict[int, cp_model.IntervalVar] = field(default_factory=dict)
    guests: list[GuestVars] = field(default_factory=list)


class Variables:
    """Creates and holds the decision variables; rules only read them."""

    def __init__(self, model: cp_model.CpModel, inst: Instance) -> None:
        self.model = model
        self.inst = inst
        self.editions: list[EditionVars] = [self._edition(p) for p in inst.plans]
        self._days: dict[tuple[int, int], LinearExpr] = {}
        self._month_days: dict[int, dict[int, LinearExpr]] = {}
        self._days_in_month: dict[tuple[int, int, int], LinearExpr] = {}
        self._guest_months: dict[tuple[int, int], dict[int, cp_model.IntVar]] = {}
        self._month_parts: dict[int, list[tuple[LinearExpr, LinearExpr]]] = {}
        self._guest_month: dict[tuple[int, int], LinearExpr] = {}

    def _edition(self, plan: EditionPlan) -> EditionVars:
        m, eid = self.model, plan.id
        present = m.new_bool_var(f"present[{eid}]")
        choose = [m.new_bool_var(f"option[{eid},{s},{d}]") for s, d in plan.options]
        starts = sorted({s for s, _ in plan.options}) or [0]
        start = m.new_int_var_from_domain(cp_model.Domain.from_values(starts), f"start[{eid}]")
        fixed = plan.fixed_length
        lengths = sorted({d for _, d in plan.options}) or [1]
        length: cp_model.IntVar | int
        end: cp_model.LinearExprT
        if fixed is not None:
            length = fixed
            end = start + length
        else:
            length = m.new_int_var_from_domain(cp_model.Domain.from_values(lengths), f"length[{eid}]")
            # An interval's end must be affine (one variable); start + length is not.
            ends = [s + d for s, d in plan.options] or [starts[0] + lengths[0]]
            end = m.new_int_var(min(ends), max(ends), f"end[{eid}]")
        interval = m.new_optional_interval_var(start, length, end, present, f"course[{eid}]")
        m.add(sum(choose) == present)
        if choose:
            m.add(start == sum(s * c for (s, _), c in zip(plan.options, choose, strict=True))).only_enforce_if(present)
            if fixed is None:
                chosen_length = sum(d * c for (_, d), c in zip(plan.options, choose, strict=True))
                m.add(length == chosen_length).only_enforce_if(present)
        ev = EditionVars(plan, present, choose, start, length, end, interval)
        self._modes(ev)
        if plan.in_a_room is not False:
            for r in plan.rooms:
                rid = self.inst.rooms[r][1].id
                b = m.new_bool_var(f"room[{eid},{rid}]")
                ev.room[r] = b
                ev.room_interval[r] = m.new_optional_interval_var(start, length, end, b, f"in[{eid},{rid}]")
        for t in plan.trainers:
            tid = self.inst.trainers[t].id
            b = m.new_bool_var(f"teaches[{tid},{eid}]")
            ev.teaches[t] = b
            ev.teach_interval[t] = m.new_optional_interval_var(start, length, end, b, f"teach[{tid},{eid}]")
        if self.inst.problem.weights.team_member_without_standby > 0:
            for t in plan.trainers:
                tid = self.inst.trainers[t].id
                b = m.new_bool_var(f"standby[{tid},{eid}]")
                m.add_implication(b, present)
                ev.standby[t] = b
                ev.standby_interval[t] = m.new_optional_interval_var(start, length, end, b, f"stand[{tid},{eid}]")
        for slot, candidates in plan.guests:
            if not candidates or not plan.options:
                continue
            lo, hi = min(s for s, _ in plan.options), max(s + d - 1 for s, d in plan.options)
            day = m.new_int_var(lo, hi, f"guest_day[{eid},{slot.id}]")
            gives: dict[int, cp_model.IntVar] = {}
            sessions: dict[int, cp_model.IntervalVar] = {}
            for t in candidates:
                tid = self.inst.trainers[t].id
                b = m.new_bool_var(f"guest[{tid},{eid},{slot.id}]")
                gives[t] = b
                sessions[t] = m.new_optional_fixed_size_interval_var(day, 1, b, f"session[{tid},{eid},{slot.id}]")
            gv = GuestVars(slot, day, gives, sessions, lo, hi)
            m.add(gv.filled <= present)
            # The session is on a day of the course (free when the slot stays empty).
            m.add(day >= start).only_enforce_if(present)
            m.add(day <= end - 1).only_enforce_if(present)
            ev.guests.append(gv)
        # A guest gives one session of an edition: different slots, different people.
        given: dict[int, list[cp_model.IntVar]] = {}
        for gv in ev.guests:
            for t, b in gv.gives.items():
                given.setdefault(t, []).append(b)
        for lits in given.values():
            if len(lits) > 1:
                m.add(sum(lits) <= 1)
        return ev

    def _modes(self, ev: EditionVars) -> None:
        """The mode literals: ``present`` itself for one mode, else one each summing to ``present``;
        whether it is in a room and streamed, and its interval on the platform."""
        m, plan, eid = self.model, ev.plan, ev.plan.id
        if len(plan.modes) == 1:
            ev.mode = {plan.modes[0]: ev.present}
        else:
            ev.mode = {mode: m.new_bool_var(f"mode[{eid},{mode}]") for mode in plan.modes}
            m.add(sum(ev.mode.values()) == ev.present)

        def either(modes: tuple[str, ...], name: str) -> LinearExpr:
            lits = [b for mode, b in ev.mode.items() if mode in modes]
            if not lits:
                return 0
            if len(lits) == len(ev.mode):
                return ev.present
            if len(lits) == 1:
                return lits[0]
            b = m.new_bool_var(f"{name}[{eid}]")
            m.add(b == sum(lits))
            return b

        ev.in_room = either(ROOM_MODES, "in_room")
        ev.streamed = either(STREAMED_MODES, "streamed")
        if plan.streamed:
            ev.stream_interval = ev.interval
        elif plan.streamed is None:
            assert isinstance(ev.streamed, cp_model.IntVar)  # a literal when its mode decides
            ev.stream_interval = m.new_optional_interval_var(ev.start, ev.length, ev.end, ev.streamed,
                                                             f"stream[{eid}]")
            # The option taken, when streamed: exact (one option is taken), and the LP relaxation
            # sees the platform's days through them (online_stream_limit's day-by-day rows).
            ev.stream_choose = [m.new_bool_var(f"streamed_option[{eid},{s},{d}]") for s, d in plan.options]
            for y, x in zip(ev.stream_choose, ev.choose, strict=True):
                m.add_implication(y, x)
            m.add(sum(ev.stream_choose) == ev.streamed)

    # -- derived expressions (exact linearisations, made on demand) ---------------------

    def days_of(self, e: int, b: cp_model.IntVar) -> LinearExpr:
        """Training days of edition ``e`` counted when ``b`` is true (b implies present)."""
        ev = self.editions[e]
        if isinstance(ev.length, int):
            return ev.length * b
        if not ev.plan.options:
            # Never on the calendar, so never taught (its length variable is a placeholder
            # above max_length = 0, which the linearisation below would make infeasible).
            return 0
        key = (e, b.index)
        if key not in self._days:
            top = ev.plan.max_length
            z = self.model.new_int_var(0, top, f"days[{b.name}]")
            self.model.add(z <= top * b)
            self.model.add(z <= ev.length)
            self.model.add(z >= ev.length - top * (1 - b))
            self._days[key] = z
        return self._days[key]

    def month_days(self, e: int) -> dict[int, LinearExpr]:
        """For each month index, the training days edition ``e`` has in it (one variable each)."""
        if e not in self._month_days:
            ev = self.editions[e]
            terms: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
            for (s, d), c in zip(ev.plan.options, ev.choose, strict=True):
                for month, n in self.inst.days_in_months(s, d).items():
                    terms.setdefault(month, []).append((n, c))
            out: dict[int, LinearExpr] = {}
            for month, ts in terms.items():
                var = self.model.new_int_var(0, ev.plan.max_length, f"month_days[{ev.plan.id},{month}]")
                self.model.add(var == sum(n * c for n, c in ts))
                out[month] = var
            self._month_days[e] = out
        return self._month_days[e]

    def month_days_of(self, e: int, b: cp_model.IntVar) -> dict[int, LinearExpr]:
        """For each month index, edition ``e``'s training days in it counted when ``b`` is true."""
        ev = self.editions[e]
        top = ev.plan.max_length
        out: dict[int, LinearExpr] = {}
        for month, days in self.month_days(e).items():
            key = (e, b.index, month)
            if key not in self._days_in_month:
                z = self.model.new_int_var(0, top, f"month_days[{b.name},{month}]")
                self.model.add(z <= top * b)
                self.model.add(z <= days)
                self.model.add(z >= days - top * (1 - b))
                self._days_in_month[key] = z
            out[month] = self._days_in_month[key]
        return out

    def month_parts(self, e: int) -> list[tuple[LinearExpr, LinearExpr]]:
        """Edition ``e``'s days month by month, as (month index, days in it) pairs of expressions.

        Part ``j`` is the ``j``-th month the option taken touches, with its days there (none when
        the option touches fewer months, or the edition is off). Two integers per part and edition, shared by every
        trainer: what the monthly caps use as intervals on the month axis (``trainer_month_limit``)
        instead of one variable per trainer, edition and month.
        """
        if e not in self._month_parts:
            ev = self.editions[e]
            split = [sorted(self.inst.days_in_months(s, d).items()) for s, d in ev.plan.options]
            parts: list[tuple[LinearExpr, LinearExpr]] = []
            for j in range(max((len(ms) for ms in split), default=0)):
                months = [ms[j][0] if j < len(ms) else 0 for ms in split]  # 0: no days, any month
                days = [ms[j][1] if j < len(ms) else 0 for ms in split]
                parts.append((self._choice(ev, months, f"month_part[{ev.plan.id},{j}]"),
                              self._choice(ev, days, f"days_part[{ev.plan.id},{j}]")))
            self._month_parts[e] = parts
        return self._month_parts[e]

    def _choice(self, ev: EditionVars, values: list[int], name: str) -> LinearExpr:
        """The value the option taken gives (one per option; 0 when the edition is off, unless
        every option gives the same)."""
        if len(set(values)) == 1:
            return values[0]
        var = self.model.new_int_var_from_domain(cp_model.Domain.from_values(sorted({0, *values})), name)
        self.model.add(var == sum(v * c for v, c in zip(values, ev.choose, strict=True)))
        return var

    def guest_month(self, e: int, g: int) -> LinearExpr:
        """The month index of guest slot ``g``'s day (meaningful when the slot is filled)."""
        key = (e, g)
        if key not in self._guest_month:
            gv = self.editions[e].guests[g]
            months = sorted({self.inst.cal.month_of[i] for i in range(gv.lo, gv.hi + 1)})
            if len(months) == 1:
                self._guest_month[key] = months[0]
            else:
                var = self.model.new_int_var_from_domain(
                    cp_model.Domain.from_values(months), f"guest_month_of[{self.editions[e].plan.id},{gv.slot.id}]")
                self.model.add_element(gv.day - gv.lo, [self.inst.cal.month_of[i] for i in range(gv.lo, gv.hi + 1)],
                                       var)
                self._guest_month[key] = var
        return self._guest_month[key]

    @cached_property
    def sessions(self) -> dict[int, list[tuple[int, int, cp_model.IntVar]]]:
        """For each person, the guest slots they may give: (edition, slot position, literal)."""
        out: dict[int, list[tuple[int, int, cp_model.IntVar]]] = {}
        for ev in self.editions:
            for g, gv in enumerate(ev.guests):
                for t, b in gv.gives.items():
                    out.setdefault(t, []).append((ev.plan.index, g, b))
        return out

    def guest_months(self, e: int, g: int) -> dict[int, cp_model.IntVar]:
        """For each month index the slot's day can fall in, a literal: filled, on a day of it."""
        key = (e, g)
        if key not in self._guest_months:
            gv = self.editions[e].guests[g]
            spans: dict[int, list[int]] = {}
            for i in range(gv.lo, gv.hi + 1):
                spans.setdefault(self.inst.cal.month_of[i], []).append(i)
            out = {}
            for month, days in spans.items():
                b = self.model.new_bool_var(f"guest_month[{self.editions[e].plan.id},{gv.slot.id},{month}]")
                self.model.add(gv.day >= days[0]).only_enforce_if(b)
                self.model.add(gv.day <= days[-1]).only_enforce_if(b)
                out[month] = b
            self.model.add(sum(out.values()) == gv.filled)
            self._guest_months[key] = out
        return self._guest_months[key]

    def both(self, a: LinearExpr, b: LinearExpr, name: str) -> cp_model.IntVar:
        """A literal equal to a AND b, for 0/1 expressions a and b."""
        z = self.model.new_bool_var(name)
        self.model.add(z <= a)
        self.model.add(z <= b)
        self.model.add(z >= a + b - 1)
        return z

    def day_number(self, e: int, *, end: bool) -> LinearExpr:
        """Calendar day (from the horizon start) of the first day, or of the day after the last."""
        ev = self.editions[e]
        inst = self.inst
        if end:
            return sum(
                (inst.day_number(s + d - 1) + 1) * c for (s, d), c in zip(ev.plan.options, ev.choose, strict=True)
            )
        return sum(inst.day_number(s) * c for (s, _), c in zip(ev.plan.options, ev.choose, strict=True))


def share_band_gaps(model: cp_model.CpModel, band: object, women: LinearExpr, known: LinearExpr, top: int,
                    name: str) -> list[cp_model.IntVar]:
    """Women short of a band's minimum share and over its maximum, as exact integers.

    short + women >= p x known makes short at least ceil(p x known) - women; and short, when
    positive, is the least such integer (short - 1 + women < p x known): exact at any solution the
    search returns, not only at an optimum (likewise for the maximum).
    """
    from model.shares import as_fraction

    gaps = []
    if getattr(band, "min_share", None) is not None:
        p = as_fraction(band.min_share)  # type: ignore[attr-defined]
        short = model.new_int_var(0, top, f"women_short[{name}]")
        model.add(p.denominator * (short + women) >= p.numerator * known)
        some = model.new_bool_var(f"women_short_some[{name}]")
        model.add(short == 0).only_enforce_if(~some)
        model.add(p.denominator * (short - 1 + women) <= p.numerator * known - 1).only_enforce_if(some)
        gaps.append(short)
    if getattr(band, "max_share", None) is not None:
        q = as_fraction(band.max_share)  # type: ignore[attr-defined]
        over = model.new_int_var(0, top, f"women_over[{name}]")
        model.add(q.denominator * (women - over) <= q.numerator * known)
        some = model.new_bool_var(f"women_over_some[{name}]")
        model.add(over == 0).only_enforce_if(~some)
        model.add(q.denominator * (women - over + 1) >= q.numerator * known + 1).only_enforce_if(some)
        gaps.append(over)
    return gaps


class StopFlag(Protocol):
    """What ``stop`` must offer: a threading.Event, or a multiprocessing one across processes."""

    def is_set(self) -> bool: ...


def stop_when_set(halt: Callable[[], None], stop: StopFlag | None, done: threading.Event) -> None:
    """Watch ``stop`` until ``done`` is set, and end the search when it is: ``halt`` (a CP-SAT
    solver's ``stop_search``, HiGHS's ``cancelSolve``).

    ``halt`` is repeated while the search runs: asked before the solve has started, the solver
    would not know of it.
    """
    if stop is None:
        return

    def _watch() -> None:
        while not done.wait(0.1):
            if stop.is_set():
                halt()

    threading.Thread(target=_watch, daemon=True).start()


def solve_unless_stopped(solver: cp_model.CpSolver, model: cp_model.CpModel,
                         stop: StopFlag | None) -> cp_model.CpSolverStatus:
    """``solver.solve(model)``, ended early when ``stop`` is set."""
    done = threading.Event()
    stop_when_set(solver.stop_search, stop, done)
    try:
        return solver.solve(model)
    finally:
        done.set()
