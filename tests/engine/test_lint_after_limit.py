"""The dead-guard lint that runs after a search (api._lint_within) under the run's limits.

A run stopped by Ctrl-C must not start the lint (its guard would fire at once, inside Z3),
and a limit that fires while Z3's ctypes binding converts an argument reaches us as a
ctypes.ArgumentError: both end with the warnings dropped, never an internal error (found
by sending Ctrl-C to `check --workers 2` right after the workers start: exit 255)."""
from __future__ import annotations

import ctypes

import pytest

from checker import api
from checker.engine import CheckOptions, budget

DEAD = """spec d
var x: 0..3 = 0
action Inc { require x < 3  x := x + 1 }
action Never { require x > 5  x := 0 }
invariant Small: x <= 3
allow deadlock
"""


@pytest.fixture
def compiled(tmp_path):
    path = tmp_path / "d.kovn"
    path.write_text(DEAD)
    return api.compile_spec(str(path), lint=False)[0]


def test_the_lint_finds_the_dead_guard_when_nothing_stopped_the_run(compiled):
    budget.clear_interrupt()
    found = api._lint_within(None, CheckOptions(), compiled, [set() for _ in compiled])
    assert [d.code for d in found[0]] == ["KOV602"]


def test_an_interrupted_run_skips_the_lint(compiled, monkeypatch):
    monkeypatch.setattr(budget._interrupt, "seen", True)
    called = []
    monkeypatch.setattr(api, "dead_guards", lambda *a: called.append(a) or [[]])
    assert api._lint_within(None, CheckOptions(), compiled, [set()]) == [[]]
    assert called == []


def test_a_limit_wrapped_by_ctypes_drops_the_warnings(compiled, monkeypatch):
    budget.clear_interrupt()

    def fires(*args):          # as the SIGALRM handler does inside a ctypes conversion
        budget._guards[-1].fired = True
        raise ctypes.ArgumentError("argument 1: LimitReached: timeout 1s")

    monkeypatch.setattr(api, "dead_guards", fires)
    assert api._lint_within(None, CheckOptions(), compiled, [set()]) == [[]]


def test_a_ctypes_error_without_a_limit_is_not_hidden(compiled, monkeypatch):
    budget.clear_interrupt()

    def fails(*args):
        raise ctypes.ArgumentError("argument 1: a real bug")

    monkeypatch.setattr(api, "dead_guards", fails)
    with pytest.raises(ctypes.ArgumentError):
        api._lint_within(None, CheckOptions(), compiled, [set()])
