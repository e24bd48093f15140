"""The linear relaxation of a CP-SAT model, and the bound it proves.

Every constraint of the model that is linear, or reads as linear rows, is kept: a linear
constraint (the hull of its domain), an exactly-one, an at-most-one, a clause and an unconditional
conjunction of literals, and a maximum as its target at least each of its terms. Every other
constraint (one with enforcement literals, an interval, a no-overlap, a cumulative, an element...)
is left out, and every variable may take any value between its least and its greatest. What is
left out only widens the set of solutions, so the least objective of the linear program is at most
the model's optimum: a bound, proven once the program is solved.

HiGHS solves it (dual simplex). The bound is not its objective as it reports it, but the one its
row duals prove by Lagrangian duality: with every variable boxed, any duals give the bound
``Σ row bound × dual + Σ min over the box of reduced cost × variable``, so a dual solution a
little off (tolerances, a solve stopped at its time limit) still gives a true bound, only a lower
one.

Why: on a large programme the model's own linear relaxation, as CP-SAT sets it up, proves far
less. On ten centres over two years (710 editions) this program has 210,039 columns, 50,993 rows and
1.7 million nonzeros, and proves 48,633 points in 22 s of one core (read off the model in 2 s), where
the sum of the places' relaxations proved 35,357 given 120 s each and CP-SAT's search of the whole
model 36,232 in 300 s and 6 GB (``bench/results/relaxation.json``; ``bench/RESULTS.md``, "The bound
of the whole linear relaxation").
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from scheduler.variables import StopFlag, stop_when_set


def _quiet_banner() -> None:
    """HiGHS prints its banner on the process's standard output when its first solver is made, whatever
    its options: the first is made here, at import, with that output sent nowhere."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no standard output to keep clean
        highspy.Highs()
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_quiet_banner()

# A bound beyond this counts as none (CP-SAT writes the widest domains as +-2^63).
INFINITE = 1e15


@dataclass(frozen=True)
class LinearProgram:
    """min cost . x + offset, lower <= x <= upper, row_lower <= A x <= row_upper; A by rows (CSR)."""

    cost: np.ndarray
    offset: float
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    starts: np.ndarray  # row i's entries are index[starts[i]:starts[i + 1]]
    index: np.ndarray
    value: np.ndarray

    @property
    def rows(self) -> int:
        return len(self.row_lower)


class _Rows:
    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.starts = [0]
        self.index: list[int] = []
        self.value: list[float] = []

    def add(self, refs: Any, coeffs: Any, lower: float, upper: float) -> None:
        for ref, c in zip(refs, coeffs, strict=True):
            if ref < 0:  # -x for an integer reference: never written by cp_model's Python builder
                raise ValueError(f"a negated variable reference ({ref}) in a linear term is not read")
            self.index.append(ref)
            self.value.append(float(c))
        self.starts.append(len(self.index))
        self.lower.append(lower if abs(lower) < INFINITE else -math.inf)
        self.upper.append(upper if abs(upper) < INFINITE else math.inf)

    def literals(self, literals: Any, lower: float, upper: float) -> None:
        """``lower <= sum of literals <= upper``, a negated literal read as 1 - x."""
        refs, coeffs, negated = [], [], 0
        for lit in literals:
            refs.append(lit if lit >= 0 else -lit - 1)
            coeffs.append(1 if lit >= 0 else -1)
            negated += lit < 0
        self.add(refs, coeffs, lower - negated, upper - negated)


def linear_relaxation(proto: Any) -> LinearProgram:
    """The linear program of a CP-SAT model (its ``proto``; see the module's docstring)."""
    rows = _Rows()
    for ct in proto.constraints:
        if len(ct.enforcement_literal):
            continue
        if ct.has_linear():
            domain = ct.linear.domain
            rows.add(ct.linear.vars, ct.linear.coeffs, domain[0], domain[len(domain) - 1])
        elif ct.has_exactly_one():
            rows.literals(ct.exactly_one.literals, 1, 1)
        elif ct.has_at_most_one():
            rows.literals(ct.at_most_one.literals, -math.inf, 1)
        elif ct.has_bool_or():
            rows.literals(ct.bool_or.literals, 1, math.inf)
        elif ct.has_bool_and():
            for lit in ct.bool_and.literals:
                rows.literals([lit], 1, 1)
        elif ct.has_lin_max():  # the target at least each term (at most their maximum is left out)
            target = ct.lin_max.target
            for expr in ct.lin_max.exprs:
                rows.add([*target.vars, *expr.vars], [*target.coeffs, *(-c for c in expr.coeffs)],
                         expr.offset - target.offset, math.inf)
    n = len(proto.variables)
    lower, upper = np.empty(n), np.empty(n)
    for i, var in enumerate(proto.variables):
        domain = var.domain
        lower[i], upper[i] = domain[0], domain[len(domain) - 1]
    cost = np.zeros(n)
    objective = proto.objective
    factor = objective.scaling_factor or 1.0  # the objective CP-SAT reports is factor x (terms + offset)
    if factor < 0:
        raise ValueError("a model that maximises has no lower bound to relax")
    np.add.at(cost, np.array(objective.vars, dtype=np.int64), factor * np.array(objective.coeffs, dtype=float))
    return LinearProgram(cost, factor * objective.offset, lower, upper,
                         np.array(rows.lower), np.array(rows.upper), np.array(rows.starts, dtype=np.int64),
                         np.array(rows.index, dtype=np.int32), np.array(rows.value))


def lagrangian_bound(lp: LinearProgram, duals: np.ndarray) -> float:
    """The bound on ``lp``'s least objective that row duals ``duals`` prove, whatever they are: a
    dual of the wrong sign for its row (one pressing on an infinite side) counts 0."""
    y = np.where((duals > 0) & np.isfinite(lp.row_lower), duals, 0.0)
    y += np.where((duals < 0) & np.isfinite(lp.row_upper), duals, 0.0)
    rows = np.where(y > 0, np.where(np.isfinite(lp.row_lower), lp.row_lower, 0.0) * y, 0.0)
    rows += np.where(y < 0, np.where(np.isfinite(lp.row_upper), lp.row_upper, 0.0) * y, 0.0)
    of_row = np.repeat(np.arange(lp.rows), np.diff(lp.starts))
    reduced = lp.cost - np.bincount(lp.index, weights=lp.value * y[of_row], minlength=len(lp.cost))
    columns = np.minimum(lp.lower * reduced, lp.upper * reduced)
    terms = np.concatenate([rows, columns])
    # Rounding in the sums: taken off, so that what is reported stays below the exact figure.
    return float(terms.sum()) + lp.offset - 1e-9 * float(np.abs(terms).sum())


def solve_relaxation(lp: LinearProgram, time_limit_s: float, stop: StopFlag | None = None) -> float | None:
    """The bound ``lp`` proves within ``time_limit_s`` (its dual simplex stopped there, or when ``stop``
    is set, proves less); None when HiGHS gives no duals."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.0, time_limit_s))
    h.HandleUserInterrupt = True  # cancelSolve() heard while it solves
    n = len(lp.cost)
    h.addVars(n, lp.lower, lp.upper)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), lp.cost)
    h.addRows(lp.rows, lp.row_lower, lp.row_upper, len(lp.index),  # HiGHS's infinity is math.inf
              lp.starts[:-1].astype(np.int32), lp.index, lp.value)
    done = threading.Event()
    stop_when_set(h.cancelSolve, stop, done)
    try:
        h.run()
    finally:
        done.set()
    solution = h.getSolution()
    if not solution.dual_valid:
        return None
    bound = lagrangian_bound(lp, np.array(solution.row_dual))
    return bound if math.isfinite(bound) else None


class RelaxationBound:
    """The bound of a model's linear relaxation, proved in a thread of its own beside a search (HiGHS
    leaves Python's lock while it solves): :meth:`start`, then :meth:`result` once the search ends,
    or :meth:`cancel` when the search needs it no more."""

    def __init__(self, proto: Any, deadline: float, stop: StopFlag | None = None) -> None:
        self.proto = proto  # read, never written, while the search runs on it
        self.deadline = deadline  # a time.perf_counter() time: the solve stops there
        self.bound: float | None = None  # in the model's units, once proved
        self.seconds: float | None = None  # how long it took
        self._stop = stop
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> RelaxationBound:
        self._thread.start()
        return self

    def is_set(self) -> bool:  # the StopFlag its solve watches
        return self._cancel.is_set() or (self._stop is not None and self._stop.is_set())

    def _run(self) -> None:
        t0 = time.perf_counter()
        lp = linear_relaxation(self.proto)
        if not self.is_set():
            self.bound = solve_relaxation(lp, self.deadline - time.perf_counter(), self)
        self.seconds = time.perf_counter() - t0

    def cancel(self) -> None:
        """Stop its solve: the duals it has then prove what they prove (maybe nothing)."""
        self._cancel.set()

    def result(self, wait_s: float = 30.0) -> float | None:
        """The bound, once its thread ends (``wait_s`` at most: None if it has not)."""
        self._thread.join(wait_s)
        return self.bound
