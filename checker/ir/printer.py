"""A deterministic text dump of the IR of one variant (golden tests, debugging).

Input: `ir.SpecIR`. Output: text, one line per declaration and per statement, nested
blocks indented by two spaces. Expressions are printed in infix form with every compound
operand parenthesised, so the text shows exactly how the IR is nested: `((x + 1) as 0..3)`
is the range check the elaborator put around `x + 1`. Bound names are printed as the IR
holds them (made unique per spec: `r_3`), variables by their declared names, literals in
kovn's own syntax.
"""
from __future__ import annotations

from checker.ir import nodes as ir
from checker.ir.plain import from_rep
from checker.semantics import types as T
from checker.semantics import display as D

_INFIX = {
    "add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%",
    "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!=",
    "and": "and", "or": "or", "implies": "=>", "iff": "<=>", "in": "in",
    "union": "|", "inter": "&", "diff": "-", "subseteq": "<=", "range": "..", "concat": "++",
}


def print_spec(spec: ir.SpecIR) -> str:
    """The whole variant: constants, variables, definitions, init, actions, properties."""
    return _Printer(spec).spec_text()


def print_expr(spec: ir.SpecIR, e: ir.E) -> str:
    """One expression of spec (variable and definition names are looked up in it)."""
    return _Printer(spec).ex(e)


class _Printer:
    def __init__(self, spec: ir.SpecIR):
        self.spec = spec
        self.lines: list[str] = []

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    # ------------------------------------------------------------ declarations
    def spec_text(self) -> str:
        s = self.spec
        self.emit(0, f"spec {s.name} variant {s.variant}")
        for c in s.consts:
            self.emit(0, f"const {c.name}: {c.t} = {self.value(c.t, c.value)}")
        for v in s.vars:
            self.emit(0, f"var {v.name}: {v.t}")
        for d in s.defs:
            params = ", ".join(f"{n}: {t}" for n, t in d.params)
            self.emit(0, f"def {d.name}({params}): {d.t} = {self.ex(d.body)}")
        self.emit(0, "init {")
        self.block(s.init, 1)
        self.emit(0, "}")
        for a in s.actions:
            params = ", ".join(f"{p.name}: {p.t} in {self.ex(p.domain)}" for p in a.params)
            head = f"action {a.name}({params})" if a.params else f"action {a.name}"
            if a.process is not None:
                head += f" [process {a.process}, label {a.label}]"
            self.emit(0, head + " {")
            self.block(a.body, 1)
            self.emit(0, "}")
        for p in s.properties:
            kind = "action property" if p.kind == "action" else p.kind
            self.emit(0, f"{kind} {p.name}: {self.ex(p.expr)}")
        for t in s.temporals:
            binds = ", ".join(f"{p.name} in {self.ex(p.domain)}" for p in t.params)
            head = f"temporal {t.name} [{t.kind}]" + (f" forall {binds}" if binds else "")
            body = self.ex(t.p) if t.q is None else f"{self.ex(t.p)} ~> {self.ex(t.q)}"
            self.emit(0, f"{head}: {body}")
        for f in s.fairness:
            actions = ", ".join(s.actions[i].name for i in f.actions)
            bound = "" if f.bound is None else " bound (" + ", ".join(
                b if isinstance(b, str) else repr(b[1]) for b in f.bound) + ")"
            self.emit(0, f"fair {f.strength} {actions}" + (" (each instance)" if f.each else "") + bound)
        self.emit(0, "check deadlock" if s.check_deadlock else "allow deadlock")
        for var, done in s.terminal_pcs:
            self.emit(0, f"terminal when every {s.vars[var].name} is {s.vars[var].t.value.labels[done]}")
        return "\n".join(self.lines) + "\n"

    # ------------------------------------------------------------ statements
    def block(self, stmts: tuple[ir.S, ...], depth: int) -> None:
        for st in stmts:
            self.stmt(st, depth)

    def stmt(self, st: ir.S, depth: int) -> None:
        if isinstance(st, ir.Require):
            self.emit(depth, f"require {self.ex(st.cond)}")
        elif isinstance(st, ir.Assign):
            self.emit(depth, f"{self.spec.vars[st.var].name} := {self.ex(st.value)}")
        elif isinstance(st, ir.LetS):
            self.emit(depth, f"let {st.name} = {self.ex(st.value)}")
        elif isinstance(st, ir.ChooseS):
            self.emit(depth, f"choose {st.name} in {self.ex(st.domain)}")
        elif isinstance(st, ir.IfS):
            self.emit(depth, f"if {self.ex(st.cond)} {{")
            self.block(st.then, depth + 1)
            if st.else_:
                self.emit(depth, "} else {")
                self.block(st.else_, depth + 1)
            self.emit(depth, "}")
        elif isinstance(st, ir.ForS):
            self.emit(depth, f"for {st.name} in {self.ex(st.domain)} {{")
            self.block(st.body, depth + 1)
            self.emit(depth, "}")
        else:
            raise NotImplementedError(f"statement {type(st).__name__}")

    # ------------------------------------------------------------ expressions
    def value(self, t: T.Type, rep) -> str:
        try:
            return D.show(from_rep(t, rep))
        except (NotImplementedError, TypeError, ValueError):
            return repr(rep)

    def ex(self, e: ir.E) -> str:
        if isinstance(e, ir.Lit):
            return self.value(e.t, e.value)
        if isinstance(e, ir.VarRef):
            return self.spec.vars[e.index].name + ("'" if e.primed else "")
        if isinstance(e, ir.Local):
            return e.name
        if isinstance(e, ir.Op):
            return self.op(e)
        if isinstance(e, ir.Quant):
            return f"({e.kind} {self.binders(e.binders)}: {self.ex(e.body)})"
        if isinstance(e, ir.Comp):
            cond = "" if e.cond is None else f" if {self.ex(e.cond)}"
            head = self.ex(e.elem) if e.key is None else f"{self.ex(e.key)}: {self.ex(e.elem)}"
            return f"{{{head} for {self.binders(e.binders)}{cond}}}"
        if isinstance(e, ir.Ite):
            return f"(if {self.ex(e.cond)} then {self.ex(e.then)} else {self.ex(e.else_)})"
        if isinstance(e, ir.LetE):
            return f"(let {e.name} = {self.ex(e.value)}: {self.ex(e.body)})"
        if isinstance(e, ir.CallDef):
            return f"{self.spec.defs[e.index].name}({', '.join(self.ex(a) for a in e.args)})"
        if isinstance(e, ir.Index):
            return f"{self.ex(e.base)}[{self.ex(e.key)}]"
        if isinstance(e, ir.FieldGet):
            return f"{self.ex(e.base)}.{e.name}"
        if isinstance(e, ir.Update):
            entries = ", ".join(f"{k if isinstance(k, str) else self.ex(k)}: {self.ex(v)}" for k, v in e.entries)
            return f"({self.ex(e.base)} with {{{entries}}})"
        if isinstance(e, ir.Collection):
            return self.collection(e)
        if isinstance(e, ir.Construct):
            return e.tag if e.payload is None else f"{e.tag}({self.ex(e.payload)})"
        if isinstance(e, ir.TypeSet):
            return self.type_set(e.t.elem)
        if isinstance(e, ir.Coerce):
            return f"({self.ex(e.e)} as {e.t})"
        if isinstance(e, ir.MatchE):
            arms = ", ".join(self.arm(a) for a in e.arms)
            return f"(match {self.ex(e.subject)} {{{arms}}})"
        if isinstance(e, ir.Solve):
            least = "least " if e.least else ""
            return f"{{{least}{e.name} in {self.type_set(e.t.elem)} | {self.ex(e.cond)}}}"
        raise NotImplementedError(f"expression {type(e).__name__}")

    def type_set(self, elem: T.Type) -> str:
        """Every value of a type, as a set: `0..3`, `Color`, `values({a: 0..2, b: bool})`."""
        if isinstance(elem, (T.IntT, T.SumT, T.BoolT)):
            return str(elem)
        return f"values({elem})"

    def op(self, e: ir.Op) -> str:
        args = [self.ex(a) for a in e.args]
        if e.op in _INFIX and len(args) == 2:
            return f"({args[0]} {_INFIX[e.op]} {args[1]})"
        if e.op == "not":
            return f"(not {args[0]})"
        if e.op == "neg":
            return f"(-{args[0]})"
        if e.op == "prime":
            return f"({args[0]})'"
        if e.op == "old":
            return f"old({args[0]})"
        name = {"min2": "min", "max2": "max"}.get(e.op, e.op)
        return f"{name}({', '.join(args)})"

    def binders(self, binders: tuple[ir.Binder, ...]) -> str:
        return ", ".join(f"{b.name} in {self.ex(b.domain)}" for b in binders)

    def arm(self, a: ir.MatchArm) -> str:
        pattern = "_" if a.tag is None else a.tag if a.bind is None else f"{a.tag}({a.bind})"
        return f"{pattern} => {self.ex(a.body)}"

    def collection(self, e: ir.Collection) -> str:
        t = e.t
        if isinstance(t, T.MapT):
            return "{" + ", ".join(f"{self.ex(k)}: {self.ex(v)}" for k, v in e.items) + "}"
        if isinstance(t, T.RecordT):
            fields = ", ".join(f"{n}: {self.ex(x)}" for (n, _), x in zip(t.fields, e.items))
            return f"{t.name}({fields})" if t.name else "{" + fields + "}"
        items = ", ".join(self.ex(x) for x in e.items)
        return f"[{items}]" if isinstance(t, T.SeqT) else "{" + items + "}"
