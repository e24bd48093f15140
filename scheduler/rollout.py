"""The rollout's later years, quarter by quarter, as a small CP-SAT model.

The first year is the calendar already made (``Schedule``); this model chooses which topics run
in which quarter of the later years. Its hard rules are ``model.rollout.ROLLOUT_RULES``, each
built here under the same id, every constraint enforced by a literal named after its records so
that an impossible rollout is explained by the smallest set the solver finds. Soft: priority
topics late (working days from the rollout's start x priority), the first year's requests left
without a seat and not served in the second year (x (1 + priority)), and the estimated cost,
weighed with the problem's own weights; among equal plans, the earlier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from model.doctor import least_costs
from model.problem import Problem
from model.rollout import (
    ROLLOUT_RULES,
    Quarter,
    RolloutEdition,
    RolloutPlan,
    ThemeCoverage,
    carried_requests,
    due_topics,
    first_year_editions,
    most_days,
    rollout_quarters,
    topic_costs,
    topic_days,
)
from model.schedule import Schedule, relative_gap


@dataclass
class Plan:
    """The model and what its rules read."""

    problem: Problem
    model: cp_model.CpModel
    later: list[Quarter]
    ran: set[str]  # topics on the first year's calendar
    days: dict[str, int]
    costs: dict[str, int]
    most: dict[str, int]
    explain: bool = False  # every constraint enforced by a literal, for the solver to name a set
    x: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)  # (topic, quarter) -> runs
    reasons: dict[int, tuple[str, str]] = field(default_factory=dict)  # literal index -> (rule, why)
    literals: list[cp_model.IntVar] = field(default_factory=list)
    year_of: dict[str, int] = field(init=False)  # a later quarter's label -> its rollout year

    def __post_init__(self) -> None:
        self.year_of = {q.label: q.year for q in self.later}

    def runs(self, topic: str, quarters: list[Quarter] | None = None) -> list[cp_model.IntVar]:
        return [self.x[(topic, q.label)] for q in (self.later if quarters is None else quarters)
                if (topic, q.label) in self.x]

    def enforce(self, rule: str, why: str, ct: cp_model.Constraint) -> None:
        if not self.explain:
            return
        lit = self.model.new_bool_var(why)
        ct.only_enforce_if(lit)
        self.reasons[lit.index] = (rule, why)
        self.literals.append(lit)


def topic_covered(c: Plan) -> None:
    for topic in due_topics(c.problem):
        if topic not in c.ran:
            c.enforce("rollout_topic_covered", f"{topic} runs at least once in the rollout",
                      c.model.add(sum(c.runs(topic)) >= 1))


def theme_by_year(c: Plan) -> None:
    for theme in c.problem.rollout.themes:
        by = [q for q in c.later if q.year <= theme.by_year]
        for topic in theme.topics:
            if topic not in c.ran:
                c.enforce("rollout_theme_by_year", f"theme '{theme.name or theme.id}' is due by year "
                                                   f"{theme.by_year}: {topic} runs by then",
                          c.model.add(sum(c.runs(topic, by)) >= 1))


def prerequisite_first(c: Plan) -> None:
    dropped = set(c.problem.rollout.dropped)
    planned = {item.topic for item in c.problem.programme}
    for pr in c.problem.prerequisites:
        if pr.after in c.ran or pr.before in c.ran or pr.before in dropped or pr.before not in planned:
            continue
        for k, q in enumerate(c.later):
            if (pr.after, q.label) in c.x:
                c.enforce("rollout_prerequisite_first", f"{pr.before} before {pr.after}",
                          c.model.add(c.x[(pr.after, q.label)] <= sum(c.runs(pr.before, c.later[:k]))))


def quarter_capacity(c: Plan) -> None:
    for q in c.later:
        held = [c.days[t] * v for (t, label), v in c.x.items() if label == q.label]
        if held:
            c.enforce("rollout_quarter_capacity", f"{q.label} holds at most {c.most[q.label]} course days",
                      c.model.add(sum(held) <= c.most[q.label]))


def year_budget(c: Plan) -> None:
    budget = c.problem.budget_usd
    if budget is None:
        return
    for year in sorted({q.year for q in c.later}):
        spent = [c.costs[t] * v for (t, label), v in c.x.items() if c.year_of[label] == year]
        if spent:
            c.enforce("rollout_year_budget", f"year {year}'s budget of {budget:,} USD",
                      c.model.add(sum(spent) <= budget))


def editions_per_year(c: Plan) -> None:
    for item in c.problem.programme:
        for year in sorted({q.year for q in c.later}):
            runs = c.runs(item.topic, [q for q in c.later if q.year == year])
            if len(runs) > item.editions:
                c.enforce("rollout_editions_per_year", f"{item.topic} at most {item.editions} a year",
                          c.model.add(sum(runs) <= item.editions))


HARD: dict[str, Callable[[Plan], None]] = {
    "rollout_topic_covered": topic_covered,
    "rollout_theme_by_year": theme_by_year,
    "rollout_prerequisite_first": prerequisite_first,
    "rollout_quarter_capacity": quarter_capacity,
    "rollout_year_budget": year_budget,
    "rollout_editions_per_year": editions_per_year,
}
assert list(HARD) == [r.id for r in ROLLOUT_RULES]


def _objective(c: Plan, carried: dict[str, int]) -> cp_model.LinearExprT:
    p, w = c.problem, c.problem.weights
    terms: list[cp_model.LinearExprT] = []
    item = {i.topic: i for i in p.programme}
    quarter = {q.label: q for q in c.later}
    index = {q.label: k for k, q in enumerate(c.later)}
    for (topic, label), v in c.x.items():
        q = quarter[label]
        late = w.priority_topic_late * item[topic].priority * q.offset
        terms.append((round(late + w.cost * c.costs[topic] / 100) + index[label]) * v)  # among equals, earlier
    second = [q for q in c.later if q.year == 2]
    for topic, waiting in carried.items():
        if topic not in item or not c.runs(topic, second):
            continue
        seats = item[topic].participants_in_person + item[topic].participants_online
        served = c.model.new_int_var(0, waiting, f"served[{topic}]")
        c.model.add(served <= seats * sum(c.runs(topic, second)))
        terms.append(round(w.requests_beyond_seats * (1 + item[topic].priority)) * (waiting - served))
    return sum(terms)


def _build(first_year: Schedule, quarters: list[Quarter], costs: dict[str, int], *, explain: bool) -> Plan:
    p = first_year.problem
    c = Plan(p, cp_model.CpModel(), [q for q in quarters if q.year > 1],
             {se.topic for se in first_year.editions}, topic_days(p), costs, most_days(p, first_year, quarters),
             explain=explain)
    dropped = set(p.rollout.dropped)
    for item in p.programme:
        if item.topic in costs and item.topic not in dropped:
            for q in c.later:
                c.x[(item.topic, q.label)] = c.model.new_bool_var(f"run[{item.topic},{q.label}]")
    for build in HARD.values():
        build(c)
    return c


def _solver(time_limit_s: float, workers: int, deterministic: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = workers
    if deterministic:
        prm.max_deterministic_time = time_limit_s
    else:
        prm.max_time_in_seconds = time_limit_s
    return solver


def plan_rollout(first_year: Schedule, *, time_limit_s: float = 10.0, workers: int = 2,
                 deterministic: bool = False) -> RolloutPlan:
    """The rollout over ``problem.rollout.years``: the first year as ``first_year`` made it, the
    later ones chosen by quarter. A plan without a solution says why in ``diagnosis``: the model
    is built again with a literal per constraint, and the solver names a set it cannot keep."""
    p = first_year.problem
    quarters = rollout_quarters(p)
    costs = topic_costs(first_year, least_costs(p))
    carried = carried_requests(first_year)
    first = first_year_editions(first_year, costs)
    c = _build(first_year, quarters, costs, explain=False)
    c.model.minimize(_objective(c, carried))
    solver = _solver(time_limit_s, workers, deterministic)
    code = solver.solve(c.model)
    status = solver.status_name(code)
    plan = RolloutPlan(problem=p.name, years=p.rollout.years, quarters=quarters, editions=first,
                       topic_days=c.days, topic_cost_usd=costs, most_days=c.most, carried_requests=carried,
                       status=status)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan.diagnosis = _why_none(first_year, quarters, costs, time_limit_s, deterministic, status)
        return plan
    plan.editions = first + [RolloutEdition(topic=t, quarter=label, year=c.year_of[label], days=c.days[t],
                                            cost_usd=costs[t])
                             for (t, label), v in c.x.items() if solver.value(v)]
    plan.objective = solver.objective_value
    plan.bound = plan.objective if code == cp_model.OPTIMAL else min(plan.objective, solver.best_objective_bound)
    plan.gap = relative_gap(plan.objective, plan.bound)
    plan.themes = _coverage(p, plan)
    return plan


def _why_none(first_year: Schedule, quarters: list[Quarter], costs: dict[str, int], time_limit_s: float,
              deterministic: bool, status: str) -> list[str]:
    c = _build(first_year, quarters, costs, explain=True)
    c.model.add_assumptions(c.literals)
    solver = _solver(time_limit_s, 1, deterministic)  # the assumptions' core comes from one worker
    if solver.solve(c.model) != cp_model.INFEASIBLE:
        return [f"no rollout found within {time_limit_s:g} s ({status}); allow more time"]
    why = [c.reasons[i][1] for i in solver.sufficient_assumptions_for_infeasibility() if i in c.reasons]
    out = [f"no rollout keeps all of: {'; '.join(why)}"]
    no_team = sorted(item.topic for item in c.problem.programme if item.topic not in costs and item.topic not in c.ran)
    if no_team:
        out.append(f"no team can give {', '.join(no_team)}: it cannot run in a later year")
    return out


def _coverage(p: Problem, plan: RolloutPlan) -> list[ThemeCoverage]:
    first = plan.first_run()
    out = []
    for theme in p.rollout.themes:
        missing = [t for t in theme.topics if t not in first]
        out.append(ThemeCoverage(theme=theme.id, name=theme.name, by_year=theme.by_year, missing=missing,
                                 covered_in_year=None if missing else max(first[t].year for t in theme.topics)))
    return out
