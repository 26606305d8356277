"""Random small specs of loosely coupled processes, for cross-checking partial-order reduction.

Input: a seed. Output: spec text whose actions touch, each, a few parts of the state: a
counter per process (`c[i]`, a map keyed by a parameter), a set of process ids (`done`,
elements added and removed one by one), a set per process (`q[i]`, its elements added and
removed: places two keys deep), two plain variables (`a`, `b`) and a shared one (`g`), and
sometimes a process family `W` with its pc and a local. Some actions couple parts (a guard
reading a neighbour's counter, `a` against `b`, `g` against a counter), some close cycles (a
counter wraps to 0), one may overflow its range (a run-time error), so the independence
relation is neither empty nor total and the cycle proviso has cycles to work on.
Properties: an invariant that is sometimes violated, sometimes a `reachable` property, an
action property (some false on a stuttering step, which must make the reduction step
aside), a state constraint, and deadlocks checked or allowed.

specgen.py (tests/property) writes specs whose actions share nearly everything, where the
reduction rarely has anything to do; this one is small and separate rather than a mode of
that one, like symgen.py for symmetry.
"""
from __future__ import annotations

import random


def spec_from_seed(seed: int) -> str:
    rng = random.Random(seed)
    procs = rng.randint(2, 3)
    k = rng.randint(1, 2)
    gmax = rng.randint(1, 2)
    lines = ["spec porgen", f"type P = 1..{procs}", f"const K: int = {k}",
             "var c: P -> 0..K", "var done: set[P]", "var q: P -> set[P]", "var a: 0..K", "var b: 0..K",
             f"var g: 0..{gmax}",
             "init {", "  c := {i: 0 for i in P}", "  done := {}", "  q := {i: {} for i in P}", "  a := 0",
             "  b := 0", "  g := 0", "}"]
    t = lambda: rng.randint(0, k)     # noqa: E731 - a counter value
    templates = [
        "action Inc(i: P) {\n  require c[i] < K\n  c[i] := c[i] + 1\n}",
        "action Wrap(i: P) {\n  require c[i] == K\n  c[i] := 0\n}",
        f"action Mark(i: P) {{\n  require c[i] >= {t()}\n  done := done | {{i}}\n}}",
        "action Unmark(i: P) {\n  require i in done\n  done := done - {i}\n}",
        f"action Bump {{\n  require g < {gmax}\n  g := g + 1\n}}",
        "action Drop {\n  require g > 0\n  g := g - 1\n}",
        f"action Sync(i: P) {{\n  require g == {rng.randint(0, gmax)} and c[i] > 0\n  c[i] := c[i] - 1\n}}",
        "action StepA {\n  require a < K\n  a := a + 1\n}",
        "action WrapA {\n  require a == K\n  a := 0\n}",
        "action StepB {\n  require b < K\n  b := b + 1\n}",
        "action Follow {\n  require a != b\n  b := a\n}",
        f"action Peek(i: P) {{\n  require c[(i % {procs}) + 1] == {t()}\n  c[i] := {t()}\n}}",
        "action Choose(i: P) {\n  require i not in done\n  choose v in 0..K\n  c[i] := v\n}",
        f"action Guarded(i: P) {{\n  if c[i] == {t()} {{\n    a := {t()}\n"
        "  } else {\n    done := done | {i}\n  }\n}",
        "action Send(i: P, j: P) {\n  require i != j and j not in q[i]\n  q[i] := q[i] | {j}\n}",
        "action Recv(i: P, j: P) {\n  require j in q[i]\n  q[i] := q[i] - {j}\n  c[j] := 0\n}",
        "action Overflow(i: P) {\n  require i in done\n  c[i] := c[i] + 1\n}",     # may leave 0..K
    ]
    rng.shuffle(templates)
    lines += templates[:rng.randint(3, 7)]
    if rng.random() < 0.4:
        lines += ["process W(w: 1..2) {", "  var n: 0..2 = 0", "  start:", "    n := (n + 1) % 3",
                  "  finish:", f"    c[w] := (c[w] + 1) % {k + 1}"]
        if rng.random() < 0.7:
            lines.append("    goto start")
        lines.append("}")
    facts = [f"not (c[1] == {t()} and c[2] == {t()})", f"a + b < {rng.randint(1, 2 * k)}",
             f"len(done) < {procs}", f"g != {gmax} or a == 0", "forall i in P: c[i] <= K",
             f"not (1 in done and a == {t()})", f"c[{procs}] != {t()} or g == 0", "not (1 in q[2])"]
    chosen = rng.sample(facts, rng.randint(1, 2))
    lines.append("invariant Inv: " + " and ".join(f"({f})" for f in chosen))
    if rng.random() < 0.4:
        lines.append(f"reachable Seen: c[1] == {t()} and a == {t()}")
    r = rng.random()
    if r < 0.25:
        lines.append("action property Grows: c[1]' >= c[1] or c[1]' == 0")
    elif r < 0.35:
        lines.append("action property Moves: a' != a")      # false on a stuttering step
    if rng.random() < 0.25:
        lines.append(f"constraint Small: a + g <= {rng.randint(1, 3)}")
    if rng.random() < 0.5:
        lines.append("allow deadlock")
    return "\n".join(lines) + "\n"
