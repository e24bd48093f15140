"""Each edition's costs by category, and demand served by priority and audience (model.check.Kpis).

``seated_tiny`` is ``tiny`` (tests/instances/tiny.py) with seats, built by hand (no solve):

- M1.T1#1: Tue 2 - Thu 4 March (3 days), HALL (100 USD a day), T1 (250 USD a day, a 300 USD
  trip) + T4 (200, no trip), interpreted into Russian (900 USD a day). Fees 3 x 450 = 1,350;
  travel 300; room 300; interpretation 2,700. N1 (Georgia) in person: fare 400 and 3 nights x
  100 = 300; N3 online: nothing. 5,350 USD in all.
- M2.T1#1: Thu 18 - Fri 19 March (2 days), room B (40 USD a day), T2 (250) + T3 (200). Fees
  2 x 450 = 900; room 80. N2 (Moldova) in person: fare 900 and 2 x 100 = 200. 2,080 USD.
- M2.T1#2 is in the programme but not on the calendar: N4's seat in it is no seat, costs
  nothing and serves no request.

The calendar costs 5,350 + 2,080 = 7,430 USD. Requests: N1 asks for M1.T1 (priority 3) and
M2.T1 (priority 0), N2 for M2.T1, N3 for M1.T1, N4 for M2.T1 and M2.T2 (a catalogue topic
outside the programme: no priority, counted at 0). Seated: N1 in M1.T1, N2 in M2.T1, N3 in
M1.T1. By priority, 3: 2 of 2; 0: 1 of 4. By audience, csos (N1, N4): 1 of 4; government (N2,
N3): 2 of 2.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

import pytest

from model.check import Kpis, kpis
from model.problem import Mode
from model.rules import Reading
from model.rules.participants import nomination_unplaced
from model.rules.reading import COST_CATEGORIES
from model.schedule import Allocation, Schedule, ScheduledEdition
from scheduler.solve import Result
from tests.instances.tiny import problem_of, record, tiny_data


def placed(problem: Any, edition: str, first: date, n: int, room: str | None,
           trainers: list[str], mode: Mode | None = None) -> ScheduledEdition:
    """An edition of ``problem`` on ``n`` consecutive days from ``first`` (in ``mode``, else the
    first of its modes the room holds)."""
    days = [first + timedelta(days=i) for i in range(n)]
    return ScheduledEdition.place(problem, edition, days, room, trainers, mode=mode)


def seated_tiny_data() -> dict[str, Any]:
    data = tiny_data()
    data["countries"] = ["Georgia", "Moldova"]
    data["languages"] = ["en", "ru"]
    data["platform"] = {"interpretation_channels": 1}  # interpretation reaches M1.T1's online participants
    data["costs"] = {"participant_fares_usd": {"Georgia": 400, "Moldova": 900}, "allowance_night_usd": 100,
                     "interpretation_day_usd": 900}
    data["topics"].append({"id": "M2.T2", "module": 2, "title": "Outside the programme", "duration_min": 2,
                           "duration_max": 2})
    record(data, "trainers", "T1")["travel_usd"] = 300
    record(data, "rooms", "HALL")["interpretation_booths"] = 1
    record(data, "programme", "M1.T1").update(priority=3, interpretation=["ru"])
    record(data, "programme", "M2.T1").update(editions=2)
    data["nominations"] = [
        {"id": "N1", "country": "Georgia", "audience": "csos", "topics": ["M1.T1", "M2.T1"]},
        {"id": "N2", "country": "Moldova", "audience": "government", "topics": ["M2.T1"]},
        {"id": "N3", "country": "Moldova", "audience": "government", "topics": ["M1.T1"]},
        {"id": "N4", "country": "Georgia", "audience": "csos", "topics": ["M2.T1", "M2.T2"]},
    ]
    return data


def seated_tiny_schedule() -> Schedule:
    """``seated_tiny`` (see the module's docstring)."""
    p = problem_of(seated_tiny_data())
    return Schedule(problem=p, editions=[
        placed(p, "M2.T1#1", date(2027, 3, 18), 2, "B", ["T2", "T3"]),
        placed(p, "M1.T1#1", date(2027, 3, 2), 3, "HALL", ["T1", "T4"]),
    ], allocations=[
        Allocation(nominee="N1", edition="M1.T1#1", mode="in_person"),
        Allocation(nominee="N2", edition="M2.T1#1", mode="in_person"),
        Allocation(nominee="N3", edition="M1.T1#1", mode="online"),
        Allocation(nominee="N4", edition="M2.T1#2", mode="in_person"),  # not on the calendar
    ])


@pytest.fixture
def seated_tiny() -> Schedule:
    return seated_tiny_schedule()


# ------------------------------------------------------------------------ costs per edition


def test_each_edition_s_costs_by_category_on_tiny(seated_tiny: Schedule) -> None:
    k = kpis(seated_tiny)
    assert k.edition_costs == {
        "M1.T1#1": {"fees_usd": 1350, "travel_usd": 300, "room_cost_usd": 300, "interpretation_usd": 2700,
                    "participant_fares_usd": 400, "participant_allowances_usd": 300},
        "M2.T1#1": {"fees_usd": 900, "travel_usd": 0, "room_cost_usd": 80, "interpretation_usd": 0,
                    "participant_fares_usd": 900, "participant_allowances_usd": 200},
    }
    assert (k.edition_cost_usd("M1.T1#1"), k.edition_cost_usd("M2.T1#1")) == (5350, 2080)
    assert k.edition_cost_usd("M2.T1#2") == 0  # not on the calendar
    assert k.cost_usd == Reading(seated_tiny).cost_usd == 7430


def test_an_edition_without_seats_costs_its_calendar_share_only(seated_tiny: Schedule) -> None:
    bare = seated_tiny.model_copy(update={"allocations": []})
    r = Reading(bare)
    costs = r.edition_costs(bare.by_edition["M1.T1#1"])
    assert costs["participant_fares_usd"] == costs["participant_allowances_usd"] == 0
    assert sum(costs.values()) == 1350 + 300 + 300 + 2700
    assert sum(sum(r.edition_costs(se).values()) for _, se in r.placed) == r.cost_usd == r.calendar_cost_usd


def test_an_online_edition_has_no_room_and_no_travel() -> None:
    data = seated_tiny_data()
    record(data, "topics", "M1.T1")["modes"] = ["online"]
    record(data, "programme", "M1.T1").update(mode="online", participants_in_person=0, interpretation=[])
    p = problem_of(data)
    se = placed(p, "M1.T1#1", date(2027, 3, 2), 2, None, ["T1", "T4"])
    schedule = Schedule(problem=p, editions=[se],
                        allocations=[Allocation(nominee="N3", edition="M1.T1#1", mode="online")])
    # T1's trip is for an edition held in a room; an online seat costs nothing: fees alone, 2 x 450.
    assert Reading(schedule).edition_costs(se) == {
        "fees_usd": 900, "travel_usd": 0, "room_cost_usd": 0, "interpretation_usd": 0,
        "participant_fares_usd": 0, "participant_allowances_usd": 0}


def independent_costs(schedule: Schedule) -> dict[str, dict[str, int]]:
    """Each scheduled edition's costs by category, from the schedule and its problem alone."""
    p = schedule.problem
    people, rooms = p.trainer_by_id, {r.id: r for _, r in p.rooms}
    out: dict[str, dict[str, int]] = {}
    for se in schedule.editions:
        item = p.edition_by_id[se.edition].item
        delivering = {*se.trainers, *(g.person for g in se.guests)}
        out[se.edition] = {
            "fees_usd": sum(people[t].day_rate for t in se.trainers) * len(se.days)
            + sum(people[g.person].day_rate for g in se.guests),
            "travel_usd": sum(people[t].travel_usd for t in delivering) if se.mode != "online" else 0,
            "room_cost_usd": rooms[se.room].day_cost * len(se.days) if se.room else 0,
            "interpretation_usd": len(item.interpretation) * p.costs.interpretation_day_usd * len(se.days),
            "participant_fares_usd": 0, "participant_allowances_usd": 0,
        }
    for a in schedule.allocations:
        if a.mode == "in_person" and a.edition in out:
            country = p.nomination_by_id[a.nominee].country
            out[a.edition]["participant_fares_usd"] += p.costs.participant_fares_usd.get(country, 0)
            out[a.edition]["participant_allowances_usd"] += (
                p.costs.allowance_night_usd * len(schedule.by_edition[a.edition].days))
    return out


def add_up(k: Kpis) -> dict[str, int]:
    """Each category summed over the editions."""
    total: Counter[str] = Counter()
    for costs in k.edition_costs.values():
        total.update(costs)
    return {c: total[c] for c in COST_CATEGORIES}


def test_the_categories_add_up_to_the_totals_on_tiny(seated_tiny: Schedule) -> None:
    k = kpis(seated_tiny)
    assert k.edition_costs == independent_costs(seated_tiny)
    assert add_up(k) == {c: getattr(k, c) for c in COST_CATEGORIES}


@pytest.mark.slow
def test_each_edition_s_costs_on_the_default_calendar(rtcm_2027: Result) -> None:
    schedule = rtcm_2027.schedule
    k = kpis(schedule)
    assert list(k.edition_costs) == [se.edition for se in schedule.sorted_editions()]
    assert k.edition_costs == independent_costs(schedule)
    assert add_up(k) == {c: getattr(k, c) for c in COST_CATEGORIES}
    assert sum(k.edition_cost_usd(e) for e in k.edition_costs) == Reading(schedule).cost_usd == k.cost_usd
    # The default seats participants in person, and books interpretation: every category is used,
    # fees where someone who bills delivers (a 20 s solve may staff every course with those who do not).
    used = add_up(k)
    people = schedule.problem.trainer_by_id
    billing = any(people[t].day_rate for se in schedule.editions
                  for t in [*se.trainers, *(g.person for g in se.guests)])
    assert (used.pop("fees_usd") > 0) == billing
    assert all(used.values())


# --------------------------------------------------------------------------- demand served


def independent_demand(schedule: Schedule) -> dict[str, dict[Any, int]]:
    """The demand figures of :class:`Kpis` (requests_by_priority, seated_by_priority, requests_by_audience,
    seated_by_audience), from the schedule and its problem alone."""
    p = schedule.problem
    priority = {item.topic: item.priority for item in p.programme}
    on_calendar = {se.edition: p.edition_by_id[se.edition].topic.id for se in schedule.editions}
    seats = {(a.nominee, on_calendar[a.edition]) for a in schedule.allocations if a.edition in on_calendar}
    out: dict[str, Counter[Any]] = defaultdict(Counter)
    for n in p.nominations:
        for topic in n.topics:
            for by, key in (("priority", priority.get(topic, 0)), ("audience", n.audience)):
                out[f"requests_by_{by}"][key] += 1
                out[f"seated_by_{by}"][key] += (n.id, topic) in seats
    return {name: dict(counts) for name, counts in out.items()}


def demand(k: Kpis) -> dict[str, dict[Any, int]]:
    return {name: getattr(k, name) for name in ("requests_by_priority", "seated_by_priority",
                                                "requests_by_audience", "seated_by_audience")}


def test_demand_served_by_priority_and_audience_on_tiny(seated_tiny: Schedule) -> None:
    k = kpis(seated_tiny)
    assert demand(k) == {
        "requests_by_priority": {3: 2, 0: 4}, "seated_by_priority": {3: 2, 0: 1},
        "requests_by_audience": {"csos": 4, "government": 2}, "seated_by_audience": {"csos": 1, "government": 2}}
    assert (k.requests_total, k.seated_total) == (6, 3)
    assert demand(k) == independent_demand(seated_tiny)


def test_the_seated_pairs_are_seats_in_editions_on_the_calendar(seated_tiny: Schedule) -> None:
    # N4's seat in M2.T1#2, which is not on the calendar, serves no request.
    assert Reading(seated_tiny).seated_requests == {("N1", "M1.T1"), ("N2", "M2.T1"), ("N3", "M1.T1")}


def test_a_nomination_without_a_seat_is_a_request_not_seated(seated_tiny: Schedule) -> None:
    """The rule and the figures read the same seated pairs: the rule charges each request the
    figures count as not seated (N1's M2.T1 choice 2, N4's M2.T1 choice 1 and M2.T2 choice 2)."""
    r = Reading(seated_tiny)
    charges = list(nomination_unplaced(r))
    assert [(c.records, c.amount) for c in charges] == [
        (["N1", "M2.T1"], 2), (["N4", "M2.T1"], 3), (["N4", "M2.T2"], 2)]
    k = kpis(seated_tiny)
    assert len(charges) == k.requests_total - k.seated_total


def test_without_nominations_there_is_no_demand_to_serve() -> None:
    data = seated_tiny_data()
    del data["nominations"]
    p = problem_of(data)
    k = kpis(Schedule(problem=p, editions=[placed(p, "M1.T1#1", date(2027, 3, 2), 3, "HALL", ["T1", "T4"])]))
    assert all(figures == {} for figures in demand(k).values())
    assert (k.requests_total, k.seated_total) == (0, 0)


@pytest.mark.slow
def test_demand_served_on_the_default_calendar(rtcm_2027: Result) -> None:
    schedule = rtcm_2027.schedule
    k = kpis(schedule)
    assert demand(k) == independent_demand(schedule)
    assert list(k.requests_by_priority) == sorted(k.requests_by_priority, reverse=True)  # the most urgent first
    assert list(k.seated_by_priority) == list(k.requests_by_priority)
    assert list(k.requests_by_audience) == sorted(k.requests_by_audience)
    asked = sum(len(n.topics) for n in schedule.problem.nominations)
    assert k.requests_total == sum(k.requests_by_audience.values()) == asked
    # Every seat in the default calendar serves one request (one edition per topic and nominee).
    assert k.seated_total == sum(k.seated_by_audience.values()) == len(schedule.allocations) > 0
    unplaced = list(nomination_unplaced(Reading(schedule)))
    assert len(unplaced) == asked - k.seated_total
