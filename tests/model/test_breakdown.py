"""The score analysis: each soft rule's penalty record by record, and one edition's alternatives.

On the hand-made ``tiny`` calendar of tests/test_excel.py (default weights):

- M1.T1#1 Tue 2 - Thu 4 March in HALL with T1 (250 USD/day) + T4 (200); M2.T1#1 Thu 18 - Fri 19
  March in room B with T2 (250) + T3 (200).
- Busiest month: March, 5 training days x 20 = 100 points, 60 from M1.T1#1 and 40 from M2.T1#1.
- Busiest trainer: T1 (3 days; T4 too, the first by id counts) x 10 = 30, all on M1.T1#1.
- Cost: M1.T1#1 3 x (450 + 100) = 1,650 USD = 16.5 points; M2.T1#1 2 x (450 + 40) = 980 USD = 9.8.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from model.check import check, kpis, penalties
from model.explain import alternatives, by_edition, by_trainer, penalty_breakdown
from model.formats.excel import write_schedule_workbook
from model.schedule import Schedule, ScheduledEdition
from tests.instances.tiny import only_weights, problem_of, record, tiny_data, tiny_problem
from tests.test_excel import placed, tiny_schedule


def test_each_penalty_is_told_record_by_record() -> None:
    items = penalty_breakdown(tiny_schedule())
    assert [(i.rule, i.edition, i.trainer, i.points, i.message) for i in items] == [
        ("busiest_month", "M1.T1#1", None, 60.0,
         "M1.T1#1 has 3 of the 5 training days of the busiest month, 2027-03: 60 points"),
        ("busiest_month", "M2.T1#1", None, 40.0,
         "M2.T1#1 has 2 of the 5 training days of the busiest month, 2027-03: 40 points"),
        ("busiest_trainer", "M1.T1#1", "T1", 30.0,
         "the busiest trainer, T1 Amina (fictional) (3 days in all), teaches 3 days on M1.T1#1: 30 points"),
        ("cost", "M1.T1#1", None, 16.5,
         "M1.T1#1: fees 1,350 USD (T1 250, T4 200 a day x 3) and room HALL 300 USD (100 a day x 3), "
         "1,650 USD: 16.5 points"),
        ("cost", "M2.T1#1", None, 9.8,
         "M2.T1#1: fees 900 USD (T2 250, T3 200 a day x 2) and room B 80 USD (40 a day x 2), 980 USD: 9.8 "
         "points"),
    ]
    assert by_edition(items) == {"M1.T1#1": 106.5, "M2.T1#1": 49.8}
    assert by_trainer(items) == {"T1": 30.0}


def adds_up(schedule: Schedule) -> None:
    told: dict[str, float] = defaultdict(float)
    items = penalty_breakdown(schedule)
    for item in items:
        told[item.rule] += item.points
    for pen in penalties(schedule):
        assert told[pen.rule] == pytest.approx(pen.points, abs=0.01 * max(1, len(items))), pen.rule


def test_the_items_add_up_to_each_rule_s_points_on_the_default_greedy_calendar() -> None:
    from data import default_problem
    from scheduler.greedy import greedy_schedule

    adds_up(greedy_schedule(default_problem()))


def test_the_items_add_up_with_left_out_editions_shortened_courses_and_a_moved_baseline() -> None:
    # Every soft rule that has records: M2.T1 optional and left out (priority 1), M1.T1 shortened
    # to 2 of 3 days and late, a published calendar it no longer follows, teams without a woman.
    p = tiny_problem(
        programme=[
            {"topic": "M1.T1", "mode": "hybrid", "participants_in_person": 20, "participants_online": 10,
             "priority": 2},
            {"topic": "M2.T1", "mode": "in_person", "participants_in_person": 15, "mandatory": False,
             "priority": 1},
        ],
        team_rules={"mixed_gender": "soft"},
        baseline=[{"edition": "M1.T1#1", "start": "2027-03-01", "room": "B", "trainers": ["T1", "T3"]},
                  {"edition": "M2.T1#1", "start": "2027-03-01", "trainers": ["T2", "T4"]}],
    )
    schedule = Schedule(problem=p, editions=[placed(p, "M1.T1#1", date(2027, 3, 8), 2, "HALL", ["T2", "T4"])])
    rules = {i.rule for i in penalty_breakdown(schedule)}
    assert rules == {"optional_edition_left_out", "priority_topic_late", "busiest_month", "busiest_trainer",
                     "cost", "team_without_mixed_gender", "course_shortened", "edition_moved", "room_changed",
                     "trainer_changed", "trainer_days_off_women_share_year"}
    adds_up(schedule)


def test_a_solved_calendar_carries_its_breakdown_in_the_json_and_the_summary(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.app import app
    from model.formats.files import read_schedule
    from tests.test_cli import write_tiny

    out = tmp_path / "cal.json"
    r = CliRunner().invoke(app, ["solve", write_tiny(tmp_path), "--json", str(out), "--time-limit", "10",
                                 "--workers", "2", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "costliest" in r.output
    schedule = read_schedule(out)
    assert schedule.solver is not None
    assert schedule.solver.breakdown == penalty_breakdown(schedule)
    assert sum(i.points for i in schedule.solver.breakdown) == pytest.approx(schedule.solver.objective)


def test_the_issues_sheet_lists_the_breakdown_once(tmp_path: Path) -> None:
    path = tmp_path / "cal.xlsx"
    write_schedule_workbook(tiny_schedule(), path)
    rows = list(openpyxl.load_workbook(path)["Issues"].iter_rows(values_only=True))
    soft = [(r[1], r[3]) for r in rows if r[0] == "Soft rule"]
    assert soft == [("busiest_month", "2027-03, M1.T1#1"), ("busiest_month", "2027-03, M2.T1#1"),
                    ("busiest_trainer", "T1, M1.T1#1"), ("cost", "M1.T1#1, T1, T4, HALL"),
                    ("cost", "M2.T1#1, T2, T3, B")]
    assert len(set(soft)) == len(soft)


# ------------------------------------------------------------------------------ alternatives


def cost_only(with_m2: bool = True) -> Schedule:
    """tiny_schedule's calendar with only cost counting (26.3 points), M2.T1 optional when left out."""
    p = tiny_problem(weights=only_weights(cost=1, optional_edition_left_out=9))
    if not with_m2:
        items = [i.model_dump() for i in p.programme]
        items[1]["mandatory"] = False
        p = tiny_problem(weights=only_weights(cost=1, optional_edition_left_out=9), programme=items)
    editions = [placed(p, "M1.T1#1", date(2027, 3, 2), 3, "HALL", ["T1", "T4"])]
    if with_m2:
        editions.append(placed(p, "M2.T1#1", date(2027, 3, 18), 2, "B", ["T2", "T3"]))
    return Schedule(problem=p, editions=editions)


def test_alternatives_of_a_scheduled_edition_with_their_cost() -> None:
    # M2.T1#1 keeps its 2 days and its team (T2 + T3 are free every week). In room B each week
    # costs the same (delta 0); in HALL 60 USD a day more: +1.2 points. HALL is taken by
    # M1.T1#1 all the week of 1 March (Tue 2 - Thu 4; Fri 5 + Sat is no block).
    schedule = cost_only()
    alts = alternatives(schedule, "M2.T1#1")
    assert alts.objective == 26.3
    assert alts.current is not None and (alts.current.start, alts.current.room) == (date(2027, 3, 18), "B")
    mondays = [date(2027, 3, d) for d in (1, 8, 15, 22, 29)]
    assert [(a.start, a.room, a.delta, a.changes) for a in alts.alternatives] == (
        [(m, "B", 0.0, {}) for m in mondays] + [(m, "HALL", 1.2, {"cost": 1.2}) for m in mondays[1:]])
    assert all(a.trainers == ["T2", "T3"] for a in alts.alternatives)
    assert [(b.week, b.room, b.reason) for b in alts.blocked] == [
        (date(2027, 3, 1), "HALL", "room HALL hosts another course then")]
    # Each alternative is a calendar the checker accepts, with the objective it reports.
    for a in alts.alternatives:
        moved = schedule.by_edition["M2.T1#1"].model_copy(update={
            "start": a.start, "end": a.end, "days": a.days, "room": a.room, "trainers": a.trainers})
        trial = Schedule(problem=schedule.problem, editions=[schedule.by_edition["M1.T1#1"], moved])
        assert check(trial) == []
        assert kpis(trial).objective == a.objective


def test_alternatives_of_a_left_out_edition_price_its_inclusion() -> None:
    # Left out, M2.T1#1 costs 9 points; run Mon 1 - Tue 2 in B by T2 + T3 (T1 and T4 teach from
    # Tue 2): 980 USD = 9.8 points, 0.8 more.
    alts = alternatives(cost_only(with_m2=False), "M2.T1#1")
    assert alts.current is None
    best = alts.alternatives[0]
    assert (best.start, best.room, best.trainers, best.delta) == (date(2027, 3, 1), "B", ["T2", "T3"], 0.8)
    assert best.changes == {"optional_edition_left_out": -9.0, "cost": 9.8}


def test_alternatives_of_an_unknown_edition() -> None:
    with pytest.raises(ValueError, match=r"edition M9\.T9#1 is not in the programme"):
        alternatives(cost_only(), "M9.T9#1")


def test_alternatives_keep_the_mode_a_room_holds_else_take_one_it_holds() -> None:
    # M1.T1 may run hybrid or in person (2 days); scheduled hybrid in HALL Tue 2 - Wed 3 March,
    # M2.T1#1 as in cost_only. In HALL it stays hybrid; room B holds it in person only (20 seats,
    # none online), 60 USD a day cheaper: 2 x 60 = 120 USD, -1.2 points.
    data = tiny_data()
    data["weights"] = only_weights(cost=1)
    record(data, "programme", "M1.T1").update(modes=["hybrid", "in_person"], duration_days=2)
    p = problem_of(data)
    m1 = ScheduledEdition.place(p, "M1.T1#1", [date(2027, 3, 2), date(2027, 3, 3)], "HALL", ["T1", "T4"])
    schedule = Schedule(problem=p, editions=[m1, placed(p, "M2.T1#1", date(2027, 3, 18), 2, "B", ["T2", "T3"])])
    alts = alternatives(schedule, "M1.T1#1")
    assert alts.current is not None and (alts.current.room, alts.current.mode) == ("HALL", "hybrid")
    assert {(a.room, a.mode) for a in alts.alternatives} == {("HALL", "hybrid"), ("B", "in_person")}
    best = alts.alternatives[0]
    assert (best.room, best.mode, best.delta) == ("B", "in_person", -1.2)
    moved = ScheduledEdition.place(p, "M1.T1#1", best.days, best.room, best.trainers, mode=best.mode)
    assert check(Schedule(problem=p, editions=[moved, schedule.by_edition["M2.T1#1"]])) == []
