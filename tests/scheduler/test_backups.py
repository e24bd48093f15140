"""Backups: who could step in for each trainer, which room could take each course.

On the hand-made ``tiny`` calendar (tests/test_excel.py): M1.T1#1 Tue 2 - Thu 4 March in HALL
with T1 (woman, IOM) + T4 (man, UNHCR); M2.T1#1 Thu 18 - Fri 19 March in room B with T2 (man,
IOM) + T3 (woman, UNHCR). Every team needs an IOM trainer, and a woman and a man.
"""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from cli.app import app
from model.backups import breaks_if_used
from model.check import check_calendar
from model.formats.files import schedule_json
from model.schedule import Schedule
from scheduler.backups import backups
from scheduler.solve import Result
from tests.test_excel import placed, tiny_schedule


def roles(report) -> dict[tuple[str, str], tuple[str | None, str]]:
    out = {(e.edition, m.trainer): (m.backup, m.reason) for e in report.editions for m in e.members}
    out.update({(e.edition, "room"): (e.backup_room, e.room_reason) for e in report.editions if e.room})
    return out


def test_each_member_and_room_gets_a_backup_that_keeps_the_team_whole() -> None:
    report = backups(tiny_schedule())
    assert roles(report) == {
        # T1 is M1.T1's IOM trainer and its woman: only an IOM woman could replace her; T2 is a man.
        ("M1.T1#1", "T1"): (None, "a backup must bring a person of IOM and a woman; none of those free and "
                                  "within their limits (T2, T3) does"),
        # T4 (a man) leaves T1: a man of any organisation, and T2 is free in early March.
        ("M1.T1#1", "T4"): ("T2", ""),
        # M1.T1 is hybrid: room B cannot stream it.
        ("M1.T1#1", "room"): (None, "no other room that fits it is open and free on those days"),
        # T2 (IOM, a man) leaves T3 (UNHCR, a woman): only an IOM man, and there is none but T2.
        ("M2.T1#1", "T2"): (None, "a backup must bring a person of IOM and a man; none of those free and "
                                  "within their limits (T1, T4) does"),
        # T3 (a woman) leaves T2: T1 is a woman, free on 18-19 March.
        ("M2.T1#1", "T3"): ("T1", ""),
        ("M2.T1#1", "room"): ("HALL", ""),
    }
    assert (report.covered, report.roles, report.complete) == (2, 4, 0)


def test_nobody_backs_up_two_courses_on_the_same_day() -> None:
    # M2.T1#1 moved to Wed 3 - Thu 4 March with T2 + T3: it overlaps M1.T1#1. T4's backup must be
    # a man free then (T2 teaches M2.T1); T3's a woman (T1 teaches M1.T1): nobody is free.
    s = tiny_schedule()
    early = placed(s.problem, "M2.T1#1", date(2027, 3, 3), 2, "B", ["T2", "T3"])
    s = s.model_copy(update={"editions": [early if e.edition == "M2.T1#1" else e for e in s.editions]})
    report = backups(s)
    assert all(m.backup is None for e in report.editions for m in e.members)
    assert roles(report)[("M2.T1#1", "room")] == (None, "no other room that fits it is open and free on those "
                                                        "days")


def test_the_default_calendar_s_backups_break_no_hard_rule_if_used(rtcm_2027: Result) -> None:
    s: Schedule = rtcm_2027.schedule
    report = backups(s)
    assert report.status == "OPTIMAL" and report.covered > 0
    already = {v.message for v in check_calendar(s)}
    days: dict[str, list[date]] = {}
    for e in report.editions:
        se = s.by_edition[e.edition]
        for m in e.members:
            if m.backup:
                assert breaks_if_used(s, e.edition, already, member=m.trainer, backup=m.backup) == [], (e, m)
                days.setdefault(m.backup, []).extend(se.days)
            else:
                assert m.reason, (e.edition, m.trainer)
        if e.backup_room:
            assert breaks_if_used(s, e.edition, already, room=e.backup_room) == []
        elif e.room:
            assert e.room_reason
    assert all(len(ds) == len(set(ds)) for ds in days.values()), "a person backs up two courses on one day"


def test_the_cli_writes_the_report(tmp_path) -> None:
    path = tmp_path / "cal.json"
    path.write_text(schedule_json(tiny_schedule()), encoding="utf-8")
    r = CliRunner().invoke(app, ["backups", str(path), "--json", str(tmp_path / "b.json")])
    assert r.exit_code == 0, r.output
    assert "2 of 4 roles have a backup" in r.output
    report = json.loads((tmp_path / "b.json").read_text())
    assert [e["edition"] for e in report["editions"]] == ["M1.T1#1", "M2.T1#1"]
