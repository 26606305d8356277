"""Observers: generated code that records which premises hold in a state or on a transition.

Input: a `CodeGen` that has written the spec's module (codegen.py), the premises of its
properties (ir/premises.py) and the ids of those still unseen. Output: the source of

    _ob_s(w)        the premises of invariants and temporal properties, in state w
    _ob_t(s, t)     the premises of action properties, on the transition s -> t

each of which sets `_OBS[id] = 1` for every premise it finds true, and `_OBE[id] = 1` for
every premise of a conjunction whose evaluation failed (a run-time error: the premise is then
neither called vacuous nor not; the property's own evaluation reports the error, if the
search meets it there). They are regenerated, small, whenever the set of unseen premises
shrinks (checker/compile/model.py `Observers`), so a premise costs nothing once seen.

A conjunction's prefixes are one chain of nested `if`s: `a`, `a and b`, `a and b and c` cost
one evaluation of each conjunct, however many of the prefixes are still unseen. Enclosing
quantifiers become `for` loops over their domains, `let`s assignments, guards `if`s.
"""
from __future__ import annotations

from checker.compile.codegen import CodeGen, Env
from checker.ir.premises import Bind, Guard, LetB, Premise


def observer_source(gen: CodeGen, premises: tuple[Premise, ...], pending: frozenset[int],
                    step: bool, name: str) -> str | None:
    """`name(w)` (or `name(s, t)` when `step`) for the pending premises of that kind, or
    None when there is none."""
    todo = [p for p in premises if p.step == step and p.id in pending]
    if not todo:
        return None
    env = Env("s", "t") if step else Env("w")
    lines = [f"def {name}({'s, t' if step else 'w'}):", "    O = _OBS"]
    chains: dict[int, list[Premise]] = {}
    for p in todo:
        chains.setdefault(p.chain, []).append(p)
    for group in chains.values():
        lines += _chain(gen, group, env)
    return "\n".join(lines) + "\n"


def _chain(gen: CodeGen, group: list[Premise], env: Env) -> list[str]:
    """One chain's code, inside a try: its scope, then its prefixes nested."""
    first = group[0]
    out = ["    try:"]
    ind = 2
    for entry in first.scope:
        if isinstance(entry, Bind):
            out.append("    " * ind + f"for {entry.name} in {gen.iterate(entry.domain, env)}:")
            ind += 1
        elif isinstance(entry, LetB):
            out.append("    " * ind + f"{entry.name} = {gen.ex(entry.value, env)}")
        elif isinstance(entry, Guard):
            cond = gen.ex(entry.cond, env)
            out.append("    " * ind + (f"if {cond}:" if entry.positive else f"if not ({cond}):"))
            ind += 1
    at = {p.position: p for p in group}
    last = max(at)
    if 0 in at:                 # a range premise: its scope's last binder has a value
        out.append("    " * ind + f"O[{at[0].id}] = 1")
    for i in range(1, last + 1):
        out.append("    " * ind + f"if {gen.ex(first_conds(group)[i - 1], env)}:")
        ind += 1
        if i in at:
            out.append("    " * ind + f"O[{at[i].id}] = 1")
    if len(out) == 1 + len(first.scope) or out[-1].strip().startswith(("for ", "if ")):
        out.append("    " * ind + "pass")
    ids = ", ".join(str(p.id) for p in group)
    out += ["    except _ModelError:",
            f"        for k in ({ids},):",
            "            _OBE[k] = 1"]
    return out


def first_conds(group: list[Premise]) -> tuple:
    """The conjuncts of a chain: those of its longest premise (the others are prefixes)."""
    return max(group, key=lambda p: p.position).conds
