"""Rules of the participants' seats (the allocation after the calendar), one function each."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from model.participants import (
    country_cap_seats,
    edition_months,
    edition_participants,
    follows,
    gap_days,
    languages_held,
    preference_factor,
    prerequisites_of,
    seat_capacity,
    seat_modes,
    seated_online_instead,
)
from model.problem import Edition, Nomination
from model.rules.reading import Breach, Charge, Reading
from model.schedule import Allocation, ScheduledEdition
from model.shares import known_count, share_gap


def _valid(r: Reading) -> list[tuple[Allocation, Nomination, ScheduledEdition, Edition]]:
    """The seats of known nominees in scheduled editions of topics they were nominated for."""
    p, scheduled = r.problem, r.schedule.by_edition
    out = []
    for a in r.schedule.allocations:
        n, se, ed = p.nomination_by_id.get(a.nominee), scheduled.get(a.edition), p.edition_by_id.get(a.edition)
        if n is not None and se is not None and ed is not None and ed.topic.id in n.topics:
            out.append((a, n, se, ed))
    return out


def _per_topic(r: Reading) -> dict[tuple[str, str], list[ScheduledEdition]]:
    """(nominee, topic) -> the editions of that topic they sit in."""
    out: dict[tuple[str, str], list[ScheduledEdition]] = defaultdict(list)
    for _, n, se, ed in _valid(r):
        out[(n.id, ed.topic.id)].append(se)
    return out


# ------------------------------------------------------------------------------ hard


def participant_nominated_for_the_edition(r: Reading) -> Iterator[Breach]:
    p, scheduled = r.problem, r.schedule.by_edition
    for a in r.schedule.allocations:
        n = p.nomination_by_id.get(a.nominee)
        ed = p.edition_by_id.get(a.edition)
        if n is None:
            yield Breach([a.nominee, a.edition], f"nominee {a.nominee} in {a.edition} is not in the nominations")
        elif a.edition not in scheduled or ed is None:
            yield Breach([a.nominee, a.edition],
                         f"nominee {a.nominee} sits in {a.edition}, which is not on the calendar")
        elif ed.topic.id not in n.topics:
            yield Breach([a.nominee, a.edition],
                         f"nominee {a.nominee} sits in {a.edition} but is not nominated for {ed.topic.id}")


def participant_mode_compatible(r: Reading) -> Iterator[Breach]:
    for a, n, se, _ in _valid(r):
        if a.mode not in seat_modes(n, se.mode):
            yield Breach([n.id, se.edition],
                         f"nominee {n.id} asked for {n.mode.replace('_', '-')} seats and sits "
                         f"{a.mode.replace('_', ' ')} in {se.edition}, {'a' if se.mode == 'hybrid' else 'an'} "
                         f"{se.mode.replace('_', '-')} course")


def participant_follows_the_language(r: Reading) -> Iterator[Breach]:
    for _, n, se, ed in _valid(r):
        if not follows(n, ed):
            yield Breach([n.id, se.edition], f"nominee {n.id} follows {', '.join(n.languages)}; {se.edition} is held "
                                             f"in {languages_held(ed)}")


def participant_available(r: Reading) -> Iterator[Breach]:
    for _, n, se, _ in _valid(r):
        away = sorted(set(edition_months(se)) & set(n.unavailable_months))
        if away:
            yield Breach([n.id, se.edition], f"nominee {n.id} is unavailable in {', '.join(away)}, "
                                             f"when {se.edition} runs")


def participant_seats_within_capacity(r: Reading) -> Iterator[Breach]:
    seats: Counter[tuple[str, str]] = Counter((se.edition, a.mode) for a, _, se, _ in _valid(r))
    for (eid, mode), count in sorted(seats.items()):
        room = seat_capacity(r.problem, r.schedule.by_edition[eid])[mode]
        if count > room:
            yield Breach([eid], f"{eid} seats {count} participants {mode.replace('_', ' ')}; it has {room} "
                                f"{mode.replace('_', '-')} seat{'' if room == 1 else 's'}")


def participant_one_edition_per_topic(r: Reading) -> Iterator[Breach]:
    for (nid, topic), eds in sorted(_per_topic(r).items()):
        if len(eds) > 1:
            yield Breach([nid, topic], f"nominee {nid} sits in {len(eds)} editions of {topic}: "
                                       f"{', '.join(se.edition for se in eds)}")


def participant_prerequisite_taken(r: Reading) -> Iterator[Breach]:
    per_topic = _per_topic(r)
    for (nid, topic), eds in sorted(per_topic.items()):
        n = r.problem.nomination_by_id[nid]
        for before, min_gap in prerequisites_of(r.problem, topic):
            if before in n.completed:
                continue
            for se in eds:
                if not any(gap_days(b, se) >= min_gap for b in per_topic.get((nid, before), [])):
                    yield Breach([nid, se.edition],
                                 f"nominee {nid} sits in {se.edition} without having taken {before} "
                                 f"(before, or in an edition ending at least {min_gap} days before)")


def _people(r: Reading) -> Iterator[tuple[str, ScheduledEdition, list[Nomination]]]:
    """Each scheduled edition with its seated nominees."""
    for eid, people in sorted(edition_participants(r.schedule).items()):
        se = r.schedule.by_edition.get(eid)
        if se is not None:
            yield eid, se, [n for _, n in people]


def _women_off_band(people: list[Nomination], mode: str, r: Reading) -> tuple[int, int, int, int] | None:
    band = r.problem.targets.participants_edition
    if band.mode != mode:
        return None
    genders: Counter[str] = Counter(n.gender for n in people)
    women, known = genders["woman"], known_count(genders)
    short, over = share_gap(women, known, band)
    return (women, known, short, over) if short or over else None


def participants_women_share_edition(r: Reading) -> Iterator[Breach]:
    band = r.problem.targets.participants_edition
    for eid, _, people in _people(r):
        off = _women_off_band(people, "hard", r)
        if off:
            women, known, _, _ = off
            yield Breach([eid], f"{eid}: {women} women of {known} participants of known gender; "
                                f"the band is {band.describe()}")


def _over_cap(mode: str, r: Reading) -> Iterator[tuple[str, str, int, int]]:
    """(edition, country, participants, cap) for each country over an edition's cap."""
    if r.problem.targets.country_cap_edition.mode != mode:
        return
    for eid, se, people in _people(r):
        most = country_cap_seats(r.problem, se)
        for country, count in sorted(Counter(n.country for n in people).items()):
            if count > most:
                yield eid, country, count, most


def country_within_cap(r: Reading) -> Iterator[Breach]:
    cap = r.problem.targets.country_cap_edition
    for eid, country, count, most in _over_cap("hard", r):
        yield Breach([eid, country], f"{eid}: {count} participants from {country}; the cap is {most} "
                                     f"({100 * cap.max_share:g} % of its seats)")


# ------------------------------------------------------------------------------ soft


def nomination_unplaced(r: Reading) -> Iterator[Charge]:
    """Each nomination without a seat, by preference: 3 a first choice, 2 a second, 1 any other."""
    for n in r.problem.nominations:
        for rank, topic in enumerate(n.topics):
            if (n.id, topic) not in r.seated_requests:
                yield Charge(preference_factor(rank), f"nominee {n.id} has no seat in {topic} "
                             f"(choice {rank + 1})", records=[n.id, topic])


def participants_off_women_share(r: Reading) -> Iterator[Charge]:
    """Participants short of or over an edition's women's share band, when the band is soft."""
    band = r.problem.targets.participants_edition
    for eid, _, people in _people(r):
        off = _women_off_band(people, "soft", r)
        if off:
            women, known, short, over = off
            gap = f"{short} short" if short else f"{over} over"
            yield Charge(short + over, f"{eid}: {women} women of {known} participants of known gender, band "
                                       f"{band.describe()}: {gap}", edition=eid)


def country_over_cap(r: Reading) -> Iterator[Charge]:
    """Participants over a country's cap of an edition's seats, when the cap is soft."""
    for eid, country, count, most in _over_cap("soft", r):
        yield Charge(count - most, f"{eid}: {count} participants from {country}, cap {most}",
                     edition=eid, records=[eid, country])


def edition_under_minimum(r: Reading) -> Iterator[Charge]:
    """Participants an edition on the calendar lacks of its minimum, when there are nominations."""
    if not r.problem.nominations:
        return
    seated = Counter(a.edition for a, *_ in _valid(r))
    for ed, se in r.placed:
        least = ed.item.min_participants
        if seated[se.edition] < least:
            yield Charge(least - seated[se.edition], f"{se.edition} seats {seated[se.edition]} participants, "
                                                     f"below its minimum of {least}", edition=se.edition)


def online_instead_of_in_person(r: Reading) -> Iterator[Charge]:
    """Each nominee who preferred to come in person and is seated online."""
    for a, n, se, _ in _valid(r):
        if seated_online_instead(n, a.mode):
            yield Charge(1, f"{n.id} ({n.country}) preferred to come in person and sits {se.edition} online",
                         edition=se.edition, records=[n.id, se.edition])


def participant_cost(r: Reading) -> Iterator[Charge]:
    """Each in-person seat's fare and allowance, in USD."""
    for _, n, se, c in r.seat_costs:
        if c.total:
            yield Charge(c.total, f"{n.id} ({n.country}) in person at {se.edition}: fare {c.fare:,} USD and "
                                  f"allowance {c.allowance:,} USD ({len(se.days)} nights), {c.total:,} USD",
                         edition=se.edition, records=[n.id, se.edition])
