"""Rules of trainers and teams: qualification, availability, load, organisations, gender."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from datetime import date

from model.problem import LEAD_AGENCY_RULE, REQUIRED_ORGANISATION_RULE, Edition, Problem, TeamNeed
from model.rules.reading import Breach, Charge, Reading
from model.schedule import ScheduledEdition

# ------------------------------------------------------------------------------ hard


def trainer_qualified(r: Reading) -> Iterator[Breach]:
    for ed, se in r.placed:
        for t in dict.fromkeys(se.trainers):
            if t not in r.problem.trainer_by_id:
                yield Breach([se.edition, t], f"{se.edition}: trainer {t} is unknown")
        for tr in r.team(se):
            if not tr.on_teams:
                yield Breach([se.edition, tr.id], f"{se.edition}: {tr.id} gives guest sessions only, not whole courses")
            if not tr.can_teach(ed.topic):
                yield Breach([se.edition, tr.id], f"{se.edition}: trainer {tr.id} is not qualified for {ed.topic.id}")
            if ed.item.language not in tr.languages:
                yield Breach([se.edition, tr.id], f"{se.edition}: trainer {tr.id} does not speak '{ed.item.language}'")


def trainer_available(r: Reading) -> Iterator[Breach]:
    known = r.problem.trainer_by_id
    for _, se in r.placed:
        days: dict[str, list[date]] = defaultdict(list)
        for t, d in se.person_days():
            days[t].append(d)
        for t, given in days.items():
            for u in known[t].unavailable if t in known else ():
                if any(u.start <= d <= u.end for d in given):
                    yield Breach([se.edition, t], f"{se.edition}: trainer {t} is unavailable {u.describe()}")


def trainer_not_double_booked(r: Reading) -> Iterator[Breach]:
    """Nobody gives two things on one day: two courses, a course and a guest session, two sessions."""
    booked: dict[tuple[str, date], list[str]] = defaultdict(list)
    for _, se in r.placed:
        for t, d in se.person_days():
            booked[(t, d)].append(se.edition)
    pairs: dict[tuple[str, str, str], None] = {}
    for (t, _), eds in sorted(booked.items()):
        for i, a in enumerate(eds):
            for b in eds[i + 1:]:
                pairs[(t, a, b)] = None
    for t, a, b in pairs:
        what = f"twice in {a}" if a == b else f"for {a} and {b}"
        yield Breach([t, a] if a == b else [t, a, b], f"trainer {t} is booked {what} on the same day")


def trainer_month_limit(r: Reading) -> Iterator[Breach]:
    for (t, y, m), n in sorted(r.trainer_month_days.items()):
        trainer = r.problem.trainer_by_id.get(t)
        if trainer and trainer.max_days_per_month is not None and n > trainer.max_days_per_month:
            yield Breach([t], f"trainer {t} teaches {n} days in {y}-{m:02d}; limit {trainer.max_days_per_month}")


def trainer_year_limit(r: Reading) -> Iterator[Breach]:
    for tr in r.problem.trainers:
        n = r.trainer_days[tr.id]
        if tr.max_days_per_year is not None and n > tr.max_days_per_year:
            yield Breach([tr.id], f"trainer {tr.id} teaches {n} days; limit {tr.max_days_per_year}")


def organisation_quota(r: Reading) -> Iterator[Breach]:
    by_org: Counter[str] = Counter()
    for t, n in r.trainer_days.items():
        if t in r.problem.trainer_by_id:
            by_org[r.problem.trainer_by_id[t].organisation] += n
    for o in r.problem.organisations:
        if o.trainer_day_quota is not None and by_org[o.id] > o.trainer_day_quota:
            yield Breach([o.id], f"organisation {o.id} gives {by_org[o.id]} trainer-days; quota {o.trainer_day_quota}")


def team_size_within_limits(r: Reading) -> Iterator[Breach]:
    rules = r.problem.team_rules
    for _, se in r.placed:
        size = len(set(se.trainers))
        if size != len(se.trainers):
            yield Breach([se.edition], f"{se.edition}: a trainer is listed twice")
        if not rules.min_trainers <= size <= rules.max_trainers:
            yield Breach([se.edition], f"{se.edition} has {size} trainers; "
                                       f"allowed {rules.min_trainers}-{rules.max_trainers}")


def _unmet_needs(r: Reading, rule: str) -> Iterator[tuple[ScheduledEdition, TeamNeed]]:
    """Each placed edition's team need of ``rule`` that its team does not meet."""
    for ed, se in r.placed:
        orgs = {tr.organisation for tr in r.team(se)}
        with_guests = orgs | {tr.organisation for _, tr in r.guests(se)}
        for need in r.problem.team_needs(ed.item):
            if need.rule == rule and not (with_guests if need.guests_count else orgs) & set(need.organisations):
                yield se, need


def team_covers_required_organisations(r: Reading) -> Iterator[Breach]:
    for se, need in _unmet_needs(r, REQUIRED_ORGANISATION_RULE):
        yield Breach([se.edition, *need.organisations], f"{se.edition}: the team has no trainer from {need.describe()}")


def team_includes_a_lead_agency(r: Reading) -> Iterator[Breach]:
    for se, need in _unmet_needs(r, LEAD_AGENCY_RULE):
        yield Breach([se.edition, *need.organisations],
                     f"{se.edition}: nobody on the team or among its guests is from {need.describe()}")


def has_a_lead_agency(r: Reading, ed: Edition, se: ScheduledEdition) -> bool:
    """Whether someone delivering the edition is from one of its topic's lead agencies."""
    leads = set(ed.topic.lead_agencies)
    return any(tr.organisation in leads for tr in r.people(se))


def mixed_team(genders: Collection[str]) -> bool:
    """A team (the genders of its members) of fewer than two, or with a woman and a man."""
    return len(genders) < 2 or {"woman", "man"} <= set(genders)


def team_is_mixed(r: Reading, se: ScheduledEdition) -> bool:
    return mixed_team([tr.gender for tr in r.team(se)])


def team_mixed_gender(r: Reading) -> Iterator[Breach]:
    if r.problem.team_rules.mixed_gender != "hard":
        return
    for _, se in r.placed:
        if not team_is_mixed(r, se):
            yield Breach([se.edition], f"{se.edition}: a team of {len(r.team(se))} without both a woman and a man")


# ------------------------------------------------------------------------------ soft


def busiest_trainer(r: Reading) -> Iterator[Charge]:
    """The days of the busiest trainer, charged to the editions they teach."""
    if not r.trainer_days:
        return
    tid, total = max(sorted(r.trainer_days.items()), key=lambda kv: kv[1])
    name = r.problem.trainer_by_id[tid].name if tid in r.problem.trainer_by_id else tid
    for _, se in r.placed:
        n = sum(1 for t, _ in se.person_days() if t == tid)
        if n:
            yield Charge(n, f"the busiest trainer, {tid} {name} ({total} days in all), teaches "
                            f"{n} days on {se.edition}",
                         edition=se.edition, trainer=tid, records=[tid, se.edition])


def edition_without_lead_agency(r: Reading) -> Iterator[Charge]:
    """Editions delivered by nobody of their topic's lead agencies, where the rule is soft."""
    for ed, se in r.placed:
        if r.problem.lead_agency_mode(ed.item) == "soft" and not has_a_lead_agency(r, ed, se):
            yield Charge(1, f"nobody delivering {se.edition} ({', '.join(p.id for p in r.people(se))}) is from a "
                            "lead agency "
                            f"of {ed.topic.id} ({' or '.join(ed.topic.lead_agencies)})", edition=se.edition)


def standby_kind(problem: Problem, person: str) -> tuple[str, str]:
    """What a standby must share with the team member they stand in for: organisation and gender.
    One of the same organisation and gender keeps the team's make-up (its required organisations, a
    lead agency, a woman and a man) and its fees as they are."""
    t = problem.trainer_by_id[person]
    return t.organisation, t.gender


def team_member_without_standby(r: Reading) -> Iterator[Charge]:
    """Team members without a standby of their organisation and gender kept free for the course.

    A standby of an edition (``ScheduledEdition.standbys``) covers one team member of their own
    organisation and gender when they are qualified for the topic in its language, not delivering
    the edition, available on each of its days, and delivering nothing else and standing by for
    nothing else on any of them; a standby who is not all of that covers nobody.
    """
    p = r.problem
    booked = {(t, d) for _, se in r.placed for t, d in se.person_days()}
    standing = Counter((t, d) for _, se in r.placed for t in set(se.standbys) for d in se.days)
    for ed, se in r.placed:
        if not se.standbys and not se.trainers:
            continue
        delivering = {t for t, _ in se.person_days()}
        qualified = {t.id for t in p.qualified_trainers(ed)}

        def free(t: str, se: ScheduledEdition = se, delivering: set[str] = delivering,
                 qualified: set[str] = qualified) -> bool:
            person = p.trainer_by_id.get(t)
            return (person is not None and t in qualified and t not in delivering
                    and not any(u.start <= d <= u.end for u in person.unavailable for d in se.days)
                    and all((t, d) not in booked and standing[(t, d)] == 1 for d in se.days))

        kept = Counter(standby_kind(p, t) for t in set(se.standbys) if free(t))
        members = Counter(standby_kind(p, t) for t in set(se.trainers) if t in p.trainer_by_id)
        short = {k: n - kept[k] for k, n in members.items() if n > kept[k]}
        if short:
            who = ", ".join(f"{n} {org} {gender}" for (org, gender), n in sorted(short.items()))
            stood = ", ".join(sorted(set(se.standbys))) or "nobody"
            yield Charge(sum(short.values()), f"{se.edition}: no standby kept free for {who} of its team "
                                              f"(standing by: {stood})", edition=se.edition)


def team_without_mixed_gender(r: Reading) -> Iterator[Charge]:
    """Teams of two or more without both a woman and a man, when the rule is soft."""
    if r.problem.team_rules.mixed_gender != "soft":
        return
    for _, se in r.placed:
        if not team_is_mixed(r, se):
            yield Charge(1, f"the team of {se.edition} ({', '.join(se.trainers)}) lacks a woman or a man",
                         edition=se.edition)
