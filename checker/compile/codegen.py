"""IR -> Python source for one variant: straight-line successor code over packed states.

Input: `ir.SpecIR`. Output: `Generated` (the module's source text, its constant table and
its table of source spans). A state is one int, the concatenation of the variables' codes
(layout.py); generated code reads a variable with one shift and mask and writes it with a
mask-and-or, so no state is ever decoded on the hot path. Each action becomes a function
`a<i>(s, app)` that calls app((label, next)) for every successor, with `require` as nested
`if`s and `choose` as `for` loops; properties become `check_state` / `check_transition`.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from checker.compile.layout import Layout
from checker.engine.model import ModelError
from checker.ir import nodes as ir
from checker.ir.solve_plan import enumerable, plan
from checker.ir.walk import closed, walk
from checker.semantics import types as T


@dataclass(frozen=True)
class Generated:
    source: str
    constants: dict
    origins: list


class Env:
    """Where the generated code finds the current (and, for x', the next) state, and the
    state the step started from (old(e); `s` in the code of every action)."""

    def __init__(self, state: str = "s", nxt: str | None = None, start: str = "s"):
        self.state = state
        self.nxt = nxt
        self.start = start

    def primed(self) -> "Env":
        return Env(self.nxt or "t", None, self.start)

    def at_start(self) -> "Env":
        return Env(self.start, None, self.start)


@dataclass(frozen=True)
class Path:
    """Where the statement code being written stands in its generated function: how many
    loops enclose it there, and how a failing `require` leaves the current path without
    nesting the rest (`continue` in a choice loop whose body is the rest of the path,
    `return` where the function's end is the path's end; None: nest)."""

    loops: int = 0
    exit: str | None = None
    nested: int = 0         # `if`s opened by requires that could not leave (exit None)

    def looped(self) -> "Path":
        return Path(self.loops + 1, "continue")

    def full(self) -> bool:
        """Is it time to move the rest into a generator (CodeGen.in_generator)?"""
        return self.loops >= _MAX_LOOPS or self.nested >= _MAX_NESTED


def _yield(gen: "CodeGen"):
    """The end of a path inside a generator of states (CodeGen.in_generator)."""
    return lambda ind, w: gen.emit(ind, f"yield {w}")


def _assign_to(gen: "CodeGen", w: str):
    """The end of a block that returns to straight-line code in state variable w."""
    return lambda ind, ww: gen.emit(ind, "pass" if ww == w else f"{w} = {ww}")


class CodeGen:
    def __init__(self, spec: ir.SpecIR, fold: bool = True, layout: Layout | None = None):
        self.spec = spec
        self.fold = fold
        self.layout = layout if layout is not None else Layout(spec.vars)
        self.lines: list[str] = []
        self.constants: dict = {}
        self.const_ids: dict = {}
        self.tables: dict = {}       # (direction, type) -> the name of its conversion table
        self.origins: list = []
        self.origin_ids: dict = {}
        self.tmp = itertools.count()
        self.queries: list = []      # solver queries (checker/ir/solve_plan.py), numbered
        self.query_of: dict = {}     # ir.Solve -> its query
        self.bound: dict[str, str] = {}   # locals fixed to a text (unrolled loops, x_Quant, inlined defs)
        self.inline_depth = 0
        # instances written out by the unrolled quantifiers and comprehensions around the
        # expression being generated: nested ones multiply, and the code must stay linear
        self.unrolled = 1

    # ------------------------------------------------------------ plumbing
    def const(self, value, prefix: str = "K") -> str:
        key = (prefix, type(value).__name__, value) if _hashable(value) else None
        if key is not None and key in self.const_ids:
            return self.const_ids[key]
        name = f"{prefix}{len(self.constants)}"
        self.constants[name] = value
        if key is not None:
            self.const_ids[key] = name
        return name

    def oid(self, origin) -> int:
        key = id(origin)
        if key not in self.origin_ids:
            self.origin_ids[key] = len(self.origins)
            self.origins.append(origin)
        return self.origin_ids[key]

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self.tmp)}"

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    # ------------------------------------------------------------ whole module
    def module(self) -> Generated:
        for i, d in enumerate(self.spec.defs):
            args = ", ".join(["s"] + [n for n, _ in d.params])
            self.emit(0, f"def d{i}({args}):")
            self.emit(1, f"return {self.ex(d.body, Env())}")
        self.gen_init()
        for i, a in enumerate(self.spec.actions):
            self.gen_action(i, a)
        self.emit(0, "def successors(s):")
        self.emit(1, "out = []")
        self.emit(1, "app = out.append")
        for i in range(len(self.spec.actions)):
            self.emit(1, f"a{i}(s, app)")
        self.emit(1, "return out")
        self.gen_checks()
        self.gen_temporal()
        return Generated("\n".join(self.lines) + "\n", self.constants, self.origins)

    def gen_init(self) -> None:
        # a generator: the search takes the states as they come, so a limit stops an
        # enumeration that would not end (engine/bfs.py _initial_states)
        self.emit(0, "def init_states():")
        self.emit(1, "w = 0")
        self.block(list(self.spec.init), 0, "w", 1, _yield(self), Path(0, "return"))

    def gen_action(self, i: int, a: ir.ActionIR) -> None:
        self.emit(0, f"def a{i}(s, app):")
        indent, label = self.param_loops(i, a, self.static_param_table(i, a), 1, self.emit)
        self.emit(indent, "w = s")
        # a failing require ends this parameter instance, or the whole (parameterless) action
        path = Path(indent - 1, "continue") if indent > 1 else Path(0, "return")
        self.block(list(a.body), 0, "w", indent, lambda ind, w: self.emit(ind, f"app(({label}, {w}))"), path)
        self.emit(1, "return")

    def param_loops(self, i: int, a: ir.ActionIR, table: str | None, indent: int, emit) -> tuple[int, str]:
        """Emit the loops over action i's parameter instances (over the prebuilt `table`
        when the domains are static); return the body's indent and the label expression."""
        if a.params and table is not None:
            emit(indent, f"for {', '.join(p.name for p in a.params)}, lbl in {table}:")
            return indent + 1, "lbl"
        if a.params:
            for p in a.params:
                emit(indent, f"for {p.name} in {self.iterate(p.domain, Env('s'))}:")
                indent += 1
            return indent, f"({i}, ({', '.join(p.name for p in a.params)},))"
        return indent, self.const((i, ()), "L")

    def static_param_table(self, i: int, a: ir.ActionIR) -> str | None:
        """The constant holding every parameter combination, or None when a domain reads
        state or fails to evaluate (then it is computed, and fails, at run time)."""
        if not all(_closed(p.domain) for p in a.params):
            return None
        try:
            return self.const(tuple(self.param_table(i, a)), "P")
        except ModelError:
            return None

    def param_table(self, i: int, a: ir.ActionIR):
        """Every combination of static parameter values, with its prebuilt label."""
        domains = [self.static_values(p.domain) for p in a.params]
        for combo in itertools.product(*domains):
            yield (*combo, (i, tuple(combo)))

    def static_values(self, dom: ir.E) -> list:
        t = dom.t.elem
        if isinstance(dom, ir.TypeSet):
            return T.values(t)
        value = self.evaluate(dom)
        if isinstance(value, frozenset):
            return sorted(value)
        return [T.from_ordinal(t, o) for o in T.bits(value)]

    def evaluate(self, e: ir.E):
        """Evaluate a closed expression now (for tables built at compile time)."""
        from checker.compile.model import evaluate_closed    # model.py imports this module
        return evaluate_closed(e, self)

    def gen_checks(self) -> None:
        checked = [p for p in self.spec.properties if p.kind != "constraint"]
        self.emit(0, "def check_state(s):")
        self.emit(1, "bad = ()")
        for i, p in enumerate(checked):
            if p.kind == "invariant":
                self.emit(1, f"if not ({self.ex(p.expr, Env('s'))}): bad += ({i},)")
            elif p.kind == "reachable":
                self.emit(1, f"if {self.ex(p.expr, Env('s'))}: bad += ({i},)")
        self.emit(1, "return bad")
        self.emit(0, "def check_transition(s, label, t):")
        self.emit(1, "bad = ()")
        for i, p in enumerate(checked):
            if p.kind == "action":
                self.emit(1, f"if not ({self.ex(p.expr, Env('s', 't'))}): bad += ({i},)")
        self.emit(1, "return bad")
        constraints = [p for p in self.spec.properties if p.kind == "constraint"]
        self.emit(0, "def within_constraint(s):")
        self.emit(1, "return " + (" and ".join(f"({self.ex(p.expr, Env('s'))})" for p in constraints) or "True"))
        self.emit(0, "def is_terminal(s):")
        conds = []
        for var, done in self.spec.terminal_pcs:
            t = self.spec.vars[var].t
            want = 0
            for o in range(T.size(t.key)):
                want |= done << (o * T.slot_width(t))
            conds.append(f"{self.read_var(var, 's')} == {want}")
        self.emit(1, "return " + (" and ".join(conds) if conds else "False"))

    # ------------------------------------------------------------ temporal properties
    def gen_temporal(self) -> None:
        """`tp<i>(s, params...)` (and `tq<i>` for leads-to): the state predicates of temporal
        property i, with its `forall` bindings as arguments (see temporal_instances)."""
        for i, t in enumerate(self.spec.temporals):
            args = ", ".join(["s"] + [p.name for p in t.params])
            parts = [(f"{i}", t.p, t.q)] + [(f"{i}_{j}", p, q) for j, (_, p, q, _) in enumerate(t.conjuncts)]
            for name, p, q in parts:          # a conjunction: tp<i>_<j> for its conjunct j
                self.emit(0, f"def tp{name}({args}):")
                self.emit(1, f"return {self.ex(p, Env('s'))}")
                if q is not None:
                    self.emit(0, f"def tq{name}({args}):")
                    self.emit(1, f"return {self.ex(q, Env('s'))}")

    def temporal_instances(self, t: ir.TemporalIR) -> list[tuple]:
        """Every binding of t's `forall` (parameter values in the run-time representation),
        in the order of their domains; [()] for a property without one."""
        return list(itertools.product(*(self.static_values(p.domain) for p in t.params)))

    # ------------------------------------------------------------ statements
    def block(self, stmts: list, idx: int, w: str, ind: int, done, path: "Path | None" = None) -> None:
        """Emit stmts[idx:], then `done(indent, state_var)`; forks nest the rest.

        The code grows linearly with the statements (issue 20): the rest of a block after
        a forking `if` is written once per branch only when it is small, otherwise once,
        after the branches, which become a generator of the states they end in. `path`
        says how a failing `require` may leave (`continue` the enclosing choice loop,
        `return` from the function) without nesting what follows one level deeper, and how
        many loops enclose the code in the current function: past _MAX_LOOPS the rest
        moves into a generator of its own (CPython allows 20 nested blocks)."""
        path = path or Path()
        while idx < len(stmts):
            s = stmts[idx]
            if path.full() and isinstance(s, (ir.ChooseS, ir.ForS, ir.IfS, ir.Require)):
                self.in_generator(lambda ww, ind2: self.block(stmts, idx, ww, ind2, _yield(self), Path(0, "return")),
                                  w, ind, done, path)
                return
            if isinstance(s, ir.Require):
                conds = [s.cond]
                while idx + 1 < len(stmts) and isinstance(stmts[idx + 1], ir.Require):
                    idx += 1
                    conds.append(stmts[idx].cond)
                test = " and ".join(f"({self.ex(c, Env(w))})" for c in conds)
                if path.exit is not None:
                    self.emit(ind, f"if not ({test}): {path.exit}")
                else:
                    self.emit(ind, f"if {test}:")
                    ind += 1
                    path = Path(path.loops, None, path.nested + 1)
            elif isinstance(s, ir.Assign):
                self.assign(s, w, ind)
            elif isinstance(s, ir.LetS):
                self.emit(ind, f"{s.name} = {self.ex(s.value, Env(w))}")
            elif isinstance(s, ir.ChooseS):
                self.emit(ind, f"for {s.name} in {self.iterate(s.domain, Env(w), ordered=True)}:")
                w2 = self.fresh("w")
                self.emit(ind + 1, f"{w2} = {w}")
                w, ind = w2, ind + 1
                path = Path(path.loops + 1, "continue")
            elif isinstance(s, ir.ForS):
                if _forks(s):
                    self.forking_for(s, stmts[idx + 1:], w, ind, done, path)
                    return
                self.emit(ind, f"for {s.name} in {self.iterate(s.domain, Env(w), ordered=True)}:")
                self.block(list(s.body), 0, w, ind + 1, _assign_to(self, w), Path(path.loops + 1))
            elif isinstance(s, ir.IfS):
                if _forks(s):
                    self.forking_if(s, stmts[idx + 1:], w, ind, done, path)
                    return
                self.emit(ind, f"if {self.ex(s.cond, Env(w))}:")
                self.block(list(s.then), 0, w, ind + 1, _assign_to(self, w), Path(path.loops))
                if s.else_:
                    self.emit(ind, "else:")
                    self.block(list(s.else_), 0, w, ind + 1, _assign_to(self, w), Path(path.loops))
            else:
                raise AssertionError(s)
            idx += 1
        done(ind, w)

    def forking_if(self, s: ir.IfS, rest: list, w: str, ind: int, done, path: "Path") -> None:
        """An `if` whose branches contain `require` or `choose`: each branch continues on
        its own paths. A small rest is written into both branches (the common case, no
        generator); a larger one once, looping over the states the branches end in."""
        cond = self.ex(s.cond, Env(w))
        if sum(1 for st in rest for _ in walk(st)) <= _DUP_NODES:
            self.emit(ind, f"if {cond}:")
            self.block(list(s.then) + rest, 0, w, ind + 1, done, path)
            self.emit(ind, "else:")
            self.block(list(s.else_) + rest, 0, w, ind + 1, done, path)
            return

        def branches(ww: str, ind2: int) -> None:
            self.emit(ind2, f"if {cond}:")
            self.block(list(s.then), 0, ww, ind2 + 1, _yield(self), Path(0, "return"))
            self.emit(ind2, "else:")
            self.block(list(s.else_), 0, ww, ind2 + 1, _yield(self), Path(0, "return"))
        self.in_generator(branches, w, ind, lambda i, wn: self.block(rest, 0, wn, i, done, path.looped()),
                          path)

    def forking_for(self, s: ir.ForS, rest: list, w: str, ind: int, done, path: "Path") -> None:
        """A `for` whose body contains `require` or `choose`: the states the loop ends in,
        computed iteration by iteration (a failing `require` ends its path, a `choose`
        forks it: the whole step is disabled when no path gets through), then the rest
        once per such state. The domain is evaluated once, before the first iteration."""
        def paths(ww: str, ind2: int) -> None:
            fn, wb, ws = self.fresh("_iteration"), self.fresh("w"), self.fresh("ws")
            self.emit(ind2, f"def {fn}({wb}, {s.name}):")
            self.block(list(s.body), 0, wb, ind2 + 1, _yield(self), Path(0, "return"))
            self.emit(ind2, f"{ws} = [{ww}]")
            self.emit(ind2, f"for {s.name} in {self.iterate(s.domain, Env(ww), ordered=True)}:")
            self.emit(ind2 + 1, f"{ws} = [_b for _a in {ws} for _b in {fn}(_a, {s.name})]")
            self.emit(ind2, f"yield from {ws}")
        self.in_generator(paths, w, ind, lambda i, wn: self.block(rest, 0, wn, i, done, path.looped()), path)

    def in_generator(self, body, w: str, ind: int, then, path: "Path") -> None:
        """`def g(w): <body>` (a generator: body yields the states its paths end in), then
        `for w' in g(w): <then>`. The generator's locals start a new function: a new count
        of nested loops. Names bound before are read through the closure; names the body
        binds end with it (the language scopes them to their block)."""
        g, wn = self.fresh("_paths"), self.fresh("w")
        self.emit(ind, f"def {g}({w}):")
        body(w, ind + 1)
        self.emit(ind, f"for {wn} in {g}({w}):")
        then(ind + 1, wn)

    def assign(self, s: ir.Assign, w: str, ind: int) -> None:
        off, width = self.layout.offset(s.var), self.layout.width(s.var)
        self.splice(s.value, ir.VarRef(self.spec.vars[s.var].t, s.var), str(off), width, w, ind)

    def splice(self, value: ir.E, target: ir.E, off: str, width: int, w: str, ind: int) -> None:
        """Write value's code into bits [off, off+width) of w; descend into updates of target."""
        if isinstance(value, ir.Update) and _same_place(value.base, target) and len(value.entries) == 1:
            key, inner = value.entries[0]
            t = value.t
            if isinstance(t, T.RecordT):
                ft = t.field_type(key)
                sub = ir.FieldGet(ft, target, key)
                self.splice(inner, sub, f"{off} + {t.offset(key)}", T.width(ft), w, ind)
                return
            if isinstance(t, T.MapT) and t.total:
                slot = self.key_ordinal(key, t.key, Env(w)) + ' * ' + str(T.slot_width(t))
                o = self.offset_var(_plus(off, slot), ind)
                self.splice(inner, ir.Index(t.value, target, key), o, T.width(t.value), w, ind)
                return
            if isinstance(t, T.MapT) and not _reads_place(inner, target):
                sw, vw = T.slot_width(t), T.width(t.value)
                o = self.offset_var(_plus(off, self.key_ordinal(key, t.key, Env(w)) + ' * ' + str(sw)), ind)
                code = f"({self.code(inner, Env(w))} | {1 << vw})"
                self.emit(ind, f"{w} = ({w} & ~({(1 << sw) - 1} << {o})) | ({code} << {o})")
                return
        code = self.code(value, Env(w))
        mask = (1 << width) - 1
        if off.isdigit():
            clear = ~(mask << int(off))
            self.emit(ind, f"{w} = ({w} & {clear}) | ({code} << {off})")
        else:
            self.emit(ind, f"{w} = ({w} & ~({mask} << ({off}))) | ({code} << ({off}))")

    def offset_var(self, text: str, ind: int) -> str:
        """A bit offset computed once: the number itself when `text` is arithmetic on
        literals (a key fixed by an unrolled loop), else a fresh variable holding it."""
        if _LITERAL_ARITH.fullmatch(text):
            return str(eval(text, {"__builtins__": {}}))    # digits, + - * and brackets only
        o = self.fresh("o")
        self.emit(ind, f"{o} = {text}")
        return o

    # ------------------------------------------------------------ reading state
    def read_var(self, index: int, state: str) -> str:
        off, width = self.layout.offset(index), self.layout.width(index)
        mask = (1 << width) - 1
        if width == 0:
            return "0"
        if off == 0:
            return f"({state} & {mask})"
        return f"(({state} >> {off}) & {mask})"

    def place(self, e: ir.E, env: Env) -> tuple[str, str] | None:
        """(state var, bit offset expression) when e is a fixed part of the state."""
        if isinstance(e, ir.VarRef):
            return (env.nxt if e.primed else env.state), str(self.layout.offset(e.index))
        if isinstance(e, ir.FieldGet) and isinstance(e.base.t, T.RecordT):
            p = self.place(e.base, env)
            if p is not None:
                return p[0], _add(p[1], e.base.t.offset(e.name))
        if isinstance(e, ir.Index) and isinstance(e.base.t, T.MapT) and e.base.t.total:
            p = self.place(e.base, env)
            if p is not None:
                ko = self.key_ordinal(e.key, e.base.t.key, env)
                return p[0], _plus(p[1], f"{ko} * {T.slot_width(e.base.t)}") if not ko.isdigit() \
                    else _add(p[1], int(ko) * T.slot_width(e.base.t))
        if isinstance(e, ir.Op) and e.op == "prime":
            return self.place(e.args[0], env.primed())
        return None

    # ------------------------------------------------------------ expressions
    def ex(self, e: ir.E, env: Env) -> str:
        """A Python expression for e's run-time representation."""
        if self.fold and not isinstance(e, (ir.Lit, ir.TypeSet)) and _closed(e):
            try:
                value = self.evaluate(e)
            except ModelError:
                # It fails (1 / 0, a value out of range): leave it to run time, where it
                # fails only if a state actually reaches it, with that state's trace.
                return getattr(self, "x_" + type(e).__name__)(e, env)
            if isinstance(value, bool):
                return "True" if value else "False"
            if isinstance(value, int) and value.bit_length() <= 64:
                return str(value)
            return self.const(value)
        return getattr(self, "x_" + type(e).__name__)(e, env)

    def code(self, e: ir.E, env: Env) -> str:
        """A Python expression for e's code (its bits inside a packed parent)."""
        x = self.ex(e, env)
        if isinstance(e.t, T.IntT) and e.t.lo:
            return f"({x} - {e.t.lo})"
        if T.is_packed_set(e.t):     # a frozenset at run time, sorted codes in a state
            return f"_pset_code({x}, {self.const(e.t, 'T')}, {self.oid(e.origin)})"
        return x

    def rep(self, code: str, t: T.Type) -> str:
        if isinstance(t, T.IntT) and t.lo:
            return f"({code} + {t.lo})"
        if T.is_packed_set(t):
            return f"_pset_rep({code}, {self.const(t, 'T')})"
        return code

    def ordinal(self, e: ir.E, env: Env) -> str:
        t = e.t
        x = self.ex(e, env)
        if isinstance(t, T.IntT):
            return f"({x} - {t.lo})" if t.lo else x
        if isinstance(t, (T.BoolT, T.SumT, T.LabelT, T.SetT)):
            return x
        table = self.ordinal_table(t)
        if table is not None:
            return f"{table}[{x}]"
        return f"_ord({self.const(t, 'T')}, {x})"

    # Small composite types (a record carried by a message, the payload of an alternative)
    # convert between code and ordinal by a table built once, linear in the type's size: an
    # index instead of a call per conversion on the hot path.
    def ordinal_table(self, t: T.Type) -> str | None:
        """The name of a constant dict from code to ordinal, or None for a type too large."""
        if not (T.is_code(t) and T.size(t) <= _TABLE_LIMIT):
            return None
        key = ("ord", t)
        if key not in self.tables:
            self.tables[key] = self.const({v: o for o, v in enumerate(T.values(t))}, "O")
        return self.tables[key]

    def code_table(self, t: T.Type) -> str | None:
        """The name of a constant tuple from ordinal to code, or None for a type too large."""
        if not (T.is_code(t) and T.size(t) <= _TABLE_LIMIT):
            return None
        key = ("code", t)
        if key not in self.tables:
            self.tables[key] = self.const(tuple(T.values(t)), "C")
        return self.tables[key]

    def key_ordinal(self, key: ir.E, kt: T.Type, env: Env) -> str:
        """Ordinal of key among kt's values; range-checked when key's type is wider."""
        if isinstance(kt, T.IntT) and isinstance(key.t, T.IntT) and not _within(key.t, kt):
            x = self.ex(key, env)
            if _LITERAL_ARITH.fullmatch(x):
                # a key fixed by an unrolled parameter (`c[i - 1]`, i = 3): checked here, once;
                # one outside the keys keeps the check, which fails only if it is reached
                v = eval(x, {"__builtins__": {}})    # digits, + - * and brackets only
                if kt.lo <= v <= kt.hi:
                    return str(v - kt.lo)
            return f"_key({x}, {kt.lo}, {kt.hi}, {self.oid(key.origin)})"
        return self.ordinal_in(key, kt, env)

    def ordinal_in(self, e: ir.E, t: T.Type, env: Env) -> str:
        """Ordinal of e's value among t's values, when e's type lies within t: an int of a
        narrower range counts from t's lower bound, not its own (key 2 of 0..2 is slot 2)."""
        if isinstance(t, T.IntT) and isinstance(e.t, T.IntT):
            x = self.ex(e, env)
            return f"({x} - {t.lo})" if t.lo else x
        return self.ordinal(e, env)

    def x_Lit(self, e: ir.Lit, env):
        if isinstance(e.value, bool):
            return "True" if e.value else "False"
        if isinstance(e.value, int):
            return str(e.value)
        return self.const(e.value)

    def x_VarRef(self, e: ir.VarRef, env):
        state = env.nxt if e.primed else env.state
        return self.rep(self.read_var(e.index, state), e.t)

    def x_Local(self, e: ir.Local, env):
        return self.bound.get(e.name, e.name)

    def x_TypeSet(self, e: ir.TypeSet, env):
        return str((1 << T.size(e.t.elem)) - 1)

    def x_Ite(self, e: ir.Ite, env):
        return f"({self.ex(e.then, env)} if {self.ex(e.cond, env)} else {self.ex(e.else_, env)})"

    def x_LetE(self, e: ir.LetE, env):
        return f"(lambda {e.name}: {self.ex(e.body, env)})({self.ex(e.value, env)})"

    def x_CallDef(self, e: ir.CallDef, env):
        inlined = self.inline_call(e, env)
        if inlined is not None:
            return inlined
        args = ", ".join([env.state] + [self.ex(a, env) for a in e.args])
        return f"d{e.index}({args})"

    def inline_call(self, e: ir.CallDef, env: Env) -> str | None:
        """A small definition's body in place of the call (docs/performance.md): its
        parameters bound to the argument texts. Only for arguments that cannot fail and
        cost next to nothing (a name, a literal, a state read, + - *), since the body may
        evaluate one twice or not at all."""
        d = self.spec.defs[e.index]
        if not self.fold or self.inline_depth >= _INLINE_DEPTH or not all(map(_trivial, e.args)):
            return None
        if sum(1 for _ in walk(d.body)) > _INLINE_NODES:
            return None
        args = [self.ex(a, env) for a in e.args]
        saved = dict(self.bound)
        self.bound.update((name, f"({a})") for (name, _), a in zip(d.params, args))
        self.inline_depth += 1
        try:
            return f"({self.ex(d.body, Env(env.state))})"
        finally:
            self.inline_depth -= 1
            self.bound = saved

    def x_Quant(self, e: ir.Quant, env):
        unrolled = self.unroll_quant(e, env)
        if unrolled is not None:
            return unrolled
        # In canonical order even for a set of unbounded ints: which element decides the
        # quantifier (and so whether a later one that fails is ever evaluated) must not
        # depend on the hash order of a frozenset.
        loops = " ".join(f"for {b.name} in {self.iterate(b.domain, env, ordered=True)}" for b in e.binders)
        fn = "all" if e.kind == "forall" else "any"
        return f"{fn}({self.ex(e.body, env)} {loops})"

    # ---- unrolled quantifiers (docs/performance.md): a quantifier over small constant
    # domains becomes a chain of `or` / `and` over its instances, each binder replaced by
    # its value (CPython folds the arithmetic on literals that follows), in the same order
    # as the loop; a leading conjunct (exists) or disjunct (forall) that does not mention
    # the inner binders is tested once before them, as the loop would test it first.
    def unroll_quant(self, e: ir.Quant, env: Env) -> str | None:
        if not self.fold:
            return None
        values = []
        count = 1
        for b in e.binders:
            if not _closed(b.domain):
                return None
            try:
                vals = self.static_values(b.domain)
            except ModelError:
                return None
            if not vals or not all(type(v) in (int, bool) for v in vals):
                return None
            count *= len(vals)
            if count * self.unrolled > _UNROLL_LIMIT:
                return None
            values.append(vals)
        saved, self.unrolled = self.unrolled, self.unrolled * count
        try:
            body = self.unroll_binders(e.kind, list(zip(e.binders, values)), e.body, env)
        finally:
            self.unrolled = saved
        return f"(True if {body} else False)"

    def unroll_binders(self, kind: str, binders: list, body: ir.E, env: Env) -> str:
        if not binders:
            return f"({self.ex(body, env)})"
        split = self.split_binders(kind, binders, body, env)
        if split is not None:
            return split
        joiner = " or " if kind == "exists" else " and "
        inner = {b.name for b, _ in binders[1:]}
        hoisted, rest = _leading_free(body, "and" if kind == "exists" else "or", inner) \
            if inner else ([], body)
        (b, vals), more = binders[0], binders[1:]
        terms = []
        for v in vals:
            self.bound[b.name] = repr(v)
            front = [f"({self.ex(h, env)})" for h in hoisted]
            terms.append("(" + (" and " if kind == "exists" else " or ").join(
                front + [self.unroll_binders(kind, more, rest, env)]) + ")")
        del self.bound[b.name]
        return "(" + joiner.join(terms) + ")"

    def split_binders(self, kind: str, binders: list, body: ir.E, env: Env) -> str | None:
        """`exists x, y: P(x) and Q(y)` as `(exists x: P(x)) and (exists y: Q(y))` (and
        `forall x, y: P(x) or Q(y)` likewise), when neither part can fail: then the order
        in which the instances are tried cannot show."""
        op = "and" if kind == "exists" else "or"
        if len(binders) < 2 or not (isinstance(body, ir.Op) and body.op == op):
            return None
        first = binders[0][0].name
        inner = {b.name for b, _ in binders[1:]}
        parts = _flatten(body, op)
        own = [c for c in parts if _mentions(c, {first}) and not _mentions(c, inner)]
        other = [c for c in parts if not _mentions(c, {first})]
        if not own or not other or len(own) + len(other) != len(parts) or not all(map(_safe, parts)):
            return None
        join = f" {op} "
        left = self.unroll_binders(kind, binders[:1], _rebuild(own, op), env)
        right = self.unroll_binders(kind, binders[1:], _rebuild(other, op), env)
        return f"({left}{join}{right})"

    def x_Comp(self, e: ir.Comp, env):
        unrolled = self.unroll_comp(e, env)
        if unrolled is not None:
            return unrolled
        # Canonical order, as for quantifiers: it also decides which of two equal keys of a
        # map comprehension wins (the later one).
        loops = " ".join(f"for {b.name} in {self.iterate(b.domain, env, ordered=True)}" for b in e.binders)
        cond = f" if {self.ex(e.cond, env)}" if e.cond is not None else ""
        t = e.t
        mask = _tag_filter_mask(e)
        if mask is not None:     # `{m for m in S if m is a Tag}` on a bit set: S's bits of Tag
            return f"({self.ex(e.binders[0].domain, env)} & {mask})"
        if isinstance(t, T.MapT) and not T.finite(t):
            pairs = f"(({self.ex(e.key, env)}, {self.ex(e.elem, env)}) {loops}{cond})"
            return self.nf_build(t, pairs, e)
        if isinstance(t, T.SetT):
            if T.is_bitset(t):
                return f"_bitset({self.ordinal(e.elem, env)} {loops}{cond})"
            return f"frozenset({self.ex(e.elem, env)} {loops}{cond})"
        assert isinstance(t, T.MapT)
        pbit = 0 if t.total else 1 << T.width(t.value)
        total = T.size(t.key) if t.total else None
        pairs = f"(({self.key_ordinal(e.key, t.key, env)}, {self.code(e.elem, env)}) {loops}{cond})"
        return f"_mapbuild({pairs}, {T.slot_width(t)}, {pbit}, {total}, {self.oid(e.origin)})"

    def unroll_comp(self, e: ir.Comp, env: Env) -> str | None:
        """A comprehension over small constant domains written out, as x_Quant does: a set
        of small values becomes an or of bits, each `(1 << o) if cond else 0` in the order
        of the loop (cond, then the element, as the loop evaluates them); a map over every
        key of its key type (`{k: v for k in K}`, no condition: every key once, so no later
        key overrides an earlier one) becomes an or of its slots."""
        t = e.t
        bitset = isinstance(t, T.SetT) and T.is_bitset(t)
        b0 = e.binders[0]
        full_map = (isinstance(t, T.MapT) and T.finite(t) and e.cond is None and len(e.binders) == 1
                    and isinstance(e.key, ir.Local) and e.key.name == b0.name
                    and isinstance(b0.domain, ir.TypeSet) and b0.domain.t.elem == t.key)
        if not self.fold or not (bitset or full_map):
            return None
        values = self.static_binder_values(e.binders)
        if values is None:
            return None
        saved, unrolled = dict(self.bound), self.unrolled
        self.unrolled *= max(1, len(list(itertools.product(*values))))
        terms = []
        try:
            for combo in itertools.product(*values):
                self.bound.update((b.name, repr(v)) for b, v in zip(e.binders, combo))
                if bitset:
                    bit = f"(1 << ({self.ordinal(e.elem, env)}))"
                    terms.append(f"({bit} if {self.ex(e.cond, env)} else 0)" if e.cond is not None else bit)
                else:
                    pbit = 0 if t.total else 1 << T.width(t.value)
                    ko = self.key_ordinal(e.key, t.key, env)
                    terms.append(f"(({self.code(e.elem, env)} | {pbit}) << (({ko}) * {T.slot_width(t)}))")
        finally:
            self.bound, self.unrolled = saved, unrolled
        return "(" + " | ".join(terms) + ")" if terms else "0"

    def static_binder_values(self, binders) -> list | None:
        """The values of binders whose domains are small constants of ints or bools (at
        most _UNROLL_LIMIT combinations), or None."""
        values, count = [], 1
        for b in binders:
            if not _closed(b.domain):
                return None
            try:
                vals = self.static_values(b.domain)
            except ModelError:
                return None
            if not all(type(v) in (int, bool) for v in vals):
                return None
            count *= len(vals)
            if count * self.unrolled > _UNROLL_LIMIT:
                return None
            values.append(vals)
        return values

    def x_Index(self, e: ir.Index, env):
        bt = e.base.t
        if isinstance(bt, T.MapT) and not T.finite(bt):
            return f"_nfget({self.ex(e.base, env)}, {self.ex(e.key, env)}, {self.oid(e.origin)})"
        if isinstance(bt, T.MapT):
            if bt.total:
                p = self.place(e, env)
                if p is not None:
                    return self.rep(_read(p[0], p[1], T.width(e.t)), e.t)
                base = self.ex(e.base, env)
                ko = self.key_ordinal(e.key, bt.key, env)
                return self.rep(_read(base, f"{ko} * {T.slot_width(bt)}", T.width(e.t)), e.t)
            base = self.ex(e.base, env)
            ko = self.key_ordinal(e.key, bt.key, env)
            sw, vw = T.slot_width(bt), T.width(bt.value)
            code = f"_mget({base}, {ko}, {sw}, {vw}, {self.oid(e.origin)})"
            if self.fold and _trivial(e.base) and _trivial(e.key) and not ko.startswith("_key("):
                # inline when the map and the key cost nothing to evaluate twice: the presence
                # bit, then the value; _mget only to report a missing key
                code = (f"((({base}) >> (({ko}) * {sw})) & {(1 << vw) - 1} "
                        f"if (({base}) >> (({ko}) * {sw} + {vw})) & 1 else {code})")
            return self.rep(code, e.t)
        if isinstance(bt, T.SeqT):
            base, i = self.ex(e.base, env), self.ex(e.key, env)
            if T.finite(bt):
                lw, ew = T.len_width(bt), T.width(bt.elem)
                code = f"_sget({base}, {i}, {lw}, {ew}, {self.oid(e.origin)})"
                if self.fold and _trivial(e.base) and _trivial(e.key):
                    # inline when the sequence and the index cost nothing to evaluate twice:
                    # the bounds test, then the element; _sget only to report an index outside
                    code = (f"((({base}) >> ({lw} + ({i}) * {ew})) & {(1 << ew) - 1} "
                            f"if 0 <= ({i}) < (({base}) & {(1 << lw) - 1}) else {code})")
                return self.rep(code, e.t)
            return f"_tidx({base}, {i}, {self.oid(e.origin)})"
        raise AssertionError(bt)

    def x_FieldGet(self, e: ir.FieldGet, env):
        p = self.place(e, env)
        if p is not None:
            return self.rep(_read(p[0], p[1], T.width(e.t)), e.t)
        base = self.ex(e.base, env)
        return self.rep(_read(base, str(e.base.t.offset(e.name)), T.width(e.t)), e.t)

    def x_Update(self, e: ir.Update, env):
        t = e.t
        x = self.ex(e.base, env)
        for key, value in e.entries:
            if isinstance(t, T.RecordT):
                ft = t.field_type(key)
                x = f"_splice({x}, {t.offset(key)}, {(1 << T.width(ft)) - 1}, {self.code(value, env)})"
            elif isinstance(t, T.MapT) and not T.finite(t):
                x = f"_nfset({x}, {self.ex(key, env)}, {self.ex(value, env)})"
            elif isinstance(t, T.MapT):
                sw = T.slot_width(t)
                pbit = 0 if t.total else 1 << T.width(t.value)
                ko = self.key_ordinal(key, t.key, env)
                x = f"_splice({x}, {ko} * {sw}, {(1 << sw) - 1}, ({self.code(value, env)} | {pbit}))"
            elif isinstance(t, T.SeqT) and T.finite(t):
                x = (f"_sset({x}, {self.ex(key, env)}, {self.code(value, env)}, {T.len_width(t)}, "
                     f"{T.width(t.elem)}, {self.oid(e.origin)})")
            else:
                x = f"_tset({x}, {self.ex(key, env)}, {self.ex(value, env)}, {self.oid(e.origin)})"
        return x

    def x_Collection(self, e: ir.Collection, env):
        t = e.t
        if isinstance(t, T.SetT):
            if T.is_bitset(t):
                if not e.items:
                    return "0"
                return "(" + " | ".join(f"(1 << {self.ordinal(x, env)})" for x in e.items) + ")"
            return "frozenset((" + "".join(f"{self.ex(x, env)}, " for x in e.items) + "))"
        if isinstance(t, T.RecordT):
            parts, off = [], 0
            for (_name, ft), x in zip(t.fields, e.items):
                parts.append(f"({self.code(x, env)} << {off})" if off else self.code(x, env))
                off += T.width(ft)
            return "(" + " | ".join(parts) + ")" if parts else "0"
        if isinstance(t, T.MapT) and not T.finite(t):
            return self.nf_build(t, "(" + "".join(f"({self.ex(k, env)}, {self.ex(v, env)}), "
                                                  for k, v in e.items) + ")", e)
        if isinstance(t, T.MapT):
            pbit = 0 if t.total else 1 << T.width(t.value)
            total = T.size(t.key) if t.total else None
            pairs = "(" + "".join(f"({self.key_ordinal(k, t.key, env)}, {self.code(v, env)}), "
                                  for k, v in e.items) + ")"
            return f"_mapbuild({pairs}, {T.slot_width(t)}, {pbit}, {total}, {self.oid(e.origin)})"
        if isinstance(t, T.SeqT):
            if T.finite(t):
                codes = "(" + "".join(f"{self.code(x, env)}, " for x in e.items) + ")"
                return f"_spack({codes}, {T.len_width(t)}, {T.width(t.elem)}, {t.max}, {self.oid(e.origin)})"
            return "(" + "".join(f"{self.ex(x, env)}, " for x in e.items) + ")"
        raise AssertionError(t)

    def x_Construct(self, e: ir.Construct, env):
        t = e.t
        base = t.bases()[t.tag_index(e.tag)]
        if e.payload is None:
            return str(base)
        o = self.ordinal(e.payload, env)
        return f"({base} + {o})" if base else o

    def from_ordinal_text(self, t: T.Type, o: str) -> str:
        """T.from_ordinal(t, o) as an expression: inline for the types whose run-time
        value is the ordinal itself or an offset of it."""
        if isinstance(t, T.BoolT):
            return f"bool({o})"
        if isinstance(t, T.IntT):
            return f"({o} + {t.lo})" if t.lo else f"({o})"
        if isinstance(t, (T.SumT, T.LabelT)) or (isinstance(t, T.SetT) and T.is_bitset(t)):
            return f"({o})"
        table = self.code_table(t)
        if table is not None:
            return f"{table}[{o}]"
        return f"_from_ord({self.const(t, 'T')}, {o})"

    def x_MatchE(self, e: ir.MatchE, env):
        t = e.subject.t
        m = self.fresh("m")
        bases = t.bases()
        default = None
        branches = []
        for arm in e.arms:
            if arm.tag is None:
                if default is None:     # `_` stands for every tag no arm names
                    default = self.ex(arm.body, env)
                continue
            i = t.tag_index(arm.tag)
            lo = bases[i]
            ptype = t.alts[i][1]
            hi = lo + (1 if ptype is None else T.size(ptype))
            body = self.ex(arm.body, env)
            if arm.bind is not None:
                body = f"(lambda {arm.bind}: {body})({self.from_ordinal_text(ptype, f'{m} - {lo}')})"
            branches.append((f"{lo} <= {m} < {hi}", body))
        expr = default if default is not None else "None"
        for cond, body in reversed(branches):
            expr = f"({body} if {cond} else {expr})"
        return f"(lambda {m}: {expr})({self.ex(e.subject, env)})"

    def x_Coerce(self, e: ir.Coerce, env):
        src, dst = e.e.t, e.t
        x = self.ex(e.e, env)
        if isinstance(src, T.IntT) and isinstance(dst, T.IntT):
            if not dst.bounded or _within(src, dst):
                return x
            return f"_rng({x}, {dst.lo}, {dst.hi}, {self.oid(e.origin)})"
        if isinstance(src, T.SetT) and isinstance(dst, T.SetT) and T.is_bitset(src) and T.is_bitset(dst) \
                and isinstance(src.elem, T.IntT) and isinstance(dst.elem, T.IntT) and _within(src.elem, dst.elem):
            shift = src.elem.lo - dst.elem.lo
            return f"({x} << {shift})" if shift else x
        if isinstance(src, T.OptT) and isinstance(src.elem, T.EmptyT):
            return "0" if T.finite(dst) else "None"
        if _same_frozensets(src, dst):   # `set[ip, 8]` and `set[ip]`: frozensets of the same values
            return x if dst.max is None else f"_pset_fit({x}, {self.const(dst, 'T')}, {self.oid(e.origin)})"
        return f"_conv({x}, {self.const(src, 'T')}, {self.const(dst, 'T')}, {self.oid(e.origin)})"

    # ------------------------------------------------------------ iteration
    def iterate(self, dom: ir.E, env: Env, ordered: bool = False) -> str:
        """A Python iterable over the run-time values of a set expression."""
        t = dom.t
        elem = t.elem
        if isinstance(dom, ir.TypeSet):
            if isinstance(elem, T.IntT):
                return f"range({elem.lo}, {elem.hi + 1})"
            if isinstance(elem, (T.BoolT, T.SumT, T.LabelT, T.SetT)):
                return f"range({T.size(elem)})"
            return self.const(tuple(T.values(elem)))
        if isinstance(dom, ir.Solve) and not T.is_bitset(t):
            return self.solve_iter(dom, env)         # ascending already
        if isinstance(dom, ir.Op) and dom.op == "range":
            # `lo..hi` iterated: the ints in order, without building and sorting the set
            a, b = (self.ex(x, env) for x in dom.args)
            return f"_range_iter({a}, {b}, {self.oid(dom.origin)})"
        x = self.ex(dom, env)
        if not T.is_bitset(t):
            return f"sorted({x})" if ordered else x
        if isinstance(elem, T.IntT) and elem.lo:
            return f"_bits_off({x}, {elem.lo})"
        if isinstance(elem, (T.IntT, T.BoolT, T.SumT, T.LabelT, T.SetT)):
            return f"_bits({x})"
        return f"_elems({self.const(elem, 'T')}, {x})"

    # ------------------------------------------------------------ operators
    def x_Op(self, e: ir.Op, env):
        op, args = e.op, e.args
        if op == "prime":
            return self.ex(args[0], env.primed())
        if op == "old":
            return self.ex(args[0], env.at_start())
        if op in _SIMPLE:
            a = [self.ex(x, env) for x in args]
            return _SIMPLE[op].format(*a)
        return getattr(self, "op_" + op)(e, env)

    def op_eq(self, e, env):
        a, b = e.args
        if isinstance(a.t, T.BoolT):
            return f"(bool({self.ex(a, env)}) == bool({self.ex(b, env)}))"
        return f"({self.ex(a, env)} == {self.ex(b, env)})"

    def op_ne(self, e, env):
        return f"(not {self.op_eq(e, env)})"

    def op_div(self, e, env):
        a, b = (self.ex(x, env) for x in e.args)
        return f"_div({a}, {b}, {self.oid(e.origin)})"

    def op_mod(self, e, env):
        a, b = (self.ex(x, env) for x in e.args)
        return f"_mod({a}, {b}, {self.oid(e.origin)})"

    def op_in(self, e, env):
        x, s = e.args
        st = s.t
        if isinstance(s, ir.Op) and s.op == "range":   # never build lo..hi (it may be huge)
            lo, hi = (self.ex(b, env) for b in s.args)
            return f"({lo} <= {self.ex(x, env)} <= {hi})"
        present = self.in_keys(x, s, env)
        if present is not None:
            return present
        sx = self.ex(s, env)
        if not T.is_bitset(st):
            return f"({self.ex(x, env)} in {sx})"
        elem = st.elem
        if isinstance(elem, T.IntT) and isinstance(x.t, T.IntT) and not _within(x.t, elem):
            return f"_in_rng({sx}, {self.ex(x, env)}, {elem.lo}, {elem.hi})"
        return f"(({sx} >> {self.ordinal_in(x, elem, env)}) & 1)"

    def in_keys(self, x: ir.E, s: ir.E, env: Env) -> str | None:
        """`k in m` for a packed partial map m: the presence bit of k's slot, without
        building keys(m) (same evaluation order: the map, then the key)."""
        if not (isinstance(s, ir.Op) and s.op == "keys"):
            return None
        mt, elem = s.args[0].t, s.t.elem
        if not (isinstance(mt, T.MapT) and T.finite(mt) and not mt.total and T.is_bitset(s.t)):
            return None
        if isinstance(elem, T.IntT) and isinstance(x.t, T.IntT) and not _within(x.t, elem):
            return None
        m = self.ex(s.args[0], env)
        o = self.ordinal_in(x, elem, env)
        return f"(({m} >> (({o}) * {T.slot_width(mt)} + {T.width(mt.value)})) & 1)"

    def _setop(self, e, env, bit: str, fs: str):
        a, b = (self.ex(x, env) for x in e.args)
        return (bit if T.is_bitset(e.args[0].t) else fs).format(a, b)

    def op_union(self, e, env):
        return self._setop(e, env, "({} | {})", "({} | {})")

    def op_inter(self, e, env):
        return self._setop(e, env, "({} & {})", "({} & {})")

    def op_diff(self, e, env):
        return self._setop(e, env, "({} & ~{})", "({} - {})")

    def op_subseteq(self, e, env):
        return self._setop(e, env, "(({} & ~{}) == 0)", "({} <= {})")

    def op_range(self, e, env):
        a, b = (self.ex(x, env) for x in e.args)
        return f"_range({a}, {b}, {self.oid(e.origin)})"

    def op_powerset(self, e, env):
        (x,) = e.args
        return f"_powerset({self.ex(x, env)}, {self.const(x.t, 'T')}, {self.const(e.t, 'T')})"

    def op_len(self, e, env):
        (x,) = e.args
        t = x.t
        v = self.ex(x, env)
        if isinstance(t, T.SetT):
            return f"({v}).bit_count()" if T.is_bitset(t) else f"len({v})"   # v may be a literal: 3.bit_count()
        if isinstance(t, T.SeqT):
            return f"(({v}) & {(1 << T.len_width(t)) - 1})" if T.finite(t) else f"len({v})"
        if not T.finite(t):
            return f"len({v})"
        if t.total:
            return str(T.size(t.key))
        return f"_mlen({v}, {T.size(t.key)}, {T.slot_width(t)}, {T.width(t.value)})"

    def _minmax(self, e, env, which: str):
        (x,) = e.args
        t = x.t
        v = self.ex(x, env)
        oid = self.oid(e.origin)
        if isinstance(t, T.SetT) and T.is_bitset(t):
            return f"_{which}set({v}, {t.elem.lo}, {oid})"
        return f"_{which}any({self.iterate(x, env) if isinstance(t, T.SetT) else self.seq_iter(x, env)}, {oid})"

    def seq_iter(self, x: ir.E, env: Env) -> str:
        t = x.t
        v = self.ex(x, env)
        if not T.finite(t):
            return v
        lw, ew = T.len_width(t), T.width(t.elem)
        item = self.rep(f"(({v} >> ({lw} + i * {ew})) & {(1 << ew) - 1})", t.elem)
        return f"[{item} for i in range(({v}) & {(1 << lw) - 1})]"

    def op_min(self, e, env):
        return self._minmax(e, env, "min")

    def op_max(self, e, env):
        return self._minmax(e, env, "max")

    def op_some(self, e, env):
        (x,) = e.args
        if T.finite(e.t):
            return f"(({self.code(x, env)} << 1) | 1)"
        return f"({self.ex(x, env)},)"

    def op_is_some(self, e, env):
        (x,) = e.args
        v = self.ex(x, env)
        return f"({v} & 1)" if T.finite(x.t) else f"({v} != None)"   # `is` warns on a literal

    def op_get(self, e, env):
        (x,) = e.args
        v = self.ex(x, env)
        oid = self.oid(e.origin)
        if T.finite(x.t):
            lo = x.t.elem.lo if isinstance(x.t.elem, T.IntT) else 0
            return f"_oget({v}, {lo}, {oid})"
        return f"_tget({v}, {oid})"

    def op_keys(self, e, env):
        (x,) = e.args
        t = x.t
        if not T.finite(t):
            key_t = self.const(t.key, "T") if T.finite(e.t) else None
            return f"_nfkeys({self.ex(x, env)}, {key_t})"
        if t.total:
            return str((1 << T.size(t.key)) - 1)
        return f"_mkeys({self.ex(x, env)}, {T.size(t.key)}, {T.slot_width(t)}, {T.width(t.value)})"

    def _seq(self, e, env, fn: str, tuple_form: str):
        s = e.args[0]
        t = s.t
        v = self.ex(s, env)
        oid = self.oid(e.origin)
        if T.finite(t):
            code = f"_{fn}({v}, {T.len_width(t)}, {T.width(t.elem)}, {oid})"
            return code if fn == "stail" else self.rep(code, t.elem)
        return tuple_form.format(v=v, oid=oid)

    def op_head(self, e, env):
        return self._seq(e, env, "shead", "_tnonempty({v}, {oid}, 'head')[0]")

    def op_last(self, e, env):
        return self._seq(e, env, "slast", "_tnonempty({v}, {oid}, 'last')[-1]")

    def op_tail(self, e, env):
        return self._seq(e, env, "stail", "_tnonempty({v}, {oid}, 'tail')[1:]")

    def op_append(self, e, env):
        s, x = e.args
        t = s.t
        if T.finite(t):
            return (f"_sappend({self.ex(s, env)}, {self.code(x, env)}, {T.len_width(t)}, {T.width(t.elem)}, "
                    f"{t.max}, {self.oid(e.origin)})")
        return f"({self.ex(s, env)} + ({self.ex(x, env)},))"

    def op_remove(self, e, env):
        m, k = e.args
        t = m.t
        if not T.finite(t):
            return f"_nfremove({self.ex(m, env)}, {self.ex(k, env)})"
        sw = T.slot_width(t)
        return f"_splice({self.ex(m, env)}, {self.key_ordinal(k, t.key, env)} * {sw}, {(1 << sw) - 1}, 0)"

    def op_min2(self, e, env):     # min(a, b, ...): two or more operands
        return "min(" + ", ".join(self.ex(x, env) for x in e.args) + ")"

    def op_max2(self, e, env):
        return "max(" + ", ".join(self.ex(x, env) for x in e.args) + ")"

    # ------------------------------------------------------------ maps of an infinite type
    # A map whose key or value type is not finite (`{k: n + 1 for k in K}` before a context
    # fixes its type) cannot be packed; it is a frozenset of (key, value) representation
    # pairs, one per key (runtime._nf*).
    def nf_build(self, t: T.MapT, pairs: str, e: ir.E) -> str:
        total = T.size(t.key) if t.total and T.finite(t.key) else None
        return f"_nfmap({pairs}, {total}, {self.oid(e.origin)})"

    def op_concat(self, e, env):
        a, b = e.args
        return f"(tuple({self.seq_iter(a, env)}) + tuple({self.seq_iter(b, env)}))"

    # ------------------------------------------------------------ constraints, addresses (docs/solver.md)
    def x_Solve(self, e: ir.Solve, env):
        """`{x in T | C}`: enumerated here when T is small (the measured break-even), else
        the solutions of a planned query, computed (and cached) by checker/solver."""
        t, elem = e.t, e.t.elem
        origin = self.const(e.origin, "S")
        if enumerable(elem):
            # What the constraint reads from the state is computed once, before the loop
            # over the candidates (solve_plan.py's inputs), unless it may fail (`head(q)`): that
            # stays in the loop, evaluated only for the candidates that reach it.
            q = plan(e, self.spec.defs, -1, careful=True)
            loop = f"for {e.name} in {self.iterate(ir.TypeSet(t), env)} if {self.ex(q.cond, env)}"
            if T.is_bitset(t):
                ordinal = self.ordinal(ir.Local(elem, e.name), env)
                found = f"_least_bits({ordinal} {loop})" if e.least else \
                    f"_all_bits(_bitset({ordinal} {loop}), {origin})"
            else:
                found = f"_least_set({e.name} {loop})" if e.least else \
                    f"_all_set(frozenset({e.name} {loop}), {origin})"
            if not q.inputs:
                return found
            names = ", ".join(f"_in{i}" for i in range(len(q.inputs)))
            return f"(lambda {names}: {found})({', '.join(self.ex(i, env) for i in q.inputs)})"
        found = self.solve_iter(e, env)
        if T.is_bitset(t):
            return f"_bits_of({found}, {elem.lo if isinstance(elem, T.IntT) else 0})"
        return f"frozenset({found})"

    def solve_iter(self, e: ir.Solve, env) -> str:
        """The solutions of a large-type constraint, ascending (a tuple from the solver)."""
        if enumerable(e.t.elem):
            return f"sorted({self.x_Solve(e, env)})"
        q = self.query(e)
        inputs = "(" + "".join(f"{self.ex(i, env)}, " for i in q.inputs) + ")"
        # the constraint in Python too, over a candidate and the inputs: the solver tests
        # the values of a dense range of solutions with it rather than block them one by one
        names = ", ".join([e.name] + [f"_in{i}" for i in range(len(q.inputs))])
        test = f"(lambda {names}: {self.ex(q.cond, env)})"
        return f"_solve({self.const(q, 'Q')}, {inputs}, {test})"

    def query(self, e: ir.Solve):
        """One query per constraint, however often its code is written (the search loop of
        expand.py writes the actions again): its answers are cached under one number."""
        try:
            hash(e)
            key = e
        except TypeError:
            key = id(e)
        found = self.query_of.get(key)
        if found is None:
            found = self.query_of[key] = plan(e, self.spec.defs, len(self.queries))
            self.queries.append(found)
        return found

    def op_in_cidr(self, e, env):
        x, c = (self.ex(a, env) for a in e.args)
        return f"_in_cidr({x}, {c})"

    def op_broadcast(self, e, env):
        return f"_broadcast({self.ex(e.args[0], env)})"

    def op_gateway(self, e, env):
        return f"_gateway({self.ex(e.args[0], env)})"

    def op_cidr_size(self, e, env):
        return f"(1 << (32 - ({self.ex(e.args[0], env)} >> 32)))"

    def op_cidr(self, e, env):
        a, p = (self.ex(x, env) for x in e.args)
        return f"_cidr({a}, {p}, {self.oid(e.origin)})"


_SIMPLE = {
    "not": "(not {0})", "and": "({0} and {1})", "or": "({0} or {1})",
    "implies": "(not {0} or {1})", "iff": "(bool({0}) == bool({1}))",
    "neg": "(-{0})", "add": "({0} + {1})", "sub": "({0} - {1})", "mul": "({0} * {1})",
    "lt": "({0} < {1})", "le": "({0} <= {1})", "gt": "({0} > {1})", "ge": "({0} >= {1})",
    "abs": "abs({0})",
}


def _read(state: str, off: str, width: int) -> str:
    mask = (1 << width) - 1
    if width == 0:
        return "0"
    if off == "0":
        return f"({state} & {mask})"
    return f"(({state} >> ({off})) & {mask})"


def _plus(off: str, term: str) -> str:
    return term if off == "0" else f"{off} + {term}"


def _add(off: str, k: int) -> str:
    if off.isdigit():
        return str(int(off) + k)
    return f"{off} + {k}" if k else off


def _same_frozensets(src: T.Type, dst: T.Type) -> bool:
    """Two set types whose values are both frozensets of the same representations."""
    if not (isinstance(src, T.SetT) and isinstance(dst, T.SetT)) or T.is_bitset(src) or T.is_bitset(dst):
        return False
    a, b = src.elem, dst.elem
    return a == b or (isinstance(a, T.IntT) and isinstance(b, T.IntT) and _within(a, b))


def _within(a: T.IntT, b: T.IntT) -> bool:
    if not b.bounded:
        return True
    return a.bounded and b.lo <= a.lo and a.hi <= b.hi


_TABLE_LIMIT = 4096    # largest composite type converted by a table (code_table, ordinal_table)
_UNROLL_LIMIT = 64     # most instances of a quantifier that x_Quant writes out
_MAX_LOOPS = 12        # loops nested in one generated function (CPython allows 20 blocks)
_MAX_NESTED = 8        # `if`s nested by requires in one generated function (indentation)
_DUP_NODES = 40        # largest rest of a block written into both branches of a forking if
_LITERAL_ARITH = re.compile(r"[0-9 +*()-]+")
_INLINE_NODES = 40     # largest definition body (IR nodes) inlined at its calls
_INLINE_DEPTH = 3      # inlined definitions within inlined definitions, at most


def _flatten(e: ir.E, op: str) -> list:
    if isinstance(e, ir.Op) and e.op == op:
        return _flatten(e.args[0], op) + _flatten(e.args[1], op)
    return [e]


def _rebuild(parts: list, op: str) -> ir.E:
    out = parts[0]
    for p in parts[1:]:
        out = ir.Op(T.BoolT(), op, (out, p))
    return out


def _tag_filter_mask(e: ir.Comp) -> int | None:
    """The bits of the alternatives a comprehension keeps, when it only selects elements of
    a bit set of a sum type by their alternative (`forall M2a(b, v) in msgs` ranges over
    such a comprehension): the set is then the source's bits under a mask, without visiting
    each element. None for any other comprehension."""
    if len(e.binders) != 1 or e.key is not None or e.cond is None:
        return None
    b = e.binders[0]
    t, cond = e.t, e.cond
    if not (isinstance(t, T.SetT) and T.is_bitset(t) and isinstance(t.elem, T.SumT)
            and b.domain.t == t and isinstance(e.elem, ir.Local) and e.elem.name == b.name
            and isinstance(cond, ir.MatchE) and isinstance(cond.subject, ir.Local)
            and cond.subject.name == b.name
            and all(isinstance(a.body, ir.Lit) and type(a.body.value) is bool for a in cond.arms)):
        return None
    sum_t = t.elem
    bases = sum_t.bases()
    named: set[str] = set()
    mask = 0
    default = None
    for arm in cond.arms:
        if arm.tag is None:
            if default is None:
                default = arm.body.value
            continue
        if arm.tag in named:
            continue
        named.add(arm.tag)
        if arm.body.value:
            mask |= _alt_bits(sum_t, bases, arm.tag)
    if default:
        for tag, _ in sum_t.alts:
            if tag not in named:
                mask |= _alt_bits(sum_t, bases, tag)
    return mask


def _alt_bits(t: T.SumT, bases: tuple, tag: str) -> int:
    i = t.tag_index(tag)
    payload = t.alts[i][1]
    n = 1 if payload is None else T.size(payload)
    return ((1 << n) - 1) << bases[i]


def _mentions(e: ir.E, names: set) -> bool:
    return any(isinstance(n, ir.Local) and n.name in names for n in walk(e))


_SAFE_OPS = {"eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "implies", "iff", "add", "sub",
             "mul", "neg", "union", "inter", "diff", "subseteq"}


def _safe(e: ir.E) -> bool:
    """An expression whose evaluation cannot fail (no helper that raises: reads of the
    state, of total maps at keys of their key type, records, literals, comparisons,
    arithmetic, boolean and bitset operations)."""
    if isinstance(e, (ir.Local, ir.Lit, ir.VarRef, ir.TypeSet)):
        return True
    if isinstance(e, ir.Op):
        if e.op == "in":
            x, s = e.args
            return T.is_bitset(s.t) and _safe(x) and _safe(s)
        return e.op in _SAFE_OPS and all(map(_safe, e.args)) and \
            all(T.is_bitset(a.t) for a in e.args if isinstance(a.t, T.SetT))
    if isinstance(e, ir.Index):
        bt = e.base.t
        return (isinstance(bt, T.MapT) and bt.total and T.finite(bt) and _safe(e.base) and _safe(e.key)
                and (not isinstance(e.key.t, T.IntT) or _within(e.key.t, bt.key) if isinstance(bt.key, T.IntT)
                     else e.key.t == bt.key))
    if isinstance(e, ir.FieldGet):
        return isinstance(e.base.t, T.RecordT) and _safe(e.base)
    if isinstance(e, ir.Construct):
        return e.payload is None or _safe(e.payload)
    if isinstance(e, ir.Ite):
        return _safe(e.cond) and _safe(e.then) and _safe(e.else_)
    return False


def _trivial(e: ir.E) -> bool:
    """An argument that cannot fail and is cheap to evaluate more than once."""
    if isinstance(e, (ir.Local, ir.Lit, ir.VarRef)):
        return True
    if isinstance(e, ir.Op) and e.op in ("add", "sub", "mul", "neg"):
        return all(map(_trivial, e.args))
    if isinstance(e, ir.Construct):         # an enum member, a tag with a trivial payload
        return e.payload is None or _trivial(e.payload)
    if isinstance(e, ir.FieldGet) and isinstance(e.base.t, T.RecordT):
        return _trivial(e.base)
    return False


def _leading_free(body: ir.E, op: str, names: set) -> tuple[list, ir.E]:
    """Split `a op b op c` into the leading operands that mention none of `names` and the
    rest (the whole body when the first operand mentions one)."""
    parts = []
    while isinstance(body, ir.Op) and body.op == op:
        first, second = body.args
        if any(isinstance(n, ir.Local) and n.name in names for n in walk(first)):
            break
        parts.append(first)
        body = second
    return parts, body


_closed = closed


def _forks(s: ir.IfS | ir.ForS) -> bool:
    return any(isinstance(n, (ir.Require, ir.ChooseS)) for n in walk(s))


def _same_place(a: ir.E, b: ir.E) -> bool:
    if isinstance(a, ir.VarRef) and isinstance(b, ir.VarRef):
        return a.index == b.index and a.primed == b.primed
    if isinstance(a, ir.FieldGet) and isinstance(b, ir.FieldGet):
        return a.name == b.name and _same_place(a.base, b.base)
    if isinstance(a, ir.Index) and isinstance(b, ir.Index):
        return a.key == b.key and _same_place(a.base, b.base)
    return False


def _reads_place(e: ir.E, place: ir.E) -> bool:
    return any(_same_place(n, place) for n in walk(e) if isinstance(n, (ir.VarRef, ir.FieldGet, ir.Index)))


def _hashable(v) -> bool:
    try:
        hash(v)
        return True
    except TypeError:
        return False
