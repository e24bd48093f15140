"""The lead-agency table against the curriculum, read independently of the loader's patterns."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from data.lead_agencies import LEAD_AGENCIES, lead_agencies

# Each lead organisation as the curriculum writes it (misspellings included).
NAMES: dict[str, str] = {
    "UNHCR": r"\bUNHCR\b",
    "ILO": r"\bILO\b",
    "WHO": r"\bWHO\b|World Health",
    "UNODC": r"\bUNODC\b",
    "UNICEF": r"\bUNICEF\b|\bUNICEL\b",
    "UNFPA": r"\bUNFPA\b",
    "UN-WOMEN": r"\bUN ?WOMEN\b|\bUN Women\b|\bUNIFEM\b",
    "OHCHR": r"\bOHCHR\b|\bUNOCHR\b",
    "UNDP": r"\bUNDP\b",
    "UNOCHA": r"\bUNOCHA\b",
    "UNCTAD": r"\bUNCTAD\b",
    "WB": r"\bWB\b|World Bank",
    "IMF": r"\bIMF\b",
    "OECD": r"\bOECD\b|\bOCED\b|\bOCDE\b",
    "IMO": r"\bIMO\b",
    "ICRC": r"\bICRC\b",
    "ICMPD": r"\bICMPD\b",
    "COE": r"Council of Europe|\bCOE\b|\bECRI\b",
    "EU": r"\bEU\b|\bEMN\b",
    "CAREC": r"Regional Environmental Center|\bCAREC\b",
    "MEDIA": r"\bMEDIA\b|\bMedia\b",
    "PRIVATE": r"[Pp]rivate [Ss]ector",
}

# Never lead agencies: IOM is on every course, the others are pools, trainers or non-specialists.
NOT_LEADS = {"IOM", "RTCM-POOL", "TOT", "COUNTRY", "ACADEMIA", "NGO"}

# The curriculum text, beside the repository (absent in CI).
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def _topics() -> list[dict[str, Any]]:
    raw = json.loads(resources.files("data").joinpath("rtcm_curriculum.json").read_text(encoding="utf-8"))
    return [t for m in raw["modules"] for t in m["topics"]]


def _bounds() -> dict[str, tuple[int, float]]:
    """Topic id -> (its heading's line, the next topic's heading's line)."""
    topics = _topics()
    ends: list[float] = [t["source_line"] for t in topics[1:]] + [float("inf")]
    return {t["id"]: (t["source_line"], end) for t, end in zip(topics, ends, strict=True)}


def test_every_organisation_is_known_and_none_is_iom_or_a_pool() -> None:
    for row in LEAD_AGENCIES:
        assert 1 <= len(row.organisations) <= 3, row.topic
        assert len(set(row.organisations)) == len(row.organisations), row.topic
        assert not set(row.organisations) & NOT_LEADS, row.topic
        for org in row.organisations:
            assert org in NAMES, (row.topic, org)
        if "MEDIA" in row.organisations:
            assert row.topic == "M2.T10", row.topic
        assert row.why.strip(), row.topic


def test_every_lead_is_named_among_the_topics_resource_persons() -> None:
    persons = {t["id"]: t["resource_persons"] or [] for t in _topics()}
    for row in LEAD_AGENCIES:
        assert row.topic in persons, row.topic
        for org in row.organisations:
            assert any(re.search(NAMES[org], line) for line in persons[row.topic]), (row.topic, org)


def test_topics_are_unique_and_in_catalogue_order() -> None:
    order = [t["id"] for t in _topics()]
    ids = [row.topic for row in LEAD_AGENCIES]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids, key=order.index)
    assert list(lead_agencies()) == ids
    assert lead_agencies()["M4.T7"] == ("UNHCR",)
    assert "M6.T1" not in lead_agencies()


def test_each_cited_line_lies_within_its_topic() -> None:
    bounds = _bounds()
    for row in LEAD_AGENCIES:
        start, end = bounds[row.topic]
        assert start < row.line < end, (row.topic, row.line)


def test_each_cited_line_names_the_first_lead_in_the_resource_persons() -> None:
    found = sorted(SEEDS.glob("004_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip("the curriculum text is not beside the repository")
    lines = found[0].read_text(encoding="utf-8").split("\n")
    bounds = _bounds()
    for row in LEAD_AGENCIES:
        text = lines[row.line - 1]
        assert re.search(NAMES[row.organisations[0]], text), (row.topic, row.line, text)
        # The line sits under the topic's "Resource persons" heading.
        start = bounds[row.topic][0]
        headings = [n for n in range(start, row.line) if _is_heading(lines[n - 1])]
        assert headings, (row.topic, row.line)
        heading = headings[-1]
        assert re.search(r"(?i)resource persons", lines[heading - 1]), (row.topic, row.line, lines[heading - 1])
        # Every other lead is named in the same list, which ends at the next heading.
        block: list[str] = []
        for line in lines[heading:]:
            if _is_heading(line):
                break
            block.append(line)
        for org in row.organisations[1:]:
            assert any(re.search(NAMES[org], line) for line in block), (row.topic, org)


def _is_heading(line: str) -> bool:
    """A heading of the curriculum text: a Markdown title or a diamond-marked section."""
    return line.lstrip().startswith("#") or "◇" in line
