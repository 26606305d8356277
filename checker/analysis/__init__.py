"""Trace analysis: what a counterexample's steps read, why its property fails, and where a
run-time error happened.

Input: a model compiled from a spec (the `SpecSource` protocol, source.py, which
checker/compile/model.py's SpecModel provides) and a trace with what it is a
counterexample to. Output: results (results.py: `Read`, `Explanation`, `TraceAnalysis`),
plain data the renderers (checker/render) draw; they import nothing else from here.

The modules: analyse.py (the entry point, `analyse`), source.py (the protocol), results.py,
recorder.py (the reference interpreter, noting every read of the state), reads.py (what
each step read; what a violated property looked at), failure.py (what a run-time error was
evaluating). A model written in Python has no spec: its traces are analysed to nothing (no
reads, no explanation). This file imports nothing: results.py and source.py are light, the
rest (the interpreter, the solver's planner) is loaded only when a trace is analysed.
"""
