"""The planner's spreadsheet method, as code: a greedy earliest-fit calendar.

Editions are taken in prerequisite order, then by priority; each goes to its earliest
start day with a free suitable room and the cheapest team that breaks no hard rule.
It serves as the baseline in ``bench/`` and as a first calendar (a hint) for CP-SAT.
"""

from __future__ import annotations

from collections import Counter
from graphlib import TopologicalSorter
from itertools import combinations

from model.problem import Problem
from model.schedule import Schedule, ScheduledEdition, UnscheduledEdition
from scheduler.instance import EditionPlan, Instance


class _State:
    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.room_busy: list[set[int]] = [set(b) for b in inst.room_blocked]
        self.trainer_busy: list[set[int]] = [set(b) for b in inst.trainer_blocked]
        self.trainer_month: list[Counter[int]] = [Counter() for _ in inst.trainers]
        self.trainer_year: list[int] = [0] * len(inst.trainers)
        self.org_days: Counter[str] = Counter()
        self.streams: Counter[int] = Counter()
        self.end_day: dict[str, list[int]] = {}  # topic -> day numbers after each edition's last day
        self.last_start: dict[str, int] = {}  # topic -> start of its latest edition so far


def _order(problem: Problem, inst: Instance) -> list[EditionPlan]:
    graph: dict[str, set[str]] = {t.id: set() for t in problem.topics}
    for pr in problem.prerequisites:
        graph[pr.after].add(pr.before)
    rank = {t: i for i, t in enumerate(TopologicalSorter(graph).static_order())}
    return sorted(inst.plans, key=lambda p: (-p.edition.item.priority, rank[p.edition.topic.id], p.index))


def _prerequisites_met(problem: Problem, inst: Instance, state: _State, plan: EditionPlan, s: int) -> bool:
    start_day = inst.day_number(s)
    planned = {i.topic for i in problem.programme}
    for pr in problem.prerequisites:
        if pr.after != plan.edition.topic.id or pr.before not in planned:
            continue
        ok = any(
            start_day - end >= pr.min_gap_days and (pr.max_gap_days is None or start_day - end <= pr.max_gap_days)
            for end in state.end_day.get(pr.before, [])
        )
        if not ok:
            return False
    return True


def _team(problem: Problem, inst: Instance, state: _State, plan: EditionPlan, span: range) -> list[int] | None:
    rules = problem.team_rules
    months = Counter(inst.cal.month_of[i] for i in span)
    n = len(span)
    free = []
    for t in plan.trainers:
        tr = inst.trainers[t]
        if any(i in state.trainer_busy[t] for i in span):
            continue
        if tr.max_days_per_year is not None and state.trainer_year[t] + n > tr.max_days_per_year:
            continue
        if tr.max_days_per_month is not None and any(
            state.trainer_month[t][m] + k > tr.max_days_per_month for m, k in months.items()
        ):
            continue
        free.append(t)
    required = problem.required_organisations(plan.edition.item)
    best: tuple[tuple[int, int], list[int]] | None = None
    for size in range(rules.min_trainers, rules.max_trainers + 1):
        for team in combinations(free, size):
            members = [inst.trainers[t] for t in team]
            orgs = {m.organisation for m in members}
            if any(o not in orgs for o in required):
                continue
            genders = {m.gender for m in members}
            if rules.mixed_gender == "hard" and size >= 2 and not {"woman", "man"} <= genders:
                continue
            extra = Counter(m.organisation for m in members)
            if any(
                (q := problem.organisation_by_id[o].trainer_day_quota) is not None
                and state.org_days[o] + k * n > q
                for o, k in extra.items()
            ):
                continue
            score = (sum(m.day_rate for m in members), sum(state.trainer_year[t] for t in team))
            if best is None or score < best[0]:
                best = (score, list(team))
        if best is not None:
            return best[1]
    return None


def greedy_schedule(problem: Problem, inst: Instance | None = None) -> Schedule:
    """An earliest-fit calendar that breaks no hard rule; editions that fit nowhere are left out."""
    inst = inst or Instance(problem)
    state = _State(inst)
    limit = problem.platform.max_concurrent_streams
    placed: list[ScheduledEdition] = []
    left: list[UnscheduledEdition] = []
    for plan in _order(problem, inst):
        ed = plan.edition
        streamed = ed.mode in ("hybrid", "online")
        choice = None
        options = sorted(plan.options, key=lambda o: (o[0], -o[1]))
        for s, d in options:
            if s <= state.last_start.get(ed.topic.id, -1):
                continue  # edition numbers follow the calendar
            span = range(s, s + d)
            if streamed and any(state.streams[i] >= limit for i in span):
                continue
            if not _prerequisites_met(problem, inst, state, plan, s):
                continue
            room = None
            if ed.mode != "online":
                rooms = [r for r in plan.rooms if not any(i in state.room_busy[r] for i in span)]
                if not rooms:
                    continue
                room = min(rooms, key=lambda r: (inst.rooms[r][1].day_cost, inst.rooms[r][1].seats))
            team = _team(problem, inst, state, plan, span)
            if team is None:
                continue
            choice = (s, d, room, team)
            break
        if choice is None:
            left.append(UnscheduledEdition(edition=ed.id, topic=ed.topic.id, number=ed.number,
                                           mandatory=ed.mandatory,
                                           reason="no start day with a free room and team"))
            continue
        s, d, room, team = choice
        span = range(s, s + d)
        if room is not None:
            state.room_busy[room].update(span)
        if streamed:
            state.streams.update(span)
        for t in team:
            state.trainer_busy[t].update(span)
            state.trainer_year[t] += d
            state.org_days[inst.trainers[t].organisation] += d
            for i in span:
                state.trainer_month[t][inst.cal.month_of[i]] += 1
        state.last_start[ed.topic.id] = s
        state.end_day.setdefault(ed.topic.id, []).append(inst.day_number(s + d - 1) + 1)
        days = inst.cal.run_days(s, d)
        placed.append(ScheduledEdition(
            edition=ed.id, topic=ed.topic.id, number=ed.number, title=ed.topic.title,
            module=ed.topic.module, start=days[0], end=days[-1], days=days, mode=ed.mode,
            venue=inst.rooms[room][0].id if room is not None else None,
            room=inst.rooms[room][1].id if room is not None else None,
            trainers=sorted(inst.trainers[t].id for t in team),
            participants_in_person=ed.item.participants_in_person,
            participants_online=ed.item.participants_online,
        ))
    placed.sort(key=lambda e: (e.start, e.edition))
    return Schedule(problem=problem, editions=placed, unscheduled=left)
