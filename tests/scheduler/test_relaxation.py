"""The linear relaxation of a CP-SAT model (scheduler/relaxation.py): what it keeps, what it leaves
out, the bound its duals prove, and the bound a large programme's solve reports from it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

import scheduler.solve as solve_module
from bench.generate import family_problem
from model.check import check
from scheduler.relaxation import (
    LinearProgram,
    RelaxationBound,
    lagrangian_bound,
    linear_relaxation,
    solve_relaxation,
)
from scheduler.solve import SolveOptions, _points_below, build, solve
from tests.instances.tiny import tiny_problem


def bound(model: cp_model.CpModel) -> float | None:
    return solve_relaxation(linear_relaxation(model.proto), 10.0)


def optimum(model: cp_model.CpModel) -> float:
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    return solver.objective_value


def test_a_linear_constraint_is_kept_with_its_fraction() -> None:
    m = cp_model.CpModel()
    x, y = m.new_int_var(0, 10, "x"), m.new_int_var(0, 10, "y")
    m.add(2 * x + 2 * y >= 3)
    m.minimize(x + y + 7)  # the offset counts
    assert bound(m) == pytest.approx(8.5, abs=1e-6)
    assert optimum(m) == 9


def test_a_negated_literal_in_a_clause_reads_as_one_less_its_variable() -> None:
    # a or not b, b true: a must be 1. Read as a or b, the clause would let a be 0.
    m = cp_model.CpModel()
    a, b = m.new_bool_var("a"), m.new_bool_var("b")
    m.add_bool_or([a, ~b])
    m.add(b == 1)
    m.minimize(a)
    assert bound(m) == pytest.approx(1.0, abs=1e-6) == optimum(m)


def test_exactly_one_at_most_one_and_a_conjunction_are_rows() -> None:
    # One of a, b, c; b only with d (not b, or d: at most one of b and not d); e false. The
    # cheapest is a (3); read without the negation b would cost 2, without the conjunction e 9 less.
    m = cp_model.CpModel()
    a, b, c, d, e = (m.new_bool_var(n) for n in "abcde")
    m.add_exactly_one([a, b, c])
    m.add_at_most_one([b, ~d])
    m.add_bool_and([~e])
    m.minimize(3 * a + 2 * b + 5 * c + 4 * d - 9 * e)
    assert bound(m) == pytest.approx(3.0, abs=1e-6) == optimum(m)


def test_a_maximum_keeps_its_target_at_least_each_term() -> None:
    m = cp_model.CpModel()
    x, y = m.new_int_var(0, 10, "x"), m.new_int_var(0, 10, "y")
    peak = m.new_int_var(0, 10, "peak")
    m.add(x + y == 9)
    m.add_max_equality(peak, [x, y + 1])
    m.minimize(peak)
    assert bound(m) == pytest.approx(5.0, abs=1e-6) == optimum(m)


def test_a_constraint_with_an_enforcement_literal_is_left_out() -> None:
    # Kept as if it always held, x >= 5 would put the bound at 5, above the optimum 0 (e false).
    m = cp_model.CpModel()
    x, e = m.new_int_var(0, 10, "x"), m.new_bool_var("e")
    m.add(x >= 5).only_enforce_if(e)
    m.minimize(x + e)
    assert bound(m) == pytest.approx(0.0, abs=1e-6) == optimum(m)


def test_a_no_overlap_is_left_out_and_the_bound_stays_below_the_optimum() -> None:
    m = cp_model.CpModel()
    starts = [m.new_int_var(0, 10, f"s{i}") for i in range(3)]
    m.add_no_overlap([m.new_fixed_size_interval_var(s, 2, f"i{i}") for i, s in enumerate(starts)])
    m.minimize(sum(starts))
    assert bound(m) == pytest.approx(0.0, abs=1e-6)
    assert optimum(m) == 6


def test_a_maximising_model_is_refused() -> None:
    m = cp_model.CpModel()
    m.maximize(m.new_int_var(0, 3, "x"))
    with pytest.raises(ValueError, match="maximises"):
        linear_relaxation(m.proto)


def small_lp() -> LinearProgram:
    # min x + 2y, x + y >= 1, x - y <= 0.5, 0 <= x, y <= 4: optimum 1.25 (x 0.75, y 0.25).
    return LinearProgram(cost=np.array([1.0, 2.0]), offset=0.0, lower=np.zeros(2), upper=np.full(2, 4.0),
                         row_lower=np.array([1.0, -np.inf]), row_upper=np.array([np.inf, 0.5]),
                         starts=np.array([0, 2, 4]), index=np.array([0, 1, 0, 1], dtype=np.int32),
                         value=np.array([1.0, 1.0, 1.0, -1.0]))


def test_the_duals_of_the_optimum_prove_the_optimum() -> None:
    assert lagrangian_bound(small_lp(), np.array([1.5, -0.5])) == pytest.approx(1.25)
    assert solve_relaxation(small_lp(), 5.0) == pytest.approx(1.25, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.floats(-10, 10), st.floats(-10, 10))
def test_any_duals_prove_at_most_the_optimum(y1: float, y2: float) -> None:
    assert lagrangian_bound(small_lp(), np.array([y1, y2])) <= 1.25 + 1e-9


def test_the_bound_of_a_real_model_is_at_most_its_proven_optimum() -> None:
    built = build(tiny_problem())
    value = solve_relaxation(linear_relaxation(built.model.proto), 30.0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    assert solver.solve(built.model) == cp_model.OPTIMAL
    assert value is not None and 0 < value <= solver.objective_value


def test_a_cancelled_relaxation_ends_at_once() -> None:
    built = build(family_problem("network", 3))
    relaxation = RelaxationBound(built.model.proto, time.perf_counter() + 120).start()
    time.sleep(3.0)  # the program read, its solve begun (it takes about 10 s)
    t = time.perf_counter()
    relaxation.cancel()
    relaxed = relaxation.result()
    assert time.perf_counter() - t < 3.0
    assert relaxed is None or relaxed <= 15_800 * built.scale  # the solved program's bound is 15,706.9


def test_a_stop_flag_ends_the_relaxation() -> None:
    stop = threading.Event()
    built = build(family_problem("network", 3))
    relaxation = RelaxationBound(built.model.proto, time.perf_counter() + 120, stop).start()
    stop.set()
    t = time.perf_counter()
    relaxation.result()
    assert time.perf_counter() - t < 5.0


def test_a_bound_is_rounded_down_to_the_hundredth() -> None:
    assert _points_below(10.019) == 10.01
    assert _points_below(10.01) == 10.01
    assert _points_below(-0.001) == -0.01


def test_a_large_programme_reports_its_relaxation_bound() -> None:
    # Two centres (142 editions) searched whole: CP-SAT's bound, and the relaxation's beside it
    # when higher, never above the calendar; every progress report after it carries it.
    problem = family_problem("network", 2)
    built = build(problem)
    relaxed = solve_relaxation(linear_relaxation(built.model.proto), 60.0)
    assert relaxed is not None
    result = solve(problem, SolveOptions(time_limit_s=20, explain=False))
    assert result.found and check(result.schedule) == []
    assert result.bound is not None and result.bound <= result.objective
    assert result.bound >= _points_below(relaxed / built.scale)
    assert result.progress[-1].bound == result.bound


def test_a_programme_searched_by_parts_has_the_relaxation_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    # No part proves a bound on the whole: the relaxation's is the bound, and the gap is read from it.
    monkeypatch.setattr(solve_module, "PARTS_FROM_EDITIONS", 100)
    result = solve(family_problem("network", 2), SolveOptions(time_limit_s=25, explain=False))
    assert result.found and check(result.schedule) == []
    assert result.bound is not None and 0 < result.bound <= result.objective
    assert result.gap is not None and 0 <= result.gap < 1


def test_highs_prints_nothing_on_standard_output() -> None:
    # Its banner comes with the first solver a process makes: the CLI's and the API's output stay clean.
    code = ("from scheduler.relaxation import solve_relaxation, linear_relaxation\n"
            "from ortools.sat.python import cp_model\n"
            "m = cp_model.CpModel(); x = m.new_int_var(0, 3, 'x'); m.add(x >= 1); m.minimize(x)\n"
            "solve_relaxation(linear_relaxation(m.proto), 5.0)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == ""


def test_a_process_without_standard_output_can_import_it() -> None:
    done = subprocess.run([sys.executable, "-c", "import os; os.close(1); import scheduler.relaxation"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
