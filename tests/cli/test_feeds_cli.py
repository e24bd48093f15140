"""``rtcm feeds``: the subscription feeds of a folder of published versions, as files a web server serves."""

from __future__ import annotations

from datetime import date

import vobject
from typer.testing import CliRunner

from cli.app import app
from model.formats.files import schedule_json
from model.formats.ical import event_uid
from model.schedule import Schedule
from tests.test_excel import placed, tiny_schedule

runner = CliRunner()


def events(path) -> dict[str, tuple[date, int, str]]:
    cal = vobject.readOne(path.read_text(encoding="utf-8"))
    return {e.uid.value: (e.dtstart.value, int(e.sequence.value), e.status.value)
            for e in getattr(cal, "vevent_list", [])}


def test_feeds_follow_the_latest_version(tmp_path):
    first = tiny_schedule()
    # Version 2: M1.T1#1 a week later with T3 instead of T4; M2.T1#1 dropped.
    second = Schedule(problem=first.problem, editions=[
        placed(first.problem, "M1.T1#1", date(2027, 3, 9), 3, "HALL", ["T1", "T3"])])
    store, out = tmp_path / "versions", tmp_path / "feeds"
    for n, schedule in enumerate((first, second), 1):
        path = tmp_path / f"v{n}.json"
        path.write_text(schedule_json(schedule), encoding="utf-8")
        assert runner.invoke(app, ["publish", str(path), "--store", str(store)]).exit_code == 0
    r = runner.invoke(app, ["feeds", "--store", str(store), "--out", str(out)])
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["centre.ics", "trainer-T1.ics", "trainer-T2.ics", "trainer-T3.ics", "trainer-T4.ics",
                            "room-HALL.ics", "room-B.ics"])
    moved, dropped = event_uid(first, "M1.T1#1"), event_uid(first, "M2.T1#1")
    assert events(out / "trainer-T1.ics") == {moved: (date(2027, 3, 9), 1, "CONFIRMED")}
    assert events(out / "trainer-T4.ics") == {moved: (date(2027, 3, 2), 1, "CANCELLED")}
    assert events(out / "trainer-T3.ics") == {moved: (date(2027, 3, 9), 0, "CONFIRMED"),
                                              dropped: (date(2027, 3, 18), 1, "CANCELLED")}
    assert events(out / "centre.ics")[dropped][2] == "CANCELLED"


def test_nothing_published_is_a_clear_error(tmp_path):
    r = runner.invoke(app, ["feeds", "--store", str(tmp_path / "none"), "--out", str(tmp_path / "feeds")])
    assert r.exit_code == 2
    assert "nothing is published yet" in r.output
    assert not (tmp_path / "feeds").exists()
