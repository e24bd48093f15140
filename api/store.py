"""Persistence of problems, jobs, progress, schedules and comparisons with SQLAlchemy 2.

By default the service keeps a SQLite file, ``var/rtcm-planner.sqlite3`` at the root
of the project, in WAL mode so that the job runner writes progress while requests
read. Any SQLAlchemy URL can be given instead through ``RTCM_DATABASE_URL`` (or
``create_app(database_url=...)``). For PostgreSQL, install a driver and point the
service at a database it may create tables in::

    pip install -e ".[postgres]"   # psycopg 3
    export RTCM_DATABASE_URL=postgresql+psycopg://rtcm:secret@db.example.org:5432/rtcm

Tables are created on startup when missing, and columns added since a table was created
are added to it (:data:`ADDED_COLUMNS`); there are no other migrations yet.

A job is of one of four kinds (:data:`JOB_KINDS`): a solve of a stored problem, which keeps
its calendar (table ``schedules``); a what-if scenario run on a finished job's calendar,
which keeps its comparison with that calendar (table ``comparisons``); a budget frontier
run, which keeps its points in its progress as each budget is solved (a point is final once
its budget is, so a run stopped or interrupted keeps those it has); or a robustness run of a
calendar in sampled absence futures, which keeps its futures done in its progress and its
report (table ``robustness_reports``; a run stopped keeps the report of the futures it
finished). Reads name the kind they expect: a scenario run is not a job to ``GET /jobs``, nor
a job to ``GET /scenarios/runs``.

A solve's calendar published for trainers and rooms becomes a numbered version (table
``published``: 1, 2, ... across the service, at most one per job), with its note, key figures
and a copy of the calendar, so that a version outlives anything that happens to its job.

The embedded default problem (:func:`data.default_problem`) is not stored: it is always
available under the id ``default`` and follows the code it ships with.

A database that cannot take a write now (its file or disk read-only, the disk full, the
database locked by another process past the busy timeout) is one error,
:class:`StoreUnavailable`, raised by :meth:`Store.session` for every query: the API answers
it 503 with Retry-After, and each write is one transaction, so a write it refuses leaves
nothing behind. Reads go on where the database can still be read, and the service takes
writes again as soon as the database does: nothing is kept in a broken state.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import secrets
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy import text as sql
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from model.errors import validate_as
from model.problem import Problem

DEFAULT_PROBLEM_ID = "default"
VAR_DIR = Path(__file__).resolve().parent.parent / "var"

ACTIVE_STATES = ("queued", "running")
ENDED_STATES = ("done", "failed", "cancelled", "interrupted")

JOB_KINDS = ("solve", "scenario", "frontier", "robustness")
# In messages: "job 'x' does not exist".
KIND_NAMES = {"solve": "job", "scenario": "scenario run", "frontier": "frontier run",
              "robustness": "robustness run"}

INTERRUPTED_MESSAGE = "the service stopped while this job was {state}; resubmit it to run it again"
INTERRUPTED_RUN_MESSAGE = "the service stopped while this scenario run was {state}; run it again"
INTERRUPTED_FRONTIER_MESSAGE = ("the service stopped while this frontier run was {state}; run it again (the "
                                "points of the budgets it had solved are kept)")
INTERRUPTED_ROBUSTNESS_MESSAGE = ("the service stopped while this robustness run was {state}; run it again (the "
                                  "report of the futures it had re-planned was not kept)")
INTERRUPTED_KEPT_MESSAGE = ("the service stopped during the solve; it keeps the best calendar found before the "
                            "interruption (objective {objective}); resubmit it to search further")


def interrupted_message(kind: str, state: str) -> str:
    """Why a job the service stopped with has no result: what was going on, what to do."""
    text = {"scenario": INTERRUPTED_RUN_MESSAGE, "frontier": INTERRUPTED_FRONTIER_MESSAGE,
            "robustness": INTERRUPTED_ROBUSTNESS_MESSAGE}.get(kind, INTERRUPTED_MESSAGE)
    return text.format(state=state)


def default_database_url() -> str:
    """``RTCM_DATABASE_URL``, else a SQLite file under ``var/``."""
    return os.environ.get("RTCM_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'rtcm-planner.sqlite3'}"


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every moment stored is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class NotFound(LookupError):
    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"{kind} '{ident}' does not exist")
        self.kind = kind
        self.ident = ident


class StoreUnavailable(Exception):
    """The database cannot take a write now; ``cause`` says why, in words an operator acts on."""

    def __init__(self, cause: str, retry_after_s: int) -> None:
        super().__init__(f"the database cannot be written now: {cause}; nothing was changed")
        self.cause = cause
        self.retry_after_s = retry_after_s


# Faults of the database that pass: (SQLite error names, PostgreSQL SQLSTATEs, words of the
# message, the cause in words, seconds to wait). Anything else is a bug, not a fault to wait out.
TRANSIENT_FAULTS: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str, int], ...] = (
    (("SQLITE_READONLY",), ("25006",), ("readonly database", "read-only"),
     "it is read-only (its file, folder or disk does not accept writes)", 30),
    (("SQLITE_FULL",), ("53100",), ("disk is full", "disk full", "no space left"),
     "the disk that holds it is full", 30),
    (("SQLITE_BUSY", "SQLITE_LOCKED"), ("55P03", "40P01"), ("database is locked", "database table is locked"),
     "another process holds it locked", 5),
    (("SQLITE_IOERR", "SQLITE_CANTOPEN"), ("58030",), ("disk i/o error", "unable to open database file"),
     "its disk cannot be read or written (an I/O error)", 30),
)


def unavailable(err: DBAPIError) -> StoreUnavailable | None:
    """The :class:`StoreUnavailable` a driver's error stands for, or None when it is no passing fault."""
    orig = err.orig
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    state = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
    text = str(orig).lower()
    for names, states, words, cause, retry_after_s in TRANSIENT_FAULTS:
        if name.startswith(names) or state in states or any(w in text for w in words):
            return StoreUnavailable(cause, retry_after_s)
    return None


class ProblemInUse(Exception):
    """A problem that queued or running solves still need cannot be deleted."""

    def __init__(self, problem_id: str, job_ids: list[str]) -> None:
        super().__init__(f"problem '{problem_id}' has queued or running jobs ({', '.join(job_ids)}); "
                         "cancel them first")
        self.problem_id = problem_id
        self.job_ids = job_ids


# ------------------------------------------------------------------------------ tables


class Base(DeclarativeBase):
    pass


class ProblemRow(Base):
    __tablename__ = "problems"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    body: Mapped[str] = mapped_column(Text, deferred=True)


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="solve", server_default="solve")
    problem_id: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    # A solve's options; a scenario run's settings, base job and changes in words; a frontier run's budgets.
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    resubmitted_from: Mapped[str | None] = mapped_column(String(64), default=None)
    has_schedule: Mapped[bool] = mapped_column(default=False)


class ScheduleRow(Base):
    __tablename__ = "schedules"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[str] = mapped_column(Text)


class BestCalendarRow(Base):
    """A running solve's best calendar so far, with the progress it goes with.

    Written as the solve improves (rate-limited by the job runner), so that a service killed
    mid-solve loses at most the last few seconds; when the job ends it either gives way to
    the final calendar or, if the solve ended without one, becomes the job's schedule.
    """

    __tablename__ = "best_calendars"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    progress: Mapped[dict[str, Any]] = mapped_column(JSON)
    body: Mapped[str] = mapped_column(Text)


class ComparisonRow(Base):
    """A scenario run's result: the base calendar and the scenario's side by side, as JSON."""

    __tablename__ = "comparisons"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[str] = mapped_column(Text)


class RobustnessReportRow(Base):
    """A robustness run's report (:class:`model.robustness.RobustnessReport`, every future included), as
    JSON: of every future asked for, or of those finished when the run was stopped."""

    __tablename__ = "robustness_reports"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[str] = mapped_column(Text)


class PublishedRow(Base):
    """A published calendar: its number, the job it came from, note, key figures and the calendar.

    The figures are those of :class:`model.formats.versions.Version` (editions_scheduled,
    objective, cost_usd, hard_rules_broken). ``job_id`` is unique: publishing a job's calendar
    again gives its version back. The calendar is a copy, not a reference: a version never
    changes, whatever becomes of its job.
    """

    __tablename__ = "published"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    job_id: Mapped[str] = mapped_column(String(64), unique=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")
    digest: Mapped[str] = mapped_column(String(64))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    body: Mapped[str] = mapped_column(Text, deferred=True)


class FeedRow(Base):
    """A subscription feed of the published calendar: a trainer's, a room's or the centre's.

    ``id`` names the feed for planners (``trainer-T07``, ``room-R1``, ``centre``); ``token`` is
    the secret in its URL (``/feeds/<token>.ics``), which trainers' calendar programs poll
    without an API token. Rotating a feed gives it a new token: the old URL stops answering.
    """

    __tablename__ = "feeds"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(190), default=None)
    name: Mapped[str] = mapped_column(String(300), default="")
    token: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


# Columns added to a table after its first release: ``ALTER TABLE ... ADD COLUMN`` on open
# when a database created before lacks them (SQLite and PostgreSQL alike).
ADDED_COLUMNS: dict[str, dict[str, str]] = {
    "jobs": {"kind": "VARCHAR(16) NOT NULL DEFAULT 'solve'"},
}


def _add_missing_columns(engine: Engine) -> None:
    tables = inspect(engine)
    with engine.begin() as connection:
        for table, columns in ADDED_COLUMNS.items():
            present = {c["name"] for c in tables.get_columns(table)}
            for name, ddl in columns.items():
                if name not in present:
                    connection.execute(sql(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the job runner's writes
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def problem_facts(problem: Problem) -> dict[str, Any]:
    """The figures a list of problems shows, computed once when a problem is stored."""
    return {
        "description": problem.description,
        "horizon_start": problem.calendar.start.isoformat(),
        "horizon_end": problem.calendar.end.isoformat(),
        "editions": len(problem.editions),
        "mandatory_editions": sum(1 for e in problem.editions if e.mandatory),
        "topics": len(problem.topics),
        "trainers": len(problem.trainers),
        "organisations": len(problem.organisations),
        "rooms": len(problem.rooms),
        "prerequisites": len(problem.prerequisites),
    }


@dataclass(frozen=True)
class ScheduleBody:
    """A stored schedule as sent: its JSON, compressed once for clients that accept gzip, and its tag."""

    json: bytes
    gzip: bytes
    etag: str

    @classmethod
    def of(cls, text: str) -> ScheduleBody:
        data = text.encode()
        return cls(data, gzip.compress(data, compresslevel=6, mtime=0),
                   f'W/"{hashlib.sha256(data).hexdigest()[:32]}"')

    @property
    def size(self) -> int:
        return len(self.json) + len(self.gzip)


# -------------------------------------------------------------------------- repository


class Store:
    """A small repository: every method opens and closes its own session (thread-safe)."""

    PROBLEM_CACHE = 8  # validated problems kept in memory; stored problems never change
    SCHEDULE_CACHE_BYTES = 64_000_000  # schedules kept in memory; a job's schedule never changes
    PUBLISH_ATTEMPTS = 3  # another process took the number (or published the job) first: read again

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._cache: OrderedDict[str, Problem] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._default_row: ProblemRow | None = None
        self._schedules: OrderedDict[str, ScheduleBody] = OrderedDict()
        self._schedules_bytes = 0
        # A solve is queued and a problem deleted one at a time, each checking the other in
        # the transaction that writes: a problem is never deleted with a solve on it. The
        # rows are also locked (FOR UPDATE) for a database that other processes write to.
        self._problems_lock = threading.Lock()
        # Versions are numbered one at a time: the next number is read and taken in one transaction.
        self._publish_lock = threading.Lock()

    # -- lifecycle ----------------------------------------------------------------------

    def open(self) -> None:
        """Connect, create missing tables."""
        url = make_url(self.url)
        kwargs: dict[str, Any] = {}
        sqlite = url.get_backend_name() == "sqlite"
        if sqlite:
            kwargs["connect_args"] = {"check_same_thread": False}
            if url.database in (None, "", ":memory:"):
                kwargs["poolclass"] = StaticPool  # one shared in-memory database
            elif not url.database.startswith("file:"):
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        else:
            kwargs["pool_pre_ping"] = True
        engine = create_engine(url, **kwargs)
        if sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(engine)
        _add_missing_columns(engine)
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        self._engine = self._sessions = None

    @property
    def dialect(self) -> str:
        return make_url(self.url).get_backend_name()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed at the end, rolled back whole on any error.

        Raises :class:`StoreUnavailable` when the database refuses it for a reason that passes.
        """
        if self._sessions is None:
            raise RuntimeError("the store is not open")
        try:
            with self._sessions.begin() as s:
                yield s
        except DBAPIError as err:
            fault = unavailable(err)
            if fault is None:
                raise
            raise fault from err

    def ping(self) -> bool:
        try:
            with self.session() as s:
                s.execute(sql("SELECT 1"))
            return True
        except Exception:
            return False

    # -- problems -----------------------------------------------------------------------

    def default_row(self) -> ProblemRow:
        if self._default_row is None:
            from data import default_problem

            p = default_problem()
            self._default_row = ProblemRow(
                id=DEFAULT_PROBLEM_ID, name=p.name, source="embedded default",
                created_at=None, facts=problem_facts(p),
            )
        return self._default_row

    def add_problem(self, problem: Problem, source: str) -> ProblemRow:
        row = ProblemRow(
            id=str(uuid.uuid4()), name=problem.name, source=source[:300], created_at=now(),
            facts=problem_facts(problem), body=problem.model_dump_json(),
        )
        with self.session() as s:
            s.add(row)
        self._remember(row.id, problem)
        return row

    def list_problems(self) -> list[ProblemRow]:
        with self.session() as s:
            rows = list(s.scalars(select(ProblemRow).order_by(ProblemRow.created_at)))
        return [self.default_row(), *rows]

    def problem_row(self, problem_id: str) -> ProblemRow:
        if problem_id == DEFAULT_PROBLEM_ID:
            return self.default_row()
        with self.session() as s:
            row = s.get(ProblemRow, problem_id)
        if row is None:
            raise NotFound("problem", problem_id)
        return row

    def problem(self, problem_id: str) -> Problem:
        """The validated problem, from the cache when it was read recently."""
        if problem_id == DEFAULT_PROBLEM_ID:
            from data import default_problem

            return default_problem()
        with self._cache_lock:
            if problem_id in self._cache:
                self._cache.move_to_end(problem_id)
                return self._cache[problem_id]
        with self.session() as s:
            body = s.scalar(select(ProblemRow.body).where(ProblemRow.id == problem_id))
        if body is None:
            raise NotFound("problem", problem_id)
        problem = validate_as(Problem, json.loads(body), f"problem {problem_id}")
        self._remember(problem_id, problem)
        return problem

    def _remember(self, problem_id: str, problem: Problem) -> None:
        with self._cache_lock:
            self._cache[problem_id] = problem
            self._cache.move_to_end(problem_id)
            while len(self._cache) > self.PROBLEM_CACHE:
                self._cache.popitem(last=False)

    def delete_problem(self, problem_id: str) -> None:
        """Delete a stored problem; :class:`ProblemInUse` while solves of it are queued or running."""
        with self._problems_lock, self.session() as s:
            row = s.get(ProblemRow, problem_id, with_for_update=True)
            if row is None:
                raise NotFound("problem", problem_id)
            active = list(s.scalars(select(JobRow.id).where(*self._active_solves(problem_id))
                                    .order_by(JobRow.created_at)))
            if active:
                raise ProblemInUse(problem_id, active)
            s.delete(row)
            with self._cache_lock:
                self._cache.pop(problem_id, None)

    # -- jobs ---------------------------------------------------------------------------

    def add_job(self, problem_id: str, options: dict[str, Any],
                resubmitted_from: str | None = None, kind: str = "solve") -> JobRow:
        """Record a queued job. A solve's problem must exist (:class:`NotFound`), checked in the
        same transaction, so that a deletion cannot slip in between; a scenario or frontier run
        carries its own copy of the problem."""
        row = JobRow(
            id=str(uuid.uuid4()), kind=kind, problem_id=problem_id, state="queued", options=options,
            created_at=now(), resubmitted_from=resubmitted_from, has_schedule=False,
        )
        with self._problems_lock, self.session() as s:
            stored = kind == "solve" and problem_id != DEFAULT_PROBLEM_ID
            if stored and s.get(ProblemRow, problem_id, with_for_update=True) is None:
                raise NotFound("problem", problem_id)
            s.add(row)
        return row

    def job(self, job_id: str, kind: str = "solve") -> JobRow:
        """A job of this kind; :class:`NotFound` for an unknown id or a job of another kind."""
        with self.session() as s:
            row = s.get(JobRow, job_id)
        if row is None or row.kind != kind:
            raise NotFound(KIND_NAMES[kind], job_id)
        return row

    def list_jobs(self, problem_id: str | None = None, state: str | None = None,
                  limit: int = 100, kind: str = "solve") -> list[JobRow]:
        """The newest jobs of this kind, of a problem and in a state when given."""
        return self.job_page(problem_id, state, limit=limit, kind=kind)[0]

    def job_page(self, problem_id: str | None = None, state: str | None = None, *, limit: int = 100,
                 offset: int = 0, kind: str = "solve") -> tuple[list[JobRow], int]:
        """A page of the jobs of this kind, newest first, and how many there are in all."""
        where = [JobRow.kind == kind]
        if problem_id is not None:
            where.append(JobRow.problem_id == problem_id)
        if state is not None:
            where.append(JobRow.state == state)
        query = select(JobRow).where(*where).order_by(JobRow.created_at.desc(), JobRow.id)
        with self.session() as s:
            total = int(s.scalar(select(func.count()).select_from(JobRow).where(*where)) or 0)
            return list(s.scalars(query.offset(offset).limit(limit))), total

    @staticmethod
    def _active_solves(problem_id: str) -> tuple[Any, ...]:
        # A scenario or frontier run carries its own copy of the problem: it does not hold the problem.
        return JobRow.problem_id == problem_id, JobRow.kind == "solve", JobRow.state.in_(ACTIVE_STATES)

    def mark_running(self, job_id: str) -> None:
        with self.session() as s:
            row = s.get(JobRow, job_id)
            if row is not None:
                row.state = "running"
                row.started_at = now()

    def save_best(self, job_id: str, progress: dict[str, Any], schedule_json: str) -> None:
        """Record a running solve's best calendar so far and its progress, in one transaction."""
        with self.session() as s:
            row = s.get(JobRow, job_id)
            if row is None or row.state != "running":
                return
            row.progress = progress
            s.merge(BestCalendarRow(job_id=job_id, saved_at=now(), progress=progress, body=schedule_json))

    def save_progress(self, job_id: str, progress: dict[str, Any]) -> None:
        """Record a running job's progress; a job that has ended keeps its final figures."""
        query = update(JobRow).where(JobRow.id == job_id, JobRow.state == "running").values(progress=progress)
        with self.session() as s:
            s.execute(query)

    def finish(
        self,
        job_id: str,
        state: str,
        *,
        summary: dict[str, Any] | None = None,
        progress: dict[str, Any] | None = None,
        message: str | None = None,
        schedule_json: str | None = None,
        comparison_json: str | None = None,
        report_json: str | None = None,
        kept_message: str | None = None,
    ) -> None:
        """End a job: its state, summary and last progress, and its schedule, comparison or robustness
        report if it has one.

        A solve that ends without a calendar (its process killed, say) keeps the best one saved
        while it ran, if any, with ``kept_message`` as its message.
        """
        with self.session() as s:
            row = s.get(JobRow, job_id)
            if row is None:
                return
            row.state = state
            row.finished_at = now()
            row.summary = summary
            row.message = message
            if progress is not None:
                row.progress = progress
            best = s.get(BestCalendarRow, job_id)
            if best is not None:
                s.delete(best)
                if schedule_json is None and comparison_json is None and kept_message is not None:
                    schedule_json, row.progress, row.message = best.body, best.progress, kept_message
            if schedule_json is not None:
                s.add(ScheduleRow(job_id=job_id, created_at=now(), body=schedule_json))
                row.has_schedule = True
            if comparison_json is not None:
                s.add(ComparisonRow(job_id=job_id, created_at=now(), body=comparison_json))
            if report_json is not None:
                s.add(RobustnessReportRow(job_id=job_id, created_at=now(), body=report_json))

    def interrupt_unfinished(self) -> int:
        """Mark every queued or running job interrupted: the process that ran it is gone.

        A solve that had saved a calendar keeps it as its schedule, with the progress saved
        with it (a later objective was never stored as a calendar).
        """
        with self.session() as s:
            rows = list(s.scalars(select(JobRow).where(JobRow.state.in_(ACTIVE_STATES))))
            for row in rows:
                row.message = interrupted_message(row.kind, row.state)
                row.state = "interrupted"
                row.finished_at = now()
                best = s.get(BestCalendarRow, row.id)
                if best is None:
                    continue
                s.delete(best)
                s.add(ScheduleRow(job_id=row.id, created_at=now(), body=best.body))
                row.has_schedule = True
                row.progress = best.progress
                row.message = INTERRUPTED_KEPT_MESSAGE.format(objective=best.progress.get("objective"))
        return len(rows)

    def comparison_json(self, job_id: str) -> str | None:
        """The comparison of an ended scenario run, None if it has none."""
        with self.session() as s:
            return s.scalar(select(ComparisonRow.body).where(ComparisonRow.job_id == job_id))

    def robustness_report_json(self, job_id: str) -> str | None:
        """The report of an ended robustness run, None if it has none."""
        with self.session() as s:
            return s.scalar(select(RobustnessReportRow.body).where(RobustnessReportRow.job_id == job_id))

    def schedule_json(self, job_id: str) -> ScheduleBody | None:
        """The schedule of an ended solve, None if it has none (yet)."""
        return self._schedule_body(job_id, self._calendar_of(job_id, "solve"))

    def scenario_schedule_json(self, run_id: str) -> ScheduleBody | None:
        """The calendar of an ended scenario run, with the scenario's problem; None if it has none."""
        # "scenario/<id>" is no job id: a run's calendar is never a job's schedule.
        return self._schedule_body(f"scenario/{run_id}", self._calendar_of(run_id, "scenario"))

    @staticmethod
    def _calendar_of(job_id: str, kind: str) -> Any:
        return (select(ScheduleRow.body).join(JobRow, JobRow.id == ScheduleRow.job_id)
                .where(ScheduleRow.job_id == job_id, JobRow.kind == kind))

    def problem_id_of(self, job_id: str) -> str | None:
        """The problem a job or run of any kind was made from; None for an id no longer stored."""
        with self.session() as s:
            return s.scalar(select(JobRow.problem_id).where(JobRow.id == job_id))

    def _schedule_body(self, key: str, query: Any) -> ScheduleBody | None:
        """A stored calendar by its cache key: from memory, else read with ``query`` and kept in memory."""
        cached = self.cached_schedule(key)
        if cached is not None:
            return cached
        with self.session() as s:
            text = s.scalar(query)
        if text is None:
            return None
        body = ScheduleBody.of(text)
        self._remember_schedule(key, body)
        return body

    def cached_schedule(self, job_id: str) -> ScheduleBody | None:
        """The schedule if it is in memory, without touching the database."""
        with self._cache_lock:
            body = self._schedules.get(job_id)
            if body is not None:
                self._schedules.move_to_end(job_id)
            return body

    def _remember_schedule(self, job_id: str, body: ScheduleBody) -> None:
        if body.size > self.SCHEDULE_CACHE_BYTES // 4:
            return
        with self._cache_lock:
            if job_id in self._schedules:
                return
            self._schedules[job_id] = body
            self._schedules_bytes += body.size
            while self._schedules_bytes > self.SCHEDULE_CACHE_BYTES:
                _, dropped = self._schedules.popitem(last=False)
                self._schedules_bytes -= dropped.size

    # -- published versions -------------------------------------------------------------

    def publish(self, job_id: str, note: str, digest: str, figures: dict[str, Any],
                body: str) -> tuple[PublishedRow, bool]:
        """Keep a job's calendar as the next version; (the version, True when it is new).

        A job published before gives its version back, with False: one job, one version.
        """
        attempts = self.PUBLISH_ATTEMPTS
        while True:
            try:
                with self._publish_lock, self.session() as s:
                    row = s.scalar(select(PublishedRow).where(PublishedRow.job_id == job_id))
                    if row is not None:
                        return row, False
                    latest = s.scalar(select(func.max(PublishedRow.number)))
                    row = PublishedRow(number=(latest or 0) + 1, job_id=job_id,
                                       published_at=now().replace(microsecond=0), note=note, digest=digest,
                                       figures=figures, body=body)
                    s.add(row)
                return row, True
            except IntegrityError:
                attempts -= 1
                if not attempts:
                    raise

    def published_version(self, number: int) -> PublishedRow:
        """Version ``number`` (its calendar aside); :class:`NotFound` when it is not published."""
        with self.session() as s:
            row = s.get(PublishedRow, number)
        if row is None:
            raise NotFound("published version", str(number))
        return row

    def published_for_job(self, job_id: str) -> PublishedRow | None:
        """The version a job's calendar was published as, if it was."""
        with self.session() as s:
            return s.scalar(select(PublishedRow).where(PublishedRow.job_id == job_id))

    def published_page(self, *, limit: int = 100, offset: int = 0) -> tuple[list[PublishedRow], int]:
        """A page of the versions, newest first, and how many there are in all."""
        with self.session() as s:
            total = int(s.scalar(select(func.count()).select_from(PublishedRow)) or 0)
            query = select(PublishedRow).order_by(PublishedRow.number.desc()).offset(offset).limit(limit)
            return list(s.scalars(query)), total

    def published_numbers(self) -> list[tuple[int, datetime]]:
        """Every version's number and publication time, newest first."""
        with self.session() as s:
            rows = s.execute(select(PublishedRow.number, PublishedRow.published_at)
                             .order_by(PublishedRow.number.desc()))
            return [(number, as_utc(at)) for number, at in rows]  # type: ignore[misc]

    # -- subscription feeds ---------------------------------------------------------------

    @staticmethod
    def new_feed_token() -> str:
        """An unguessable feed token: 192 random bits, URL-safe."""
        return secrets.token_urlsafe(24)

    def feeds(self, subjects: list[tuple[str, str, str | None, str]]) -> list[FeedRow]:
        """Every feed, those of ``subjects`` (id, kind, subject, name) made when missing, by id.

        A feed never goes away: one whose trainer or room left the calendar keeps its token
        (its calendar then holds the cancellations of what it held).
        """
        try:
            return self._feeds(subjects)
        except IntegrityError:  # another process made one of them first: read them again
            return self._feeds(subjects)

    def _feeds(self, subjects: list[tuple[str, str, str | None, str]]) -> list[FeedRow]:
        with self._publish_lock, self.session() as s:
            rows = {row.id: row for row in s.scalars(select(FeedRow))}
            for feed_id, kind, subject, name in subjects:
                row = rows.get(feed_id)
                if row is None:
                    row = FeedRow(id=feed_id, kind=kind, subject=subject, name=name, token=self.new_feed_token(),
                                  created_at=now().replace(microsecond=0))
                    s.add(row)
                    rows[feed_id] = row
                elif name and row.name != name:
                    row.name = name
            s.flush()
            return sorted(rows.values(), key=lambda r: r.id)

    def feed_by_token(self, token: str) -> FeedRow | None:
        """The feed a token opens, or None (unknown, or rotated away)."""
        with self.session() as s:
            return s.scalar(select(FeedRow).where(FeedRow.token == token))

    def rotate_feed(self, feed_id: str) -> FeedRow:
        """Give a feed a new token: its old URL answers 404 from now on; :class:`NotFound` when unknown."""
        with self._publish_lock, self.session() as s:
            row = s.get(FeedRow, feed_id)
            if row is None:
                raise NotFound("feed", feed_id)
            row.token = self.new_feed_token()
            row.rotated_at = now().replace(microsecond=0)
            s.flush()
            return row

    def published_json(self, number: int) -> ScheduleBody:
        """The calendar of version ``number`` as published; :class:`NotFound` when it is not."""
        # "published/<n>" is no job id: the versions share the jobs' cache.
        body = self._schedule_body(f"published/{number}",
                                   select(PublishedRow.body).where(PublishedRow.number == number))
        if body is None:
            raise NotFound("published version", str(number))
        return body
