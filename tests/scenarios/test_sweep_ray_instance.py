"""The local Ray instance the runner starts when Ray is not initialised: used, then shut down."""

from __future__ import annotations

import json

import ray

from scenarios.sweep import run_sweep
from tests.scenarios.test_sweep import numbers, remember, square


def test_the_runner_starts_a_local_instance_and_shuts_it_down() -> None:
    assert not ray.is_initialized()
    swept = run_sweep(square, numbers(4), setup=remember, setup_args=(1,), workers=2, backend="ray")
    assert [json.loads(r)["value"] for r in swept.finished] == [1, 2, 5, 10]
    assert not ray.is_initialized()
