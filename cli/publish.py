"""``rtcm`` commands that publish a calendar as numbered versions in a folder, list them, compare two,
and write the subscription feeds of the latest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, fail_input
from cli.scenarios import diff_table
from model.errors import InputError, Issue
from model.formats.atomic import write_atomic
from model.formats.feeds import FeedSubject, PublishedCalendar, feed, feed_subjects, the_year
from model.formats.files import read_schedule
from model.formats.versions import Versions, versions_json

Store = Annotated[Path, typer.Option(help="the folder of published versions (created on the first publish)")]


def publish_cmd(
    schedule: Annotated[Path, typer.Argument(help="the schedule JSON to publish")],
    store: Store,
    note: Annotated[str, typer.Option(help="why this version, e.g. 'trainer T07 away in March'")] = "",
) -> None:
    """Publish a calendar as the next version (the calendar of the latest version is not published twice)."""
    try:
        version, new = Versions(store).publish(read_schedule(schedule), note, source=schedule.name)
    except InputError as e:
        fail_input(e)
    if new:
        console.print(f"published version {version.number} in {store}", highlight=False)
    else:
        console.print(f"version {version.number} already holds this calendar: nothing published", highlight=False)
    if version.hard_rules_broken:
        console.print(f"[yellow]it breaks {version.hard_rules_broken} hard rule(s): rtcm check "
                      f"{store / version.file}[/]", highlight=False)


def versions_cmd(
    store: Store,
    json_out: Annotated[Path | None, typer.Option("--json", help="the list as JSON")] = None,
) -> None:
    """The published versions, newest first, with their notes and key figures."""
    try:
        versions = Versions(store).list()
    except InputError as e:
        fail_input(e)
    t = Table("version", "published", "note", "editions", "objective", "cost (USD)", "hard rules broken",
              title=f"Published versions in {store}", title_justify="left")
    for v in versions:
        t.add_row(str(v.number), v.published_at.isoformat(), v.note, str(v.editions_scheduled), f"{v.objective:g}",
                  f"{v.cost_usd:,}", str(v.hard_rules_broken))
    if not versions:
        t.add_row("-", "nothing published yet", "", "", "", "", "")
    console.print(t)
    if json_out:
        write_atomic(json_out, versions_json(versions))


def diff_cmd(
    old: Annotated[int, typer.Argument(help="the earlier version")],
    new: Annotated[int, typer.Argument(help="the later version")],
    store: Store,
    json_out: Annotated[Path | None, typer.Option("--json", help="the changes as JSON")] = None,
) -> None:
    """Every edition moved, re-roomed, re-staffed, added or dropped between two versions, and why."""
    try:
        changes = Versions(store).diff(old, new)
    except InputError as e:
        fail_input(e)
    console.print(diff_table(f"From version {old} to version {new}", changes))
    if json_out:
        write_atomic(json_out, changes.model_dump_json(indent=1) + "\n")


def feeds_cmd(
    store: Store,
    out: Annotated[Path, typer.Option(help="the folder to write the feeds to (created if needed)")],
) -> None:
    """Write the subscription feed of the centre, every trainer and every room at the latest version.

    One ``.ics`` file each (``centre.ics``, ``trainer-T07.ics``, ``room-R1.ics``), for a web server to
    serve at stable addresses: the same feeds as the service's ``/feeds/<token>.ics``, events keeping
    their UID across versions, a SEQUENCE that grows when they change, dropped courses cancelled.
    """
    try:
        versions = Versions(store)
        numbers = sorted((v.number for v in versions.list()), reverse=True)
        if not numbers:
            fail_input(InputError([Issue("missing", "nothing is published yet: rtcm publish first")], str(store)))
        year = the_year(PublishedCalendar(n, versions.get(n).published_at, versions.schedule(n)) for n in numbers)
    except InputError as e:
        fail_input(e)
    latest = year[-1].schedule
    names = {f.id for f in feed_subjects(latest)}
    # Feeds written before for people or rooms the latest calendar no longer has are kept up to date too.
    earlier = {p.stem for p in out.glob("*.ics")} - names if out.is_dir() else set()
    subjects = feed_subjects(latest) + [s for s in map(FeedSubject.parse, sorted(earlier)) if s is not None]
    t = Table("feed", "events", "cancelled", title=f"Feeds of version {year[-1].number} in {out}",
              title_justify="left")
    for subject in subjects:
        body = feed(year, subject)
        write_atomic(out / f"{subject.id}.ics", body.ics)
        if body.events or body.cancelled:
            t.add_row(subject.id, str(body.events), str(body.cancelled))
    console.print(t)
    console.print(f"{len(subjects)} feeds written (those without events are valid, empty calendars)", highlight=False)
