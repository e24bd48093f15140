"""Standbys: team_member_without_standby (soft), the people a calendar keeps free to stand in.

On ``tiny`` with two more trainers, T5 (woman, IOM) and T6 (man, UNHCR): six people of four kinds
(organisation and gender): IOM women T1 and T5, the IOM man T2, the UNHCR woman T3, UNHCR men T4
and T6. Teams of two need IOM, a woman and a man. A standby covers one team member of their own
kind, free on the course's days (qualified, available, delivering and standing by for nothing
else then); each member without one costs the weight.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from model.check import soft_amounts
from model.formats.excel import write_schedule_workbook
from model.problem import Problem
from model.rules import RULES
from model.rules.reading import Reading
from model.schedule import Schedule, ScheduledEdition
from scheduler.backups import backups
from tests.instances.tiny import _trainer, only_weights, problem_of, tiny_data
from tests.scheduler.solving import d, optimal, term_values


def six_trainers(*, same_days: bool) -> dict[str, Any]:
    data = tiny_data()
    data["trainers"] += [_trainer("T5", "Sabina (fictional)", "woman", "IOM", 250),
                         _trainer("T6", "Elchin (fictional)", "man", "UNHCR", 200)]
    data["weights"] = only_weights(team_member_without_standby=1)
    if same_days:
        data["pins"] = [{"edition": "M1.T1#1", "start": "2027-03-01"}, {"edition": "M2.T1#1", "start": "2027-03-01"}]
    return data


def test_apart_each_course_keeps_a_standby_for_each_member() -> None:
    # The two courses on other days: each team's kinds are free during the other course. Optimum 0.
    result = optimal(problem_of(six_trainers(same_days=False)))
    assert result.objective == 0
    for se in result.schedule.editions:
        assert len(se.standbys) == 2 and not set(se.standbys) & set(se.trainers)


def test_on_the_same_days_two_members_stay_without_one() -> None:
    # Both courses on 1-2 March: four people teach, two are left to stand by, each for one course
    # (they overlap) and one member: at least 4 - 2 = 2 members go without. 2 is reached by one team
    # of the two spare kinds (say T1 and T4, with T5 and T6 standing by): optimum 2.
    result = optimal(problem_of(six_trainers(same_days=True)))
    assert result.objective == 2
    covered = [se for se in result.schedule.editions if se.standbys]
    assert len(covered) == 1 and len(covered[0].standbys) == 2
    assert term_values(result.schedule)["team_member_without_standby"] == 2


def placed(problem: Problem, edition: str, days: list[int], room: str | None, trainers: list[str],
           standbys: list[str]) -> ScheduledEdition:
    return ScheduledEdition.place(problem, edition, [d(x) for x in days], room, trainers, standbys=standbys)


def charged(schedule: Schedule) -> dict[str, float]:
    evaluate = RULES["team_member_without_standby"].evaluate
    assert evaluate is not None
    return {c.edition or "": c.amount for c in evaluate(Reading(schedule))}


def test_the_evaluator_counts_only_standbys_free_on_the_course_s_days() -> None:
    data = six_trainers(same_days=False)
    data["trainers"][4]["unavailable"] = [{"start": "2027-03-02", "end": "2027-03-02"}]  # T5 away on 2 March
    p = problem_of(data)

    def calendar(m2_days: list[int], m1_standbys: list[str], m2_standbys: list[str]) -> Schedule:
        return Schedule(problem=p, editions=[placed(p, "M1.T1#1", [1, 2], "HALL", ["T1", "T4"], m1_standbys),
                                             placed(p, "M2.T1#1", m2_days, "B", ["T2", "T3"], m2_standbys)])

    # T6 (a UNHCR man) covers T4; nobody covers T1 (an IOM woman).
    assert charged(calendar([8, 9], ["T6"], [])) == {"M1.T1#1": 1, "M2.T1#1": 2}
    # T5 is away on one of the course's days, T3 (a UNHCR woman) is not of T1's kind: neither covers her.
    assert charged(calendar([8, 9], ["T5", "T3"], []))["M1.T1#1"] == 2
    # T2 teaches M2.T1 on the same days: he stands in for nobody; and a standby on the team covers nobody.
    assert charged(calendar([1, 2], ["T2", "T4"], []))["M1.T1#1"] == 2
    # T6 standing by for both courses on the same days covers neither.
    assert charged(calendar([1, 2], ["T6"], ["T6"])) == {"M1.T1#1": 2, "M2.T1#1": 2}
    # On other days he may stand by for both, though covering only a member of his kind: T4, not T2 or T3.
    assert charged(calendar([8, 9], ["T6"], ["T6"])) == {"M1.T1#1": 1, "M2.T1#1": 2}
    assert soft_amounts(calendar([8, 9], ["T6"], ["T6"]))["team_member_without_standby"] == 3


def test_the_backups_take_the_standbys_first_and_the_workbook_lists_them(tmp_path: Path) -> None:
    result = optimal(problem_of(six_trainers(same_days=False)))
    report = backups(result.schedule)
    for eb in report.editions:
        se = result.schedule.by_edition[eb.edition]
        assert {m.backup for m in eb.members} == set(se.standbys)  # each member's of their kind
    path = tmp_path / "standbys.xlsx"
    write_schedule_workbook(result.schedule, path)
    ws = openpyxl.load_workbook(path)["Editions"]
    header = [c.value for c in ws[1]]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["M1.T1#1"]["Standbys"] == ", ".join(result.schedule.by_edition["M1.T1#1"].standbys)
