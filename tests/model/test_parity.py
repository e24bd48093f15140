"""The parity report: its numbers by hand, its reasons, and the same numbers in CLI, JSON and Excel."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from cli.app import app
from cli.common import console
from model.formats.excel_parity import PARITY_SHEETS, parity_workbook
from model.formats.files import schedule_json
from model.parity import ParityReport, parity_report, percent
from model.schedule import Allocation, Schedule, ScheduledEdition
from scheduler.solve import SolveOptions, solve
from tests.instances.tiny import problem_of, record, tiny_data


def _days(first: int, n: int) -> list[date]:
    return [date(2027, 3, first) + timedelta(days=i) for i in range(n)]


def _edition(eid: str, first: int, n: int, trainers: list[str], room: str) -> ScheduledEdition:
    topic = eid.split("#")[0]
    days = _days(first, n)
    return ScheduledEdition(edition=eid, topic=topic, number=1, start=days[0], end=days[-1], days=days,
                            mode="hybrid" if topic == "M1.T1" else "in_person", venue="RTCM", room=room,
                            trainers=trainers)


def _nominee(nid: str, gender: str, topics: list[str], **more: Any) -> dict[str, Any]:
    return {"id": nid, "gender": gender, "country": more.pop("country", "Georgia"), "audience": "government",
            "topics": topics, **more}


def hand_made() -> Schedule:
    """A calendar written by hand (no solver), every figure derivable:

    - M1.T1#1, Mon 1 - Wed 3 March, team T1 (woman), T2 (man), T3 (woman): 6 women-days, 3 men's.
    - M2.T1#1, Mon 8 - Tue 9 March, team T2 + T4 (two men): 4 men's days. T1 and T3, the
      only women, are on annual leave 8-12 March; teams must include IOM and UNHCR (two seats).
    - Trainer-days: women 6, men 7: 6/13 = 46.15 % for the year, March and the calendar.
    - Seated in M1.T1#1: W1, W2 (women), M1 (man), A1 (another identity), U1 (undisclosed):
      2 women of 4 known = 50 %. In M2.T1#1: W1, M1, M2: 1 of 3 = 33.33 %, below 40 %.
      W3 (a woman nominated for M2.T1) is away in March. Year: 3 women of 7 known, 1 undisclosed.
    """
    data = tiny_data()
    for tid in ("T1", "T3"):
        record(data, "trainers", tid)["unavailable"] = [
            {"start": "2027-03-08", "end": "2027-03-12", "reason": "annual leave"}]
    data["team_rules"] = {"min_trainers": 2, "max_trainers": 2, "required_organisations": ["IOM", "UNHCR"]}
    data["nominations"] = [
        _nominee("W1", "woman", ["M1.T1", "M2.T1"]), _nominee("W2", "woman", ["M1.T1"], country="Armenia"),
        _nominee("M1", "man", ["M2.T1", "M1.T1"]), _nominee("A1", "another_identity", ["M1.T1"]),
        _nominee("U1", "undisclosed", ["M1.T1"]), _nominee("M2", "man", ["M2.T1"], country="Armenia"),
        _nominee("W3", "woman", ["M2.T1"], unavailable_months=["2027-03"]),
    ]
    seats = [("W1", "M1.T1#1"), ("W2", "M1.T1#1"), ("M1", "M1.T1#1"), ("A1", "M1.T1#1"), ("U1", "M1.T1#1"),
             ("W1", "M2.T1#1"), ("M1", "M2.T1#1"), ("M2", "M2.T1#1")]
    return Schedule(
        problem=problem_of(data),
        editions=[_edition("M1.T1#1", 1, 3, ["T1", "T2", "T3"], "HALL"),
                  _edition("M2.T1#1", 8, 2, ["T2", "T4"], "B")],
        allocations=[Allocation(nominee=n, edition=e, mode="in_person") for n, e in seats],
    )


def test_trainer_figures_by_hand() -> None:
    r = parity_report(hand_made())
    year = r.row("trainers", "year", "year")
    assert (year.women, year.men, year.another_identity, year.undisclosed, year.share) == (6, 7, 0, 0, 0.4615)
    assert (year.target, year.mode, year.status) == ("40-60 %", "soft", "pass")
    assert r.row("trainers", "month", "2027-03").share == 0.4615
    m1 = r.row("trainers", "module", "M1")
    assert (m1.women, m1.men, m1.share, m1.mode, m1.status) == (6, 3, 0.6667, "off", "n/a")
    iom = r.row("trainers", "organisation", "IOM")  # T1 3 days, T2 3 + 2: 3 of 8
    assert (iom.share, iom.mode, iom.status) == (0.375, "reference", "fail")
    assert iom.reason == "IOM: its pool has 1 woman among 2 trainers"
    assert r.row("trainers", "organisation", "UNHCR").share == 0.6  # T3 3 days, T4 2
    assert [x.key for x in r.rows("trainers", "edition")] == ["M1.T1#1", "M2.T1#1"]


def test_a_team_without_a_woman_names_the_binding_reason() -> None:
    row = parity_report(hand_made()).row("trainers", "edition", "M2.T1#1")
    assert (row.women, row.men, row.status) == (0, 4, "fail")
    assert row.reason == (
        "M2.T1#1: no qualified woman trainer from the required organisations available 8-9 Mar: "
        "T1 (IOM) unavailable (annual leave) 8-12 Mar; T3 (UNHCR) unavailable (annual leave) 8-12 Mar")


def test_participant_figures_by_hand_with_undisclosed_apart() -> None:
    r = parity_report(hand_made())
    m1 = r.row("participants", "edition", "M1.T1#1")
    figures = (m1.women, m1.men, m1.another_identity, m1.undisclosed, m1.share, m1.status)
    assert figures == (2, 1, 1, 1, 0.5, "pass")
    year = r.row("participants", "year", "year")
    assert (year.women, year.men, year.another_identity, year.undisclosed, year.share) == (3, 3, 1, 1, 0.4286)
    assert r.undisclosed_participants == 1 and r.undisclosed_trainer_days == 0
    assert "excluded from the shares (0 trainer-days, 1 participants)" in r.notes[0]
    assert (r.nominations, r.seated, r.unplaced) == (9, 8, 0)


def test_an_edition_below_the_band_says_who_was_nominated_and_what_kept_them_out() -> None:
    row = parity_report(hand_made()).row("participants", "edition", "M2.T1#1")
    assert (row.women, row.men, row.share, row.status) == (1, 2, 0.3333, "fail")
    assert row.reason == ("M2.T1#1: 2 women among the 4 nominees of known gender for M2.T1; "
                          "of them: 1 seated here, 1 unavailable then")


def test_aggregates_are_compared_with_the_edition_band() -> None:
    r = parity_report(hand_made())
    armenia = r.row("participants", "country", "Armenia")  # W2 and M2: 1 of 2
    assert (armenia.share, armenia.mode, armenia.status) == (0.5, "reference", "pass")
    georgia = r.row("participants", "country", "Georgia")  # W1 twice, M1 twice, A1, (U1): 2 of 5
    assert (georgia.women, georgia.men, georgia.another_identity, georgia.share) == (2, 2, 1, 0.4)


def test_country_caps_show_the_largest_country() -> None:
    caps = {(c.edition, c.country): c for c in parity_report(hand_made()).country_caps}
    # M1.T1#1: 20 + 10 planned seats, cap 25 % = 7; Georgia has W1, M1, A1, U1.
    c = caps[("M1.T1#1", "Georgia")]
    assert (c.participants, c.seats, c.share, c.cap_seats, c.status) == (4, 30, 0.1333, 7, "pass")


def test_the_report_is_plain_json() -> None:
    r = parity_report(hand_made())
    assert ParityReport.model_validate_json(r.model_dump_json()) == r


def test_without_nominations_the_report_covers_trainers_only() -> None:
    s = hand_made()
    s = s.model_copy(update={"problem": problem_of({**s.problem.model_dump(mode="json"), "nominations": []}),
                             "allocations": []})
    r = parity_report(s)
    assert r.participants == [] and r.country_caps == [] and r.trainers


# ------------------------------------------------------------- the same numbers everywhere


def _cli_rows(output: str) -> list[list[str]]:
    """The body rows of every rich table in the CLI's output, as lists of cells."""
    return [[c.strip() for c in line.strip().strip("│").split("│")] for line in output.splitlines()
            if line.startswith("│")]


def _excel_rows(ws: Any, name: str) -> list[tuple[Any, ...]]:
    ref = ws.tables[name].ref
    rows = list(ws[ref])
    return [tuple(c.value for c in row) for row in rows[1:]]


def test_excel_cli_and_json_agree_exactly(tmp_path, monkeypatch) -> None:
    path = tmp_path / "schedule.json"
    path.write_text(schedule_json(hand_made()))
    out, js = tmp_path / "parity.xlsx", tmp_path / "parity.json"
    monkeypatch.setattr(console, "_width", 240)  # wide enough that no table cell wraps
    result = CliRunner().invoke(app, ["parity", str(path), "--out", str(out), "--json", str(js)])
    assert result.exit_code == 0, result.output
    report = ParityReport.model_validate(json.loads(js.read_text()))
    assert report == parity_report(hand_made())

    shown = _cli_rows(result.output)
    for row in report.trainers + report.participants:
        cells = [row.key, str(row.women), str(row.men), str(row.another_identity), str(row.undisclosed),
                 percent(row.share)]
        assert any(c[:6] == cells and c[-1] == row.status for c in shown), (cells, result.output)
    assert len([c for c in shown if len(c) == 9]) == len(report.trainers) + len(report.participants)

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == list(PARITY_SHEETS)
    ws = wb["Gender parity"]
    for name, rows in (("ParityReportTrainers", report.trainers),
                       ("ParityReportParticipants", report.participants)):
        assert _excel_rows(ws, name) == [
            (r.scope, r.key, r.women, r.men, r.another_identity, r.undisclosed, r.share, r.target, r.mode,
             r.status, r.reason or None) for r in rows]
    assert _excel_rows(ws, "ParityReportByMonth") == [("2027-03", 0.4615, 0.4286)]
    assert _excel_rows(ws, "ParityReportCountryCaps")[0][:5] == ("M1.T1#1", "Georgia", 4, 30, 0.1333)
    assert len(ws._charts) == 1
    fills = {r.formula[0]: r.dxf.fill.fgColor.rgb for cf in ws.conditional_formatting for r in cf.rules}
    assert fills == {'"pass"': "00C6EFCE", '"fail"': "00FFC7CE"}
    seats = _excel_rows(wb["Participants"], "ParticipantSeats")
    assert len(seats) == 8 and seats[0][:7] == ("W1", "woman", "Georgia", "government", "M1.T1#1", "M1.T1",
                                                 "in_person")


def test_parity_workbook_is_in_memory() -> None:
    wb = parity_workbook(hand_made())
    assert wb.sheetnames == list(PARITY_SHEETS)


# ------------------------------------------------------------------ the default programme


@pytest.mark.slow
def test_rtcm_2027_parity() -> None:
    # How many nominees are seated and where the year's share lands depend on how far the
    # searches got: solved in deterministic time, it is the same calendar on every run.
    from data import default_problem

    # Without its budget: the seats' knapsack would need more than this test's few seconds of
    # allocation (bench/ measures the budgeted default at full length).
    from model.formats.files import problem_from_data

    data = default_problem().model_dump(mode="json")
    data["budget_usd"] = None
    s = solve(problem_from_data(data, "default"), SolveOptions(time_limit_s=5, workers=2, deterministic=True)).schedule
    assert s.solver is not None and s.solver.allocation is not None
    assert s.solver.allocation.status in ("OPTIMAL", "FEASIBLE")
    assert len(s.allocations) > 900 and s.unplaced and all(u.reason for u in s.unplaced)
    r = parity_report(s)
    year = r.row("trainers", "year", "year")
    assert year.share is not None and 0.4 <= year.share <= 0.6 and year.status == "pass"
    editions = r.rows("participants", "edition")
    assert len(editions) == len(s.editions) > 50
    outside = [e for e in editions if e.share is not None and not 0.4 <= e.share <= 0.6]
    assert outside, "the default's nominations make some editions miss the band"
    assert all(e.status == "fail" and e.reason.startswith(e.key + ": ") for e in outside)
    assert r.undisclosed_participants > 0
