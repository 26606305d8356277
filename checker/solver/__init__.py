"""Constraint solving: `choose ... where`, large-domain guards, dead-guard warnings.

The only package that imports z3 (encode.py, values.py, enumerate.py, deadguard.py); plan.py
and options.py do not, so the front end and the code generator can use them freely.
docs/solver.md describes the whole.
"""
