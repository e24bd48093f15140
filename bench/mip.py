"""The same problem as a time-indexed MIP, solved with HiGHS: the "open MIP solver" alternative.

The formulation works on the options of ``scheduler/instance.py`` (the same pruned
(start, length) pairs CP-SAT sees) and models every hard rule and every soft term of
``model/check.py`` exactly. Its columns:

- ``x[e,o,k,m]`` binary: edition ``e`` runs option ``o`` (start, length) in mode ``m`` (one
  of the modes the instance leaves it, ``EditionPlan.modes``) in room ``k``: a room that
  holds it in that mode for a room mode (hybrid, in person), none online. A placement that
  touches a closed day of its room is never created. So the mode is a choice of the
  placement: ``e`` runs in mode ``m`` when the sum of its placements in ``m`` is 1, these sums
  over its modes making ``present``. Room cost, lateness and shortening are costs of these
  columns; the seats a placement offers (demand) are those of its mode and room.
- ``a[e,t]`` binary: trainer ``t`` is on the team of ``e`` (qualified trainers only).
  With a fixed length, ``len(e) * a[e,t]`` is exactly the trainer-days ``t`` gives ``e``;
  with a choice of lengths an exact product ``dt[e,t]`` stands for it.
- ``occ[e,i]`` in [0, 1]: ``e`` runs on working day ``i`` (the sum of its placements
  covering ``i``).
- ``gs[e,s,t,i]`` binary: person ``t`` gives guest slot ``s`` of ``e`` on working day ``i``
  (candidates of the slot only, on days they are free), ``sum over t of gs[e,s,t,i] <= occ[e,i]``;
  at most one session a slot (exactly one when the slot is required and ``e`` is on the
  calendar), one a person and one a country in each edition. A session is one day of its
  person's: it counts wherever a team member's day counts (one thing a day, monthly and
  yearly limits, quotas, women's shares, the busiest trainer, fees).
- Trips: a team place or a session costs the person's trip when the edition runs in a room.
  Always in a room, that is a cost of ``a[e,t]`` or of the session; when its mode decides,
  ``trip[e,t] >= (a[e,t] or t's session) + (e's placements in a room) - 1``, bounded from
  below only, which is exact for a cost and within the budget's upper limits.
- ``z[t,e,i]`` in [0, 1], ``z >= a[e,t] + occ[e,i] - 1``: ``t`` teaches ``e`` on day ``i``.
  It is only bounded from below, which is exact where it is used: in "one course or guest
  session per person per day" and in the monthly caps, both upper limits. (When a women's share
  band per month is on, ``z`` is bounded from above as well and becomes the exact product.)
  Two valid inequalities tie it to the teams: a course day has at least ``min_trainers``
  trainers, and a trainer on a team teaches all of its days.
- Demand: the options in months with too few free nominees are pruned already (the instance);
  a topic's placements number at most the editions its requests fill to its minimum of
  participants. ``served[topic, w]`` in [0, requests of preference w] counts the requests seated,
  at most what the topic's placements can fill (each the least of the seats of its mode and room,
  the nominees free in its months and those accepting a seat in its mode); each request left
  without one costs w (1 + priority).
- The platform's streams a day count ``occ[e,i]`` of the editions always streamed (hybrid,
  online), and the streamed placements covering ``i`` of those whose mode decides.
- Prerequisites use a running count ``F[topic, day]`` of the topic's editions finished by a
  calendar day; "``b`` starts on ``s``" needs ``F[s - min_gap - 1] - F[s - max_gap - 2] >= 1``.
- The peaks (busiest month, busiest trainer), linked-topic overlaps, women's share gaps
  (integers, so that ``ceil(p * known)`` is exact) and mixed-gender misses are the usual
  epigraph variables of a minimisation.

Editions of one topic are interchangeable, so edition ``#n`` starts no later than ``#n+1``
(a valid symmetry cut; CP-SAT's model asks for strictly later).

The objective is the checker's, in points: each soft amount times its weight (and the
unit factor of the cost). Like CP-SAT's calendar model, it leaves the seating of nominated
participants (a separate model, weighed apart) out. A problem that uses a rule this file
does not model gets no result (:func:`unsupported`), and every calendar it returns goes
through the checker.

The size grows with trainers x editions x days (the ``z`` block, then the ``gs`` block of
guest candidates x slots x days); :func:`estimate_size` gives it before anything is built,
so that the runner can decline an instance that will not fit instead of claiming a result.
"""

from __future__ import annotations

import bisect
import math
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from model.check import check, kpis, points_per_unit
from model.participants import accepting, preference_factor, seats_offered
from model.problem import ROOM_MODES, STREAMED_MODES, GuestSession, GuestSlot, Mode, Problem, ShareBand
from model.rules import HARD_RULES, RULES, SOFT_RULES
from model.rules.reading import quarter_of
from model.schedule import Schedule, ScheduledEdition, UnscheduledEdition, relative_gap
from model.shares import KNOWN_GENDERS, ScopeKey, as_fraction, share_gap, trainer_day_counts
from scheduler.instance import EditionPlan, Instance
from scheduler.solve import unplaceable

INF = highspy.kHighsInf

# The rules this formulation models. Three hard rules hold by construction of the options
# (consecutive working days, length, window), as in scheduler/rules.py; "a guest session
# fits" holds by construction of the gs columns and the rows of _guest_sessions.
MODELLED_HARD = frozenset({
    "mandatory_edition_scheduled", "course_on_consecutive_working_days", "course_length_within_range",
    "edition_within_its_window", "room_fits_the_edition", "room_open", "room_not_double_booked",
    "online_stream_limit", "trainer_qualified", "trainer_available", "trainer_not_double_booked",
    "trainer_month_limit", "trainer_year_limit", "organisation_quota", "team_size_within_limits",
    "team_covers_required_organisations", "team_includes_a_lead_agency", "team_mixed_gender",
    "guest_session_fits", "guest_slot_filled", "country_presents_once_per_edition", "prerequisite_finished_first",
    "edition_has_enough_requests", "pinned_edition_kept", "budget_within_cap", "budget_within_quarter_caps",
    "trainer_days_women_share_year", "trainer_days_women_share_module", "trainer_days_women_share_month",
})
MODELLED_SOFT = frozenset({
    "optional_edition_left_out", "requests_beyond_seats", "priority_topic_late", "busiest_month", "busiest_trainer",
    "cost", "linked_topics_overlap", "team_without_mixed_gender", "edition_without_lead_agency", "guest_slot_empty",
    "country_sessions_short", "course_shortened", "edition_moved", "room_changed", "trainer_changed", "guest_changed",
    "trainer_days_off_women_share_year", "trainer_days_off_women_share_module", "trainer_days_off_women_share_month",
})
SCOPES = ("year", "module", "month")


def unsupported(problem: Problem) -> list[str]:
    """Why this MIP cannot claim to solve ``problem`` exactly (empty: it can)."""
    out = []
    for r in HARD_RULES:
        if r.id not in MODELLED_HARD:
            out.append(f"hard rule '{r.id}' is not in the MIP formulation")
    for r in SOFT_RULES:
        assert r.weight_field is not None
        if r.id not in MODELLED_SOFT and float(getattr(problem.weights, r.weight_field)) > 0:
            out.append(f"soft rule '{r.id}' has a weight but is not in the MIP formulation")
    return out


# --------------------------------------------------------------------------- matrix


class _Lp:
    """Columns and rows as flat arrays, handed to HiGHS in one call."""

    def __init__(self) -> None:
        self.lb = array("d")
        self.ub = array("d")
        self.cost = array("d")
        self.integer = array("b")
        self.row_lo = array("d")
        self.row_hi = array("d")
        self.ri = array("q")
        self.ci = array("q")
        self.val = array("d")
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.offset = 0.0

    @property
    def n_cols(self) -> int:
        return len(self.lb)

    @property
    def n_rows(self) -> int:
        return len(self.row_lo)

    def col(self, lb: float = 0.0, ub: float = 1.0, cost: float = 0.0, integer: bool = False) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.cost.append(cost)
        self.integer.append(1 if integer else 0)
        return len(self.lb) - 1

    def cols(self, n: int, lb: float = 0.0, ub: float = 1.0) -> int:
        """``n`` continuous columns; the index of the first."""
        first = len(self.lb)
        self.lb.extend([lb] * n)
        self.ub.extend([ub] * n)
        self.cost.extend([0.0] * n)
        self.integer.extend([0] * n)
        return first

    def row(self, terms: Iterable[tuple[int, float]], lo: float = -INF, hi: float = INF) -> int:
        """One row; a column named twice gets the sum of its coefficients."""
        merged: dict[int, float] = {}
        for c, v in terms:
            merged[c] = merged.get(c, 0.0) + v
        r = len(self.row_lo)
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        for c, v in merged.items():
            if v:
                self.ri.append(r)
                self.ci.append(c)
                self.val.append(v)
        return r

    def rows_block(self, n: int, lo: float, hi: float,
                   ri: np.ndarray, ci: np.ndarray, val: np.ndarray) -> int:
        """``n`` rows at once; ``ri`` counts from 0 within the block."""
        first = len(self.row_lo)
        self.row_lo.extend([lo] * n)
        self.row_hi.extend([hi] * n)
        self.blocks.append((ri + first, ci, val))
        return first

    def nnz(self) -> int:
        return len(self.val) + sum(len(b[2]) for b in self.blocks)

    def to_highs(self, h: highspy.Highs) -> None:
        ri = np.concatenate([np.frombuffer(self.ri, dtype=np.int64)] + [b[0] for b in self.blocks])
        ci = np.concatenate([np.frombuffer(self.ci, dtype=np.int64)] + [b[1] for b in self.blocks])
        val = np.concatenate([np.frombuffer(self.val, dtype=np.float64)] + [b[2] for b in self.blocks])
        order = np.lexsort((ri, ci))
        ri, ci, val = ri[order], ci[order], val[order]
        starts = np.searchsorted(ci, np.arange(self.n_cols + 1)).astype(np.int32)
        lp = highspy.HighsLp()
        lp.num_col_ = self.n_cols
        lp.num_row_ = self.n_rows
        lp.col_cost_ = np.frombuffer(self.cost, dtype=np.float64)
        lp.col_lower_ = np.frombuffer(self.lb, dtype=np.float64)
        lp.col_upper_ = np.frombuffer(self.ub, dtype=np.float64)
        lp.row_lower_ = np.frombuffer(self.row_lo, dtype=np.float64)
        lp.row_upper_ = np.frombuffer(self.row_hi, dtype=np.float64)
        lp.offset_ = self.offset
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = starts
        lp.a_matrix_.index_ = ri.astype(np.int32)
        lp.a_matrix_.value_ = val
        lp.a_matrix_.num_col_ = self.n_cols
        lp.a_matrix_.num_row_ = self.n_rows
        kinds = [highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger]
        lp.integrality_ = [kinds[b] for b in self.integer]
        status = h.passModel(lp)
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS rejected the model")


# --------------------------------------------------------------------------- model


@dataclass
class Placement:
    col: int
    start: int
    length: int
    room: int | None
    mode: Mode


Terms = list[tuple[int, float]]  # (column, coefficient)


@dataclass
class MipModel:
    """The MIP and the maps from its columns back to the calendar."""

    inst: Instance
    lp: _Lp
    place: list[list[Placement]] = field(default_factory=list)  # per edition: its x columns
    team: list[dict[int, int]] = field(default_factory=list)  # per edition: trainer -> a[e,t] column
    occ: list[dict[int, int]] = field(default_factory=list)  # per edition: day -> occ[e,i] column
    days_of: list[dict[int, Terms]] = field(default_factory=list)  # per edition: trainer -> their days
    # per trainer: (edition, its days, the z columns of those days)
    z_of: dict[int, list[tuple[int, np.ndarray, np.ndarray]]] = field(default_factory=dict)
    shares: list[tuple[str, ScopeKey, str, int]] = field(default_factory=list)  # (scope, key, short|over, col)
    two: dict[int, int] = field(default_factory=dict)  # edition -> team-of-two column
    # per edition, per guest slot: (person, day) -> gs[e,s,t,i] column
    guests: list[list[tuple[GuestSlot, dict[tuple[int, int], int]]]] = field(default_factory=list)
    # per person: (edition, day, gs column) of every session they could give
    sessions_of: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)
    most_sessions: Counter[int] = field(default_factory=Counter)  # per person: one for each edition they may visit
    trips: list[Terms] = field(default_factory=list)  # per edition: (column, USD) of the trips to it

    @property
    def problem(self) -> Problem:
        return self.inst.problem

    def present(self, e: int) -> Terms:
        """Edition ``e`` is on the calendar: the sum of its placements."""
        return [(p.col, 1.0) for p in self.place[e]]

    def in_a_room(self, e: int) -> Terms:
        """Edition ``e`` runs in a room: the sum of its placements in a room mode."""
        return [(p.col, 1.0) for p in self.place[e] if p.room is not None]

    def guests_from(self, e: int, organisations: Iterable[str]) -> Terms:
        """Guest sessions of edition ``e`` given by people of ``organisations``."""
        orgs = set(organisations)
        return [(c, 1.0) for _, cols in self.guests[e] for (t, _), c in cols.items()
                if self.inst.trainers[t].organisation in orgs]

    @property
    def size(self) -> dict[str, int]:
        return {"columns": self.lp.n_cols, "rows": self.lp.n_rows, "nonzeros": self.lp.nnz(),
                "integer_columns": int(sum(self.lp.integer))}


def _points(problem: Problem, rule_id: str) -> float:
    """Points per unit of a soft rule (0 when it is switched off)."""
    return max(0.0, points_per_unit(RULES[rule_id], problem.weights))


def _plan_days(plan: EditionPlan) -> list[int]:
    return sorted({i for s, d in plan.options for i in range(s, s + d)})


def _rooms_by_mode(inst: Instance, plan: EditionPlan) -> dict[Mode, list[int]]:
    """Each mode left to ``plan`` and the rooms of the plan that hold it in that mode (none online)."""
    ed = plan.edition
    return {mode: [k for k in plan.rooms if mode in ROOM_MODES
                   and inst.problem.room_fits(ed, inst.rooms[k][1], mode)] for mode in plan.modes}


def estimate_size(problem: Problem, inst: Instance | None = None) -> dict[str, int]:
    """Columns and nonzeros of the MIP, roughly counted without building it.

    Within a factor of about 1.5 on the bench instances: the ``z`` block (trainers x
    editions x days, some six nonzeros each) dominates, then the guest sessions (candidates x
    slots x days, some nine nonzeros each: their slot, day, person-day, loads and shares),
    the placements and the linked-topic overlap rows (three nonzeros per pair and common day).
    """
    inst = inst or Instance(problem)
    placements = z = guests = 0
    days: list[set[int]] = []
    for plan in inst.plans:
        rooms = sum(len(ks) if mode in ROOM_MODES else 1 for mode, ks in _rooms_by_mode(inst, plan).items())
        placements += len(plan.options) * rooms
        days.append(set(_plan_days(plan)))
        z += len(days[-1]) * len(plan.trainers)
        guests += len(days[-1]) * sum(len(candidates) for _, candidates in plan.guests)
    by_topic: dict[str, list[int]] = {}
    for plan in inst.plans:
        by_topic.setdefault(plan.edition.topic.id, []).append(plan.index)
    overlap_days = sum(len(days[a] & days[b]) for ta, tb in problem.linked_pairs
                       for a in by_topic.get(ta, []) for b in by_topic.get(tb, []))
    return {"columns": placements + z + guests,
            "nonzeros": 6 * z + 9 * guests + 12 * placements + 3 * overlap_days,
            "z_columns": z, "guest_columns": guests, "placement_columns": placements}


def build_mip(problem: Problem, inst: Instance | None = None) -> MipModel:
    """The MIP of ``problem``: every hard rule as constraints, the checker's objective.

    One function per rule family, in this order; each adds its columns and rows.
    """
    m = MipModel(inst or Instance(problem), _Lp())
    for family in (
        _placements, _demand, _occupancy, _teams, _guest_sessions, _team_rules, _mixed_gender, _trainer_per_day,
        _trainer_loads, _busiest_month, _budget, _rooms_and_platform, _prerequisites,
        _editions_in_number_order, _linked_topics_overlap, _women_shares, _country_sessions, _pinned_guests,
        _baseline_terms,
    ):
        family(m)
    return m


def _placements(m: MipModel) -> None:
    """x[e,o,k,m] with the costs of lateness, shortening, rooms and optional editions left out."""
    inst, lp, problem = m.inst, m.lp, m.problem
    w_opt = _points(problem, "optional_edition_left_out")
    w_late = _points(problem, "priority_topic_late")
    w_cost = _points(problem, "cost")
    w_short = _points(problem, "course_shortened")
    for plan in inst.plans:
        ed = plan.edition
        item = ed.item
        places: list[Placement] = []
        talk = len(item.interpretation) * problem.costs.interpretation_day_usd  # USD a day held
        rooms = _rooms_by_mode(inst, plan)
        for s, d in plan.options:
            base = w_cost * talk * d
            if item.priority and s > plan.earliest:
                base += w_late * item.priority * (s - plan.earliest)
            if item.duration_days is None:
                base += w_short * (ed.topic.duration_max - d)
            if not ed.mandatory:
                base -= w_opt * (1 + item.priority)  # left out = 1 - present
            for mode, ks in rooms.items():
                if inst.too_few_free(ed, s, d, mode):
                    continue  # edition_has_enough_requests: too few who could sit it so are free
                if mode not in ROOM_MODES:
                    places.append(Placement(lp.col(cost=base, integer=True), s, d, None, mode))
                    continue
                for k in ks:
                    if any(i in inst.room_blocked[k] for i in range(s, s + d)):
                        continue
                    cost = base + w_cost * inst.rooms[k][1].day_cost * d
                    places.append(Placement(lp.col(cost=cost, integer=True), s, d, k, mode))
        if not ed.mandatory:
            lp.offset += w_opt * (1 + item.priority)
        m.place.append(places)
        must = ed.mandatory or ed.id in inst.pins
        lp.row(m.present(plan.index), lo=1.0 if must else -INF, hi=1.0)


def _demand(m: MipModel) -> None:
    """A topic's editions within what its requests fill to the minimum; served[topic, w] requests
    of preference w seated, within what its placements can fill: their seats, the nominees free
    in their months and those accepting a seat in their mode (the highest preferences first, as
    the minimisation fills them)."""
    inst, lp, problem = m.inst, m.lp, m.problem
    if not inst.requests:
        return
    by_topic: dict[str, list[int]] = {}
    for plan in inst.plans:
        by_topic.setdefault(plan.edition.topic.id, []).append(plan.index)
    for topic, editions in by_topic.items():
        most = inst.most_editions(topic)
        if most is not None and len(editions) > most:
            lp.row([t for e in editions for t in m.present(e)], hi=float(most))
    w = _points(problem, "requests_beyond_seats")
    if not w:
        return
    for item in problem.programme:
        counts = Counter(preference_factor(q.rank) for q in inst.requests.get(item.topic, []))
        if not counts:
            continue
        seats: Terms = []
        editions = by_topic.get(item.topic, [])
        willing = {mode: len(accepting(inst.requests[item.topic], mode)) for e in editions
                   for mode in inst.plans[e].modes}
        for e in editions:
            ed = inst.plans[e].edition
            for p in m.place[e]:
                room = inst.rooms[p.room][1] if p.room is not None else None
                reach = min(sum(seats_offered(problem, ed, room, p.mode).values()),
                            inst.free_in_span(item.topic, p.start, p.length), willing[p.mode])
                seats.append((p.col, -float(reach)))
        served: Terms = []
        for f, n in sorted(counts.items()):
            price = w * f * (1 + item.priority)
            served.append((lp.col(ub=float(n), cost=-price), 1.0))
            lp.offset += price * n  # left without a seat = n - served
        lp.row(served + seats, hi=0.0)


def _occupancy(m: MipModel) -> None:
    """occ[e,i] = the placements of e that cover working day i."""
    lp = m.lp
    for places in m.place:
        covering: dict[int, list[int]] = {}
        for p in places:
            for i in range(p.start, p.start + p.length):
                covering.setdefault(i, []).append(p.col)
        days = sorted(covering)
        first = lp.cols(len(days))
        m.occ.append({i: first + j for j, i in enumerate(days)})
        for j, i in enumerate(days):
            lp.row([(first + j, 1.0)] + [(c, -1.0) for c in covering[i]], lo=0.0, hi=0.0)


def _teams(m: MipModel) -> None:
    """a[e,t] for qualified trainers, with their fees and trips, and each one's trainer-days on e."""
    inst, lp = m.inst, m.lp
    w_cost = _points(m.problem, "cost")
    m.trips = [[] for _ in inst.plans]
    for plan, places in zip(inst.plans, m.place, strict=True):
        pin = inst.pins.get(plan.id)
        pinned_team = pin is not None and pin.trainers is not None and bool(places)
        team: dict[int, int] = {}
        terms: dict[int, Terms] = {}
        fixed = plan.fixed_length
        top = plan.max_length
        for t in plan.trainers:
            rate = inst.trainers[t].day_rate
            lb = 1.0 if pinned_team else 0.0
            if fixed is not None or not places:
                length = fixed or 0
                col = lp.col(lb=lb, cost=w_cost * rate * length, integer=True)
                terms[t] = [(col, float(length))]
            else:
                col = lp.col(lb=lb, integer=True)
                dt = lp.col(ub=float(top), cost=w_cost * rate)
                # dt = length x a, exactly: dt <= top a, dt <= length, dt >= length - top (1 - a).
                length_terms = [(p.col, float(p.length)) for p in places]
                lp.row([(dt, 1.0), (col, -float(top))], hi=0.0)
                lp.row([(dt, 1.0)] + [(c, -v) for c, v in length_terms], hi=0.0)
                lp.row([(dt, 1.0), (col, -float(top))] + [(c, -v) for c, v in length_terms], lo=-float(top))
                terms[t] = [(dt, 1.0)]
            team[t] = col
            _trip(m, plan, t, [(col, 1.0)])
        m.team.append(team)
        m.days_of.append(terms)


def _trip(m: MipModel, plan: EditionPlan, t: int, delivers: Terms) -> None:
    """Person ``t``'s trip to ``plan``'s edition, when they deliver part of it (``delivers``, 0 or
    1) and it runs in a room: its cost, and its USD in ``m.trips``."""
    usd = m.inst.trainers[t].travel_usd
    held = plan.in_a_room
    if not usd or held is False or not delivers:
        return
    travels = delivers
    if held is None:  # its mode decides: trip >= delivers + in a room - 1
        col = m.lp.col()
        m.lp.row([(col, 1.0), *((c, -v) for c, v in delivers), *((c, -v) for c, v in m.in_a_room(plan.index))],
                 lo=-1.0)
        travels = [(col, 1.0)]
    w_cost = _points(m.problem, "cost")
    for c, v in travels:
        m.lp.cost[c] += w_cost * usd * v
    m.trips[plan.index] += [(c, usd * v) for c, v in travels]


def _guest_sessions(m: MipModel) -> None:
    """gs[e,s,t,i] with fees, trips and empty optional slots; a slot filled once, on a course day."""
    inst, lp, problem = m.inst, m.lp, m.problem
    w_cost = _points(problem, "cost")
    w_empty = _points(problem, "guest_slot_empty")
    for plan in inst.plans:
        e = plan.index
        per_slot: list[tuple[GuestSlot, dict[tuple[int, int], int]]] = []
        for slot, candidates in plan.guests:
            cols: dict[tuple[int, int], int] = {}
            by_day: dict[int, Terms] = {}
            for t in candidates:
                tr = inst.trainers[t]
                price = w_cost * tr.day_rate
                if not slot.required:
                    price -= w_empty  # empty = present - filled
                for i in m.occ[e]:
                    if i in inst.trainer_blocked[t]:
                        continue
                    c = cols[(t, i)] = lp.col(cost=price, integer=True)
                    by_day.setdefault(i, []).append((c, 1.0))
                    m.sessions_of.setdefault(t, []).append((e, i, c))
            for i, terms in by_day.items():
                lp.row([*terms, (m.occ[e][i], -1.0)], hi=0.0)
            filled = [(c, 1.0) for c in cols.values()]
            present = [(c, -1.0) for c, _ in m.present(e)]
            lp.row(filled + present, lo=0.0 if slot.required else -INF, hi=0.0)
            if not slot.required:
                for c, _ in m.present(e):
                    lp.cost[c] += w_empty
            per_slot.append((slot, cols))
        m.guests.append(per_slot)
        # A person gives one session of an edition (so one trip), and no country presents twice.
        by_person: dict[int, Terms] = {}
        by_country: dict[str, Terms] = {}
        slots_with: Counter[int] = Counter()  # per person: the edition's slots they could fill
        countries_with: Counter[str] = Counter()
        for _, cols in per_slot:
            people = {t for t, _ in cols}
            slots_with.update(people)
            countries_with.update({inst.trainers[t].country or "" for t in people} - {""})
            for (t, _), c in cols.items():
                by_person.setdefault(t, []).append((c, 1.0))
                country = inst.trainers[t].country
                if country:
                    by_country.setdefault(country, []).append((c, 1.0))
        m.most_sessions.update(slots_with.keys())
        for t, terms in by_person.items():
            _trip(m, plan, t, terms)  # one session an edition at most, so one trip
        # Within one slot, at most one session already.
        for t, terms in by_person.items():
            if slots_with[t] > 1:
                lp.row(terms, hi=1.0)
        for country, terms in by_country.items():
            if countries_with[country] > 1:
                lp.row(terms, hi=1.0)


def _team_rules(m: MipModel) -> None:
    """Team size, required organisations, and trainers' absences."""
    inst, lp, rules = m.inst, m.lp, m.problem.team_rules
    for e, plan in enumerate(inst.plans):
        team, present = m.team[e], m.present(e)
        size = [(c, 1.0) for c in team.values()]
        lp.row(size + [(c, -float(rules.min_trainers)) for c, _ in present], lo=0.0)
        lp.row(size + [(c, -float(rules.max_trainers)) for c, _ in present], hi=0.0)
        for need in m.problem.team_needs(plan.edition.item):
            members = [(c, 1.0) for t, c in team.items() if inst.trainers[t].organisation in need.organisations]
            if need.guests_count:
                members += m.guests_from(e, need.organisations)
            lp.row(members + [(c, -1.0) for c, _ in present], lo=0.0)
        w_lead = _points(m.problem, "edition_without_lead_agency")
        if m.problem.lead_agency_mode(plan.edition.item) == "soft" and w_lead > 0:
            leads = set(plan.edition.topic.lead_agencies)
            members = [(c, 1.0) for t, c in team.items() if inst.trainers[t].organisation in leads]
            members += m.guests_from(e, leads)
            miss = lp.col(cost=w_lead)
            lp.row([*members, (miss, 1.0), *((c, -1.0) for c, _ in present)], lo=0.0)
        # A trainer away on a day rules out every placement touching it.
        for t, col in team.items():
            blocked = inst.trainer_blocked[t]
            if not blocked:
                continue
            clash = [p.col for p in m.place[e]
                     if any(i in blocked for i in range(p.start, p.start + p.length))]
            if clash:
                lp.row([(col, 1.0)] + [(x, 1.0) for x in clash], hi=1.0)


def _mixed_gender(m: MipModel) -> None:
    """A woman and a man on every team of two or more: hard, or a penalty per team."""
    inst, lp = m.inst, m.lp
    mixed = m.problem.team_rules.mixed_gender
    w_mix = _points(m.problem, "team_without_mixed_gender")
    if mixed == "off" or (mixed == "soft" and w_mix <= 0):
        return
    for e in range(len(inst.plans)):
        team = m.team[e]
        two = _team_of_two(m, e)
        if two is None:
            continue
        women = [(c, 1.0) for t, c in team.items() if inst.trainers[t].gender == "woman"]
        men = [(c, 1.0) for t, c in team.items() if inst.trainers[t].gender == "man"]
        minus_two = [(c, -v) for c, v in two]
        if mixed == "hard":
            lp.row(women + minus_two, lo=0.0)
            lp.row(men + minus_two, lo=0.0)
        else:
            miss = lp.col(cost=w_mix)
            lp.row([*women, (miss, 1.0), *minus_two], lo=0.0)
            lp.row([*men, (miss, 1.0), *minus_two], lo=0.0)


def _team_of_two(m: MipModel, e: int) -> Terms | None:
    """The terms of 'the team has two or more trainers' for edition ``e`` (None: never)."""
    rules = m.problem.team_rules
    if rules.min_trainers >= 2:
        return m.present(e)
    if rules.max_trainers < 2:
        return None
    lp = m.lp
    size = [(c, 1.0) for c in m.team[e].values()]
    two = lp.col(integer=True)
    m.two[e] = two
    lp.row([*size, (two, -2.0)], lo=0.0)
    lp.row([*size, (two, -float(rules.max_trainers - 1))], hi=1.0)
    return [(two, 1.0)]


def _trainer_per_day(m: MipModel) -> None:
    """z[t,e,i]: one course or session per person per day, monthly caps, and a team on every course day."""
    inst, lp = m.inst, m.lp
    month_scope = m.problem.targets.trainer_days_month.mode != "off"
    for e, plan in enumerate(inst.plans):
        all_days = np.fromiter(m.occ[e].keys(), dtype=np.int64)
        all_occ = np.fromiter(m.occ[e].values(), dtype=np.int64)
        for t, a in m.team[e].items():
            blocked = inst.trainer_blocked[t]
            keep = np.array([i not in blocked for i in all_days.tolist()], dtype=bool)
            days, occ = all_days[keep], all_occ[keep]  # an absent trainer's days have no z
            n = len(days)
            if n == 0:
                continue
            zc = np.arange(lp.cols(n), lp.n_cols, dtype=np.int64)
            m.z_of.setdefault(t, []).append((e, days, zc))
            a_col = np.full(n, a, dtype=np.int64)
            # z - a - occ >= -1
            lp.rows_block(n, -1.0, INF, np.repeat(np.arange(n, dtype=np.int64), 3),
                          np.stack([zc, a_col, occ], axis=1).ravel(), np.tile(np.array([1.0, -1.0, -1.0]), n))
            if month_scope:
                # z <= a and z <= occ: the exact product, for the women's share per month.
                pairs = np.repeat(np.arange(n, dtype=np.int64), 2)
                signs = np.tile(np.array([1.0, -1.0]), n)
                lp.rows_block(n, -INF, 0.0, pairs, np.stack([zc, a_col], 1).ravel(), signs)
                lp.rows_block(n, -INF, 0.0, pairs, np.stack([zc, occ], 1).ravel(), signs)
            # A trainer on the team teaches every day of the course (valid, and it tightens the LP).
            if plan.fixed_length is not None:
                lp.row([(int(x), 1.0) for x in zc] + [(a, -float(plan.fixed_length))], lo=0.0)
    for t in sorted(set(m.z_of) | set(m.sessions_of)):
        entries = m.z_of.get(t, [])
        by_day: dict[int, list[int]] = {}
        for _, days, zc in entries:
            for i, c in zip(days.tolist(), zc.tolist(), strict=True):
                by_day.setdefault(i, []).append(c)
        for _, i, c in m.sessions_of.get(t, []):
            by_day.setdefault(i, []).append(c)
        for cols in by_day.values():
            if len(cols) > 1:
                lp.row([(c, 1.0) for c in cols], hi=1.0)
        cap = inst.trainers[t].max_days_per_month
        if cap is not None and sum(inst.plans[e].max_length for e, _, _ in entries) + m.most_sessions[t] > cap:
            by_month: dict[int, list[int]] = {}
            for i, cols in by_day.items():
                by_month.setdefault(inst.cal.month_of[i], []).extend(cols)
            for cols in by_month.values():
                if len(cols) > cap:
                    lp.row([(c, 1.0) for c in cols], hi=float(cap))
    # A course day has a team: at least min_trainers trainers teach on it (valid, tightens the LP).
    per_edition_day: dict[tuple[int, int], list[int]] = {}
    for entries in m.z_of.values():
        for e, days, zc in entries:
            for i, c in zip(days.tolist(), zc.tolist(), strict=True):
                per_edition_day.setdefault((e, i), []).append(c)
    least = float(m.problem.team_rules.min_trainers)
    for e, occ_of_day in enumerate(m.occ):
        for i, oc in occ_of_day.items():
            lp.row([(c, 1.0) for c in per_edition_day.get((e, i), [])] + [(oc, -least)], lo=0.0)


def _trainer_loads(m: MipModel) -> None:
    """Yearly caps, organisation quotas and the busiest trainer, on exact trainer-days (sessions included)."""
    inst, lp = m.inst, m.lp
    load: dict[int, Terms] = {}
    possible: dict[int, int] = {}
    for e, terms in enumerate(m.days_of):
        for t, ts in terms.items():
            load.setdefault(t, []).extend(ts)
            possible[t] = possible.get(t, 0) + inst.plans[e].max_length
    for t, sessions in m.sessions_of.items():
        load.setdefault(t, []).extend((c, 1.0) for _, _, c in sessions)
        possible[t] = possible.get(t, 0) + m.most_sessions[t]
    for t, ts in load.items():
        cap = inst.trainers[t].max_days_per_year
        if cap is not None and possible[t] > cap:
            lp.row(ts, hi=float(cap))
    for org in m.problem.organisations:
        if org.trainer_day_quota is None:
            continue
        given = [x for t, ts in load.items() if inst.trainers[t].organisation == org.id for x in ts]
        lp.row(given, hi=float(org.trainer_day_quota))
    w = _points(m.problem, "busiest_trainer")
    if w > 0:
        peak = lp.col(ub=INF, cost=w)
        for ts in load.values():
            lp.row([(peak, 1.0)] + [(c, -v) for c, v in ts], lo=0.0)


def _busiest_month(m: MipModel) -> None:
    w = _points(m.problem, "busiest_month")
    if w <= 0:
        return
    lp = m.lp
    peak = lp.col(ub=INF, cost=w)
    months: dict[int, Terms] = {}
    for places in m.place:
        for p in places:
            for month, n in m.inst.days_in_months(p.start, p.length).items():
                months.setdefault(month, []).append((p.col, float(n)))
    for ts in months.values():
        lp.row([(peak, 1.0)] + [(c, -v) for c, v in ts], lo=0.0)


def _budget(m: MipModel) -> None:
    """The calendar's costs within the budget, and those of the editions starting in a quarter within
    the quarter's cap (``quarter_of`` an edition's first day)."""
    budget, caps = m.problem.budget_usd, m.problem.quarterly_budget_usd
    if budget is None and not caps:
        return
    lp, cal = m.lp, m.inst.cal
    spend = [_edition_spend(m, e) for e in range(len(m.place))]
    if budget is not None:
        lp.row([t for ts in spend for t in ts], hi=float(budget))
    for quarter, cap in sorted(caps.items()):
        row: Terms = []
        for e, places in enumerate(m.place):
            here = [(p.col, 1.0) for p in places if quarter_of(cal.days[p.start]) == quarter]
            if not here or not spend[e]:
                continue
            if len(here) == len(places):
                row += spend[e]
                continue
            # w >= spend - top (1 - here): the edition's spend when it starts in the quarter, else free
            # down to 0 (w only counts towards an upper limit).
            top = sum(c * lp.ub[col] for col, c in spend[e])
            w = lp.col(ub=float(cap))
            lp.row([(w, 1.0), *((col, -c) for col, c in spend[e]), *((col, -top) for col, _ in here)], lo=-top)
            row.append((w, 1.0))
        lp.row(row, hi=float(cap))


def _edition_spend(m: MipModel, e: int) -> Terms:
    """Edition ``e``'s calendar costs in USD: interpretation and room per day held, its team's fees
    per day, its guests' day, and the trips of both when it runs in a room."""
    inst = m.inst
    spend: Terms = []
    talk = len(inst.plans[e].edition.item.interpretation) * m.problem.costs.interpretation_day_usd
    for p in m.place[e]:
        usd = talk * p.length
        if p.room is not None:
            usd += inst.rooms[p.room][1].day_cost * p.length
        if usd:
            spend.append((p.col, float(usd)))
    for t, ts in m.days_of[e].items():
        rate = inst.trainers[t].day_rate
        spend += [(c, rate * v) for c, v in ts if rate]
    for _, cols in m.guests[e]:
        for (t, _), c in cols.items():
            if inst.trainers[t].day_rate:
                spend.append((c, float(inst.trainers[t].day_rate)))
    return spend + m.trips[e]


def _rooms_and_platform(m: MipModel) -> None:
    """One course per room per day; no more streams a day than the platform carries (hybrid and
    online placements)."""
    inst, lp = m.inst, m.lp
    room_day: dict[tuple[int, int], list[int]] = {}
    for places in m.place:
        for p in places:
            if p.room is not None:
                for i in range(p.start, p.start + p.length):
                    room_day.setdefault((p.room, i), []).append(p.col)
    for cols in room_day.values():
        if len(cols) > 1:
            lp.row([(c, 1.0) for c in cols], hi=1.0)
    limit = m.problem.platform.max_concurrent_streams
    streams: dict[int, list[int]] = {}
    for e, plan in enumerate(inst.plans):
        if plan.streamed:
            for i, c in m.occ[e].items():
                streams.setdefault(i, []).append(c)
        elif plan.streamed is None:  # its mode decides: its streamed placements on the day
            for p in m.place[e]:
                if p.mode in STREAMED_MODES:
                    for i in range(p.start, p.start + p.length):
                        streams.setdefault(i, []).append(p.col)
    for cols in streams.values():
        if len(cols) > limit:
            lp.row([(c, 1.0) for c in cols], hi=float(limit))


def _prerequisites(m: MipModel) -> None:
    inst, lp = m.inst, m.lp
    by_topic: dict[str, list[int]] = {}
    for plan in inst.plans:
        by_topic.setdefault(plan.edition.topic.id, []).append(plan.index)
    chains: dict[str, tuple[list[int], list[int]]] = {}  # topic -> (sorted end days, F columns)

    def chain(topic: str) -> tuple[list[int], list[int]]:
        if topic not in chains:
            ends: dict[int, list[int]] = {}
            for e in by_topic[topic]:
                for p in m.place[e]:
                    ends.setdefault(inst.day_number(p.start + p.length - 1), []).append(p.col)
            days = sorted(ends)
            first = lp.cols(len(days), ub=float(len(by_topic[topic])))
            for j, day in enumerate(days):
                prev = [(first + j - 1, -1.0)] if j else []
                lp.row([(first + j, 1.0)] + prev + [(c, -1.0) for c in ends[day]], lo=0.0, hi=0.0)
            chains[topic] = (days, list(range(first, first + len(days))))
        return chains[topic]

    def finished_by(topic: str, day: int) -> Terms:
        days, cols = chain(topic)
        j = bisect.bisect_right(days, day) - 1
        return [(cols[j], 1.0)] if j >= 0 else []

    for pr in m.problem.prerequisites:
        befores, afters = by_topic.get(pr.before), by_topic.get(pr.after)
        if not befores or not afters:
            continue
        for b in afters:
            starts: dict[int, list[int]] = {}
            for p in m.place[b]:
                starts.setdefault(inst.day_number(p.start), []).append(p.col)
            for day, cols in starts.items():
                # An edition of the prerequisite ends on a day in [day - max - 1, day - min - 1].
                ok = finished_by(pr.before, day - pr.min_gap_days - 1)
                too_early = (finished_by(pr.before, day - pr.max_gap_days - 2)
                             if pr.max_gap_days is not None else [])
                lp.row([(c, 1.0) for c in cols] + [(c, -v) for c, v in ok] + too_early, hi=0.0)


def _editions_in_number_order(m: MipModel) -> None:
    """Symmetry cut: interchangeable editions of a topic start in number order (ties allowed)."""
    inst, lp, problem = m.inst, m.lp, m.problem
    fixed = set(problem.pin_by_edition) | set(problem.baseline_by_edition)
    big = float(len(inst.cal))
    previous: dict[str, int] = {}
    for plan in inst.plans:
        topic = plan.edition.topic.id
        e = plan.index
        if topic in previous and plan.id not in fixed and inst.plans[previous[topic]].id not in fixed:
            a = previous[topic]
            start_a = [(p.col, float(p.start)) for p in m.place[a]]
            start_b = [(p.col, -float(p.start)) for p in m.place[e]]
            lp.row(m.present(e) + [(c, -1.0) for c, _ in m.present(a)], hi=0.0)  # #n+1 only if #n
            lp.row(start_a + start_b + [(c, big) for c, _ in m.present(e)], hi=big)
        previous[topic] = e


def _linked_topics_overlap(m: MipModel) -> None:
    """ov[a,b] >= occ[a,i] + occ[b,i] - 1 on every day both could run."""
    w = _points(m.problem, "linked_topics_overlap")
    if w <= 0:
        return
    lp = m.lp
    by_topic: dict[str, list[int]] = {}
    for plan in m.inst.plans:
        by_topic.setdefault(plan.edition.topic.id, []).append(plan.index)
    for ta, tb in m.problem.linked_pairs:
        for a in by_topic.get(ta, []):
            for b in by_topic.get(tb, []):
                common = sorted(set(m.occ[a]) & set(m.occ[b]))
                if not common:
                    continue
                ov = lp.col(cost=w)
                n = len(common)
                cols = np.stack([np.full(n, ov, dtype=np.int64),
                                 np.array([m.occ[a][i] for i in common], dtype=np.int64),
                                 np.array([m.occ[b][i] for i in common], dtype=np.int64)], 1).ravel()
                lp.rows_block(n, -1.0, INF, np.repeat(np.arange(n, dtype=np.int64), 3), cols,
                              np.tile(np.array([1.0, -1.0, -1.0]), n))


def _women_shares(m: MipModel) -> None:
    """Women's share of trainer-days per year, module or month: hard bands or integer gaps."""
    inst, lp, problem = m.inst, m.lp, m.problem
    for scope in SCOPES:
        band: ShareBand = getattr(problem.targets, f"trainer_days_{scope}")
        w = _points(problem, f"trainer_days_off_women_share_{scope}")
        if band.mode == "off" or (band.mode == "soft" and w <= 0):
            continue
        women: dict[ScopeKey, Terms] = {}
        known: dict[ScopeKey, Terms] = {}
        if scope == "month":
            for t, entries in m.z_of.items():
                gender = inst.trainers[t].gender
                if gender not in KNOWN_GENDERS:
                    continue
                for _, days, zc in entries:
                    for i, c in zip(days.tolist(), zc.tolist(), strict=True):
                        day = inst.cal.days[i]
                        known.setdefault((day.year, day.month), []).append((c, 1.0))
                        if gender == "woman":
                            women.setdefault((day.year, day.month), []).append((c, 1.0))
        else:
            for e, terms in enumerate(m.days_of):
                key: ScopeKey = "year" if scope == "year" else inst.plans[e].edition.topic.module
                for t, ts in terms.items():
                    gender = inst.trainers[t].gender
                    if gender not in KNOWN_GENDERS:
                        continue
                    known.setdefault(key, []).extend(ts)
                    if gender == "woman":
                        women.setdefault(key, []).extend(ts)
        # A guest's session is one day, in its month.
        for t, sessions in m.sessions_of.items():
            gender = inst.trainers[t].gender
            if gender not in KNOWN_GENDERS:
                continue
            for e, i, c in sessions:
                day = inst.cal.days[i]
                key = (day.year, day.month) if scope == "month" else (
                    "year" if scope == "year" else inst.plans[e].edition.topic.module)
                known.setdefault(key, []).append((c, 1.0))
                if gender == "woman":
                    women.setdefault(key, []).append((c, 1.0))
        for key, kn in known.items():
            wo = women.get(key, [])
            top = float(sum(v for _, v in kn))
            if band.min_share is not None:
                p = as_fraction(band.min_share)
                low = [(c, p.denominator * v) for c, v in wo] + [(c, -p.numerator * v) for c, v in kn]
                if band.mode == "hard":
                    lp.row(low, lo=0.0)
                else:
                    # short + women >= p x known, short an integer: short >= ceil(p x known) - women.
                    short = lp.col(ub=top, cost=w, integer=True)
                    m.shares.append((scope, key, "short", short))
                    lp.row([*low, (short, float(p.denominator))], lo=0.0)
            if band.max_share is not None:
                q = as_fraction(band.max_share)
                high = [(c, q.denominator * v) for c, v in wo] + [(c, -q.numerator * v) for c, v in kn]
                if band.mode == "hard":
                    lp.row(high, hi=0.0)
                else:
                    over = lp.col(ub=top, cost=w, integer=True)
                    m.shares.append((scope, key, "over", over))
                    lp.row([*high, (over, -float(q.denominator))], hi=0.0)


def _country_sessions(m: MipModel) -> None:
    """Each of the problem's countries short of the minimum of guest sessions: short + given >= minimum."""
    least = m.problem.team_rules.country_sessions_min
    w = _points(m.problem, "country_sessions_short")
    if not least or w <= 0:
        return
    inst, lp = m.inst, m.lp
    given: dict[str, Terms] = {}
    for t, sessions in m.sessions_of.items():
        country = inst.trainers[t].country
        if country:
            given.setdefault(country, []).extend((c, 1.0) for _, _, c in sessions)
    for country in m.problem.countries:
        short = lp.col(ub=float(least), cost=w)
        lp.row([(short, 1.0), *given.get(country, [])], lo=float(least))


def _pinned_guests(m: MipModel) -> None:
    """A pin's guest sessions exactly (its other slots empty); one nobody can give rules the edition out."""
    inst, lp = m.inst, m.lp
    tindex = {t.id: i for i, t in enumerate(inst.trainers)}
    for plan in inst.plans:
        pin = inst.pins.get(plan.id)
        if pin is None or pin.guests is None:
            continue
        e = plan.index
        wanted = {g.slot: g for g in pin.guests}
        keep: set[int] = set()
        possible = len(wanted) == len(set(pin.guests))  # two sessions of one slot cannot both be kept
        for slot, cols in m.guests[e]:
            g = wanted.pop(slot.id, None)
            if g is None:
                continue
            c = cols.get((tindex.get(g.person, -1), inst.cal.index.get(g.day, -1)))
            if c is None:
                possible = False
            else:
                keep.add(c)
        for _, cols in m.guests[e]:
            for c in cols.values():
                if c in keep:
                    lp.lb[c] = 1.0
                else:
                    lp.ub[c] = 0.0
        if wanted or not possible:
            for c, _ in m.present(e):
                lp.ub[c] = 0.0  # with the pin's "on the calendar": infeasible, as it is


def _baseline_terms(m: MipModel) -> None:
    """Re-planning: published editions moved, rooms or modes changed, trainers taken off or added, guest
    sessions changed (all linear)."""
    problem = m.problem
    if not problem.baseline:
        return
    inst, lp = m.inst, m.lp
    w_moved = _points(problem, "edition_moved")
    w_room = _points(problem, "room_changed")
    w_trainer = _points(problem, "trainer_changed")
    w_guest = _points(problem, "guest_changed")
    tindex = {t.id: i for i, t in enumerate(inst.trainers)}
    for plan in inst.plans:
        b = problem.baseline_by_edition.get(plan.id)
        if b is None:
            continue
        e = plan.index
        s0 = inst.cal.index.get(b.start)
        lp.offset += w_moved  # moved = 1 - (kept on its start)
        for p in m.place[e]:
            extra = 0.0
            if p.start == s0:
                extra -= w_moved
            moved = b.room is not None and (p.room is None or inst.rooms[p.room][1].id != b.room)
            if moved or (b.mode is not None and p.mode != b.mode):
                extra += w_room  # changed = present - same room and mode
            extra += w_trainer * len(b.trainers)  # changed = present - on the team, per trainer
            extra += w_guest * len(b.guests)  # changed = present - the same person that day, per session
            lp.cost[p.col] += extra
        published = {tindex.get(tid) for tid in b.trainers}
        for t, col in m.team[e].items():
            lp.cost[col] += -w_trainer if t in published else w_trainer  # kept, or added to the team
        slots = {slot.id: cols for slot, cols in m.guests[e]}
        for g in b.guests:
            c = slots.get(g.slot, {}).get((tindex.get(g.person, -1), inst.cal.index.get(g.day, -1)))
            if c is not None:
                lp.cost[c] -= w_guest


# --------------------------------------------------------------------------- solving


@dataclass(frozen=True)
class MipOptions:
    time_limit_s: float = 60.0
    start: str = "greedy"  # "greedy": the best greedy start (CP-SAT's) as the first incumbent; "none": cold
    threads: int = 0  # HiGHS's default
    mip_rel_gap: float = 0.0  # prove optimality, as CP-SAT is asked to
    log: bool = False
    seed: int = 0
    highs: tuple[tuple[str, Any], ...] = ()  # further HiGHS options, e.g. (("presolve_rule_off", 32768),)
    # Above this many (estimated) nonzeros the model is not built: HiGHS would need some
    # 0.4-1 KB per nonzero, and the machine has 24 GB shared by everyone on it.
    max_nonzeros: int = 40_000_000


@dataclass(frozen=True)
class MipPoint:
    """An improving calendar or a better bound, ``elapsed_s`` after the problem was handed over.

    ``objective`` is the checker's figure for HiGHS's incumbent (None before the first, or
    when the incumbent breaks a hard rule); ``mip_objective`` is HiGHS's own value of it.
    """

    elapsed_s: float
    objective: float | None
    bound: float | None
    mip_objective: float | None = None


@dataclass
class MipResult:
    """What :func:`solve_mip` returns: the checked calendar, or why there is none."""

    status: str
    schedule: Schedule | None = None
    objective: float | None = None  # the checker's, from the calendar
    mip_objective: float | None = None  # HiGHS's value of the same calendar
    bound: float | None = None
    gap: float | None = None
    build_s: float = 0.0
    runtime_s: float = 0.0
    first_solution_s: float | None = None
    history: list[MipPoint] = field(default_factory=list)
    size: dict[str, int] = field(default_factory=dict)
    reason: str = ""
    violations: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.schedule is not None and not self.violations


def extract(m: MipModel, values: Any) -> Schedule:
    """The calendar of a MIP solution vector."""
    inst = m.inst
    placed: list[ScheduledEdition] = []
    left: list[UnscheduledEdition] = []
    for plan, places, team, slots in zip(inst.plans, m.place, m.team, m.guests, strict=True):
        ed = plan.edition
        chosen = next((p for p in places if values[p.col] > 0.5), None)
        if chosen is None:
            left.append(UnscheduledEdition(edition=ed.id, topic=ed.topic.id, number=ed.number,
                                           mandatory=ed.mandatory,
                                           reason=plan.why_no_option or "left out by the MIP"))
            continue
        room = chosen.room
        placed.append(ScheduledEdition.place(
            inst.problem, ed, inst.cal.run_days(chosen.start, chosen.length),
            inst.rooms[room][1].id if room is not None else None,
            (inst.trainers[t].id for t, c in team.items() if values[c] > 0.5),
            [GuestSession(slot=slot.id, person=inst.trainers[t].id, day=inst.cal.days[i])
             for slot, cols in slots for (t, i), c in cols.items() if values[c] > 0.5],
            mode=chosen.mode,
        ))
    placed.sort(key=lambda e: (e.start, e.edition))
    return Schedule(problem=inst.problem, editions=placed, unscheduled=left)


def start_values(m: MipModel, schedule: Schedule) -> tuple[list[int], list[float]]:
    """A calendar as values of the MIP's integer columns (HiGHS completes the rest)."""
    inst = m.inst
    by_edition = schedule.by_edition
    tindex = {t.id: i for i, t in enumerate(inst.trainers)}
    rindex = {r.id: i for i, (_, r) in enumerate(inst.rooms)}
    idx: list[int] = []
    val: list[float] = []
    for plan, places, team, slots in zip(inst.plans, m.place, m.team, m.guests, strict=True):
        se = by_edition.get(plan.id)
        chosen = None
        if se is not None and se.start in inst.cal.index:
            s, d = inst.cal.index[se.start], len(se.days)
            room = rindex.get(se.room) if se.room else None
            chosen = next((p for p in places if (p.start, p.length, p.room, p.mode) == (s, d, room, se.mode)), None)
        for p in places:
            idx.append(p.col)
            val.append(1.0 if p is chosen else 0.0)
        members = {tindex[t] for t in se.trainers} if se is not None and chosen is not None else set()
        for t, c in team.items():
            idx.append(c)
            val.append(1.0 if t in members else 0.0)
        if plan.index in m.two:
            idx.append(m.two[plan.index])
            val.append(1.0 if len(members) >= 2 else 0.0)
        given = {(g.slot, tindex.get(g.person), inst.cal.index.get(g.day))
                 for g in (se.guests if se is not None and chosen is not None else [])}
        for slot, cols in slots:
            for (t, i), c in cols.items():
                idx.append(c)
                val.append(1.0 if (slot.id, t, i) in given else 0.0)
    counts = trainer_day_counts(schedule)
    for scope, key, side, col in m.shares:
        band: ShareBand = getattr(inst.problem.targets, f"trainer_days_{scope}")
        by_gender = counts[scope].get(key, Counter())
        short, over = share_gap(by_gender["woman"], sum(by_gender[g] for g in KNOWN_GENDERS), band)
        idx.append(col)
        val.append(float(short if side == "short" else over))
    return idx, val


def solve_mip(
    problem: Problem,
    options: MipOptions | None = None,
    on_progress: Callable[[MipPoint], None] | None = None,
    start: Schedule | None = None,
) -> MipResult:
    """Build and solve the MIP; check the calendar it finds without the solver.

    Parameters
    ----------
    problem
        A validated problem.
    options
        Time limit, warm start, HiGHS settings.
    on_progress
        Called at every improving solution and dual bound change.
    start
        A calendar to start from; with ``options.start == "greedy"`` and none given, the
        best greedy start of ``scheduler/greedy.py`` (what CP-SAT starts from too).
    """
    options = options or MipOptions()
    t0 = time.perf_counter()
    why = unsupported(problem)
    if why:
        return MipResult("UNSUPPORTED", reason="; ".join(why))
    inst = Instance(problem)
    refusal = unplaceable(inst)
    if refusal is not None:
        return MipResult("INFEASIBLE", reason="; ".join(refusal.diagnosis))
    estimate = estimate_size(problem, inst)
    if estimate["nonzeros"] > options.max_nonzeros:
        return MipResult("TOO_LARGE", size=estimate, build_s=time.perf_counter() - t0,
                         reason=f"the MIP would have about {estimate['columns']:,} columns and "
                         f"{estimate['nonzeros']:,} nonzeros (limit {options.max_nonzeros:,}): not built")
    m = build_mip(problem, inst)
    h = highspy.Highs()
    h.setOptionValue("output_flag", options.log)
    h.setOptionValue("log_to_console", options.log)
    m.lp.to_highs(h)
    if start is None and options.start == "greedy":
        from scheduler.greedy import best_start

        _, start = best_start(problem, inst)  # the calendar CP-SAT starts from
    if start is not None:
        idx, val = start_values(m, start)
        h.setSolution(len(idx), np.array(idx, dtype=np.int32), np.array(val, dtype=np.float64))
    build_s = time.perf_counter() - t0
    h.setOptionValue("time_limit", float(options.time_limit_s))
    h.setOptionValue("mip_rel_gap", float(options.mip_rel_gap))
    h.setOptionValue("random_seed", int(options.seed))
    if options.threads:
        h.setOptionValue("threads", int(options.threads))
    for name, value in options.highs:
        h.setOptionValue(name, value)

    history: list[MipPoint] = []
    state: dict[str, Any] = {"first": None, "objective": None, "mip_objective": None, "bound": None,
                             "best": None}

    def emit(elapsed: float) -> None:
        point = MipPoint(elapsed, state["objective"], state["bound"], state["mip_objective"])
        history.append(point)
        if on_progress is not None:
            on_progress(point)

    def on_solution(event: Any) -> None:
        elapsed = time.perf_counter() - t0
        # Every incumbent is checked like the final calendar. HiGHS's objective can sit above the
        # calendar's true figure (an epigraph variable not at its floor), never below, so a new
        # incumbent is not always a better calendar: the best one checked so far is kept.
        schedule = extract(m, event.data_out.mip_solution)
        if not check(schedule):
            objective = kpis(schedule).objective
            if state["objective"] is None or objective < state["objective"]:
                state["objective"], state["best"] = objective, schedule
            if state["first"] is None:
                state["first"] = elapsed
        state["mip_objective"] = float(event.data_out.objective_function_value)
        state["bound"] = _finite(event.data_out.mip_dual_bound)
        emit(elapsed)

    def on_interrupt(event: Any) -> None:
        bound = _finite(event.data_out.mip_dual_bound)
        if bound is not None and (state["bound"] is None or bound > state["bound"] + 1e-9):
            state["bound"] = bound
            emit(time.perf_counter() - t0)

    h.cbMipImprovingSolution.subscribe(on_solution)
    h.cbMipInterrupt.subscribe(on_interrupt)
    h.run()
    runtime = time.perf_counter() - t0
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    size = m.size
    result = MipResult(status=status, build_s=build_s, runtime_s=runtime, first_solution_s=state["first"],
                       history=history, size=size)
    if info.primal_solution_status != 2:  # no feasible point
        result.reason = f"HiGHS found no calendar ({status})"
        return result
    values = np.asarray(h.getSolution().col_value)
    schedule = extract(m, values)
    result.schedule = schedule
    result.violations = [str(v) for v in check(schedule)]
    result.mip_objective = float(info.objective_function_value)
    result.bound = _finite(info.mip_dual_bound)
    if result.violations:
        result.reason = "the MIP's calendar breaks a hard rule (counted as no result)"
        return result
    result.objective = kpis(schedule).objective
    best = state["best"]
    if best is not None and state["objective"] < result.objective:
        result.schedule, result.objective = best, state["objective"]
    result.status = "OPTIMAL" if status == "Optimal" else "FEASIBLE"
    if result.status == "OPTIMAL" and abs(result.mip_objective - result.objective) > 0.01:
        # HiGHS can value a given start wrongly after presolve and stop "optimal" on that value:
        # a proof only holds when its objective is the checker's figure for the calendar.
        result.status, result.bound = "FEASIBLE", None
        result.reason = (f"HiGHS claimed optimality at {result.mip_objective:g} points, but its calendar "
                         f"is worth {result.objective:g}: no proof")
    if result.status == "OPTIMAL":
        result.bound = result.objective  # proven within HiGHS's tolerances (mip_rel_gap, mip_abs_gap)
    elif result.bound is not None:
        result.bound = round(min(result.bound, result.objective), 2)
    result.gap = relative_gap(result.objective, result.bound)
    return result


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) and abs(x) < 1e20 else None


__all__ = ["MipModel", "MipOptions", "MipPoint", "MipResult", "build_mip",
           "estimate_size", "extract", "solve_mip", "start_values", "unsupported"]
