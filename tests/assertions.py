"""What the tests read off a result, in one place: the counts and the property statuses.

Each helper takes an api `VariantResult` (what the `kovn` fixture returns) or an engine
`CheckResult` (what `explore` returns).
"""
from __future__ import annotations

from checker.engine.result import CheckResult, Status


def _result(r) -> CheckResult:
    return r if isinstance(r, CheckResult) else r.result


def counts(r) -> tuple[int, int, int]:
    """(distinct states, states generated, depth), as TLC reports them."""
    st = _result(r).stats
    return st.distinct, st.generated, st.depth


def statuses(r) -> dict[str, Status]:
    """Property name -> its status."""
    return {p.name: p.status for p in _result(r).properties}
