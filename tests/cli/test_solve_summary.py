"""``rtcm solve``'s summary: the requests seated by topic priority, next to the seats.

On ``seated_tiny``'s problem (tests/model/test_kpis_costs_and_demand.py), solved: M1.T1 has
priority 3 and is asked for by N1 and N3; M2.T1 and M2.T2 (outside the programme) have none.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app
from model.schedule import Schedule
from tests.instances.tiny import tiny_problem
from tests.model.test_kpis_costs_and_demand import independent_demand, seated_tiny_data

runner = CliRunner()


def solve(tmp_path: Path, data: dict) -> tuple[str, Schedule]:
    problem, out = tmp_path / "problem.json", tmp_path / "calendar.json"
    problem.write_text(json.dumps(data))
    r = runner.invoke(app, ["solve", str(problem), "--json", str(out), "--time-limit", "10", "--workers", "2",
                            "--deterministic", "--quiet"])
    assert r.exit_code == 0, r.output
    return r.output, Schedule.model_validate_json(out.read_text())


def summary_line(output: str, label: str) -> str | None:
    """The value of the summary's row ``label`` (a row of the rich table, on one line)."""
    for line in output.splitlines():
        text = line.strip(" │|")
        if text.startswith(label):
            return text.removeprefix(label).strip(" │|")
    return None


def row_label(line: str) -> str:
    """The label of a summary row ('' on a line that goes on the row above, or draws the table)."""
    cells = line.split("│")
    return cells[1].strip() if len(cells) > 2 else ""


def test_the_summary_says_how_many_requests_are_seated_by_priority(tmp_path: Path) -> None:
    output, schedule = solve(tmp_path, seated_tiny_data())
    figures = independent_demand(schedule)
    asked, seated = figures["requests_by_priority"], figures["seated_by_priority"]
    assert asked == {3: 2, 0: 4}
    # The levels with requests, the most urgent first: seated / requests.
    expected = ", ".join(f"{level}: {seated[level]}/{asked[level]}" for level in sorted(asked, reverse=True))
    assert summary_line(output, "requests seated by priority") == expected
    labels = [label for label in map(row_label, output.splitlines()) if label]
    assert labels[labels.index("seats") + 1] == "requests seated by priority"  # right after the seats line


def test_without_nominations_the_summary_has_no_requests_line(tmp_path: Path) -> None:
    output, _ = solve(tmp_path, tiny_problem().model_dump(mode="json"))
    assert "requests seated" not in output
