"""The budget frontier: what each budget buys, read from the calendars solved at each.

A calendar solved under a budget also keeps within every larger one, so the frontier at a
budget is the best calendar found at that budget or any smaller one: the one that seats the
most requests (then the lower objective). More budget therefore never serves less demand,
whatever each solve's luck within its time limit; ``solved_at_usd`` says which solve a point's
calendar comes from. The solves themselves run in ``scenarios/frontier.py``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from model.check import kpis
from model.schedule import Schedule

MAX_BUDGETS = 60  # solves in one frontier


class FrontierPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    budget_usd: int
    solved_at_usd: int | None = Field(description="the budget of the solve whose calendar this is; None: none found")
    status: str = Field(description="the status of the solve at this budget")
    cost_usd: int | None = None
    editions: int = 0
    requests: int = 0
    seated: int = Field(default=0, description="requests seated: a nominee in an edition of a topic they asked for")
    requests_by_priority: dict[int, int] = Field(default_factory=dict)
    seated_by_priority: dict[int, int] = Field(default_factory=dict)
    in_person: int = 0
    online: int = 0
    women_share: float | None = Field(default=None, description="women among seated participants of known gender")
    objective: float | None = None
    why: list[str] = Field(default_factory=list, description="why the solve at this budget found no calendar")


class Frontier(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem: str
    time_limit_s: float
    points: list[FrontierPoint]


def parse_budgets(spec: str) -> list[int]:
    """'300000:900000:50000' (first:last:step, last included) or '400000,650000' -> budgets in USD.

    Raises ValueError naming what is wrong.
    """
    try:
        if ":" in spec:
            first, last, step = (int(x.replace("_", "")) for x in spec.split(":"))
            if step <= 0:
                raise ValueError(f"the step of '{spec}' must be positive")
            if last < first:
                raise ValueError(f"'{spec}' ends ({last:,}) below where it starts ({first:,})")
            budgets = list(range(first, last + 1, step))
        else:
            budgets = [int(x.replace("_", "")) for x in spec.split(",") if x.strip()]
    except ValueError as e:
        if "must" in str(e) or "ends" in str(e):
            raise
        raise ValueError(f"budgets '{spec}': give first:last:step or a comma-separated list of whole USD") from e
    if not budgets:
        raise ValueError(f"budgets '{spec}': no budget")
    if any(b < 0 for b in budgets):
        raise ValueError(f"budgets '{spec}': a budget is negative")
    return sorted(set(budgets))


def _measure(budget: int, schedule: Schedule) -> FrontierPoint:
    report = schedule.solver
    status = report.status if report else "UNKNOWN"
    if not schedule.editions:
        return FrontierPoint(budget_usd=budget, solved_at_usd=None, status=status,
                             why=(report.diagnosis if report else []))
    k = kpis(schedule)
    return FrontierPoint(
        budget_usd=budget, solved_at_usd=budget, status=status, cost_usd=k.cost_usd, editions=k.editions_scheduled,
        requests=k.requests_total, seated=k.seated_total,
        requests_by_priority=k.requests_by_priority, seated_by_priority=k.seated_by_priority,
        in_person=k.seats_by_mode.get("in_person", 0), online=k.seats_by_mode.get("online", 0),
        women_share=k.women_share_of_participants, objective=k.objective)


def frontier(problem_name: str, time_limit_s: float, solved: dict[int, Schedule]) -> Frontier:
    """The frontier of the calendars ``solved`` at each budget (see the module's note)."""
    own = [_measure(b, s) for b, s in sorted(solved.items())]
    points: list[FrontierPoint] = []
    best: FrontierPoint | None = None
    for p in own:
        if p.solved_at_usd is not None and (best is None or (p.seated, -(p.objective or 0))
                                            > (best.seated, -(best.objective or 0))):
            best = p
        if best is None or best is p:
            points.append(p)
        else:
            points.append(best.model_copy(update={"budget_usd": p.budget_usd, "status": p.status}))
    return Frontier(problem=problem_name, time_limit_s=time_limit_s, points=points)
