"""The explain build: the planner rules switched on by one literal per input fact.

A *fact* is one input record that can make a problem infeasible: a trainer's unavailable
period, a room's or venue's closure, an edition's mandatory flag, a programme item's
earliest start or latest end, its expected participants (the rooms too small for them), a
prerequisite, a trainer's month or year limit, an organisation's quota, a required
organisation of the team rules (or of one programme item), the team size bounds, the
mixed-gender rule, the platform's stream limit, the budget cap, each quarter's cap, a pin,
and each hard women's-share target. Each gets a Boolean literal, and every constraint that stems from it
is enforced only if that literal is true, so solving with the literals as assumptions asks
"can all these facts hold together?" (``scheduler/explain.py`` finds a minimal set that
cannot).

The model is built on ``Instance(problem, prune=False)``: options obey only the calendar
(consecutive working days of an allowed length), so no fact is hidden in the pruning.
What stays unconditional is structural: a course on consecutive working days of an allowed
length, qualified trainers, one room for an edition that needs one, a team only on a
course that runs. A room and a trainer hosting one course at a time have no enforcement
literal in CP-SAT (no_overlap takes none), so each gets its own interval presence literal,
equal to the room's (trainer's) literal when the fact holds: these facts appear in
explanations ("room B hosts one course at a time") but are never offered as relaxations.
The platform's stream limit is the same trick on a cumulative constraint.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import cast

from ortools.sat.python import cp_model

from model.calendar import Period
from model.doctor import absence_record, closure_record, trainer_label, window_record
from model.problem import LEAD_AGENCY_RULE, REQUIRED_ORGANISATION_RULE, ROOM_MODES, Problem, ShareBand
from model.schedule import Schedule
from model.shares import as_fraction
from scheduler.instance import Instance
from scheduler.rules import (
    Context,
    _cost_usd,
    _load,
    _members_of,
    _most_days,
    _trainer_days_by_scope,
    filled_slots,
    keep_guests,
    quarter_cost_usd,
    sessions_by_country,
    thin_options,
)
from scheduler.variables import EditionVars, GuestVars, Variables

# Relaxation tiers, least change first (see Fact.tier and explain.relaxations).
DATES, ABSENCES, LIMITS, PROGRAMME, POLICY, DROP, STRUCTURAL = range(7)


@dataclass
class Fact:
    """One input fact as an assumption literal, with its planner words."""

    key: str
    rule: str  # the hard rule it feeds (an id of model/rules.py)
    records: tuple[str, ...]
    text: str
    relax: str  # what dropping it means, in planner words
    tier: int  # DATES .. STRUCTURAL: how much dropping it changes (see explain.relaxations)
    size: int = 0  # within a tier: working days (or units) it takes away
    editions: tuple[str, ...] = ()  # the editions an edition-specific fact concerns
    literal: cp_model.IntVar | None = None

    @property
    def relaxable(self) -> bool:
        return self.tier != STRUCTURAL


@dataclass
class FactModel:
    model: cp_model.CpModel
    inst: Instance
    v: Variables
    facts: dict[str, Fact] = field(default_factory=dict)

    def fact(self, key: str, rule: str, records: tuple[str, ...] | list[str], text: str, relax: str,
             tier: int, size: int = 0, editions: tuple[str, ...] = ()) -> cp_model.IntVar:
        """The literal of fact ``key``, created on first use."""
        if key not in self.facts:
            lit = self.model.new_bool_var(f"fact[{key}]")
            self.facts[key] = Fact(key, rule, tuple(records), text, relax, tier, size, editions, lit)
        made = self.facts[key].literal
        assert made is not None
        return made

    @property
    def ctx(self) -> Context:
        return Context(self.model, self.inst, self.v)


def build_fact_model(problem: Problem, only: Collection[str] | None = None, *,
                     keep: Schedule | None = None, include: Collection[str] = ()) -> FactModel:
    """The explain model of ``problem`` (or of the editions ``only``), without objective.

    With ``keep``, each edition of that calendar gets one more fact, "stays as scheduled"
    (its dates, room and team), and each edition of ``include`` the fact "is on the
    calendar": why an optional edition was left out is then a conflict among those facts.
    """
    inst = Instance(problem, prune=False, only=only)
    model = cp_model.CpModel()
    fm = FactModel(model, inst, Variables(model, inst))
    structure(fm)
    for rule in FACT_RULES:
        rule(fm)
    if keep is not None:
        keep_as_scheduled(fm, keep, set(include))
    for eid in include:
        ev = next((ev for ev in fm.v.editions if ev.plan.id == eid), None)
        if ev is not None:
            lit = fm.fact(f"include[{eid}]", "optional_edition_left_out", [eid], f"{eid} is on the calendar",
                          "", STRUCTURAL, editions=(eid,))
            model.add(ev.present == 1).only_enforce_if(lit)
    return fm


def keep_as_scheduled(fm: FactModel, schedule: Schedule, skip: set[str]) -> None:
    """One fact per scheduled edition (but ``skip``): it stays where and with whom it is."""
    inst, m = fm.inst, fm.model
    rindex = {r.id: i for i, (_, r) in enumerate(inst.rooms)}
    tindex = {t.id: i for i, t in enumerate(inst.trainers)}
    for ev in fm.v.editions:
        se = schedule.by_edition.get(ev.plan.id)
        if se is None or ev.plan.id in skip:
            continue
        where = se.room or "online"
        lit = fm.fact(f"keep[{se.edition}]", "pinned_edition_kept", [se.edition],
                      f"{se.edition} stays as scheduled ({se.start} to {se.end}, {where}, "
                      f"with {', '.join(se.trainers)})",
                      f"move {se.edition} or change its team", DATES, len(se.days), (se.edition,))
        option = (inst.cal.index.get(se.start, -1), len(se.days))
        chosen = [x for o, x in zip(ev.plan.options, ev.choose, strict=True) if o == option]
        room = rindex.get(se.room) if se.room else None
        team = {tindex.get(t, -1) for t in se.trainers}
        if (not chosen or (se.room and room not in ev.room) or not team <= set(ev.teaches)
                or se.mode not in ev.mode):
            m.add_bool_or([~lit])  # a placement the model cannot take (a calendar edited by hand)
            continue
        m.add(chosen[0] == 1).only_enforce_if(lit)
        for r, b in ev.room.items():
            m.add(b == int(r == room)).only_enforce_if(lit)
        for mode, b in ev.mode.items():
            m.add(b == int(mode == se.mode)).only_enforce_if(lit)
        for t, b in ev.teaches.items():
            m.add(b == int(t in team)).only_enforce_if(lit)


# ------------------------------------------------------------------------------ helpers


def _working_days(inst: Instance, period: Period) -> int:
    return len(inst.cal.indices_within(period))


def _clash(ev: EditionVars, blocked: set[int]) -> list[cp_model.IntVar]:
    """The option literals of ``ev`` that touch a blocked working day."""
    if not blocked:
        return []
    lo, hi = min(blocked), max(blocked)
    return [x for (s, d), x in zip(ev.plan.options, ev.choose, strict=True)
            if s <= hi and s + d > lo and any(i in blocked for i in range(s, s + d))]


def _edition_label(ev: EditionVars) -> str:
    ed = ev.plan.edition
    return f"{ed.id} ({ed.topic.title})"


def structure(fm: FactModel) -> None:
    """What holds whatever the facts: one room for a course that needs one, a team only on a course."""
    m = fm.model
    for ev in fm.v.editions:
        if ev.plan.in_a_room is not False:
            m.add(sum(ev.room.values()) == ev.in_room)
        for b in ev.teaches.values():
            m.add_implication(b, ev.present)


# ------------------------------------------------------------------------- fact rules


def mandatory_edition_scheduled(fm: FactModel) -> None:
    for ev in fm.v.editions:
        ed = ev.plan.edition
        if ed.mandatory:
            lit = fm.fact(f"mandatory[{ed.id}]", "mandatory_edition_scheduled", [ed.id],
                          f"{_edition_label(ev)} is mandatory",
                          f"make {ed.id} optional (it may then be left out)", DROP, editions=(ed.id,))
            fm.model.add(ev.present == 1).only_enforce_if(lit)


def edition_within_its_window(fm: FactModel) -> None:
    cal = fm.inst.cal
    for ev in fm.v.editions:
        ed = ev.plan.edition
        item, topic = ed.item, ed.topic.id
        editions = tuple(e.id for e in fm.inst.problem.editions if e.topic.id == topic)
        if item.earliest_start is not None:
            first = item.earliest_start
            bad = [x for (s, _), x in zip(ev.plan.options, ev.choose, strict=True) if cal.days[s] < first]
            if bad:
                cut = sum(1 for d in cal.days if d < first)
                lit = fm.fact(f"earliest_start[{topic}]", "edition_within_its_window",
                              [window_record(topic, "earliest_start", first)],
                              f"{topic} may not start before {first} (its earliest start)",
                              f"let {topic} start before {first}", DATES, cut, editions)
                fm.model.add(sum(bad) == 0).only_enforce_if(lit)
        if item.latest_end is not None:
            last = item.latest_end
            bad = [x for (s, d), x in zip(ev.plan.options, ev.choose, strict=True)
                   if cal.days[s + d - 1] > last]
            if bad:
                cut = sum(1 for d in cal.days if d > last)
                lit = fm.fact(f"latest_end[{topic}]", "edition_within_its_window",
                              [window_record(topic, "latest_end", last)],
                              f"{topic} must end by {last} (its latest end)",
                              f"let {topic} end after {last}", DATES, cut, editions)
                fm.model.add(sum(bad) == 0).only_enforce_if(lit)


def room_fits_the_edition(fm: FactModel) -> None:
    p = fm.inst.problem
    for ev in fm.v.editions:
        ed = ev.plan.edition
        room_modes = [mode for mode in ev.mode if mode in ROOM_MODES]
        unfit = {mode: [r for r in ev.room if not p.room_fits(ed, fm.inst.rooms[r][1], mode)] for mode in room_modes}
        if not any(unfit.values()):
            continue
        item, topic = ed.item, ed.topic.id
        needs, haves = [], []
        for mode, rs in unfit.items():
            if not rs:
                continue
            in_person, online = item.planned_seats(mode)
            hybrid = mode == "hybrid"
            how = f"{mode.replace('_', ' ')}: " if len(room_modes) > 1 else ""
            kit = f", hybrid equipment and {online} online seats" if hybrid else ""
            needs.append(f"{how}{in_person} seats{kit}")
            haves += [f"room {r.id} has {r.seats} seats" + ("" if not hybrid else
                                                           f", {'hybrid' if r.hybrid else 'no hybrid'} equipment"
                                                           f" and {r.online_seats} online seats")
                      for r in (fm.inst.rooms[k][1] for k in rs)]
        rooms = sorted({fm.inst.rooms[r][1].id for rs in unfit.values() for r in rs})
        editions = tuple(e.id for e in p.editions if e.topic.id == topic)
        lit = fm.fact(f"room_needs[{topic}]", "room_fits_the_edition",
                      [f"programme {topic} participants", *rooms],
                      f"{topic} needs a room with {'; '.join(needs)} ({'; '.join(dict.fromkeys(haves))})",
                      f"fewer participants for {topic}, or a room that fits them", PROGRAMME,
                      item.participants_in_person, editions)
        for mode, rs in unfit.items():
            for r in rs:
                fm.model.add_bool_or([~ev.room[r], ~ev.mode[mode]]).only_enforce_if(lit)


def room_open(fm: FactModel) -> None:
    inst = fm.inst
    for r, (venue, room) in enumerate(inst.rooms):
        closures = [("room", room.id, k, c) for k, c in enumerate(room.closures)]
        closures += [("venue", venue.id, k, c) for k, c in enumerate(venue.closures)]
        for kind, ident, k, c in closures:
            blocked = set(inst.cal.indices_within(c))
            for ev in fm.v.editions:
                if r not in ev.room:
                    continue
                clash = _clash(ev, blocked)
                if clash:
                    days = _working_days(inst, c)
                    lit = fm.fact(f"closure[{kind} {ident},{k}]", "room_open",
                                  [ident, closure_record(kind, ident, c)],
                                  f"{kind} {ident} is closed {c.describe()}",
                                  f"open {kind} {ident} on {c.start}..{c.end} after all ({days} working "
                                  "days)",
                                  ABSENCES, days)
                    fm.model.add(sum(clash) + ev.room[r] <= 1).only_enforce_if(lit)


def _one_course_at_a_time(fm: FactModel, rule: str, kind: str, key: str, text: str, interval_name: str,
                          uses: dict[str, cp_model.IntVar],
                          sessions: Sequence[tuple[GuestVars, cp_model.IntVar]] = ()) -> None:
    """One no-overlap over the editions of ``uses`` (edition id -> its room/teaches literal) and
    the one-day guest ``sessions`` (slot, literal), followed only while the structural fact is on
    (no-overlap takes no enforcement literal)."""
    users = [ev for ev in fm.v.editions if ev.plan.id in uses]
    if len(users) + len(sessions) < 2:
        return
    m = fm.model
    lit = fm.fact(f"one_course[{kind} {key}]", rule, [key], text, "", STRUCTURAL)
    intervals = []
    for ev in users:
        busy = m.new_bool_var(f"busy[{key},{ev.plan.id}]")
        m.add(busy == uses[ev.plan.id]).only_enforce_if(lit)
        intervals.append(m.new_optional_interval_var(ev.start, ev.length, ev.end, busy,
                                                     f"{interval_name}[{key},{ev.plan.id}]"))
    for k, (gv, b) in enumerate(sessions):
        busy = m.new_bool_var(f"busy[{key},session {k}]")
        m.add(busy == b).only_enforce_if(lit)
        intervals.append(m.new_optional_fixed_size_interval_var(gv.day, 1, busy, f"session[{key},{k}]"))
    m.add_no_overlap(intervals)


def room_not_double_booked(fm: FactModel) -> None:
    for r, (_, room) in enumerate(fm.inst.rooms):
        uses = {ev.plan.id: ev.room[r] for ev in fm.v.editions if r in ev.room}
        _one_course_at_a_time(fm, "room_not_double_booked", "room", room.id,
                              f"room {room.id} hosts one course at a time", "booked", uses)


def online_stream_limit(fm: FactModel) -> None:
    m = fm.model
    streamed = [ev for ev in fm.v.editions if ev.stream_interval is not None]
    limit = fm.inst.problem.platform.max_concurrent_streams
    if len(streamed) <= limit:
        return
    lit = fm.fact("stream_limit", "online_stream_limit", ["platform max_concurrent_streams"],
                  f"the platform carries at most {limit} hybrid or online course(s) at once",
                  "one more concurrent stream on the platform", PROGRAMME, limit)
    intervals = []
    for ev in streamed:
        on = m.new_bool_var(f"streamed[{ev.plan.id}]")
        m.add(on == ev.streamed).only_enforce_if(lit)
        intervals.append(m.new_optional_interval_var(ev.start, ev.length, ev.end, on,
                                                     f"stream[{ev.plan.id}]"))
    m.add_cumulative(intervals, [1] * len(intervals), limit)


def trainer_available(fm: FactModel) -> None:
    inst, m = fm.inst, fm.model
    for t, trainer in enumerate(inst.trainers):
        for k, per in enumerate(trainer.unavailable):
            blocked = set(inst.cal.indices_within(per))
            days = _working_days(inst, per)

            away = (f"unavailable[{trainer.id},{k}]", "trainer_available", [trainer.id, absence_record(trainer, per)],
                    f"trainer {trainer_label(trainer)} is away {per.describe()}",
                    f"{trainer.id} available on {per.start}..{per.end} after all ({days} working days)",
                    ABSENCES, days)  # the fact, made when a course or session could clash with it
            for ev in fm.v.editions:
                clash = _clash(ev, blocked) if t in ev.teaches else []
                if clash:
                    m.add(sum(clash) + ev.teaches[t] <= 1).only_enforce_if(fm.fact(*away))
                for gv in ev.guests:
                    if t not in gv.gives or not any(gv.lo <= i <= gv.hi for i in blocked):
                        continue
                    free = [i for i in range(gv.lo, gv.hi + 1) if i not in blocked]
                    if free:
                        m.add_linear_expression_in_domain(gv.day, cp_model.Domain.from_values(free)
                                                          ).only_enforce_if([fm.fact(*away), gv.gives[t]])
                    else:
                        m.add_implication(fm.fact(*away), ~gv.gives[t])


def trainer_not_double_booked(fm: FactModel) -> None:
    for t, trainer in enumerate(fm.inst.trainers):
        uses = {ev.plan.id: ev.teaches[t] for ev in fm.v.editions if t in ev.teaches}
        sessions = [(fm.v.editions[e].guests[g], b) for e, g, b in fm.v.sessions.get(t, [])]
        _one_course_at_a_time(fm, "trainer_not_double_booked", "trainer", trainer.id,
                              f"trainer {trainer.id} {trainer.name} gives one course or session at a time", "teaching",
                              uses, sessions)


def team_size_within_limits(fm: FactModel) -> None:
    rules = fm.inst.problem.team_rules
    if not fm.v.editions:
        return
    low = fm.fact("team_min", "team_size_within_limits", ["team rules min_trainers"],
                  f"a team has at least {rules.min_trainers} trainer(s) (team rules)",
                  f"allow teams of fewer than {rules.min_trainers}", POLICY, rules.min_trainers)
    high = fm.fact("team_max", "team_size_within_limits", ["team rules max_trainers"],
                   f"a team has at most {rules.max_trainers} trainer(s) (team rules)",
                   f"allow teams of more than {rules.max_trainers}", POLICY, rules.max_trainers)
    for ev in fm.v.editions:
        size = sum(ev.teaches.values())
        fm.model.add(size >= rules.min_trainers * ev.present).only_enforce_if(low)
        fm.model.add(size <= rules.max_trainers).only_enforce_if(high)


def team_covers_required_organisations(fm: FactModel) -> None:
    p = fm.inst.problem
    for ev in fm.v.editions:
        item, topic = ev.plan.edition.item, ev.plan.edition.topic.id
        own = item.required_organisations is not None
        for need in p.team_needs(item):
            if need.rule != REQUIRED_ORGANISATION_RULE:
                continue
            org = need.organisations[0]
            if own:
                editions = tuple(e.id for e in p.editions if e.topic.id == topic)
                lit = fm.fact(f"required_org[{topic},{org}]", REQUIRED_ORGANISATION_RULE,
                              [org, f"programme {topic} required_organisations"],
                              f"{topic}'s team includes a trainer of {org} (its programme item)",
                              f"let {topic} run without a trainer of {org}", POLICY, 0, editions)
            else:
                lit = fm.fact(f"required_org[{org}]", REQUIRED_ORGANISATION_RULE,
                              [org, "team rules required_organisations"],
                              f"every team includes a trainer of {org} (team rules)",
                              f"let teams run without a trainer of {org}", POLICY, 1)
            fm.model.add(sum(_members_of(fm.ctx, ev, need.organisations)) >= ev.present).only_enforce_if(lit)


def team_includes_a_lead_agency(fm: FactModel) -> None:
    p = fm.inst.problem
    for ev in fm.v.editions:
        item, topic = ev.plan.edition.item, ev.plan.edition.topic.id
        for need in p.team_needs(item):
            if need.rule != LEAD_AGENCY_RULE:
                continue
            editions = tuple(e.id for e in p.editions if e.topic.id == topic)
            lit = fm.fact(f"lead_agency[{topic}]", LEAD_AGENCY_RULE,
                          [*need.organisations, f"topic {topic} lead_agencies"],
                          f"a person of {need.describe()} delivers {topic}, on its team or as a guest",
                          f"let {topic} run without a person of its lead agencies", POLICY, 0, editions)
            members = _members_of(fm.ctx, ev, need.organisations, guests=need.guests_count)
            fm.model.add(sum(members) >= ev.present).only_enforce_if(lit)


def team_mixed_gender(fm: FactModel) -> None:
    p = fm.inst.problem
    if p.team_rules.mixed_gender != "hard" or not fm.v.editions:
        return
    lit = fm.fact("mixed_gender", "team_mixed_gender", ["team rules mixed_gender"],
                  "a team of two or more has a woman and a man (team rules, hard)",
                  "make the mixed-team rule soft", POLICY, 1)
    m = fm.model
    for ev in fm.v.editions:
        women = sum(b for t, b in ev.teaches.items() if fm.inst.trainers[t].gender == "woman")
        men = sum(b for t, b in ev.teaches.items() if fm.inst.trainers[t].gender == "man")
        # The team size is free when its bounds are facts, so "two or more" is decided here.
        two = m.new_bool_var(f"team_of_two[{ev.plan.id}]")
        size = sum(ev.teaches.values())
        m.add(size >= 2).only_enforce_if(two)
        m.add(size <= 1).only_enforce_if(~two)
        m.add(women >= two).only_enforce_if(lit)
        m.add(men >= two).only_enforce_if(lit)


def guest_slot_filled(fm: FactModel) -> None:
    p = fm.inst.problem
    for ev in fm.v.editions:
        topic = ev.plan.edition.topic.id
        for slot, filled in filled_slots(ev):
            if not slot.required:
                continue
            editions = tuple(e.id for e in p.editions if e.topic.id == topic)
            lit = fm.fact(f"guest_slot[{topic},{slot.id}]", "guest_slot_filled",
                          [f"programme {topic} guest_slots {slot.id}", *slot.organisations],
                          f"{topic}'s guest slot '{slot.id}' ({' or '.join(slot.organisations)}) is filled (required)",
                          f"make {topic}'s guest slot '{slot.id}' optional", POLICY, 0, editions)
            fm.model.add(filled == ev.present).only_enforce_if(lit)


def country_presents_once_per_edition(fm: FactModel) -> None:
    if not any(gv.gives for ev in fm.v.editions for gv in ev.guests):
        return
    lit = fm.fact("country_once", "country_presents_once_per_edition", ["guest sessions"],
                  "no country presents twice in one edition", "let a country present twice in an edition",
                  POLICY, 1)
    for ev in fm.v.editions:
        for lits in sessions_by_country(fm.inst, ev):
            fm.model.add(sum(lits) <= 1).only_enforce_if(lit)


def trainer_year_limit(fm: FactModel) -> None:
    for t, trainer in enumerate(fm.inst.trainers):
        cap = trainer.max_days_per_year
        if cap is None or _most_days(fm.ctx, t) <= cap:
            continue
        lit = fm.fact(f"year_limit[{trainer.id}]", "trainer_year_limit", [trainer.id],
                      f"trainer {trainer_label(trainer)} teaches at most {cap} days a year",
                      f"raise {trainer.id}'s yearly limit above {cap} days", LIMITS, cap)
        fm.model.add(sum(_load(fm.ctx, t)) <= cap).only_enforce_if(lit)


def trainer_month_limit(fm: FactModel) -> None:
    m = fm.model
    for t, trainer in enumerate(fm.inst.trainers):
        cap = trainer.max_days_per_month
        taught = [ev for ev in fm.v.editions if t in ev.teaches]
        if cap is None or sum(ev.plan.max_length for ev in taught) <= cap:
            continue
        lit = fm.fact(f"month_limit[{trainer.id}]", "trainer_month_limit", [trainer.id],
                      f"trainer {trainer_label(trainer)} teaches at most {cap} days a month",
                      f"raise {trainer.id}'s monthly limit above {cap} days", LIMITS, cap)
        per_month: dict[int, list[cp_model.LinearExprT]] = {}
        for ev in taught:
            top = ev.plan.max_length
            for month, days in fm.v.month_days(ev.plan.index).items():
                z = m.new_int_var(0, top, f"trainer_month_days[{trainer.id},{ev.plan.id},{month}]")
                m.add(z >= cast(cp_model.LinearExpr, days) - top * (1 - ev.teaches[t]))
                per_month.setdefault(month, []).append(z)
        for zs in per_month.values():
            if len(zs) > 0:
                m.add(sum(zs) <= cap).only_enforce_if(lit)


def organisation_quota(fm: FactModel) -> None:
    for org in fm.inst.problem.organisations:
        quota = org.trainer_day_quota
        if quota is None:
            continue
        load = [day for t, tr in enumerate(fm.inst.trainers) if tr.organisation == org.id for day in _load(fm.ctx, t)]
        if not load:
            continue
        lit = fm.fact(f"quota[{org.id}]", "organisation_quota", [org.id],
                      f"organisation {org.id} gives at most {quota} trainer-days (its quota)",
                      f"raise {org.id}'s quota above {quota} trainer-days", LIMITS, quota)
        fm.model.add(sum(load) <= quota).only_enforce_if(lit)


def prerequisite_finished_first(fm: FactModel) -> None:
    m, v = fm.model, fm.v
    by_topic: dict[str, list[int]] = {}
    for ev in v.editions:
        by_topic.setdefault(ev.plan.edition.topic.id, []).append(ev.plan.index)
    for k, pr in enumerate(fm.inst.problem.prerequisites):
        befores, afters = by_topic.get(pr.before), by_topic.get(pr.after)
        # A model of some editions only (explain's local checks) leaves out a prerequisite
        # whose topic it does not hold: without it, it would only forbid the edition.
        if not afters or not befores:
            continue
        gap = f", with at least {pr.min_gap_days} days between" if pr.min_gap_days else ""
        if pr.max_gap_days is not None:
            gap += f" and at most {pr.max_gap_days}"
        lit = fm.fact(f"prerequisite[{k}]", "prerequisite_finished_first",
                      [f"prerequisite {pr.before}->{pr.after}"],
                      f"{pr.before} is delivered before {pr.after} starts{gap}"
                      + (f" ({pr.reason})" if pr.reason else ""),
                      f"drop or loosen the prerequisite {pr.before} -> {pr.after}", PROGRAMME,
                      pr.min_gap_days)
        for b in afters:
            eb = v.editions[b]
            b_start = cast(cp_model.LinearExpr, v.day_number(b, end=False))
            links = []
            for a in befores:
                ea = v.editions[a]
                link = m.new_bool_var(f"after[{ea.plan.id},{eb.plan.id}]")
                m.add_implication(link, ea.present)
                m.add_implication(link, eb.present)
                between = b_start - cast(cp_model.LinearExpr, v.day_number(a, end=True))
                m.add(between >= pr.min_gap_days).only_enforce_if(link)
                if pr.max_gap_days is not None:
                    m.add(between <= pr.max_gap_days).only_enforce_if(link)
                links.append(link)
            m.add(sum(links) >= eb.present).only_enforce_if(lit)


def edition_has_enough_requests(fm: FactModel) -> None:
    inst = fm.inst
    if not inst.requests:
        return
    runs: dict[str, list[cp_model.IntVar]] = {}
    lits: dict[str, cp_model.IntVar] = {}
    for ev in fm.v.editions:
        ed = ev.plan.edition
        least = ed.item.min_participants
        if not least:
            continue
        topic = ed.topic.id
        editions = tuple(e.id for e in inst.problem.editions if e.topic.id == topic)
        lit = fm.fact(f"min_participants[{topic}]", "edition_has_enough_requests",
                      [f"programme {topic} min_participants"],
                      f"{topic} runs only with {least} participants, of the {len(inst.requests[topic])} "
                      "nominees who could sit it, free in its months",
                      f"lower {topic}'s minimum of participants", PROGRAMME, least, editions)
        lits[topic] = lit
        for thin, mode in thin_options(inst, ev):
            fm.model.add(sum(thin) + mode <= 1).only_enforce_if(lit)
        runs.setdefault(topic, []).append(ev.present)
    for topic, present in runs.items():
        most = inst.most_editions(topic)
        if most is not None and len(present) > most:
            fm.model.add(sum(present) <= most).only_enforce_if(lits[topic])


def pinned_edition_kept(fm: FactModel) -> None:
    inst, m = fm.inst, fm.model
    for ev in fm.v.editions:
        pin = inst.problem.pin_by_edition.get(ev.plan.id)
        if pin is None:
            continue
        what = []
        if pin.start is not None:
            what.append(f"to start {pin.start}")
        if pin.room is not None:
            what.append(f"in room {pin.room}")
        if pin.mode is not None:
            what.append(pin.mode.replace("_", " "))
        if pin.trainers is not None:
            what.append(f"with {', '.join(pin.trainers)}")
        if pin.guests:
            what.append("and guests " + ", ".join(f"{g.person} on {g.day}" for g in pin.guests))
        reason = f" ({pin.reason})" if pin.reason else ""
        lit = fm.fact(f"pin[{ev.plan.id}]", "pinned_edition_kept", [f"pin {ev.plan.id}"],
                      f"{ev.plan.id} is pinned {' '.join(what) or 'on the calendar'}{reason}",
                      f"unpin {ev.plan.id}", DATES, 0, (ev.plan.id,))
        m.add(ev.present == 1).only_enforce_if(lit)
        if pin.start is not None:
            first = inst.cal.index.get(pin.start)
            bad = [x for (s, _), x in zip(ev.plan.options, ev.choose, strict=True) if s != first]
            if bad:
                m.add(sum(bad) == 0).only_enforce_if(lit)
        if pin.room is not None:
            for r, b in ev.room.items():
                m.add(b == int(inst.rooms[r][1].id == pin.room)).only_enforce_if(lit)
        if pin.mode is not None:
            if pin.mode not in ev.mode:
                m.add_bool_or([~lit])
            for mode, b in ev.mode.items():
                m.add(b == int(mode == pin.mode)).only_enforce_if(lit)
        if pin.trainers is not None:
            known = {inst.trainers[t].id: b for t, b in ev.teaches.items()}
            if set(pin.trainers) - set(known):
                m.add_bool_or([~lit])  # a pinned trainer who cannot teach it
            for tid, b in known.items():
                m.add(b == int(tid in pin.trainers)).only_enforce_if(lit)
        if pin.guests is not None:
            keep_guests(m, inst, ev, pin.guests, [lit])


def budget_within_cap(fm: FactModel) -> None:
    budget = fm.inst.problem.budget_usd
    if budget is None:
        return
    lit = fm.fact("budget", "budget_within_cap", ["budget"],
                  f"fees, travel, room costs and interpretation stay within the budget of {budget:,} USD",
                  f"raise the budget above {budget:,} USD", LIMITS, budget)
    fm.model.add(_cost_usd(fm.ctx) <= budget).only_enforce_if(lit)


def budget_within_quarter_caps(fm: FactModel) -> None:
    ctx = fm.ctx
    for quarter, cap in sorted(fm.inst.problem.quarterly_budget_usd.items()):
        lit = fm.fact(f"budget[{quarter}]", "budget_within_quarter_caps", [f"budget {quarter}"],
                      f"fees, travel, room costs and interpretation of the editions starting in {quarter} stay "
                      f"within the quarter's cap of {cap:,} USD",
                      f"raise the cap of {quarter} above {cap:,} USD", LIMITS, cap)
        fm.model.add(quarter_cost_usd(ctx, quarter, cap, [lit]) <= cap).only_enforce_if(lit)


def _women_share(fm: FactModel, scope: str) -> None:
    from model.shares import scope_label

    band: ShareBand = getattr(fm.inst.problem.targets, f"trainer_days_{scope}")
    if band.mode != "hard":
        return
    for key, (women, known, _) in _trainer_days_by_scope(fm.ctx, scope).items():
        if isinstance(key, int) and scope == "month":
            y, mo = fm.inst.cal.months[key]
            label = scope_label(scope, (y, mo))
        else:
            label = scope_label(scope, key)
        lit = fm.fact(f"women_share[{scope},{key}]", f"trainer_days_women_share_{scope}",
                      [f"targets trainer_days_{scope}", label],
                      f"women give {band.describe()} of the trainer-days of {label} (hard target)",
                      f"make the women's share target of {label} soft", POLICY, 1)
        if band.min_share is not None:
            p = as_fraction(band.min_share)
            fm.model.add(p.denominator * women >= p.numerator * known).only_enforce_if(lit)
        if band.max_share is not None:
            q = as_fraction(band.max_share)
            fm.model.add(q.denominator * women <= q.numerator * known).only_enforce_if(lit)


def trainer_days_women_share_year(fm: FactModel) -> None:
    _women_share(fm, "year")


def trainer_days_women_share_module(fm: FactModel) -> None:
    _women_share(fm, "module")


def trainer_days_women_share_month(fm: FactModel) -> None:
    _women_share(fm, "month")


# The fact-enforced rules, in the build order of scheduler/rules.py's HARD registry.
FACT_RULES: tuple[Callable[[FactModel], None], ...] = (
    mandatory_edition_scheduled,
    edition_within_its_window,
    room_fits_the_edition,
    room_open,
    room_not_double_booked,
    online_stream_limit,
    trainer_available,
    trainer_not_double_booked,
    team_size_within_limits,
    team_covers_required_organisations,
    team_includes_a_lead_agency,
    team_mixed_gender,
    guest_slot_filled,
    country_presents_once_per_edition,
    trainer_year_limit,
    trainer_month_limit,
    organisation_quota,
    prerequisite_finished_first,
    edition_has_enough_requests,
    pinned_edition_kept,
    budget_within_cap,
    budget_within_quarter_caps,
    trainer_days_women_share_year,
    trainer_days_women_share_module,
    trainer_days_women_share_month,
)
