"""`check --hide LIST`: parts of the printed counterexamples left out (docs/cli.md), and a name
that hides nothing said so on stderr."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# the flagship's scenario A: a 10-state counterexample within depth 10, with processes
IPAM = [str(ROOT / "spec" / "ipam.kovn"), "--variant", "v1_12", "--max-depth", "10", "--no-progress"]


def _trace(out: str) -> str:
    return out[out.index("counterexample for NoOrphanIP"):]


def test_hide_leaves_out_the_named_variables_and_categories(kovn):
    full = _trace(kovn.cli(IPAM).out)
    assert "events[pods]" in full and "PodAdd.pc[1]: take -> alloc" in full and "if not cached(" in full
    run = kovn.cli(IPAM + ["--hide", "events,pc,decisions"])
    hidden = _trace(run.out)
    assert "events[pods]" not in hidden and "events = " not in hidden
    assert ".pc" not in hidden and "if not cached(" not in hidden
    # the rest of the trace stays: its steps and the other variables' changes
    assert "PodAdd.take(1)" in hidden and "nicToIP[NIC(pod: 1, index: 1)]: (added) 10.16.0.11" in hidden
    assert run.err == "" and run.code == kovn.cli(IPAM).code


def test_a_name_that_hides_nothing_is_reported_with_the_closest_one(kovn):
    run = kovn.cli(IPAM + ["--hide", "evnts,pc"])
    assert "--hide: 'evnts' is neither a variable of this spec" in run.err
    assert "(did you mean events?)" in run.err
    assert "'pc'" not in run.err
    assert "events[pods]" in _trace(run.out)       # nothing hidden under the wrong name


def test_an_empty_or_malformed_list_is_a_bad_command_line(kovn):
    for value in ["", "a b", "x,,-y"]:
        run = kovn.cli(IPAM + ["--hide", value])
        assert run.code == 151, (value, run.err)
        assert "--hide" in run.err
