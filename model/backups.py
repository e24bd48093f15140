"""Backups: who could step in for each trainer of a calendar, and which room could take each course.

A backup for a team member of an edition is a person who could replace that member alone, the
rest of the calendar as it is: qualified for the topic and speaking its language, available and
not teaching on those days, within their monthly and yearly limits and their organisation's
quota once the edition's days are added, keeping what the team must include (its required
organisations, a lead agency) and a woman and a man when that rule is hard. A backup room holds
the edition in the mode it is scheduled in and is open and free on its days. :func:`candidates`
and :func:`room_candidates` list them; the engine (``scheduler/backups.py``) chooses one per role
so that nobody, and no room, backs up two editions on the same day; :func:`breaks_if_used`
re-tests a backup with the checker itself, so a backup named never breaks a hard rule if used.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from model.check import check_calendar
from model.occupancy import Occupancy
from model.problem import ROOM_MODES, Edition, Trainer
from model.rules.reading import Reading
from model.rules.trainers import mixed_team
from model.schedule import Schedule, ScheduledEdition


class MemberBackup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trainer: str = Field(description="the team member")
    backup: str | None = Field(default=None, description="who would step in; None when nobody can")
    reason: str = Field(default="", description="why nobody, when there is no backup")


class EditionBackups(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edition: str
    members: list[MemberBackup]
    room: str | None = Field(default=None, description="the edition's room (None online)")
    backup_room: str | None = None
    room_reason: str = ""

    @property
    def complete(self) -> bool:
        """Every member has a backup, and an edition in a room a backup room."""
        return all(m.backup for m in self.members) and (self.room is None or self.backup_room is not None)


class BackupReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    editions: list[EditionBackups] = Field(default_factory=list)
    status: str = Field(default="OPTIMAL", description="the assignment's solver status")

    @property
    def roles(self) -> int:
        return sum(len(e.members) for e in self.editions)

    @property
    def covered(self) -> int:
        return sum(1 for e in self.editions for m in e.members if m.backup)

    @property
    def complete(self) -> int:
        return sum(1 for e in self.editions if e.complete)


def candidates(r: Reading, ed: Edition, se: ScheduledEdition, member: str) -> tuple[list[str], str]:
    """Who could replace ``member`` on ``se`` alone, by the rules a person and a team must meet;
    when nobody, why (the first test that leaves nobody)."""
    p = r.problem
    team = [t for t in r.team(se) if t.id != member]
    occ = Occupancy(r.schedule, [o for _, o in r.placed if o.edition != se.edition])
    needs = p.team_needs(ed.item)
    mixed = p.team_rules.mixed_gender == "hard"

    guest_orgs = {tr.organisation for _, tr in r.guests(se)}

    def keeps_the_team(t: Trainer) -> bool:
        orgs = {x.organisation for x in [*team, t]}
        return all((orgs | guest_orgs if need.guests_count else orgs) & set(need.organisations) for need in needs) and (
            not mixed or mixed_team([x.gender for x in [*team, t]]))

    taken = set(se.trainers) | {g.person for g in se.guests}  # a guest of the course teaches on its day
    others = [t for t in p.qualified_trainers(ed) if t.id not in taken]
    free = [t for t in others if occ.trainer_free(t, se.days)]
    within = [t for t in free if occ.within_limits(t, se.days)]
    able = [t.id for t in within if keeps_the_team(t)]
    if able:
        return able, ""
    if not others:
        return [], f"nobody else is qualified for {ed.topic.id} in '{ed.item.language}'"
    if not free:
        return [], f"the {len(others)} others qualified are away or teaching on those days"
    if not within:
        ids = ", ".join(t.id for t in free)
        return [], f"those free ({ids}) would pass a monthly or yearly limit or their organisation's quota"
    left = {x.organisation for x in team}
    wants = [f"a person of {need.describe()}" for need in needs if not left & set(need.organisations)]
    genders = {x.gender for x in team}
    if mixed and team:
        wants += [f"a {g}" for g in ("woman", "man") if g not in genders]
    ids = ", ".join(t.id for t in within)
    return [], f"a backup must bring {' and '.join(wants)}; none of those free and within their limits ({ids}) does"


def room_candidates(r: Reading, ed: Edition, se: ScheduledEdition) -> list[str]:
    """Rooms that hold the edition in the mode it is scheduled in and are open and free on its days
    (its own left out); none online."""
    if se.mode not in ROOM_MODES:
        return []
    occ = Occupancy(r.schedule, [o for _, o in r.placed if o.edition != se.edition])
    return [room.id for venue, room in r.problem.suitable_rooms(ed, se.mode)
            if room.id != se.room and occ.room_free(venue, room, se.days) is None]


def substituted(schedule: Schedule, edition: str, *, member: str | None = None, backup: str | None = None,
                room: str | None = None) -> Schedule:
    """The calendar with one backup used: ``backup`` in place of ``member``, or the edition in ``room``."""
    p = schedule.problem
    editions = []
    for se in schedule.editions:
        if se.edition == edition:
            if member is not None and backup is not None:
                se = se.model_copy(update={"trainers": [backup if t == member else t for t in se.trainers]})
            if room is not None:
                se = se.model_copy(update={"room": room, "venue": p.room_by_id[room][0].id})
        editions.append(se)
    return schedule.model_copy(update={"editions": editions})


def breaks_if_used(schedule: Schedule, edition: str, already: set[str], **use: str) -> list[str]:
    """The hard rules a backup would break if used (beyond ``already``, the calendar's own), by the checker."""
    return sorted({v.message for v in check_calendar(substituted(schedule, edition, **use))} - already)
