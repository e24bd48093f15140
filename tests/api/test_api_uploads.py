"""Uploaded files: size limits, Excel workbooks, XML and zip bombs, file names kept off the disk."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from defusedxml.ElementTree import DefusedXMLParser
from openpyxl import Workbook, load_workbook

import api.uploads
from api.app import MAX_BODY_BYTES
from model.formats import excel_input
from model.problem import Problem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def billion_laughs(prolog_padding: int = 0) -> str:
    """A sheet whose one cell expands to 10^9 'lol's: ten entities of ten references each."""
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n'
    xml += f"<!--{'x' * prolog_padding}-->\n" if prolog_padding else ""  # pushes the DTD further in
    xml += '<!DOCTYPE worksheet [\n<!ENTITY lol0 "lol">\n'
    for i in range(1, 10):
        xml += f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n'
    return xml + (']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                  '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
                  "</sheetData></worksheet>")


def workbook_with(part: str, content: str | bytes) -> bytes:
    """A real .xlsx (written by openpyxl) with one part replaced."""
    wb = Workbook()
    wb.active.title = "Trainers"
    wb.active["A1"] = "Trainer"
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            zout.writestr(name, content if name == part else zin.read(name))
    return out.getvalue()


def upload(client, name: str, content: bytes):
    return client.post("/problems", files={"file": (name, content, XLSX)})


@pytest.mark.parametrize(
    ("padding", "prolog_checked", "entities_read"),
    [
        (0, True, []),  # the DTD in the prolog: refused before any XML is parsed
        (8000, True, []),  # ... however far into the prolog it sits
        (0, False, ["lol0"]),  # were the prolog not checked, defusedxml would refuse the first entity
    ],
)
def test_an_xml_bomb_in_a_workbook_is_refused_not_expanded(client, monkeypatch, padding, prolog_checked,
                                                           entities_read):
    # Expanded, the bomb would take minutes and gigabytes: the parser must stop at the
    # first entity declaration, and none may be read when the prolog check refuses the part.
    if not prolog_checked:
        monkeypatch.setattr(api.uploads, "_declares_entities", lambda part: False)
    read: list[str] = []
    refuse = DefusedXMLParser.defused_entity_decl

    def note_and_refuse(parser, name, *rest):
        read.append(name)
        return refuse(parser, name, *rest)  # raises EntitiesForbidden

    monkeypatch.setattr(DefusedXMLParser, "defused_entity_decl", note_and_refuse)
    content = workbook_with("xl/worksheets/sheet1.xml", billion_laughs(padding))
    r = upload(client, "bomb.xlsx", content)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == r.status_code
    assert read == entities_read
    assert client.get("/problems").json()[-1]["id"] == "default"  # nothing stored
    if prolog_checked:
        assert any("DTD or XML entities" in e["message"] for e in r.json()["errors"]), r.json()


def test_a_zip_bomb_is_refused_before_inflating(client, monkeypatch):
    monkeypatch.setattr(api.uploads, "MAX_WORKBOOK_EXPANDED_BYTES", 1_000_000)
    padding = "<!-- " + " " * 2_000_000 + " -->"  # 2 MB of spaces compresses to a few KB
    content = workbook_with("docProps/app.xml", padding)
    assert len(content) < 50_000
    r = upload(client, "big.xlsx", content)
    assert r.status_code == 422
    assert any("would expand to" in e["message"] for e in r.json()["errors"]), r.json()


def test_the_client_file_name_never_reaches_the_file_system(client, monkeypatch, tmp_path):
    seen: list[Path] = []

    def spy(path):
        seen.append(Path(path))
        assert Path(path).exists()
        raise api.uploads.InputError(["Trainers!A3: stop here"], str(path))

    monkeypatch.setattr(api.uploads, "read_problem", spy)
    r = upload(client, "../../../tmp/evil name.xlsx", workbook_with("docProps/app.xml", "<x/>"))
    assert r.status_code == 422
    assert r.json()["detail"].endswith("in ../../../tmp/evil name.xlsx")  # named in messages only
    [path] = seen
    assert path.name == "upload.xlsx" and "evil" not in str(path)
    assert not path.exists() and not path.parent.exists()  # removed once read


def test_a_workbook_upload_gives_a_problem(client, tiny_raw, tmp_path):
    path = tmp_path / "tiny.xlsx"
    excel_input.write_template(Problem.model_validate(tiny_raw), path)
    r = upload(client, "Tiny plan.XLSX", path.read_bytes())
    assert r.status_code == 201, r.text
    summary = r.json()
    assert summary["source"] == "upload Tiny plan.XLSX"
    assert summary["facts"]["editions"] == 4
    # and as a raw body with the workbook's media type
    r = client.post("/problems", content=path.read_bytes(), headers={"content-type": XLSX})
    assert r.status_code == 201, r.text


def test_an_unreadable_workbook_is_422_naming_the_file(client):
    r = upload(client, "notes.xlsx", b"just some text")
    assert r.status_code == 422
    assert r.json()["detail"].endswith("notes.xlsx")


def test_workbooks_are_refused_if_the_xml_parser_is_not_hardened(client, monkeypatch):
    monkeypatch.setattr(api.uploads.openpyxl, "DEFUSEDXML", False)
    r = upload(client, "plan.xlsx", workbook_with("docProps/app.xml", "<x/>"))
    assert r.status_code == 415
    assert "defusedxml" in r.json()["detail"]


def test_the_default_body_limit_is_10_mb(client):
    assert MAX_BODY_BYTES == 10_000_000
    json_type = {"content-type": "application/json"}
    r = client.post("/problems", content=b" " * (MAX_BODY_BYTES + 1), headers=json_type)
    assert r.status_code == 413
    assert r.json()["detail"] == "the request body exceeds the limit of 10 MB"
    # an upload is a body too
    r = client.post("/problems", files={"file": ("p.xlsx", b"\0" * (MAX_BODY_BYTES + 1), XLSX)})
    assert r.status_code == 413


def test_a_workbook_s_errors_name_the_sheet_and_cell(client, tiny_raw, tmp_path):
    path = tmp_path / "tiny.xlsx"
    excel_input.write_template(Problem.model_validate(tiny_raw), path)
    trainer, item = tiny_raw["trainers"][1]["id"], tiny_raw["programme"][0]["topic"]
    seats = max(r["seats"] for v in tiny_raw["venues"] for r in v["rooms"])
    wb = load_workbook(path)
    wb["Trainers"]["C4"] = "F "  # the second trainer's gender
    wb["Programme"]["K3"] = seats + 1  # more participants than the largest room seats
    wb.save(path)
    r = upload(client, "plan.xlsx", path.read_bytes())
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{  # the cross-check waits for every cell to read
        "message": "Trainers!C4: gender 'F ' is not one of woman, man, another identity, undisclosed",
        "kind": "invalid_value", "pointer": "/trainers/1/gender",
        "record": {"type": "trainer", "id": trainer, "index": None}, "field": ["gender"],
        "sheet": "Trainers", "cell": "C4",
    }]
    wb["Trainers"]["C4"] = "man"
    wb.save(path)
    [error] = upload(client, "plan.xlsx", path.read_bytes()).json()["errors"]
    assert error == {
        "message": f"Programme!K3: programme {item}: {seats + 1} in-person participants exceed the "
                   f"largest room ({seats} seats)",
        "kind": "no_resource", "pointer": "/programme/0/participants_in_person",
        "record": {"type": "programme", "id": item, "index": None}, "field": ["participants_in_person"],
        "sheet": "Programme", "cell": "K3",
    }
