"""spec/ipam.kovn as it was before the flagship fix (issue 12): NoOrphanIP read the variant
flag IP_TOLERATES_NO_SUBNET, so in every variant that sets it the property could not fail.

The fixture (tests/quality/ipam_before_fix/) is a copy of spec/ipam.kovn and of the library
files it imports (checker/stdlib/k8s.kovn as ipam_lib's neighbour k8s.kovn, and
checker/stdlib/ipam.kovn as ipam_lib.kovn) taken from main before the fix, imported
relatively, so that it keeps its meaning whatever the library becomes.

The constants decide the property before the search, so most variants are checked by
compiling them (the full searches of all eleven take a minute); v1_12, where it can fail,
and fix_tolerate, where it cannot, are also checked end to end.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from checker import api, codes, quality

SPEC = str(Path(__file__).parent / "ipam_before_fix" / "ipam.kovn")
VACUOUS = {"master", "fix_tolerate", "fix_all", "fixed", "fixed_faults", "b_errors", "b_restart",
           "b_lost_wakeup"}
CAN_FAIL = {"v1_12", "fix_lock", "fix_by_pod"}
MESSAGE = "vacuous: NoOrphanIP holds because 'not IP_TOLERATES_NO_SUBNET' is never true"


@pytest.fixture(scope="module")
def compiled():
    variants, _ = api.compile_spec(SPEC, lint=False)
    return {v.name: m for v, m in variants}


def test_the_fixture_has_the_eleven_variants(compiled):
    assert set(compiled) == VACUOUS | CAN_FAIL


def test_the_flag_makes_noorphanip_vacuous_before_any_search(compiled):
    for name, model in compiled.items():
        found = [w for w in quality.constant_warnings(model) if "NoOrphanIP" in w.subjects]
        if name in VACUOUS:
            (w,) = found
            assert w.code == codes.VACUOUS and w.message == MESSAGE, name
            assert w.span.text() == "not IP_TOLERATES_NO_SUBNET"
            assert w.span.path == SPEC and w.span.line == 463
        else:
            assert found == [], name
    # nothing else of the spec is constant in any variant
    others = [(n, w.message) for n, m in compiled.items() for w in quality.constant_warnings(m)
              if "NoOrphanIP" not in w.subjects]
    assert others == []


def test_end_to_end_only_the_variants_with_the_flag_warn():
    report = api.check(SPEC, None, ["v1_12", "fix_tolerate"])
    for r in report.results:
        vacuous = [w for w in r.warnings if w.code == codes.VACUOUS]
        if r.variant.name in VACUOUS:
            assert [w.message for w in vacuous] == [MESSAGE], r.variant.name
        else:
            assert vacuous == [], r.variant.name
            status = {p.name: p.status.value for p in r.result.properties}
            assert status["NoOrphanIP"] == "violated", r.variant.name
        assert r.expectation_met
