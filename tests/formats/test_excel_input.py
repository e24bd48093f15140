"""The input workbook: template, round trip, and precise errors for broken workbooks.

Cell addresses in the expectations follow the template of ``tiny`` (headers on row 2, data
from row 3): Trainers T1..T4 on rows 3..6 with Id in A, Name B, Gender C, Organisation D,
Topics E, Day rate J; Programme M1.T1 on row 3, M2.T1 on row 4 (Mode D, Modes E, In person K);
Topics M1.T1 on row 3 (Min days D, Max days E, Modes F); Rooms HALL row 3, B row 4 (Seats D);
Settings and Targets values in column B.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from cli.app import app
from cli.common import EXIT_BAD_INPUT
from data import default_problem
from model.errors import InputError, Issue
from model.formats.excel_input import (
    FIRST_ROW,
    HEADER_ROW,
    LAYOUT,
    README,
    SettingsSheet,
    TableSheet,
    import_workbook,
    template_workbook,
    write_template,
)
from model.formats.files import problem_from_data, read_problem
from model.problem import (
    BaselineEdition,
    GuestSession,
    GuestSlot,
    Module,
    Nomination,
    Organisation,
    Pin,
    Prerequisite,
    Problem,
    ProgrammeItem,
    Room,
    Topic,
    Trainer,
    Venue,
)
from tests.formats.guests import guests_data
from tests.instances.tiny import problem_of, record, tiny_data, tiny_problem

runner = CliRunner()


def workbook_bytes(problem: Problem) -> bytes:
    buffer = BytesIO()
    template_workbook(problem).save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def tiny_xlsx() -> bytes:
    return workbook_bytes(tiny_problem())


def edited(template: bytes, tmp_path: Path, edit: Callable[[openpyxl.Workbook], Any]) -> Path:
    """The template, changed by ``edit`` the way a planner would in Excel, saved to a file."""
    wb = openpyxl.load_workbook(BytesIO(template))
    edit(wb)
    path = tmp_path / "edited.xlsx"
    wb.save(path)
    return path


def errors_of(path: Path | bytes) -> list[str]:
    with pytest.raises(InputError) as caught:
        import_workbook(path, name="edited.xlsx")
    return caught.value.messages


# ----------------------------------------------------------------------------- round trip


def test_template_of_the_default_imports_back_to_the_default(tmp_path):
    path = tmp_path / "rtcm-2027.xlsx"
    write_template(default_problem(), path)
    imported = import_workbook(path)
    assert imported.warnings == []
    assert imported.problem.model_dump() == default_problem().model_dump()


def rich_tiny() -> Problem:
    """``tiny`` with every optional part filled in, so that the round trip covers each column.

    Extra holiday, centre/venue/room closures, a trainer's absence, a 6-day week, straddling,
    no national holidays, topic lists (one resource person with a comma), links, quota, budget,
    windows, priorities, an optional edition, explicit and empty required organisations, a
    prerequisite, an item's venues, a pin with its mode, a baseline, soft mixed gender, changed
    weights, gender targets (one without a maximum), two nominations and a rollout with a theme.
    """
    data = tiny_data()
    data["description"] = "every column, once"
    data["calendar"].update(
        working_weekdays=["mon", "tue", "wed", "thu", "fri", "sat"], allow_straddle=True,
        extra_holidays=[{"day": "2027-03-10", "name": "Founders' day"}],
        closures=[{"start": "2027-03-24", "end": "2027-03-26", "reason": "audit"}])
    data["budget_usd"] = 50_000
    data["rollout"] = {"years": 2, "dropped": ["M2.T1"], "course_days_per_quarter": 20,
                       "themes": [{"id": "basics", "name": "Migration, the basics", "topics": ["M1.T1"],
                                   "by_year": 2}]}
    data["platform"] = {"max_concurrent_streams": 3, "online_seats_per_stream": 80}
    data["modules"][1]["connected_modules"] = [1]
    record(data, "topics", "M1.T1").update(
        modes=["hybrid", "in_person", "online"], target_audiences=["government", "csos"],
        resource_organisations=["IOM", "UNHCR"], resource_persons_raw=["IOM (EMM, HQ)", "UNHCR"],
        links=["M2.T1"])
    data["organisations"][1]["trainer_day_quota"] = 12
    record(data, "trainers", "T1").update(
        topics=["M2.T1"], modules=[1], languages=["en", "ru"], max_days_per_month=8,
        unavailable=[{"start": "2027-03-15", "end": "2027-03-19", "reason": "annual leave"}])
    record(data, "trainers", "T3")["fictional"] = False
    data["venues"][0]["closures"] = [{"start": "2027-03-29", "end": "2027-03-31", "reason": "repairs"}]
    record(data, "rooms", "B")["closures"] = [{"start": "2027-03-01", "end": "2027-03-02"}]
    record(data, "programme", "M1.T1").update(
        duration_days=None, earliest_start="2027-03-02", latest_end="2027-03-30", priority=2,
        required_organisations=["IOM", "UNHCR"], language="en")
    record(data, "programme", "M2.T1").update(editions=2, mandatory=False, required_organisations=[],
                                              venues=["RTCM"])
    data["prerequisites"] = [{"before": "M1.T1", "after": "M2.T1", "min_gap_days": 1, "max_gap_days": 20,
                              "reason": "basics first"}]
    data["team_rules"] = {"min_trainers": 2, "max_trainers": 2, "required_organisations": [],
                          "mixed_gender": "soft"}
    data["weights"] = {"busiest_month": 0, "cost": 2.5}
    data["pins"] = [{"edition": "M1.T1#1", "start": "2027-03-02", "mode": "hybrid", "trainers": ["T2", "T4"],
                     "reason": "announced"}]
    data["baseline"] = [{"edition": "M2.T1#1", "start": "2027-03-16", "room": "B", "trainers": ["T2"]}]
    data["targets"] = {"trainer_days_year": {"min_share": 0.45, "max_share": None, "mode": "hard"},
                       "trainer_days_month": {"min_share": 0.3, "max_share": 0.7, "mode": "soft"},
                       "country_cap_edition": {"max_share": 0.5, "mode": "off"}}
    data["nominations"] = [
        {"id": "N1", "gender": "another_identity", "country": "AZ", "audience": "government",
         "topics": ["M1.T1", "M2.T1"], "mode": "in_person", "unavailable_months": ["2027-03"],
         "completed": ["M2.T1"]},
        {"id": "N2", "country": "GE", "audience": "csos", "topics": ["M2.T1"]},
    ]
    return problem_of(data)


def test_every_column_survives_the_round_trip(tmp_path):
    problem = rich_tiny()
    imported = import_workbook(workbook_bytes(problem))
    assert imported.warnings == []
    assert imported.problem.model_dump() == problem.model_dump()


def modes_tiny() -> Problem:
    """``tiny`` where M1.T1 (Programme row 3) runs hybrid or in person, in person preferred, and
    M2.T1 (row 4) in person alone."""
    data = tiny_data()
    record(data, "programme", "M1.T1").update(mode="in_person", modes=["hybrid", "in_person"])
    return problem_of(data)


def test_the_modes_an_edition_may_run_in_survive_the_round_trip():
    problem = modes_tiny()
    xlsx = workbook_bytes(problem)
    programme = openpyxl.load_workbook(BytesIO(xlsx))["Programme"]
    assert [c.value for c in programme["D2":"E4"][0]] == ["Mode", "Modes"]
    assert [[c.value for c in row] for row in programme["D3":"E4"]] == [
        ["in person", "hybrid, in person"], ["in person", None]]
    imported = import_workbook(xlsx)
    assert imported.warnings == []
    assert imported.problem.model_dump() == problem.model_dump()
    assert [i.allowed_modes for i in imported.problem.programme] == [("in_person", "hybrid"), ("in_person",)]


def test_mode_is_written_as_the_one_preferred_when_only_modes_are_given():
    """An item with modes and no mode prefers its first; the Mode cell says so, and reads back the same."""
    data = tiny_data()
    item = record(data, "programme", "M1.T1")
    del item["mode"]
    item["modes"] = ["in_person", "hybrid"]
    problem = problem_of(data)
    xlsx = workbook_bytes(problem)
    assert openpyxl.load_workbook(BytesIO(xlsx))["Programme"]["D3"].value == "in person"
    imported = import_workbook(xlsx).problem
    assert imported.programme[0].allowed_modes == problem.programme[0].allowed_modes == ("in_person", "hybrid")


def test_modes_as_planners_type_them(tmp_path):
    """Case-folded, in the model's words or the sheet's, with the Mode cell left blank: the first preferred."""
    path = edited(workbook_bytes(modes_tiny()), tmp_path, _set("Programme", D3=None, E3="In Person,HYBRID"))
    item = import_workbook(path).problem.programme[0]
    assert (item.modes, item.allowed_modes) == (["in_person", "hybrid"], ("in_person", "hybrid"))


@pytest.mark.parametrize(("cells", "expected"), [
    ({"E3": "hybrid, webinar"}, ["Programme!E3: mode 'webinar' is not one of hybrid, in person, online"]),
    ({"D3": "online"}, ["Programme!D3: programme M1.T1: mode 'online' is not among its modes (hybrid, in person)"]),
    # The topic offers hybrid and in person (the default): online is the second of the item's modes.
    ({"D3": "hybrid", "E3": "hybrid, online"},
     ["Programme!E3: programme M1.T1: mode 'online' is not offered for this topic (hybrid, in person)"]),
], ids=["unknown mode", "mode not among them", "mode the topic lacks"])
def test_a_wrong_mode_in_modes_lands_on_its_cell(tmp_path, cells, expected):
    assert errors_of(edited(workbook_bytes(modes_tiny()), tmp_path, _set("Programme", **cells))) == expected


def guests_tiny() -> Problem:
    """``tiny`` with guest slots and guests (``tests/formats/guests.py``), and every guest column filled.

    - Trainers T5 (GEO-MIA, 400 USD travel) and T6 (ARM-MS, 300), both guests only, on rows 7, 8;
      T4 teaches whole courses only. Guest slots: M1.T1 "country" (required) on row 3, M2.T1
      "country" on row 4, both open to GEO-MIA and ARM-MS. M2.T1 has two editions.
    - Pins, the three states of a pin's guests: M1.T1#1 (row 3) pinned with T5's session on
      3 March, M2.T1#1 (row 4) free, M2.T1#2 (row 5) pinned without any.
    - Baseline: M2.T1#1 with T6's session on 19 March, M1.T1#1 with none.
    - A country should give a session (team rules); the three guest weights changed.
    """
    data = guests_data()
    record(data, "trainers", "T4")["role"] = "trainer"
    record(data, "programme", "M2.T1")["editions"] = 2
    data["team_rules"] = {"country_sessions_min": 1}
    data["weights"] = {"guest_slot_empty": 50, "country_sessions_short": 5, "guest_changed": 75}
    data["pins"] = [
        {"edition": "M1.T1#1", "start": "2027-03-02",
         "guests": [{"slot": "country", "person": "T5", "day": "2027-03-03"}]},
        {"edition": "M2.T1#1", "room": "B"},
        {"edition": "M2.T1#2", "guests": [], "reason": "no guest this time"},
    ]
    data["baseline"] = [
        {"edition": "M2.T1#1", "start": "2027-03-18", "room": "B", "trainers": ["T2", "T3"],
         "guests": [{"slot": "country", "person": "T6", "day": "2027-03-19"}]},
        {"edition": "M1.T1#1", "start": "2027-03-02", "room": "HALL", "trainers": ["T1", "T4"]},
    ]
    return problem_of(data)


@pytest.fixture(scope="module")
def guests_xlsx() -> bytes:
    return workbook_bytes(guests_tiny())


def test_guest_slots_people_and_sessions_survive_the_round_trip(guests_xlsx):
    problem = guests_tiny()
    imported = import_workbook(guests_xlsx)
    assert imported.warnings == []
    assert imported.problem.model_dump() == problem.model_dump()
    assert [pin.guests for pin in imported.problem.pins][1:] == [None, []]


def test_guest_sheets_as_the_planner_sees_them(guests_xlsx):
    wb = openpyxl.load_workbook(BytesIO(guests_xlsx))
    rows = lambda sheet: [list(r) for r in wb[sheet].iter_rows(min_row=FIRST_ROW, values_only=True)  # noqa: E731
                          if r[0] is not None]
    assert [c.value for c in wb["Trainers"][HEADER_ROW]][12:14] == ["Role", "Travel (USD)"]
    assert [r[12:14] for r in rows("Trainers")] == [["trainer and guest", 0]] * 3 + [
        ["trainer", 0], ["guest", 400], ["guest", 300]]
    assert rows("Guest slots") == [["M1.T1", "country", "GEO-MIA, ARM-MS", "yes", "Regional best practice"],
                                   ["M2.T1", "country", "GEO-MIA, ARM-MS", "no", "National border practice"]]
    assert [r[5] for r in rows("Pins")] == [None, None, "none"]
    assert rows("Pinned guest sessions") == [["M1.T1#1", "country", "T5", "Nino (fictional)",
                                              datetime(2027, 3, 3)]]
    assert rows("Published guest sessions") == [["M2.T1#1", "country", "T6", "Armen (fictional)",
                                                 datetime(2027, 3, 19)]]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in wb["Guest slots"].data_validations.dataValidation}
    assert (lists["A3"], lists["D3"]) == ("'Programme'!$A$3:$A$1000", '"yes,no"')
    lists = {str(dv.sqref).split(":")[0]: dv.formula1
             for dv in wb["Pinned guest sessions"].data_validations.dataValidation}
    assert (lists["A3"], lists["C3"]) == ("'Pins'!$A$3:$A$1000", "'Trainers'!$A$3:$A$1000")
    assert "leaves its guests to the solver" in wb["Pinned guest sessions"]["A1"].value
    targets = {r[0]: r[1] for r in rows("Targets")}
    assert targets["Guest sessions per country, at least"] == 1


def test_guest_rows_as_planners_type_them(guests_xlsx, tmp_path):
    """Case-folded ids, a role in the model's word, a blank role (both), and a pin's guests
    written down for the first time."""
    path = edited(guests_xlsx, tmp_path, _all(
        _set("Trainers", M3="Both", M7=None),
        _set("Guest slots", A4="m2.t1", C4="geo-mia"),
        _set("Pins", F5=None),
        _set("Pinned guest sessions", A4="m2.t1#2", B4="country", C4="t6", E4="2027-03-24")))
    problem = import_workbook(path).problem
    assert (problem.trainer_by_id["T1"].role, problem.trainer_by_id["T5"].role) == ("both", "both")
    assert problem.programme[1].guest_slots[0].organisations == ["GEO-MIA"]
    assert [[(g.person, g.day) for g in pin.guests or []] for pin in problem.pins] == [
        [("T5", date(2027, 3, 3))], [], [("T6", date(2027, 3, 24))]]


def fares_tiny() -> Problem:
    """``tiny`` with participants' costs: countries AZ, GE and AM; fares AZ 0 (Fares row 3) and GE 250
    (row 4); an allowance of 120 USD a night. Nominations N1 (AZ, in person), N2 (GE, either) and N3
    (AM, online: no fare needed) on rows 3..5, Country in C, Mode in F."""
    data = tiny_data()
    data["countries"] = ["AZ", "GE", "AM"]
    data["costs"] = {"interpretation_day_usd": 500, "participant_fares_usd": {"AZ": 0, "GE": 250},
                     "allowance_night_usd": 120}
    data["nominations"] = [
        {"id": "N1", "country": "AZ", "audience": "government", "topics": ["M1.T1"], "mode": "in_person"},
        {"id": "N2", "country": "GE", "audience": "csos", "topics": ["M2.T1"]},
        {"id": "N3", "country": "AM", "audience": "csos", "topics": ["M1.T1"], "mode": "online"},
    ]
    return problem_of(data)


@pytest.fixture(scope="module")
def fares_xlsx() -> bytes:
    return workbook_bytes(fares_tiny())


def test_fares_and_the_allowance_survive_the_round_trip(fares_xlsx):
    problem = fares_tiny()
    imported = import_workbook(fares_xlsx)
    assert imported.warnings == []
    assert imported.problem.model_dump() == problem.model_dump()
    assert imported.problem.costs.participant_fares_usd == {"AZ": 0, "GE": 250}


def test_fares_and_the_allowance_as_the_planner_sees_them(fares_xlsx):
    wb = openpyxl.load_workbook(BytesIO(fares_xlsx))
    fares = wb["Fares"]
    assert [c.value for c in fares[HEADER_ROW]] == ["Country", "Fare (USD)"]
    assert [list(r) for r in fares.iter_rows(min_row=FIRST_ROW, values_only=True)] == [["AZ", 0], ["GE", 250]]
    assert list(fares.tables) == ["Fares"]
    assert "by country" in fares["A1"].value
    settings = {r[0]: r[1] for r in wb["Settings"].iter_rows(min_row=FIRST_ROW, values_only=True)}
    assert (settings["Interpretation (USD a day a language)"], settings["Participant allowance (USD a night)"]) \
        == (500, 120)
    assert wb.sheetnames.index("Fares") == wb.sheetnames.index("Nominations") + 1


def test_no_fares_sheet_means_no_fares(fares_xlsx, tmp_path):
    """Without the sheet (or with no row on it) no fare is given, and no country needs one."""
    for edit in (_delete_sheet("Fares"), _set("Fares", A3=None, B3=None, A4=None, B4=None)):
        imported = import_workbook(edited(fares_xlsx, tmp_path, edit))
        assert imported.warnings == []
        assert imported.problem.costs.participant_fares_usd == {}
        assert imported.problem.costs.allowance_night_usd == 120


def test_a_fare_typed_by_hand_is_read(fares_xlsx, tmp_path):
    path = edited(fares_xlsx, tmp_path, _set("Fares", A4=" GE ", B4="300", A5="AM", B5=410.0))
    assert import_workbook(path).problem.costs.participant_fares_usd == {"AZ": 0, "GE": 300, "AM": 410}


# The records each sheet holds, and the columns that are not fields of the record
# (where the row belongs, or an aid for reading), and the fields another sheet holds.
SHEET_RECORDS = [
    ("Modules", Module, set(), set()),
    ("Topics", Topic, set(), set()),
    ("Programme", ProgrammeItem, {"title"}, {"guest_slots"}),
    ("Guest slots", GuestSlot, {"topic"}, set()),
    ("Prerequisites", Prerequisite, set(), set()),
    ("Organisations", Organisation, set(), set()),
    ("Trainers", Trainer, set(), {"unavailable"}),
    ("Trainer availability", None, {"trainer", "name"}, set()),
    ("Venues", Venue, set(), {"rooms", "closures"}),
    ("Rooms", Room, {"venue"}, {"closures"}),
    ("Nominations", Nomination, set(), set()),
    ("Pins", Pin, set(), set()),
    ("Pinned guest sessions", GuestSession, {"edition", "name"}, set()),
    ("Baseline", BaselineEdition, set(), {"guests"}),
    ("Published guest sessions", GuestSession, {"edition", "name"}, set()),
]


@pytest.mark.parametrize(("sheet", "model", "extra", "elsewhere"), SHEET_RECORDS)
def test_each_sheet_has_a_column_for_every_field_of_its_record(sheet, model, extra, elsewhere):
    spec = next(s for s in LAYOUT if s.name == sheet)
    fields = {c.field for c in spec.columns}
    if model is None:  # trainer availability: periods
        assert fields - extra == {"start", "end", "reason"}
        return
    assert fields - extra == set(model.model_fields) - elsewhere
    required = {c.field for c in spec.columns if c.required} - extra
    assert required == {n for n, f in model.model_fields.items() if f.is_required()} - elsewhere


def test_settings_sheets_cover_the_problem_s_single_values():
    paths = {c.field for s in LAYOUT if isinstance(s, SettingsSheet) for c in s.settings}
    from model.calendar import CalendarSpec
    from model.problem import Costs, Platform, Rollout, Targets, TeamRules, Weights

    for prefix, model, elsewhere in (("calendar", CalendarSpec, {"extra_holidays", "closures"}),
                                     ("platform", Platform, set()), ("team_rules", TeamRules, set()),
                                     ("weights", Weights, set()), ("costs", Costs, {"participant_fares_usd"})):
        assert {p.split(".", 1)[1] for p in paths if p.startswith(prefix + ".")} == \
            set(model.model_fields) - elsewhere
    for name, info in Targets.model_fields.items():
        band = info.annotation
        assert {p.rsplit(".", 1)[1] for p in paths if p.startswith(f"targets.{name}.")} == \
            set(band.model_fields), name  # type: ignore[union-attr]
    tables = {"modules", "topics", "organisations", "trainers", "venues", "programme", "prerequisites",
              "nominations", "pins", "baseline", "quarterly_budget_usd"}
    assert {p.split(".", 1)[1] for p in paths if p.startswith("rollout.")} == set(Rollout.model_fields) - {"themes"}
    assert {p.split(".")[0] for p in paths} | tables == set(Problem.model_fields)


def test_the_fares_sheet_holds_the_fares_by_country():
    """The costs' one mapping, a fare by country, is a table: the key and the value, both required."""
    spec = next(s for s in LAYOUT if s.name == "Fares")
    assert isinstance(spec, TableSheet)
    assert [(c.field, c.required) for c in spec.columns] == [("country", True), ("fare", True)]
    assert (spec.key, spec.required) == ("country", False)


def test_template_sheets_have_help_headers_tables_and_lists():
    wb = template_workbook(default_problem())
    assert wb.sheetnames[0] == README
    # No baseline: neither it nor its guest sessions are written.
    assert wb.sheetnames[1:] == [s.name for s in LAYOUT if s.name not in ("Baseline", "Published guest sessions")]
    trainers = wb["Trainers"]
    assert "Trainers and resource persons" in trainers["A1"].value
    assert [c.value for c in trainers[HEADER_ROW]][:4] == ["Id", "Name", "Gender", "Organisation"]
    assert trainers["A3"].value == "T01"
    assert list(trainers.tables) == ["Trainers"]
    lists = {str(dv.sqref).split(":")[0]: dv for dv in trainers.data_validations.dataValidation}
    assert lists["C3"].formula1 == '"woman,man,another identity,undisclosed"'
    assert lists["D3"].formula1 == "'Organisations'!$A$3:$A$1000"
    assert lists["K3"].formula1 == '"yes,no"'
    assert lists["C3"].prompt  # the column's help, shown when a cell is selected
    programme = wb["Programme"]
    lists = {str(dv.sqref).split(":")[0]: dv for dv in programme.data_validations.dataValidation}
    assert lists["A3"].formula1 == "'Topics'!$A$3:$A$1000"
    assert lists["D3"].formula1 == '"hybrid,in person,online"'
    assert programme["B3"].value == default_problem().topics[0].title  # the title, to read along
    assert wb["Topics"].max_row - HEADER_ROW == 68  # the whole catalogue
    settings = {r[0]: r[1] for r in wb["Settings"].iter_rows(min_row=FIRST_ROW, values_only=True)}
    assert settings["Horizon starts"] == date(2027, 1, 1)
    assert settings["Working weekdays"] == "mon, tue, wed, thu, fri"
    assert wb["Settings"]["B5"].number_format == "yyyy-mm-dd"
    weights = {r[0]: r[1] for r in wb["Weights"].iter_rows(min_row=FIRST_ROW, values_only=True)}
    assert weights["Optional editions left out"] == 500
    targets = {r[0]: r[1] for r in wb["Targets"].iter_rows(min_row=FIRST_ROW, values_only=True)}
    assert targets["A woman and a man on every team"] == "hard"
    assert targets["Organisations on every team"] == "IOM"


# ---------------------------------------------------------------------- broken workbooks


def _set(sheet: str, **cells: Any) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        for address, value in cells.items():
            wb[sheet][address] = value
    return edit


def _all(*edits: Callable[[openpyxl.Workbook], None]) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        for e in edits:
            e(wb)
    return edit


def _delete_sheet(name: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        del wb[name]
    return edit


BROKEN: list[tuple[str, Callable[[openpyxl.Workbook], None], list[str]]] = [
    # A required sheet is gone: nothing else can be checked against it.
    ("missing sheet", _delete_sheet("Trainers"), ["Trainers: the sheet is missing"]),
    # A required column's header was renamed.
    ("missing column", _set("Trainers", C2="Sex"),
     ["Trainers: the column 'Gender' is missing (headers are on row 2)"]),
    # The issue's own example: a gender with a trailing space that is not a known value.
    ("unknown gender", _set("Trainers", C4="F "),
     ["Trainers!C4: gender 'F ' is not one of woman, man, another identity, undisclosed"]),
    ("text in a number", _set("Trainers", J3="250 USD"),
     ["Trainers!J3: day rate (USD) '250 USD' is not a whole number"]),
    ("fraction in a whole number", _set("Rooms", D3=30.5), ["Rooms!D3: seats 30.5 is not a whole number"]),
    ("negative number", _set("Rooms", D4=-5), ["Rooms!D4: seats -5 must be at least 0"]),
    ("not a date", _set("Programme", G3="next week"),
     ["Programme!G3: earliest start 'next week' is not a date (write it as 2027-03-01 or as an Excel date)"]),
    ("a date and time", _set("Programme", H3=datetime(2027, 3, 5, 14, 30)),
     ["Programme!H3: latest end '2027-03-05 14:30:00' has a time of day; a date is expected"]),
    ("not yes or no", _set("Rooms", E3="maybe"), ["Rooms!E3: hybrid 'maybe' is not yes or no"]),
    ("a date in a text cell", _set("Trainers", B5=datetime(2027, 1, 1)),
     ["Trainers!B5: name '2027-01-01 00:00:00' is a date; text is expected"]),
    ("empty required cell", _set("Trainers", B3=None), ["Trainers!B3: name is required (the cell is empty)"]),
    ("unknown organisation", _set("Trainers", D5="UNESCO"),
     ["Trainers!D5: organisation 'UNESCO' is not on the Organisations sheet"]),
    ("unknown topic in a list", _set("Trainers", E6="M1.T1, M9.T9"),
     ["Trainers!E6: topic 'M9.T9' is not on the Topics sheet"]),
    ("unknown mode in a list", _set("Topics", F4="hybrid, webinar"),
     ["Topics!F4: mode 'webinar' is not one of hybrid, in person, online"]),
    ("unknown venue of a room", _set("Rooms", A4="ANNEX"),
     ["Rooms!A4: venue 'ANNEX' is not on the Venues sheet"]),
    ("duplicate trainer id", _set("Trainers", A6="T1"), ["Trainers!A6: id 'T1' is already used on row 3"]),
    ("duplicate topic id", _set("Topics", A4="M1.T1"),
     # The row's module (2) no longer matches its id; and M2.T1 is gone from the Topics sheet,
     # so its programme row names an unknown topic.
     ["Topics!A4: id 'M1.T1' is already used on row 3",
      "Topics!B4: topic M1.T1: module is 2 but the id says 1",
      "Programme!A4: topic 'M2.T1' is not on the Topics sheet"]),
    ("duplicate room id", _set("Rooms", B4="HALL"), ["Rooms!B4: id 'HALL' is already used on row 3"]),
    # Case-folded ids are accepted, unless two ids fold to the same word.
    ("ambiguous organisation", _all(_set("Organisations", A5="iom", B5="Another IOM"),
                                    _set("Trainers", D4="Iom")),
     ["Trainers!D4: organisation 'Iom' could be any of IOM, iom on the Organisations sheet"]),
    # A record's own rule, put on the cell it names.
    ("max below min", _set("Topics", E3=1), ["Topics!E3: topic M1.T1: max days (1) is below min days (2)"]),
    ("absence ends before it starts", _set("Trainer availability", A3="T2", C3=date(2027, 3, 10),
                                           D3=date(2027, 3, 1)),
     ["'Trainer availability'!D3: trainer T2: unavailable period 1 ends (2027-03-01) before it starts "
      "(2027-03-10)"]),
    ("horizon reversed", _set("Settings", B6=date(2026, 12, 31)),
     ["Settings!B6: calendar: horizon ends (2026-12-31) before it starts (2027-03-01)"]),
    ("team rules reversed", _set("Targets", B4=1),
     ["Targets!B4: team rules: trainers per team, at most (1) is below trainers per team, at least (2)"]),
    # Rules across records, put on the cell of the record they name.
    ("room too small", _set("Programme", K3=45),
     ["Programme!K3: programme M1.T1: 45 in-person participants exceed the largest room (30 seats)"]),
    ("mode not offered", _set("Topics", F4="hybrid"),
     ["Programme!D4: programme M2.T1: mode 'in person' is not offered for this topic (hybrid)"]),
    ("prerequisite cycle", _set("Prerequisites", A3="M1.T1", B3="M2.T1", A4="M2.T1", B4="M1.T1"),
     ["Prerequisites!A3: prerequisites: cycle M1.T1 -> M2.T1 -> M1.T1"]),
    ("holiday of two days", _set("Closures", A3="extra holiday", D3=date(2027, 3, 8), E3=date(2027, 3, 9),
                                 F3="Women's day"),
     ["Closures!E3: an extra holiday is one day: leave End blank or equal to Start"]),
    ("room closure in another venue", _all(_set("Venues", A4="ANNEX", B4="Annex"),
                                           _set("Closures", A3="room closure", B3="ANNEX", C3="HALL",
                                                D3=date(2027, 3, 8), E3=date(2027, 3, 9))),
     ["Venues!A4: venue ANNEX: has no rooms", "Closures!B3: room HALL is in venue RTCM, not ANNEX"]),
    # A share is 40% or 0.4; a bare 40 could be either 40 % or 4000 %.
    ("share as a bare number", _set("Targets", B7=40),
     ["Targets!B7: women's share of trainer-days in the year, at least 40 is not a share: write 40% or 0.4"]),
    ("share band reversed", _set("Targets", B7=0.7),
     ["Targets!B8: targets: women's share of trainer-days in the year, at most (0.6) is below women's share "
      "of trainer-days in the year, at least (0.7)"]),
    ("nomination for an unknown topic", _set("Nominations", A3="N1", C3="AZ", D3="csos", E3="M1.T1, M7.T7"),
     ["Nominations!E3: topic 'M7.T7' is not on the Topics sheet"]),
    ("nomination month", _set("Nominations", A3="N1", C3="AZ", D3="csos", E3="M1.T1", G3="March"),
     ["Nominations!G3: nomination N1: unavailable month 'March' is not of the form YYYY-MM"]),
    # Everything wrong at once is reported at once, in sheet order.
    ("several errors", _all(_set("Settings", B7="mon, tue, funday"), _set("Trainers", C4="F", D5="UNESCO"),
                            _set("Rooms", D4=-1)),
     ["Settings!B7: weekday 'funday' is not one of mon, tue, wed, thu, fri, sat, sun",
      "Trainers!C4: gender 'F' is not one of woman, man, another identity, undisclosed",
      "Trainers!D5: organisation 'UNESCO' is not on the Organisations sheet",
      "Rooms!D4: seats -1 must be at least 0"]),
]


@pytest.mark.parametrize(("edit", "expected"), [pytest.param(e, x, id=name) for name, e, x in BROKEN])
def test_a_broken_workbook_names_every_cell_and_rule(tiny_xlsx, tmp_path, edit, expected):
    assert errors_of(edited(tiny_xlsx, tmp_path, edit)) == expected


# Cell addresses follow the template of ``guests_tiny``.
BROKEN_GUESTS: list[tuple[str, Callable[[openpyxl.Workbook], None], list[str]]] = [
    ("unknown role", _set("Trainers", M7="speaker"),
     ["Trainers!M7: role 'speaker' is not one of trainer, guest, trainer and guest"]),
    ("negative travel", _set("Trainers", N8=-300), ["Trainers!N8: travel (USD) -300 must be at least 0"]),
    ("slot of a topic not in the programme", _set("Guest slots", A4="M9.T9"),
     ["'Guest slots'!A4: topic 'M9.T9' is not on the Programme sheet"]),
    ("slot twice on a topic", _set("Guest slots", A4="M1.T1"),
     ["'Guest slots'!B4: slot 'country' of M1.T1 is already used on row 3"]),
    ("unknown organisation of a slot", _set("Guest slots", C3="GEO-MIA, UNESCO"),
     ["'Guest slots'!C3: organisation 'UNESCO' is not on the Organisations sheet"]),
    ("slot open to nobody", _set("Guest slots", C4=None),
     ["'Guest slots'!C4: organisations is required (the cell is empty)"]),
    ("required not yes or no", _set("Guest slots", D3="always"),
     ["'Guest slots'!D3: required 'always' is not yes or no"]),
    ("session of an edition not pinned", _set("Pinned guest sessions", A3="M1.T1#2"),
     ["'Pinned guest sessions'!A3: edition 'M1.T1#2' is not on the Pins sheet"]),
    ("session of a slot the topic lacks", _set("Pinned guest sessions", B3="agency"),
     ["'Pinned guest sessions'!B3: pin M1.T1#1: guest slot 'agency' is not in its programme item"]),
    ("unknown guest", _set("Pinned guest sessions", C3="T9"),
     ["'Pinned guest sessions'!C3: person 'T9' is not on the Trainers sheet"]),
    ("session day not a date", _set("Pinned guest sessions", E3="Wednesday"),
     ["'Pinned guest sessions'!E3: day 'Wednesday' is not a date (write it as 2027-03-01 or as an Excel date)"]),
    ("none, yet sessions listed", _set("Pins", F3="none"),
     ["Pins!F3: guest sessions is none, but the Pinned guest sessions sheet lists 1 for M1.T1#1"]),
    ("a word other than none", _set("Pins", F4="T5"),
     ["Pins!F4: guest sessions 'T5': write none for no guest session, or leave it blank and list them on the "
      "Pinned guest sessions sheet"]),
    ("published session of an edition not published", _set("Published guest sessions", A3="M2.T1#2"),
     ["'Published guest sessions'!A3: edition 'M2.T1#2' is not on the Baseline sheet"]),
    ("negative sessions per country", _set("Targets", B22=-1),
     ["Targets!B22: guest sessions per country, at least -1 must be at least 0"]),
]


# Cell addresses follow the template of ``fares_tiny``.
BROKEN_FARES: list[tuple[str, Callable[[openpyxl.Workbook], None], list[str]]] = [
    ("negative fare", _set("Fares", B4=-250), ["Fares!B4: fare (USD) -250 must be at least 0"]),
    ("fare not a number", _set("Fares", B4="250 USD"), ["Fares!B4: fare (USD) '250 USD' is not a whole number"]),
    ("fare missing", _set("Fares", B4=None), ["Fares!B4: fare (USD) is required (the cell is empty)"]),
    ("country missing", _set("Fares", A5=None, B5=400), ["Fares!A5: country is required (the cell is empty)"]),
    # The first row stands; GE, listed no more, then has no fare for N2.
    ("country listed twice", _set("Fares", A4="AZ"),
     ["Nominations!C4: costs: no fare from 'GE' for its nominees who may sit in person (N2)",
      "Fares!A4: country 'AZ' is already used on row 3"]),
    ("country not among the problem's countries", _set("Fares", A5="Atlantis", B5=900),
     ["Fares!A5: costs: country 'Atlantis' is not among the problem's countries"]),
    ("a nominee's country without a fare", _set("Nominations", F5="either"),
     ["Nominations!C5: costs: no fare from 'AM' for its nominees who may sit in person (N3)"]),
    ("fare row removed", _set("Fares", A3=None, B3=None),
     ["Nominations!C3: costs: no fare from 'AZ' for its nominees who may sit in person (N1)"]),
    ("negative allowance", _set("Settings", B17=-1),
     ["Settings!B17: participant allowance (USD a night) -1 must be at least 0"]),
]


@pytest.mark.parametrize(("edit", "expected"), [pytest.param(e, x, id=name) for name, e, x in BROKEN_FARES])
def test_a_broken_fare_names_its_sheet_row_and_column(fares_xlsx, tmp_path, edit, expected):
    assert errors_of(edited(fares_xlsx, tmp_path, edit)) == expected


@pytest.mark.parametrize(("edit", "expected"), [pytest.param(e, x, id=name) for name, e, x in BROKEN_GUESTS])
def test_a_broken_guest_cell_names_its_sheet_row_and_column(guests_xlsx, tmp_path, edit, expected):
    assert errors_of(edited(guests_xlsx, tmp_path, edit)) == expected


# ------------------------------------------------------- issues reach their cell by structure


def _at(*path: Any, value: Any = None, drop: bool = False) -> Callable[[dict[str, Any]], None]:
    """A change to the problem's data: set (or drop) the value at ``path``."""
    def change(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        if drop:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return change


def _each(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for c in changes:
            c(data)
    return change


def _nobody_qualified(data: dict[str, Any]) -> None:
    for t in data["trainers"]:
        t.update(topics=[], modules=[1])


# Every cross-reference, order and capacity rule of the Trainers, Rooms, Programme and
# Prerequisites sheets (with the Trainer availability and Closures rows that belong to them):
# a change to the data of ``rich_tiny`` that breaks it, the issue's kind and record, and the
# cell of ``rich_tiny``'s template the issue belongs on. Trainers T1..T4 on rows 3..6; Rooms
# HALL, B on rows 3, 4; Programme M1.T1, M2.T1 on rows 3, 4; one prerequisite on row 3; T1's
# absence on row 3 of Trainer availability; Closures: centre, holiday, venue, room on rows 3..6.
PLACED = [
    ("organisation", _at("trainers", 2, "organisation", value="UNESCO"), "unknown_reference", "trainer",
     "Trainers!D5"),
    ("topic", _at("trainers", 3, "topics", value=["M9.T9"]), "unknown_reference", "trainer", "Trainers!E6"),
    ("module", _at("trainers", 1, "modules", value=[1, 7]), "unknown_reference", "trainer", "Trainers!F4"),
    ("trainer id twice", _at("trainers", 3, "id", value="T1"), "duplicate", "trainer", "Trainers!A6"),
    ("absence reversed", _at("trainers", 0, "unavailable", 0, "end", value="2027-03-14"), "out_of_order",
     "trainer", "'Trainer availability'!D3"),
    ("room id twice", _at("venues", 0, "rooms", 1, "id", value="HALL"), "duplicate", "room", "Rooms!B4"),
    ("online seats without hybrid", _at("venues", 0, "rooms", 1, "online_seats", value=10), "conflict", "room",
     "Rooms!F4"),
    ("room closure reversed", _at("venues", 0, "rooms", 1, "closures", 0, "end", value="2027-02-28"),
     "out_of_order", "room", "Closures!E6"),
    ("venue closure reversed", _at("venues", 0, "closures", 0, "end", value="2027-03-28"), "out_of_order",
     "venue", "Closures!E5"),
    ("centre closure reversed", _at("calendar", "closures", 0, "end", value="2027-03-23"), "out_of_order",
     "calendar", "Closures!E3"),
    ("programme topic", _at("programme", 1, "topic", value="M7.T7"), "unknown_reference", "programme",
     "Programme!A4"),
    ("programme item twice", _at("programme", 1, "topic", value="M1.T1"), "duplicate", "programme",
     "Programme!A4"),
    ("required organisation", _at("programme", 0, "required_organisations", value=["IOM", "WHO"]),
     "unknown_reference", "programme", "Programme!N3"),
    ("days outside the topic's range", _at("programme", 1, "duration_days", value=5), "out_of_range",
     "programme", "Programme!F4"),
    ("mode not offered", _at("topics", 1, "modes", value=["hybrid"]), "conflict", "programme", "Programme!D4"),
    ("online course with a room's participants", _at("programme", 0, "mode", value="online"), "conflict",
     "programme", "Programme!K3"),
    ("window reversed", _at("programme", 0, "latest_end", value="2027-03-01"), "out_of_order", "programme",
     "Programme!H3"),
    ("earliest start after the horizon", _each(_at("programme", 0, "earliest_start", value="2027-04-05"),
                                               _at("programme", 0, "latest_end", value=None)),
     "out_of_range", "programme", "Programme!G3"),
    ("latest end before the horizon", _each(_at("programme", 0, "earliest_start", value=None),
                                            _at("programme", 0, "latest_end", value="2027-02-01")),
     "out_of_range", "programme", "Programme!H3"),
    ("room too small", _at("programme", 0, "participants_in_person", value=45), "no_resource", "programme",
     "Programme!K3"),
    ("no hybrid room large enough", _at("programme", 0, "participants_online", value=80), "no_resource",
     "programme", "Programme!K3"),
    ("platform too small", _each(_at("programme", 1, "mode", value="online"),
                                 _at("programme", 1, "participants_in_person", value=0),
                                 _at("programme", 1, "participants_online", value=100)),
     "no_resource", "programme", "Programme!L4"),
    ("nobody speaks the language", _at("programme", 1, "language", value="fr"), "no_resource", "programme",
     "Programme!M4"),
    ("nobody qualified", _nobody_qualified, "no_resource", "programme", "Programme!A4"),
    ("before unknown", _at("prerequisites", 0, "before", value="M9.T9"), "unknown_reference", "prerequisite",
     "Prerequisites!A3"),
    ("after unknown", _at("prerequisites", 0, "after", value="M9.T9"), "unknown_reference", "prerequisite",
     "Prerequisites!B3"),
    ("gaps reversed", _at("prerequisites", 0, "max_gap_days", value=0), "out_of_order", "prerequisite",
     "Prerequisites!D3"),
    ("a topic before itself", _at("prerequisites", 0, "after", value="M1.T1"), "cycle", "prerequisite",
     "Prerequisites!B3"),
    ("cycle", lambda d: d["prerequisites"].append({"before": "M2.T1", "after": "M1.T1"}), "cycle",
     "prerequisite", "Prerequisites!A3"),
]


@pytest.fixture(scope="module")
def rich_xlsx() -> bytes:
    return workbook_bytes(rich_tiny())


def _issue_of(change: Callable[[dict[str, Any]], None], kind: str, record: str,
              base: Callable[[], Problem] = rich_tiny) -> Issue:
    data = base().model_dump(mode="json")
    change(data)
    with pytest.raises(InputError) as caught:
        problem_from_data(data)
    [issue] = [i for i in caught.value.issues if (i.kind, i.record) == (kind, record)]
    return issue


@pytest.mark.parametrize(("change", "kind", "record", "address"),
                         [pytest.param(c, k, r, a, id=n) for n, c, k, r, a in PLACED])
def test_an_issue_lands_on_its_cell_whatever_its_words(rich_xlsx, monkeypatch, change, kind, record, address):
    """The issue the rule raises, its words replaced by ones that name no record, field or value,
    still lands on its cell: the reader places it by its record and field alone."""
    _lands_on(rich_xlsx, _issue_of(change, kind, record), address, monkeypatch)


# The rules of guest slots and sessions, on the template of ``guests_tiny``: guest slots M1.T1,
# M2.T1 on rows 3, 4; T5's pinned session (M1.T1#1) and T6's published one (M2.T1#1) on row 3.
PLACED_GUESTS = [
    ("slot organisation", _at("programme", 1, "guest_slots", 0, "organisations", value=["ARM-MS", "WHO"]),
     "unknown_reference", "programme", "'Guest slots'!C4"),
    ("pinned session's slot", _at("pins", 0, "guests", 0, "slot", value="agency"), "unknown_reference", "pin",
     "'Pinned guest sessions'!B3"),
    ("pinned session's person", _at("pins", 0, "guests", 0, "person", value="T9"), "unknown_reference", "pin",
     "'Pinned guest sessions'!C3"),
    ("published session's slot", _at("baseline", 0, "guests", 0, "slot", value="agency"), "unknown_reference",
     "baseline_edition", "'Published guest sessions'!B3"),
    ("published session's person", _at("baseline", 0, "guests", 0, "person", value="T9"), "unknown_reference",
     "baseline_edition", "'Published guest sessions'!C3"),
]


@pytest.mark.parametrize(("change", "kind", "record", "address"),
                         [pytest.param(c, k, r, a, id=n) for n, c, k, r, a in PLACED_GUESTS])
def test_a_guest_issue_lands_on_its_cell_whatever_its_words(guests_xlsx, monkeypatch, change, kind, record,
                                                            address):
    _lands_on(guests_xlsx, _issue_of(change, kind, record, guests_tiny), address, monkeypatch)


# The rules of fares, on the template of ``fares_tiny``: a fare's own row on the Fares sheet; a fare
# no row gives, on the Country cell of the country's first nominee (first of those who may sit in person).
PLACED_FARES = [
    ("fare's country unknown", _at("countries", value=["AZ", "AM"]), "unknown_reference", "costs", "Fares!A4"),
    ("no fare from a nominee's country", _at("nominations", 2, "mode", value="in_person"), "missing", "costs",
     "Nominations!C5"),
]


@pytest.mark.parametrize(("change", "kind", "record", "address"),
                         [pytest.param(c, k, r, a, id=n) for n, c, k, r, a in PLACED_FARES])
def test_a_fare_issue_lands_on_its_cell_whatever_its_words(fares_xlsx, monkeypatch, change, kind, record,
                                                           address):
    _lands_on(fares_xlsx, _issue_of(change, kind, record, fares_tiny), address, monkeypatch)


def _lands_on(xlsx: bytes, issue: Issue, address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    reworded = replace(issue, text="lorem ipsum", label="dolor sit")
    monkeypatch.setattr("model.problem.problem_errors", lambda problem: [reworded])
    with pytest.raises(InputError) as caught:
        import_workbook(xlsx)
    [found] = caught.value.issues
    assert found.message == f"{address}: dolor sit: lorem ipsum"
    sheet, cell = address.rsplit("!", 1)
    assert (found.sheet, found.cell) == (sheet.strip("'"), cell)
    assert (found.kind, found.record, found.id, found.field, found.pointer) == \
        (issue.kind, issue.record, issue.id, issue.field, issue.pointer)


def test_a_cell_s_error_carries_its_record_field_and_pointer(tiny_xlsx, tmp_path):
    path = edited(tiny_xlsx, tmp_path, _all(_set("Trainers", C4="F ", D5="UNESCO"), _set("Settings", B7="funday")))
    with pytest.raises(InputError) as caught:
        import_workbook(path)
    found = {i.cell: (i.sheet, i.kind, i.record, i.id, i.field, i.pointer) for i in caught.value.issues}
    assert found == {
        "B7": ("Settings", "invalid_value", "calendar", None, ("working_weekdays",), "/calendar/working_weekdays"),
        "C4": ("Trainers", "invalid_value", "trainer", "T2", ("gender",), "/trainers/1/gender"),
        "D5": ("Trainers", "unknown_reference", "trainer", "T3", ("organisation",), "/trainers/2/organisation"),
    }


def test_a_fare_s_error_points_at_its_country_s_fare(fares_xlsx, tmp_path):
    path = edited(fares_xlsx, tmp_path, _set("Fares", B3=-1, A5="GE", B5=300))
    with pytest.raises(InputError) as caught:
        import_workbook(path)
    found = {i.cell: (i.sheet, i.kind, i.pointer) for i in caught.value.issues}
    assert found == {"B3": ("Fares", "out_of_range", "/costs/participant_fares_usd/AZ"),
                     "A5": ("Fares", "duplicate", "/costs/participant_fares_usd/GE")}


def test_a_missing_sheet_is_an_issue_of_the_sheet(tiny_xlsx, tmp_path):
    with pytest.raises(InputError) as caught:
        import_workbook(edited(tiny_xlsx, tmp_path, _delete_sheet("Rooms")))
    [issue] = caught.value.issues
    assert (issue.kind, issue.sheet, issue.cell, issue.pointer) == ("missing", "Rooms", None, None)


def test_the_formats_import_no_cycle():
    """files -> excel_input -> the shared sheet style, never back to files (parsed, not run)."""
    import ast

    root = Path(__file__).resolve().parents[2] / "model" / "formats"
    graph = {}
    for path in root.glob("*.py"):
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("model.formats."):
                targets.add(node.module.rsplit(".", 1)[1])
        graph[path.stem] = targets

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(t == goal or (t not in seen and reaches(t, goal, seen | {t})) for t in graph.get(start, ()))

    assert [m for m in graph if reaches(m, m, set())] == []


def _zip_of(name: str) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(name, "hello")
    return buffer.getvalue()


NOT_WORKBOOKS = [
    ("empty file", b"", "the file is empty (0 bytes); start from `rtcm template`"),
    ("YAML renamed .xlsx", b"name: tiny\ncalendar: {}\n",
     "the file is not an Excel workbook (.xlsx): it looks like text or another format"),
    ("Excel 97-2003 renamed .xlsx", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(512),
     "the file is an Excel 97-2003 workbook (.xls); save it as an Excel Workbook (.xlsx)"),
    ("a zip that is no workbook", _zip_of("notes.txt"), "the file is not a readable Excel workbook (.xlsx)"),
]


@pytest.mark.parametrize(("data", "expected"), [pytest.param(d, x, id=n) for n, d, x in NOT_WORKBOOKS])
def test_a_file_that_is_no_workbook_says_so(tmp_path, data, expected):
    path = tmp_path / "problem.xlsx"
    path.write_bytes(data)
    [message] = errors_of(path)
    assert message.startswith(expected)


def test_an_empty_sheet_names_its_expected_headers(tiny_xlsx, tmp_path):
    def wipe(wb: openpyxl.Workbook) -> None:
        del wb["Rooms"]
        wb.create_sheet("Rooms")
    assert errors_of(edited(tiny_xlsx, tmp_path, wipe)) == [
        "Rooms: no header row found (expected Venue, Id, Name, Seats)"]


# ----------------------------------------------------------------- what planners type


def test_trimmed_and_case_folded_values_are_accepted(tiny_xlsx, tmp_path):
    path = edited(tiny_xlsx, tmp_path, _all(
        _set("Trainers", C3=" Woman ", D3="iom", E3="m1.t1"),
        _set("Programme", D4="In Person", J3="YES", G3="2027-03-02"),
        _set("Rooms", E3=True)))
    problem = import_workbook(path).problem
    t1 = problem.trainer_by_id["T1"]
    assert (t1.gender, t1.organisation, t1.topics) == ("woman", "IOM", ["M1.T1"])
    m1, m2 = problem.programme
    assert (m2.mode, m1.mandatory, m1.earliest_start) == ("in_person", True, date(2027, 3, 2))


def test_shares_and_months_as_planners_type_them(tiny_xlsx, tmp_path):
    path = edited(tiny_xlsx, tmp_path, _all(
        _set("Targets", B7="45 %", B8="0.55"),
        # Excel turns a typed 2027-03 into 1 March 2027: read back as its month.
        _set("Nominations", A3="N1", C3="AZ", D3="csos", E3="M1.T1", G3=datetime(2027, 3, 1))))
    problem = import_workbook(path).problem
    band = problem.targets.trainer_days_year
    assert (band.min_share, band.max_share) == (0.45, 0.55)
    assert problem.nominations[0].unavailable_months == ["2027-03"]
    assert problem.nominations[0].gender == "undisclosed"  # blank: undisclosed, never guessed


def test_a_workbook_from_another_tool_is_read_with_warnings(tmp_path):
    """Headers on row 1, columns in another order, lower-case sheet names, text dates, TRUE/FALSE
    booleans, an extra sheet, an extra column and an unknown setting: the same problem."""
    template = openpyxl.load_workbook(BytesIO(workbook_bytes(rich_tiny())))
    other = openpyxl.Workbook()
    other.remove(other.active)
    for ws in template.worksheets[1:]:
        rows = [list(r) for r in ws.iter_rows(min_row=HEADER_ROW, values_only=True)]
        out = other.create_sheet(ws.title.lower())
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(reversed(row), start=1):
                if isinstance(value, datetime):
                    value = value.date().isoformat()
                elif value in ("yes", "no"):
                    value = value == "yes"
                out.cell(row=i, column=j, value=value)
    other["trainers"].cell(row=1, column=20, value="Phone")
    other["trainers"].cell(row=2, column=20, value="+994 12 000 00 00")
    other["settings"].append(["", "blue", "Colour scheme"])  # Help, Value, Setting: reversed
    other.create_sheet("Notes")["A1"] = "call IOM"
    path = tmp_path / "other.xlsx"
    other.save(path)
    imported = import_workbook(path)
    assert imported.problem.model_dump() == rich_tiny().model_dump()
    assert imported.warnings == [
        "sheet 'Notes' is not part of the input workbook; it was not read",
        "Settings!C20: 'Colour scheme' is not a known setting; it was not read",
        "Trainers: column 'Phone' (T) is not part of the sheet; it was not read",
    ]


def test_targets_and_weights_may_be_left_out(tiny_xlsx, tmp_path):
    path = edited(tiny_xlsx, tmp_path, _all(_delete_sheet("Targets"), _delete_sheet("Weights"),
                                            _delete_sheet("Pins"), _delete_sheet(README)))
    imported = import_workbook(path)
    assert imported.problem.model_dump() == tiny_problem().model_dump()
    assert imported.warnings == ["sheet 'Targets' is missing: the default targets apply",
                                 "sheet 'Weights' is missing: the default weights apply"]


def test_a_blank_required_organisations_cell_follows_the_targets(tiny_xlsx, tmp_path):
    path = edited(tiny_xlsx, tmp_path, _set("Programme", N3="none", N4="UNHCR"))
    m1, m2 = import_workbook(path).problem.programme
    assert (m1.required_organisations, m2.required_organisations) == ([], ["UNHCR"])


def test_read_problem_reads_xlsx_and_logs_the_warnings(tiny_xlsx, tmp_path, caplog):
    path = edited(tiny_xlsx, tmp_path, lambda wb: wb.create_sheet("Scratch"))
    with caplog.at_level(logging.WARNING, logger="model.formats.excel_input"):
        problem = read_problem(path)
    assert problem.model_dump() == tiny_problem().model_dump()
    assert "edited.xlsx: sheet 'Scratch' is not part of the input workbook" in caplog.text


# --------------------------------------------------------------------------------- CLI


def test_cli_template_then_import(tmp_path):
    problem_file = tmp_path / "tiny.yaml"
    problem_file.write_text(yaml.safe_dump(tiny_problem().model_dump(mode="json")))
    book, back = tmp_path / "tiny.xlsx", tmp_path / "back.yaml"
    r = runner.invoke(app, ["template", str(book), "--problem", str(problem_file)])
    assert r.exit_code == 0, r.output
    assert "Trainer availability" in r.output
    r = runner.invoke(app, ["import", str(book), "--out", str(back)])
    assert r.exit_code == 0, r.output
    assert yaml.safe_load(back.read_text()) == tiny_problem().model_dump(mode="json")


def test_cli_import_lists_every_error_with_its_cell(tiny_xlsx, tmp_path):
    path = edited(tiny_xlsx, tmp_path, _set("Trainers", C4="F ", D5="UNESCO"))
    out = tmp_path / "problem.yaml"
    r = runner.invoke(app, ["import", str(path), "--out", str(out)])
    assert r.exit_code == EXIT_BAD_INPUT
    shown = " ".join(r.output.split())  # the console wraps long lines
    assert "Trainers!C4: gender 'F ' is not one of woman, man, another identity, undisclosed" in shown
    assert "Trainers!D5: organisation 'UNESCO' is not on the Organisations sheet" in shown
    assert not out.exists()


def test_cli_solve_accepts_a_workbook(tiny_xlsx, tmp_path):
    path = tmp_path / "tiny.xlsx"
    path.write_bytes(tiny_xlsx)
    r = runner.invoke(app, ["solve", str(path), "--time-limit", "10", "--workers", "2", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "2 of 2" in r.output
