"""The search by parts (scheduler/parts.py): what it fixes, how it cuts the parts, what it returns."""

from __future__ import annotations

import time
from typing import Any

import pytest

import scheduler.parts as parts_module
import scheduler.solve as solve_module
from bench.generate import family_problem
from model.check import check, kpis
from scheduler.instance import Instance
from scheduler.parts import PartsOutcome, Values, decisions, parts, search_by_parts
from scheduler.solve import SolveOptions, _solver, build, extract, find_start, hint_start, objective_of, solve
from tests.instances.tiny import tiny_problem


def started(problem: Any) -> tuple[Any, list[int]]:
    """The model of ``problem`` and its greedy start completed to every variable."""
    inst = Instance(problem)
    built = build(problem, inst=inst)
    hint_start(built, find_start(problem, inst), SolveOptions(time_limit_s=30))
    hint = built.model.proto.solution_hint
    assert len(hint.vars) == len(built.model.proto.variables), "the start did not complete"
    values = [0] * len(hint.vars)
    for i, v in zip(hint.vars, hint.values, strict=True):
        values[i] = v
    return built, values


@pytest.fixture(scope="module")
def two_centres() -> tuple[Any, list[int]]:
    return started(family_problem("network", 2))


def test_the_decisions_of_every_edition_fix_its_calendar(two_centres: tuple[Any, list[int]]) -> None:
    # With no edition free, the search has nothing to move: it returns the start itself, so the
    # decisions cover everything a calendar is read from.
    built, values = two_centres
    start = extract(built, Values(values))
    model = built.model.clone()
    for ev in built.v.editions:
        for var in decisions(ev):
            model.proto.variables[var.index].domain.clear()
            model.proto.variables[var.index].domain.extend([values[var.index]] * 2)
    solver = _solver(SolveOptions(time_limit_s=20), 20)
    assert solver.solve(model) in (solve_module.cp_model.OPTIMAL, solve_module.cp_model.FEASIBLE)
    assert extract(built, solver).editions == start.editions
    assert solver.objective_value == pytest.approx(objective_of(built.model.proto, values))


def test_parts_are_the_places_cut_in_windows_of_time(two_centres: tuple[Any, list[int]],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    built, values = two_centres
    monkeypatch.setattr(parts_module, "PART_EDITIONS", 30)
    ring = parts(built.v.editions, values)
    # Two centres of 71 editions, each cut in two windows of 36 and 35: every edition once.
    assert [len(p.editions) for p in ring] == [36, 35, 36, 35]
    assert sorted(e for p in ring for e in p.editions) == list(range(len(built.v.editions)))
    for part in ring:
        venues = {tuple(built.v.editions[e].plan.edition.item.venues) for e in part.editions}
        assert len(venues) == 1, part.name
    first, second = ring[0], ring[1]
    starts = {e: values[built.v.editions[e].start.index] for e in first.editions | second.editions
              if values[built.v.editions[e].present.index]}
    assert max(starts[e] for e in first.editions if e in starts) <= min(
        starts[e] for e in second.editions if e in starts)
    # Every other round the cuts move by half a window: half windows at the ends, and a whole one
    # across the cut between the first two windows above.
    shifted = parts(built.v.editions, values, shifted=True)
    assert [len(p.editions) for p in shifted] == [18, 36, 17, 18, 36, 17]
    assert sorted(e for p in shifted for e in p.editions) == list(range(len(built.v.editions)))
    assert shifted[0].editions < first.editions
    assert shifted[1].editions & first.editions and shifted[1].editions & second.editions


def test_searching_by_parts_never_worsens_the_start_and_breaks_no_rule(
        two_centres: tuple[Any, list[int]], monkeypatch: pytest.MonkeyPatch) -> None:
    built, values = two_centres
    monkeypatch.setattr(parts_module, "PART_LIMIT_S", 4.0)
    start = objective_of(built.model.proto, values)
    seen: list[float] = []
    outcome = search_by_parts(built.model, built.v.editions, values, start, time.perf_counter() + 12,
                              lambda limit: _solver(SolveOptions(time_limit_s=limit), limit),
                              on_better=lambda _, objective: seen.append(objective))
    assert isinstance(outcome, PartsOutcome) and outcome.searches >= 2
    assert outcome.objective <= start and seen == sorted(seen, reverse=True)
    assert outcome.improved == len(seen)
    schedule = extract(built, Values(outcome.values))
    assert check(schedule) == []
    assert kpis(schedule).objective == pytest.approx(outcome.objective / built.scale, abs=0.01)


def test_each_part_frees_its_editions_alone_and_holds_the_rest_at_the_best_calendar(
        two_centres: tuple[Any, list[int]], monkeypatch: pytest.MonkeyPatch) -> None:
    # The domains are set anew only for the editions of the last part and the next: every part's
    # search must still see its own editions free and every other held at the best calendar so far.
    built, values = two_centres
    monkeypatch.setattr(parts_module, "PART_EDITIONS", 30)
    monkeypatch.setattr(parts_module, "PART_LIMIT_S", 1.5)
    original = {var.index: list(built.model.proto.variables[var.index].domain)
                for ev in built.v.editions for var in decisions(ev)}
    best = list(values)
    seen: list[frozenset[int]] = []
    real = parts_module.solve_unless_stopped

    def spy(solver: Any, model: Any, stop: Any) -> Any:
        free = set()
        for ev in built.v.editions:
            domains = [list(model.proto.variables[var.index].domain) for var in decisions(ev)]
            if all(d == original[var.index] for d, var in zip(domains, decisions(ev), strict=True)):
                free.add(ev.plan.index)
            else:
                assert all(d == [best[var.index]] * 2 for d, var in zip(domains, decisions(ev), strict=True)), \
                    f"edition {ev.plan.id} is neither free nor held at the best calendar"
        assert list(model.proto.solution_hint.values) == best
        seen.append(frozenset(free))
        return real(solver, model, stop)

    def better(found: list[int], _: float) -> None:
        best[:] = found

    monkeypatch.setattr(parts_module, "solve_unless_stopped", spy)
    start = objective_of(built.model.proto, values)
    outcome = search_by_parts(built.model, built.v.editions, values, start, time.perf_counter() + 12,
                              lambda limit: _solver(SolveOptions(time_limit_s=limit), limit), on_better=better)
    ring = parts(built.v.editions, values)
    assert outcome.searches == len(seen) >= 5  # past the first round of four
    assert seen[:len(ring)] == [p.editions for p in ring][:len(seen)]
    assert all(0 < len(free) <= 36 for free in seen)


def test_solve_searches_a_large_programme_by_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    # The threshold lowered to two centres: solve() takes the search by parts, reports each
    # better calendar as the search's, and returns a checked calendar no worse than its start.
    monkeypatch.setattr(solve_module, "PARTS_FROM_EDITIONS", 100)
    monkeypatch.setattr(parts_module, "PART_LIMIT_S", 4.0)
    result = solve(family_problem("network", 2), SolveOptions(time_limit_s=25, explain=False))
    assert result.found and check(result.schedule) == []
    greedy = [p.objective for p in result.progress if p.source == "greedy"]
    search = [p.objective for p in result.progress if p.source == "search"]
    assert greedy
    assert result.objective <= min(greedy)
    if search:
        assert result.objective == pytest.approx(search[-1])


def test_a_programme_of_many_options_is_searched_by_parts_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # Few editions over a long horizon make a model whose presolve outlasts the time limit: the
    # options count as well as the editions. The RTCM year (7,568 options) with the threshold
    # lowered goes by parts; with the product's, whole.
    calls: list[int] = []
    real = solve_module._search_in_parts

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(solve_module, "_search_in_parts", spy)
    monkeypatch.setattr(parts_module, "PART_LIMIT_S", 2.0)
    problem = family_problem("rollout", 1)
    options = SolveOptions(time_limit_s=8, explain=False, seat=False)
    assert solve(problem, options).found and not calls
    monkeypatch.setattr(solve_module, "PARTS_FROM_OPTIONS", 5_000)
    result = solve(problem, options)
    assert calls and result.found and check(result.schedule) == []


def spy_on_the_parts(monkeypatch: pytest.MonkeyPatch) -> list[PartsOutcome]:
    """Record what each search by parts of ``solve()`` returns (the real search runs)."""
    outcomes: list[PartsOutcome] = []
    real = solve_module.search_by_parts

    def spy(*args: Any, **kwargs: Any) -> PartsOutcome:
        outcomes.append(real(*args, **kwargs))
        return outcomes[-1]

    monkeypatch.setattr(solve_module, "search_by_parts", spy)
    return outcomes


def test_a_programme_searched_whole_ends_its_search_by_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    # The RTCM year is searched whole, and CP-SAT proves no optimum in its first few seconds: the
    # last three quarters of the search go to the parts (shortened here to fit), from the whole
    # search's best calendar, or from the start when a busy machine left it none.
    # The bound stays the whole search's, every better calendar is reported, none breaks a rule.
    outcomes = spy_on_the_parts(monkeypatch)
    monkeypatch.setattr(solve_module, "PART_LIMIT_S", 1.5)
    monkeypatch.setattr(parts_module, "PART_LIMIT_S", 1.5)
    result = solve(family_problem("rollout", 1), SolveOptions(time_limit_s=16, explain=False, seat=False))
    assert result.found and check(result.schedule) == []
    [outcome] = outcomes
    assert outcome.searches >= 2
    assert result.objective == pytest.approx(kpis(result.schedule).objective, abs=0.01)
    assert result.bound is None or result.bound <= result.objective
    calendars = [p for p in result.progress if p.objective is not None]
    assert result.objective == pytest.approx(calendars[-1].objective)
    # Each part's better calendar comes after the whole search's last one (or the start), below it,
    # with the whole search's bound.
    before, polished = calendars[:len(calendars) - outcome.improved], calendars[len(calendars) - outcome.improved:]
    assert before and all(p.source == "search" for p in polished)
    assert [p.objective for p in polished] == sorted({p.objective for p in polished}, reverse=True)
    assert all(p.objective < before[-1].objective for p in polished)
    if result.bound is not None:
        assert all(p.bound == pytest.approx(result.bound, abs=0.01) for p in polished)


def test_an_optimum_proven_whole_is_not_searched_by_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes = spy_on_the_parts(monkeypatch)
    result = solve(tiny_problem(), SolveOptions(time_limit_s=30, explain=False, seat=False))
    assert result.status == "OPTIMAL" and not outcomes
