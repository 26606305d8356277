"""What the reports say beyond counts: coverage warnings only after a complete search, and the
verdict line of an incomplete search never claims OK."""
from __future__ import annotations

NEVER = """
    spec never
    var x: 0..2
    init { x := 0 }
    action Inc { require x < 2  x := x + 1 }
    action Never { require x > 5  x := 0 }
    allow deadlock
"""


def test_never_enabled_action_is_reported_after_a_complete_search(kovn):
    run = kovn.cli([kovn.write(NEVER), "--no-progress"])
    assert run.code == 0
    assert "warning[KOV601]: never enabled: Never" in run.out
    assert "Inc" not in run.out.split("never enabled:")[1].splitlines()[0]


def test_no_coverage_warning_when_the_search_stopped_early(kovn):
    run = kovn.cli([kovn.write(NEVER), "--no-progress", "--max-states", "2"])
    assert run.code == 152
    assert "never enabled" not in run.out
    assert "INCOMPLETE (stopped at max-states 2" in run.out


def test_verbose_shows_per_action_coverage(kovn):
    run = kovn.cli([kovn.write(NEVER), "--no-progress", "-v"])
    lines = [line.split() for line in run.out.splitlines()]
    assert ["Inc", "2", "2"] in lines and ["Never", "0", "0"] in lines
