"""Why each optional edition was left out of a calendar, derived from the model.

For each optional edition the solver left out, in order:

1. the doctor's note, when the data alone rule it out (no team, no room, no start day);
2. otherwise its alternatives (:func:`model.explain.alternatives`: every week and room,
   everything else as scheduled, checked and costed by the checker): when one exists,
   including it at the best of them would cost so many points more than leaving it out
   (what that costs) -- or fewer, when the solver stopped before finding it;
3. otherwise a minimal set of facts that keep it off the calendar when every other
   edition stays where it is (``scheduler/explain.py`` on a model of that edition and its
   neighbours: the editions that share a qualified trainer or a room with it, stream with
   it, or are tied to it by a prerequisite, a budget, a quota or a share target): the
   editions that hold its trainers or room, the absences, its window...

All of it within a time budget; an edition not reached keeps the solver's generic reason.
"""

from __future__ import annotations

import time

from model.doctor import doctor
from model.explain import alternatives, points_text
from model.problem import STREAMED_MODES, Problem
from model.rules import RULES
from model.schedule import Schedule
from scheduler.explain import Budget, find_conflict
from scheduler.facts import build_fact_model

LEFT_OUT_SHARE = 0.2  # of the time limit, at most LEFT_OUT_MAX_S seconds
LEFT_OUT_MAX_S = 15.0


def explain_left_out(schedule: Schedule, *, time_limit_s: float = 60.0, deterministic: bool = False) -> None:
    """Give each optional edition left out of ``schedule`` a reason derived from the model (in place).

    Parameters
    ----------
    schedule
        A calendar with its problem.
    time_limit_s
        The solve's time limit: the reasons take a share of it (at most ``LEFT_OUT_MAX_S``).
    deterministic
        Count deterministic time, not the wall clock, so that the same calendar gets the same reasons.
    """
    left = [u for u in schedule.unscheduled if not u.mandatory]
    if not left:
        return
    seconds = min(LEFT_OUT_MAX_S, max(2.0, time_limit_s * LEFT_OUT_SHARE))
    budget = Budget(seconds, deterministic)
    wall_end = time.perf_counter() + 4 * seconds  # the checker's part is not solver time
    notes = {f.records[0]: f.message for f in doctor(schedule.problem) if not f.blocking}
    for u in left:
        if u.edition in notes:
            u.reason = notes[u.edition]
            continue
        if budget.over() or (not deterministic and time.perf_counter() > wall_end):
            continue
        u.reason = left_out_reason(schedule, u.edition, budget)


def left_out_reason(schedule: Schedule, edition_id: str, budget: Budget | None = None) -> str:
    """Why ``edition_id`` is not on the calendar: what including it would cost, or what blocks it."""
    budget = budget or Budget(10.0)
    alts = alternatives(schedule, edition_id)
    if alts.alternatives:
        best = alts.alternatives[0]
        where = f"{best.start} in {best.room or 'online'} with {', '.join(best.trainers)}"
        what = "; ".join(f"{RULES[r].name} {points_text(x) if x < 0 else '+' + points_text(x)}"
                         for r, x in best.changes.items())
        if best.delta > 0:
            return (f"left out: including it would cost {points_text(best.delta)} points more than leaving "
                    f"it out, at the best place found ({where}: {what})")
        return (f"left out, though including it would lower the objective by {points_text(-best.delta)} "
                f"points ({where}: {what}): the solver stopped before finding it")
    p = schedule.problem
    ed = p.edition_by_id[edition_id]
    needed = neighbours(p, schedule, edition_id)
    fm = build_fact_model(p, only=needed, keep=schedule, include=[edition_id])
    # The edition is on the calendar in a room that fits it; the rest is what may block it.
    fixed = [f"include[{edition_id}]", f"room_needs[{ed.topic.id}]"]
    keys = [k for k in fm.facts if not k.startswith("mandatory[")]
    conflict, status, _ = find_conflict(p, fm, keys, budget, 5.0, fixed=fixed, keep=schedule,
                                        include=[edition_id])
    if conflict is None:
        if status == "feasible":
            return ("left out: it fits without moving another edition, but only with another team or length "
                    "than the cheapest free one; the solver found the calendar better without it")
        return "left out: the calendar is better without it (not analysed further in the time allowed)"
    blockers = [f.text for f in conflict.facts]
    return "left out: it cannot be added without moving another edition: " + "; ".join(blockers)


def neighbours(p: Problem, schedule: Schedule, edition_id: str) -> set[str]:
    """The editions that can stand in the way of ``edition_id`` when the calendar stays as it is:
    in any mode it may run in (a room that holds it in one of them, the platform when one is
    streamed), against the others as scheduled."""
    ed = p.edition_by_id[edition_id]
    pool = {t.id for t in p.qualified_trainers(ed)}
    orgs = {p.trainer_by_id[t].organisation for t in pool}
    rooms = {r.id for _, r in p.suitable_rooms(ed)}  # any of its modes; none when always online
    streamed = ed.sometimes_streamed
    quota_orgs = {o.id for o in p.organisations if o.trainer_day_quota is not None} & orgs
    topics = {ed.topic.id}
    for pr in p.prerequisites:
        if ed.topic.id in (pr.before, pr.after):
            topics |= {pr.before, pr.after}
    everything = p.budget_usd is not None or bool(p.quarterly_budget_usd) or any(
        getattr(p.targets, f"trainer_days_{s}").mode == "hard" for s in ("year", "module", "month"))
    out = {edition_id}
    for se in schedule.editions:
        other = p.edition_by_id.get(se.edition)
        if other is None:
            continue
        team_orgs = {p.trainer_by_id[t].organisation for t in se.trainers if t in p.trainer_by_id}
        if (everything or pool & set(se.trainers) or (se.room and se.room in rooms)
                or (streamed and se.mode in STREAMED_MODES) or other.topic.id in topics
                or quota_orgs & team_orgs):
            out.add(se.edition)
    return out
