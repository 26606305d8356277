"""Ctrl-C is a limit like any other (docs/cli.md#exit-codes): the run stops where it is,
prints the statistics so far with INCOMPLETE, writes the CI outputs, and exits with 130,
whether the variants are searched one after the other or side by side.

SIGINT is sent to this process by a timer thread while `check` runs in-process; Python's
own handler is put in place first (a process started in the background, as CI's may be,
inherits SIGINT ignored). `--timeout 20` only keeps a broken interrupt from hanging the suite.
"""
from __future__ import annotations

import contextlib
import io
import os
import signal
import threading
import xml.etree.ElementTree as ET

import pytest

from checker.cli import main
from checker.engine import budget

BIG = """\
var a: 0..150 = 0
var b: 0..150 = 0
var c: 0..150 = 0
action A { require a < 150
  a := a + 1 }
action B { require b < 150
  b := b + 1 }
action C { require c < 150
  c := c + 1 }
allow deadlock
variant one { }
variant two { }
"""


@pytest.fixture
def sigint():
    """Python's handler in place, and Ctrl-C a limit (kovn's pytest plugin, loaded in this
    session, leaves it to pytest)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    as_limit = budget.set_interrupts(True)
    yield
    budget.set_interrupts(as_limit)
    signal.signal(signal.SIGINT, previous)
    budget.clear_interrupt()    # the engine's searches in this process come after it


def interrupt_during(monkeypatch, module, name: str, timers: list) -> None:
    """Ctrl-C 0.3 s after `module.name` (the search) starts, sent to this process."""
    original = getattr(module, name)

    def started(*args, **kwargs):
        timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
        timers.append(timer)
        timer.start()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, started)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_interrupted_run_is_incomplete_with_its_statistics_and_exits_130(tmp_path, sigint, jobs, monkeypatch):
    from checker import api
    spec = tmp_path / "big.kovn"
    spec.write_text(BIG)
    timers: list = []
    if jobs == "1":     # the variants one after the other: the first is interrupted, the second stops at once
        interrupt_during(monkeypatch, api, "explore", timers)     # the engine's search, as api calls it
    else:               # side by side: the coordinator passes it on to the searching processes
        interrupt_during(monkeypatch, api, "explore_variants", timers)     # as api calls it
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(spec), "--no-progress", "--jobs", jobs, "--timeout", "20",
                         "--junit", str(tmp_path / "k.xml")])
    finally:
        for timer in timers:
            timer.cancel()
    assert code == 130, out.getvalue() + err.getvalue()
    text = out.getvalue()
    assert text.count("INCOMPLETE (stopped at interrupt (Ctrl-C); nothing is proven)") == 2
    first = text.split("\n")[1]
    assert first.endswith("MiB") and "distinct states" in first and not first.startswith("  0 distinct")
    props = {p.get("name"): p.get("value") for p in ET.parse(tmp_path / "k.xml").getroot().iter("property")}
    assert props["kovn.exit_code"] == "130"


def test_a_limit_waits_for_the_end_of_a_deferred_block(sigint):
    """budget.deferred (a lazy import of NumPy that must not stop half-way): Ctrl-C or a
    timeout passed within the block is raised after it, not in it."""
    import time
    from checker.engine.budget import INTERRUPT, LimitReached
    ran = []
    with budget.guard():
        with pytest.raises(LimitReached) as stopped:
            with budget.deferred():
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)        # the handler runs meanwhile: recorded, not raised
                ran.append("block")
    assert ran == ["block"] and stopped.value.limit == INTERRUPT
    budget.clear_interrupt()
    with budget.guard(time.perf_counter() + 0.05, timeout=0.05):
        with pytest.raises(LimitReached) as stopped:
            with budget.deferred():
                time.sleep(0.4)         # the timer looks four times, past the deadline
                ran.append("timed")
            time.sleep(2)               # its next look raises
    assert ran == ["block", "timed"] and stopped.value.limit == "timeout 0.05s"
