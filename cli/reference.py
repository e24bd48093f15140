"""``rtcm schema`` and ``rtcm catalogue``: what the files hold and what the curriculum offers."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from cli.common import console
from model.problem import Problem
from model.schedule import Schedule


def schema_cmd(
    output: Annotated[bool, typer.Option("--output", help="the schedule JSON's schema instead")] = False,
) -> None:
    """Print the JSON Schema of the problem file (or, with --output, of the schedule JSON)."""
    model = Schedule if output else Problem
    typer.echo(json.dumps(model.model_json_schema(), indent=1))


def catalogue_cmd() -> None:
    """Show the RTCM catalogue and the irregularities found in the curriculum source."""
    from data.curriculum import load_catalogue

    cat = load_catalogue()
    t = Table("module", "topics", "days (min-max)", "title")
    for m in cat.modules:
        ts = [x for x in cat.topics if x.module == m.number]
        t.add_row(str(m.number), str(len(ts)),
                  f"{sum(x.duration_min for x in ts)}-{sum(x.duration_max for x in ts)}", m.title[:70])
    console.print(t)
    console.print(f"[yellow]{len(cat.warnings)} irregularities in the source:[/]")
    for w in cat.warnings:
        console.print(f"  - {w}", markup=False, highlight=False)
