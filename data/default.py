"""The embedded default: the RTCM 2027 programme on the real catalogue.

The catalogue (modules, topics, durations, formats, resource organisations, links) is
the real Regional Migration Curriculum. The trainers, their availability, the room
managers, everyone's e-mail address (on the reserved example.org domain) and the
partner venue are FICTIONAL: invented names, generated from a fixed seed so that the
same seed gives the same pool; so are the nominations (anonymous ids, no names).
``python -m data.default`` rewrites ``data/rtcm_2027.yaml`` from this code; a test
checks that the file is up to date.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from data import guests, roadmap
from data.curriculum import load_catalogue
from data.roadmap import priorities
from model.formats.files import problem_from_data
from model.participants import enrol_in_prerequisites, requests_for

YEAR = 2027
SEED = 2027
DEFAULT_FILE = "rtcm_2027.yaml"

# Prerequisites as the curriculum states them ("L" is the line of the curriculum text). Its
# order is otherwise flexible "except for the introductory Courses" (L620, L3984).
STATED_ORDER = [
    ("M3.T1", "M3.T2", "Understanding Legal Migration: Part I before Part II (L2962)"),
    ("M4.T1", "M4.T2", "Introduction to Crisis and Migration: Part 1 before Part 2 (L4044)"),
    ("M4.T7", "M4.T8", "Introduction to International Refugee Protection: Part 1 before Part 2 (L4451)"),
    ("M4.T2", "M4.T3", "contingency planning complements and follows strategic planning in crisis (L4247)"),
    ("M5.T1", "M5.T2", "mainstreaming follows and complements the nexus with development (L5324, L5411)"),
    ("M7.T1", "M7.T2", "the regional course follows the introduction to migration and the environment (L6514)"),
]
INTRODUCTORY_COURSES = [
    # "The Introductory Course will be complemented throughout this Module by detailed Courses"
    # (L2086); M2.T10 is the separate online course for the media.
    ("M2.T1", ["M2.T2", "M2.T3", "M2.T4", "M2.T5", "M2.T6", "M2.T7", "M2.T8", "M2.T9"],
     "Module 2's Introductory Course first (L2086)"),
    # Module 4's numbering is indicative "except for the introductory Courses" (L3984): the crisis
    # introduction opens the crisis topics, the protection introduction the protection ones.
    ("M4.T1", ["M4.T3", "M4.T4", "M4.T5", "M4.T6", "M4.T13", "M4.T14"],
     "Introduction to Crisis and Migration first (L3984)"),
    ("M4.T7", ["M4.T9", "M4.T10", "M4.T11", "M4.T12"],
     "Introduction to International Refugee Protection first (L3984)"),
    # M8.T1 is "the Introductory Course", complemented by the module's detailed courses (L6892).
    ("M8.T1", ["M8.T2", "M8.T3", "M8.T4", "M8.T5"], "Module 8's Introductory Course first (L6892)"),
]
# Modules 1, 3, 5, 6 and 7 name no introductory course that the others must follow; a stricter
# reading (Module 1's introduction first) is the scenario module-introductions-first.yaml.

# The Road Map's short-term thematic priorities (data/roadmap.py): Module 4 first, then six themes.
PRIORITY_TOPICS = priorities()
# Courses held in Russian (border and return practitioners across the region).
RUSSIAN = {"M2.T2", "M2.T4", "M2.T8", "M6.T1", "M6.T2", "M6.T4", "M3.T12", "M4.T13"}

FIRST_NAMES = {
    "woman": ["Aigerim", "Nigar", "Leyla", "Madina", "Elena", "Gulnara", "Nino", "Ana", "Zarina",
              "Sabina", "Aida", "Dilnoza", "Olga", "Mariam", "Sevinj", "Irina", "Aynur", "Tamara",
              "Kamila", "Natalia"],
    "man": ["Rashad", "Timur", "Giorgi", "Arman", "Elnur", "Bakhtiyor", "Andrei", "Davit", "Farid",
            "Ruslan", "Nurlan", "Orkhan", "Sergey", "Aziz", "Levan", "Murat", "Vusal", "Daniyar",
            "Mikhail", "Tural", "Anvar", "Samir", "Ilya", "Kanat", "Eldar", "Oleg", "Ravshan"],
}
SURNAMES = ["Aliyeva", "Karimov", "Beridze", "Nurlanova", "Huseynov", "Tashkentova", "Petrenko",
            "Abdullayev", "Grigoryan", "Saidov", "Mammadova", "Ismoilov", "Kvaratskhelia",
            "Sultanova", "Rahimov", "Osmonova", "Babayan", "Yusupov", "Jafarova", "Tokayev",
            "Gasimova", "Usmonov", "Lomidze", "Sharipova", "Bekov", "Hasanli", "Rustamova",
            "Japarov", "Orlova", "Nazarov", "Valiyeva", "Ermekov", "Khalilova", "Tsereteli",
            "Abenova", "Qasimov", "Mirzoeva", "Akhmedov", "Ivanova", "Safarov", "Iskandarova",
            "Dzhumabaev", "Novruzova", "Chikovani", "Kadyrova", "Umarov", "Shirinova", "Aslanov"]

# Day fees by the kind of organisation a person works for (Organisation.kind), USD: illustrative,
# the documents name no fee. Staff of IOM, the UN agencies, the other international organisations
# and the governments (the country representatives) teach as part of their post: their
# organisations pay their salaries, so the centre pays them no fee (it pays a guest's trip to Baku:
# data/guests.py). So do the private sector's experts, whose companies send them. Those who bill
# are paid a fee per day: the consultants of the RTCM Regional Pool of Trainers and Experts (the
# ToT graduates join that pool, L229, at a junior consultant's fee, DAY_FEE_OF_ORGANISATION),
# academics, and the experts of NGOs and media associations.
DAY_FEE_BY_KIND: dict[str, int] = {
    "un_agency": 0, "international": 0, "government": 0, "private": 0,
    "pool": 300, "academia": 350, "ngo": 150, "media": 150,
}
DAY_FEE_OF_ORGANISATION = {"TOT": 150}  # an organisation's own fee, where it differs from its kind's

# (organisation, number of people, share of women, max days per year). Every organisation that
# leads a topic (data/lead_agencies.py) has at least one person. Whether they teach whole courses,
# come for guest sessions or both, and their travel: data/guests.py.
POOL = [
    ("IOM", 11, 0.45, 40),
    ("RTCM-POOL", 8, 0.40, 35),
    ("TOT", 4, 0.50, 25),
    ("UNHCR", 4, 0.50, 20),
    ("ILO", 2, 0.50, 15),
    ("WHO", 2, 0.50, 15),
    ("UNODC", 2, 0.50, 15),
    ("OHCHR", 2, 0.50, 15),
    ("UNICEF", 1, 1.00, 10),
    ("UN-WOMEN", 1, 1.00, 10),
    ("UNDP", 2, 0.50, 15),
    ("UNFPA", 1, 1.00, 10),
    ("UNOCHA", 1, 0.00, 10),
    ("UNCTAD", 1, 1.00, 10),
    ("WB", 1, 0.00, 10),
    ("IMF", 1, 1.00, 10),
    ("OECD", 1, 1.00, 10),
    ("IMO", 1, 0.00, 10),
    ("ICRC", 1, 1.00, 10),
    ("ICMPD", 1, 0.00, 10),
    ("COE", 1, 1.00, 10),
    ("EU", 1, 0.00, 10),
    ("CAREC", 1, 0.00, 10),
    ("ACADEMIA", 2, 0.50, 15),
    ("NGO", 2, 0.50, 15),
    ("MEDIA", 1, 1.00, 10),
    ("PRIVATE", 1, 0.00, 10),
]

# A return economy fare to Baku from each country's capital, USD, and the allowance per night in
# Baku: illustrative round figures of the order of regional fares and UN daily allowances, not quotes.
PARTICIPANT_FARES_USD = {
    "Azerbaijan": 0, "Belarus": 500, "Georgia": 250, "Iran": 350, "Kazakhstan": 450, "Kyrgyzstan": 550,
    "Moldova": 550, "Russian Federation": 400, "Tajikistan": 500, "Türkiye": 350, "Turkmenistan": 300,
    "Ukraine": 650, "Uzbekistan": 400,
}
ALLOWANCE_NIGHT_USD = 150
# The year's budget, illustrative: everything (fees, travel, rooms, interpretation, participants'
# fares and allowances). With day fees paid only to those who bill, a good calendar of the programme
# sized by demand costs about 670,000 USD when no cap holds it back (220,000 the calendar, 450,000
# the seats' fares and allowances; the mandatory editions cost at least 113,000 before their seats).
# 575,000 USD, the former 650,000 less the fees nobody charges now (about 80,000), binds: the budget
# decides who travels (the others follow online when they accept to) while the calendar stays whole.
BUDGET_USD = 575_000
# Online seats of a hybrid edition: they cost nothing but the stream, so as many as the smallest
# hybrid room carries (training room A, 40).
HYBRID_ONLINE_SEATS = 40

# The countries of the RTCM region (the curriculum's ratification table, L408), each with
# the fictional share of the nominees it sends and a shift of the women's share against the
# audience's.
COUNTRIES = [
    ("Azerbaijan", 0.14, 0.00), ("Belarus", 0.05, 0.03), ("Georgia", 0.08, 0.05), ("Iran", 0.05, -0.12),
    ("Kazakhstan", 0.09, 0.02), ("Kyrgyzstan", 0.08, 0.02), ("Moldova", 0.07, 0.08),
    ("Russian Federation", 0.07, 0.02), ("Tajikistan", 0.08, -0.10), ("Türkiye", 0.08, -0.03),
    ("Turkmenistan", 0.04, -0.12), ("Ukraine", 0.08, 0.08), ("Uzbekistan", 0.09, -0.05),
]
# Countries whose representatives work in Russian as well as English (fictional).
RUSSIAN_SPEAKING = {"Azerbaijan", "Belarus", "Georgia", "Kazakhstan", "Kyrgyzstan", "Moldova",
                    "Russian Federation", "Tajikistan", "Turkmenistan", "Ukraine", "Uzbekistan"}
# The language each country's nominees follow besides the region's working languages, English
# and Russian (the documents name none: these are the countries' official languages).
NATIONAL_LANGUAGE = {
    "Azerbaijan": "az", "Belarus": "be", "Georgia": "ka", "Iran": "fa", "Kazakhstan": "kk", "Kyrgyzstan": "ky",
    "Moldova": "ro", "Russian Federation": "ru", "Tajikistan": "tg", "Türkiye": "tr", "Turkmenistan": "tk",
    "Ukraine": "uk", "Uzbekistan": "uz",
}
LANGUAGES = ["en", "ru", *sorted(set(NATIONAL_LANGUAGE.values()) - {"ru"})]
# Interpretation is booked into the other working language when at least this many requests
# for a course come from nominees who follow only that one (fictional rule of thumb).
INTERPRETATION_THRESHOLD = 3
INTERPRETATION_DAY_USD = 900  # illustrative: two simultaneous interpreters for a day
# (audience category of the curriculum, share of the nominees, women's share among them)
AUDIENCE_MIX = [
    ("government", 0.31, 0.45), ("border_police", 0.19, 0.17), ("csos", 0.15, 0.70), ("academia", 0.09, 0.56),
    ("tot_trainers", 0.08, 0.50), ("judiciary", 0.04, 0.42), ("lawmakers", 0.03, 0.33), ("media", 0.03, 0.60),
    ("private_sector", 0.02, 0.38), ("youth", 0.02, 0.62), ("trade_unions", 0.02, 0.40),
    ("ombudspersons", 0.02, 0.55),
]
NOMINEES = 720
# Of the nominees who ask to come in person, the share who follow online when the centre cannot
# fund their trip (mode in_person_preferred); the others come in person or not at all (fictional).
ONLINE_IF_UNFUNDED = 0.75
# The programme from demand (_editions_from_demand): an edition runs with at least 8 seated, a
# topic at most three times a year, and a priority topic must run once when 12 or more asked.
MIN_PARTICIPANTS = 8
MAX_EDITIONS = 3
SURE_DEMAND = 12
# Guest sessions each country should give in the year (team_rules.country_sessions_min): 26 of
# the 55 country slots, each representative presenting on 18 or more of their topics.
COUNTRY_SESSIONS_MIN = 2
# Border and return practitioners are also nominated for the return and readmission module.
EXTRA_TOPICS = {"border_police": ("M6.",)}


def _nominations(seed: int, topics: list[Any], prerequisites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fictional nomination list: who asks for which courses, by audience and country.

    Women's share follows the audience (low among border police, high among CSOs) shifted by
    country; about 3 % do not disclose their gender and 0.5 % give another identity. A nominee
    asks for 1-3 topics meant for their audience, the Road Map's priorities and the module
    introductions more often; for a topic with a prerequisite they have either taken it
    before, ask for it too, or (about one in five) neither: the centre then enrols them in it
    (``build_default``).
    """
    rng = random.Random(f"{seed}-nominations")  # its own stream: the trainers stay as they were
    speech = random.Random(f"{seed}-languages")  # and the languages theirs: the nominees stay as they were
    travel = random.Random(f"{seed}-travel")  # who would follow online when their trip is not funded
    needs: dict[str, list[str]] = {}
    for pr in prerequisites:
        needs.setdefault(pr["after"], []).append(pr["before"])
    intros = {pr["before"] for pr in prerequisites}
    pools: dict[str, list[str]] = {}
    for audience, _, _ in AUDIENCE_MIX:
        pools[audience] = [t.id for t in topics if audience in t.target_audiences
                           or t.id.startswith(EXTRA_TOPICS.get(audience, ("-",)))]
    popularity = {t.id: 1.0 + 1.5 * (t.id in PRIORITY_TOPICS) + 1.0 * (t.id in intros) for t in topics}
    months = [f"{YEAR}-{m:02d}" for m in (1, 2, 3, 4, 5, 6, 9, 10, 11, 12)]
    out = []
    for k in range(1, NOMINEES + 1):
        country, _, shift = rng.choices(COUNTRIES, weights=[c[1] for c in COUNTRIES])[0]
        audience, _, women = rng.choices(AUDIENCE_MIX, weights=[a[1] for a in AUDIENCE_MIX])[0]
        x = rng.random()
        gender = ("undisclosed" if x < 0.03 else "another_identity" if x < 0.035
                  else "woman" if rng.random() < min(0.95, max(0.05, women + shift)) else "man")
        pool = list(pools[audience])
        chosen: list[str] = []
        for _ in range(rng.choices((1, 2, 3), weights=(45, 35, 20))[0]):
            pick = rng.choices(pool, weights=[popularity[t] for t in pool])[0]
            pool.remove(pick)
            chosen.append(pick)
            if not pool:
                break
        asked: list[str] = []
        completed: list[str] = []
        for tid in chosen:
            for before in needs.get(tid, []):
                if before in chosen or before in asked or before in completed:
                    continue
                y = rng.random()
                if y < 0.45:
                    completed.append(before)
                elif y < 0.8:
                    asked.append(before)
            asked.append(tid)
        mode = rng.choices(("in_person", "online", "either"), weights=(40, 20, 40))[0]
        if mode == "in_person" and travel.random() < ONLINE_IF_UNFUNDED:
            mode = "in_person_preferred"
        rec: dict[str, Any] = {"id": f"N{k:04d}", "gender": gender, "country": country, "audience": audience,
                               "topics": asked, "mode": mode, "languages": _languages(speech, country)}
        if rng.random() < 0.25:
            rec["unavailable_months"] = sorted(rng.sample(months, rng.randint(1, 2)))
        if completed:
            rec["completed"] = sorted(completed, key=_topic_key)
        out.append(rec)
    return out


def _editions_from_demand(data: dict[str, Any], introductions: set[str]) -> None:
    """Each topic's editions from its requests, as a planner sizes them: up to as many as the
    requests that could be seated fill (at most MAX_EDITIONS), at least MIN_PARTICIPANTS in each.
    The module introductions and the Road Map's priority topics must run once when SURE_DEMAND
    could be seated (a margin over the minimum for absences); the others run when demand, people
    and budget allow. Requests that could be seated: ``model.participants.requests_for``."""
    problem = problem_from_data(data, DEFAULT_FILE)
    for item in data["programme"]:
        topic = item["topic"]
        asked = len(requests_for(problem, problem.first_edition[topic]))
        seats = item["participants_in_person"] + item["participants_online"]
        item["editions"] = max(1, min(MAX_EDITIONS, -(-asked // seats), asked // MIN_PARTICIPANTS))
        must = (topic in introductions or item["priority"] > 0) and asked >= SURE_DEMAND
        item["min_editions"] = 1 if must else 0
        item["min_participants"] = MIN_PARTICIPANTS


def _languages(rng: random.Random, country: str) -> list[str]:
    """The languages a nominee follows: their country's, and English or Russian or both.

    Nearly all nominees of the former Soviet countries follow Russian, fewer English; nearly all
    of Iran's and Türkiye's follow English; a few follow their own language only.
    """
    langs = [NATIONAL_LANGUAGE[country]]
    if country in RUSSIAN_SPEAKING:
        ru, en = rng.random() < 0.95, rng.random() < 0.4
    else:
        ru, en = False, rng.random() < 0.92
    langs += [code for code, yes in (("ru", ru), ("en", en)) if yes and code not in langs]
    return sorted(langs, key=LANGUAGES.index)


def _interpretation(programme: list[dict[str, Any]], nominations: list[dict[str, Any]]) -> None:
    """Book interpretation into the other working language where enough requests need it."""
    other = {"en": "ru", "ru": "en"}
    for item in programme:
        into = other[item["language"]]
        need = sum(1 for n in nominations if item["topic"] in n["topics"]
                   and item["language"] not in n["languages"] and into in n["languages"])
        if need >= INTERPRETATION_THRESHOLD:
            item["interpretation"] = [into]


def _widen_country_topics(seed: int, reps: list[dict[str, Any]], country_topics: list[str]) -> None:
    """Give each representative a fair share of the country-slot topics.

    Each keeps the topics drawn for them and the ones where the curriculum names a practice of
    their country (data/guests.py), and gets more up to a number in ``guests.COUNTRY_TOPICS``;
    then every topic gets representatives until ``guests.COUNTRY_COVER`` of them speak its
    language, the ones with the fewest topics first.
    """
    rng = random.Random(f"{seed}-country-topics")  # its own stream: the rest stays as it was
    for rec in reps:
        mine = list(dict.fromkeys([*rec["topics"], *guests.practice_topics(rec["country"])]))
        others = [t for t in country_topics if t not in mine]
        want = rng.randint(*guests.COUNTRY_TOPICS)
        mine += rng.sample(others, max(0, min(len(others), want - len(mine))))
        rec["topics"] = mine
    for tid in country_topics:
        language = "ru" if tid in RUSSIAN else "en"
        speakers = [r for r in reps if language in r["languages"]]
        short = max(0, guests.COUNTRY_COVER - sum(tid in r["topics"] for r in speakers))
        for rec in sorted((r for r in speakers if tid not in r["topics"]), key=lambda r: len(r["topics"]))[:short]:
            rec["topics"].append(tid)
    for rec in reps:
        rec["topics"] = sorted(rec["topics"], key=_topic_key)


def _unavailability(rng: random.Random) -> list[dict[str, Any]]:
    reasons = ["mission abroad", "annual leave", "other programme commitment", "conference"]
    periods: list[dict[str, Any]] = []
    for _ in range(rng.randint(1, 3)):
        month = rng.choice([1, 2, 3, 4, 5, 6, 9, 10, 11, 12])
        start = date(YEAR, month, rng.randint(1, 20))
        length = rng.choice([5, 7, 10, 14])
        periods.append({"start": start, "end": start + timedelta(days=length - 1),
                        "reason": rng.choice(reasons)})
    periods.sort(key=lambda p: p["start"])
    return periods


# Who receives a room's change notices: FICTIONAL people at addresses of the reserved example.org
# domain (RFC 2606), which reach nobody.
ROOM_MANAGER = {"manager": "Samira Guliyeva (fictional)", "manager_email": "rooms@rtcm.example.org"}
ROOM_MANAGERS: dict[str, dict[str, str]] = {
    "RTCM-HALL": ROOM_MANAGER, "RTCM-A": ROOM_MANAGER, "RTCM-B": ROOM_MANAGER,
    "PARTNER-1": {"manager": "Elvin Mammadli (fictional)", "manager_email": "events@partner.example.org"},
}


def fictional_email(trainer_id: str) -> str:
    """``t07@trainers.example.org``: a fictional trainer's address, on the reserved example.org domain."""
    return f"{trainer_id.lower()}@trainers.example.org"


def build_default(seed: int = SEED) -> dict[str, Any]:
    """The default problem as plain data (the YAML file's content)."""
    rng = random.Random(seed)
    cat = load_catalogue()
    topics_by_org: dict[str, list[str]] = {}
    led_by: dict[str, list[str]] = {}
    for t in cat.topics:
        for o in t.resource_organisations:
            topics_by_org.setdefault(o, []).append(t.id)
        for o in t.lead_agencies:
            led_by.setdefault(o, []).append(t.id)
    names_used: set[str] = set()
    trainers: list[dict[str, Any]] = []

    def person(org: str, gender: str) -> dict[str, Any]:
        while True:
            name = f"{rng.choice(FIRST_NAMES[gender])} {rng.choice(SURNAMES)}"
            if name not in names_used:
                names_used.add(name)
                break
        return {"id": f"T{len(trainers) + 1:02d}", "name": f"{name} (fictional)", "gender": gender,
                "organisation": org}

    def finish(rec: dict[str, Any], rate: int, max_year: int, languages: list[str], *, max_month: int = 10,
               travel: int = 0) -> None:
        rec["languages"] = languages
        rec["unavailable"] = _unavailability(rng)
        rec["max_days_per_month"] = max_month
        rec["max_days_per_year"] = max_year
        rec["day_rate"] = rate
        rec["role"] = guests.role(rec["organisation"])
        if rec["role"] == "guest":
            rec["travel_usd"] = travel
        rec["fictional"] = True
        rec["email"] = fictional_email(rec["id"])
        trainers.append(rec)

    kind = {o.id: o.kind for o in cat.organisations}
    for org, count, women_share, max_year in POOL:
        rate = DAY_FEE_OF_ORGANISATION.get(org, DAY_FEE_BY_KIND[kind[org]])
        women = round(count * women_share)
        for k in range(count):
            rec = person(org, "woman" if k < women else "man")
            if org == "IOM":
                # Each IOM trainer covers three modules; together they cover every module often.
                rec["modules"] = sorted(rng.sample(range(1, 9), 3))
            elif org in ("RTCM-POOL", "TOT"):
                rec["modules"] = sorted(rng.sample(range(1, 9), 2 if org == "RTCM-POOL" else 1))
            else:
                # A lead agency's people can teach every topic it leads, and some others it serves.
                led = led_by.get(org, [])
                others = [t for t in topics_by_org.get(org, []) if t not in led]
                extra = rng.sample(others, min(len(others), max(0, rng.randint(4, 9) - len(led))))
                rec["topics"] = sorted([*led, *extra], key=_topic_key)
            travel = guests.GUEST_AGENCIES[org][1] if org in guests.GUEST_AGENCIES else 0
            finish(rec, rate, max_year, ["en", "ru"] if rng.random() < 0.7 else ["en"], travel=travel)
    # A lead agency serves its topics in their language: someone of it speaks Russian when one
    # of its topics is held in Russian.
    for org, led in led_by.items():
        people = [t for t in trainers if t["organisation"] == org]
        if any(t in RUSSIAN for t in led) and people and not any("ru" in t["languages"] for t in people):
            people[0]["languages"] = ["en", "ru"]
    # One representative per country of the region, presenting its best practices in guest sessions.
    country_topics = topics_by_org.get(guests.COUNTRY, [])
    reps = []
    for k, (country, _, _) in enumerate(COUNTRIES):
        rec = person(guests.COUNTRY, "woman" if k % 5 in (1, 3) else "man")
        rec["name"] = rec["name"].replace(" (fictional)", f", {country} (fictional)")
        rec["country"] = country
        rec["topics"] = rng.sample(country_topics, rng.randint(6, 10))
        finish(rec, guests.COUNTRY_DAY_RATE, guests.COUNTRY_MAX_DAYS_PER_YEAR,
               ["en", "ru"] if country in RUSSIAN_SPEAKING else ["en"],
               max_month=guests.COUNTRY_MAX_DAYS_PER_MONTH, travel=guests.COUNTRY_TRAVEL[country][1])
        reps.append(rec)
    _widen_country_topics(seed, reps, country_topics)

    programme = []
    for t in cat.topics:
        online = t.modes == ["online"]
        slots = guests.guest_slots(t.id, t.resource_organisations, t.lead_agencies)
        item: dict[str, Any] = {
            "topic": t.id,
            "mode": "online" if online else "hybrid",
            "duration_days": t.duration_max,
            "priority": PRIORITY_TOPICS.get(t.id, 0),
            "participants_in_person": 0 if online else 20 + 5 * rng.randint(0, 2),
            "participants_online": 60 if online else HYBRID_ONLINE_SEATS,
            "language": "ru" if t.id in RUSSIAN else "en",
        }
        if slots:
            item["guest_slots"] = slots
        programme.append(item)

    prerequisites = [
        {"before": a, "after": b, "reason": why} for a, b, why in STATED_ORDER
    ] + [
        {"before": a, "after": b, "reason": why} for a, bs, why in INTRODUCTORY_COURSES for b in bs
    ]
    nominations = _nominations(seed, cat.topics, prerequisites)
    # The centre enrols a nominee who lacks a prerequisite in it, rather than leave them without a seat.
    enrol_in_prerequisites(nominations, [(pr["before"], pr["after"]) for pr in prerequisites])
    _interpretation(programme, nominations)
    data = {
        "name": "RTCM annual programme 2027",
        "description": (
            "The Regional Migration Curriculum (8 modules, 68 topics) in 2027 at the RTCM in Baku, sized by "
            "the nominations: as many editions of a topic as its requests fill (up to three, at least 8 "
            "participants each); the module introductions and the Road Map's priority topics run at least "
            "once. Catalogue: real. Trainers and their availability, and the "
            f"nominations from the 13 countries of the region: fictional, generated with seed {seed}."
        ),
        "calendar": {
            "start": date(YEAR, 1, 1),
            "end": date(YEAR, 12, 31),
            "holiday_country": "AZ",
            "closures": [
                {"start": date(YEAR, 7, 1), "end": date(YEAR, 8, 31), "reason": "summer break"},
                {"start": date(YEAR, 12, 27), "end": date(YEAR, 12, 31), "reason": "year-end closure"},
            ],
        },
        "modules": [m.model_dump(mode="json") for m in cat.modules],
        "topics": [t.model_dump(mode="json") for t in cat.topics],
        "organisations": [o.model_dump(mode="json", exclude_none=True) for o in cat.organisations],
        "countries": [c for c, _, _ in COUNTRIES],
        "languages": LANGUAGES,
        "trainers": trainers,
        "venues": [
            {"id": "RTCM", "name": "Regional Training Center on Migration", "city": "Baku", "rooms": [
                {"id": "RTCM-HALL", "name": "Main hall", "seats": 40, "hybrid": True,
                 "online_seats": 60, "day_cost": 100, "interpretation_booths": 2, **ROOM_MANAGERS["RTCM-HALL"]},
                {"id": "RTCM-A", "name": "Training room A", "seats": 25, "hybrid": True,
                 "online_seats": 40, "day_cost": 60, "interpretation_booths": 1, **ROOM_MANAGERS["RTCM-A"]},
                {"id": "RTCM-B", "name": "Training room B (no hybrid equipment)", "seats": 20,
                 "hybrid": False, "day_cost": 40, **ROOM_MANAGERS["RTCM-B"]},
            ]},
            {"id": "PARTNER", "name": "Partner conference centre (fictional)", "city": "Baku", "rooms": [
                {"id": "PARTNER-1", "name": "Conference room", "seats": 35, "hybrid": True,
                 "online_seats": 50, "day_cost": 450, "interpretation_booths": 2, **ROOM_MANAGERS["PARTNER-1"]},
            ]},
        ],
        "platform": {"max_concurrent_streams": 2, "online_seats_per_stream": 100, "interpretation_channels": 1},
        "budget_usd": BUDGET_USD,
        "costs": {"interpretation_day_usd": INTERPRETATION_DAY_USD, "participant_fares_usd": PARTICIPANT_FARES_USD,
                  "allowance_night_usd": ALLOWANCE_NIGHT_USD},
        "programme": programme,
        "prerequisites": prerequisites,
        "team_rules": {"min_trainers": 2, "max_trainers": 3, "required_organisations": ["IOM"],
                       "mixed_gender": "hard", "lead_agency": "hard",
                       "country_sessions_min": COUNTRY_SESSIONS_MIN},
        "targets": {
            "trainer_days_year": {"min_share": 0.4, "max_share": 0.6, "mode": "soft"},
            "trainer_days_module": {"min_share": 0.4, "max_share": 0.6, "mode": "off"},
            "trainer_days_month": {"min_share": 0.4, "max_share": 0.6, "mode": "off"},
            "participants_edition": {"min_share": 0.4, "max_share": 0.6, "mode": "soft"},
            "country_cap_edition": {"max_share": 0.25, "mode": "soft"},
        },
        "nominations": nominations,
        "rollout": roadmap.rollout(),
    }
    _editions_from_demand(data, {a for a, _, _ in INTRODUCTORY_COURSES})
    return data


def _topic_key(tid: str) -> tuple[int, int]:
    m, t = tid[1:].split(".T")
    return int(m), int(t)


def dump_yaml(data: dict[str, Any]) -> str:
    header = (
        "# RTCM Planner: the default 2027 programme.\n"
        "# Catalogue from the real Regional Migration Curriculum; trainers are FICTIONAL.\n"
        "# Generated by `python -m data.default`; edit the code, not this file.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def default_text() -> str:
    return resources.files("data").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")


if __name__ == "__main__":
    out = Path(__file__).with_name(DEFAULT_FILE)
    out.write_text(dump_yaml(build_default()), encoding="utf-8")
    print(f"wrote {out}")
