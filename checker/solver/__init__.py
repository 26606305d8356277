"""Constraint solving: `choose ... where`, large-domain guards, dead-guard warnings.

The only package that imports z3 (values.py, encode.py, operators.py, enumerate.py,
deadguard.py; runtime.py on the first cache miss). solve_plan.py, solve_support.py and options.py do
not, so the front end and the code generator use them freely. docs/solver.md describes the
whole; docs/adr/0020-z3-choose-where.md the decisions.
"""
