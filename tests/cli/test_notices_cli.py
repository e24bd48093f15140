"""``rtcm notices N M --store DIR --out DIR [--send]``: the notices between two published versions.

Version 1 is ``tiny``'s calendar with everyone's addresses; version 2 moves M2.T1#1 a week for
T2's absence (``tests/test_notices.py``): notices to T2, T3 and room B's manager.
"""

from __future__ import annotations

from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli import notices as notices_cli
from cli.app import app
from model.formats.versions import Versions
from model.notices import INDEX
from tests.formats.test_mail import Inbox, free_port, start
from tests.test_excel import placed
from tests.test_notices import away_problem, calendar, m1, old_calendar

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    folder = tmp_path / "published"
    versions = Versions(folder)
    versions.publish(old_calendar(), "the 2027 calendar")
    p = away_problem()
    versions.publish(calendar(p, m1(p), placed(p, "M2.T1#1", date(2027, 3, 25), 2, "B", ["T2", "T3"])),
                     "T2 away the week of 15 March")
    return folder


@pytest.fixture(autouse=True)
def sending_off_and_wide(monkeypatch) -> None:
    monkeypatch.delenv("RTCM_SMTP_URL", raising=False)
    monkeypatch.delenv("RTCM_NOTICE_FROM", raising=False)
    # Wide enough for a table row and an error on one line each.
    monkeypatch.setattr(notices_cli, "console", Console(width=200))
    monkeypatch.setattr(notices_cli, "err", Console(width=200, stderr=True))


def test_the_notices_are_listed_and_written(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "notices"
    r = runner.invoke(app, ["notices", "1", "2", "--store", str(store), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "Notices from version 1 to version 2" in r.output
    for words in ("trainer-T2", "Bakhtiyar (fictional)", "t2@trainers.example.org", "room-B", "Samira (fictional)"):
        assert words in r.output
    assert "wrote 3 notice(s) and notices.txt" in r.output
    assert sorted(p.name for p in out.iterdir()) == ["notices.txt", "room-B.eml", "trainer-T2.eml", "trainer-T3.eml"]
    message = message_from_bytes((out / "trainer-T2.eml").read_bytes(), policy=policy.default)
    assert message["To"] == "\"Bakhtiyar (fictional)\" <t2@trainers.example.org>"
    assert message["Date"].datetime == Versions(store).get(2).published_at
    body = message.get_content()  # type: ignore[attr-defined]
    assert "moved from 2027-03-18..2027-03-19 to 2027-03-25..2027-03-26" in body
    assert "trainer T2 is unavailable 2027-03-15 to 2027-03-19 (annual leave)" in body
    assert "Why:" in (out / INDEX).read_text(encoding="utf-8")


def test_version_0_is_a_first_publication(store: Path) -> None:
    r = runner.invoke(app, ["notices", "0", "1", "--store", str(store)])
    assert r.exit_code == 0, r.output
    assert "Notices of version 1" in r.output
    assert all(f"trainer-T{i}" in r.output for i in range(1, 5)) and "room-HALL" in r.output
    assert "no address" in r.output  # the hall has no manager's address


@pytest.mark.parametrize(("args", "words"), [
    (["2", "1"], "the older version (2) must come before the newer (1)"),
    (["1", "1"], "the older version (1) must come before the newer (1)"),
    (["1", "7"], "version 7 is not published (versions: 1, 2)"),
])
def test_versions_that_are_not_two_in_order_are_refused(store: Path, args: list[str], words: str) -> None:
    r = runner.invoke(app, ["notices", *args, "--store", str(store)])
    assert r.exit_code == 2 and words in r.output, r.output


def test_sending_is_off_unless_a_server_is_set(store: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["notices", "1", "2", "--store", str(store), "--send"])
    assert r.exit_code == 2 and "sending is off: set RTCM_SMTP_URL" in r.output, r.output


def test_notices_are_sent_to_the_server_set(store: Path, monkeypatch) -> None:
    inbox = Inbox()
    for url in start(inbox):
        monkeypatch.setenv("RTCM_SMTP_URL", url)
        monkeypatch.setenv("RTCM_NOTICE_FROM", "RTCM planning <planning@rtcm.example.org>")
        r = runner.invoke(app, ["notices", "1", "2", "--store", str(store), "--send"])
        assert r.exit_code == 0, r.output
        assert "sent 3, skipped 0" in r.output
    assert sorted(to[0] for _, to, _ in inbox.received) == [
        "rooms@rtcm.example.org", "t2@trainers.example.org", "t3@trainers.example.org"]
    assert {sender for sender, _, _ in inbox.received} == {"planning@rtcm.example.org"}


def test_a_server_that_cannot_be_reached_is_said_so(store: Path, monkeypatch) -> None:
    port = free_port()
    monkeypatch.setenv("RTCM_SMTP_URL", f"smtp://127.0.0.1:{port}")
    r = runner.invoke(app, ["notices", "1", "2", "--store", str(store), "--send"])
    assert r.exit_code == 1
    assert f"the mail server smtp://127.0.0.1:{port} cannot be reached" in r.output
    assert "no notice sent" in r.output


def test_a_bad_server_url_names_the_setting(store: Path, monkeypatch) -> None:
    monkeypatch.setenv("RTCM_SMTP_URL", "http://mail.example.org")
    r = runner.invoke(app, ["notices", "1", "2", "--store", str(store), "--send"])
    assert r.exit_code == 2 and "RTCM_SMTP_URL: the scheme must be smtp or smtps" in r.output, r.output


def test_a_trainer_away_a_week_is_told_the_move_after_a_replan(tmp_path: Path) -> None:
    # The flow a planner follows: publish, T2 is away the week of M2.T1#1, re-plan from the published
    # calendar, publish again, and the notices of the new version.
    store, cal, later = tmp_path / "published", tmp_path / "cal.json", tmp_path / "later.json"
    cal.write_text(old_calendar().model_dump_json(), encoding="utf-8")
    problem = tmp_path / "away.json"
    problem.write_text(away_problem().model_dump_json(), encoding="utf-8")
    assert runner.invoke(app, ["publish", str(cal), "--store", str(store)]).exit_code == 0
    r = runner.invoke(app, ["replan", str(problem), "--store", str(store), "--json", str(later), "--time-limit", "10",
                            "--workers", "1", "--deterministic"])
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["publish", str(later), "--store", str(store), "--note", "T2 away"]).exit_code == 0
    out = tmp_path / "notices"
    assert runner.invoke(app, ["notices", "1", "2", "--store", str(store), "--out", str(out)]).exit_code == 0
    text = message_from_bytes((out / "trainer-T2.eml").read_bytes(), policy=policy.default).get_content()  # type: ignore[attr-defined]
    assert "Border management (M2.T1#1): moved from 2027-03-18..2027-03-19 to " in text
    assert "Why: M2.T1#1: trainer T2 is unavailable 2027-03-15 to 2027-03-19 (annual leave)" in text
