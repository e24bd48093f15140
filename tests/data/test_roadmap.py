"""The Road Map's priorities as data: seven themes, Module 4 first, in the default programme."""

from __future__ import annotations

from pathlib import Path

import pytest

from data import default_problem
from data.curriculum import load_catalogue
from data.roadmap import THEMES, priorities

SEED = Path(__file__).parents[3] / "shared" / "seeds" / "004_fb9cbbf93a5ad38e.txt"


def test_seven_themes_each_with_courses_of_the_catalogue() -> None:
    topics = {t.id for t in load_catalogue().topics}
    assert len(THEMES) == 7 and len({t.name for t in THEMES}) == 7
    for theme in THEMES:
        assert theme.topics and set(theme.topics) <= topics, theme.name
        assert 335 <= theme.line <= 345


def test_module_4_is_the_top_priority() -> None:
    p = priorities()
    module4 = {t.id for t in load_catalogue().topics if t.module == 4}
    assert {t for t, level in p.items() if level == 3} == module4
    assert max(level for t, level in p.items() if t not in module4) < 3


def test_the_default_programme_takes_its_priorities_from_the_road_map() -> None:
    p = priorities()
    assert {i.topic: i.priority for i in default_problem().programme if i.priority} == p


def test_each_theme_is_where_the_curriculum_names_it() -> None:
    if not SEED.exists():
        pytest.skip("the curriculum text is not beside the repository")
    lines = SEED.read_text(encoding="utf-8").splitlines()
    for theme, first_word in zip(THEMES, ("Health", "crisis", "Labor", "Environment", "Development", "Return",
                                          "Partnerships"), strict=True):
        assert first_word.lower() in lines[theme.line - 1].lower(), (theme.name, lines[theme.line - 1])
    assert "top priority" in lines[3960 - 1]
