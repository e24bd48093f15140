"""The rtcm command line on small files: solve, check, schema, catalogue, bad input."""

from __future__ import annotations

import json

import openpyxl
import yaml
from typer.testing import CliRunner

from cli.app import app
from cli.common import EXIT_BAD_INPUT, EXIT_NO_CALENDAR
from tests.instances.tiny import tiny_problem

runner = CliRunner()


def write_tiny(tmp_path, name: str = "tiny.yaml", **overrides) -> str:
    data = tiny_problem(**overrides).model_dump(mode="json")
    path = tmp_path / name
    path.write_text(json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data))
    return str(path)


def test_solve_writes_excel_and_json(tmp_path) -> None:
    problem = write_tiny(tmp_path)
    out, js = tmp_path / "cal.xlsx", tmp_path / "cal.json"
    # Deterministic time: tiny is proven optimal within it however busy the machine is.
    r = runner.invoke(app, ["solve", problem, "--out", str(out), "--json", str(js), "--time-limit", "10",
                            "--workers", "2", "--deterministic", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "OPTIMAL" in r.output and "2 of 2" in r.output
    assert "(fees " in r.output and "rooms " in r.output  # the cost by category
    assert json.loads(js.read_text())["solver"]["status"] == "OPTIMAL"
    assert openpyxl.load_workbook(out).sheetnames[0] == "Summary"
    again = runner.invoke(app, ["check", str(js)])
    assert again.exit_code == 0 and "No hard rule broken" in again.output


def test_solve_accepts_json_problem_files(tmp_path) -> None:
    r = runner.invoke(app, ["solve", write_tiny(tmp_path, "tiny.json"), "--time-limit", "10", "--quiet"])
    assert r.exit_code == 0, r.output


def test_invalid_input_lists_every_error_and_writes_nothing(tmp_path) -> None:
    data = tiny_problem().model_dump(mode="json")
    data["trainers"][0]["organisation"] = "UNESCO"
    data["trainers"][1]["gender"] = "F"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "cal.json"
    r = runner.invoke(app, ["solve", str(path), "--json", str(out)])
    assert r.exit_code == EXIT_BAD_INPUT
    assert "trainer T2: gender 'F'" in r.output
    assert not out.exists()


def test_broken_yaml_names_the_line(tmp_path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ncalendar: [unclosed\n")
    r = runner.invoke(app, ["solve", str(path)])
    assert r.exit_code == EXIT_BAD_INPUT
    assert "broken.yaml" in r.output and "line" in r.output


def test_infeasible_problem_is_explained_not_a_traceback(tmp_path) -> None:
    # Both women are away all month: no team of two can have a woman and a man.
    away = [{"start": "2027-03-01", "end": "2027-03-31", "reason": "mission"}]
    data = tiny_problem().model_dump(mode="json")
    for t in data["trainers"]:
        if t["gender"] == "woman":
            t["unavailable"] = away
    path = tmp_path / "no-women.yaml"
    path.write_text(yaml.safe_dump(data))
    r = runner.invoke(app, ["solve", str(path), "--time-limit", "10", "--quiet", "--json", str(tmp_path / "o.json")])
    assert r.exit_code == EXIT_NO_CALENDAR
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert "INFEASIBLE" in r.output
    assert "M1.T1#1" in r.output or "woman" in r.output


def test_schema_describes_problem_and_output() -> None:
    problem = json.loads(runner.invoke(app, ["schema"]).output)
    assert "trainers" in problem["properties"]
    output = json.loads(runner.invoke(app, ["schema", "--output"]).output)
    edition = output["$defs"]["ScheduledEdition"]["properties"]
    assert {"topic", "number", "start", "end", "room", "venue", "mode", "trainers"} <= set(edition)


def test_catalogue_shows_modules_and_irregularities() -> None:
    r = runner.invoke(app, ["catalogue"])
    assert r.exit_code == 0
    assert "irregularities in the source" in r.output


def test_a_file_the_parser_cannot_take_is_bad_input_not_a_traceback(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    huge = tmp_path / "huge.json"
    huge.write_text('{"name": ' + "9" * 5000 + "}")
    for path, why in ((deep, "nested too deep"), (huge, "a value cannot be read")):
        r = runner.invoke(app, ["solve", str(path), "--json", str(tmp_path / "out.json")])
        assert r.exit_code == EXIT_BAD_INPUT, r.output
        assert why in r.output
        assert not (tmp_path / "out.json").exists()
