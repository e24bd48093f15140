"""Each edition's mode as a decision: the solver chooses among the modes its programme item allows.

All on the ``tiny`` instance (tests/instances/tiny.py): room HALL (30 seats, hybrid, 40 online,
100 USD a day), room B (20 seats, not hybrid, 40 USD a day); the cheapest team is an IOM trainer
(250 USD a day) and a UNHCR trainer of the other gender (200): 450 USD a day.
"""

from __future__ import annotations

from typing import Any

from model.check import soft_amounts
from model.participants import seat_capacity
from scheduler.solve import build, solve
from tests.instances.tiny import only_weights, problem_of, record, tiny_data
from tests.scheduler.solving import OPTIONS, checked, edition, infeasible, optimal, term_values
from tests.scheduler.test_demand import nominee


def hybrid_or_in_person(**weights: float) -> dict[str, Any]:
    """M1.T1 may run hybrid (preferred) or in person, for 2 days; the other rules as ``weights``."""
    data = tiny_data()
    data["weights"] = only_weights(**weights)
    record(data, "programme", "M1.T1").update(modes=["hybrid", "in_person"], duration_days=2)
    return data


def test_on_cost_alone_the_edition_runs_in_person_in_the_cheaper_room() -> None:
    # Hybrid needs HALL: 2 x (100 + 450) = 1100 USD. In person fits B (20 seats for 20):
    # 2 x (40 + 450) = 980 USD. M2.T1 (in person, 15) takes B on other days: 980 USD.
    # 1960 USD = 19.6 points (20.8 when M1.T1 must be hybrid: test_rooms.py).
    result = optimal(problem_of(hybrid_or_in_person(cost=1)))
    m1 = edition(result, "M1.T1#1")
    assert (m1.mode, m1.room) == ("in_person", "B")
    assert (m1.participants_in_person, m1.participants_online) == (20, 0)
    assert result.objective == 19.6


def test_a_pinned_mode_is_kept() -> None:
    # The same, with M1.T1#1 pinned hybrid: back to HALL, 1100 + 980 USD = 20.8 points.
    data = hybrid_or_in_person(cost=1)
    data["pins"] = [{"edition": "M1.T1#1", "mode": "hybrid"}]
    result = optimal(problem_of(data))
    m1 = edition(result, "M1.T1#1")
    assert (m1.mode, m1.room) == ("hybrid", "HALL")
    assert result.objective == 20.8


def twenty_five_ask() -> dict[str, Any]:
    """25 nominees who accept either seat ask for M1.T1 first: in person it seats 20, hybrid 30."""
    data = hybrid_or_in_person(requests_beyond_seats=1)
    data["nominations"] = [nominee(f"N{i}", "M1.T1", mode="either") for i in range(1, 26)]
    return data


def test_the_online_seats_of_a_hybrid_edition_serve_the_requests() -> None:
    # In person, 5 first choices (3 each) go without a seat: 15. Hybrid seats all 25: 0.
    result = optimal(problem_of(twenty_five_ask()))
    m1 = edition(result, "M1.T1#1")
    assert (m1.mode, m1.room) == ("hybrid", "HALL")
    assert seat_capacity(result.schedule.problem, m1) == {"in_person": 20, "online": 10}
    assert result.objective == 0


def test_the_requests_term_counts_the_seats_of_the_mode_taken() -> None:
    # The calendar pinned in person in B: 20 seats for 25 first choices. The CP-SAT term at that
    # calendar is the evaluator's: 5 x 3 = 15.
    data = twenty_five_ask()
    data["pins"] = [{"edition": "M1.T1#1", "mode": "in_person"}]
    result = checked(solve(problem_of(data), OPTIONS))
    assert edition(result, "M1.T1#1").room == "B"
    assert soft_amounts(result.schedule)["requests_beyond_seats"] == 15
    assert term_values(result.schedule)["requests_beyond_seats"] == 15


def test_two_editions_at_once_take_the_hybrid_room_and_the_plain_one() -> None:
    # Both editions of M1.T1 must run on 1-2 March, with teams T1+T4 and T2+T3, and 45 nominees
    # ask for it (40 seats in person in both rooms). Only HALL is hybrid-equipped: one edition
    # runs hybrid there (30 seats), the other in person in B (20): all seated. The cost is the same whatever the modes:
    # 2 x (100 + 450) + 2 x (40 + 450) + M2.T1 in B 980 = 3060 USD, 30.6 points.
    data = hybrid_or_in_person(cost=1, requests_beyond_seats=1)
    record(data, "programme", "M1.T1").update(editions=2, earliest_start="2027-03-01", latest_end="2027-03-02")
    data["nominations"] = [nominee(f"N{i}", "M1.T1", mode="either") for i in range(1, 46)]
    result = optimal(problem_of(data))
    ones = sorted((edition(result, e).mode, edition(result, e).room) for e in ("M1.T1#1", "M1.T1#2"))
    assert ones == [("hybrid", "HALL"), ("in_person", "B")]
    assert result.objective == 30.6


def test_the_platform_s_one_stream_sends_the_second_edition_to_a_room() -> None:
    # As above, with B made hybrid too (20 seats and 10 online: 30 seats either room hybrid, 20
    # in person) and 60 nominees asking first for M1.T1. Two hybrid editions would seat them all,
    # but the platform carries one stream: 30 + 20 seated, 10 first choices left, 30 points.
    data = hybrid_or_in_person(requests_beyond_seats=1)
    record(data, "programme", "M1.T1").update(editions=2, earliest_start="2027-03-01", latest_end="2027-03-02")
    record(data, "rooms", "B").update(hybrid=True, online_seats=10)
    data["platform"] = {"max_concurrent_streams": 1}
    data["nominations"] = [nominee(f"N{i}", "M1.T1", mode="either") for i in range(1, 61)]
    result = optimal(problem_of(data))
    assert sorted(edition(result, e).mode for e in ("M1.T1#1", "M1.T1#2")) == ["hybrid", "in_person"]
    assert result.objective == 30


def in_person_or_online(**weights: float) -> dict[str, Any]:
    """M1.T1 may run in person (preferred) or online, for 2 days; the UNHCR trainers travel
    (300 USD a trip)."""
    data = tiny_data()
    data["weights"] = only_weights(**weights)
    record(data, "topics", "M1.T1")["modes"] = ["hybrid", "in_person", "online"]
    item = record(data, "programme", "M1.T1")
    del item["mode"]
    item.update(modes=["in_person", "online"], duration_days=2)
    for tid in ("T3", "T4"):
        record(data, "trainers", tid)["travel_usd"] = 300
    return data


def test_online_saves_the_room_and_the_trainers_trips() -> None:
    # In person in B, the cheapest team is T1 and T2 (500 a day, no trip): 2 x (40 + 500) =
    # 1080 USD (T1 and T4: 2 x (40 + 450) + 300 = 1280). Online, T1 and T4 without the trip:
    # 2 x 450 = 900. M2.T1 (in person) 1080. 1980 USD = 19.8 points.
    result = optimal(problem_of(in_person_or_online(cost=1)))
    m1 = edition(result, "M1.T1#1")
    assert (m1.mode, m1.room, m1.venue) == ("online", None, None)
    assert (m1.participants_in_person, m1.participants_online) == (0, 30)
    assert result.objective == 19.8


def test_in_person_only_nominees_keep_the_edition_in_a_room() -> None:
    # Eight nominees who come only in person: online, none of them has a seat (8 x 3 = 24
    # points, weighted 100 = 2400) against 180 USD more in person (1.8 points).
    data = in_person_or_online(cost=1, requests_beyond_seats=100)
    data["nominations"] = [nominee(f"N{i}", "M1.T1", mode="in_person") for i in range(1, 9)]
    result = optimal(problem_of(data))
    assert edition(result, "M1.T1#1").mode == "in_person"


def test_the_model_has_mode_literals_only_where_there_is_a_choice() -> None:
    built = build(problem_of(hybrid_or_in_person(cost=1)))
    names = {ev.plan.id: sorted(ev.mode) for ev in built.v.editions}
    assert names == {"M1.T1#1": ["hybrid", "in_person"], "M2.T1#1": ["in_person"]}
    m2 = next(ev for ev in built.v.editions if ev.plan.id == "M2.T1#1")
    assert m2.mode["in_person"] is m2.present


def test_a_pinned_mode_no_room_can_hold_is_explained() -> None:
    # Pinned hybrid while HALL, the only hybrid room, is closed all March.
    data = hybrid_or_in_person(cost=1)
    data["pins"] = [{"edition": "M1.T1#1", "mode": "hybrid"}]
    record(data, "rooms", "HALL")["closures"] = [{"start": "2027-03-01", "end": "2027-03-31"}]
    diagnosis = infeasible(problem_of(data))
    assert any("M1.T1#1" in line and "HALL" in line for line in diagnosis), diagnosis
