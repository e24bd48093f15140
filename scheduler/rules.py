"""The planner rules as CP-SAT constraints: one function per rule, one registry.

Hard rules add constraints. Soft rules return the rule's amount as a linear
expression in the rule's own unit (days, pairs, USD...); the objective weighs them.
Three hard rules need no constraint because the edition's options already obey them
(see ``scheduler/instance.py``): course_on_consecutive_working_days,
course_length_within_range and edition_within_its_window.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from model.participants import accepting, preference_factor, seats_offered
from model.problem import (
    LEAD_AGENCY_RULE,
    REQUIRED_ORGANISATION_RULE,
    ROOM_MODES,
    BaselineEdition,
    GuestSession,
    GuestSlot,
    ShareBand,
)
from model.rules.reading import quarter_of
from model.rules.trainers import standby_kind
from model.shares import KNOWN_GENDERS, as_fraction
from scheduler.instance import EditionPlan, Instance
from scheduler.variables import EditionVars, GuestVars, LinearExpr, Variables, share_band_gaps


@dataclass
class Context:
    model: cp_model.CpModel
    inst: Instance
    v: Variables
    cost_usd: LinearExpr | None = None  # built once, shared by the cost rule and the budget cap
    skip: frozenset[str] = frozenset()  # hard rules left out of this model (diagnosis)
    # Built for its bound alone (a place's, bench/places.py): redundant rows that tighten
    # the linear relaxation, and would slow a search, are added.
    for_bound: bool = False


# ------------------------------------------------------------------------------ hard


def mandatory_edition_scheduled(c: Context) -> None:
    for ev in c.v.editions:
        if ev.plan.edition.mandatory:
            c.model.add(ev.present == 1)


def room_fits_the_edition(c: Context) -> None:
    # Room variables exist only for rooms fitting one of its modes; run in a room, it takes one,
    # and a room that does not fit a mode rules that mode out.
    p = c.inst.problem
    for ev in c.v.editions:
        if ev.plan.in_a_room is False:
            continue
        c.model.add(sum(ev.room.values()) == ev.in_room)
        if len(ev.mode) > 1:
            ed = ev.plan.edition
            for r, b in ev.room.items():
                for mode, lit in ev.mode.items():
                    if mode in ROOM_MODES and not p.room_fits(ed, c.inst.rooms[r][1], mode):
                        c.model.add_bool_or([b.Not(), lit.Not()])


def room_not_double_booked(c: Context) -> None:
    for r in range(len(c.inst.rooms)):
        intervals = [ev.room_interval[r] for ev in c.v.editions if r in ev.room_interval]
        if len(intervals) > 1:
            c.model.add_no_overlap(intervals)
    if not c.for_bound:
        return
    # The same rule day by day for each set of rooms some editions choose among: on a day, the
    # editions that always run in a room of the set number at most its rooms. Redundant, but the
    # LP relaxation sees the rooms' capacity (as online_stream_limit's rows the platform's), and
    # with it how late courses must run where rooms are short (a centre of a network). Only in a
    # model built for its bound: a search on three centres ended 3 % higher with them, its bound
    # unchanged (bench/RESULTS.md, "The rooms day by day in the linear relaxation").
    for rooms in {frozenset(ev.room) for ev in c.v.editions if ev.plan.in_a_room and ev.room}:
        _at_most_a_day(c, ((ev.plan, ev.choose) for ev in c.v.editions
                           if ev.plan.in_a_room and ev.room and rooms.issuperset(ev.room)), len(rooms))


def _at_most_a_day(c: Context, taken: Iterable[tuple[EditionPlan, list[cp_model.IntVar]]], limit: int) -> None:
    """No day covered by more than ``limit`` of the options taken: one linear row a day, over each
    edition's literals by option (an option ``(s, d)`` covers working days ``s`` to ``s + d - 1``).
    Redundant beside an exact no-overlap or cumulative; the linear relaxation sees them."""
    covering: dict[int, list[cp_model.IntVar]] = {}
    for plan, literals in taken:
        for (s, d), x in zip(plan.options, literals, strict=True):
            for i in range(s, s + d):
                covering.setdefault(i, []).append(x)
    for xs in covering.values():
        if len(xs) > limit:
            c.model.add(sum(xs) <= limit)


def room_open(c: Context) -> None:
    for ev in c.v.editions:
        for r, b in ev.room.items():
            _not_on_blocked_days(c, ev, b, c.inst.room_prefix[r])


def _not_on_blocked_days(c: Context, ev: EditionVars, b: cp_model.IntVar, blocked: np.ndarray) -> None:
    """``b`` (a room or a trainer for this edition) rules out every option touching ``blocked``.

    ``blocked`` is the room's or trainer's prefix count of blocked days (``Instance``).
    """
    if not blocked[-1]:
        return
    clash = [ev.choose[i] for i in ev.plan.touching(blocked)]
    if clash:
        c.model.add(sum(clash) + b <= 1)


def online_stream_limit(c: Context) -> None:
    streamed = [ev for ev in c.v.editions if ev.stream_interval is not None]
    limit = c.inst.problem.platform.max_concurrent_streams
    if len(streamed) <= limit:
        return
    c.model.add_cumulative([ev.stream_interval for ev in streamed if ev.stream_interval is not None],
                           [1] * len(streamed), limit)
    # The same rule day by day on the option literals (taken and streamed, where the mode decides):
    # redundant, but it gives the LP relaxation the capacity picture (a much better bound on how
    # late courses must run).
    _at_most_a_day(c, ((ev.plan, ev.choose if ev.plan.streamed else ev.stream_choose) for ev in streamed), limit)


def trainer_not_double_booked(c: Context) -> None:
    # A person's courses and guest sessions, one at a time (a session inside a course they
    # teach overlaps it too, so nobody is a guest of their own course).
    for t in range(len(c.inst.trainers)):
        intervals = [ev.teach_interval[t] for ev in c.v.editions if t in ev.teach_interval]
        intervals += [c.v.editions[e].guests[g].interval[t] for e, g, _ in c.v.sessions.get(t, [])]
        if len(intervals) > 1:
            c.model.add_no_overlap(intervals)


def trainer_available(c: Context) -> None:
    for ev in c.v.editions:
        for t, b in ev.teaches.items():
            _not_on_blocked_days(c, ev, b, c.inst.trainer_prefix[t])
        for gv in ev.guests:
            for t, b in gv.gives.items():
                _session_not_on_blocked_days(c, gv, b, c.inst.trainer_blocked[t])


def _session_not_on_blocked_days(c: Context, gv: GuestVars, b: cp_model.IntVar, blocked: set[int]) -> None:
    """``b`` (a person giving the slot) keeps the slot's day off the person's ``blocked`` days."""
    if not any(gv.lo <= i <= gv.hi for i in blocked):
        return
    free = [i for i in range(gv.lo, gv.hi + 1) if i not in blocked]
    if not free:
        c.model.add(b == 0)
    else:
        c.model.add_linear_expression_in_domain(gv.day, cp_model.Domain.from_values(free)).only_enforce_if(b)


def team_size_within_limits(c: Context) -> None:
    rules = c.inst.problem.team_rules
    for ev in c.v.editions:
        size = sum(ev.teaches.values())
        c.model.add(size >= rules.min_trainers * ev.present)
        c.model.add(size <= rules.max_trainers * ev.present)


def _members_of(c: Context, ev: EditionVars, organisations: Iterable[str], *, guests: bool = False
                ) -> list[cp_model.IntVar]:
    """The edition's 'teaches' literals of trainers from any of ``organisations``, and with
    ``guests`` its guest literals of people from them."""
    orgs = set(organisations)
    out = [b for t, b in ev.teaches.items() if c.inst.trainers[t].organisation in orgs]
    if guests:
        out += [b for gv in ev.guests for t, b in gv.gives.items() if c.inst.trainers[t].organisation in orgs]
    return out


def _team_needs(c: Context, rule: str) -> None:
    p = c.inst.problem
    for ev in c.v.editions:
        for need in p.team_needs(ev.plan.edition.item):
            if need.rule == rule:
                c.model.add(sum(_members_of(c, ev, need.organisations, guests=need.guests_count)) >= ev.present)


def team_covers_required_organisations(c: Context) -> None:
    _team_needs(c, REQUIRED_ORGANISATION_RULE)


def team_includes_a_lead_agency(c: Context) -> None:
    _team_needs(c, LEAD_AGENCY_RULE)


def _mixed_literals(c: Context, e: int) -> tuple[LinearExpr, LinearExpr, LinearExpr]:
    """(women, men, 'team of two or more') for edition ``e``."""
    ev = c.v.editions[e]
    rules = c.inst.problem.team_rules
    women = sum(b for t, b in ev.teaches.items() if c.inst.trainers[t].gender == "woman")
    men = sum(b for t, b in ev.teaches.items() if c.inst.trainers[t].gender == "man")
    if rules.min_trainers >= 2:
        return women, men, ev.present
    if rules.max_trainers < 2:
        return women, men, 0
    size = sum(ev.teaches.values())
    two = c.model.new_bool_var(f"team_of_two[{ev.plan.id}]")
    c.model.add(size >= 2).only_enforce_if(two)
    c.model.add(size <= 1).only_enforce_if(~two)
    return women, men, two


def team_mixed_gender(c: Context) -> None:
    if c.inst.problem.team_rules.mixed_gender != "hard":
        return
    for e in range(len(c.v.editions)):
        women, men, two = _mixed_literals(c, e)
        c.model.add(women >= two)
        c.model.add(men >= two)


def filled_slots(ev: EditionVars) -> list[tuple[GuestSlot, LinearExpr]]:
    """Each guest slot of the edition with how many it gives it (0 for a slot nobody can give)."""
    filled = {gv.slot.id: gv.filled for gv in ev.guests}
    return [(slot, filled.get(slot.id, 0)) for slot, _ in ev.plan.guests]


def sessions_by_country(inst: Instance, ev: EditionVars) -> list[list[cp_model.IntVar]]:
    """For each country with two or more possible guests in the edition, their literals."""
    by_country: dict[str, list[cp_model.IntVar]] = {}
    for gv in ev.guests:
        for t, b in gv.gives.items():
            country = inst.trainers[t].country
            if country:
                by_country.setdefault(country, []).append(b)
    return [lits for lits in by_country.values() if len(lits) > 1]


def guest_slot_filled(c: Context) -> None:
    for ev in c.v.editions:
        for slot, filled in filled_slots(ev):
            if slot.required:
                c.model.add(filled == ev.present)


def country_presents_once_per_edition(c: Context) -> None:
    for ev in c.v.editions:
        for lits in sessions_by_country(c.inst, ev):
            c.model.add(sum(lits) <= 1)


def trainer_year_limit(c: Context) -> None:
    for t, trainer in enumerate(c.inst.trainers):
        if trainer.max_days_per_year is None:
            continue
        if _most_days(c, t) > trainer.max_days_per_year:
            c.model.add(sum(_load(c, t)) <= trainer.max_days_per_year)


def _taught_by(c: Context, t: int) -> list[int]:
    return [ev.plan.index for ev in c.v.editions if t in ev.teaches]


def _load(c: Context, t: int) -> list[LinearExpr]:
    """Person ``t``'s days: each course they teach, each guest session they give."""
    return [c.v.days_of(ev.plan.index, ev.teaches[t]) for ev in c.v.editions if t in ev.teaches] + [
        b for _, _, b in c.v.sessions.get(t, [])]


def _most_days(c: Context, t: int) -> int:
    """The most days person ``t`` could give: every course they may teach and every slot."""
    return sum(c.v.editions[e].plan.max_length for e in _taught_by(c, t)) + len(c.v.sessions.get(t, []))


def trainer_month_limit(c: Context) -> None:
    for t, trainer in enumerate(c.inst.trainers):
        cap = trainer.max_days_per_month
        if cap is None:
            continue
        editions = _taught_by(c, t)
        # Redundant when the trainer cannot reach the cap at all: too few candidate days, or a
        # limit over the whole horizon (trainer_year_limit) that is no higher.
        most = _most_days(c, t)
        if trainer.max_days_per_year is not None and "trainer_year_limit" not in c.skip:
            most = min(most, trainer.max_days_per_year)
        if most <= cap:
            continue
        if len(c.v.editions) > LINEAR_MONTH_CAPS_EDITIONS:
            _month_cap_cumulative(c, t, editions, cap)
            continue
        per_month: dict[int, list[LinearExpr]] = {}
        for e in editions:
            ev = c.v.editions[e]
            top = ev.plan.max_length
            for month, days in c.v.month_days(e).items():
                # z >= days when the trainer teaches e, else free down to 0: exact for a cap.
                z = c.model.new_int_var(0, top, f"trainer_month_days[{trainer.id},{ev.plan.id},{month}]")
                c.model.add(z >= days - top * (1 - ev.teaches[t]))
                per_month.setdefault(month, []).append(z)
        for e, g, b in c.v.sessions.get(t, []):
            for month, in_month in c.v.guest_months(e, g).items():
                # 1 when the person gives the session and it falls in the month, else free down to 0.
                z = c.model.new_bool_var(f"session_month[{trainer.id},{c.v.editions[e].plan.id},{g},{month}]")
                c.model.add(z >= b + in_month - 1)
                per_month.setdefault(month, []).append(z)
        for zs in per_month.values():
            c.model.add(sum(zs) <= cap)


# Up to this many editions (the programmes searched whole, scheduler/parts.py) the monthly caps are
# linear rows, a variable per trainer, candidate edition and month, which the linear relaxation
# sees; above, a cumulative per trainer on the month axis (bench/RESULTS.md, "Ten centres").
LINEAR_MONTH_CAPS_EDITIONS = 300


def _month_cap_cumulative(c: Context, t: int, editions: list[int], cap: int) -> None:
    """Person ``t``'s monthly cap as a cumulative on the month axis: each part of a course they
    teach is a one-month interval at its month, its days there the demand; each guest session a
    one-month interval of demand 1.

    Exact, with one interval per edition part (one, or two for a course across a month's end)
    where the linear form needs a variable per edition and month it may touch: on the ten-centre
    network that is 206 thousand variables in all against 656 thousand, and the model builds in
    half the time. On the RTCM year the linear form's bound at 60 s is 3.5 points higher, and a
    deterministic re-plan of the RTCM year stays closer to its published calendar with it."""
    m, tid = c.model, c.inst.trainers[t].id
    intervals: list[cp_model.IntervalVar] = []
    demands: list[LinearExpr] = []
    for e in editions:
        ev = c.v.editions[e]
        for j, (month, days) in enumerate(c.v.month_parts(e)):
            intervals.append(m.new_optional_fixed_size_interval_var(
                month, 1, ev.teaches[t], f"month_load[{tid},{ev.plan.id},{j}]"))
            demands.append(days)
    for e, g, b in c.v.sessions.get(t, []):
        intervals.append(m.new_optional_fixed_size_interval_var(
            c.v.guest_month(e, g), 1, b, f"session_load[{tid},{c.v.editions[e].plan.id},{g}]"))
        demands.append(1)
    m.add_cumulative(intervals, demands, cap)


def organisation_quota(c: Context) -> None:
    for org in c.inst.problem.organisations:
        if org.trainer_day_quota is None:
            continue
        load = [day for t, tr in enumerate(c.inst.trainers) if tr.organisation == org.id for day in _load(c, t)]
        c.model.add(sum(load) <= org.trainer_day_quota)


def prerequisite_finished_first(c: Context) -> None:
    p = c.inst.problem
    by_topic: dict[str, list[int]] = {}
    for ev in c.v.editions:
        by_topic.setdefault(ev.plan.edition.topic.id, []).append(ev.plan.index)
    for pr in p.prerequisites:
        befores, afters = by_topic.get(pr.before), by_topic.get(pr.after)
        if not befores or not afters:
            continue
        for b in afters:
            eb = c.v.editions[b]
            b_start = c.v.day_number(b, end=False)
            links = []
            for a in befores:
                ea = c.v.editions[a]
                link = c.model.new_bool_var(f"after[{ea.plan.id},{eb.plan.id}]")
                c.model.add_implication(link, ea.present)
                c.model.add_implication(link, eb.present)
                gap = b_start - c.v.day_number(a, end=True)
                c.model.add(gap >= pr.min_gap_days).only_enforce_if(link)
                if pr.max_gap_days is not None:
                    c.model.add(gap <= pr.max_gap_days).only_enforce_if(link)
                links.append(link)
            c.model.add(sum(links) >= eb.present)


def edition_has_enough_requests(c: Context) -> None:
    """No option in months when too few nominees are free (pruned already unless built for
    explanation), and no more editions of a topic than its requests fill to the minimum."""
    inst = c.inst
    if not inst.requests:
        return
    runs: dict[str, list[cp_model.IntVar]] = {}
    for ev in c.v.editions:
        ed = ev.plan.edition
        if not ed.item.min_participants:
            continue
        for thin, mode in thin_options(inst, ev):
            c.model.add(sum(thin) + mode <= 1)
        runs.setdefault(ed.topic.id, []).append(ev.present)
    for topic, present in runs.items():
        most = inst.most_editions(topic)
        if most is not None and len(present) > most:
            c.model.add(sum(present) <= most)


def thin_options(inst: Instance, ev: EditionVars) -> Iterator[tuple[list[cp_model.IntVar], LinearExpr]]:
    """For each mode of the edition, its options in months when too few of the nominees who could
    sit it in that mode are free, with the mode's literal: at most one of them holds."""
    ed = ev.plan.edition
    for mode, lit in ev.mode.items():
        thin = [x for (s, d), x in zip(ev.plan.options, ev.choose, strict=True) if inst.too_few_free(ed, s, d, mode)]
        if thin:
            yield thin, lit


def pinned_edition_kept(c: Context) -> None:
    # Start and room are pinned through the edition's options and rooms (instance.py);
    # here: the edition is on the calendar with exactly its pinned team.
    for ev in c.v.editions:
        pin = c.inst.pins.get(ev.plan.id)
        if pin is None:
            continue
        c.model.add(ev.present == 1)
        if pin.trainers is not None:
            # instance.py kept only the pinned trainers, and no option if one cannot teach it.
            for b in ev.teaches.values():
                c.model.add(b == 1)
        if pin.guests is not None:
            keep_guests(c.model, c.inst, ev, pin.guests, [])


def keep_guests(model: cp_model.CpModel, inst: Instance, ev: EditionVars, sessions: Iterable[GuestSession],
                enforce: list[cp_model.IntVar]) -> None:
    """Edition ``ev``'s guest slots exactly as ``sessions`` (others empty), when ``enforce`` holds."""
    wanted = {g.slot: g for g in sessions}
    slots = {gv.slot.id: gv for gv in ev.guests}
    if set(wanted) - set(slots):
        model.add_bool_or([~x for x in enforce])  # a session in a slot nobody can give
        return
    for slot_id, gv in slots.items():
        g = wanted.get(slot_id)
        if g is None:
            model.add(gv.filled == 0).only_enforce_if(enforce)
            continue
        who = [b for t, b in gv.gives.items() if inst.trainers[t].id == g.person]
        day = inst.cal.index.get(g.day)
        if not who or day is None:
            model.add_bool_or([~x for x in enforce])
            continue
        model.add(who[0] == 1).only_enforce_if(enforce)
        model.add(gv.day == day).only_enforce_if(enforce)


def kept_guest(c: Context, ev: EditionVars, g: GuestSession) -> LinearExpr:
    """1 when edition ``ev`` gives slot ``g.slot`` to the same person on the same day as ``g``."""
    gv = next((gv for gv in ev.guests if gv.slot.id == g.slot), None)
    who = [b for t, b in gv.gives.items() if c.inst.trainers[t].id == g.person] if gv else []
    day = c.inst.cal.index.get(g.day)
    if gv is None or not who or day is None:
        return 0
    kept = c.model.new_bool_var(f"guest_kept[{ev.plan.id},{g.slot}]")
    c.model.add_implication(kept, who[0])
    c.model.add(gv.day == day).only_enforce_if(kept)
    return kept


def budget_within_cap(c: Context) -> None:
    budget = c.inst.problem.budget_usd
    if budget is not None:
        c.model.add(_cost_usd(c) <= budget)


def budget_within_quarter_caps(c: Context) -> None:
    """The calendar's part of each quarter's cap (the seats' part is the allocation's)."""
    for quarter, cap in sorted(c.inst.problem.quarterly_budget_usd.items()):
        c.model.add(quarter_cost_usd(c, quarter, cap, []) <= cap)


def quarter_cost_usd(c: Context, quarter: str, cap: int, enforce: list[cp_model.IntVar]) -> LinearExpr:
    """The calendar's costs (each edition's, as :func:`_cost_usd` counts them) of the editions that
    start in ``quarter`` (``quarter_of`` their first day), exact wherever it is held to ``cap`` or less
    under the literals ``enforce``.

    An edition whose options all start in the quarter counts its cost as it stands (0 when it does not
    run); one that may start in other quarters too counts ``z``, at least its cost when it starts in
    the quarter and free down to 0 otherwise (within ``[0, cap]``, which the cap asks anyway).
    """
    terms: list[LinearExpr] = []
    for ev in c.v.editions:
        starts: dict[str, list[cp_model.IntVar]] = {}
        for (s, _), x in zip(ev.plan.options, ev.choose, strict=True):
            starts.setdefault(quarter_of(c.inst.cal.days[s]), []).append(x)
        if quarter not in starts:
            continue
        cost = _edition_cost_usd(c, ev)
        if isinstance(cost, int) and not cost:
            continue
        if len(starts) == 1:
            terms.append(cost)
            continue
        name = f"{ev.plan.id},{quarter}"
        here = c.model.new_bool_var(f"starts_in[{name}]")
        c.model.add(sum(starts[quarter]) == here)
        z = c.model.new_int_var(0, cap, f"quarter_cost[{name}]")
        c.model.add(z >= cost).only_enforce_if([here, *enforce])
        terms.append(z)
    return sum(terms)


def _trainer_days_by_scope(c: Context, scope: str) -> dict[object, tuple[LinearExpr, LinearExpr, int]]:
    """Per group of the scope: (women's trainer-days, known-gender trainer-days, most possible)."""
    women: dict[object, list[LinearExpr]] = {}
    known: dict[object, list[LinearExpr]] = {}
    top: dict[object, int] = {}
    for ev in c.v.editions:
        e = ev.plan.index
        for t, b in ev.teaches.items():
            gender = c.inst.trainers[t].gender
            if gender not in KNOWN_GENDERS:
                continue  # undisclosed: counted apart, never in a share
            parts: Iterable[tuple[object, LinearExpr]]
            if scope == "month":
                parts = c.v.month_days_of(e, b).items()
            else:
                parts = [("year" if scope == "year" else ev.plan.edition.topic.module, c.v.days_of(e, b))]
            for key, days in parts:
                known.setdefault(key, []).append(days)
                top[key] = top.get(key, 0) + ev.plan.max_length
                if gender == "woman":
                    women.setdefault(key, []).append(days)
        # A guest's day counts once, in the month it falls in.
        for g, gv in enumerate(ev.guests):
            she = [b for t, b in gv.gives.items() if c.inst.trainers[t].gender == "woman"]
            told = [b for t, b in gv.gives.items() if c.inst.trainers[t].gender in KNOWN_GENDERS]
            if not told:
                continue
            given: list[tuple[object, LinearExpr, LinearExpr]]
            if scope == "month":
                name = f"{ev.plan.id},{gv.slot.id}"
                given = [(month, c.v.both(sum(told), in_month, f"guest_known[{name},{month}]"),
                          c.v.both(sum(she), in_month, f"guest_woman[{name},{month}]") if she else 0)
                         for month, in_month in c.v.guest_months(e, g).items()]
            else:
                given = [("year" if scope == "year" else ev.plan.edition.topic.module, sum(told), sum(she))]
            for key, known_day, woman_day in given:
                known.setdefault(key, []).append(known_day)
                top[key] = top.get(key, 0) + 1
                women.setdefault(key, []).append(woman_day)
    return {key: (sum(women.get(key, [])), sum(days), top[key]) for key, days in known.items()}


def _women_share_within(c: Context, scope: str) -> None:
    band: ShareBand = getattr(c.inst.problem.targets, f"trainer_days_{scope}")
    if band.mode != "hard":
        return
    for women, known, _ in _trainer_days_by_scope(c, scope).values():
        if band.min_share is not None:
            p = as_fraction(band.min_share)
            c.model.add(p.denominator * women >= p.numerator * known)
        if band.max_share is not None:
            q = as_fraction(band.max_share)
            c.model.add(q.denominator * women <= q.numerator * known)


def _women_share_gap(c: Context, scope: str) -> LinearExpr:
    """Trainer-days short of the band's minimum plus over its maximum (see model.check.share_gap)."""
    band: ShareBand = getattr(c.inst.problem.targets, f"trainer_days_{scope}")
    if band.mode != "soft":
        return 0
    gaps = []
    for key, (women, known, top) in _trainer_days_by_scope(c, scope).items():
        gaps += share_band_gaps(c.model, band, women, known, top, f"trainer_days,{scope},{key}")
    return sum(gaps)


def trainer_days_women_share_year(c: Context) -> None:
    _women_share_within(c, "year")


def trainer_days_women_share_module(c: Context) -> None:
    _women_share_within(c, "module")


def trainer_days_women_share_month(c: Context) -> None:
    _women_share_within(c, "month")


def editions_in_number_order(c: Context) -> None:
    """Not a planner rule: edition #2 of a topic runs only if #1 does, starting no earlier, which
    removes symmetric twins. Only interchangeable editions: a pinned or published one is itself."""
    problem = c.inst.problem
    fixed = set(problem.pin_by_edition) | set(problem.baseline_by_edition)
    previous: dict[str, int] = {}
    for ev in c.v.editions:
        topic = ev.plan.edition.topic.id
        if topic in previous and ev.plan.id not in fixed and c.v.editions[previous[topic]].plan.id not in fixed:
            prev = c.v.editions[previous[topic]]
            c.model.add_implication(ev.present, prev.present)
            c.model.add(prev.start <= ev.start).only_enforce_if(ev.present)
        previous[topic] = ev.plan.index


# ------------------------------------------------------------------------------ soft


def optional_edition_left_out(c: Context) -> LinearExpr:
    return sum(
        (1 + ev.plan.edition.item.priority) * (1 - ev.present)
        for ev in c.v.editions
        if not ev.plan.edition.mandatory
    )


def requests_beyond_seats(c: Context) -> LinearExpr:
    """Per topic: its requests by preference, the seats its editions can fill going to the highest
    preferences first, times 1 + priority. An edition fills at most its seats, the nominees free
    in its months and those accepting a seat in its mode (``reach``). Every count is a minimum held
    with equality, so the term is the evaluator's at any calendar the search returns, not only at
    an optimum."""
    inst, p = c.inst, c.inst.problem
    if not inst.requests:
        return 0
    seats: dict[str, list[LinearExpr]] = {}
    for ev in c.v.editions:
        ed = ev.plan.edition
        offered, most = _seats_offered(c, ev)
        caps: list[LinearExpr] = [offered]
        free = [inst.free_in_span(ed.topic.id, s, d) for s, d in ev.plan.options]
        if min(free, default=most) < most:
            caps.append(sum(f * x for f, x in zip(free, ev.choose, strict=True) if f))
        willing = {m: len(accepting(inst.requests[ed.topic.id], m)) for m in ev.mode}
        if min(willing.values(), default=most) < most:
            caps.append(sum(n * b for m, b in ev.mode.items() if (n := willing[m])))
        if len(caps) == 1:
            seats.setdefault(ed.topic.id, []).append(offered)
            continue
        reach = c.model.new_int_var(0, most, f"reach[{ev.plan.id}]")
        c.model.add_min_equality(reach, caps)
        seats.setdefault(ed.topic.id, []).append(reach)
    terms = []
    for item in p.programme:
        counts = Counter(preference_factor(q.rank) for q in inst.requests.get(item.topic, []))
        if not counts:
            continue
        left: LinearExpr = sum(seats.get(item.topic, []))
        served = {}
        for w, n in sorted(counts.items(), reverse=True):  # the highest preferences take the seats first
            served[w] = c.model.new_int_var(0, n, f"served[{item.topic},{w}]")
            c.model.add_min_equality(served[w], [n, left])
            left = left - served[w]
        terms.append((1 + item.priority) * sum(w * (n - served[w]) for w, n in counts.items()))
    return sum(terms)


def _seats_offered(c: Context, ev: EditionVars) -> tuple[LinearExpr, int]:
    """The seats an edition offers in the mode and room it takes (0 when it does not run), exact,
    and the most it can offer (``model.participants.seats_offered``).

    Per room, the fewest seats of the room modes it fits count on the room's literal; a mode
    offering more there adds the difference, a minimum of the mode's literal (times the largest
    difference) and the differences on the room literals, which is exact as one room is taken.
    """
    p, inst, ed = c.inst.problem, c.inst, ev.plan.edition
    terms: list[LinearExpr] = []
    most = 0
    if "online" in ev.mode:
        n = sum(seats_offered(p, ed, None, "online").values())
        terms.append(n * ev.mode["online"])
        most = n
    room_modes = [m for m in ev.mode if m in ROOM_MODES]
    by_room = {r: {m: sum(seats_offered(p, ed, inst.rooms[r][1], m).values()) for m in room_modes
                   if len(room_modes) == 1 or p.room_fits(ed, inst.rooms[r][1], m)} for r in ev.room}
    base = {r: min(n.values(), default=0) for r, n in by_room.items()}
    terms += [base[r] * b for r, b in ev.room.items() if base[r]]
    for m in room_modes:
        extra = {r: n[m] - base[r] for r, n in by_room.items() if n.get(m, 0) > base[r]}
        if not extra:
            continue
        top = max(extra.values())
        more = c.model.new_int_var(0, top, f"more_seats[{ev.plan.id},{m}]")
        c.model.add_min_equality(more, [top * ev.mode[m], sum(d * ev.room[r] for r, d in extra.items())])
        terms.append(more)
    most = max([most, *(max(n.values(), default=0) for n in by_room.values())])
    return sum(terms), most


def priority_topic_late(c: Context) -> LinearExpr:
    terms = []
    for ev in c.v.editions:
        prio = ev.plan.edition.item.priority
        if prio:
            terms += [
                prio * (s - ev.plan.earliest) * x
                for (s, _), x in zip(ev.plan.options, ev.choose, strict=True)
                if s > ev.plan.earliest
            ]
    return sum(terms)


def busiest_month(c: Context) -> LinearExpr:
    months: dict[int, list[LinearExpr]] = {}
    for ev in c.v.editions:
        for month, days in c.v.month_days(ev.plan.index).items():
            months.setdefault(month, []).append(days)
    top = sum(ev.plan.max_length for ev in c.v.editions)
    peak = c.model.new_int_var(0, top, "busiest_month_days")
    # The maximum held with equality: the term is the evaluator's at any calendar the search returns.
    c.model.add_max_equality(peak, [0, *(sum(in_month) for in_month in months.values())])
    return peak


def busiest_trainer(c: Context) -> LinearExpr:
    top = max((_most_days(c, t) for t in range(len(c.inst.trainers))), default=0)
    peak = c.model.new_int_var(0, top, "busiest_trainer_days")
    loads = [sum(load) for t in range(len(c.inst.trainers)) if (load := _load(c, t))]
    c.model.add_max_equality(peak, [0, *loads])  # exact at any calendar, as busiest_month's
    return peak


def cost(c: Context) -> LinearExpr:
    """In USD: fees per day given, travel per person per edition in a room, room cost per day used,
    interpretation per day held."""
    return _cost_usd(c)


def _cost_usd(c: Context) -> LinearExpr:
    """The calendar's costs: every edition's (:func:`_edition_cost_usd`), built once."""
    if c.cost_usd is None:
        c.cost_usd = sum(_edition_cost_usd(c, ev) for ev in c.v.editions)
    return c.cost_usd


def _edition_cost_usd(c: Context, ev: EditionVars) -> LinearExpr:
    """One edition's costs in USD (0 when it does not run): its team's fees per day given and
    travel in a room, its guests' day and trip, its room per day used, its interpretation per day held."""
    e = ev.plan.index
    terms: list[LinearExpr] = []

    def travelling(b: cp_model.IntVar) -> LinearExpr:
        """``b`` (a person on the edition) when it runs in a room: they travel."""
        if ev.plan.in_a_room is not None:
            return b if ev.plan.in_a_room else 0
        return c.v.both(b, ev.in_room, f"travels[{b.name}]")

    for t, b in ev.teaches.items():
        rate, travel = c.inst.trainers[t].day_rate, c.inst.trainers[t].travel_usd
        if rate:
            terms.append(rate * c.v.days_of(e, b))
        if travel:
            terms.append(travel * travelling(b))
    for gv in ev.guests:
        for t, b in gv.gives.items():
            tr = c.inst.trainers[t]
            if tr.day_rate:
                terms.append(tr.day_rate * b)
            if tr.travel_usd:
                terms.append(tr.travel_usd * travelling(b))
    for r, b in ev.room.items():
        day_cost = c.inst.rooms[r][1].day_cost
        if day_cost:
            terms.append(day_cost * c.v.days_of(e, b))
    talk = len(ev.plan.edition.item.interpretation) * c.inst.problem.costs.interpretation_day_usd
    if talk:
        terms.append(talk * c.v.days_of(e, ev.present))
    return sum(terms)


def linked_topics_overlap(c: Context) -> LinearExpr:
    partners: dict[str, set[str]] = {}
    for x, y in c.inst.problem.linked_pairs:
        partners.setdefault(x, set()).add(y)
        partners.setdefault(y, set()).add(x)
    by_topic: dict[str, list[int]] = {}
    for ev in c.v.editions:
        by_topic.setdefault(ev.plan.edition.topic.id, []).append(ev.plan.index)
    count = []
    evs = c.v.editions
    for a in evs:
        later = sorted(e for topic in partners.get(a.plan.edition.topic.id, ())
                       for e in by_topic.get(topic, ()) if e > a.plan.index)
        for b in (evs[e] for e in later):
            if not _may_overlap(a.plan, b.plan):
                continue
            name = f"{a.plan.id}~{b.plan.id}"
            overlap = c.model.new_bool_var(f"overlap[{name}]")
            a_first = c.model.new_bool_var(f"first[{a.plan.id},{b.plan.id}]")
            b_first = c.model.new_bool_var(f"first[{b.plan.id},{a.plan.id}]")
            c.model.add(a.end <= b.start).only_enforce_if(a_first)
            c.model.add(b.end <= a.start).only_enforce_if(b_first)
            # Absent editions may take any start, so they never force an overlap.
            c.model.add_bool_or([overlap, a_first, b_first, ~a.present, ~b.present])
            # And an overlap counted is one: both run and share a day, at any calendar found.
            c.model.add_implication(overlap, a.present)
            c.model.add_implication(overlap, b.present)
            c.model.add(a.end > b.start).only_enforce_if(overlap)
            c.model.add(b.end > a.start).only_enforce_if(overlap)
            count.append(overlap)
    return sum(count)


def _may_overlap(a: EditionPlan, b: EditionPlan) -> bool:
    if not a.options or not b.options:
        return False
    (a_starts, a_ends), (b_starts, b_ends) = a.spans, b.spans
    return bool(a_starts.min() < b_ends.max() and b_starts.min() < a_ends.max())


def team_without_mixed_gender(c: Context) -> LinearExpr:
    if c.inst.problem.team_rules.mixed_gender != "soft":
        return 0
    misses = []
    for e, ev in enumerate(c.v.editions):
        women, men, two = _mixed_literals(c, e)
        miss = c.model.new_bool_var(f"not_mixed[{ev.plan.id}]")
        c.model.add(women + miss >= two)
        c.model.add(men + miss >= two)
        misses.append(miss)
    return sum(misses)


def edition_without_lead_agency(c: Context) -> LinearExpr:
    p = c.inst.problem
    misses = []
    for ev in c.v.editions:
        ed = ev.plan.edition
        if p.lead_agency_mode(ed.item) != "soft":
            continue
        miss = c.model.new_bool_var(f"no_lead_agency[{ev.plan.id}]")
        c.model.add(sum(_members_of(c, ev, ed.topic.lead_agencies, guests=True)) + miss >= ev.present)
        misses.append(miss)
    return sum(misses)


def guest_slot_empty(c: Context) -> LinearExpr:
    empty = []
    for ev in c.v.editions:
        empty += [ev.present - filled for slot, filled in filled_slots(ev) if not slot.required]
    return sum(empty)


def country_sessions_short(c: Context) -> LinearExpr:
    p = c.inst.problem
    least = p.team_rules.country_sessions_min
    if not least:
        return 0
    given: dict[str, list[cp_model.IntVar]] = {}
    for t, sessions in c.v.sessions.items():
        country = c.inst.trainers[t].country
        if country:
            given.setdefault(country, []).extend(b for _, _, b in sessions)
    shorts = []
    for country in p.countries:
        short = c.model.new_int_var(0, least, f"country_short[{country}]")
        c.model.add_max_equality(short, [0, least - sum(given.get(country, []))])
        shorts.append(short)
    return sum(shorts)


def course_shortened(c: Context) -> LinearExpr:
    terms = []
    for ev in c.v.editions:
        if ev.plan.edition.item.duration_days is None:
            full = ev.plan.edition.topic.duration_max
            terms += [(full - d) * x for (_, d), x in zip(ev.plan.options, ev.choose, strict=True) if d < full]
    return sum(terms)


def team_member_without_standby(c: Context) -> LinearExpr:
    """Per edition and kind of team member (organisation and gender, ``standby_kind``): the members
    beyond the standbys of that kind kept free, exact (a maximum held with equality). A standby is a
    qualified person available on the course's days, delivering nothing and standing by for nothing
    else on them: their interval joins their courses and sessions in one no-overlap."""
    p, inst = c.inst.problem, c.inst
    terms: list[LinearExpr] = []
    for ev in c.v.editions:
        if not ev.standby:
            continue
        for t, b in ev.standby.items():
            _not_on_blocked_days(c, ev, b, inst.trainer_prefix[t])
        kinds: dict[tuple[str, str], list[int]] = {}
        for t in ev.teaches:
            kinds.setdefault(standby_kind(p, inst.trainers[t].id), []).append(t)
        for kind, people in kinds.items():
            members = sum(ev.teaches[t] for t in people)
            kept = sum(ev.standby[t] for t in people if t in ev.standby)
            short = c.model.new_int_var(0, len(people), f"without_standby[{ev.plan.id},{kind[0]},{kind[1]}]")
            c.model.add_max_equality(short, [0, members - kept])
            terms.append(short)
    for t in range(len(inst.trainers)):
        stands = [ev.standby_interval[t] for ev in c.v.editions if t in ev.standby_interval]
        if not stands:
            continue
        intervals = stands + [ev.teach_interval[t] for ev in c.v.editions if t in ev.teach_interval]
        intervals += [c.v.editions[e].guests[g].interval[t] for e, g, _ in c.v.sessions.get(t, [])]
        c.model.add_no_overlap(intervals)
    return sum(terms)


def trainer_days_off_women_share_year(c: Context) -> LinearExpr:
    return _women_share_gap(c, "year")


def trainer_days_off_women_share_module(c: Context) -> LinearExpr:
    return _women_share_gap(c, "module")


def trainer_days_off_women_share_month(c: Context) -> LinearExpr:
    return _women_share_gap(c, "month")


def _baseline(c: Context) -> list[tuple[EditionVars, BaselineEdition]]:
    by_id = c.inst.problem.baseline_by_edition
    return [(ev, by_id[ev.plan.id]) for ev in c.v.editions if ev.plan.id in by_id]


def edition_moved(c: Context) -> LinearExpr:
    moved = []
    for ev, b in _baseline(c):
        s0 = c.inst.cal.index.get(b.start)
        kept = [x for (s, _), x in zip(ev.plan.options, ev.choose, strict=True) if s == s0]
        moved.append(1 - sum(kept))
    return sum(moved)


def room_changed(c: Context) -> LinearExpr:
    """Per published edition: 1 unless it keeps its room (if it had one) and its mode (if known)."""
    changed = []
    for ev, b in _baseline(c):
        if b.room is None and b.mode is None:
            continue
        kept: LinearExpr = ev.present
        if b.room is not None:
            kept = sum(x for r, x in ev.room.items() if c.inst.rooms[r][1].id == b.room)
        if b.mode is not None:
            mode = ev.mode.get(b.mode)
            if mode is None:
                kept = 0
            elif mode is not ev.present:
                kept = mode if b.room is None else c.v.both(kept, mode, f"kept[{ev.plan.id}]")
        changed.append(ev.present - kept)
    return sum(changed)


def guest_changed(c: Context) -> LinearExpr:
    return sum(ev.present - kept_guest(c, ev, g) for ev, b in _baseline(c) for g in b.guests)


def trainer_changed(c: Context) -> LinearExpr:
    """Per published edition: its trainers off the team (present - teaches), and the others on it."""
    changed = []
    for ev, b in _baseline(c):
        published = set(b.trainers)
        for tid in b.trainers:
            same = [x for t, x in ev.teaches.items() if c.inst.trainers[t].id == tid]
            changed.append(ev.present - sum(same))
        changed += [x for t, x in ev.teaches.items() if c.inst.trainers[t].id not in published]
    return sum(changed)


HardRule = Callable[[Context], None]
SoftRule = Callable[[Context], LinearExpr]

# Build order. The ids match model/rules.py, where their human names live.
HARD: dict[str, HardRule] = {
    "mandatory_edition_scheduled": mandatory_edition_scheduled,
    "room_fits_the_edition": room_fits_the_edition,
    "room_open": room_open,
    "room_not_double_booked": room_not_double_booked,
    "online_stream_limit": online_stream_limit,
    "trainer_available": trainer_available,
    "trainer_not_double_booked": trainer_not_double_booked,
    "team_size_within_limits": team_size_within_limits,
    "team_covers_required_organisations": team_covers_required_organisations,
    "team_includes_a_lead_agency": team_includes_a_lead_agency,
    "team_mixed_gender": team_mixed_gender,
    "guest_slot_filled": guest_slot_filled,
    "country_presents_once_per_edition": country_presents_once_per_edition,
    "trainer_year_limit": trainer_year_limit,
    "trainer_month_limit": trainer_month_limit,
    "organisation_quota": organisation_quota,
    "prerequisite_finished_first": prerequisite_finished_first,
    "edition_has_enough_requests": edition_has_enough_requests,
    "pinned_edition_kept": pinned_edition_kept,
    "budget_within_cap": budget_within_cap,
    "budget_within_quarter_caps": budget_within_quarter_caps,
    "trainer_days_women_share_year": trainer_days_women_share_year,
    "trainer_days_women_share_module": trainer_days_women_share_module,
    "trainer_days_women_share_month": trainer_days_women_share_month,
    "editions_in_number_order": editions_in_number_order,
}

SOFT: dict[str, SoftRule] = {
    "optional_edition_left_out": optional_edition_left_out,
    "requests_beyond_seats": requests_beyond_seats,
    "priority_topic_late": priority_topic_late,
    "busiest_month": busiest_month,
    "busiest_trainer": busiest_trainer,
    "cost": cost,
    "linked_topics_overlap": linked_topics_overlap,
    "team_without_mixed_gender": team_without_mixed_gender,
    "edition_without_lead_agency": edition_without_lead_agency,
    "guest_slot_empty": guest_slot_empty,
    "country_sessions_short": country_sessions_short,
    "course_shortened": course_shortened,
    "team_member_without_standby": team_member_without_standby,
    "edition_moved": edition_moved,
    "room_changed": room_changed,
    "trainer_changed": trainer_changed,
    "guest_changed": guest_changed,
    "trainer_days_off_women_share_year": trainer_days_off_women_share_year,
    "trainer_days_off_women_share_module": trainer_days_off_women_share_module,
    "trainer_days_off_women_share_month": trainer_days_off_women_share_month,
}
