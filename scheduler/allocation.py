"""Seat nominees in the calendar's editions: a CP-SAT model run after the calendar.

Each nomination (a nominee and one topic they are nominated for) gets at most one seat,
in one edition of its topic, in person or online. Three rules hold by construction (a
seat variable exists only for them): a nominee sits only in a scheduled edition of a
topic they were nominated for, in a seat mode they asked for and the edition offers in
the mode it is scheduled in (``se.mode``), in a month they are available. The others are
one function each below, hard apart from soft, keyed by the rule ids of
:data:`model.rules.PARTICIPANT_HARD_RULES` and :data:`~model.rules.PARTICIPANT_SOFT_RULES`.
The checker (:mod:`model.participants`) re-tests every allocation without the solver.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ortools.sat.python import cp_model

from model.check import OBJECTIVE_SCALE, allocation_penalties
from model.participants import (
    country_cap_seats,
    edition_months,
    follows,
    gap_days,
    lacking_prerequisites,
    languages_held,
    preference_factor,
    prerequisites_of,
    seat_capacity,
    seat_cost,
    seat_modes,
    seated_online_instead,
)
from model.problem import Nomination, Problem
from model.rules import RULES, Reading
from model.rules.reading import CALENDAR_COST_CATEGORIES, quarter_of
from model.schedule import (
    Allocation,
    AllocationReport,
    Schedule,
    ScheduledEdition,
    Status,
    UnplacedNomination,
    relative_gap,
)
from model.shares import KNOWN_GENDERS, as_fraction, known_count, share_gap
from scheduler.variables import LinearExpr, StopFlag, share_band_gaps, stop_when_set

# Share of a solve's time limit given to the allocation when the problem has nominations.
ALLOCATION_SHARE = 0.15

GENDER_WORDS = {"woman": "woman", "man": "man", "another_identity": "person of another identity",
                "undisclosed": "person of undisclosed gender"}


@dataclass
class Request:
    """One nomination: a nominee and one topic, with the editions open to them."""

    index: int
    nomination: Nomination
    topic: str
    rank: int
    editions: list[str] = field(default_factory=list)  # scheduled editions they may sit in
    barred: dict[str, str] = field(default_factory=dict)  # scheduled edition -> why not
    why_none: str = ""  # when the topic has no scheduled edition at all
    seats: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)  # (edition, mode)


class AllocationInstance:
    """Every nomination's open editions, pruned by mode, availability and prerequisites."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.problem: Problem = schedule.problem
        p = self.problem
        self.editions: dict[str, ScheduledEdition] = {
            se.edition: se for se in schedule.editions if se.edition in p.edition_by_id
        }
        self.by_topic: dict[str, list[ScheduledEdition]] = defaultdict(list)
        for se in sorted(self.editions.values(), key=lambda e: (e.start, e.edition)):
            self.by_topic[se.topic].append(se)
        self.capacity = {eid: seat_capacity(p, se) for eid, se in self.editions.items()}
        planned = {i.topic for i in p.programme}
        unscheduled = {u.topic: u.reason for u in schedule.unscheduled}
        self.requests: list[Request] = []
        self.request_of: dict[tuple[str, str], Request] = {}
        for n in p.nominations:
            for rank, topic in enumerate(n.topics):
                r = Request(len(self.requests), n, topic, rank)
                self.requests.append(r)
                self.request_of[(n.id, topic)] = r
                if topic not in planned:
                    r.why_none = f"{topic} is not in the programme"
                elif not self.by_topic.get(topic):
                    why = unscheduled.get(topic)
                    r.why_none = f"no edition of {topic} is on the calendar" + (f" ({why})" if why else "")
                else:
                    self._open_editions(r)
        self._prune_by_prerequisites()

    def _open_editions(self, r: Request) -> None:
        n = r.nomination
        p = self.problem
        for se in self.by_topic[r.topic]:
            ed = p.edition_by_id[se.edition]
            modes = seat_modes(n, se.mode)
            away = sorted(set(edition_months(se)) & set(n.unavailable_months))
            if not modes:
                r.barred[se.edition] = (f"asks for {n.mode.replace('_', '-')} seats; {se.edition} runs "
                                        f"{se.mode.replace('_', ' ')} only")
            elif not follows(n, ed):
                r.barred[se.edition] = (f"follows {', '.join(n.languages)}; {se.edition} is held in "
                                        f"{languages_held(ed)}")
            elif not any(self.capacity[se.edition][m] for m in modes):
                wanted = " or ".join(m.replace("_", "-") for m in modes)
                r.barred[se.edition] = f"{se.edition} has no {wanted} seats"
            elif away:
                r.barred[se.edition] = f"unavailable in {', '.join(away)}, when {se.edition} runs"
            else:
                missing = lacking_prerequisites(p, n, r.topic)
                if missing:
                    r.barred[se.edition] = (f"has not taken {', '.join(missing)} (prerequisite) and is not "
                                            "nominated for it")
                else:
                    r.editions.append(se.edition)

    def earlier(self, r: Request, eid: str) -> dict[str, list[str]]:
        """For each prerequisite the nominee still needs, its open editions that end in time for ``eid``."""
        n = r.nomination
        se = self.editions[eid]
        out: dict[str, list[str]] = {}
        for before, min_gap in prerequisites_of(self.problem, r.topic):
            if before in n.completed:
                continue
            rb = self.request_of.get((n.id, before))
            opens = rb.editions if rb is not None else []
            out[before] = [b for b in opens if gap_days(self.editions[b], se) >= min_gap]
        return out

    def _prune_by_prerequisites(self) -> None:
        # An edition stays open only if every prerequisite has an open edition ending in time;
        # closing one may close others down the chain, so repeat until nothing changes.
        changed = True
        while changed:
            changed = False
            for r in self.requests:
                for eid in list(r.editions):
                    lacking = [b for b, opens in self.earlier(r, eid).items() if not opens]
                    if lacking:
                        r.editions.remove(eid)
                        r.barred[eid] = (f"no edition of {', '.join(lacking)} (prerequisite) open to them "
                                         f"ends in time before {eid} starts")
                        changed = True


def open_requests(schedule: Schedule) -> Counter[str]:
    """How many requests each scheduled edition is open to, whatever the seats: the most it
    could ever seat (mode, language, availability and prerequisites in time allow them)."""
    return Counter(eid for r in AllocationInstance(schedule).requests for eid in r.editions)


@dataclass
class Context:
    model: cp_model.CpModel
    inst: AllocationInstance
    by_edition: dict[str, list[tuple[Request, str, cp_model.IntVar]]]


def _variables(model: cp_model.CpModel, inst: AllocationInstance) -> Context:
    by_edition: dict[str, list[tuple[Request, str, cp_model.IntVar]]] = defaultdict(list)
    for r in inst.requests:
        for eid in r.editions:
            for mode in seat_modes(r.nomination, inst.editions[eid].mode):
                if inst.capacity[eid][mode]:
                    x = model.new_bool_var(f"seat[{r.nomination.id},{eid},{mode}]")
                    r.seats[(eid, mode)] = x
                    by_edition[eid].append((r, mode, x))
    return Context(model, inst, by_edition)


def _placed(r: Request) -> LinearExpr:
    return sum(r.seats.values())


def _in_edition(r: Request, eid: str) -> LinearExpr:
    return sum(x for (e, _), x in r.seats.items() if e == eid)


# ------------------------------------------------------------------------------ hard


def participant_seats_within_capacity(c: Context) -> None:
    for eid, seats in c.by_edition.items():
        for mode, cap in c.inst.capacity[eid].items():
            xs = [x for _, m, x in seats if m == mode]
            if len(xs) > cap:
                c.model.add(sum(xs) <= cap)


def participant_one_edition_per_topic(c: Context) -> None:
    for r in c.inst.requests:
        if len(r.seats) > 1:
            c.model.add(_placed(r) <= 1)


def participant_prerequisite_taken(c: Context) -> None:
    for r in c.inst.requests:
        for eid in r.editions:
            here = _in_edition(r, eid)
            for before, opens in c.inst.earlier(r, eid).items():
                rb = c.inst.request_of[(r.nomination.id, before)]
                c.model.add(here <= sum(_in_edition(rb, b) for b in opens))


def _women_and_known(c: Context, eid: str) -> tuple[LinearExpr, LinearExpr]:
    seats = c.by_edition[eid]
    women = sum(x for r, _, x in seats if r.nomination.gender == "woman")
    known = sum(x for r, _, x in seats if r.nomination.gender in KNOWN_GENDERS)
    return women, known


def participants_women_share_edition(c: Context) -> None:
    band = c.inst.problem.targets.participants_edition
    if band.mode != "hard":
        return
    for eid in c.by_edition:
        women, known = _women_and_known(c, eid)
        if band.min_share is not None:
            p = as_fraction(band.min_share)
            c.model.add(p.denominator * women >= p.numerator * known)
        if band.max_share is not None:
            q = as_fraction(band.max_share)
            c.model.add(q.denominator * women <= q.numerator * known)


def _by_country(c: Context, eid: str) -> dict[str, list[cp_model.IntVar]]:
    out: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for r, _, x in c.by_edition[eid]:
        out[r.nomination.country].append(x)
    return out


def country_within_cap(c: Context) -> None:
    if c.inst.problem.targets.country_cap_edition.mode != "hard":
        return
    for eid in c.by_edition:
        most = country_cap_seats(c.inst.problem, c.inst.editions[eid])
        for xs in _by_country(c, eid).values():
            if len(xs) > most:
                c.model.add(sum(xs) <= most)


# ------------------------------------------------------------------------------ soft


def nomination_unplaced(c: Context) -> LinearExpr:
    return sum(preference_factor(r.rank) * (1 - _placed(r)) for r in c.inst.requests)


def participants_off_women_share(c: Context) -> LinearExpr:
    """Participants short of an edition's band minimum plus over its maximum (see model.check.share_gap)."""
    band = c.inst.problem.targets.participants_edition
    if band.mode != "soft":
        return 0
    gaps = []
    for eid, seats in c.by_edition.items():
        women, known = _women_and_known(c, eid)
        gaps += share_band_gaps(c.model, band, women, known, len(seats), f"participants,{eid}")
    return sum(gaps)


def country_over_cap(c: Context) -> LinearExpr:
    if c.inst.problem.targets.country_cap_edition.mode != "soft":
        return 0
    terms = []
    for eid in c.by_edition:
        most = country_cap_seats(c.inst.problem, c.inst.editions[eid])
        for country, xs in _by_country(c, eid).items():
            if len(xs) > most:
                over = c.model.new_int_var(0, len(xs) - most, f"over_cap[{eid},{country}]")
                c.model.add(over >= sum(xs) - most)
                terms.append(over)
    return sum(terms)


def edition_under_minimum(c: Context) -> LinearExpr:
    """Per scheduled edition with a minimum of participants: how many it lacks of it."""
    if not c.inst.problem.nominations:
        return 0
    terms = []
    for eid in c.inst.editions:
        least = c.inst.problem.edition_by_id[eid].item.min_participants
        if least:
            short = c.model.new_int_var(0, least, f"under_minimum[{eid}]")
            c.model.add(short + sum(x for _, _, x in c.by_edition.get(eid, [])) >= least)
            terms.append(short)
    return sum(terms)


def online_instead_of_in_person(c: Context) -> LinearExpr:
    return sum(x for r in c.inst.requests for (_, mode), x in r.seats.items()
               if seated_online_instead(r.nomination, mode))


def participant_cost(c: Context) -> LinearExpr:
    return sum(_seat_cost(c, r, eid, mode) * x for r in c.inst.requests for (eid, mode), x in r.seats.items())


def _seat_cost(c: Context, r: Request, eid: str, mode: str) -> int:
    return seat_cost(c.inst.problem, r.nomination, c.inst.editions[eid], mode).total


def budget_left_for_the_seats(c: Context) -> None:
    """The seats' part of ``budget_within_cap`` and ``budget_within_quarter_caps`` (the calendar's
    part is in its own model): the in-person seats' fares and allowances within what the calendar
    leaves of the budget, and those of the editions starting in a capped quarter within what the
    calendar leaves of the quarter's cap."""
    for left, editions, _ in _budgets_left(c.inst):
        costly = [_seat_cost(c, r, eid, mode) * x for r in c.inst.requests for (eid, mode), x in r.seats.items()
                  if (editions is None or eid in editions) and _seat_cost(c, r, eid, mode)]
        if costly:
            c.model.add(sum(costly) <= max(0, left))


class Purse(NamedTuple):
    """What the calendar leaves of a cap, in USD, and the editions whose seats it pays (None: every one)."""

    left: int
    editions: set[str] | None
    name: str


def _budgets_left(inst: AllocationInstance) -> list[Purse]:
    """What the calendar leaves of each cap: the budget's, then each capped quarter's (the
    editions starting in it, ``quarter_of`` their first day)."""
    p = inst.problem
    if p.budget_usd is None and not p.quarterly_budget_usd:
        return []
    reading = Reading(inst.schedule)
    out: list[Purse] = []
    if p.budget_usd is not None:
        out.append(Purse(p.budget_usd - reading.calendar_cost_usd, None, "the budget"))
    spent = reading.quarter_costs(CALENDAR_COST_CATEGORIES)
    for quarter, cap in sorted(p.quarterly_budget_usd.items()):
        out.append(Purse(cap - spent[quarter], {eid for eid, se in inst.editions.items()
                                                if quarter_of(se.start) == quarter}, f"the {quarter} cap"))
    return out


def _first_seats(c: Context) -> dict[int, tuple[str, str]]:
    """A first seating that breaks no hard rule, for the search to start from: first choices
    first, each request in its first open edition with a seat left, online when the nominee
    has no preference (it costs nothing), in person while the budget and the quarter's cap last
    (first for those who prefer it). Requests that need a
    prerequisite in this horizon are left out, and so is everyone when a share band or the
    country cap is hard: nobody seated breaks no hard rule."""
    p = c.inst.problem
    if "hard" in (p.targets.participants_edition.mode, p.targets.country_cap_edition.mode):
        return {}
    budgets = _budgets_left(c.inst)
    left = [purse.left for purse in budgets]
    seats = {(eid, mode): n for eid, cap in c.inst.capacity.items() for mode, n in cap.items()}
    chosen: dict[int, tuple[str, str]] = {}
    for r in sorted(c.inst.requests, key=lambda r: (r.rank, r.index)):
        if any(b not in r.nomination.completed for b, _ in prerequisites_of(p, r.topic)):
            continue
        n = r.nomination
        for key in sorted(r.seats, key=lambda k: (seated_online_instead(n, k[1]), k[1] != "online", k[0])):
            price = _seat_cost(c, r, *key)
            paying = [i for i, purse in enumerate(budgets) if purse.editions is None or key[0] in purse.editions]
            if seats[key] > 0 and all(price <= left[i] for i in paying):
                seats[key] -= 1
                for i in paying:
                    left[i] -= price
                chosen[r.index] = key
                break
    return chosen


HardRule = Callable[[Context], None]
SoftRule = Callable[[Context], LinearExpr]

# Build order. participant_nominated_for_the_edition, participant_mode_compatible,
# participant_follows_the_language and participant_available hold by construction: seat
# variables exist only where they do.
HARD: dict[str, HardRule] = {
    "participant_seats_within_capacity": participant_seats_within_capacity,
    "participant_one_edition_per_topic": participant_one_edition_per_topic,
    "participant_prerequisite_taken": participant_prerequisite_taken,
    "participants_women_share_edition": participants_women_share_edition,
    "country_within_cap": country_within_cap,
}
BY_CONSTRUCTION = ("participant_nominated_for_the_edition", "participant_mode_compatible",
                   "participant_follows_the_language", "participant_available")

SOFT: dict[str, SoftRule] = {
    "nomination_unplaced": nomination_unplaced,
    "participants_off_women_share": participants_off_women_share,
    "country_over_cap": country_over_cap,
    "edition_under_minimum": edition_under_minimum,
    "online_instead_of_in_person": online_instead_of_in_person,
    "participant_cost": participant_cost,
}


# ----------------------------------------------------------------------------- solve


@dataclass
class Outcome:
    allocations: list[Allocation]
    unplaced: list[UnplacedNomination]
    report: AllocationReport


STATUS: dict[Any, Status] = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}


def allocate(schedule: Schedule, *, time_limit_s: float = 10.0, workers: int = 2, deterministic: bool = False,
             seed: int = 0, stop: StopFlag | None = None) -> Outcome:
    """Seat the problem's nominees in the schedule's editions.

    Parameters
    ----------
    schedule
        A calendar with its problem (whose ``nominations`` are seated).
    time_limit_s, workers, deterministic, seed
        Solver settings, as for the calendar.
    stop
        Set it from another thread to end the search; the best allocation so far is kept.

    Returns
    -------
    Outcome
        The seats, every nomination left without one and why, and the solver's report. An
        empty allocation always meets the hard rules, so a result is always returned.
    """
    t0 = time.perf_counter()
    inst = AllocationInstance(schedule)
    model = cp_model.CpModel()
    ctx = _variables(model, inst)
    for rule in HARD.values():
        rule(ctx)
    budget_left_for_the_seats(ctx)
    terms = []
    for rule_id, soft_rule in SOFT.items():
        info = RULES[rule_id]
        weight = float(getattr(inst.problem.weights, info.weight_field or rule_id)) * info.factor
        if weight > 0:
            terms.append(round(weight * OBJECTIVE_SCALE) * soft_rule(ctx))
    model.minimize(sum(terms))
    chosen = _first_seats(ctx)
    for r in inst.requests:
        for key, x in r.seats.items():
            model.add_hint(x, chosen.get(r.index) == key)
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = max(1, workers)
    prm.random_seed = seed
    # Presolve turns the seat and prerequisite rows into clauses that the LP relaxation then
    # lacks; without it the LP (nearly integral here) proves the optimum in a second, with it
    # the bound stalls some 20 % below. Measured on the 2027 default's 1,463 nominations.
    prm.cp_model_presolve = False
    if deterministic:
        prm.interleave_search = True
        prm.max_deterministic_time = time_limit_s
        prm.max_time_in_seconds = max(time_limit_s * 20, 600.0)
    else:
        prm.max_time_in_seconds = max(0.1, time_limit_s)
    done = threading.Event()
    stop_when_set(solver.stop_search, stop, done)
    try:
        status = STATUS.get(solver.solve(model), "UNKNOWN")
    finally:
        done.set()
    runtime = time.perf_counter() - t0
    found = status in ("OPTIMAL", "FEASIBLE")
    allocations = []
    if found:
        for r in inst.requests:
            for (eid, mode), x in r.seats.items():
                if solver.boolean_value(x):
                    allocations.append(Allocation(nominee=r.nomination.id, edition=eid, mode=mode))  # type: ignore[arg-type]
    allocations.sort(key=lambda a: (a.edition, a.nominee))
    seated = schedule.model_copy(update={"allocations": allocations})
    unplaced = _unplaced(inst, seated, allocations)
    penalties = allocation_penalties(seated)
    objective = round(sum(x.points for x in penalties), 2) if found else None
    bound = None
    if found and objective is not None:
        best = solver.best_objective_bound / OBJECTIVE_SCALE
        bound = objective if status == "OPTIMAL" else round(min(objective, best), 2)
    gap = relative_gap(objective, bound)
    diagnosis = [] if found else [
        f"no allocation found within {time_limit_s:g} s ({status}); nobody was seated"]
    report = AllocationReport(
        status=status, objective=objective, bound=bound, gap=gap,
        runtime_s=None if deterministic else round(runtime, 3), time_limit_s=round(time_limit_s, 3),
        placed=len(allocations), unplaced=len(unplaced), penalties=penalties if found else [],
        diagnosis=diagnosis,
    )
    return Outcome(allocations, unplaced, report)


# ---------------------------------------------------------------------- reasons


def _unplaced(inst: AllocationInstance, schedule: Schedule,
              allocations: list[Allocation]) -> list[UnplacedNomination]:
    """Every nomination without a seat, with the reason read from the data and the allocation."""
    p = inst.problem
    seat_of = {(a.nominee, p.edition_by_id[a.edition].topic.id): a for a in allocations}
    filled: Counter[tuple[str, str]] = Counter((a.edition, a.mode) for a in allocations)
    people: dict[str, list[Nomination]] = defaultdict(list)
    for a in allocations:
        people[a.edition].append(p.nomination_by_id[a.nominee])
    purses = [purse._replace(left=purse.left - sum(
        seat_cost(p, p.nomination_by_id[a.nominee], inst.editions[a.edition], a.mode).total for a in allocations
        if purse.editions is None or a.edition in purse.editions)) for purse in _budgets_left(inst)]
    out = []
    for r in inst.requests:
        if (r.nomination.id, r.topic) in seat_of:
            continue
        if r.why_none:
            reason = r.why_none
        elif not r.editions:
            reason = "; ".join(r.barred.values())
        else:
            reason = "; ".join(_why_not_seated(inst, r, eid, filled, people[eid], seat_of, purses)
                               for eid in r.editions)
            if r.barred:
                reason += "; " + "; ".join(r.barred.values())
        out.append(UnplacedNomination(nominee=r.nomination.id, topic=r.topic, reason=reason))
    return out


def _why_not_seated(inst: AllocationInstance, r: Request, eid: str, filled: Counter[tuple[str, str]],
                    people: list[Nomination], seat_of: dict[tuple[str, str], Allocation], purses: list[Purse]) -> str:
    p = inst.problem
    n = r.nomination
    for before, opens in inst.earlier(r, eid).items():
        a = seat_of.get((n.id, before))
        if a is None or a.edition not in opens:
            return f"not seated in an edition of {before} (its prerequisite) ending in time before {eid}"
    modes = [m for (e, m) in r.seats if e == eid]
    cap = inst.capacity[eid]
    if modes and all(filled[(eid, m)] >= cap[m] for m in modes):
        if len(modes) == 1 and cap[modes[0]] == 1:
            return f"the only {modes[0].replace('_', '-')} seat of {eid} is taken"
        seats = " and ".join(f"{cap[m]} {m.replace('_', '-')}" for m in modes)
        return f"all {seats} seats of {eid} are taken"
    targets = p.targets
    most = country_cap_seats(p, inst.editions[eid])
    from_country = sum(1 for m in people if m.country == n.country)
    if targets.country_cap_edition.mode == "hard" and from_country >= most:
        return f"{n.country} already has its cap of {most} seat{'' if most == 1 else 's'} in {eid}"
    band = targets.participants_edition
    genders: Counter[str] = Counter(m.gender for m in people)
    women, known = genders["woman"], known_count(genders)
    before_gap = sum(share_gap(women, known, band))
    genders[n.gender] += 1
    after_gap = sum(share_gap(genders["woman"], known_count(genders), band))
    who = GENDER_WORDS[n.gender]
    if band.mode == "hard" and after_gap > 0:
        return (f"one more {who} would take {eid} outside the hard women's share band ({band.describe()}); "
                f"seated: {women} women of {known} of known gender")
    costs = []
    if band.mode == "soft" and after_gap > before_gap:
        costs.append(f"take it further outside the women's share band ({band.describe()})")
    if targets.country_cap_edition.mode == "soft" and from_country >= most:
        costs.append(f"put {n.country} over its cap of {most} seat{'' if most == 1 else 's'}")
    if costs:
        return (f"seats remain in {eid}, but one more {who} would {' and '.join(costs)}, "
                "which the weights rate above leaving this nomination out")
    open_modes = [m for m in modes if filled[(eid, m)] < cap[m]]
    if open_modes == ["in_person"]:
        price = seat_cost(p, n, inst.editions[eid], "in_person").total
        short = [purse for purse in purses if (purse.editions is None or eid in purse.editions) and purse.left < price]
        if short:
            return (f"in-person seats remain in {eid}, but the seat's fare and allowance, {price:,} USD, are more "
                    f"than {short[0].name} has left ({max(0, short[0].left):,} USD)")
    return f"seats remain in {eid}; left out when the allocation's time ran out"
