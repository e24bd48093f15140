"""The calendar and the seating as one CP-SAT model, measured against the product's two steps.

The product solves the calendar first, with the demand as counts (``requests_beyond_seats``: each
edition fills at most its seats, the nominees free in its months and those accepting its mode),
then seats every nominee in a second, exact model (``scheduler/allocation.py``). The alternative
measured here is one model: the calendar model of ``scheduler.solve.build`` with a seat literal per
nomination, edition and seat mode, tied to the calendar's own variables, and the participant rules
written over them:

- a seat only in an edition that runs, in a mode offering it, on dates in months the nominee is
  free, in a language they follow, with every prerequisite taken or asked for;
- the seats of a mode within what the edition's room (or the platform) offers in its mode;
- a prerequisite taken: a seat in an edition of it that ends in time (an order literal per pair
  of editions, held to the prerequisite's gap);
- one seat per nomination; the country cap and the women's share band per edition;
- the minimum of participants per edition that runs, seated online instead, and the seats' fares
  and allowances, in the objective and within the year's budget beside the calendar's costs.

The objective is the calendar's plus the seating's, each rule at its points per unit; both
methods' calendars are judged by the checker alone (``model.check``): the calendar's objective,
the seating's, the seats, the requests left without one and the cost. A quarterly cap is not
modelled (the default has none): such a problem is refused.

    .venv/bin/python -m bench.joint_seating [--runs 3] [--time-limit 60]

adds a batch of runs to ``bench/results/joint_seating.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model

from model.check import allocation_objective, check, kpis, points_per_unit
from model.participants import (
    follows,
    lacking_prerequisites,
    month_key,
    preference_factor,
    prerequisites_of,
    seat_modes,
    seated_online_instead,
    seats_offered,
)
from model.problem import ROOM_MODES, Nomination, Problem
from model.rules import RULES
from model.schedule import Allocation, Schedule
from model.shares import KNOWN_GENDERS, as_fraction
from scheduler.allocation import SOFT as SEATING_SOFT
from scheduler.instance import Instance
from scheduler.rules import SOFT as CALENDAR_SOFT
from scheduler.rules import Context, _cost_usd
from scheduler.solve import (
    Built,
    SolveOptions,
    _solver,
    add_hint,
    build,
    complete_hint,
    extract,
    find_start,
    hint_start,
    objective_units,
    solve,
)
from scheduler.variables import EditionVars, LinearExpr, share_band_gaps

RESULTS = Path(__file__).with_name("results") / "joint_seating.json"


@dataclass
class Seat:
    nomination: Nomination
    rank: int
    topic: str
    edition: int  # index into Variables.editions
    mode: str
    x: cp_model.IntVar


@dataclass
class Joint:
    """The one model: the calendar's (``built``) with the seats on top."""

    built: Built
    seats: list[Seat] = field(default_factory=list)
    requests: int = 0
    soft: dict[str, list[LinearExpr]] = field(default_factory=dict)  # the seating's terms, by rule


def _weight(rule_id: str, problem: Problem) -> float:
    info = RULES[rule_id]
    if info.weight_field is not None:
        return points_per_unit(info, problem.weights)
    return float(getattr(problem.weights, rule_id)) * info.factor


def _room_modes(model: cp_model.CpModel, ev: EditionVars) -> list[tuple[int | None, str, LinearExpr]]:
    """(room index or None online, edition mode, a literal: it runs in that room in that mode)."""
    out: list[tuple[int | None, str, LinearExpr]] = []
    for mode, lit in ev.mode.items():
        if mode not in ROOM_MODES:
            out.append((None, mode, lit))
            continue
        for r, room in ev.room.items():
            if len(ev.mode) == 1:  # its one mode's literal is ``present``: the room's says it all
                out.append((r, mode, room))
                continue
            both = model.new_bool_var(f"in[{ev.plan.id},{r},{mode}]")
            model.add_bool_and([room, lit]).only_enforce_if(both)
            model.add_bool_or([~room, ~lit, both])
            out.append((r, mode, both))
    return out


def joint_model(problem: Problem, inst: Instance) -> Joint:
    """The calendar model of ``problem`` with its nominees' seats, as described in the module's text."""
    if problem.quarterly_budget_usd:
        raise ValueError("the joint model measured here does not hold quarterly caps; this problem has some")
    built = build(problem, inst=inst)
    model, v = built.model, built.v
    p = problem
    joint = Joint(built)
    by_topic: dict[str, list[int]] = defaultdict(list)
    for e, ev in enumerate(v.editions):
        by_topic[ev.plan.edition.topic.id].append(e)
    runs_in = {e: _room_modes(model, ev) for e, ev in enumerate(v.editions)}
    free_in: dict[tuple[int, frozenset[str]], LinearExpr] = {}

    def free(e: int, away: frozenset[str]) -> LinearExpr:
        """1 when edition ``e`` runs on dates outside the months ``away``."""
        key = (e, away)
        if key not in free_in:
            ev = v.editions[e]
            ok = [x for (s, d), x in zip(ev.plan.options, ev.choose, strict=True)
                  if not {month_key(day) for day in inst.cal.run_days(s, d)} & away]
            if len(ok) == len(ev.choose):
                free_in[key] = ev.present
            else:
                lit = model.new_bool_var(f"free[{ev.plan.id},{len(free_in)}]")
                model.add(lit == sum(ok))
                free_in[key] = lit
        return free_in[key]

    seat_of: dict[tuple[str, str], list[Seat]] = defaultdict(list)  # (nominee, topic) -> seats
    for n in p.nominations:
        away = frozenset(n.unavailable_months)
        for rank, topic in enumerate(n.topics):
            joint.requests += 1
            if lacking_prerequisites(p, n, topic):
                continue
            for e in by_topic.get(topic, []):
                ev = v.editions[e]
                if not ev.choose or not follows(n, ev.plan.edition):
                    continue
                for seat_mode in ("in_person", "online"):
                    modes = [ev.mode[m] for m in ev.mode if seat_mode in seat_modes(n, m)]
                    if not modes:
                        continue
                    x = model.new_bool_var(f"seat[{n.id},{ev.plan.id},{seat_mode}]")
                    model.add(x <= sum(modes))
                    model.add(x <= free(e, away))
                    seat = Seat(n, rank, topic, e, seat_mode, x)
                    joint.seats.append(seat)
                    seat_of[(n.id, topic)].append(seat)

    by_edition: dict[int, list[Seat]] = defaultdict(list)
    for s in joint.seats:
        by_edition[s.edition].append(s)

    # One seat per nomination.
    for seats in seat_of.values():
        if len(seats) > 1:
            model.add(sum(s.x for s in seats) <= 1)

    # Seats within what the room or the platform offers in the edition's mode.
    offered_total: dict[int, LinearExpr] = {}
    for e, ev in enumerate(v.editions):
        ed = ev.plan.edition
        total: list[LinearExpr] = []
        for seat_mode in ("in_person", "online"):
            xs = [s.x for s in by_edition[e] if s.mode == seat_mode]
            offered = []
            for r, mode, lit in runs_in[e]:
                room = inst.rooms[r][1] if r is not None else None
                n_seats = seats_offered(p, ed, room, mode)[seat_mode]  # type: ignore[arg-type]
                if n_seats:
                    offered.append(n_seats * lit)
            total += offered
            if xs:
                model.add(sum(xs) <= sum(offered))
        offered_total[e] = sum(total)

    # A prerequisite taken, in an edition that ends in time.
    order: dict[tuple[int, int, int], cp_model.IntVar] = {}

    def ends_in_time(a: int, b: int, gap: int) -> cp_model.IntVar:
        key = (a, b, gap)
        if key not in order:
            lit = model.new_bool_var(f"in_time[{v.editions[a].plan.id},{v.editions[b].plan.id}]")
            model.add_implication(lit, v.editions[a].present)
            model.add_implication(lit, v.editions[b].present)
            model.add(v.day_number(b, end=False) - v.day_number(a, end=True) >= gap).only_enforce_if(lit)
            order[key] = lit
        return order[key]

    for (nid, topic), seats in seat_of.items():
        n = seats[0].nomination
        for before, gap in prerequisites_of(p, topic):
            if before in n.completed:
                continue
            earlier = seat_of.get((nid, before), [])
            for e in {s.edition for s in seats}:
                here = sum(s.x for s in seats if s.edition == e)
                links = []
                for a in {s.edition for s in earlier}:
                    z = model.new_bool_var(f"took[{nid},{v.editions[a].plan.id},{v.editions[e].plan.id}]")
                    model.add(z <= sum(s.x for s in earlier if s.edition == a))
                    model.add_implication(z, ends_in_time(a, e, gap))
                    links.append(z)
                model.add(here <= sum(links))

    band = p.targets.participants_edition
    cap = p.targets.country_cap_edition
    share = as_fraction(cap.max_share)
    soft: dict[str, list[LinearExpr]] = defaultdict(list)
    for e, ev in enumerate(v.editions):
        seats = by_edition[e]
        name = ev.plan.id
        women = sum(s.x for s in seats if s.nomination.gender == "woman")
        known = sum(s.x for s in seats if s.nomination.gender in KNOWN_GENDERS)
        if band.mode == "hard":
            if band.min_share is not None:
                q = as_fraction(band.min_share)
                model.add(q.denominator * women >= q.numerator * known)
            if band.max_share is not None:
                q = as_fraction(band.max_share)
                model.add(q.denominator * women <= q.numerator * known)
        elif band.mode == "soft" and seats:
            soft["participants_off_women_share"] += share_band_gaps(model, band, women, known, len(seats),
                                                                   f"participants,{name}")
        # The country cap: the cap share of the seats the edition offers, rounded down.
        most: LinearExpr = 0
        for r, mode, lit in runs_in[e]:
            room = inst.rooms[r][1] if r is not None else None
            most += math.floor(share * sum(seats_offered(p, ev.plan.edition, room, mode).values())) * lit  # type: ignore[arg-type]
        by_country: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for s in seats:
            by_country[s.nomination.country].append(s.x)
        for country, xs in by_country.items():
            if cap.mode == "hard":
                model.add(sum(xs) <= most)
            elif cap.mode == "soft":
                over = model.new_int_var(0, len(xs), f"over_cap[{name},{country}]")
                model.add_max_equality(over, [0, sum(xs) - most])  # exact at any solution, not only the best
                soft["country_over_cap"].append(over)
        least = ev.plan.edition.item.min_participants
        if least and p.nominations:
            short = model.new_int_var(0, least, f"under_minimum[{name}]")
            model.add_max_equality(short, [0, least * ev.present - sum(s.x for s in seats)])
            soft["edition_under_minimum"].append(short)

    placed: dict[tuple[str, str], list[cp_model.IntVar]] = defaultdict(list)
    for s in joint.seats:
        placed[(s.nomination.id, s.topic)].append(s.x)
    for n in p.nominations:
        for rank, topic in enumerate(n.topics):
            soft["nomination_unplaced"].append(preference_factor(rank) * (1 - sum(placed.get((n.id, topic), []))))
    soft["online_instead_of_in_person"] = [s.x for s in joint.seats if seated_online_instead(s.nomination, s.mode)]

    # The seats' fares and allowances: in the objective, and within the budget beside the calendar's costs.
    costly: list[LinearExpr] = []
    for s in joint.seats:
        if s.mode != "in_person":
            continue
        ev = v.editions[s.edition]
        fare = p.costs.participant_fares_usd.get(s.nomination.country, 0)
        night = p.costs.allowance_night_usd
        if ev.plan.fixed_length is not None:
            price = fare + night * ev.plan.fixed_length
            if price:
                costly.append(price * s.x)
            continue
        longest = max(d for _, d in ev.plan.options)
        c = model.new_int_var(0, fare + night * longest, f"seat_cost[{s.nomination.id},{ev.plan.id}]")
        nights = sum(d * x for (_, d), x in zip(ev.plan.options, ev.choose, strict=True))
        model.add(c == fare + night * nights).only_enforce_if(s.x)
        model.add(c == 0).only_enforce_if(~s.x)
        costly.append(c)
    soft["participant_cost"] = costly
    if p.budget_usd is not None and costly:
        model.add(_cost_usd(Context(model, inst, v)) + sum(costly) <= p.budget_usd)

    # The objective: the calendar's rules and the seating's, each at its points per unit, in one unit.
    per_unit = {r: points_per_unit(RULES[r], p.weights) for r in CALENDAR_SOFT}
    per_unit |= {r: _weight(r, p) for r in SEATING_SOFT}
    scale, coef = objective_units({r: x for r, x in per_unit.items() if x > 0})
    terms: list[cp_model.LinearExprT] = [coef[r] * t for r, t in built.soft.items() if r in coef]
    terms += [coef[r] * sum(ts) for r, ts in soft.items() if r in coef and ts]
    model.clear_objective()
    model.minimize(sum(terms))
    built.scale = scale
    joint.soft = dict(soft)
    return joint


class _First(cp_model.CpSolverSolutionCallback):
    def __init__(self, t0: float) -> None:
        super().__init__()
        self.t0 = t0
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.t0


def solve_joint(problem: Problem, time_limit_s: float, workers: int = 2) -> tuple[Schedule | None, dict[str, Any]]:
    """One joint solve within ``time_limit_s`` of wall time (model, start and search): the seated
    calendar (None when none was found) and its figures."""
    t0 = time.perf_counter()
    inst = Instance(problem)
    options = SolveOptions(time_limit_s=time_limit_s, workers=workers)
    start = find_start(problem, inst)
    joint = joint_model(problem, inst)
    built = joint.built
    hint_start(built, start, options)  # the greedy calendar, its seats completed by a short solve
    build_s = time.perf_counter() - t0
    solver = _solver(options, max(1.0, time_limit_s - build_s))
    watch = _First(t0)
    schedule, out = _searched(joint, solver, solver.solve(built.model, watch), t0, build_s)
    out |= {"first_s": round(watch.first, 1) if watch.first is not None else None, "seat_literals": len(joint.seats)}
    return schedule, out


def _searched(joint: Joint, solver: cp_model.CpSolver, code: cp_model.CpSolverStatus, t0: float, build_s: float
              ) -> tuple[Schedule | None, dict[str, Any]]:
    """The seated calendar of a joint search and its figures: the checker's, and the solver's own total and bound."""
    built = joint.built
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, {"status": solver.status_name(code), "build_s": round(build_s, 1)}
    schedule = extract(built, solver)
    schedule.allocations = sorted(
        (Allocation(nominee=s.nomination.id, edition=built.v.editions[s.edition].plan.id, mode=s.mode)  # type: ignore[arg-type]
         for s in joint.seats if solver.boolean_value(s.x)), key=lambda a: (a.edition, a.nominee))
    total = solver.objective_value / built.scale
    bound = solver.best_objective_bound / built.scale
    out = _figures(schedule, joint.requests, time.perf_counter() - t0)
    out |= {"status": solver.status_name(code), "build_s": round(build_s, 1), "solver_total": round(total, 2),
            "bound_total": round(bound, 2), "gap_total": round((total - bound) / max(1e-9, abs(total)), 4)}
    return schedule, out


def solve_refined(problem: Problem, time_limit_s: float, workers: int = 2) -> tuple[Schedule | None, dict[str, Any]]:
    """The two steps in half the time, then the one model from their calendar and seats for the rest:
    whether the joint search improves on the product's answer."""
    t0 = time.perf_counter()
    first, _ = solve_two_steps(problem, time_limit_s / 2, workers)
    inst = Instance(problem)
    joint = joint_model(problem, inst)
    built = joint.built
    add_hint(built, first)
    seated = {(a.nominee, a.edition, a.mode) for a in first.allocations}
    for seat in joint.seats:
        key = (seat.nomination.id, built.v.editions[seat.edition].plan.id, seat.mode)
        built.model.add_hint(seat.x, key in seated)
    completion = complete_hint(built, max(5.0, time_limit_s / 10))
    build_s = time.perf_counter() - t0
    solver = _solver(SolveOptions(time_limit_s=time_limit_s, workers=workers), max(1.0, time_limit_s - build_s))
    schedule, out = _searched(joint, solver, solver.solve(built.model), t0, build_s)
    if schedule is not None:
        out |= {"hint_complete": completion.complete, "start_total": _figures(first, joint.requests, 0.0)["total"]}
    return schedule, out


def _figures(schedule: Schedule, requests: int, wall_s: float) -> dict[str, Any]:
    """What the checker says of a seated calendar, the same for both methods."""
    broken = check(schedule)
    k = kpis(schedule)
    seated = len(schedule.allocations)
    days = k.participant_days
    calendar = k.objective
    seating = allocation_objective(schedule)
    return {"wall_s": round(wall_s, 1), "hard_rules_broken": len(broken), "editions": len(schedule.editions),
            "calendar_objective": round(calendar, 2), "seating_objective": round(seating, 2),
            "total": round(calendar + seating, 2),
            "seated": seated, "unseated": requests - seated, "in_person": k.seats_by_mode.get("in_person", 0),
            "online": k.seats_by_mode.get("online", 0), "cost_usd": k.cost_usd,
            "usd_per_participant_day": round(k.cost_usd / days, 1) if days else None}


def solve_two_steps(problem: Problem, time_limit_s: float, workers: int = 2) -> tuple[Schedule, dict[str, Any]]:
    """The product's solve: the calendar, then the seating, in ``time_limit_s`` together."""
    t0 = time.perf_counter()
    result = solve(problem, SolveOptions(time_limit_s=time_limit_s, workers=workers))
    s = result.schedule
    requests = sum(len(n.topics) for n in problem.nominations)
    out = _figures(s, requests, time.perf_counter() - t0)
    report = s.solver
    assert report is not None
    out |= {"status": report.status, "build_s": round(result.build_s or 0.0, 1),
            "first_s": round(result.first_solution_s, 1) if result.first_solution_s is not None else None,
            "calendar_bound": report.bound, "calendar_gap": report.gap,
            "seating_status": report.allocation.status if report.allocation else None,
            "seating_gap": report.allocation.gap if report.allocation else None}
    return s, out


def _median(rows: list[dict[str, Any]], key: str) -> str:
    xs = [float(r[key]) for r in rows if r.get(key) is not None]  # type: ignore[arg-type]
    if not xs:
        return "-"
    med = statistics.median(xs)
    return f"{med:,.1f}" if min(xs) == max(xs) else f"{med:,.1f} ({min(xs):,.1f}-{max(xs):,.1f})"


def main() -> None:
    from data import default_problem

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--note", default="", help="what the batch's runs shared (the machine's load, say)")
    args = ap.parse_args()
    problem = default_problem()
    methods = {"two_steps": solve_two_steps, "joint": solve_joint, "refined": solve_refined}
    rows: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
    for run in range(args.runs):
        for method, fn in methods.items():
            load = os.getloadavg()[0]
            _, row = fn(problem, args.time_limit)
            row["load_before"] = round(load, 2)
            rows[method].append(row)
            print(method, run + 1, json.dumps(row), flush=True)
    keys = ["wall_s", "build_s", "first_s", "editions", "calendar_objective", "seating_objective", "total",
            "seated", "unseated", "in_person", "online", "cost_usd", "usd_per_participant_day", "hard_rules_broken"]
    print(f"{'':28}" + "".join(f"{m:>34}" for m in methods))
    for key in keys:
        print(f"{key:28}" + "".join(f"{_median(rows[m], key):>34}" for m in methods))
    # Each run of this script adds a batch: the figures quoted in bench/RESULTS.md stay in the file.
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    batches = kept.get("batches", [])
    batches.append({"time_limit_s": args.time_limit, "note": args.note, "runs": rows})
    RESULTS.write_text(json.dumps({"workers": 2, "cores": os.cpu_count(), "batches": batches}, indent=1) + "\n")


if __name__ == "__main__":
    main()
