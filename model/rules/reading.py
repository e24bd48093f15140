"""What every rule reads: a schedule read once, and what a rule says of it.

A hard rule's checker yields :class:`Breach` es (the records involved and a sentence); a soft
rule's evaluator yields :class:`Charge` s (an amount in the rule's counting unit, the records
and a sentence). The registry (``model/rules/__init__.py``) names them, weighs them and turns
them into violations and penalty items; nothing else computes a rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from pydantic import BaseModel, ConfigDict

from model.participants import SeatCost, TopicRequest, seat_cost, topic_requests
from model.problem import ROOM_MODES, Edition, Nomination, Problem, Trainer
from model.schedule import Allocation, GuestSession, Schedule, ScheduledEdition

# The categories of what an edition costs (:meth:`Reading.edition_costs`), named as the figures
# they add up to (``Reading.fees_usd``..., ``model.check.Kpis.fees_usd``...): the calendar's own
# (``Reading.calendar_cost_usd``), then its in-person participants'.
CALENDAR_COST_CATEGORIES = ("fees_usd", "travel_usd", "room_cost_usd", "interpretation_usd")
COST_CATEGORIES = (*CALENDAR_COST_CATEGORIES, "participant_fares_usd", "participant_allowances_usd")


class Violation(BaseModel):
    """A hard rule broken by a schedule, with the records involved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    name: str
    records: list[str]
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclass(frozen=True)
class Breach:
    """What a hard rule's checker finds: the records involved and the breach in planner words."""

    records: list[str]
    message: str


@dataclass(frozen=True)
class Charge:
    """One record's share of a soft rule: ``amount`` in the rule's counting unit (USD for cost)."""

    amount: float
    message: str
    edition: str | None = None
    trainer: str | None = None
    records: list[str] = field(default_factory=list)

    @property
    def record_ids(self) -> list[str]:
        return self.records or [x for x in (self.edition, self.trainer) if x]


class Reading:
    """A schedule read once: its problem, calendar, and editions matched to the programme.

    ``placed`` holds each known edition once, in calendar order; editions not in the
    programme and editions listed twice are kept apart for the checker to report.
    """

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.problem: Problem = schedule.problem
        self.cal = self.problem.work_calendar
        self.placed: list[tuple[Edition, ScheduledEdition]] = []
        self.unknown: list[str] = []
        self.twice: list[str] = []
        seen: set[str] = set()
        for se in schedule.sorted_editions():
            ed = self.problem.edition_by_id.get(se.edition)
            if ed is None:
                self.unknown.append(se.edition)
            elif se.edition in seen:
                self.twice.append(se.edition)
            else:
                seen.add(se.edition)
                self.placed.append((ed, se))
        self.done = seen

    @cached_property
    def by_id(self) -> dict[str, ScheduledEdition]:
        return {se.edition: se for _, se in self.placed}

    def team(self, se: ScheduledEdition) -> list[Trainer]:
        """The edition's known trainers, each once."""
        known = self.problem.trainer_by_id
        return [known[t] for t in dict.fromkeys(se.trainers) if t in known]

    def guests(self, se: ScheduledEdition) -> list[tuple[GuestSession, Trainer]]:
        """The edition's guest sessions given by known people."""
        known = self.problem.trainer_by_id
        return [(g, known[g.person]) for g in se.guests if g.person in known]

    def people(self, se: ScheduledEdition) -> list[Trainer]:
        """Everyone known who delivers part of the edition: the team, then the guests, each once."""
        known = self.problem.trainer_by_id
        ids = dict.fromkeys([*se.trainers, *(g.person for g in se.guests)])
        return [known[t] for t in ids if t in known]

    @cached_property
    def trainer_days(self) -> Counter[str]:
        """Days given per person id, teams and guest sessions (unknown ids included: the checker
        reports them apart)."""
        return Counter(t for _, se in self.placed for t, _ in se.person_days())

    @cached_property
    def trainer_month_days(self) -> Counter[tuple[str, int, int]]:
        """Days given per (person id, year, month)."""
        return Counter((t, d.year, d.month) for _, se in self.placed for t, d in se.person_days())

    @cached_property
    def fees_usd(self) -> int:
        return sum(self.edition_fees(se) for _, se in self.placed)

    @cached_property
    def room_cost_usd(self) -> int:
        return sum(self.edition_room_cost(se) for _, se in self.placed)

    def edition_fees(self, se: ScheduledEdition) -> int:
        """Day rates of the team for each course day and of each guest for their day."""
        known = self.problem.trainer_by_id
        return sum(known[t].day_rate for t, _ in se.person_days() if t in known)

    @cached_property
    def travel_usd(self) -> int:
        return sum(self.edition_travel_cost(se) for _, se in self.placed)

    def edition_travel_cost(self, se: ScheduledEdition) -> int:
        """One trip for each person delivering an edition run in a room; none online."""
        return sum(self.trip_cost(se, tr) for tr in self.people(se))

    @staticmethod
    def trip_cost(se: ScheduledEdition, person: Trainer) -> int:
        """What bringing ``person`` to deliver ``se`` costs: their trip when it runs in a room (its
        mode as scheduled), nothing online."""
        return person.travel_usd if se.mode in ROOM_MODES else 0

    @cached_property
    def interpretation_usd(self) -> int:
        return sum(self.edition_interpretation_cost(se) for _, se in self.placed)

    def edition_interpretation_cost(self, se: ScheduledEdition) -> int:
        """Each language the edition is interpreted into, at the day price, for each of its days."""
        ed = self.problem.edition_by_id.get(se.edition)
        if ed is None:
            return 0
        return len(ed.item.interpretation) * self.problem.costs.interpretation_day_usd * len(se.days)

    @property
    def calendar_cost_usd(self) -> int:
        """What the calendar itself costs: fees, travel of the people delivering it, rooms and interpretation."""
        return self.fees_usd + self.travel_usd + self.room_cost_usd + self.interpretation_usd

    @cached_property
    def seat_costs(self) -> list[tuple[Allocation, Nomination, ScheduledEdition, SeatCost]]:
        """Each seat of a known nominee in an edition on the calendar, with what it costs."""
        out = []
        for a in self.schedule.allocations:
            n, se = self.problem.nomination_by_id.get(a.nominee), self.by_id.get(a.edition)
            if n is not None and se is not None:
                out.append((a, n, se, seat_cost(self.problem, n, se, a.mode)))
        return out

    @property
    def participant_fares_usd(self) -> int:
        return sum(c.fare for *_, c in self.seat_costs)

    @property
    def participant_allowances_usd(self) -> int:
        return sum(c.allowance for *_, c in self.seat_costs)

    @property
    def cost_usd(self) -> int:
        """What the programme costs: the calendar's costs and the in-person participants' fares and
        allowances."""
        return self.calendar_cost_usd + self.participant_fares_usd + self.participant_allowances_usd

    @cached_property
    def seat_costs_by_edition(self) -> dict[str, list[SeatCost]]:
        """What each seat of :attr:`seat_costs` costs, by the edition it is in."""
        out: dict[str, list[SeatCost]] = {}
        for _, _, se, c in self.seat_costs:
            out.setdefault(se.edition, []).append(c)
        return out

    def edition_costs(self, se: ScheduledEdition) -> dict[str, int]:
        """An edition's costs by category (:data:`COST_CATEGORIES`), in USD: its trainers' fees and
        travel, its room, its interpretation, and its in-person participants' fares and allowances.

        Each category's sum over the calendar's editions (``placed``) is the figure of the same name
        (``fees_usd``...), and the sum of every category over them is :attr:`cost_usd`.
        """
        seats = self.seat_costs_by_edition.get(se.edition, [])
        return {
            "fees_usd": self.edition_fees(se),
            "travel_usd": self.edition_travel_cost(se),
            "room_cost_usd": self.edition_room_cost(se),
            "interpretation_usd": self.edition_interpretation_cost(se),
            "participant_fares_usd": sum(c.fare for c in seats),
            "participant_allowances_usd": sum(c.allowance for c in seats),
        }

    def quarter_costs(self, categories: Collection[str] = COST_CATEGORIES) -> Counter[str]:
        """What the calendar's editions cost in ``categories`` (all of them unless told), by the
        quarter each counts in (:func:`quarter_of` its first day): the figures quarterly budgets cap."""
        out: Counter[str] = Counter()
        for _, se in self.placed:
            costs = self.edition_costs(se)
            out[quarter_of(se.start)] += sum(costs[c] for c in categories)
        return out

    def edition_room_cost(self, se: ScheduledEdition) -> int:
        rooms = self.problem.room_by_id
        return rooms[se.room][1].day_cost * len(se.days) if se.room in rooms else 0

    def earliest_index(self, ed: Edition) -> int:
        return earliest_index(self.problem, ed)

    @cached_property
    def requests(self) -> dict[str, list[TopicRequest]]:
        """Each programme topic's requests its editions could seat (see ``requests_for``)."""
        return topic_requests(self.problem)

    @cached_property
    def seated_requests(self) -> set[tuple[str, str]]:
        """The (nominee, topic) pairs with a seat: the nominee sits in an edition of the topic that is
        on the calendar. A request (a topic of a nominee's list) is seated when its pair is here."""
        editions = self.problem.edition_by_id
        return {(a.nominee, editions[a.edition].topic.id) for a in self.schedule.allocations
                if a.edition in self.by_id}


def quarter_of(first_day: date) -> str:
    """The quarter an edition starting on ``first_day`` counts all its costs in, named as
    ``Problem.quarterly_budget_usd`` names it: ``2027-Q1`` (see ``model.problem.quarter_days``)."""
    return f"{first_day.year}-Q{(first_day.month - 1) // 3 + 1}"


def earliest_index(p: Problem, ed: Edition) -> int:
    """Working-day index of the first day an edition could start (the number of working days
    when none is left on or after its earliest start: then it has no start at all)."""
    if ed.item.earliest_start is None:
        return 0
    return p.work_calendar.first_index_on_or_after(ed.item.earliest_start)

