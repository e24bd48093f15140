"""Published calendars kept as numbered versions in a folder, each with its note and key figures.

A planner publishes a calendar when it goes out to trainers and rooms; later versions follow
absences, closures and new editions. The folder holds one schedule file per version
(``v0001.json``, self-contained with its problem) and ``versions.json``, the list of versions
with their date, note and key figures. Publishing the calendar the latest version already holds
gives that version back instead of a new one. Every file is written whole (``write_atomic``),
the version's schedule before the list that names it, so an interrupted publish leaves the
versions as they were.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model.check import check, kpis
from model.compare import CalendarDiff, diff
from model.errors import InputError, Issue
from model.formats.atomic import write_atomic
from model.formats.files import read_schedule, schedule_json
from model.schedule import Schedule

INDEX = "versions.json"


class Version(BaseModel):
    """One published calendar: its number, when and why it was published, and its key figures."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1)
    published_at: datetime
    note: str = ""
    source: str = Field(default="", description="where the calendar came from: a file or a job")
    digest: str = Field(description="SHA-256 of the schedule as stored: the same calendar, the same digest")
    editions_scheduled: int
    objective: float
    cost_usd: int
    hard_rules_broken: int

    @property
    def file(self) -> str:
        return f"v{self.number:04d}.json"


def digest(schedule: Schedule) -> str:
    """SHA-256 of the schedule as stored: the same calendar has the same digest wherever it is kept."""
    return hashlib.sha256(schedule_json(schedule).encode("utf-8")).hexdigest()


def key_figures(schedule: Schedule) -> dict[str, float | int]:
    """A version's key figures, the checker's: editions scheduled, objective, cost, hard rules broken."""
    k = kpis(schedule)
    return {"editions_scheduled": k.editions_scheduled, "objective": k.objective, "cost_usd": k.cost_usd,
            "hard_rules_broken": len(check(schedule))}


class VersionIndex(BaseModel):
    model_config = ConfigDict(extra="forbid")

    versions: list[Version] = Field(default_factory=list)


class Versions:
    """The published versions kept in ``folder`` (created on the first publish)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _index(self) -> VersionIndex:
        path = self.folder / INDEX
        if not path.exists():
            return VersionIndex()
        try:
            return VersionIndex.model_validate_json(path.read_text(encoding="utf-8"))
        except (ValidationError, ValueError) as e:
            raise InputError([Issue("unreadable", f"{INDEX} is not a list of versions: {e}")], str(path)) from None

    def list(self) -> list[Version]:
        """Every version, newest first."""
        return sorted(self._index().versions, key=lambda v: -v.number)

    def latest(self) -> Version | None:
        versions = self.list()
        return versions[0] if versions else None

    def get(self, number: int) -> Version:
        for v in self._index().versions:
            if v.number == number:
                return v
        known = ", ".join(str(v.number) for v in sorted(self._index().versions, key=lambda v: v.number))
        raise InputError([Issue("unknown_reference", f"version {number} is not published (versions: "
                                                     f"{known or 'none'})")], str(self.folder))

    def schedule(self, number: int) -> Schedule:
        """The calendar of version ``number``, as published."""
        return read_schedule(self.folder / self.get(number).file)

    def publish(self, schedule: Schedule, note: str = "", source: str = "") -> tuple[Version, bool]:
        """Keep ``schedule`` as the next version; (the version, True when it is new).

        The calendar the latest version holds already is not published twice: that version
        comes back, with False.
        """
        text = schedule_json(schedule)
        index = self._index()
        latest = max(index.versions, key=lambda v: v.number, default=None)
        if latest is not None and latest.digest == digest(schedule):
            return latest, False
        version = Version(number=(latest.number + 1) if latest else 1,
                          published_at=datetime.now(UTC).replace(microsecond=0), note=note, source=source,
                          digest=digest(schedule), **key_figures(schedule))
        write_atomic(self.folder / version.file, text)
        index.versions.append(version)
        write_atomic(self.folder / INDEX, index.model_dump_json(indent=1) + "\n")
        return version, True

    def diff(self, old: int, new: int) -> CalendarDiff:
        """What changed from version ``old`` to version ``new``, and why, as a scenario comparison says it."""
        return diff(self.schedule(old), self.schedule(new))


def versions_json(versions: list[Version]) -> str:
    return json.dumps([v.model_dump(mode="json") for v in versions], indent=1) + "\n"
