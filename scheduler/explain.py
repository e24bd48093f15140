"""Why no calendar exists: a minimal set of input facts that cannot all hold, in planner words.

The method (see ``scheduler/facts.py`` for the facts):

1. Each edition that must run is tried on its own (a model of that edition alone, every
   fact on): an edition that cannot run even alone is a *local* conflict, found in
   milliseconds, and every such edition is reported.
2. Otherwise the whole problem is solved with every fact as a CP-SAT assumption and no
   objective; on INFEASIBLE the solver's sufficient assumptions are a first, perhaps large,
   set of facts.
3. That set is shrunk to a minimal one by deletion: each fact is dropped in turn and the
   rest re-solved (a short limit per check); if still infeasible it stays dropped (and the
   solver's new sufficient set, when smaller, replaces the rest), otherwise it is needed.
   At the end every fact left has been shown needed: dropping any one of them alone lets a
   calendar exist. The set is re-checked infeasible once more as a whole.
4. The facts are phrased with their records (trainers with names, dates, editions,
   organisations), and the relaxations are the relaxable facts of the set, least change
   first: the planner's own dates and pins (a window, a pin), then absences and closures
   (the fewer working days the better), then limits (month, year, quota, budget), then the
   programme and platform (prerequisites, participants, streams), then centre policy (team
   rules, hard women's-share targets), and last making a course optional. A room or a
   trainer hosting one course at a time is part of the explanation, never a relaxation.

A local conflict found on a model of one edition is minimal for the whole problem too:
with the other editions' facts off, they may all be left out, so the rest of the model
adds nothing.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ortools.sat.python import cp_model

from model.problem import Problem
from model.rules import RULES
from model.schedule import Cause, Schedule
from scheduler.facts import DATES, DROP, Fact, FactModel, build_fact_model

Status = Literal["explained", "not_minimal", "timeout", "feasible"]


@dataclass
class Conflict:
    """A set of facts that cannot all hold, and the editions they keep off the calendar."""

    facts: list[Fact]
    editions: list[str]  # the editions whose own facts are in the set
    also: list[str] = field(default_factory=list)  # editions blocked by the same shared facts
    minimal: bool = True
    notes: list[str] = field(default_factory=list)

    def relaxations(self) -> list[Fact]:
        """The facts a planner may drop, least change first (see the module docstring)."""
        return sorted((f for f in self.facts if f.relaxable), key=lambda f: (f.tier, f.size, f.key))

    @property
    def local(self) -> bool:
        return len(self.editions) == 1


@dataclass
class Explanation:
    status: Status
    conflicts: list[Conflict] = field(default_factory=list)
    elapsed_s: float = 0.0
    checks: int = 0
    more: list[str] = field(default_factory=list)  # other editions that cannot run on their own

    @property
    def found(self) -> bool:
        return self.status in ("explained", "not_minimal") and bool(self.conflicts)

    def lines(self) -> list[str]:
        """The explanation as diagnosis lines."""
        if self.status == "feasible":
            return ["with every input fact as a constraint a calendar exists: what rules it out is not "
                    "among the facts the explanation models"]
        if not self.found:
            return []
        out = []
        for i, c in enumerate(self.conflicts):
            n = len(c.facts)
            lead = "no calendar meets every hard rule together" if i == 0 else "also"
            if n == 1:
                head = f"{lead}: {c.editions[0]} cannot be scheduled, because this fact cannot hold"
                head += " (drop it and a calendar exists):"
            else:
                if c.local:
                    head = (f"{lead}: {c.editions[0]} cannot be scheduled, because these {n} facts cannot "
                            "all hold")
                else:
                    head = f"{lead}: these {n} facts cannot all hold together"
                head += " (drop any one of them and a calendar exists):" if c.minimal else \
                    " (not shown minimal in the time allowed):"
            out.append(head)
            out += [f"  - {f.text} ({'rule: ' + RULES[f.rule].name})" for f in c.facts]
            out += [f"  note: {note}" for note in c.notes]
            if c.also:
                out.append(f"  the same facts also keep {_listing(c.also)} off the calendar "
                           "(each with its own mandatory flag and window)")
            relax = c.relaxations()
            if relax:
                out.append("  to restore a calendar, relax one (least change first): "
                           + "; ".join(f"({k}) {f.relax}" for k, f in enumerate(relax, 1)))
        if self.more:
            out.append(f"also unable to run on their own, for reasons of their own: {_listing(self.more)}")
        return out

    def causes(self) -> list[Cause]:
        """The facts of every conflict as records for the JSON and the API."""
        out = []
        for i, c in enumerate(self.conflicts):
            order = {f.key: k for k, f in enumerate(c.relaxations(), 1)}
            for f in c.facts:
                out.append(Cause(source="explanation", conflict=i + 1, rule=f.rule, name=RULES[f.rule].name,
                                 records=list(f.records), message=f.text, relaxation=f.relax,
                                 relaxation_rank=order.get(f.key), editions=c.editions + c.also))
        return out


def _listing(ids: list[str], most: int = 12) -> str:
    shown = ", ".join(ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")


# ------------------------------------------------------------------------------ search


class Budget:
    """The time an explanation may take: wall-clock, or the solver's deterministic time.

    In deterministic runs (scenarios, ``--deterministic``) every limit is deterministic
    time and only solver work counts, so the same problem gets the same explanation.
    """

    def __init__(self, seconds: float, deterministic: bool = False) -> None:
        self.deterministic = deterministic
        self.seconds = seconds
        self.deadline = time.perf_counter() + seconds
        self.spent = 0.0

    def left(self) -> float:
        if self.deterministic:
            return self.seconds - self.spent
        return self.deadline - time.perf_counter()

    def over(self) -> bool:
        return self.left() <= 0

    def limit(self, solver: cp_model.CpSolver, seconds: float) -> None:
        if self.deterministic:
            solver.parameters.max_deterministic_time = seconds
            solver.parameters.max_time_in_seconds = max(60.0, 20 * seconds)
        else:
            solver.parameters.max_time_in_seconds = seconds

    def charge(self, solver: cp_model.CpSolver) -> None:
        self.spent += solver.response_proto.deterministic_time


class _Search:
    """Solves a fact model under a subset of its facts, within a budget."""

    def __init__(self, fm: FactModel, budget: Budget, check_limit_s: float) -> None:
        self.fm = fm
        self.budget = budget
        self.check_limit_s = check_limit_s
        self.checks = 0

    def left(self) -> float:
        return self.budget.left()

    def solve(self, keys: Iterable[str], limit: float | None = None) -> tuple[str, list[str]]:
        """("infeasible", sufficient keys) | ("feasible", []) | ("unknown", [])."""
        keys = list(keys)
        fm = self.fm
        lits = {k: fm.facts[k].literal for k in keys}
        fm.model.clear_assumptions()
        fm.model.add_assumptions([lit for lit in lits.values() if lit is not None])
        budget = min(self.check_limit_s if limit is None else limit, self.left())
        if budget <= 0.01:
            return "unknown", []
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.num_workers = 1  # the sufficient assumptions are reported by a single worker only
        prm.cp_model_probing_level = 0
        self.budget.limit(solver, budget)
        self.checks += 1
        code = solver.solve(fm.model)
        self.budget.charge(solver)
        if code == cp_model.INFEASIBLE:
            index = {lit.index: k for k, lit in lits.items() if lit is not None}
            found = list(solver.sufficient_assumptions_for_infeasibility())
            core = [index[i] for i in found if i in index]
            if not core or len(core) != len(found):  # none, or a literal outside the assumptions
                core = keys
            return "infeasible", core
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "feasible", []
        return "unknown", []

    def shrink(self, keys: list[str], fixed: Iterable[str] = ()) -> tuple[list[str], bool]:
        """A minimal subset of ``keys`` that is infeasible together with ``fixed`` (always on).

        Returns the subset and whether it was shown minimal (every check settled in time).
        """
        fixed = list(fixed)
        current = list(keys)
        needed: set[str] = set()
        settled = True
        # Drop first what an explanation needs least: mandatory flags, then policy, ...
        order = sorted(current, key=lambda k: (-self.fm.facts[k].tier, k))
        for key in order:
            if key not in current or key in needed:
                continue
            trial = [k for k in current if k != key]
            status, core = self.solve(fixed + trial)
            if status == "infeasible":
                core_set = set(core)
                smaller = [k for k in trial if k in core_set]
                current = smaller if smaller and len(smaller) < len(trial) else trial
                current = [k for k in current if k not in fixed]
                needed &= set(current)
            elif status == "feasible":
                needed.add(key)
            else:
                needed.add(key)
                settled = False
        if settled and self.solve(fixed + current)[0] != "infeasible":
            # A sufficient set that was not (or-tools #5141): start again, trusting no core.
            return self._plain_deletion(keys, fixed)
        return current, settled

    def _plain_deletion(self, keys: list[str], fixed: list[str]) -> tuple[list[str], bool]:
        current = list(keys)
        settled = True
        for key in list(current):
            trial = [k for k in current if k != key]
            status, _ = self.solve(fixed + trial)
            if status == "infeasible":
                current = trial
            elif status == "unknown":
                settled = False
        return current, settled


def _own(fact: Fact, edition: str) -> bool:
    return edition in fact.editions


def explain_infeasible(problem: Problem, *, time_budget_s: float = 25.0, check_limit_s: float = 5.0,
                       most_conflicts: int = 5, deterministic: bool = False) -> Explanation:
    """A minimal set of input facts that together make ``problem`` infeasible, in planner words.

    Parameters
    ----------
    problem
        A validated problem that has no calendar.
    time_budget_s
        The whole explanation's budget: past it the search stops (status "timeout", or
        "not_minimal" when a conflict was found but not shown minimal).
    check_limit_s
        The limit of each feasibility check while shrinking.
    most_conflicts
        How many editions that cannot run on their own get their own conflict.
    deterministic
        Count deterministic solver time instead of wall-clock time (same problem, same answer).

    Returns
    -------
    Explanation
        The conflicts (each a minimal set of facts, the editions they block and the
        relaxations, least change first), with the time taken and the number of checks.
    """
    t0 = time.perf_counter()
    budget = Budget(time_budget_s, deterministic)
    conflicts, more, checks = _local_conflicts(problem, budget, check_limit_s, most_conflicts)
    if not conflicts and not budget.over():
        conflict, outcome, spent = _global_conflict(problem, budget, check_limit_s)
        checks += spent
        if conflict is None:
            return Explanation(outcome, [], time.perf_counter() - t0, checks)
        conflicts = [conflict]
    if not conflicts:
        return Explanation("timeout", [], time.perf_counter() - t0, checks)
    for c in conflicts:
        c.notes = _notes(problem, c)
    status: Status = "explained" if all(c.minimal for c in conflicts) else "not_minimal"
    return Explanation(status, conflicts, time.perf_counter() - t0, checks, more)


def _must_run(problem: Problem) -> list[str]:
    return [ed.id for ed in problem.editions if ed.mandatory or ed.id in problem.pin_by_edition]


def _local_conflicts(problem: Problem, budget: Budget, check_limit_s: float,
                     most: int) -> tuple[list[Conflict], list[str], int]:
    """Editions that cannot run even on their own, grouped by the shared facts that block them."""
    # Editions the doctor already flags come first: they are the likeliest.
    from model.doctor import doctor

    flagged = {r for f in doctor(problem) for r in f.records}
    order = sorted(_must_run(problem), key=lambda e: (e not in flagged, problem.editions.index(
        problem.edition_by_id[e])))
    checks = 0
    found: list[tuple[str, list[str], bool]] = []  # (edition, minimal keys, shown minimal)
    models: dict[str, FactModel] = {}
    for eid in order:
        if budget.over():
            break
        fm = build_fact_model(problem, only=[eid])
        search = _Search(fm, budget, check_limit_s)
        # A women's-share target is a ratio over all editions: one edition alone proves
        # nothing about it (another could bring the women-days), so it is left to step 2.
        status, core = search.solve([k for k, f in fm.facts.items() if not _ratio(f)])
        checks += search.checks
        if status != "infeasible":
            continue
        models[eid] = fm
        found.append((eid, core, True))
    conflicts: list[Conflict] = []
    more: list[str] = []  # past ``most`` conflicts: named, not explained
    shared_of: list[list[str]] = []
    for eid, core, _ in found:
        fm = models[eid]
        group = next((c for c, shared in zip(conflicts, shared_of, strict=True)
                      if shared and _still_blocked(fm, shared, eid, budget, check_limit_s)), None)
        if group is not None:
            group.also.append(eid)
            continue
        if len(conflicts) >= most:
            more.append(eid)
            continue
        search = _Search(fm, budget, check_limit_s)
        keys, minimal = search.shrink(core)
        checks += search.checks
        conflicts.append(Conflict([fm.facts[k] for k in _sorted(fm, keys)], [eid], minimal=minimal))
        shared_of.append([k for k in keys if not _own(fm.facts[k], eid)])
    return conflicts, more, checks


def _ratio(fact: Fact) -> bool:
    return fact.rule.startswith("trainer_days_women_share_")


def facts_hold(problem: Problem, keys: Collection[str], time_limit_s: float = 10.0) -> bool | None:
    """Can these facts (keys of the explain model) all hold together? None if not settled in time.

    The check behind every "drop any one of them and a calendar exists": the facts left out
    are off, as when the explanation was shrunk.
    """
    fm = build_fact_model(problem)
    unknown = [k for k in keys if k not in fm.facts]
    if unknown:
        raise KeyError(f"no such fact: {', '.join(unknown)}")
    status, _ = _Search(fm, Budget(time_limit_s), time_limit_s).solve(keys)
    return {"feasible": True, "infeasible": False}.get(status)


def _still_blocked(fm: FactModel, shared: list[str], eid: str, budget: Budget,
                   check_limit_s: float) -> bool:
    """Do ``shared`` facts, with this edition's own facts, keep it off the calendar?"""
    if not all(k in fm.facts for k in shared):
        return False
    own = [k for k, f in fm.facts.items() if _own(f, eid) and not _ratio(f)]
    return _Search(fm, budget, check_limit_s).solve([*shared, *own])[0] == "infeasible"


def _global_conflict(problem: Problem, budget: Budget,
                     check_limit_s: float) -> tuple[Conflict | None, Status, int]:
    fm = build_fact_model(problem)
    return find_conflict(problem, fm, list(fm.facts), budget, check_limit_s)


def find_conflict(problem: Problem, fm: FactModel, keys: list[str], budget: Budget, check_limit_s: float,
                  *, fixed: Collection[str] = (), keep: Schedule | None = None,
                  include: Collection[str] = ()) -> tuple[Conflict | None, Status, int]:
    """A minimal subset of the facts ``keys`` of ``fm`` that cannot all hold with those ``fixed``.

    Returns the conflict (None when the facts can all hold, or nothing was settled in time),
    the status and the number of solver checks. The fixed facts are always on and never part
    of the conflict. ``keep`` and ``include`` are those ``fm`` was built with, for the focused
    model.
    """
    fixed = [k for k in fixed if k in fm.facts]
    keys = [k for k in keys if k not in fixed]
    search = _Search(fm, budget, check_limit_s)
    status, core = search.solve([*fixed, *keys], limit=max(0.0, search.left()))
    core = [k for k in core if k not in fixed]
    if status == "feasible":
        return None, "feasible", search.checks
    if status != "infeasible":
        return None, "timeout", search.checks
    checks = search.checks
    focused = _focus(problem, fm, [*core, *fixed], keep, include)
    small = None
    if focused is not None:
        # Shrink on a model of the editions the sufficient set concerns: each check then
        # takes milliseconds instead of seconds (see _focus for why it is exact).
        sub = [k for k in core if k in focused.facts]
        sub_fixed = [k for k in fixed if k in focused.facts]
        small = _Search(focused, budget, check_limit_s)
        if small.solve([*sub_fixed, *sub])[0] != "infeasible":
            small = None
    if small is not None and focused is not None:
        found, minimal = small.shrink(sub, sub_fixed)
        checks += small.checks
        fm = focused
    else:
        found, minimal = search.shrink(core, fixed)
        checks = search.checks
    single = [fm.facts[k].editions[0] for k in found if len(fm.facts[k].editions) == 1]
    editions = sorted(set(single or [e for k in found for e in fm.facts[k].editions]),
                      key=lambda e: problem.editions.index(problem.edition_by_id[e]))
    conflict = Conflict([fm.facts[k] for k in _sorted(fm, found)], editions, minimal=minimal)
    return conflict, "explained" if minimal else "not_minimal", checks


def _focus(problem: Problem, fm: FactModel, core: list[str], keep: Schedule | None = None,
           include: Collection[str] = ()) -> FactModel | None:
    """The fact model of only the editions a sufficient set of facts concerns, if that is exact.

    Facts of the set that name editions (mandatory flags, windows, pins, room needs) and the
    topics of its prerequisites give the editions that must run; every other edition may be
    left out once its own facts are off, and then adds nothing to any constraint but the
    women's-share targets (a ratio over all editions), so a set with one of those is not
    focused. Infeasible on the focused model means infeasible on the whole, and a fact
    shown needed there is needed on the whole too (the others left out give a calendar).
    """
    facts = [fm.facts[k] for k in core]
    if any(_ratio(f) for f in facts):
        return None
    needed = {e for f in facts for e in f.editions}
    for f in facts:
        if f.rule == "prerequisite_finished_first":
            pair = f.records[0].removeprefix("prerequisite ").split("->")
            needed |= {ed.id for ed in problem.editions if ed.topic.id in pair}
    if not needed or len(needed) == len(problem.editions):
        return None
    return build_fact_model(problem, only=needed, keep=keep, include=[e for e in include if e in needed])


def _sorted(fm: FactModel, keys: Iterable[str]) -> list[str]:
    """Facts in reading order: the editions first, then dates, resources, rules."""
    rank = {DROP: 0, DATES: 1}
    return sorted(keys, key=lambda k: (rank.get(fm.facts[k].tier, 2 + fm.facts[k].tier), k))


def _notes(problem: Problem, c: Conflict) -> list[str]:
    """Context a planner needs to read the facts: who is qualified, how long the courses are."""
    out = []
    eds = [problem.edition_by_id[e] for e in c.editions]
    cal = problem.work_calendar
    for ed in eds:
        lengths = ed.durations
        span = f"{lengths[0]}" if len(lengths) == 1 else f"{lengths[0]}-{lengths[-1]}"
        out.append(f"{ed.id} lasts {span} day(s), {' or '.join(m.replace('_', ' ') for m in ed.modes)}")
        straddle = problem.calendar.allow_straddle
        if not any(straddle or cal.consecutive(s, d) for d in lengths for s in range(len(cal) - d + 1)):
            out.append(f"the horizon has no block of {span} consecutive working days for {ed.id} "
                       "(weekends, holidays and closures)")
    windows: dict[tuple[date, date], list[str]] = {}
    for f in c.facts:
        if f.rule == "edition_within_its_window":
            item = next(i for i in problem.programme if f.key.endswith(f"[{i.topic}]"))
            first = max(item.earliest_start or problem.calendar.start, problem.calendar.start)
            last = min(item.latest_end or problem.calendar.end, problem.calendar.end)
            windows.setdefault((first, last), [])
            if item.topic not in windows[(first, last)]:
                windows[(first, last)].append(item.topic)
    for (first, last), topics in windows.items():
        working = sum(1 for d in cal.days if first <= d <= last)
        off = [f"{d} {why}" for d, why in sorted(cal.off.items()) if first <= d <= last and why != "weekend"]
        whose = f"the window of {topics[0]}" if len(topics) == 1 else f"the windows of {', '.join(topics)}"
        text = f"{whose}, {first} to {last}, {'has' if len(topics) == 1 else 'have'} {working} working day(s)"
        if off:
            text += "; off besides weekends: " + ", ".join(off[:6]) + (" ..." if len(off) > 6 else "")
        out.append(text)
    for f in c.facts:
        if f.rule == "team_covers_required_organisations":
            org = f.records[0]
            for ed in eds:
                who = [t.id for t in problem.qualified_trainers(ed) if t.organisation == org]
                out.append(f"the {org} trainers qualified for {ed.id} are {', '.join(who) or 'none'}")
        if f.rule == "team_includes_a_lead_agency":
            for ed in eds:
                leads = ed.topic.lead_agencies
                who = [t.id for t in problem.qualified_trainers(ed) if t.organisation in leads]
                out.append(f"the people of {ed.topic.id}'s lead agencies ({' or '.join(leads)}) qualified for "
                           f"{ed.id} are {', '.join(who) or 'none'}")
        if f.rule == "team_mixed_gender":
            for ed in eds:
                pool = problem.qualified_trainers(ed)
                women = [t.id for t in pool if t.gender == "woman"]
                men = [t.id for t in pool if t.gender == "man"]
                out.append(f"qualified for {ed.id}: women {', '.join(women) or 'none'}; "
                           f"men {', '.join(men) or 'none'}")
    return list(dict.fromkeys(out))

