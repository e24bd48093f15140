"""What the bench tests read off a network of ``bench/generate.py``."""

from __future__ import annotations

from model.problem import Problem


def expert_copies(problem: Problem) -> set[str]:
    """The copies of the agencies' experts beyond the first, by their id's suffix (``-P2``, ...)."""
    return {t.id.rsplit("-", 1)[1] for t in problem.trainers if "-P" in t.id}
