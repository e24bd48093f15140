"""Where change notices go: a trainer's e-mail, a room's manager and their e-mail; checked, and
kept by the input workbook."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import openpyxl
import pytest

from model.errors import InputError, validate_as
from model.formats.excel_input import HEADER_ROW, import_workbook, template_workbook
from model.problem import Problem
from tests.instances.tiny import problem_of, record, tiny_data


def with_contacts() -> dict[str, Any]:
    """``tiny`` with T1's and T3's addresses and room B's manager (all fictional, example.org)."""
    data = tiny_data()
    record(data, "trainers", "T1")["email"] = "t1@trainers.example.org"
    record(data, "trainers", "T3")["email"] = "leyla.t3@trainers.example.org"
    record(data, "rooms", "B").update(manager="Samira (fictional)", manager_email="rooms@rtcm.example.org")
    return data


def test_addresses_and_managers_are_optional_and_kept() -> None:
    p = problem_of(with_contacts())
    assert [t.email for t in p.trainers] == ["t1@trainers.example.org", None, "leyla.t3@trainers.example.org", None]
    hall, b = (room for _, room in p.rooms)
    assert (hall.manager, hall.manager_email) == (None, None)
    assert (b.manager, b.manager_email) == ("Samira (fictional)", "rooms@rtcm.example.org")
    assert validate_as(Problem, p.model_dump(mode="json")).model_dump() == p.model_dump()


BAD = [
    "amina trainers@example.org",  # a space
    "amina@trainers@example.org",  # two @
    "@trainers.example.org",  # no name before the @
    "amina@",  # no domain
    "amina.example.org",  # no @
    "amina@example.org\nBcc: everyone@example.org",  # a second header, smuggled in
    "amina@example.org\r\n",  # a line break at the end
    "Amina <amina@example.org>",  # a display name: the address alone goes here
    "amina@.example.org",  # the domain starts with a dot
    "amina@example.org.",  # ... or ends with one
    "amina,rustam@example.org",  # two addresses
]


@pytest.mark.parametrize("address", BAD)
def test_a_bad_trainer_address_names_the_trainer_and_the_field(address: str) -> None:
    data = tiny_data()
    record(data, "trainers", "T2")["email"] = address
    with pytest.raises(InputError) as info:
        validate_as(Problem, data, "tiny.yaml")
    [issue] = info.value.issues
    assert (issue.kind, issue.record, issue.id, issue.field, issue.pointer) == (
        "invalid_value", "trainer", "T2", ("email",), "/trainers/1/email")
    assert issue.message.startswith(f"trainer T2: email {address!r} is not an e-mail address")


@pytest.mark.parametrize("address", BAD[:4])
def test_a_bad_manager_address_names_the_room_and_the_field(address: str) -> None:
    data = tiny_data()
    record(data, "rooms", "HALL").update(manager="Samira (fictional)", manager_email=address)
    with pytest.raises(InputError) as info:
        validate_as(Problem, data)
    [issue] = info.value.issues
    assert (issue.record, issue.id, issue.field, issue.pointer) == (
        "room", "HALL", ("manager_email",), "/venues/0/rooms/0/manager_email")
    assert issue.message.startswith(f"room HALL: manager_email {address!r} is not an e-mail address")


def _workbook(problem: Problem) -> openpyxl.Workbook:
    buffer = BytesIO()
    template_workbook(problem).save(buffer)
    return openpyxl.load_workbook(BytesIO(buffer.getvalue()))


def _save(wb: openpyxl.Workbook) -> bytes:
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_the_input_workbook_keeps_addresses_and_managers() -> None:
    p = problem_of(with_contacts())
    wb = _workbook(p)
    trainers = [c.value for c in wb["Trainers"][HEADER_ROW]]
    rooms = [c.value for c in wb["Rooms"][HEADER_ROW]]
    assert trainers[-1] == "E-mail" and rooms[-2:] == ["Manager", "Manager e-mail"]
    assert wb["Trainers"].cell(row=HEADER_ROW + 1, column=len(trainers)).value == "t1@trainers.example.org"
    imported = import_workbook(_save(wb))
    assert imported.warnings == []
    assert imported.problem.model_dump() == p.model_dump()


def test_a_bad_address_in_the_workbook_is_named_by_its_cell() -> None:
    wb = _workbook(problem_of(with_contacts()))
    column = [c.value for c in wb["Trainers"][HEADER_ROW]].index("E-mail") + 1
    cell = wb["Trainers"].cell(row=HEADER_ROW + 2, column=column)  # T2's row
    cell.value = "bakhtiyar at example.org"
    with pytest.raises(InputError) as info:
        import_workbook(_save(wb))
    [issue] = info.value.issues
    assert (issue.sheet, issue.cell) == ("Trainers", cell.coordinate)
    assert "is not an e-mail address" in issue.message
