"""An input error sent back from a worker process (a sweep's) arrives as it left: its issues, not its text."""

from __future__ import annotations

import pickle

from model.errors import InputError, Issue


def test_an_input_error_survives_pickling() -> None:
    e = InputError([Issue("out_of_range", "samples is 0: at least 1", field=("samples",)), "a plain message"],
                   "the robustness settings")
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is InputError
    assert back.issues == e.issues and back.source == e.source and str(back) == str(e)
