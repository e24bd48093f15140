"""``rtcm`` commands that exchange files with planners: Excel template and import, iCalendar."""

from __future__ import annotations

import json
from enum import StrEnum
from io import BytesIO
from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, err, fail_input, load_problem
from model.errors import InputError
from model.formats.files import problem_yaml, read_schedule, write_atomic


def template_cmd(
    workbook: Annotated[Path, typer.Argument(help="the input workbook to write (.xlsx)")],
    problem: Annotated[Path | None, typer.Option(
        help="problem whose data fill the sheets (YAML, JSON or XLSX); default: the embedded 2027 one",
    )] = None,
) -> None:
    """Write an input workbook a planner can fill in, with the 2027 data as the example."""
    from model.formats.excel_input import template_workbook

    try:
        prob = load_problem(problem)
    except InputError as e:
        fail_input(e)
    wb = template_workbook(prob)
    buffer = BytesIO()
    wb.save(buffer)
    write_atomic(workbook, buffer.getvalue())
    console.print(f"wrote {workbook}: sheets {', '.join(wb.sheetnames)}", highlight=False)
    console.print(f"fill it in, then: rtcm import {workbook.name} --out problem.yaml", highlight=False)


def import_cmd(
    workbook: Annotated[Path, typer.Argument(help="the input workbook (.xlsx)")],
    out: Annotated[Path | None, typer.Option(help="problem file to write (.yaml or .json)")] = None,
) -> None:
    """Read an input workbook into a validated problem; every error names its sheet and cell."""
    from model.formats.excel_input import import_workbook

    try:
        if not workbook.exists():
            raise InputError([f"file {workbook} does not exist"], str(workbook))
        imported = import_workbook(workbook)
    except InputError as e:
        fail_input(e)
    for w in imported.warnings:
        err.print(f"[yellow]warning[/] {w}", highlight=False)
    console.print(str(imported.problem), highlight=False)
    if out:
        data = imported.problem.model_dump(mode="json")
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n" if out.suffix.lower() == ".json" \
            else problem_yaml(imported.problem)
        write_atomic(out, text)
        console.print(f"wrote {out}")


class CalendarsBy(StrEnum):
    trainer = "trainer"
    room = "room"
    all = "all"


def ical_cmd(
    schedule: Annotated[Path, typer.Argument(help="schedule JSON (as written by solve)")],
    out: Annotated[Path, typer.Option(help="folder for the .ics files")],
    by: Annotated[CalendarsBy, typer.Option(help="one file per trainer, per room, or both")] = (
        CalendarsBy.all),
) -> None:
    """Write iCalendar files, one per trainer and/or room, to import into any calendar app."""
    from model.formats.ical import write_calendars

    try:
        s = read_schedule(schedule)
    except InputError as e:
        fail_input(e)
    written = write_calendars(s, out, by=by.value)
    console.print(f"wrote {len(written)} calendar(s) to {out} for {len(s.editions)} editions")
