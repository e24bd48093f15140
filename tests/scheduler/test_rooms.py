"""Room and platform rules: the room fits, is open, hosts one course at a time; streams."""

from __future__ import annotations

from typing import Any

import pytest
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from model.check import soft_amounts
from scheduler.solve import build
from tests.instances.tiny import only_weights, problem_of, race_data, record, tiny_data
from tests.scheduler.solving import (
    d,
    edition,
    explained_facts,
    infeasible,
    names_rule,
    optimal,
    overlap,
)

# ------------------------------------------------------------------- room_fits_the_edition


def test_room_fits_the_edition_hybrid_course_takes_the_only_hybrid_room() -> None:
    # Only cost counts. M1.T1 (hybrid) can only use HALL, though B is cheaper:
    # 2 days x (HALL 100 + IOM 250 + UNHCR 200) = 1100 USD. M2.T1 (15 in person) takes
    # the cheaper B: 2 x (40 + 450) = 980 USD. 2080 USD = 20.8 points.
    data = tiny_data()
    data["weights"] = only_weights(cost=1)
    result = optimal(problem_of(data))
    assert edition(result, "M1.T1#1").room == "HALL"
    assert edition(result, "M2.T1#1").room == "B"
    assert result.objective == 20.8


def test_room_fits_the_edition_held_at_the_venues_its_programme_names() -> None:
    # Only cost counts. M2.T1 is held at the annex (its own programme says so), whose room X
    # costs 90 a day against B's 40: 2 x (90 + 450) = 1080 USD, and M1.T1 keeps HALL (1100).
    # 2180 USD = 21.8 points (20.8 when M2.T1 may take B).
    data = tiny_data()
    data["weights"] = only_weights(cost=1)
    data["venues"].append({"id": "ANNEX", "name": "Annex (fictional)", "rooms": [
        {"id": "X", "name": "Room X", "seats": 20, "day_cost": 90}]})
    record(data, "programme", "M2.T1")["venues"] = ["ANNEX"]
    result = optimal(problem_of(data))
    assert edition(result, "M2.T1#1").room == "X"
    assert edition(result, "M1.T1#1").room == "HALL"
    assert result.objective == 21.8
    # Both venues named: B again.
    record(data, "programme", "M2.T1")["venues"] = ["ANNEX", "RTCM"]
    result = optimal(problem_of(data))
    assert edition(result, "M2.T1#1").room == "B"
    assert result.objective == 20.8


def test_room_fits_the_edition_interpreted_course_takes_a_room_with_booths() -> None:
    # As above, but M2.T1 is interpreted into Russian (300 USD a day) and only HALL has a
    # booth: it pays HALL, 2 x (100 + 450 + 300) = 1700 USD, and cannot share HALL's days
    # with M1.T1 (1100 USD). 2800 USD = 28.0 points.
    data = tiny_data()
    data["weights"] = only_weights(cost=1)
    record(data, "rooms", "HALL")["interpretation_booths"] = 1
    record(data, "programme", "M2.T1")["interpretation"] = ["ru"]
    data["costs"] = {"interpretation_day_usd": 300}
    result = optimal(problem_of(data))
    assert edition(result, "M2.T1#1").room == "HALL"
    assert not overlap(edition(result, "M1.T1#1"), edition(result, "M2.T1#1"))
    assert result.objective == 28.0
    assert soft_amounts(result.schedule)["cost"] == 2800


def test_room_fits_the_edition_too_many_participants_for_room_b() -> None:
    # M2.T1 has 25 in person; B seats 20, so it pays for HALL too: 2 x (100 + 450)
    # = 1100 USD, and the two courses cannot share HALL's days. 2200 USD = 22.0.
    data = tiny_data()
    data["weights"] = only_weights(cost=1)
    record(data, "programme", "M2.T1")["participants_in_person"] = 25
    result = optimal(problem_of(data))
    m1, m2 = edition(result, "M1.T1#1"), edition(result, "M2.T1#1")
    assert m1.room == m2.room == "HALL"
    assert not overlap(m1, m2)
    assert result.objective == 22.0
    assert soft_amounts(result.schedule)["cost"] == 2200


def test_room_fits_the_edition_infeasible_is_reported() -> None:
    # M2.T1 (25 in person) fits only HALL, which is closed all March; B is open but small.
    data = tiny_data()
    record(data, "programme", "M2.T1")["participants_in_person"] = 25
    record(data, "rooms", "HALL")["closures"] = [{"start": "2027-03-01", "end": "2027-03-31"}]
    diagnosis = infeasible(problem_of(data))
    assert (
        "M2.T1#1 cannot be scheduled: it needs 2 consecutive working days between 2027-03-01 and 2027-03-31: "
        "no room that fits it is open (room HALL is closed 2027-03-01 to 2027-03-31); room B does not fit it "
        "(it needs 25 seats) (rule: The room and its venue are open on every course day)"
    ) in diagnosis


# ------------------------------------------------------------------------------- room_open


@pytest.mark.parametrize("closed", ["room", "venue"])
def test_room_open_closure_delays_the_course(closed: str) -> None:
    # race_data: M1.T1 (3 days, priority 1) wants Mon 1 March, but HALL (the only
    # hybrid room) is closed Mon 1 - Fri 5 March, by itself or with its whole venue.
    # First start Mon 8 March = working day 5: 5 days late x priority 1 = 5.
    # M2.T1 starts Mon 1 in B, or Mon 8 when the venue is shut: 0 or 5 more.
    data = race_data()
    closure = [{"start": "2027-03-01", "end": "2027-03-05", "reason": "repairs"}]
    if closed == "room":
        record(data, "rooms", "HALL")["closures"] = closure
    else:
        data["venues"][0]["closures"] = closure
    result = optimal(problem_of(data))
    assert edition(result, "M1.T1#1").start == d(8)
    assert all(x > d(5) for se in result.schedule.editions if se.room == "HALL" for x in se.days)
    expected = 5 if closed == "room" else 10
    assert result.objective == expected
    assert soft_amounts(result.schedule)["priority_topic_late"] == expected


def test_room_open_infeasible_is_reported() -> None:
    # The venue is closed all March: neither course has an open room.
    data = tiny_data()
    data["venues"][0]["closures"] = [{"start": "2027-03-01", "end": "2027-03-31"}]
    diagnosis = infeasible(problem_of(data))
    assert diagnosis == [
        "M1.T1#1 cannot be scheduled: it needs 2-3 consecutive working days between 2027-03-01 and "
        "2027-03-31: no room that fits it is open (venue RTCM (room HALL) is closed 2027-03-01 to "
        "2027-03-31); "
        "room B does not fit it (it needs 20 seats, hybrid equipment and 10 online seats) (rule: The room "
        "and "
        "its venue are open on every course day)",
        "M2.T1#1 cannot be scheduled: it needs 2 consecutive working days between 2027-03-01 and 2027-03-31: "
        "no room that fits it is open (venue RTCM (room HALL) is closed 2027-03-01 to 2027-03-31; venue RTCM "
        "(room B) is closed 2027-03-01 to 2027-03-31) (rule: The room and its venue are open on every course "
        "day)",
    ]


# ------------------------------------------------------------------ room_not_double_booked


def one_room(data: dict[str, Any], rooms: tuple[str, ...] = ("B",)) -> dict[str, Any]:
    """Both courses in person (15 participants) and only the named rooms of the venue."""
    record(data, "programme", "M1.T1").update(mode="in_person", participants_in_person=15,
                                              participants_online=0)
    data["venues"][0]["rooms"] = [r for r in data["venues"][0]["rooms"] if r["id"] in rooms]
    return data


@pytest.mark.parametrize(
    ("rooms", "objective"),
    [
        # One room: the two cannot run together; M2.T1 Mon 1-Tue 2, M1.T1 Wed 3-Fri 5: 2.
        (("B",), 2),
        # Two rooms: both start Mon 1: 0.
        (("B", "HALL"), 0),
    ],
)
def test_room_not_double_booked(rooms: tuple[str, ...], objective: int) -> None:
    result = optimal(problem_of(one_room(race_data(), rooms)))
    m1, m2 = edition(result, "M1.T1#1"), edition(result, "M2.T1#1")
    if len(rooms) == 1:
        assert m1.room == m2.room == "B"
        assert not overlap(m1, m2)
        assert m2.days == [d(1), d(2)]
        assert m1.days == [d(3), d(4), d(5)]
    assert result.objective == objective


def linear_relaxation(model: cp_model.CpModel) -> float:
    """The optimum of the model's plain linear rows alone (no enforced row, no interval, no
    no-overlap), every variable continuous within its bounds: what CP-SAT's LP relaxation sees at least."""
    proto = model.proto
    lp = pywraplp.Solver.CreateSolver("GLOP")
    # (The proto's repeated fields do not index from the end: read them as lists.)
    bounds = [list(v.domain) for v in proto.variables]
    xs = [lp.NumVar(float(d[0]), float(d[-1]), f"x{i}") for i, d in enumerate(bounds)]
    for ct in proto.constraints:
        if ct.has_linear() and not ct.enforcement_literal:
            domain = list(ct.linear.domain)
            row = lp.RowConstraint(float(max(domain[0], -1e12)), float(min(domain[-1], 1e12)))
            for v, k in zip(ct.linear.vars, ct.linear.coeffs, strict=True):
                row.SetCoefficient(xs[v], float(k))
    objective = lp.Objective()
    for v, k in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        objective.SetCoefficient(xs[v], float(k))
    objective.SetMinimization()
    assert lp.Solve() == pywraplp.Solver.OPTIMAL
    return (objective.Value() + proto.objective.offset) * (proto.objective.scaling_factor or 1)


@pytest.mark.parametrize(("rooms", "at_least"), [(("B",), 1), (("B", "HALL"), 0)])
def test_room_not_double_booked_day_by_day_in_the_linear_relaxation(rooms: tuple[str, ...], at_least: int) -> None:
    # One room: in a model built for its bound (the places'), on each day at most one of the two
    # courses in the linear rows too, so the relaxation alone knows one of them starts late (the
    # optimum is 2, above); with two rooms both may start on Monday 1 March (0). A model built for
    # a search has no such rows (they slowed the search on three centres): its relaxation says 0.
    problem = problem_of(one_room(race_data(), rooms))
    best = optimal(problem).objective
    assert best is not None
    for_bound = build(problem, for_bound=True)
    relaxed = linear_relaxation(for_bound.model) / for_bound.scale
    assert at_least <= relaxed <= best + 1e-6
    if at_least == 0:
        assert relaxed == pytest.approx(0)
    searched = build(problem)
    assert linear_relaxation(searched.model) / searched.scale == pytest.approx(0)


def test_room_not_double_booked_infeasible_is_reported() -> None:
    # One room, and both courses (3 + 2 days) must end by Wed 3 March.
    data = one_room(race_data())
    for topic in ("M1.T1", "M2.T1"):
        record(data, "programme", topic)["latest_end"] = "2027-03-03"
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "room_not_double_booked")
    assert explained_facts(diagnosis) == [
        "M1.T1#1 (Migration basics) is mandatory",
        "M2.T1#1 (Border management) is mandatory",
        "M1.T1 must end by 2027-03-03 (its latest end)",
        "M2.T1 must end by 2027-03-03 (its latest end)",
        "room B hosts one course at a time",
    ]


# --------------------------------------------------------------------- online_stream_limit


def two_streams(data: dict[str, Any], mode: str, streams: int) -> dict[str, Any]:
    """M2.T1 streamed too (hybrid or online), a second hybrid room, a platform of ``streams``."""
    topic = record(data, "topics", "M2.T1")
    topic["modes"] = ["hybrid", "in_person", "online"]
    item = record(data, "programme", "M2.T1")
    if mode == "hybrid":
        item.update(mode="hybrid", participants_in_person=15, participants_online=10)
    else:
        item.update(mode="online", participants_in_person=0, participants_online=30)
    data["venues"][0]["rooms"].append(
        {"id": "HALL2", "name": "Second hall", "seats": 30, "hybrid": True, "online_seats": 40}
    )
    data["platform"] = {"max_concurrent_streams": streams}
    return data


@pytest.mark.parametrize("mode", ["hybrid", "online"])
@pytest.mark.parametrize(
    ("streams", "objective"),
    [
        # One stream: the two streamed courses cannot overlap, whatever room is free:
        # M2.T1 Mon 1-Tue 2, M1.T1 Wed 3-Fri 5: 2.
        (1, 2),
        # Two streams: both start Mon 1: 0.
        (2, 0),
    ],
)
def test_online_stream_limit(mode: str, streams: int, objective: int) -> None:
    result = optimal(problem_of(two_streams(race_data(), mode, streams)))
    m1, m2 = edition(result, "M1.T1#1"), edition(result, "M2.T1#1")
    assert m2.mode == mode
    if mode == "online":
        assert m2.room is None
    if streams == 1:
        assert not overlap(m1, m2)
    assert result.objective == objective


def test_online_stream_limit_infeasible_is_reported() -> None:
    # One stream, and both streamed courses (3 + 2 days) must end by Wed 3 March.
    data = two_streams(race_data(), "hybrid", 1)
    for topic in ("M1.T1", "M2.T1"):
        record(data, "programme", topic)["latest_end"] = "2027-03-03"
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "online_stream_limit")
    assert "the platform carries at most 1 hybrid or online course(s) at once" in explained_facts(diagnosis)
