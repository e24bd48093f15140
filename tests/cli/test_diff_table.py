"""The calendar differences as the command line shows them."""

from __future__ import annotations

from datetime import date

from rich.console import Console

from cli.scenarios import diff_table
from model.compare import CalendarDiff, EditionChange


def shown(changes: CalendarDiff) -> str:
    console = Console(record=True, width=200)
    console.print(diff_table("changes", changes))
    return console.export_text()


def test_a_mode_change_shows_the_old_and_the_new_mode() -> None:
    change = EditionChange(edition="M1.T1#1", kinds=["mode"], old_start=date(2027, 3, 1), new_start=date(2027, 3, 1),
                           old_room="HALL", new_room="HALL", old_mode="hybrid", new_mode="in_person")
    text = shown(CalendarDiff(changes=[change]))
    assert "2027-03-01 HALL hybrid" in text and "2027-03-01 HALL in person" in text


def test_a_move_alone_shows_no_mode() -> None:
    change = EditionChange(edition="M1.T1#1", kinds=["moved"], old_start=date(2027, 3, 1), new_start=date(2027, 3, 8),
                           old_room="HALL", new_room="HALL", old_mode="hybrid", new_mode="hybrid")
    text = shown(CalendarDiff(changes=[change]))
    assert "2027-03-01 HALL " in text and "hybrid" not in text
