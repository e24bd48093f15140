"""Subscription feeds over HTTP: each trainer's, room's and the centre's calendar, always the latest version.

- ``GET /published/feeds``: every feed with its URL, for planners to hand out (made on the first
  listing after a publication; ``kind=`` filters);
- ``POST /published/feeds/{id}/rotate``: a new secret URL for a feed, the old one answering 404;
- ``GET /feeds/{token}.ics``: the feed itself, :func:`model.formats.feeds.feed` of the published
  versions, with ETag and Last-Modified so that polling calendar programs get 304 while nothing
  changed for them.

Trainers are not API users: the feed's token, an unguessable secret in its URL, is all a calendar
program sends, so ``/feeds/`` answers without the API token (:mod:`api.security`). An unknown token
and a rotated one get the same 404, which says neither.

The versions never change, so the feeds of the latest one are kept in memory (:class:`FeedCache`)
until another version is published.
"""

from __future__ import annotations

import threading
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from api.routes import StoreDep
from api.store import FeedRow, Store, as_utc
from api.wire import ProblemDetails
from model.formats.feeds import (
    FeedBody,
    FeedKind,
    FeedSubject,
    PublishedCalendar,
    events_held,
    feed,
    feed_subjects,
    the_year,
)
from model.formats.feeds import subject_name as name_of
from model.schedule import Schedule

ICS = "text/calendar; charset=utf-8"
NO_FEED = "no feed has this address"
published_feeds = APIRouter(prefix="/published/feeds", tags=["published"])
feeds = APIRouter(prefix="/feeds", tags=["published"])
FeedId = Annotated[str, PathParam(max_length=200, description="a feed's id: trainer-T07, room-R1 or centre")]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ProblemDetails} for code in codes}


class FeedOut(BaseModel):
    """A subscription feed, as planners see it: whose it is and the URL to give them."""

    id: str = Field(description="trainer-T07, room-R1 or centre")
    kind: FeedKind
    subject: str | None = Field(description="the trainer's or room's id; none for the centre")
    name: str
    url: str = Field(description="the feed's address, /feeds/<token>.ics: anyone who has it can read the feed")
    events: int = Field(description="events in the latest version's feed, cancellations aside")
    created_at: datetime
    rotated_at: datetime | None

    @classmethod
    def of(cls, row: FeedRow, events: int) -> FeedOut:
        return cls(id=row.id, kind=row.kind, subject=row.subject, name=row.name,  # type: ignore[arg-type]
                   url=f"/feeds/{row.token}.ics", events=events, created_at=as_utc(row.created_at),  # type: ignore[arg-type]
                   rotated_at=as_utc(row.rotated_at))


class FeedCache:
    """The latest version's feeds, made once each; another version published starts afresh."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: int | None = None
        self._versions: list[PublishedCalendar] = []
        self._bodies: dict[str, FeedBody] = {}

    def versions(self, store: Store) -> list[PublishedCalendar]:
        """The published versions a feed reads (the latest year's), oldest first; [] before any."""
        numbers = store.published_numbers()
        if not numbers:
            return []
        with self._lock:
            if self._latest != numbers[0][0]:
                self._versions = the_year(  # numbers come newest first: each loaded as the year needs it
                    PublishedCalendar(n, at, Schedule.model_validate_json(store.published_json(n).json))
                    for n, at in numbers)
                self._latest, self._bodies = numbers[0][0], {}
            return self._versions

    def body(self, store: Store, subject: FeedSubject) -> FeedBody | None:
        """The feed of ``subject`` at the latest version; None before anything is published."""
        versions = self.versions(store)
        if not versions:
            return None
        with self._lock:
            found = self._bodies.get(subject.id) if self._latest == versions[-1].number else None
        if found is None:
            found = feed(versions, subject)
            with self._lock:
                if self._latest == versions[-1].number:
                    self._bodies[subject.id] = found
        return found


def _cache(request: Request) -> FeedCache:
    return request.app.state.feeds  # type: ignore[no-any-return]


def _listing(store: Store, cache: FeedCache) -> list[FeedOut]:
    versions = cache.versions(store)
    if not versions:
        return []
    latest = versions[-1].schedule
    subjects = feed_subjects(latest)
    rows = store.feeds([(f.id, f.kind, f.subject, name_of(latest, f) or "") for f in subjects])
    return [FeedOut.of(row, events_held(latest, FeedSubject(row.kind, row.subject)))  # type: ignore[arg-type]
            for row in rows]


@published_feeds.get("", response_model=list[FeedOut])
async def list_feeds(
    request: Request,
    store: StoreDep,
    kind: Annotated[Literal["trainer", "room", "centre"] | None, Query(description="only feeds of this kind")] = None,
) -> list[FeedOut]:
    """Every trainer's, room's and the centre's feed of the published calendar, with its URL.

    Give each trainer the URL of their feed: their calendar program subscribes to it once and
    follows every later version. Empty before a calendar is published.
    """
    listed = await run_in_threadpool(_listing, store, _cache(request))
    return [f for f in listed if kind is None or f.kind == kind]


@published_feeds.post("/{feed_id}/rotate", response_model=FeedOut, responses=_errors(404))
async def rotate_feed(feed_id: FeedId, request: Request, store: StoreDep) -> FeedOut:
    """Give a feed a new URL (a trainer's URL given to the wrong person): the old one answers 404."""
    row = await run_in_threadpool(store.rotate_feed, feed_id)
    versions = await run_in_threadpool(_cache(request).versions, store)
    held = events_held(versions[-1].schedule, FeedSubject(row.kind, row.subject)) if versions else 0  # type: ignore[arg-type]
    return FeedOut.of(row, held)


@feeds.get("/{token}.ics", response_class=Response, responses={
    200: {"content": {"text/calendar": {}}, "description": "the feed: iCalendar, with ETag and Last-Modified"},
    304: {"description": "not modified since the ETag or date the client sent"},
    **_errors(404)})
async def feed_ics(token: Annotated[str, PathParam(max_length=64)], request: Request, store: StoreDep) -> Response:
    """A trainer's, room's or the centre's calendar at the latest published version, for calendar programs.

    Events keep their UID across versions and their SEQUENCE grows when they change; an event
    the feed no longer holds is sent cancelled until another year's calendar is published.
    """
    row = await run_in_threadpool(store.feed_by_token, token)
    body = None
    if row is not None:
        subject = FeedSubject(row.kind, row.subject)  # type: ignore[arg-type]
        body = await run_in_threadpool(_cache(request).body, store, subject)
    if row is None or body is None:
        raise ApiError(404, NO_FEED)
    headers = {"ETag": body.etag, "Last-Modified": format_datetime(body.last_modified, usegmt=True),
               "Cache-Control": "private, max-age=0, must-revalidate"}
    if _not_modified(request, body):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{row.id}.ics"'
    return Response(body.ics, media_type=ICS, headers=headers)


def _not_modified(request: Request, body: FeedBody) -> bool:
    """Whether the client holds this feed already (If-None-Match first, else If-Modified-Since)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return if_none_match.strip() == "*" or body.etag in if_none_match
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return moment.tzinfo is not None and body.last_modified <= moment
