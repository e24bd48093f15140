"""Audience categories: every target-audience line of the source lands in a category, or is listed
as naming no one; no phrase is dropped silently."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from data.curriculum import AUDIENCES, NO_AUDIENCE, audience_categories, load_catalogue

SOURCE = Path(__file__).resolve().parents[2] / "data" / "rtcm_curriculum.json"

# The ids data/default.py's nominations (and saved instances) use: they must not change.
STABLE_CATEGORIES = {"government", "border_police", "judiciary", "lawmakers", "csos", "academia",
                     "tot_trainers", "media", "youth", "private_sector", "international_orgs"}


def _topics() -> list[dict]:
    raw = json.loads(SOURCE.read_text(encoding="utf-8"))
    return [t for m in raw["modules"] for t in m["topics"]]


def _phrases() -> dict[str, list[str]]:
    """Each distinct raw audience line and the topics that name it."""
    where: dict[str, list[str]] = {}
    for t in _topics():
        for line in t.get("target_audience") or []:
            if t["id"] not in where.setdefault(line, []):
                where[line].append(t["id"])
    return dict(sorted(where.items()))


def _topics_naming(pattern: str) -> set[str]:
    return {t["id"] for t in _topics() if any(re.search(pattern, line) for line in t.get("target_audience") or [])}


def _ids(phrases: list[str]) -> list[str]:
    ids: list[str] = []
    for p in phrases:
        short = p if len(p) <= 70 else p[:67] + "..."
        n = sum(i == short or i.startswith(short + " #") for i in ids)
        ids.append(short if n == 0 else f"{short} #{n + 1}")
    return ids


PHRASES = _phrases()


@pytest.mark.parametrize("phrase", list(PHRASES), ids=_ids(list(PHRASES)))
def test_every_audience_phrase_maps_to_a_category_or_is_listed_as_naming_no_one(phrase: str) -> None:
    cats = audience_categories([phrase])
    assert cats or phrase in NO_AUDIENCE, (
        f"'{phrase}' (in {', '.join(PHRASES[phrase])}) maps to no audience category: "
        "add a pattern to AUDIENCES or list it in NO_AUDIENCE")


def test_the_source_has_many_distinct_audience_phrases() -> None:
    # Guards the parametrisation above against a source that silently lost its audiences.
    assert len(PHRASES) > 100


def test_the_no_audience_table_lists_only_phrases_of_the_source_that_name_no_one() -> None:
    for phrase in NO_AUDIENCE:
        assert phrase in PHRASES, f"'{phrase}' is not an audience line of the source; drop it from NO_AUDIENCE"
        hit = [cat for cat, pattern in AUDIENCES if re.search(pattern, phrase)]
        assert not hit, f"'{phrase}' is listed as naming no one but matches {hit}"
        assert audience_categories([phrase]) == []
    assert "Etc." in NO_AUDIENCE


def test_the_media_course_and_every_media_line_have_the_media_audience() -> None:
    by_id = load_catalogue().topic_by_id
    assert "media" in by_id["M2.T10"].target_audiences
    media = _topics_naming(r"(?i)\bmedia\b|journalist")
    assert "M2.T10" in media and len(media) >= 5
    for tid in sorted(media):
        assert "media" in by_id[tid].target_audiences, tid


def test_the_topics_naming_trade_unions_have_the_trade_unions_audience() -> None:
    named = _topics_naming(r"(?i)\btrade[- ]?unions?\b")
    assert len(named) == 10
    have = {t.id for t in load_catalogue().topics if "trade_unions" in t.target_audiences}
    assert have == named


def test_the_topics_naming_an_ombudsperson_have_the_ombudspersons_audience() -> None:
    named = _topics_naming(r"(?i)\bombudspersons?\b")
    assert len(named) == 7
    have = {t.id for t in load_catalogue().topics if "ombudspersons" in t.target_audiences}
    assert have == named


def test_every_audience_category_is_used_by_a_topic() -> None:
    used = {a for t in load_catalogue().topics for a in t.target_audiences}
    for cat, _ in AUDIENCES:
        assert cat in used, f"no topic has the audience '{cat}'"


def test_the_category_ids_the_nominations_use_are_kept() -> None:
    ids = [cat for cat, _ in AUDIENCES]
    assert len(ids) == len(set(ids))
    assert set(ids) >= STABLE_CATEGORIES
    assert {"trade_unions", "ombudspersons"} <= set(ids)


def test_every_topic_has_an_audience() -> None:
    for t in load_catalogue().topics:
        assert t.target_audiences, t.id
