"""Published versions in a folder: numbered, listed newest first, compared, never half-written."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from cli.app import app
from model.compare import diff
from model.errors import InputError
from model.formats import versions as versions_module
from model.formats.files import schedule_json
from model.formats.versions import INDEX, Versions
from model.schedule import Schedule
from tests.test_excel import placed, tiny_schedule

runner = CliRunner()


def moved() -> Schedule:
    """``tiny_schedule`` with M2.T1#1 a week later (Thu 25 - Fri 26 March), the same room and team."""
    s = tiny_schedule()
    later = placed(s.problem, "M2.T1#1", date(2027, 3, 25), 2, "B", ["T2", "T3"])
    return s.model_copy(update={"editions": [later if e.edition == "M2.T1#1" else e for e in s.editions]})


def test_versions_are_numbered_listed_newest_first_and_read_back(tmp_path) -> None:
    store = Versions(tmp_path / "published")
    first, new = store.publish(tiny_schedule(), "the 2027 calendar", "cal.json")
    assert (first.number, new, first.note, first.editions_scheduled, first.hard_rules_broken) == (
        1, True, "the 2027 calendar", 2, 0)
    second, new = store.publish(moved(), "M2.T1 a week later")
    assert (second.number, new) == (2, True)
    assert [v.number for v in store.list()] == [2, 1]
    assert schedule_json(store.schedule(1)) == schedule_json(tiny_schedule())
    assert sorted(p.name for p in (tmp_path / "published").iterdir()) == ["v0001.json", "v0002.json", INDEX]


def test_the_calendar_the_latest_version_holds_is_not_published_twice(tmp_path) -> None:
    store = Versions(tmp_path)
    store.publish(tiny_schedule())
    again, new = store.publish(tiny_schedule(), "same again")
    assert (again.number, new) == (1, False)
    assert [v.number for v in store.list()] == [1]


def test_the_diff_of_two_versions_is_the_comparison_of_their_calendars(tmp_path) -> None:
    store = Versions(tmp_path)
    store.publish(tiny_schedule())
    store.publish(moved())
    changes = store.diff(1, 2)
    assert changes == diff(tiny_schedule(), moved())
    assert [(c.edition, c.kinds, c.old_start, c.new_start) for c in changes.changes] == [
        ("M2.T1#1", ["moved"], date(2027, 3, 18), date(2027, 3, 25))]


def test_an_interrupted_publish_leaves_the_versions_as_they_were(tmp_path, monkeypatch) -> None:
    store = Versions(tmp_path)
    store.publish(tiny_schedule())
    real = versions_module.write_atomic

    def fail_on_the_list(path, data):  # the disk fills up after the schedule is written
        if path.name == INDEX:
            raise OSError("No space left on device")
        real(path, data)

    monkeypatch.setattr(versions_module, "write_atomic", fail_on_the_list)
    with pytest.raises(OSError):
        store.publish(moved())
    monkeypatch.setattr(versions_module, "write_atomic", real)
    assert [v.number for v in store.list()] == [1]
    version, new = store.publish(moved())
    assert (version.number, new) == (2, True)
    assert schedule_json(store.schedule(2)) == schedule_json(moved())


def test_an_unknown_version_and_a_broken_list_are_named(tmp_path) -> None:
    store = Versions(tmp_path)
    store.publish(tiny_schedule())
    with pytest.raises(InputError, match=r"version 7 is not published \(versions: 1\)"):
        store.schedule(7)
    (tmp_path / INDEX).write_text("[not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"versions\.json is not a list of versions"):
        store.list()


def test_the_cli_publishes_lists_compares_and_replans_from_the_latest(tmp_path) -> None:
    cal, later, store = tmp_path / "cal.json", tmp_path / "later.json", tmp_path / "published"
    cal.write_text(schedule_json(tiny_schedule()), encoding="utf-8")
    later.write_text(schedule_json(moved()), encoding="utf-8")
    r = runner.invoke(app, ["publish", str(cal), "--store", str(store), "--note", "first"])
    assert r.exit_code == 0 and "published version 1" in r.output, r.output
    assert "already holds" in runner.invoke(app, ["publish", str(cal), "--store", str(store)]).output
    assert "published version 2" in runner.invoke(app, ["publish", str(later), "--store", str(store)]).output
    r = runner.invoke(app, ["versions", "--store", str(store), "--json", str(tmp_path / "v.json")])
    assert r.exit_code == 0, r.output
    assert [v["number"] for v in json.loads((tmp_path / "v.json").read_text())] == [2, 1]
    r = runner.invoke(app, ["diff", "1", "2", "--store", str(store), "--json", str(tmp_path / "d.json")])
    assert r.exit_code == 0 and "M2.T1#1" in r.output, r.output
    assert json.loads((tmp_path / "d.json").read_text())["changes"][0]["edition"] == "M2.T1#1"
    assert runner.invoke(app, ["diff", "1", "9", "--store", str(store)]).exit_code == 2
    problem = tmp_path / "problem.json"
    problem.write_text(moved().problem.model_dump_json(), encoding="utf-8")
    r = runner.invoke(app, ["replan", str(problem), "--store", str(store), "--time-limit", "5", "--deterministic"])
    assert r.exit_code == 0, r.output
    assert "no edition changed" in r.output  # the latest version still meets every rule
    empty = runner.invoke(app, ["replan", str(problem), "--store", str(tmp_path / "none")])
    assert empty.exit_code == 2 and "nothing is published" in empty.output
