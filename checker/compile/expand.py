"""The level expander: the breadth-first search's hot loop, generated per spec.

Input: a `CodeGen` that has already written the spec's module (codegen.py), and what the
search wants done (an `ExpansionPlan`, engine/fastpath.py). Output: Python source for one
function per plan, which keeps the fast-path contract of engine/fastpath.py:

    STORE, GRAPH, CUT, CUT_GRAPH:  xp_...(store, lo, hi, counters, cap) -> int
    ROUTE:                         xp_...(store, lo, hi, counters) -> int

It expands store.states[lo:hi] in order: for every successor of every state it counts the
transition for its action, and stores a state not seen before in the `StateStore`
(engine/store.py). It is the same statement code as the action functions `a<i>`
(codegen.block), inlined into one loop, so a transition costs a few int operations and one
set lookup: no (label, state) tuple, no call per action.

It handles the common case only. Anything rare: a state property fails or is witnessed,
an action property fails, a deadlock, the state limit, a ModelError from the spec's code,
makes it return the index of the state being expanded (DONE, -1: the chunk went
through; its counts are added to the Counters only then). The search undoes the whole
chunk and runs it again through the general loop (engine/expansion.py), which reports the
event exactly as before. Because both loops run the same generated statements in the same
order, the counts, the ids and the parents are the same whichever loop expanded a state.

So the expander must see an event exactly where the general loop sees one. The general
loop evaluates every property on every new state (`check_state`) and every action
property on every transition (`check_transition`), decided or not, and a ModelError in
any of them ends the search with ERROR (engine/bfs.py, "Run-time errors"). The expander
therefore flags only the undecided properties, but still evaluates the decided ones, for
their errors alone (those that cannot fail, codegen._safe, are skipped): a property that
cannot be evaluated in a state is an event whether or not it was decided before. (Which
error, and what else is recorded, is then the general loop's business: it evaluates in
declaration order.)

The modes (engine/fastpath.py has their contract): CUT and CUT_GRAPH expand the level at
--max-depth, counting a state with a successor not seen before as cut
(`counters.cuts`) instead of storing the successor; GRAPH and CUT_GRAPH record every
transition that is not a self-loop in the store's EdgeTable as it is generated, so the
liveness check needs no second pass over the states; ROUTE is a worker's (engine/
worker.py): a new state this worker owns goes to its RoutedStore with its parent state,
action and key (the parent's base key plus twice the transition's index among the parent's
successors, plus one: engine/worker.py orders a level by it), one another worker owns to
that worker's outbox.
"""
from __future__ import annotations

from checker.compile.codegen import CodeGen, Env, Path, _safe
from checker.engine.fastpath import DONE, OWNER_MIX, OWNER_SHIFT, ExpansionPlan, Mode
from checker.engine.store import COLD_MIX
from checker.ir import nodes as ir
from checker.ir.walk import walk

_UNROLL = 16    # most instances of an action written out one by one


def plan_compact(plan: ExpansionPlan) -> bool:
    """Does the expander write to a CompactStore? (STORE and CUT modes only.)"""
    return plan.compact and plan.mode in (Mode.STORE, Mode.CUT)


def expander_source(gen: CodeGen, plan: ExpansionPlan) -> str:
    """The source of the expander for `plan` (a function named plan.name())."""
    return _Writer(gen, plan).write()


def _split_guard(a: ir.ActionIR) -> tuple[list, tuple]:
    """The conjuncts of the action's leading `require`s that mention none of its
    parameters (up to the first that does), and the body without them."""
    names = {p.name for p in a.params}
    shared: list = []
    body = list(a.body)
    while body and isinstance(body[0], ir.Require):
        conjuncts = _conjuncts(body[0].cond)
        free = 0
        while free < len(conjuncts) and not _mentions(conjuncts[free], names):
            free += 1
        shared.extend(conjuncts[:free])
        rest = conjuncts[free:]
        if rest:
            cond = rest[0]
            for c in rest[1:]:
                cond = ir.Op(cond.t, "and", (cond, c), c.origin)
            body[0] = ir.Require(cond, body[0].origin)
            break
        body.pop(0)
    return shared, tuple(body)


def _conjuncts(e: ir.E) -> list:
    if isinstance(e, ir.Op) and e.op == "and":
        return _conjuncts(e.args[0]) + _conjuncts(e.args[1])
    return [e]


_END = "#@end "      # marks the end of a transition in the cached action code (_Writer.actions)


def _mentions(e: ir.E, names: set) -> bool:
    return any(isinstance(n, ir.Local) and n.name in names for n in walk(e))


class _Writer:
    def __init__(self, gen: CodeGen, plan: ExpansionPlan):
        self.gen = gen
        self.plan = plan
        self.spec = gen.spec
        self.checked = [p for p in self.spec.properties if p.kind != "constraint"]
        self.lines: list[str] = []

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def write(self) -> str:
        gen, plan = self.gen, self.plan
        mode = plan.mode
        saved = gen.lines
        gen.lines = self.lines       # codegen.block emits into the current buffer
        try:
            name = plan.name()
            self.state_check_function(name)
            cap = "" if mode is Mode.ROUTE else ", cap"
            self.emit(0, f"def {name}(store, lo, hi, counters{cap}):")
            self.prologue()
            self.emit(1, "for i in range(lo, hi):")
            self.emit(2, "s = states[i]")
            if mode is Mode.ROUTE:
                # u: the key of the next transition's target (engine/worker.py, `key`)
                self.emit(2, "u = bases[i] - 1")
            if mode.cut:
                self.emit(2, "c = 0")
            body = 2
            constraints = [p for p in self.spec.properties if p.kind == "constraint"]
            if constraints:
                cond = " and ".join(f"({gen.ex(p.expr, Env('s'))})" for p in constraints)
                self.emit(2, f"if not ({cond}):")
                if mode.graph:
                    self.emit(3, "oapp(len(dst))")
                self.emit(3, "continue")
            if plan.deadlock:
                self.emit(2, "z = 0")
            self.actions(body)
            if plan.deadlock:
                self.emit(2, "if not z and not is_terminal(s):")
                self.emit(3, "return i")
            if mode.graph:
                self.emit(2, "oapp(len(dst))")
            if mode.cut:
                self.emit(2, "cuts += c")
            for k in range(len(self.spec.actions)):
                self.emit(1, f"gcov[{k}] += g{k}")
                if mode is not Mode.ROUTE:      # a worker counts its new states as it accepts them
                    self.emit(1, f"ncov[{k}] += n{k}")
            if mode.cut:
                self.emit(1, "counters.cuts += cuts")
            self.emit(1, f"return {DONE}")
        finally:
            gen.lines = saved
        return "\n".join(self.lines) + "\n"

    def prologue(self) -> None:
        n = len(self.spec.actions)
        mode = self.plan.mode
        self.emit(1, "states = store.states")
        self.emit(1, "seen = store.seen")
        self.emit(1, "app = states.append")
        self.emit(1, "papp = store.parents.append")
        self.emit(1, "gcov = counters.generated")
        if mode is not Mode.ROUTE:
            self.emit(1, "ncov = counters.distinct")
        if mode.graph:
            self.emit(1, "edges = store.edges")
            self.emit(1, "off, dst, lab, lids, labels = edges.off, edges.dst, edges.lab, edges.lids, edges.labels")
            self.emit(1, "oapp = off.append")
            self.emit(1, "dapp = dst.append")
            self.emit(1, "lapp = lab.append")
        elif plan_compact(self.plan):
            # the seen set in two parts (engine/store.py CompactStore): the hot set, the table
            self.emit(1, "hot = store.hot")
            self.emit(1, "add = hot.add")
            self.emit(1, "tab, tmask, tsh = store.table, store.mask, store.shift")
        else:
            self.emit(1, "add = seen.add")
        if mode is Mode.ROUTE:
            self.emit(1, "aapp = store.actions.append")
            self.emit(1, "kapp = store.keys.append")
            self.emit(1, "bases = store.bases")
            self.emit(1, "out, me, nw = store.outbox, store.me, store.workers")
        for k in range(n):
            self.emit(1, f"g{k} = 0" if mode is Mode.ROUTE else f"g{k} = n{k} = 0")
        if mode.cut:
            self.emit(1, "cuts = 0")
        # the observers in place now (the search replaces them between chunks)
        if self.plan.observe_state:
            self.emit(1, "obs_s = _ob_s")
            self.emit(1, "ob_s = obs_s is not None")
        if self.plan.observe_transition:
            self.emit(1, "obs_t = _ob_t")
            self.emit(1, "ob_t = obs_t is not None")

    def decided_state_props(self) -> list[int]:
        """The invariants and reachable properties already decided (not in the plan)."""
        return [i for i, p in enumerate(self.checked)
                if p.kind != "action" and i not in self.plan.state_props]

    def state_check_function(self, name: str) -> None:
        """`<name>_cs(w)`: does the new state w fail an undecided invariant or witness an
        undecided reachable property? One call per new state (not per transition). The
        decided ones are evaluated too, first, for their run-time errors only (see the
        module's docstring), unless they cannot fail (codegen._safe); an undecided one that
        flags the state short-circuits the rest, which is fine: the general loop then
        evaluates them all again."""
        self.emit(0, f"def {name}_cs(w):")
        for i in self.decided_state_props():
            if not _safe(self.checked[i].expr):
                self.emit(1, self.gen.ex(self.checked[i].expr, Env("w")))
        conds = []
        for i in self.plan.state_props:
            p = self.checked[i]
            x = self.gen.ex(p.expr, Env("w"))
            conds.append(f"not ({x})" if p.kind == "invariant" else f"({x})")
        self.emit(1, "return " + (" or ".join(conds) if conds else "False"))

    def actions(self, indent: int) -> None:
        """Every action's code. Only the end of each transition (store) depends on the plan,
        so the rest is generated once per model, with a marker line at each end, kept on the
        CodeGen, and every plan fills in its own ends: a search whose plan changes as
        properties get decided does not generate the actions again."""
        cache = self.gen.__dict__.setdefault("_expander_actions", {})
        lines = cache.get(indent)
        if lines is None:
            mark = len(self.lines)
            for k, a in enumerate(self.spec.actions):
                self.action(k, a, indent)
            lines = cache[indent] = self.lines[mark:]
            del self.lines[mark:]
        for line in lines:
            code = line.lstrip()
            if code.startswith(_END):
                k, label, w = code[len(_END):].split("|")
                self.store(int(k), label, (len(line) - len(code)) // 4, w)
            else:
                self.lines.append(line)

    def end(self, k: int, label: str, ind: int, w: str) -> None:
        self.emit(ind, f"{_END}{k}|{label}|{w}")

    def action(self, k: int, a: ir.ActionIR, indent: int) -> None:
        gen = self.gen
        table = gen.static_param_table(k, a)
        combos = gen.constants[table] if table is not None else ()
        if a.params and table is not None and len(combos) <= _UNROLL and all(
                type(v) in (int, bool) for combo in combos for v in combo[:-1]):
            # Written out once per parameter value: the values become literals, and CPython
            # folds the offsets computed from them. The leading guard conjuncts that do not
            # mention the parameters are tested once for all instances, before them (each
            # instance would test them first, on the same state).
            if not combos:      # an empty parameter domain: the action has no instance
                return
            shared, body = _split_guard(a)
            if shared:
                conds = " and ".join(f"({gen.ex(c, Env('s'))})" for c in shared)
                self.emit(indent, f"if {conds}:")
                indent += 1
            a = ir.ActionIR(a.name, a.params, body, a.process, a.label, a.origin)
            for combo in combos:
                saved = dict(gen.bound)
                gen.bound.update((p.name, repr(v)) for p, v in zip(a.params, combo))
                label = gen.const(combo[-1], "L")
                self.emit(indent, "w = s")
                gen.block(list(a.body), 0, "w", indent,
                          lambda ind, w, label=label: self.end(k, label, ind, w), Path(1))
                gen.bound = saved
            return
        start = indent
        indent, label = gen.param_loops(k, a, table, indent, self.emit)
        self.emit(indent, "w = s")
        # inside `for i` (and the parameter loops: a failing require ends the instance)
        path = Path(1 + indent - start, "continue") if indent > start else Path(1)
        gen.block(list(a.body), 0, "w", indent, lambda ind, w: self.end(k, label, ind, w), path)

    def transition_expr(self, p: ir.PropertyIR, w: str) -> str:
        """An action property over s and w as code: the same at every end of every action
        (a few hundred in a large spec), so written once per model and name."""
        cache = self.gen.__dict__.setdefault("_expander_props", {})
        key = (id(p), w)
        if key not in cache:
            cache[key] = self.gen.ex(p.expr, Env("s", w))
        return cache[key]

    def store(self, k: int, label: str, ind: int, w: str) -> None:
        """The end of one transition s -> w of action k: count it, check it, store w."""
        plan, emit = self.plan, self.emit
        mode = plan.mode
        emit(ind, f"g{k} += 1")
        if mode is Mode.ROUTE:
            emit(ind, "u += 2")
        if plan.deadlock:
            emit(ind, "z = 1")
        # the decided action properties are evaluated for their run-time errors only (none
        # when they cannot fail); a violation of an undecided one is an event
        for i, p in enumerate(self.checked):
            if p.kind == "action" and i not in plan.transition and not _safe(p.expr):
                emit(ind, self.transition_expr(p, w))
        conds = [f"not ({self.transition_expr(self.checked[i], w)})" for i in plan.transition]
        if conds:
            emit(ind, f"if {' or '.join(conds)}:")
            emit(ind + 1, "return i")
        if plan.observe_transition:
            emit(ind, "if ob_t:")
            emit(ind + 1, f"obs_t(s, {w})")
        check = None
        if plan.state_props or any(not _safe(self.checked[i].expr)
                                   for i in self.decided_state_props()):
            check = f"{plan.name()}_cs({w})"
        if plan.canonical:
            emit(ind, f"{w} = _canon({w})")
        if mode is Mode.CUT_GRAPH:
            emit(ind, f"j = seen.get({w})")
            emit(ind, "if j is None:")
            emit(ind + 1, "c = 1")
            emit(ind, "elif j != i:")
        elif mode is Mode.GRAPH:
            emit(ind, f"j = seen.get({w})")
            emit(ind, "if j is None:")
            emit(ind + 1, "j = len(states)")
            emit(ind + 1, "if j == cap:")
            emit(ind + 2, "return i")
            emit(ind + 1, f"seen[{w}] = j")
            self.new_state(k, ind + 1, w, check)
            emit(ind, "if j != i:")
        if mode.graph:
            emit(ind + 1, "dapp(j)")
            emit(ind + 1, f"x = lids.get({label})")
            emit(ind + 1, "if x is None:")
            emit(ind + 2, f"x = lids[{label}] = len(labels)")
            emit(ind + 2, f"labels.append({label})")
            emit(ind + 1, "lapp(x)")
        elif mode is Mode.CUT:
            emit(self.unseen(ind, w), "c = 1")
        elif mode is Mode.ROUTE:
            emit(ind, f"if {w} not in seen:")
            emit(ind + 1, f"add({w})")
            emit(ind + 1, f"o = ((hash({w}) * {OWNER_MIX}) >> {OWNER_SHIFT}) % nw")
            emit(ind + 1, "if o == me:")
            emit(ind + 2, f"app({w})")
            emit(ind + 2, "papp(s)")
            emit(ind + 2, f"aapp({k})")
            emit(ind + 2, "kapp(u)")
            emit(ind + 1, "else:")
            emit(ind + 2, "ot, op, oa, ok = out[o]")
            emit(ind + 2, f"ot.append({w})")
            emit(ind + 2, "op.append(s)")
            emit(ind + 2, f"oa.append({k})")
            emit(ind + 2, "ok.append(u)")
        else:
            body = self.unseen(ind, w)
            emit(body, "if len(states) == cap:")
            emit(body + 1, "return i")
            emit(body, f"add({w})")
            self.new_state(k, body, w, check)

    def unseen(self, ind: int, w: str) -> int:
        """Emit the test "state w was not seen before"; return the indent of its body. With a
        CompactStore: not in the hot set, and not in the table (linear probing from
        w's slot up to an empty one: engine/store.py, the same hash)."""
        if not plan_compact(self.plan):
            self.emit(ind, f"if {w} not in seen:")
            return ind + 1
        if not self.plan.cold:      # the table is empty (the search is still small)
            self.emit(ind, f"if {w} not in hot:")
            return ind + 1
        emit = self.emit
        emit(ind, f"if {w} not in hot and {w} != s:")
        emit(ind + 1, f"cslot = (({w} * {COLD_MIX}) & {(1 << 64) - 1}) >> tsh")
        emit(ind + 1, "cval = tab[cslot]")
        emit(ind + 1, "while cval:")
        emit(ind + 2, f"if cval == {w}:")
        emit(ind + 3, "break")
        emit(ind + 2, "cslot = (cslot + 1) & tmask")
        emit(ind + 2, "cval = tab[cslot]")
        emit(ind + 1, "else:")
        return ind + 2

    def new_state(self, k: int, ind: int, w: str, check: str | None) -> None:
        self.emit(ind, f"app({w})")
        self.emit(ind, "papp(i)")
        self.emit(ind, f"n{k} += 1")
        if self.plan.observe_state:
            self.emit(ind, "if ob_s:")
            self.emit(ind + 1, f"obs_s({w})")
        if check is not None:
            self.emit(ind, f"if {check}:")
            self.emit(ind + 1, "return i")


def scanner_source(gen: CodeGen, state_props: tuple[int, ...], name: str) -> str:
    """`name(states, start)`: the index of the first of states[start:] that fails one of
    the invariants or witnesses one of the reachable properties among `state_props`
    (indices into the checked properties), or -1. A loop in generated code, not a call
    per state (engine/parallel.py checks the states a worker receives with it). The other
    state properties (decided) are evaluated too, for their run-time errors only, unless
    they cannot fail, as the level expander's state check does; with nothing to evaluate,
    it returns -1 at once."""
    checked = [p for p in gen.spec.properties if p.kind != "constraint"]
    conds, errors_only = [], []
    for i, p in enumerate(checked):
        if i in state_props:
            x = gen.ex(p.expr, Env("w"))
            conds.append(f"not ({x})" if p.kind == "invariant" else f"({x})")
        elif p.kind != "action" and not _safe(p.expr):
            errors_only.append(gen.ex(p.expr, Env("w")))
    lines = [f"def {name}(states, start):"]
    if conds or errors_only:
        lines += ["    for j in range(start, len(states)):",
                  "        w = states[j]"]
        lines += [f"        {x}" for x in errors_only]
        lines += [f"        if {' or '.join(conds) or 'False'}:",
                  "            return j"]
    lines.append("    return -1")
    return "\n".join(lines) + "\n"
