"""Guest sessions in the default: who comes for a day, from where, and which slots ask for them.

A guest gives one day inside a course, besides the whole-course team
(:class:`model.problem.GuestSlot`). The default sets up what a planner at the centre would:
at most two guest slots per edition, both optional.

- ``country``: a country representative presents a regional best practice. The curriculum
  asks for one in 55 topics: 48 write "Regional Best Practices presented by Country
  Representative(s)", six "... presented by (Asylum) Authorities in Region" (M2.T6, M2.T7,
  M4.T6-M4.T9) and M5.T3 names the "country representative of government of Moldova + other
  country" (L5512). These are the topics whose catalogue resource organisations include
  COUNTRY. The curriculum's courses "systematically include space for the sharing and
  exchange of best practices in the Region" (L644).
- ``agency``: an expert of one of the topic's lead agencies (``data/lead_agencies.py``), on a
  topic where one of them sends experts for a session only (``GUEST_AGENCIES``). For a topic
  whose lead agencies all come as guests (M1.T11, M3.T5, M4.T3, M5.T3) the lead-agency rule
  is met only by that session.

Roles: IOM, the RTCM pool and the ToT trainers deliver whole courses (``trainer``). The
agencies with a standing training role in the region (UNHCR, ILO, WHO, UNODC, OHCHR, UNICEF,
UN Women, UNDP, CAREC), academia and NGOs are on teams and may also give an agency session
(``both``). The other bodies the curriculum names for some topics (UNFPA, OCHA, UNCTAD, the
World Bank, the IMF, OECD, IMO, ICRC, ICMPD, the Council of Europe, the EU, media outlets and
the private sector) and the country representatives come for a session (``guest``).

Every fare below is an INVENTED estimate (the documents name no cost of any kind): a return
economy fare to Baku and two nights' subsistence, rounded to 50 USD.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTRY = "COUNTRY"
COUNTRY_SLOT = {"id": "country", "organisations": [COUNTRY], "title": "Regional best practice"}
AGENCY_SLOT_TITLE = "Agency expert"

# Whole-course trainers only; every organisation not named here or in GUEST_AGENCIES is "both".
TRAINERS_ONLY = ("IOM", "RTCM-POOL", "TOT")

# Agency experts who come for a session: organisation -> (where they travel from, USD).
# Invented estimates. The IMF and the private sector lead no topic, so no slot of the default
# asks for them; a planner invites them with a slot of their own (on M5.T3, say).
GUEST_AGENCIES: dict[str, tuple[str, int]] = {
    "UNFPA": ("Istanbul (regional office)", 700),
    "UNOCHA": ("Geneva", 1100),
    "UNCTAD": ("Geneva", 1100),
    "WB": ("Washington, DC", 2100),
    "IMF": ("Washington, DC", 2100),
    "OECD": ("Paris", 1000),
    "IMO": ("London", 1050),
    "ICRC": ("Geneva", 1100),
    "ICMPD": ("Vienna", 900),
    "COE": ("Strasbourg", 1000),
    "EU": ("Brussels", 1000),
    "MEDIA": ("Tbilisi (a regional media association)", 400),
    "PRIVATE": ("Moscow (a remittance operator)", 650),
}

# Country representatives: country -> (capital, USD to bring them to Baku). Invented estimates;
# Azerbaijan's representative is in Baku already.
COUNTRY_TRAVEL: dict[str, tuple[str, int]] = {
    "Azerbaijan": ("Baku", 0),
    "Belarus": ("Minsk", 800),
    "Georgia": ("Tbilisi", 400),
    "Iran": ("Tehran", 550),
    "Kazakhstan": ("Astana", 750),
    "Kyrgyzstan": ("Bishkek", 800),
    "Moldova": ("Chisinau", 850),
    "Russian Federation": ("Moscow", 650),
    "Tajikistan": ("Dushanbe", 750),
    "Türkiye": ("Ankara", 650),
    "Turkmenistan": ("Ashgabat", 500),
    "Ukraine": ("Kyiv", 1000),  # no flights since 2022: overland to Chisinau, then by air
    "Uzbekistan": ("Tashkent", 650),
}
# A government official presents for travel and subsistence, without a fee; a session a
# month at most and a handful a year, beside their post.
COUNTRY_DAY_RATE = 0
COUNTRY_MAX_DAYS_PER_MONTH = 2
COUNTRY_MAX_DAYS_PER_YEAR = 6
# How many of the country-slot topics each representative can present on (drawn in this range).
COUNTRY_TOPICS = (18, 24)
# Each country-slot topic has at least this many representatives who speak its language.
COUNTRY_COVER = 3


@dataclass(frozen=True)
class Practice:
    """A country's practice the curriculum names, and the topics where it is presented."""

    country: str
    topics: tuple[str, ...]
    line: int
    why: str


# Practices the curriculum names by country ("L" is the line of its text, which writes
# "Turkey"); each country's representative can present on these topics.
PRACTICES: tuple[Practice, ...] = (
    Practice("Georgia", ("M1.T3",), 1157, "the Migration Strategy of Georgia 2021-2030, among M1.T3's readings"),
    Practice("Moldova", ("M3.T3", "M3.T5"), 2919,
             "portability of social security through bilateral schemes and agreements"),
    Practice("Türkiye", ("M3.T4",), 2915, "labour market analysis matched to migrants' qualifications"),
    Practice("Türkiye", ("M4.T1", "M4.T8"), 3962, "hosting over 3.6 million asylum-seekers and refugees"),
    Practice("Iran", ("M4.T7", "M4.T8"), 3974, "home to over 3 million refugees for decades"),
    Practice("Ukraine", ("M4.T10", "M4.T13"), 3974, "the displacement of refugees and IDPs"),
    Practice("Moldova", ("M5.T3",), 5512, "the course names the government of Moldova's remittances practice"),
    Practice("Belarus", ("M7.T4",), 6355, "relocation after the Chernobyl disaster"),
    Practice("Ukraine", ("M7.T4",), 6355, "relocation after the Chernobyl disaster"),
    Practice("Uzbekistan", ("M7.T1", "M7.T2"), 6367, "the Green Growth and Climate Change policy dialogues"),
    Practice("Türkiye", ("M7.T1",), 6371, "environmental pressure where refugees are hosted"),
    Practice("Tajikistan", ("M7.T2",), 6583, "migration, remittances and climate resilience, among M7.T2's readings"),
)


def practice_topics(country: str) -> list[str]:
    """The topics where the curriculum names a practice of ``country``."""
    return list(dict.fromkeys(t for p in PRACTICES if p.country == country for t in p.topics))


def role(organisation: str) -> str:
    """The default's role for the people of an organisation: trainer, guest or both."""
    if organisation in TRAINERS_ONLY:
        return "trainer"
    if organisation in GUEST_AGENCIES or organisation == COUNTRY:
        return "guest"
    return "both"


def guest_slots(topic_id: str, resource_organisations: list[str], leads: list[str]) -> list[dict[str, object]]:
    """A topic's guest slots in the default: a country's best practice where the curriculum asks
    for one, and a lead agency's expert where one of its lead agencies comes for sessions only."""
    slots: list[dict[str, object]] = []
    if COUNTRY in resource_organisations:
        slots.append(dict(COUNTRY_SLOT))
    if any(org in GUEST_AGENCIES for org in leads):
        slots.append({"id": "agency", "organisations": list(leads), "title": AGENCY_SLOT_TITLE})
    return slots
