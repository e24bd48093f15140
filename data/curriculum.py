"""Load the RTCM Regional Migration Curriculum into a clean catalogue.

The source (``rtcm_curriculum.json``, extracted field by field from the curriculum
text) is kept faithful, irregularities included. This loader normalises it and reports
each irregularity as a warning; it never crashes on one and never drops one silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from data.lead_agencies import lead_agencies
from model.problem import Module, Organisation, Topic

SOURCE = "rtcm_curriculum.json"

# Length used when the source gives none (M4.T12 reads only "days"): the range most
# topics of its module have.
FALLBACK_DURATION = (2, 3)

# Organisations named as resource persons. (id, name, kind)
ORGANISATIONS: tuple[tuple[str, str, str], ...] = (
    ("IOM", "International Organization for Migration", "un_agency"),
    ("UNHCR", "UN Refugee Agency", "un_agency"),
    ("ILO", "International Labour Organization", "un_agency"),
    ("WHO", "World Health Organization", "un_agency"),
    ("UNODC", "UN Office on Drugs and Crime", "un_agency"),
    ("UNICEF", "UN Children's Fund", "un_agency"),
    ("UNFPA", "UN Population Fund", "un_agency"),
    ("UN-WOMEN", "UN Women", "un_agency"),
    ("OHCHR", "Office of the UN High Commissioner for Human Rights", "un_agency"),
    ("UNDP", "UN Development Programme / UN Country Team", "un_agency"),
    ("UNOCHA", "UN Office for the Coordination of Humanitarian Affairs", "un_agency"),
    ("UNCTAD", "UN Conference on Trade and Development", "un_agency"),
    ("WB", "World Bank", "international"),
    ("IMF", "International Monetary Fund", "international"),
    ("OECD", "Organisation for Economic Co-operation and Development", "international"),
    ("IMO", "International Maritime Organization", "un_agency"),
    ("ICRC", "International Committee of the Red Cross", "international"),
    ("ICMPD", "International Centre for Migration Policy Development", "international"),
    ("COE", "Council of Europe (incl. ECRI)", "international"),
    ("EU", "European Union (incl. EMN and member-state experts)", "international"),
    ("CAREC", "Regional Environmental Center for Central Asia", "international"),
    ("RTCM-POOL", "RTCM Regional Pool of Trainers and Experts", "pool"),
    ("TOT", "ToT graduates (RTCM trainers of trainers)", "pool"),
    ("COUNTRY", "Country representatives (regional best practices)", "government"),
    ("ACADEMIA", "Academia and research centres", "academia"),
    ("NGO", "NGOs, CSOs, migrants' and diaspora associations", "ngo"),
    ("MEDIA", "Media outlets and associations", "media"),
    ("PRIVATE", "Private sector", "private"),
)

# (pattern, organisation id, misspelling note or "") in the order they are tried.
# A raw resource-person line may name several organisations.
_PATTERNS: tuple[tuple[str, str, str], ...] = (
    (r"\bIOM\b", "IOM", ""),
    (r"\bUNHCR\b", "UNHCR", ""),
    (r"\bILO\b", "ILO", ""),
    (r"\bWHO\b", "WHO", ""),
    (r"\bUNODC\b", "UNODC", ""),
    (r"\bUNICEF\b", "UNICEF", ""),
    (r"\bUNICEL\b", "UNICEF", "'UNICEL' read as UNICEF"),
    (r"\bUNFPA\b", "UNFPA", ""),
    (r"\bUN ?WOMEN\b|\bUN Women\b|\bUNIFEM\b", "UN-WOMEN", ""),
    (r"\bOHCHR\b", "OHCHR", ""),
    (r"\bUNOCHR\b", "OHCHR", "'UNOCHR' read as OHCHR"),
    (r"\bUNDP\b|\bUNCT\b", "UNDP", ""),
    (r"\bUNOCHA\b", "UNOCHA", ""),
    (r"\bUNCTAD\b", "UNCTAD", ""),
    (r"\bWB\b|World Bank", "WB", ""),
    (r"\bIMF\b", "IMF", ""),
    (r"\bOECD\b", "OECD", ""),
    (r"\bOCED\b|\bOCDE\b", "OECD", "'OCED'/'OCDE' read as OECD"),
    (r"\bIMO\b", "IMO", ""),
    (r"\bICRC\b", "ICRC", ""),
    (r"\bICMPD\b", "ICMPD", ""),
    (r"Council of Europe|\bCOE\b|\bECRI\b", "COE", ""),
    (r"\bEU\b|\bEMN\b", "EU", ""),
    (r"Regional Environmental Center", "CAREC", ""),
    (r"Pool of (Trainers|Experts)", "RTCM-POOL", ""),
    (r"(?i)\bTO?T\b (trainers?|experts?)", "TOT", ""),
    (r"[Cc]ountry [Rr]epresentative|Best Practices presented by|best practices? from country", "COUNTRY", ""),
    (r"Academia", "ACADEMIA", ""),
    (r"\bNGOs?\b|\bCSOs\b|[Mm]igrants'? (women )?[Aa]ssociation|diaspora organizations", "NGO", ""),
    (r"\bSCOs\b", "NGO", "'SCOs' read as CSOs"),
    (r"\bMEDIA\b|Media Representatives", "MEDIA", ""),
    (r"[Pp]rivate [Ss]ector|private operators|[Mm]igrant entrepreneurs", "PRIVATE", ""),
)

# Audience categories a planner (and the nomination lists) use, from the raw audience lines.
# Every distinct audience line of the source maps to at least one category, or is listed
# in NO_AUDIENCE (tests/data/test_audiences.py checks both).
AUDIENCES: tuple[tuple[str, str], ...] = (
    ("border_police", r"[Bb]order|[Pp]olice|[Cc]oast [Gg]uard|[Aa]irport|[Ll]aw[- ]enforcement"),
    ("judiciary", r"[Jj]udge|[Jj]udiciar|[Ll]awyer|[Pp]rosecutor"),
    ("lawmakers", r"[Ll]aw[- ]?[Mm]akers?|[Pp]arliament"),
    # Ministries' legal, consular and readmission departments and the management of the
    # (state) reception/detention centres are government too.
    ("government", r"[Gg]overnment|[Mm]inistr|MFA|[Aa]uthorit|[Ee]mbassy|[Oo]fficials"
                   r"|[Dd]epartments?\b|[Cc]onsular|Management of Reception/Detention"),
    # 'SCOs'/'SCOS' is the source's misspelling of CSOs. Diaspora *organisations* only: a
    # ministry "in charge of Diaspora regulations" is no CSO.
    ("csos", r"CSO|\bSCO[Ss]?\b|NGO|[Dd]iaspora [Oo]rgani|IDP representatives|[Aa]ssociation"),
    ("academia", r"[Aa]cademi|[Rr]esearch|[Ss]cholar"),
    ("tot_trainers", r"TO?T [Tt]rainers|ToT"),
    ("media", r"\b(?i:media)\b|[Jj]ournalist"),
    ("youth", r"[Yy]outh|[Ss]tudent"),
    ("private_sector", r"[Pp]rivate|[Ee]mployer|[Bb]usiness"),
    # The Regional Environmental Center for Central Asia (CAREC) is an international body.
    ("international_orgs", r"[Ii]nternational [Oo]rgani|\bUN\b|\bIOs?\b|Regional Environmental Cent"),
    ("trade_unions", r"(?i:trade[- ]unions?)"),
    ("ombudspersons", r"(?i:ombuds)"),
)

# Audience lines that name no audience a planner nominates for; audience_categories
# ignores them. Compared exactly with the raw line.
NO_AUDIENCE: tuple[str, ...] = (
    "Etc.",  # a literal bullet closing the audience list of M5.T1-M5.T6
)


@dataclass
class Catalogue:
    modules: list[Module]
    topics: list[Topic]
    organisations: list[Organisation]
    warnings: list[str] = field(default_factory=list)

    @property
    def topic_by_id(self) -> dict[str, Topic]:
        return {t.id: t for t in self.topics}


def organisations_in(raw: str) -> tuple[list[str], list[str]]:
    """Organisation ids named in one resource-person line, and notes on misspellings."""
    found: list[str] = []
    notes: list[str] = []
    for pattern, org, note in _PATTERNS:
        if re.search(pattern, raw) and org not in found:
            found.append(org)
            if note:
                notes.append(note)
    return found, notes


def audience_categories(lines: list[str]) -> list[str]:
    """Audience categories named in a topic's raw audience lines, in AUDIENCES order per line."""
    cats: list[str] = []
    for line in lines:
        if line in NO_AUDIENCE:
            continue
        for cat, pattern in AUDIENCES:
            if re.search(pattern, line) and cat not in cats:
                cats.append(cat)
    return cats


def _modes(format_text: str, fmt: str) -> list[str]:
    if fmt == "online" or "on-line" in format_text.lower():
        return ["online"]
    if re.search(r"on[- ]?-?site|on -site", format_text, re.I):
        return ["hybrid", "in_person"]
    return ["hybrid", "in_person"]


def load_raw() -> dict[str, Any]:
    text = resources.files("data").joinpath(SOURCE).read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def load_catalogue(raw: dict[str, Any] | None = None) -> Catalogue:
    """The clean catalogue and one warning per irregularity of the source."""
    raw = raw if raw is not None else load_raw()
    warnings: list[str] = []
    known = {t["id"] for m in raw["modules"] for t in m["topics"]}
    modules: list[Module] = []
    topics: list[Topic] = []
    used_orgs: set[str] = set()
    leads = lead_agencies()
    for m in raw["modules"]:
        modules.append(Module(number=m["module"], title=m["title"].strip(),
                              connected_modules=list(m.get("connected_modules") or [])))
        for t in m["topics"]:
            tid = t["id"]
            if t.get("outline_title") is None:
                warnings.append(f"{tid}: not listed in Module {m['module']}'s outline table; "
                                "the body heading is followed")
            lo, hi = t.get("duration_days_min"), t.get("duration_days_max")
            if lo is None or hi is None:
                lo, hi = FALLBACK_DURATION
                warnings.append(f"{tid}: duration reads '{t['duration_text']}' with no number; "
                                f"{lo}-{hi} days assumed")
            links: list[str] = []
            for link in t.get("links") or []:
                if link == tid:
                    warnings.append(f"{tid}: links to itself; the self-link is ignored")
                elif link not in known:
                    warnings.append(f"{tid}: links to {link}, which does not exist; the link is ignored")
                elif link not in links:
                    links.append(link)
            orgs: list[str] = []
            for line in t.get("resource_persons") or []:
                if line.strip().rstrip(".").lower() == "etc":
                    warnings.append(f"{tid}: resource person 'Etc.' names no one; ignored")
                    continue
                found, notes = organisations_in(line)
                if not found:
                    warnings.append(f"{tid}: resource person '{line}' names no known organisation; ignored")
                for note in notes:
                    warnings.append(f"{tid}: resource person '{line}': {note}")
                orgs += [o for o in found if o not in orgs]
            used_orgs.update(orgs)
            for org in leads.get(tid, ()):
                if org not in orgs:
                    warnings.append(f"{tid}: lead agency {org} is not among its resource persons")
            topics.append(Topic(
                id=tid, module=m["module"], title=" ".join(t["title"].split()),
                duration_min=int(lo), duration_max=int(hi),
                modes=_modes(t.get("format_text", ""), t.get("format", "")),  # type: ignore[arg-type]
                target_audiences=audience_categories(t.get("target_audience") or []),
                resource_organisations=orgs,
                resource_persons_raw=list(t.get("resource_persons") or []),
                lead_agencies=list(leads.get(tid, ())),
                links=links,
            ))
    by_id = {t.id: t for t in topics}
    for t in topics:
        for link in t.links:
            if t.id in by_id[link].links and t.id < link:
                warnings.append(f"{t.id} and {link} link to each other; links are related topics, "
                                "not prerequisites")
    organisations = [Organisation(id=i, name=n, kind=k) for i, n, k in ORGANISATIONS]  # type: ignore[arg-type]
    return Catalogue(modules, topics, organisations, warnings)
