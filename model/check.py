"""The solver-independent checker: every hard rule re-tested, every KPI and penalty recomputed.

It reads a :class:`~model.schedule.Schedule` alone (the schedule embeds its problem), so it
verifies solver output and hand-edited calendars alike. It runs the rules' own checkers and
evaluators (``model/rules/``) and nothing else: the verdict, each soft rule's amount and
points, the penalty breakdown and the key figures all derive from them. It imports nothing
from the engine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from model import rules as registry
from model.problem import Nomination, Weights
from model.rules import Reading, RuleInfo, Violation
from model.rules.guests import country_sessions
from model.schedule import PenaltyItem, RulePenalty, Schedule, points_text
from model.shares import known_count

K = TypeVar("K", int, str)

# The objective is kept in hundredths of a point so that every coefficient is an integer.
OBJECTIVE_SCALE = 100

__all__ = [
    "OBJECTIVE_SCALE",
    "Kpis",
    "Violation",
    "allocation_objective",
    "allocation_penalties",
    "check",
    "check_calendar",
    "kpis",
    "penalties",
    "penalty_breakdown",
    "points_per_unit",
    "soft_amounts",
]


@dataclass
class Kpis:
    editions_total: int = 0
    editions_scheduled: int = 0
    mandatory_unscheduled: int = 0
    optional_left_out: int = 0
    training_days: int = 0
    trainer_days: dict[str, int] = field(default_factory=dict)
    trainer_days_by_gender: dict[str, int] = field(default_factory=dict)
    women_share_of_trainer_days: float | None = None
    women_share_of_participants: float | None = None  # of the seated of known gender
    edition_trainer_gender: dict[str, dict[str, int]] = field(default_factory=dict)
    days_by_month: dict[str, int] = field(default_factory=dict)
    room_days: dict[str, int] = field(default_factory=dict)
    room_use: dict[str, float] = field(default_factory=dict)
    fees_usd: int = 0
    room_cost_usd: int = 0
    interpretation_usd: int = 0
    travel_usd: int = 0
    participant_fares_usd: int = 0
    participant_allowances_usd: int = 0
    # Each scheduled edition's costs, edition -> {category: USD}, the categories named as the totals
    # above (model.rules.reading.COST_CATEGORIES): each category adds up to its total over the editions.
    edition_costs: dict[str, dict[str, int]] = field(default_factory=dict)
    seats_by_mode: dict[str, int] = field(default_factory=dict)  # in_person, online
    participant_days: int = 0  # each seat's course days
    # Demand served: topic requests (a nominee x a topic of their list) and those seated (the nominee
    # sits in an edition of the topic on the calendar), by the topic's priority (the levels with requests,
    # 3 first; a topic outside the programme has none: 0) and by the nominee's audience (by name). The
    # seated have the requests' keys. All empty without nominations.
    requests_by_priority: dict[int, int] = field(default_factory=dict)
    seated_by_priority: dict[int, int] = field(default_factory=dict)
    requests_by_audience: dict[str, int] = field(default_factory=dict)
    seated_by_audience: dict[str, int] = field(default_factory=dict)
    country_sessions: dict[str, int] = field(default_factory=dict)  # guest sessions by each country
    penalties: list[RulePenalty] = field(default_factory=list)
    objective: float = 0.0

    @property
    def cost_usd(self) -> int:
        return (self.fees_usd + self.travel_usd + self.room_cost_usd + self.interpretation_usd
                + self.participant_fares_usd + self.participant_allowances_usd)

    @property
    def cost_per_participant_day_usd(self) -> float | None:
        """The whole cost over the participant-days it trains (None with nobody seated)."""
        return self.cost_usd / self.participant_days if self.participant_days else None

    def edition_cost_usd(self, edition: str) -> int:
        """What a scheduled edition costs, all categories together (0 for an edition not scheduled)."""
        return sum(self.edition_costs.get(edition, {}).values())

    @property
    def requests_total(self) -> int:
        """Every topic request of the nominations."""
        return sum(self.requests_by_priority.values())

    @property
    def seated_total(self) -> int:
        """Every topic request seated."""
        return sum(self.seated_by_priority.values())


def _violations(schedule: Schedule, rules: tuple[RuleInfo, ...]) -> list[Violation]:
    reading = Reading(schedule)
    out = []
    for rule in rules:
        assert rule.check is not None
        out += [Violation(rule=rule.id, name=rule.name, records=b.records, message=b.message)
                for b in rule.check(reading)]
    return out


def check(schedule: Schedule) -> list[Violation]:
    """Every hard rule the schedule breaks (an empty list means none), participants' seats included."""
    return _violations(schedule, registry.HARD_RULES + registry.PARTICIPANT_HARD_RULES)


def check_calendar(schedule: Schedule) -> list[Violation]:
    """Every hard rule of the calendar the schedule breaks, seats left aside."""
    return _violations(schedule, registry.HARD_RULES)


def check_seats(schedule: Schedule) -> list[Violation]:
    """Every hard rule of the participants' seats the schedule breaks."""
    return _violations(schedule, registry.PARTICIPANT_HARD_RULES)


def points_per_unit(rule: RuleInfo, weights: Weights) -> float:
    """Points a unit of a soft rule's counting unit costs: its weight, times its unit factor."""
    assert rule.weight_field is not None
    return float(getattr(weights, rule.weight_field)) * rule.factor


def soft_amounts(schedule: Schedule, rules: tuple[RuleInfo, ...] | None = None) -> dict[str, float]:
    """Each soft rule's amount in its counting unit (USD for cost): the sum of its evaluator's charges."""
    reading = Reading(schedule)
    out = {}
    for rule in rules or registry.SOFT_RULES:
        assert rule.evaluate is not None
        out[rule.id] = float(sum(c.amount for c in rule.evaluate(reading)))
    return out


def penalties(schedule: Schedule, rules: tuple[RuleInfo, ...] | None = None) -> list[RulePenalty]:
    """Each soft rule's amount (in its unit), weight and points."""
    weights = schedule.problem.weights
    rules = rules or registry.SOFT_RULES
    out = []
    for rule, amount in zip(rules, soft_amounts(schedule, rules).values(), strict=True):
        assert rule.weight_field is not None
        out.append(RulePenalty(rule=rule.id, name=rule.name, amount=amount * rule.factor, unit=rule.unit,
                               weight=float(getattr(weights, rule.weight_field)),
                               points=round(amount * points_per_unit(rule, weights), 2)))
    return out


def penalty_breakdown(schedule: Schedule, rules: tuple[RuleInfo, ...] | None = None) -> list[PenaltyItem]:
    """Each soft rule's penalty, record by record, in planner words ("score analysis").

    Parameters
    ----------
    schedule
        Any calendar with its problem (solved or edited by hand).
    rules
        The soft rules to break down: the calendar's (by default) or the participants'.

    Returns
    -------
    list[PenaltyItem]
        In the order of the rules, then of the calendar; a rule's items add up to its points in
        :func:`penalties` (to the hundredth). Rules with a weight of 0 have no items.
    """
    reading = Reading(schedule)
    weights = schedule.problem.weights
    out = []
    for rule in rules or registry.SOFT_RULES:
        per_unit = points_per_unit(rule, weights)
        if per_unit <= 0:
            continue
        assert rule.evaluate is not None
        for c in rule.evaluate(reading):
            if not c.amount:
                continue
            points = round(c.amount * per_unit, 2)
            out.append(PenaltyItem(rule=rule.id, name=rule.name, edition=c.edition, trainer=c.trainer,
                                   records=c.record_ids, amount=c.amount * rule.factor, unit=rule.unit,
                                   points=points, message=f"{c.message}: {points_text(points)} points"))
    return out


def allocation_penalties(schedule: Schedule) -> list[RulePenalty]:
    """Each participant soft rule's amount, weight and points (the allocation's objective)."""
    return penalties(schedule, registry.PARTICIPANT_SOFT_RULES)


def allocation_objective(schedule: Schedule) -> float:
    """The allocation's objective recomputed from the schedule: the sum of its penalties' points."""
    return round(sum(x.points for x in allocation_penalties(schedule)), 2)


def kpis(schedule: Schedule) -> Kpis:
    """The schedule's key figures, recomputed from the schedule alone."""
    r = Reading(schedule)
    p, cal, placed, done = r.problem, r.cal, r.placed, r.done
    k = Kpis()
    k.editions_total = len(p.editions)
    k.editions_scheduled = len(placed)
    k.mandatory_unscheduled = sum(1 for e in p.editions if e.mandatory and e.id not in done)
    k.optional_left_out = sum(1 for e in p.editions if not e.mandatory and e.id not in done)
    k.training_days = sum(len(se.days) for _, se in placed)
    by_gender: Counter[str] = Counter()
    for _, se in placed:
        k.edition_trainer_gender[se.edition] = dict(Counter(tr.gender for tr in r.team(se)))
        for t, _ in se.person_days():
            if t in p.trainer_by_id:
                by_gender[p.trainer_by_id[t].gender] += 1
    k.trainer_days = dict(sorted((t, n) for t, n in r.trainer_days.items() if t in p.trainer_by_id))
    k.trainer_days_by_gender = dict(by_gender)
    known = known_count(by_gender)
    k.women_share_of_trainer_days = by_gender["woman"] / known if known else None
    months: Counter[str] = Counter(f"{d.year}-{d.month:02d}" for _, se in placed for d in se.days)
    k.days_by_month = {f"{y}-{m:02d}": months[f"{y}-{m:02d}"] for y, m in cal.months}
    room_days: Counter[str] = Counter()
    for _, se in placed:
        if se.room:
            room_days[se.room] += len(se.days)
    k.room_days = {r.id: room_days[r.id] for _, r in p.rooms}
    k.room_use = {r: (n / len(cal) if len(cal) else 0.0) for r, n in k.room_days.items()}
    k.fees_usd = r.fees_usd
    k.room_cost_usd = r.room_cost_usd
    k.interpretation_usd = r.interpretation_usd
    k.travel_usd = r.travel_usd
    k.participant_fares_usd = r.participant_fares_usd
    k.participant_allowances_usd = r.participant_allowances_usd
    k.edition_costs = {se.edition: r.edition_costs(se) for _, se in placed}
    k.seats_by_mode = {m: sum(1 for a, *_ in r.seat_costs if a.mode == m) for m in ("in_person", "online")}
    seated: Counter[str] = Counter(n.gender for _, n, _, _ in r.seat_costs)
    k.women_share_of_participants = seated["woman"] / known_count(seated) if known_count(seated) else None
    k.participant_days = sum(len(se.days) for _, _, se, _ in r.seat_costs)
    priorities = {item.topic: item.priority for item in p.programme}
    k.requests_by_priority, k.seated_by_priority = _demand_served(r, lambda _, topic: priorities.get(topic, 0),
                                                                  descending=True)
    k.requests_by_audience, k.seated_by_audience = _demand_served(r, lambda n, _: n.audience)
    given = country_sessions(r)
    k.country_sessions = {c: given[c] for c in p.countries} | dict(sorted(given.items()))
    k.penalties = penalties(schedule)
    k.objective = round(sum(x.points for x in k.penalties), 2)
    return k


def _demand_served(r: Reading, group: Callable[[Nomination, str], K], *,
                   descending: bool = False) -> tuple[dict[K, int], dict[K, int]]:
    """Topic requests and those seated (``Reading.seated_requests``) by ``group(nominee, topic)``: the
    groups with requests, in order. Both empty without nominations."""
    requests: Counter[K] = Counter()
    seated: Counter[K] = Counter()
    for n in r.problem.nominations:
        for topic in n.topics:
            g = group(n, topic)
            requests[g] += 1
            seated[g] += (n.id, topic) in r.seated_requests
    order = sorted(requests, reverse=descending)
    return {g: requests[g] for g in order}, {g: seated[g] for g in order}
