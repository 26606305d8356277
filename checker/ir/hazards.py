"""Sequential-update hazards: an action that reads what it has already assigned (KOV605).

Input: one variant's `ir.SpecIR`. Output: warnings (Diagnostics, code KOV605), one per read.

Statements run in order (docs/language.md): after `x := x + 1`, `y := x` reads the new x,
where TLA+'s `x' = x + 1 /\\ y' = x` reads the old one. A reader translating TLA+ expects
the old value; this pass points at each read, written in an action's own text, of a state
variable (or of a part of it: `f[k]`, `r.a`) that the step has assigned before it, on some
path through the action. Not flagged, because the new value is evidently what is meant:

- a read inside `old(...)` (the value at the start of the step: the form that says "old");
- a read in the value assigned to the same variable (`q := append(q, a)` after
  `q := append(q, b)`: the step builds the value up);
- a read, in a `for` body, of what the same body assigns (a loop works on the state it
  leaves);
- reads in the body of a macro the action calls, and in the `restart` statement's
  recomputation: a macro is a unit that works on the state as it is called (the Kubernetes
  library's `update` followed by `removeIfFinalized`); its arguments count as the action's;
- process steps: PlusCal's semantics is this one (`x := 1; y := x` gives y = 1), and
  processes are written as PlusCal;
- init blocks, and the shipped library's own actions.

A read of another part than the one assigned is not flagged when the parts are different
for sure (two different fields, two different literal keys); otherwise it may be the same
part and is. A definition called after the assignment reads every variable its body reads.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker import codes
from checker.diagnostics import Diagnostic, Severity, Span
from checker.ir import nodes as ir
from checker.ir.walk import children, walk
from checker.loader import stdlib_dir

Place = tuple      # (var index, selector, ...): a field name (str) or a key expression


@dataclass(frozen=True)
class _Write:
    place: Place
    origin: Span | None
    text: str           # the place as written (`color[i]`), or the variable's name


def hazards(spec: ir.SpecIR) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for a in spec.actions:
        if a.process is not None or not isinstance(a.origin, Span) or _in_library(a.origin):
            continue
        found: dict = {}
        _Walk(spec, a, found).block(list(a.body), [], loop=())
        out += found.values()
    return out


class _Walk:
    def __init__(self, spec: ir.SpecIR, action: ir.ActionIR, found: dict):
        self.spec = spec
        self.action = action
        self.found = found

    def block(self, stmts: list, written: list[_Write], loop: tuple) -> list[_Write]:
        """Walk stmts with `written` assigned before them; return what is assigned after.
        `loop`: the variables the enclosing `for` bodies assign (their reads are the loop's)."""
        written = list(written)
        for s in stmts:
            if isinstance(s, ir.Require):
                if _is_false(s.cond):
                    break       # the constants rule this path out in this variant
                self.reads(s.cond, written, loop)
            elif isinstance(s, ir.LetS):
                self.reads(s.value, written, loop)
            elif isinstance(s, ir.ChooseS):
                self.reads(s.domain, written, loop)
            elif isinstance(s, ir.Assign):
                target = _target_span(s)
                self.reads(s.value, written, loop, own=s.var, target=target)
                text = " ".join(target.text().split()) if target is not None else self.spec.vars[s.var].name
                written.append(_Write(_written_place(s, target), s.origin, text))
            elif isinstance(s, ir.IfS):
                self.reads(s.cond, written, loop)
                branches = []       # a branch a constant rules out in this variant is not run
                if not _is_false(s.cond):
                    branches.append(self.block(list(s.then), written, loop))
                if not _is_true(s.cond):
                    branches.append(self.block(list(s.else_), written, loop))
                merged: list[_Write] = []
                for b in branches:
                    merged += [w for w in b if w not in merged]
                written = merged
            elif isinstance(s, ir.ForS):
                self.reads(s.domain, written, loop)
                inner = tuple(sorted({n.var for n in walk(s) if isinstance(n, ir.Assign)}))
                after = self.block(list(s.body), written, loop + inner)
                written = after
        return written

    def reads(self, e: ir.E, written: list[_Write], loop: tuple, own: int | None = None,
              target: Span | None = None) -> None:
        if not written:
            return
        for place, node, via in _reads(e, self.spec.defs, target):
            if place[0] == own or place[0] in loop:
                continue
            if not isinstance(node.origin, Span) or not _within(node.origin, self.action.origin):
                continue        # written in a macro the action calls, or in a declaration
            hit = next((w for w in reversed(written) if _overlap(w.place, place)), None)
            if hit is not None:
                self.report(node, via, place, hit)

    def report(self, node: ir.E, via: str | None, place: Place, w: _Write) -> None:
        key = node.origin.start
        if key in self.found:
            return
        var = self.spec.vars[place[0]].name
        text = " ".join(node.origin.text().split())
        what = f"'{text}'" if via is None else f"'{var}' through '{text}'"
        line = f" (line {w.origin.line})" if isinstance(w.origin, Span) else ""
        a = self.action.name
        labels = ((w.origin, "assigned here"),) if isinstance(w.origin, Span) else ()
        self.found[key] = Diagnostic(
            codes.READ_AFTER_WRITE,
            f"read after write: action '{a}' reads {what} after assigning '{w.text}'{line}: statements "
            "run in order, so it reads the new value", node.origin, Severity.WARNING, labels,
            ("in TLA+ an action reads the value before the step (x), and the new one only as x'",),
            subjects=(a,),
            hint=f"write old({var if via else text}) for the value before the step, or name it first "
                 f"(`let prev = {var}`); if the new value is meant, acknowledge it "
                 f"(`acknowledge read_after_write {a}`)")


def _reads(e: ir.E, defs, target: Span | None):
    """(place, node, via) for every read of state in e, outside old(...); `via`: the
    definition call it is read through (its reads are whole variables). Nodes whose origin
    is `target` are the place an assignment writes (its desugared update), not reads."""
    stack = [e]
    while stack:
        n = stack.pop()
        if isinstance(n, ir.Op) and n.op == "old":
            continue
        place = _place(n)
        if place is not None and not _same_span(n.origin, target):
            yield place, n, None
            stack.extend(_keys(n))
            continue
        if isinstance(n, ir.CallDef):
            for var in _def_reads(n.index, defs, frozenset()):
                yield (var,), n, defs[n.index].name
            stack.extend(n.args)
            continue
        stack.extend(_children(n))


def _place(n: ir.E) -> Place | None:
    if isinstance(n, ir.VarRef) and not n.primed:
        return (n.index,)
    if isinstance(n, ir.Index):
        base = _place(n.base)
        return None if base is None else base + (n.key,)
    if isinstance(n, ir.FieldGet):
        base = _place(n.base)
        return None if base is None else base + (n.name,)
    return None


def _keys(n: ir.E) -> list:
    """The key expressions of a place's selectors (they are reads of their own)."""
    out = []
    while isinstance(n, (ir.Index, ir.FieldGet)):
        if isinstance(n, ir.Index):
            out.append(n.key)
        n = n.base
    return out


def _children(n) -> list:
    return list(children(n))


def _def_reads(index: int, defs, seen: frozenset) -> list[int]:
    out: list[int] = []
    for n in walk(defs[index].body):
        if isinstance(n, ir.VarRef) and not n.primed and n.index not in out:
            out.append(n.index)
        elif isinstance(n, ir.CallDef) and n.index not in seen:
            out += [v for v in _def_reads(n.index, defs, seen | {index}) if v not in out]
    return out


def _target_span(s: ir.Assign) -> Span | None:
    """The span of the assigned place (`f[k].a` in `f[k].a := v`), when the elaborator
    desugared a place into an update of the whole variable (assign_path)."""
    v = s.value
    if isinstance(v, ir.Update) and isinstance(v.base, ir.VarRef) and v.base.index == s.var \
            and _same_span(v.base.origin, v.origin):
        return v.origin
    return None


def _written_place(s: ir.Assign, target: Span | None) -> Place:
    place: Place = (s.var,)
    v = s.value
    while isinstance(v, ir.Update) and _same_span(v.origin, target) and len(v.entries) == 1:
        key, v = v.entries[0]
        place = place + (key,)
    return place


def _overlap(w: Place, r: Place) -> bool:
    if w[0] != r[0]:
        return False
    return not any(_different(a, b) for a, b in zip(w[1:], r[1:]))


def _different(a, b) -> bool:
    """Two selectors that name different parts for sure."""
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a != b
    a, b = _literal(a), _literal(b)
    if isinstance(a, ir.Lit) and isinstance(b, ir.Lit):
        return a.value != b.value
    if isinstance(a, ir.Construct) and isinstance(b, ir.Construct):
        return a.payload is None and b.payload is None and a.tag != b.tag
    return False


def _is_false(e) -> bool:
    return isinstance(e, ir.Lit) and e.value is False


def _is_true(e) -> bool:
    return isinstance(e, ir.Lit) and e.value is True


def _literal(e):
    """A key as a literal when it is one (through the conversion to the key's type)."""
    while isinstance(e, ir.Coerce):
        e = e.e
    return e


def _same_span(a, b) -> bool:
    return (isinstance(a, Span) and isinstance(b, Span) and a.source is b.source
            and a.start == b.start and a.end == b.end)


def _within(inner: Span, outer: Span) -> bool:
    return inner.source is outer.source and outer.start <= inner.start and inner.end <= outer.end


def _in_library(span: Span) -> bool:
    return Path(span.path).resolve().parent == stdlib_dir().resolve()
