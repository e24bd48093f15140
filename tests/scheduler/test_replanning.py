"""Pinned editions, the budget cap, and staying close to a published calendar."""

from __future__ import annotations

from model.check import kpis, soft_amounts
from model.rules import RULES
from model.rules.reading import Reading
from tests.instances.tiny import only_weights, problem_of, race_data, record, tiny_data
from tests.scheduler.solving import d, edition, infeasible, names_rule, optimal

PUBLISHED = [
    {"edition": "M1.T1#1", "start": "2027-03-01", "room": "HALL", "trainers": ["T1", "T4"]},
    {"edition": "M2.T1#1", "start": "2027-03-01", "room": "B", "trainers": ["T2", "T3"]},
]
STAY_CLOSE = only_weights(edition_moved=100, room_changed=20, trainer_changed=30)


def test_pinned_edition_kept_where_it_is_pinned() -> None:
    # race_data: both courses would start Mon 1 (objective 0). Pinned to Wed 3, M1.T1 is
    # 2 working days late (priority 1): objective 2; M2.T1 still starts Mon 1.
    data = race_data()
    data["pins"] = [{"edition": "M1.T1#1", "start": "2027-03-03", "room": "HALL", "trainers": ["T1", "T4"]}]
    result = optimal(problem_of(data))
    m1 = edition(result, "M1.T1#1")
    assert (m1.start, m1.room, m1.trainers) == (d(3), "HALL", ["T1", "T4"])
    assert edition(result, "M2.T1#1").start == d(1)
    assert result.objective == 2


def test_pinned_edition_kept_infeasible_when_the_pinned_team_breaks_a_rule() -> None:
    # Two women pinned as the team: the hard mixed-gender rule cannot hold.
    data = tiny_data()
    data["pins"] = [{"edition": "M1.T1#1", "trainers": ["T1", "T3"]}]
    diagnosis = infeasible(problem_of(data))
    assert names_rule(diagnosis, "pinned_edition_kept") and names_rule(diagnosis, "team_mixed_gender")


def test_pinned_edition_kept_infeasible_on_a_weekend() -> None:
    data = tiny_data()
    data["pins"] = [{"edition": "M1.T1#1", "start": "2027-03-06"}]  # a Saturday
    diagnosis = infeasible(problem_of(data))
    assert any("M1.T1#1" in line and "pinned start is not a working day" in line for line in diagnosis)


def test_budget_within_cap_shortens_a_course() -> None:
    # Only "days cut from a course's full length" counts (100 per day). Cheapest teams:
    # IOM 250 + UNHCR 200 = 450 USD a day; M1.T1 in HALL (100/day), M2.T1 in B (40/day).
    # Without a cap M1.T1 runs 3 days: 3x550 + 2x490 = 2630 USD, objective 0.
    # A 2080 USD cap leaves room for 2 days of M1.T1 only: 2x550 + 2x490 = 2080, objective 100.
    data = tiny_data()
    data["weights"] = only_weights(course_shortened=100)
    assert optimal(problem_of(data)).objective == 0
    data["budget_usd"] = 2080
    result = optimal(problem_of(data))
    assert len(edition(result, "M1.T1#1").days) == 2
    assert result.objective == 100
    assert kpis(result.schedule).cost_usd == 2080


def test_budget_within_cap_infeasible_below_the_cheapest_calendar() -> None:
    data = tiny_data()
    data["budget_usd"] = 2000  # the cheapest calendar costs 2080 USD
    assert names_rule(infeasible(problem_of(data)), "budget_within_cap")


def test_edition_moved_when_a_trainer_falls_away() -> None:
    # Published: both courses from Mon 1, M1.T1 (3 days) with T1+T4, M2.T1 with T2+T3.
    # T1 (IOM) is now away 1-5 March. Keeping M1.T1's dates means taking T1 off (30) and
    # giving it T2, the only other IOM trainer, who then leaves M2.T1 without IOM on the
    # same days: a course must move anyway (100). Cheapest: move M1.T1 after T1's absence
    # (any later date costs the same here) with its published team and room: objective 100.
    data = tiny_data()
    record(data, "programme", "M1.T1")["duration_days"] = 3
    record(data, "trainers", "T1")["unavailable"] = [{"start": "2027-03-01", "end": "2027-03-05"}]
    data["baseline"] = PUBLISHED
    data["weights"] = STAY_CLOSE
    result = optimal(problem_of(data))
    assert result.objective == 100
    amounts = soft_amounts(result.schedule)
    assert (amounts["edition_moved"], amounts["trainer_changed"], amounts["room_changed"]) == (1, 0, 0)
    m1 = edition(result, "M1.T1#1")
    assert m1.start >= d(8) and {"T1", "T4"} <= set(m1.trainers) and m1.room == "HALL"
    assert edition(result, "M2.T1#1").start == d(1)


def test_room_changed_rather_than_moving_the_edition() -> None:
    # Published: M2.T1 on Mon 8 in HALL. HALL now closes 8-12 March: moving the course costs
    # 100, taking room B the same days costs 20. Objective 20.
    data = tiny_data()
    data["baseline"] = [PUBLISHED[0], {"edition": "M2.T1#1", "start": "2027-03-08", "room": "HALL",
                                       "trainers": ["T2", "T3"]}]
    record(data, "rooms", "HALL")["closures"] = [{"start": "2027-03-08", "end": "2027-03-12"}]
    record(data, "programme", "M1.T1")["duration_days"] = 3
    data["weights"] = STAY_CLOSE
    result = optimal(problem_of(data))
    m2 = edition(result, "M2.T1#1")
    assert (m2.start, m2.room) == (d(8), "B")
    assert result.objective == 20


def test_room_changed_counts_a_published_mode_changed() -> None:
    # M1.T1 may run hybrid or in person and was published hybrid in HALL on Mon 1 for 3 days.
    # HALL now closes 1-5 March. Staying on those days means room B, in person (not hybrid-
    # equipped): a room and mode change, 20. Moving the course costs 100. Objective 20; the
    # evaluator says both what changed.
    data = tiny_data()
    record(data, "programme", "M1.T1").update(duration_days=3, modes=["hybrid", "in_person"])
    data["baseline"] = [{**PUBLISHED[0], "mode": "hybrid"}]
    record(data, "rooms", "HALL")["closures"] = [{"start": "2027-03-01", "end": "2027-03-05"}]
    data["weights"] = STAY_CLOSE
    result = optimal(problem_of(data))
    m1 = edition(result, "M1.T1#1")
    assert (m1.start, m1.room, m1.mode) == (d(1), "B", "in_person")
    assert result.objective == 20
    evaluate = RULES["room_changed"].evaluate
    assert evaluate is not None
    assert [c.message for c in evaluate(Reading(result.schedule))] == [
        "M1.T1#1 moves from room HALL to B and from hybrid to in person"]


def test_a_published_mode_is_kept_when_the_room_is() -> None:
    # As above with HALL open: nothing needs to change, and hybrid stays (in person in HALL
    # would cost the mode change, 20). Objective 0.
    data = tiny_data()
    record(data, "programme", "M1.T1").update(duration_days=3, modes=["hybrid", "in_person"])
    data["baseline"] = [{**PUBLISHED[0], "mode": "hybrid"}]
    data["weights"] = STAY_CLOSE
    result = optimal(problem_of(data))
    assert (edition(result, "M1.T1#1").room, edition(result, "M1.T1#1").mode) == ("HALL", "hybrid")
    assert result.objective == 0


def test_trainer_changed_counts_each_trainer_taken_off_or_added() -> None:
    # T3 is away all March: M2.T1 must take T3 off its team (30) and needs another woman;
    # T1 is the only one, added to the team (30), and she teaches M1.T1 on the same days, so
    # one course moves (100). Objective 160: one trainer taken off a team, one added.
    data = tiny_data()
    record(data, "programme", "M1.T1")["duration_days"] = 3
    record(data, "trainers", "T3")["unavailable"] = [{"start": "2027-03-01", "end": "2027-03-31"}]
    data["baseline"] = PUBLISHED
    data["weights"] = STAY_CLOSE
    result = optimal(problem_of(data))
    assert result.objective == 160
    assert soft_amounts(result.schedule)["trainer_changed"] == 2
