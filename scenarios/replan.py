"""Re-planning a published calendar: freeze what has happened, move the rest as little as possible."""

from __future__ import annotations

from datetime import date

from model.compare import CalendarDiff, diff
from model.formats.files import problem_from_data
from model.problem import Problem
from model.schedule import Schedule
from scheduler.solve import Result, SolveOptions, solve


def with_baseline(problem: Problem, published: Schedule, freeze_before: date | None = None) -> Problem:
    """``problem`` asked to stay close to ``published``; editions starting before
    ``freeze_before`` are pinned exactly as they were (they have happened or are announced)."""
    data = problem.model_dump(mode="json")
    known = problem.edition_by_id
    kept = [se for se in published.editions if se.edition in known]
    data["baseline"] = [
        {"edition": se.edition, "start": se.start.isoformat(), "room": se.room, "mode": se.mode,
         "trainers": se.trainers, "guests": [g.model_dump(mode="json") for g in se.guests]}
        for se in kept
    ]
    if freeze_before is not None:
        pinned = {p["edition"] for p in data.get("pins", [])}
        # A frozen edition keeps the mode it ran in while its programme item still allows it.
        data["pins"] = data.get("pins", []) + [
            {"edition": se.edition, "start": se.start.isoformat(), "room": se.room,
             "mode": se.mode if se.mode in known[se.edition].modes else None, "trainers": se.trainers,
             "guests": [g.model_dump(mode="json") for g in se.guests],
             "reason": f"frozen: starts before {freeze_before}"}
            for se in kept
            if se.start < freeze_before and se.edition not in pinned
        ]
    return problem_from_data(data, "re-plan")


def replan(problem: Problem, published: Schedule, freeze_before: date | None,
           options: SolveOptions | None = None) -> tuple[Result, CalendarDiff]:
    """Solve ``problem`` staying close to ``published``; the result and what changed."""
    staying = with_baseline(problem, published, freeze_before)
    result = solve(staying, options, start_from=published)
    changes = diff(published, result.schedule) if result.found else CalendarDiff()
    return result, changes
