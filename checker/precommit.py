"""The pre-commit hook (`.pre-commit-hooks.yaml`, id `kovn-check`): `check` on each changed spec.

Input: argv as pre-commit passes it: `check` options first (the hook's `args`), then the
names of the changed `.kovn` files. Output: each spec checked as `check FILE OPTIONS` would,
one after the other, its report on the terminal; the exit code is the worst of theirs
(0 when every spec met its expectations), so the commit is refused when any failed.

A file that only other specs import (a shared prelude) is not a spec of its own: exclude
it in the hook's `exclude` (docs/ci.md shows how), or its own check will fail.
"""
from __future__ import annotations

import sys

from checker import cli


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    options = [a for a in argv if not a.endswith(".kovn")]
    specs = [a for a in argv if a.endswith(".kovn")]
    worst = 0
    for spec in specs:
        code = cli.main([spec, *options])
        worst = max(worst, code)
    return worst


def run() -> None:
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)
