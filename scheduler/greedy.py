"""The planner's spreadsheet method, as code: a greedy earliest-fit calendar.

Editions are taken in prerequisite order, then by priority; each goes to its earliest
start day with a team that breaks no hard rule (the one whose people the editions still to
place need least, then the cheapest: :func:`_team`), in the first of its modes that can be
held then (preferred first: a free room that fits the mode, a free platform stream when it
is streamed, :func:`_modes_held`), its costs within what is left of the cap of the quarter
it starts in.
It is the baseline in ``bench/``. The solver starts from the best of it and a few
*levelled* variants (:func:`start_methods`): the same method with a cap on each month's
training days and linked topics kept apart, which spreads the courses over the year, and one
that holds only the courses without a priority to the cap.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from graphlib import TopologicalSorter
from itertools import combinations

from model.check import check, kpis
from model.problem import ROOM_MODES, STREAMED_MODES, Mode, Prerequisite, Problem, TeamNeed
from model.rules.programme import gap_allowed
from model.rules.reading import CALENDAR_COST_CATEGORIES, Reading, quarter_of
from model.rules.trainers import mixed_team
from model.schedule import GuestSession, Schedule, ScheduledEdition, UnscheduledEdition
from scheduler.instance import EditionPlan, Instance
from scheduler.variables import StopFlag


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
        self.month_days: Counter[int] = Counter()  # training days of all editions per month
        self.spans: dict[str, list[range]] = {}  # topic -> its editions' working-day spans
        self.country_sessions: Counter[str] = Counter()  # guest sessions given by each country
        self.wanted: list[float] = [0.0] * len(inst.trainers)  # days the editions still to place want of each
        # The calendar's costs of the editions placed so far, by the quarter each counts in, and
        # the rules' reading that prices an edition (the seats come later, within what is left).
        self.quarter_spent: Counter[str] = Counter()
        self.pricing = Reading(Schedule(problem=inst.problem, editions=[]))
        self._fitting: dict[tuple[int, Mode], list[int]] = {}
        planned = {i.topic for i in inst.problem.programme}
        self.prerequisites: dict[str, list[Prerequisite]] = {}  # topic -> its prerequisites on the programme
        for pr in inst.problem.prerequisites:
            if pr.before in planned:
                self.prerequisites.setdefault(pr.after, []).append(pr)

    def fitting(self, plan: EditionPlan, mode: Mode) -> list[int]:
        """The rooms of ``plan`` that hold its edition in ``mode``, cheapest first (none online)."""
        key = (plan.index, mode)
        if key not in self._fitting:
            inst = self.inst
            rooms = [r for r in plan.rooms if mode in ROOM_MODES
                     and inst.problem.room_fits(plan.edition, inst.rooms[r][1], mode)]
            self._fitting[key] = sorted(rooms, key=lambda r: (inst.rooms[r][1].day_cost, inst.rooms[r][1].seats))
        return self._fitting[key]


def _order(problem: Problem, inst: Instance) -> list[EditionPlan]:
    graph: dict[str, set[str]] = {t.id: set() for t in problem.topics}
    for pr in problem.prerequisites:
        graph[pr.after].add(pr.before)
    rank = {t: i for i, t in enumerate(TopologicalSorter(graph).static_order())}
    return sorted(inst.plans, key=lambda p: (-p.edition.item.priority, rank[p.edition.topic.id], p.index))


def _prerequisites_met(inst: Instance, state: _State, plan: EditionPlan, s: int) -> bool:
    start_day = inst.day_number(s)
    return all(any(gap_allowed(pr, start_day - end) for end in state.end_day.get(pr.before, []))
               for pr in state.prerequisites.get(plan.edition.topic.id, ()))


def _trainer_free(inst: Instance, state: _State, t: int, span: range) -> bool:
    tr = inst.trainers[t]
    if any(i in state.trainer_busy[t] for i in span):
        return False
    if tr.max_days_per_year is not None and state.trainer_year[t] + len(span) > tr.max_days_per_year:
        return False
    months = Counter(inst.cal.month_of[i] for i in span)
    return tr.max_days_per_month is None or all(
        state.trainer_month[t][m] + k <= tr.max_days_per_month for m, k in months.items()
    )


def _team_ok(problem: Problem, inst: Instance, state: _State, plan: EditionPlan, team: tuple[int, ...],
             span: range, needs: list[TeamNeed] | None = None) -> bool:
    """The team's own rules: size, required organisations and lead agency, mixed gender, quotas.
    ``needs``: the edition's ``problem.team_needs``, when the caller has them already."""
    rules = problem.team_rules
    if not rules.min_trainers <= len(team) <= rules.max_trainers:
        return False
    members = [inst.trainers[t] for t in team]
    orgs = {m.organisation for m in members}
    for need in problem.team_needs(plan.edition.item) if needs is None else needs:
        if orgs & set(need.organisations):
            continue
        # A need a guest meets: some guest of it free on a day of the course (chosen in _guests).
        if not need.guests_count or not any(
                inst.trainers[t].organisation in need.organisations and _guest_day(inst, state, t, span, set(team))
                is not None for _, cands in plan.guests for t in cands):
            return False
    if rules.mixed_gender == "hard" and not mixed_team([m.gender for m in members]):
        return False
    extra = Counter(m.organisation for m in members)
    return not any(
        (q := problem.organisation_by_id[o].trainer_day_quota) is not None
        and state.org_days[o] + k * len(span) > q
        for o, k in extra.items()
    )


def _wanted(problem: Problem, inst: Instance, plan: EditionPlan) -> dict[int, float]:
    """The days ``plan`` wants of each person who could meet one of its team's needs (a required
    organisation, a lead agency): its days shared among them. Nothing when it cannot run (no
    start, or an edition beyond what its topic's requests fill)."""
    wanted: dict[int, float] = {}
    most = inst.most_editions(plan.edition.topic.id)
    if not plan.options or (most is not None and plan.edition.number > most):
        return wanted
    for need in problem.team_needs(plan.edition.item):
        people = [t for t in plan.trainers if inst.trainers[t].organisation in need.organisations]
        for t in people:
            wanted[t] = wanted.get(t, 0.0) + plan.max_length / len(people)
    return wanted


def _scarcity(inst: Instance, state: _State, t: int) -> float:
    """The days the editions still to place want of person ``t`` over the days ``t`` has left
    (within their year's limit and their organisation's quota): 0 for a person no later edition
    needs, 1 or more for one those editions need all of."""
    tr = inst.trainers[t]
    left = (len(inst.cal.days) if tr.max_days_per_year is None else tr.max_days_per_year) - state.trainer_year[t]
    quota = inst.problem.organisation_by_id[tr.organisation].trainer_day_quota
    if quota is not None:
        left = min(left, quota - state.org_days[tr.organisation])
    return state.wanted[t] / max(left, 1)


def _team(problem: Problem, inst: Instance, state: _State, plan: EditionPlan, span: range) -> list[int] | None:
    """The valid team whose people the editions still to place need least (the sum of its
    members' :func:`_scarcity`), then the cheapest, then the least loaded; smallest size first.

    A person who charges no fee is not free to spend: staff of a required organisation or a lead
    agency are kept for the editions that need them, and a second seat goes to someone no later
    edition needs (often a consultant who bills) rather than to a second free IOM trainer whose
    days a later course will lack. Teams are tried from the best score down (ties in the order
    of ``combinations``), so the team rules are checked only until the first team that passes them.
    """
    free = [t for t in plan.trainers if _trainer_free(inst, state, t, span)]
    rate = {t: inst.trainers[t].day_rate for t in free}
    scarce = {t: _scarcity(inst, state, t) for t in free}
    load = state.trainer_year
    rules = problem.team_rules
    needs = problem.team_needs(plan.edition.item)
    # A need no guest can meet is met only by a member of its organisations: a team with none of
    # them fails _team_ok, and is not scored (the order of the others, and so the team, is the same).
    members_of = [{t for t in free if inst.trainers[t].organisation in need.organisations}
                  for need in needs if not need.guests_count]
    for size in range(rules.min_trainers, rules.max_trainers + 1):
        scored = sorted(
            ((round(sum(scarce[t] for t in team), 6), sum(rate[t] for t in team), sum(load[t] for t in team)),
             i, team)
            for i, team in enumerate(combinations(free, size))
            if all(not members.isdisjoint(team) for members in members_of)
        )
        for _, _, team in scored:
            if _team_ok(problem, inst, state, plan, team, span, needs):
                return list(team)
    return None


def _guest_day(inst: Instance, state: _State, t: int, span: range, busy: set[int]) -> int | None:
    """The first day of ``span`` person ``t`` (not one of ``busy``) can give a session on, within
    their limits and their organisation's quota; None when there is none."""
    if t in busy:
        return None
    quota = inst.problem.organisation_by_id[inst.trainers[t].organisation].trainer_day_quota
    if quota is not None and state.org_days[inst.trainers[t].organisation] + 1 > quota:
        return None
    return next((i for i in span if _trainer_free(inst, state, t, range(i, i + 1))), None)


def _guests(problem: Problem, inst: Instance, state: _State, plan: EditionPlan, team: list[int],
            span: range, mode: Mode) -> list[tuple[str, int, int]] | None:
    """A guest for each slot that can have one: (slot, person, day). Lead agencies the team lacks
    come first, then the country with the fewest sessions so far, then the cheapest (their trip
    counts when the edition runs in a room in ``mode``). None when a required slot, or a need
    only a guest can meet, stays empty."""
    pin = inst.pins.get(plan.id)
    if pin is not None and pin.guests is not None:
        return _pinned_guests(inst, state, plan, team, span, pin.guests)
    busy = set(team)
    in_room = mode in ROOM_MODES
    countries: set[str] = set()
    orgs = {inst.trainers[t].organisation for t in team}
    unmet = [set(n.organisations) for n in problem.team_needs(plan.edition.item)
             if n.guests_count and not orgs & set(n.organisations)]
    chosen: list[tuple[str, int, int]] = []
    # Slots that can meet an unmet need are filled first.
    slots = sorted(plan.guests, key=lambda sc: not any(inst.trainers[t].organisation in n
                                                        for n in unmet for t in sc[1]))
    for slot, cands in slots:
        best = None
        for t in cands:
            tr = inst.trainers[t]
            if tr.country and tr.country in countries:
                continue
            day = _guest_day(inst, state, t, span, busy)
            if day is None:
                continue
            score = (not any(tr.organisation in n for n in unmet), state.country_sessions[tr.country or ""],
                     tr.day_rate + (tr.travel_usd if in_room else 0), state.trainer_year[t], t)
            if best is None or score < best[0]:
                best = (score, t, day)
        if best is None:
            if slot.required:
                return None
            continue
        _, t, day = best
        busy.add(t)
        tr = inst.trainers[t]
        if tr.country:
            countries.add(tr.country)
        unmet = [n for n in unmet if tr.organisation not in n]
        chosen.append((slot.id, t, day))
    return None if unmet else chosen


def _pinned_guests(inst: Instance, state: _State, plan: EditionPlan, team: list[int], span: range,
                   sessions: list[GuestSession]) -> list[tuple[str, int, int]] | None:
    """A pinned edition's guest sessions, when its dates and the people's days allow them."""
    candidates = {slot.id: cands for slot, cands in plan.guests}
    tindex = {t.id: i for i, t in enumerate(inst.trainers)}
    chosen: list[tuple[str, int, int]] = []
    for g in sessions:
        t, day = tindex.get(g.person), inst.cal.index.get(g.day)
        if t is None or day is None or t not in candidates.get(g.slot, []) or t in team:
            return None
        if _guest_day(inst, state, t, range(day, day + 1) if day in span else range(0), set()) is None:
            return None
        chosen.append((g.slot, t, day))
    return chosen


def _published_guests(problem: Problem, inst: Instance, state: _State, plan: EditionPlan, team: list[int],
                      span: range, sessions: list[GuestSession]) -> list[tuple[str, int, int]] | None:
    """A published edition's guest sessions as they were, when they still fit and still fill its
    required slots, meet the needs the team leaves to guests and keep one session per country."""
    kept = _pinned_guests(inst, state, plan, team, span, sessions)
    if kept is None:
        return None
    given = {slot for slot, _, _ in kept}
    if any(slot.required and slot.id not in given for slot, _ in plan.guests):
        return None
    people = [inst.trainers[t] for _, t, _ in kept]
    countries = [tr.country for tr in people if tr.country]
    if len(countries) != len(set(countries)):
        return None
    orgs = {inst.trainers[t].organisation for t in team} | {tr.organisation for tr in people}
    if any(n.guests_count and not orgs & set(n.organisations) for n in problem.team_needs(plan.edition.item)):
        return None
    return kept


def _slot_ok(inst: Instance, state: _State, plan: EditionPlan, s: int) -> bool:
    """Edition order, the topic's requests and prerequisites for a start ``s`` (rooms and
    streams depend on the mode: :func:`_modes_held`)."""
    ed = plan.edition
    if s <= state.last_start.get(ed.topic.id, -1):
        return False  # edition numbers follow the calendar
    most = inst.most_editions(ed.topic.id)
    if most is not None and len(state.spans.get(ed.topic.id, [])) >= most:
        return False  # its requests fill no more editions to the minimum
    return _prerequisites_met(inst, state, plan, s)


def _room_free(state: _State, r: int, span: range) -> bool:
    return not any(i in state.room_busy[r] for i in span)


def _stream_free(problem: Problem, state: _State, span: range) -> bool:
    limit = problem.platform.max_concurrent_streams
    return all(state.streams[i] < limit for i in span)


def _modes_held(inst: Instance, state: _State, plan: EditionPlan, span: range,
                modes: list[Mode]) -> list[tuple[Mode, int | None]]:
    """Each of ``modes`` that can be held on ``span``, in order, with its room: the
    cheapest free room that fits the mode (none online), a free stream when it is streamed, and
    enough nominees who could sit it in that mode free in its months."""
    held: list[tuple[Mode, int | None]] = []
    for mode in modes:
        if mode in STREAMED_MODES and not _stream_free(inst.problem, state, span):
            continue
        if inst.too_few_free(plan.edition, span.start, len(span), mode):
            continue
        if mode not in ROOM_MODES:
            held.append((mode, None))
            continue
        room = next((r for r in state.fitting(plan, mode) if _room_free(state, r, span)), None)
        if room is not None:
            held.append((mode, room))
    return held


def _commit(inst: Instance, state: _State, plan: EditionPlan, s: int, d: int, mode: Mode, room: int | None,
            team: list[int], guests: list[tuple[str, int, int]]) -> ScheduledEdition:
    ed = plan.edition
    span = range(s, s + d)
    if room is not None:
        state.room_busy[room].update(span)
    if mode in STREAMED_MODES:
        state.streams.update(span)
    for t in team:
        state.trainer_busy[t].update(span)
        state.trainer_year[t] += d
        state.org_days[inst.trainers[t].organisation] += d
        for i in span:
            state.trainer_month[t][inst.cal.month_of[i]] += 1
    for _, t, i in guests:
        tr = inst.trainers[t]
        state.trainer_busy[t].add(i)
        state.trainer_year[t] += 1
        state.org_days[tr.organisation] += 1
        state.trainer_month[t][inst.cal.month_of[i]] += 1
        if tr.country:
            state.country_sessions[tr.country] += 1
    state.last_start[ed.topic.id] = s
    state.month_days.update(inst.cal.month_of[i] for i in span)
    state.spans.setdefault(ed.topic.id, []).append(span)
    state.end_day.setdefault(ed.topic.id, []).append(inst.day_number(s + d - 1) + 1)
    se = _placement(inst, plan, s, d, mode, room, team, guests)
    if inst.problem.quarterly_budget_usd:
        state.quarter_spent[quarter_of(se.start)] += _calendar_cost(state, se)
    return se


def _placement(inst: Instance, plan: EditionPlan, s: int, d: int, mode: Mode, room: int | None,
               team: Iterable[int], guests: list[tuple[str, int, int]]) -> ScheduledEdition:
    return ScheduledEdition.place(inst.problem, plan.edition, inst.cal.run_days(s, d),
                                  inst.rooms[room][1].id if room is not None else None,
                                  (inst.trainers[t].id for t in team),
                                  [GuestSession(slot=slot, person=inst.trainers[t].id, day=inst.cal.days[i])
                                   for slot, t, i in guests], mode=mode)


def _calendar_cost(state: _State, se: ScheduledEdition) -> int:
    costs = state.pricing.edition_costs(se)
    return sum(costs[c] for c in CALENDAR_COST_CATEGORIES)


def _within_quarter_cap(inst: Instance, state: _State, plan: EditionPlan, s: int, d: int, mode: Mode,
                        room: int | None, team: Iterable[int], guests: list[tuple[str, int, int]]) -> bool:
    """Whether the edition's calendar costs in ``mode`` fit in what is left of the cap of the
    quarter it starts in."""
    caps = inst.problem.quarterly_budget_usd
    quarter = quarter_of(inst.cal.days[s])
    if quarter not in caps:
        return True
    se = _placement(inst, plan, s, d, mode, room, team, guests)
    return state.quarter_spent[quarter] + _calendar_cost(state, se) <= caps[quarter]


def _keep(problem: Problem, inst: Instance, state: _State, start_from: Schedule) -> list[ScheduledEdition]:
    """The editions of ``start_from`` that still break no hard rule, placed as they were (mode included)."""
    tindex = {t.id: i for i, t in enumerate(inst.trainers)}
    rindex = {r.id: i for i, (_, r) in enumerate(inst.rooms)}
    kept = []
    for se in sorted(start_from.editions, key=lambda e: (e.start, e.edition)):
        plan = inst.plan_by_id.get(se.edition)
        if plan is None or se.start not in inst.cal.index:
            continue
        s, d, mode = inst.cal.index[se.start], len(se.days), se.mode
        room = rindex.get(se.room) if se.room and mode in ROOM_MODES else None
        team = tuple(tindex[t] for t in se.trainers if t in tindex and tindex[t] in plan.trainers)
        span = range(s, s + d)
        if (
            (s, d) not in plan.options
            or mode not in plan.modes
            or inst.too_few_free(plan.edition, s, d, mode)
            or len(team) != len(se.trainers)
            or (mode in ROOM_MODES and (room not in state.fitting(plan, mode) or not _room_free(state, room, span)))
            or (mode in STREAMED_MODES and not _stream_free(problem, state, span))
            or not _slot_ok(inst, state, plan, s)
            or not all(_trainer_free(inst, state, t, span) for t in team)
            or not _team_ok(problem, inst, state, plan, team, span)
        ):
            continue
        guests = _published_guests(problem, inst, state, plan, list(team), span, se.guests)
        if guests is None:
            guests = _guests(problem, inst, state, plan, list(team), span, mode)
        if guests is None or not _within_quarter_cap(inst, state, plan, s, d, mode, room, team, guests):
            continue
        kept.append(_commit(inst, state, plan, s, d, mode, room, list(team), guests))
    return kept


def greedy_schedule(problem: Problem, inst: Instance | None = None,
                    start_from: Schedule | None = None, month_cap: int | None = None,
                    patient: bool = False, priority_exempt: bool = False) -> Schedule:
    """An earliest-fit calendar that breaks no hard rule; editions that fit nowhere are left out.

    With ``start_from`` (a published calendar), every edition of it that still breaks no
    hard rule keeps its dates, mode, room and team; only the others are placed anew.

    With ``month_cap`` (training days of all courses in a month), an edition first looks
    for its earliest start that keeps every month within the cap and runs at no time with
    a linked topic; only when there is none does it take its plain earliest fit.
    ``priority_exempt``: the editions of a course with a priority take their plain earliest fit
    at once, and only the others keep to the cap.

    An edition takes, on its earliest start, the first of its modes that can be held there;
    ``patient``, it takes the earliest start in its preferred mode, and another mode only when
    the preferred one fits nowhere.
    """
    inst = inst or Instance(problem)
    state = _State(inst)
    placed = _keep(problem, inst, state, start_from) if start_from is not None else []
    done = {se.edition for se in placed}
    left: list[UnscheduledEdition] = []
    partners: dict[str, set[str]] = {}
    for x, y in problem.linked_pairs:
        partners.setdefault(x, set()).add(y)
        partners.setdefault(y, set()).add(x)

    def levelled(plan: EditionPlan, s: int, d: int) -> bool:
        months = Counter(inst.cal.month_of[i] for i in range(s, s + d))
        if any(state.month_days[m] + k > month_cap for m, k in months.items()):  # type: ignore[operator]
            return False
        return not any(s < o.stop and o.start < s + d
                       for topic in partners.get(plan.edition.topic.id, ()) for o in state.spans.get(topic, ()))

    todo = [plan for plan in _order(problem, inst) if plan.id not in done]
    wants = {plan.id: _wanted(problem, inst, plan) for plan in todo}
    for want in wants.values():
        for t, days in want.items():
            state.wanted[t] += days
    for plan in todo:
        for t, days in wants[plan.id].items():
            state.wanted[t] -= days  # placed or left out, it wants no one's days any more
        ed = plan.edition
        choice = None
        held = month_cap is not None and not (priority_exempt and ed.item.priority)
        tests = [levelled, None] if held else [None]
        tiers = [[m] for m in plan.modes] if patient else [plan.modes]
        for modes, test in ((modes, test) for modes in tiers for test in tests):
            choice = _earliest_fit(problem, inst, state, plan, test, modes)
            if choice is not None:
                break
        if choice is None:
            most = inst.most_editions(ed.topic.id)
            reason = ("its topic's requests fill no more editions to the minimum of "
                      f"{ed.item.min_participants} participants"
                      if most is not None and len(state.spans.get(ed.topic.id, [])) >= most
                      else "no start day with a free team and the room or stream one of its modes needs")
            left.append(UnscheduledEdition(edition=ed.id, topic=ed.topic.id, number=ed.number,
                                           mandatory=ed.mandatory, reason=reason))
            continue
        placed.append(_commit(inst, state, plan, *choice))
    placed.sort(key=lambda e: (e.start, e.edition))
    return Schedule(problem=problem, editions=placed, unscheduled=left)


def _earliest_fit(problem: Problem, inst: Instance, state: _State, plan: EditionPlan,
                  test: Callable[[EditionPlan, int, int], bool] | None, modes: list[Mode],
                  ) -> tuple[int, int, Mode, int | None, list[int], list[tuple[str, int, int]]] | None:
    """The earliest (start, length, mode, room, team, guests) in one of ``modes`` that breaks no
    hard rule and passes ``test``; on a start, the first of the modes held (:func:`_modes_held`)
    whose guests and costs fit."""
    for s, d in sorted(plan.options, key=lambda o: (o[0], -o[1])):
        if test is not None and not test(plan, s, d):
            continue
        if not _slot_ok(inst, state, plan, s):
            continue
        span = range(s, s + d)
        held = _modes_held(inst, state, plan, span, modes)
        if not held:
            continue
        team = _team(problem, inst, state, plan, span)
        if team is None:
            continue
        for mode, room in held:
            guests = _guests(problem, inst, state, plan, team, span, mode)
            if guests is not None and _within_quarter_cap(inst, state, plan, s, d, mode, room, team, guests):
                return s, d, mode, room, team, guests
    return None


# Month caps of the levelled starts, as multiples of the programme's days over its months.
LEVELS = (1.0, 1.1, 1.2, 1.35)


def sound(schedule: Schedule) -> bool:
    """A start the solve may take: it breaks no hard rule and leaves out no edition that must run."""
    return not any(u.mandatory for u in schedule.unscheduled) and not check(schedule)


def best_start(problem: Problem, inst: Instance, start_from: Schedule | None = None, *,
               on_better: Callable[[float], None] | None = None,
               stop: StopFlag | None = None) -> tuple[Schedule | None, Schedule]:
    """The best of :func:`start_calendars` by the objective, among those that break no hard rule.

    Returns (that calendar, or None when none is complete and sound; the solver's hint: that
    calendar, else the plain earliest fit). ``on_better`` gets each better objective as it is
    found; a set ``stop`` ends the search for a better start.
    """
    best: Schedule | None = None
    best_objective = math.inf
    plain: Schedule | None = None
    for candidate in start_calendars(problem, inst, start_from):
        plain = plain or candidate
        if sound(candidate):
            objective = kpis(candidate).objective
            if objective < best_objective:
                best, best_objective = candidate, objective
                if on_better is not None:
                    on_better(objective)
        if stop is not None and stop.is_set():
            break
    assert plain is not None
    return best, best or plain


@dataclass(frozen=True)
class StartMethod:
    """One way of drawing a start calendar: :func:`greedy_schedule`'s settings."""

    month_cap: int | None = None  # training days of all courses in a month; None: the plain fit
    patient: bool = False
    priority_exempt: bool = False

    @property
    def label(self) -> str:
        how = "plain" if self.month_cap is None else f"cap {self.month_cap} days a month"
        if self.priority_exempt:
            how += " around the priority courses"
        return how + (", patient" if self.patient else "")

    def calendar(self, problem: Problem, inst: Instance, start_from: Schedule | None = None) -> Schedule:
        return greedy_schedule(problem, inst, start_from, month_cap=self.month_cap, patient=self.patient,
                               priority_exempt=self.priority_exempt)


def start_methods(inst: Instance) -> list[StartMethod]:
    """The plain earliest fit, then levelled ones (tighter month caps first), then one levelled
    around the courses with a priority (where some have one and some not); where an edition may
    run in several modes, each also patient for its preferred mode.

    Capped, the courses with a priority are pushed later too, and pay for it in lateness: on ten
    centres over two years (``bench/generate.py``'s network) every capped start scores far worse
    than the plain one, whose priority courses alone fill 308 training days of the busiest month.
    Levelled around them, they keep their plain earliest fit and only the courses without a
    priority keep to the cap, linked topics apart: the best start there, and on the default
    problem; on the RTCM year without its nominations and on three centres a capped start stays
    the best (``bench/results/starts.json``).
    """
    patience = [False, True] if any(len(p.modes) > 1 for p in inst.plans) else [False]
    methods = [StartMethod(patient=patient) for patient in patience]
    months = len(set(inst.cal.month_of))
    if not months:
        return methods
    even = sum(p.max_length for p in inst.plans) / months  # days per month, spread evenly
    methods += [StartMethod(math.ceil(level * even), patient) for level in LEVELS for patient in patience]
    if len({plan.edition.item.priority > 0 for plan in inst.plans}) == 2:  # courses with a priority and without
        methods += [StartMethod(math.ceil(even), patient, priority_exempt=True) for patient in patience]
    return methods


def start_calendars(problem: Problem, inst: Instance, start_from: Schedule | None = None) -> Iterator[Schedule]:
    """A calendar by each of :func:`start_methods`, in turn."""
    for method in start_methods(inst):
        yield method.calendar(problem, inst, start_from)
