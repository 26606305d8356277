"""Random small specs over a symmetric type, for cross-checking symmetry reduction.

Input: a seed. Output: spec text with `type S = symmetric 1..K` (K = 2..4), one to four
state variables drawn from shapes that hold S values in every way the canonical form
distinguishes (a map keyed by S, a set of S, a sum type with an S payload in a set, a
partial map keyed by S: indexed places; an option of S, a map with fixed keys and S
values, a sequence of S, a record with an S field: fixed places holding elements; a map
from S to option of S, a set of records with an S field: relations between elements,
where the canonical form falls back to trying orders; Kubernetes-style object names, a
sum type whose payload is a record holding S, in every place: see SHAPES), actions with S
parameters, and an
invariant that is sometimes violated. Every expression uses S values only as the language
allows for a symmetric type (==, !=, membership, keys, elements, payloads), so every
spec must pass the symmetry check; two variants: `plain` and `sym` (symmetry S).

The specgen.py generator (tests/property) has no symmetric types, and its expressions mix
ints freely; this one is small and separate rather than a mode of that one.
"""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    name: str
    decl: str                     # the variable's type
    init: str                     # its initial value
    updates: tuple[str, ...]      # statements, with {r} and {q} for S values
    guards: tuple[str, ...]       # boolean expressions, with {r} and {q}
    facts: tuple[str, ...]        # state predicates (no parameters), for invariants


SHAPES = [
    Shape("st", "S -> E", "{x: a for x in S}",
          ("{v}[{r}] := b", "{v}[{r}] := c", "{v}[{q}] := {v}[{r}]"),
          ("{v}[{r}] == a", "{v}[{r}] != c", "{v}[{r}] == {v}[{q}]"),
          ("forall x in S: {v}[x] != c", "exists x in S: {v}[x] == b")),
    Shape("in", "set[S]", "{}",
          ("{v} := {v} | {{{r}}}", "{v} := {v} - {{{r}}}"),
          ("{r} in {v}", "{r} not in {v}", "len({v}) < 2"),
          ("len({v}) <= 1", "{v} != S")),
    Shape("msgs", "set[M]", "{}",
          ("{v} := {v} | {{P({r})}}", "{v} := {v} | {{Q}}", "{v} := {v} - {{P({q})}}"),
          ("P({r}) in {v}", "Q not in {v}", "P({r}) not in {v}"),
          ("not (Q in {v} and (exists x in S: P(x) in {v}))",)),
    Shape("pm", "map[S, bool]", "{}",
          ("{v}[{r}] := true", "{v}[{r}] := false", "{v} := remove({v}, {r})"),
          ("{r} in {v}", "{r} not in {v}", "{r} in {v} and {v}[{r}]"),
          ("len({v}) < 3", "forall x in keys({v}): {v}[x]")),
    Shape("lead", "option[S]", "none",
          ("{v} := some({r})", "{v} := none"),
          ("{v} == none", "{v} == some({r})", "{v} != some({q})"),
          ("is_none({v}) or get({v}) in S",)),
    Shape("fix", "E -> option[S]", "{e: none for e in E}",
          ("{v}[a] := some({r})", "{v}[b] := {v}[a]", "{v}[c] := none"),
          ("{v}[a] == some({r})", "{v}[b] == none"),
          ("{v}[a] != {v}[b] or {v}[a] == none",)),
    Shape("q", "seq[S, 2]", "[]",
          ("{v} := append({v}, {r})", "{v} := tail({v})"),
          ("len({v}) < 2", "len({v}) > 0 and head({v}) == {r}", "len({v}) > 0"),
          ("len({v}) < 2", "len({v}) == 0 or head({v}) != last({v})")),
    Shape("rec", "Cell", "Cell(tag: a, who: none)",
          ("{v}.who := some({r})", "{v}.tag := b", "{v} := Cell(tag: c, who: none)"),
          ("{v}.who == some({r})", "{v}.tag == a"),
          ("{v}.tag != c or {v}.who == none",)),
    Shape("nxt", "S -> option[S]", "{x: none for x in S}",
          ("{v}[{r}] := some({q})", "{v}[{r}] := none"),
          ("{v}[{r}] == none", "{v}[{r}] == some({q})", "{v}[{q}] != some({r})"),
          ("forall x in S: {v}[x] != some(x)", "not (exists x in S, y in S: {v}[x] == some(y) and {v}[y] == some(x))")),
    Shape("pairs", "set[Pair]", "{}",
          ("{v} := {v} | {{Pair(from: {r}, to: {q})}}", "{v} := {v} - {{Pair(from: {q}, to: {r})}}"),
          ("Pair(from: {r}, to: {q}) not in {v}", "len({v}) < 2"),
          ("forall x in S: Pair(from: x, to: x) not in {v}",)),
    # Kubernetes-style object names (docs/adr/0035): values of a small type that hold one
    # element each (a sum with a record payload) as map keys, set elements, option and
    # sequence values, maps whose values name other elements; comprehensions keyed by their
    # binder, `for` loops whose iterations commute, an initial state that singles one out
    Shape("objs", "map[N, bool]", "{}",
          ("{v}[Pod({r})] := true", "{v}[Ip(Nic(pod: {r}, index: 2))] := false", "{v} := remove({v}, Pod({q}))",
           "{v} := {{n: {v}[n] for n in keys({v}) if n != Pod({r})}}", "{v}[Sub] := true"),
          ("Pod({r}) in {v}", "Ip(Nic(pod: {q}, index: 2)) not in {v}", "len({v}) < 3"),
          ("len({v}) < 4", "forall n in keys({v}): {v}[n] or n == Sub")),
    Shape("nics", "set[Nic]", "{Nic(pod: 1, index: 1)}",
          ("{v} := {v} | {{Nic(pod: {r}, index: 1)}}", "{v} := {v} - {{Nic(pod: {q}, index: 1)}}",
           "{v} := {{n for n in {v} if n.pod != {r}}}", "{v} := {v} | {{Nic(pod: {q}, index: 2)}}"),
          ("Nic(pod: {r}, index: 2) not in {v}", "len({v}) < 3", "exists n in {v}: n.pod == {r}"),
          ("len({v}) <= 2", "forall n in {v}: n.index == 1")),
    Shape("cur", "option[N]", "some(Ip(Nic(pod: 1, index: 2)))",
          ("{v} := some(Ip(Nic(pod: {r}, index: 1)))", "{v} := some(Sub)", "{v} := none", "{v} := some(Pod({q}))"),
          ("{v} == none", "{v} != some(Pod({q}))", "{v} == some(Ip(Nic(pod: {r}, index: 1)))"),
          ("{v} != some(Sub)", "is_none({v}) or (exists x in S: {v} != some(Pod(x)))")),
    Shape("own", "map[N, option[N]]", "{}",
          ("{v}[Pod({r})] := some(Pod({q}))", "{v}[Sub] := some(Pod({r}))", "{v} := remove({v}, Pod({r}))",
           "{v}[Ip(Nic(pod: {q}, index: 1))] := none"),
          ("Pod({r}) in {v}", "Pod({r}) not in {v}", "Sub not in {v}"),
          ("len({v}) < 3", "forall n in keys({v}): {v}[n] != some(n)")),
    Shape("log", "seq[N, 2]", "[]",
          ("{v} := append({v}, Pod({r}))", "{v} := tail({v})", "{v} := append({v}, Ip(Nic(pod: {q}, index: 1)))"),
          ("len({v}) < 2", "len({v}) > 0 and head({v}) == Pod({r})"),
          ("len({v}) < 2", "len({v}) == 0 or head({v}) != Sub")),
    Shape("mark", "set[S]", "{1}",
          ("for x in S {{ if x != {r} {{ {v} := {v} | {{x}} }} }}", "{v} := {v} - {{{r}}}",
           "for x in S {{ {v} := {v} - {{x}} }}"),
          ("{r} in {v}", "{r} not in {v}"),
          ("len({v}) < 3", "{v} != {{}}")),
]

NAMES = {"objs", "nics", "cur", "own", "log", "mark"}

HEADER = """spec sym
type S = symmetric 1..{k}
type E = a | b | c
type M = P(S) | Q
type Cell = {{tag: E, who: option[S]}}
type Pair = {{from: S, to: S}}
type Nic = {{pod: S, index: 1..2}}
type N = Pod(S) | Sub | Ip(Nic)
"""


def symmetric_spec(seed: int) -> str:
    """A random spec over `type S = symmetric 1..K` with variants `plain` and `sym`."""
    rng = random.Random(seed)
    k = rng.choice([2, 3, 3, 4])
    shapes = rng.sample(SHAPES, rng.randint(1, 3))
    if seed % 3 == 0 and not any(sh.name in NAMES for sh in shapes):
        shapes[0] = rng.choice([sh for sh in SHAPES if sh.name in NAMES])   # a third use names
    names = [f"v{i}_{s.name}" for i, s in enumerate(shapes)]
    out = [HEADER.format(k=k)]
    for v, s in zip(names, shapes):
        out.append(f"var {v}: {s.decl}")
    out.append("init {")
    for v, s in zip(names, shapes):
        out.append(f"  {v} := {s.init}")
    out.append("}")
    for i in range(rng.randint(1, 4)):
        params = rng.choice(["(r: S)", "(r: S, q: S)", "(r: S, q: S)"])
        r, q = "r", ("q" if "q" in params else "r")
        body = []
        for _ in range(rng.randint(0, 2)):
            j = rng.randrange(len(shapes))
            g = rng.choice(shapes[j].guards).format(v=names[j], r=r, q=q)
            if rng.random() < 0.3:
                g = f"not ({g})"
            body.append(f"  require {g}")
        if "q" in params and rng.random() < 0.5:
            body.append(f"  require r {rng.choice(['==', '!='])} q")
        assigned = set()
        for _ in range(rng.randint(1, 2)):
            j = rng.randrange(len(shapes))
            if j in assigned:
                continue
            assigned.add(j)
            body.append("  " + rng.choice(shapes[j].updates).format(v=names[j], r=r, q=q))
        out.append(f"action A{i}{params} {{")
        out.extend(body)
        out.append("}")
    facts = [rng.choice(s.facts).format(v=v) for v, s in zip(names, shapes)]
    out.append(f"invariant Inv: {' and '.join(f'({f})' for f in rng.sample(facts, rng.randint(1, len(facts))))}")
    if rng.random() < 0.3:
        j = rng.randrange(len(shapes))
        out.append(f"reachable Some: {rng.choice(shapes[j].facts).format(v=names[j])}")
    out.append(rng.choice(["allow deadlock", "check deadlock"]))
    out.append("variant plain {}")
    out.append("variant sym { symmetry S }")
    return "\n".join(out) + "\n"
