"""Exit codes, in one table (documented in docs/cli.md and the README).

Input: a Report (or the kind of failure). Output: the process exit code.
"""
from __future__ import annotations

from checker.engine.budget import INTERRUPT
from checker.engine.budget import TERMINATED as TERMINATED_LIMIT
from checker.engine.result import Status, Verdict

OK = 0                  # every checked variant met its expectation (with --variant: all properties hold)
EXPECTATION_FAILED = 1  # a variant's outcome differs from its declared expectation
STRICT_WARNINGS = 1     # --strict: all else OK, but a variant has a warning it does not acknowledge
BASELINE_CHANGED = 2    # --baseline: all else OK, but a verdict or distinct-state count changed
DEADLOCK = 11           # --variant: a deadlock was found
SAFETY_VIOLATION = 12   # --variant: an invariant, action property or reachability property failed
LIVENESS_VIOLATION = 13 # --variant: a temporal property failed
MODEL_ERROR = 75        # the model failed to evaluate an expression in a reachable state (KOV501; TLC's 75)
INTERRUPTED = 130       # Ctrl-C (SIGINT): the report so far, INCOMPLETE
TERMINATED = 143        # SIGTERM during a run with --checkpoint: the report so far, INCOMPLETE
SPEC_ERROR = 150        # the spec has errors (syntax, names, types, assumptions: diagnostics before the search)
USAGE_ERROR = 151       # bad command line: unknown flag, bad option value, unknown --variant, unwritable output
INCOMPLETE = 152        # a limit was hit before the search could decide
BAD_CHECKPOINT = 153    # --resume: no usable checkpoint, or one taken from another spec text, constants or kovn
NO_CLUSTER = 154        # --ray: no usable Ray cluster (Ray not installed, none at the address, too few CPUs)
INTERNAL_ERROR = 255    # a bug in kovn (rerun with --debug for the traceback)

# what each code says, for the reports that carry it (SARIF's exitCodeDescription, JUnit)
MEANING = {
    OK: "every expectation met",
    EXPECTATION_FAILED: "an expectation not met (or, with --strict, a warning not acknowledged)",
    BASELINE_CHANGED: "a verdict or distinct-state count differs from the baseline",
    DEADLOCK: "a deadlock",
    SAFETY_VIOLATION: "a safety property violated",
    LIVENESS_VIOLATION: "a liveness property violated",
    MODEL_ERROR: "the model failed to evaluate an expression (KOV501)",
    INTERRUPTED: "interrupted",
    TERMINATED: "terminated (SIGTERM)",
    BAD_CHECKPOINT: "the checkpoint cannot be resumed by this run",
    NO_CLUSTER: "no usable Ray cluster",
    SPEC_ERROR: "the spec has errors",
    USAGE_ERROR: "bad command line",
    INCOMPLETE: "a limit stopped the search before it could decide",
    INTERNAL_ERROR: "internal error (a bug in kovn)",
}


def interrupted(report) -> bool:
    return any(r.result.limit in (INTERRUPT, TERMINATED_LIMIT) for r in report.results)


def _interrupt_code(report) -> int:
    return TERMINATED if any(r.result.limit == TERMINATED_LIMIT for r in report.results) else INTERRUPTED


def for_expectations(report) -> int:
    """`check FILE`: did every variant show what it expects? (An interrupted run is 130,
    whatever it found before: it did not finish.)"""
    if interrupted(report):
        return _interrupt_code(report)
    if any(r.result.verdict is Verdict.ERROR for r in report.results):
        return MODEL_ERROR
    if any(not r.expectation_met and not _only_unknown(r) for r in report.results):
        return EXPECTATION_FAILED
    if any(not r.expectation_met for r in report.results):
        return INCOMPLETE
    return OK


def _only_unknown(r) -> bool:
    return (r.result.limit is not None or r.result.undecided is not None) and all(
        p.status is Status.UNKNOWN or (p.name in r.variant.expect_violated) == (p.status is Status.VIOLATED)
        for p in r.result.properties)


def for_verdicts(report) -> int:
    """`check FILE --variant NAME`: the verdict itself (the worst over the variants run)."""
    if interrupted(report):
        return _interrupt_code(report)
    code = OK
    for r in report.results:
        code = max(code, _verdict_code(r.result), key=_severity)
    return code


def _verdict_code(result) -> int:
    if result.verdict is Verdict.ERROR:
        return MODEL_ERROR
    # a safety violation outranks a deadlock, which outranks a liveness violation: the
    # order TLC finds them in (a finite counterexample stops it before liveness is checked)
    kinds = {p.kind for p in result.properties if p.status is Status.VIOLATED}
    if kinds - {"deadlock", "liveness"}:
        return SAFETY_VIOLATION
    if "deadlock" in kinds:
        return DEADLOCK
    if "liveness" in kinds:
        return LIVENESS_VIOLATION
    if result.verdict is Verdict.INCOMPLETE:
        return INCOMPLETE
    return OK


_ORDER = [OK, INCOMPLETE, LIVENESS_VIOLATION, DEADLOCK, SAFETY_VIOLATION, MODEL_ERROR]


def _severity(code: int) -> int:
    return _ORDER.index(code)


def with_strict(code: int, report) -> int:
    """`check --strict`: an unacknowledged warning turns an OK run into STRICT_WARNINGS; any
    other code already says more."""
    return STRICT_WARNINGS if code == OK and unacknowledged(report) else code


def unacknowledged(report) -> list:
    """(variant name or None, warning) for every warning no variant acknowledges; None for
    the spec's own warnings (front end), which belong to no variant."""
    out = [(None, w) for w in report.spec_warnings]
    out += [(r.variant.name, w) for r in report.results for w in r.warnings]
    return out


def with_baseline(code: int, changed: bool) -> int:
    """`check --baseline`: a changed state space turns an OK run into BASELINE_CHANGED; any
    other code already says more (docs/ci.md)."""
    return BASELINE_CHANGED if changed and code == OK else code
