"""Soft rules: each weight changes the optimum, and the checker measures the same amount.

Every test switches off the soft rules it does not need (weight 0), derives the optimum
by hand, and checks ``soft_amounts`` (the rule's amount in its own unit, recomputed from
the calendar alone) against the derivation.
"""

from __future__ import annotations

from typing import Any

import pytest

from model.check import soft_amounts
from tests.instances.tiny import only_weights, problem_of, race_data, record, tiny_data
from tests.scheduler.solving import d, edition, optimal, overlap

# ---------------------------------------------------------------- optional_edition_left_out


def test_optional_edition_left_out_when_it_cannot_fit() -> None:
    # M2.T1 is optional with priority 2; only T1 and T2 can give it and T1 is away all
    # March, so it has no start day. Left out: (1 + 2) x 500 = 1500 points.
    data = tiny_data()
    record(data, "programme", "M2.T1").update(mandatory=False, priority=2)
    for t in ("T3", "T4"):
        record(data, "trainers", t)["modules"] = [1]
    record(data, "trainers", "T1")["unavailable"] = [{"start": "2027-03-01", "end": "2027-03-31"}]
    data["weights"] = only_weights(optional_edition_left_out=500)
    result = optimal(problem_of(data))
    assert [se.edition for se in result.schedule.editions] == ["M1.T1#1"]
    (left,) = result.schedule.unscheduled
    assert left.edition == "M2.T1#1" and not left.mandatory
    # The doctor's note: only T2 is free, and a team of two needs a woman too.
    assert left.reason == ("optional M2.T1#1 cannot be scheduled: it needs 2 consecutive working days "
                           "between "
                           "2027-03-01 and 2027-03-31: no woman qualified for it is free (T1 Amina "
                           "(fictional) "
                           "(IOM, woman) is away 2027-03-01 to 2027-03-31)")
    assert soft_amounts(result.schedule)["optional_edition_left_out"] == 3
    assert result.objective == 1500


@pytest.mark.parametrize(
    ("weight", "scheduled", "objective"),
    [
        # Cost counts (1 point per 100 USD). M1.T1 (cheapest 2 days): 1100 USD = 11.0.
        # Optional M2.T1 costs 980 USD = 9.8 to run. At 10 points a left-out edition
        # it runs: 11.0 + 9.8 = 20.8.
        (10, True, 20.8),
        # At 9 points it is cheaper to leave it out: 11.0 + 9 = 20.0.
        (9, False, 20.0),
    ],
)
def test_optional_edition_left_out_weight_decides(weight: float, scheduled: bool, objective: float) -> None:
    data = tiny_data()
    record(data, "programme", "M2.T1")["mandatory"] = False
    data["weights"] = only_weights(cost=1, optional_edition_left_out=weight)
    result = optimal(problem_of(data))
    assert ("M2.T1#1" in result.schedule.by_edition) is scheduled
    assert soft_amounts(result.schedule)["optional_edition_left_out"] == (0 if scheduled else 1)
    assert result.objective == objective


# ---------------------------------------------------------------------- priority_topic_late


def one_room() -> dict[str, Any]:
    """race_data with both courses in person and room B alone: they run one after the other."""
    data = race_data()
    record(data, "programme", "M1.T1").update(mode="in_person", participants_in_person=15,
                                              participants_online=0)
    data["venues"][0]["rooms"] = [record(data, "rooms", "B")]
    return data


@pytest.mark.parametrize(
    ("m1_priority", "m2_priority", "first", "late"),
    [
        # Priority 3 for M1.T1 (3 days), 1 for M2.T1 (2 days), one room:
        # M1.T1 first, M2.T1 from Thu 4 (3 days late x 1) = 3; the other order would be
        # M1.T1 from Wed 3 (2 days late x 3) = 6.
        (3, 1, "M1.T1#1", 3),
        # Priority 1 for M1.T1, 3 for M2.T1: M2.T1 first, M1.T1 from Wed 3: 2 x 1 = 2;
        # the other order: 3 x 3 = 9.
        (1, 3, "M2.T1#1", 2),
        # Equal priorities: the shorter course first, 2 (the other order: 3).
        (1, 1, "M2.T1#1", 2),
    ],
)
def test_priority_topic_late_places_priority_topics_first(m1_priority: int, m2_priority: int,
                                                          first: str, late: int) -> None:
    data = one_room()
    record(data, "programme", "M1.T1")["priority"] = m1_priority
    record(data, "programme", "M2.T1")["priority"] = m2_priority
    data["weights"] = only_weights(priority_topic_late=2)
    result = optimal(problem_of(data))
    assert edition(result, first).start == d(1)
    assert soft_amounts(result.schedule)["priority_topic_late"] == late
    assert result.objective == 2 * late


# --------------------------------------------------------------------------- busiest_month


@pytest.mark.parametrize(
    ("weight", "busiest", "late"),
    [
        # Horizon Mon 22 March - Fri 9 April: March has working days 0-7 (22-26, 29-31),
        # April 8-14. race_data: both courses (3 + 2 days, priority 1) want day 0, and
        # "Priority topics scheduled late" costs 1 a day. Calendars by busiest month:
        #   5 (both in March, on time)                          -> 0 late
        #   4 (M1.T1 Tue 30 March - Thu 1 April, 2 + 1)         -> 6 late
        #   3 (M1.T1 Wed 31 March - Fri 2 April, 1 + 2)         -> 7 late
        # Weight 1: min(5, 6 + 4, 7 + 3) = 5, both in March.
        (1, 5, 0),
        # Weight 20: min(100, 6 + 80, 7 + 60) = 67, spread over the two months.
        (20, 3, 7),
    ],
)
def test_busiest_month(weight: float, busiest: int, late: int) -> None:
    data = race_data()
    data["calendar"].update(start="2027-03-22", end="2027-04-09")
    data["weights"] = only_weights(priority_topic_late=1, busiest_month=weight)
    result = optimal(problem_of(data))
    amounts = soft_amounts(result.schedule)
    assert amounts["busiest_month"] == busiest
    assert amounts["priority_topic_late"] == late
    assert result.objective == late + weight * busiest


# ------------------------------------------------------------------------- busiest_trainer


@pytest.mark.parametrize(
    ("weight", "busiest", "objective"),
    [
        # T4 charges 100 a day instead of 200, so T1 + T4 (350 a day) is the cheapest team;
        # the next, T2 + T3, costs 450. Cost counts (1 per 100 USD); rooms 300 + 80 USD.
        # Busiest-trainer weight 0.5: T1 + T4 on both, 5 x 350 + 380 = 2130 USD, busiest
        # 5 days: 21.3 + 2.5 = 23.8 (T2 + T3 on M2.T1 instead: 23.3 + 1.5 = 24.8).
        (0.5, 5, 23.8),
        # Weight 10: T1 + T4 on M1.T1 and T2 + T3 on M2.T1, 1050 + 900 + 380 = 2330 USD,
        # busiest 3 days: 23.3 + 30 = 53.3 (the same team on both: 21.3 + 50 = 71.3).
        (10, 3, 53.3),
    ],
)
def test_busiest_trainer(weight: float, busiest: int, objective: float) -> None:
    data = tiny_data()
    record(data, "programme", "M1.T1")["duration_days"] = 3
    record(data, "trainers", "T4")["day_rate"] = 100
    data["weights"] = only_weights(cost=1, busiest_trainer=weight)
    result = optimal(problem_of(data))
    assert soft_amounts(result.schedule)["busiest_trainer"] == busiest
    assert edition(result, "M1.T1#1").trainers == ["T1", "T4"]
    assert result.objective == objective


# ------------------------------------------------------------------------------------ cost


@pytest.mark.parametrize("weight", [1, 2])
def test_cost_chooses_cheaper_trainers_and_rooms(weight: float) -> None:
    # M1.T1 (hybrid, 2-3 days) in HALL, the only hybrid room, for the cheapest 2 days:
    # 2 x (100 + 250 + 200) = 1100 USD. M2.T1 in B (40, not HALL at 100):
    # 2 x (40 + 250 + 200) = 980 USD. Every team pairs IOM (250) with UNHCR (200), never
    # the two IOM trainers (500). 2080 USD = 20.8 points per unit of weight.
    data = tiny_data()
    data["weights"] = only_weights(cost=weight)
    problem = problem_of(data)
    result = optimal(problem)
    assert edition(result, "M2.T1#1").room == "B"
    for se in result.schedule.editions:
        assert sorted(problem.trainer_by_id[t].organisation for t in se.trainers) == ["IOM", "UNHCR"]
    assert soft_amounts(result.schedule)["cost"] == 2080
    assert result.objective == pytest.approx(20.8 * weight)


# ------------------------------------------------------------------- linked_topics_overlap


@pytest.mark.parametrize(
    ("weight", "overlapping", "objective"),
    [
        # race_data with M1.T1 linked to M2.T1: running together costs the weight once,
        # running apart costs 2 days late (M2.T1 Mon 1-Tue 2, M1.T1 Wed 3-Fri 5).
        (30, 0, 2),
        (1, 1, 1),
    ],
)
def test_linked_topics_overlap_kept_apart(weight: float, overlapping: int, objective: float) -> None:
    data = race_data()
    record(data, "topics", "M1.T1")["links"] = ["M2.T1"]
    data["weights"] = only_weights(priority_topic_late=1, linked_topics_overlap=weight)
    result = optimal(problem_of(data))
    assert overlap(edition(result, "M1.T1#1"), edition(result, "M2.T1#1")) is bool(overlapping)
    assert soft_amounts(result.schedule)["linked_topics_overlap"] == overlapping
    assert result.objective == objective


# --------------------------------------------------------------- team_without_mixed_gender


@pytest.mark.parametrize(
    ("weight", "unmixed", "objective"),
    [
        # race_data where T3 is a man, so T1 is the only woman, and mixed_gender is soft.
        # Two mixed teams both need T1: one course after the other, 2 days late.
        # Running together, one team is two men: the weight once.
        (200, 0, 2),
        (1, 1, 1),
    ],
)
def test_team_without_mixed_gender_when_soft(weight: float, unmixed: int, objective: float) -> None:
    data = race_data()
    record(data, "trainers", "T3")["gender"] = "man"
    data["team_rules"] = {"mixed_gender": "soft"}
    data["weights"] = only_weights(priority_topic_late=1, team_without_mixed_gender=weight)
    result = optimal(problem_of(data))
    assert soft_amounts(result.schedule)["team_without_mixed_gender"] == unmixed
    assert overlap(edition(result, "M1.T1#1"), edition(result, "M2.T1#1")) is bool(unmixed)
    assert result.objective == objective


# ------------------------------------------------------------------------ course_shortened


@pytest.mark.parametrize(
    ("weight", "length", "objective"),
    [
        # M1.T1 left to the solver in 2-3 days; cost counts. A third day costs
        # HALL 100 + 450 = 550 USD = 5.5 points; shortening costs the weight.
        # Weight 100: full 3 days, 1650 + 980 USD = 26.3.
        (100, 3, 26.3),
        # Weight 5: 2 days, 1100 + 980 USD = 20.8, + 5 = 25.8.
        (5, 2, 25.8),
    ],
)
def test_course_shortened(weight: float, length: int, objective: float) -> None:
    data = tiny_data()
    data["weights"] = only_weights(cost=1, course_shortened=weight)
    result = optimal(problem_of(data))
    assert len(edition(result, "M1.T1#1").days) == length
    assert soft_amounts(result.schedule)["course_shortened"] == 3 - length
    assert result.objective == objective


def test_course_shortened_not_counted_for_a_fixed_length() -> None:
    # M1.T1 fixed at 2 days (the programme's choice): no day is counted as cut.
    data = tiny_data()
    record(data, "programme", "M1.T1")["duration_days"] = 2
    data["weights"] = only_weights(cost=1, course_shortened=100)
    result = optimal(problem_of(data))
    assert soft_amounts(result.schedule)["course_shortened"] == 0
    assert result.objective == 20.8
