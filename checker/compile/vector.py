"""The vectorised expander: a chunk of states expanded at once, with NumPy arrays.

Input: a compiled variant's generated module (codegen.py: the action functions `a<k>`, the
definitions `d<i>`, the constants), an ExpansionPlan (engine/fastpath.py), the source of
the plan's generated expander (expand.py: its state check `<plan>_cs`) and that expander
itself. Output: `vector_expander(...)`, a function with the same contract as the generated
expander (`xp(store, lo, hi, counters, cap) -> DONE or an event's index`), or None when the
spec's code was found not to run here. Which plans it is asked for is compile/search.py's
choice (`_served`), made before NumPy is imported.

Why: a generated expander costs a few hundred nanoseconds of interpreted Python per
transition. Here the actions' own generated code is run once per chunk, not once per state:
each name holds an array with one value per state of the chunk (int64), a condition splits
the states between the branches, and a parameter loop over a constant table is unrolled
(ADR 0061). A transition then costs a few array operations' worth of machine code.

It must give the generated expander's results exactly: the same new states, in the same
order, with the same parents, and the same counts per action. The successors of the chunk are
gathered in the order the actions' code emits them (by state, then by the order of the
`app` calls), the states already stored are found by probing the CompactStore's table
(engine/store.py, the same hash), and the first occurrence of each new one is kept, as the
loop that stores it at once would. Anything else goes back to the generated expander,
which the vectorised one wraps:

- an *event*: something the generated code would report or raise (a run-time error in
  the spec's code, a property that fails or is witnessed, a deadlock, the state cap, an
  integer out of 64 bits) is found before anything is stored, and the same chunk is then
  given to the generated expander, which finds it and hands it on as before;
- *unsupported* code (anything but int and bool arithmetic, the range checks, map reads,
  definitions and loops over constant tables: sets and sequences of the runtime, the
  solver, comprehensions) turns the vectorised expander off for the search.

It serves STORE plans of a CompactStore whose states fit 63 bits, without symmetry or
observers of transitions (engine/fastpath.py ExpansionPlan; the observers of states are
called on each new state, once the chunk is stored): the plain breadth-first search of a
packed spec, which is where the time goes.
"""
from __future__ import annotations

import ast
import builtins
import operator
from array import array
from typing import Any, Callable, cast

import numpy as np

from checker.engine.fastpath import DONE, ExpansionPlan
from checker.engine.store import COLD_MIX, CompactStore

BATCH = 1 << 15          # states per chunk the search gives a vectorised expander
_MAX_LOAD = 0.7          # as engine/store.py's table
_LIMIT = 1 << 63         # a value must stay below this in magnitude (int64)
_MIX = np.uint64(COLD_MIX)
_REBUILD_BATCH = 1 << 20  # states put in a larger table at a time (its working arrays: ~50 MB)
_RANGE_LIMIT = 4096     # values of a range with computed bounds written out
_OFF_AFTER = 16          # chunks; if more than half of them had an event, the rest go scalar


class Unsupported(Exception):
    """The code is outside what the vectorised expander runs: it is turned off."""


class Event(Exception):
    """The chunk holds something the generated expander must see (module docstring)."""


Value = Any     # an int or bool (the same for every state) or an np.ndarray (one per state)


def _is_array(v: Value) -> bool:
    return isinstance(v, np.ndarray)


def _truth(v: Value) -> Value:
    if _is_array(v):
        return v if v.dtype == np.bool_ else v != 0
    return bool(v)


def _ints(v: Value) -> Value:
    """Python's int view of a value: bools are 0 and 1."""
    if _is_array(v):
        return v.astype(np.int64) if v.dtype == np.bool_ else v
    if isinstance(v, (bool, int)):
        return int(v)
    raise Unsupported(f"a value of type {type(v).__name__}")


def _magnitude(v: Value) -> int:
    if _is_array(v):
        if v.size == 0:
            return 0
        return max(abs(int(v.max())), abs(int(v.min())))
    return abs(int(v))


def _pick(v: Value, where: np.ndarray) -> Value:
    return v[where] if _is_array(v) else v


def _spread(v: Value, n: int) -> np.ndarray:
    if _is_array(v):
        return v
    if isinstance(v, bool):
        return np.full(n, v, dtype=np.bool_)
    return np.full(n, _ints(v), dtype=np.int64)


def _scalar_op(fn: Callable, *args: Any) -> Any:
    try:
        return fn(*args)
    except Exception:       # the spec's run-time error (ModelError) or Python's: the generated code reports it
        raise Event from None


_COMPARE = {ast.Eq: np.equal, ast.NotEq: np.not_equal, ast.Lt: np.less,
            ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal}
_PY_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
               ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
_PY_COMPARE_ALL = {**_PY_COMPARE, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
                   ast.Is: operator.is_, ast.IsNot: operator.is_not}
_PY_BINOP = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
             ast.BitAnd: operator.and_, ast.BitOr: operator.or_, ast.BitXor: operator.xor,
             ast.LShift: operator.lshift, ast.RShift: operator.rshift,
             ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}


class Program:
    """The generated module's code as the vectorised interpreter runs it: the action
    functions, the definitions (inlined at their calls) and the constants."""

    def __init__(self, source: str, ns: dict):
        tree = ast.parse(source)
        self.ns = ns
        self.actions: list[ast.FunctionDef] = []
        self.defs: dict[str, ast.FunctionDef] = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                if node.name[0] == "a" and node.name[1:].isdigit():
                    self.actions.append(node)
                elif node.name[0] == "d" and node.name[1:].isdigit():
                    self.defs[node.name] = node
        self.actions.sort(key=lambda f: int(f.name[1:]))
        self.unsupported: str | None = None     # why the code is not run here, once found
        self._names: dict[int, frozenset[str]] = {}
        self._code: dict[int, Any] = {}

    def static(self, node: ast.expr, env: dict) -> bool:
        """Does `node` read no array (every name in it a constant or a scalar local)?"""
        names = self._names.get(id(node))
        if names is None:
            names = self._names[id(node)] = frozenset(
                x.id for x in ast.walk(node) if isinstance(x, ast.Name))
        return not any(_is_array(env.get(x)) for x in names) and "app" not in names

    def evaluate(self, node: ast.expr, env: dict) -> Value:
        """`node` evaluated by Python, as the generated code would (static: the same for
        every state); an exception is the generated code's to report."""
        code = self._code.get(id(node))
        if code is None:
            code = self._code[id(node)] = compile(ast.Expression(node), "<kovn vector>", "eval")
        # the names it reads, as globals: a lambda in it sees them as the generated
        # function's closures see its locals
        scope = {x: env[x] if x in env else self.ns[x] for x in self._names[id(node)] if x in env or x in self.ns}
        scope["__builtins__"] = builtins
        missing = [x for x in self._names[id(node)] if x not in scope and x not in _PY_NAMES]
        if missing and not _bound_inside(node, missing):
            raise Unsupported(f"the name {missing[0]}")
        return _scalar_op(eval, code, scope)      # noqa: S307 - the spec's own generated code


_PY_NAMES = frozenset(dir(builtins))


def _bound_inside(node: ast.expr, names: list[str]) -> bool:
    """Are these names bound inside `node` (a lambda's or a comprehension's own)?"""
    bound = set()
    for x in ast.walk(node):
        if isinstance(x, ast.Lambda):
            bound |= {a.arg for a in x.args.args}
        elif isinstance(x, ast.comprehension):
            bound |= {t.id for t in ast.walk(x.target) if isinstance(t, ast.Name)}
    return all(n in bound for n in names)


class _Run:
    """One chunk through the program: the emitted successors, in order (module docstring)."""

    def __init__(self, program: Program, size: int, transition: list[tuple[ast.expr, bool]]):
        self.p = program
        self.size = size                    # states in the chunk
        self.transition = transition        # action properties: (code over s and w, undecided)
        self.rows: list[np.ndarray] = []    # per emission: the chunk positions emitting
        self.succ: list[np.ndarray] = []    # per emission: the successors
        self.action: list[int] = []         # per emission: its action
        self.k = 0
        self.dead = np.zeros(size, dtype=np.bool_)

    # ---- statements ----------------------------------------------------------------------
    def action_code(self, k: int, fn: ast.FunctionDef, s: np.ndarray, rows: np.ndarray) -> None:
        self.k = k
        self.dead[:] = False
        self.block(fn.body, {"s": s[rows]}, rows)

    def block(self, stmts: list[ast.stmt], env: dict, rows: np.ndarray) -> tuple[dict, np.ndarray]:
        """Run `stmts` for the states at `rows` (env's arrays are aligned with rows); return
        the names and states that fall through. A `return` marks its states dead (a loop
        runs no further iteration for them); `continue` drops them from this iteration."""
        for st in stmts:
            if rows.size == 0:
                break
            if isinstance(st, ast.Assign):
                if len(st.targets) != 1 or not isinstance(st.targets[0], ast.Name):
                    raise Unsupported("assignment to a pattern")
                env[st.targets[0].id] = self.ev(st.value, env, None, rows.size)
            elif isinstance(st, ast.If):
                env, rows = self.branch(st, env, rows)
            elif isinstance(st, ast.Return):
                if st.value is not None:
                    raise Unsupported("a return value in an action")
                self.dead[rows] = True
                rows = rows[:0]
            elif isinstance(st, ast.Continue):
                rows = rows[:0]
            elif isinstance(st, ast.Pass):
                continue
            elif isinstance(st, ast.Expr):
                self.statement(st.value, env, rows)
            elif isinstance(st, ast.For):
                env, rows = self.loop(st, env, rows)
            elif isinstance(st, ast.Raise):
                raise Event
            else:
                raise Unsupported(type(st).__name__)
        return env, rows

    def branch(self, st: ast.If, env: dict, rows: np.ndarray) -> tuple[dict, np.ndarray]:
        cond = self.ev(st.test, env, None, rows.size)
        if not _is_array(cond):
            return self.block(st.body if cond else st.orelse, env, rows)
        yes = _truth(cond)
        no = ~yes
        env_t, rows_t = self.side(st.body, env, rows, yes)
        env_f, rows_f = self.side(st.orelse, env, rows, no)
        # a side whose states all left (return, continue) keeps arrays of its old rows
        if rows_t.size == 0:
            return env_f, rows_f
        if rows_f.size == 0:
            return env_t, rows_t
        return self.merge(env_t, rows_t, env_f, rows_f), np.concatenate((rows_t, rows_f))

    @staticmethod
    def merge(env_t: dict, rows_t: np.ndarray, env_f: dict, rows_f: np.ndarray) -> dict:
        """The names after two branches, for their states concatenated (a name only one
        branch defines is not defined after)."""
        merged: dict = {}
        for name in env_t.keys() & env_f.keys():
            a, b = env_t[name], env_f[name]
            if not _is_array(a) and not _is_array(b) and type(a) is type(b) and a == b:
                merged[name] = a
            elif _numeric(a) and _numeric(b):
                merged[name] = np.concatenate((_spread(a, rows_t.size), _spread(b, rows_f.size)))
        return merged

    def side(self, stmts: list[ast.stmt], env: dict, rows: np.ndarray, where: np.ndarray) -> tuple[dict, np.ndarray]:
        """One branch of an `if`, for the states at `where`. A guard's failing side (a lone
        `continue` or `return`) needs no names."""
        lone = stmts[0] if len(stmts) == 1 else None
        if type(lone) in (ast.Continue, ast.Return) and getattr(lone, "value", None) is None:
            if type(lone) is ast.Return:
                self.dead[rows[where]] = True
            return {}, rows[:0]
        return self.block(stmts, {n: _pick(v, where) for n, v in env.items()}, rows[where])

    def loop(self, st: ast.For, env: dict, rows: np.ndarray) -> tuple[dict, np.ndarray]:
        """A loop over values the same for every state (a parameter's instances, a constant
        set), unrolled: Python iterates them in the generated code's order."""
        if st.orelse:
            raise Unsupported("a loop's else")
        targets = _target_names(st.target)
        straight = not any(isinstance(x, (ast.Continue, ast.Return, ast.Raise, ast.Break)) for x in ast.walk(st))
        if not self.p.static(st.iter, env):
            members = self.members(st.iter, env, rows.size)
            if len(targets) != 1:
                raise Unsupported("a loop's pattern")
            return (self.straight_members if straight else self.members_loop)(st, members, targets[0], env, rows)
        table = self.p.evaluate(st.iter, env)
        if straight:
            return self.straight_loop(st, table, targets, env, rows)
        # Some states may leave an iteration early (continue, return): each iteration starts
        # without the names the body assigns (a value carried from one iteration to the
        # next is then an unknown name: unsupported), and they are not defined after it.
        assigned = set(targets) | {t.id for node in ast.walk(st) if isinstance(node, ast.Assign)
                                   for t in node.targets if isinstance(t, ast.Name)}
        outer = {n: v for n, v in env.items() if n not in assigned}
        for item in table:
            alive = ~self.dead[rows]
            if alive.all():
                body_env, live = dict(outer), rows
            elif alive.any():
                body_env, live = {n: _pick(v, alive) for n, v in outer.items()}, rows[alive]
            else:
                break
            values = (item,) if len(targets) == 1 else tuple(item)
            if len(values) != len(targets):
                raise Unsupported("a loop's pattern")
            body_env.update(zip(targets, values))
            self.block(st.body, body_env, live)
        keep = ~self.dead[rows]
        return {n: _pick(v, keep) for n, v in outer.items()}, rows[keep]

    def members(self, node: ast.expr, env: dict, n: int, sel: np.ndarray | None = None) -> list[tuple[Any, np.ndarray]]:
        """A loop over a set held in the states (`_bits(m)`, `_bits_off(m, lo)`, `_elems(t,
        m)`, codegen's bit sets) or a range with computed bounds (`_range_iter`): every
        element any state holds, in the ascending order Python iterates them, with which
        states hold it."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords
                and node.func.id in ("_bits", "_bits_off", "_elems", "_range_iter")):
            raise Unsupported("a loop over computed values")
        name = node.func.id
        args = [self.ev(a, env, sel, n) for a in node.args]
        if name == "_range_iter":
            return self.range_members(args, n)
        bits = args[1] if name == "_elems" else args[0]
        static = [a for i, a in enumerate(args) if i != (1 if name == "_elems" else 0)]
        if any(_holds_array(a) for a in static) or len(args) != 2 - (name == "_bits"):
            raise Unsupported("a loop over computed values")
        bits = _spread(_ints(bits), n)
        if bits.size and int(bits.min()) < 0:
            raise Event
        width = int(bits.max()).bit_length() if bits.size else 0
        out = []
        for b in range(width):
            held = ((bits >> b) & 1) == 1
            if held.any():
                value = _scalar_op(self.p.ns[name], *((static[0], 1 << b) if name == "_elems"
                                                      else (1 << b, *static)))[0]
                out.append((value, held))
        return out

    def range_members(self, args: list, n: int) -> list[tuple[Any, np.ndarray]]:
        if len(args) != 3 or _holds_array(args[2]):
            raise Unsupported("a range's arguments")
        lo, hi = _spread(_ints(args[0]), n), _spread(_ints(args[1]), n)
        if n == 0:
            return []
        if int((hi - lo).max()) + 1 > _RANGE_LIMIT:
            raise Event         # the generated code says what its limit is, if it is passed
        first, last = int(lo.min()), int(hi.max())
        if last - first + 1 > _RANGE_LIMIT:
            raise Unsupported("a range of computed bounds too far apart")
        return [(v, (lo <= v) & (v <= hi)) for v in range(first, last + 1)]

    def members_loop(self, st: ast.For, members: list, target: str, env: dict,
                     rows: np.ndarray) -> tuple[dict, np.ndarray]:
        """A loop over a set held in the states, whose states may leave an iteration
        early: each element's iteration for the states holding it, fresh names as in
        `loop`."""
        assigned = {target} | {t.id for node in ast.walk(st) if isinstance(node, ast.Assign)
                               for t in node.targets if isinstance(t, ast.Name)}
        outer = {n: v for n, v in env.items() if n not in assigned}
        for value, held in members:
            alive = ~self.dead[rows] & held
            if alive.any():
                body_env = {n: _pick(v, alive) for n, v in outer.items()}
                body_env[target] = value
                self.block(st.body, body_env, rows[alive])
        keep = ~self.dead[rows]
        return {n: _pick(v, keep) for n, v in outer.items()}, rows[keep]

    def straight_members(self, st: ast.For, members: list, target: str, env: dict,
                         rows: np.ndarray) -> tuple[dict, np.ndarray]:
        """A loop over a set held in the states that every state goes through: each
        element's iteration is an `if` on holding it (values carry), in order."""
        order = np.argsort(rows)
        env, rows = {n: _pick(v, order) for n, v in env.items()}, rows[order]
        for value, held in members:
            held = held[order]
            inner = dict(env)
            inner[target] = value
            env_t, rows_t = self.block(st.body, {n: _pick(v, held) for n, v in inner.items()}, rows[held])
            env_f, rows_f = {n: _pick(v, ~held) for n, v in env.items()}, rows[~held]
            merged = self.merge(env_t, rows_t, env_f, rows_f)
            back = np.argsort(np.concatenate((rows_t, rows_f)))
            env = {n: _pick(v, back) for n, v in merged.items() if n != target}
        return env, rows

    def straight_loop(self, st: ast.For, table: Any, targets: list[str], env: dict,
                      rows: np.ndarray) -> tuple[dict, np.ndarray]:
        """A loop whose every iteration every state goes through: values carry from one
        iteration to the next (a state update per element), as in Python."""
        order = np.argsort(rows)
        env, rows = {n: _pick(v, order) for n, v in env.items()}, rows[order]
        for item in table:
            values = (item,) if len(targets) == 1 else tuple(item)
            if len(values) != len(targets):
                raise Unsupported("a loop's pattern")
            env = dict(env)
            env.update(zip(targets, values))
            out, after = self.block(st.body, env, rows)
            order = np.argsort(after)           # back to the order of `rows` (sorted)
            env = {n: _pick(v, order) for n, v in out.items()}
        return env, rows

    def statement(self, call: ast.expr, env: dict, rows: np.ndarray) -> None:
        """`app((label, w))`: a successor for each state at `rows`; any other expression is
        evaluated for its errors (a decided property's)."""
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "app"):
            arg = call.args[0] if len(call.args) == 1 else None
            if not isinstance(arg, ast.Tuple) or len(arg.elts) != 2:
                raise Unsupported("an emission")
            w = _ints(_spread(self.ev(arg.elts[1], env, None, rows.size), rows.size))
            self.check_transition(env, w, rows.size)
            self.rows.append(rows)
            self.succ.append(w)
            self.action.append(self.k)
            return
        self.ev(call, env, None, rows.size)

    def check_transition(self, env: dict, w: np.ndarray, n: int) -> None:
        for code, undecided in self.transition:
            ok = self.ev(code, {"s": env["s"], "w": w}, None, n)
            if undecided and not np.all(_truth(ok)):
                raise Event

    # ---- expressions ---------------------------------------------------------------------
    def ev(self, node: ast.expr, env: dict, sel: np.ndarray | None, n: int) -> Value:
        """The value of `node` for the states of env's rows (only those at positions `sel`
        of them when given; n values). An expression that reads no array is the same for
        every state: Python evaluates it, exactly (the generated code's own semantics)."""
        if not isinstance(node, (ast.Constant, ast.Name)) and self.p.static(node, env):
            return self.p.evaluate(node, env)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (bool, int)):
                return node.value
            raise Unsupported("a constant of type " + type(node.value).__name__)
        if isinstance(node, ast.Name):
            if node.id in env:
                v = env[node.id]
                return v[sel] if sel is not None and _is_array(v) else v
            if node.id in self.p.ns:
                return self.p.ns[node.id]
            raise Unsupported(f"the name {node.id}")
        if isinstance(node, ast.BinOp):
            return self.binop(node, env, sel, n)
        if isinstance(node, ast.Compare):
            return self.compare(node, env, sel, n)
        if isinstance(node, ast.BoolOp):
            return self.boolop(isinstance(node.op, ast.And), node.values, env, sel, n)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, env, sel, n)
        if isinstance(node, ast.IfExp):
            return self.ifexp(node, env, sel, n)
        if isinstance(node, ast.Call):
            return self.call(node, env, sel, n)
        if isinstance(node, ast.Subscript):
            return self.subscript(node, env, sel, n)
        if isinstance(node, ast.Tuple):
            return tuple(self.ev(e, env, sel, n) for e in node.elts)
        raise Unsupported(type(node).__name__)

    def binop(self, node: ast.BinOp, env: dict, sel: np.ndarray | None, n: int) -> Value:
        op = type(node.op)
        fn = _PY_BINOP.get(op)
        if fn is None:
            raise Unsupported(op.__name__)
        a = self.ev(node.left, env, sel, n)
        b = self.ev(node.right, env, sel, n)
        if not _is_array(a) and not _is_array(b):
            if isinstance(a, tuple) or isinstance(b, tuple):
                raise Unsupported("arithmetic on a tuple")
            return _scalar_op(fn, a, b)
        if op in (ast.BitAnd, ast.BitOr, ast.BitXor) and _all_bool(a) and _all_bool(b):
            return fn(_spread(a, n), _spread(b, n))
        a, b = _ints(a), _ints(b)
        if op in (ast.Add, ast.Sub):
            if _magnitude(a) + _magnitude(b) >= _LIMIT:
                raise Event
        elif op is ast.Mult:
            if _magnitude(a) * _magnitude(b) >= _LIMIT:
                raise Event
        elif op is ast.LShift:
            return _shl(a, b)
        elif op is ast.RShift:
            return _shr(a, b)
        elif op in (ast.FloorDiv, ast.Mod):
            if np.any(_spread(b, n) == 0):
                raise Event
        return fn(a, b)

    def compare(self, node: ast.Compare, env: dict, sel: np.ndarray | None, n: int) -> Value:
        left = self.ev(node.left, env, sel, n)
        result: Value = True
        for op, right_node in zip(node.ops, node.comparators):
            right = self.ev(right_node, env, sel, n)
            if type(op) in (ast.In, ast.NotIn) and _is_array(left) and not _is_array(right):
                members = list(right) if isinstance(right, (frozenset, set, tuple, list, range)) else None
                if members is None or not all(type(x) in (int, bool) for x in members):
                    raise Unsupported("membership in other than a set of ints")
                part = np.isin(_ints(left), np.array(members, dtype=np.int64), invert=type(op) is ast.NotIn)
            elif type(op) not in _COMPARE:
                if _is_array(left) or _is_array(right):
                    raise Unsupported(type(op).__name__)
                part = _scalar_op(_PY_COMPARE_ALL[type(op)], left, right)
            elif _is_array(left) or _is_array(right):
                part = _COMPARE[type(op)](_ints(left), _ints(right))
            else:
                part = _scalar_op(_PY_COMPARE[type(op)], left, right)
            if result is True:
                result = part
            elif _is_array(result) or _is_array(part):
                result = np.logical_and(result, part)
            else:
                result = result and part
            left = right
        return result

    def boolop(self, conj: bool, values: list[ast.expr], env: dict, sel: np.ndarray | None, n: int) -> Value:
        """`and` / `or` as Python evaluates them: the value of the first operand that
        decides, an operand evaluated only for the states the ones before it leave
        undecided (so it raises only where Python's would)."""
        first = self.ev(values[0], env, sel, n)
        if len(values) == 1:
            return first
        if not _is_array(first):
            if bool(first) != conj:
                return first
            return self.boolop(conj, values[1:], env, sel, n)
        if not _numeric(first):
            raise Unsupported("a condition of non-numbers")
        truth = _truth(first)
        undecided = np.flatnonzero(truth if conj else ~truth)
        if undecided.size == 0:
            return first
        sub = undecided if sel is None else sel[undecided]
        rest = self.boolop(conj, values[1:], env, sub, undecided.size)
        if not _numeric(rest):
            raise Unsupported("a condition of non-numbers")
        if _all_bool(first) and _all_bool(rest):
            out = first.copy()
            out[undecided] = rest
        else:
            out = _ints(first).copy()
            out[undecided] = _ints(rest)
        return out

    def unary(self, node: ast.UnaryOp, env: dict, sel: np.ndarray | None, n: int) -> Value:
        v = self.ev(node.operand, env, sel, n)
        op = type(node.op)
        if op is ast.Not:
            return np.logical_not(_truth(v)) if _is_array(v) else not v
        if isinstance(v, tuple):
            raise Unsupported("arithmetic on a tuple")
        if op is ast.USub:
            return -_ints(v)
        if op is ast.Invert:
            return ~_ints(v)
        if op is ast.UAdd:
            return _ints(v)
        raise Unsupported(op.__name__)

    def ifexp(self, node: ast.IfExp, env: dict, sel: np.ndarray | None, n: int) -> Value:
        test = self.ev(node.test, env, sel, n)
        if not _is_array(test):
            return self.ev(node.body if test else node.orelse, env, sel, n)
        truth = _truth(test)
        parts = []
        for where, branch in ((np.flatnonzero(truth), node.body), (np.flatnonzero(~truth), node.orelse)):
            if where.size == 0:
                parts.append((where, None))
                continue
            sub = where if sel is None else sel[where]
            v = self.ev(branch, env, sub, where.size)
            if not _numeric(v):
                raise Unsupported("a conditional of non-numbers")
            parts.append((where, v))
        values = [v for _, v in parts if v is not None]
        boolean = all(_all_bool(v) for v in values)
        out: np.ndarray = np.empty(n, dtype=np.bool_ if boolean else np.int64)
        for where, v in parts:
            if v is not None:
                out[where] = v if boolean else _ints(v)
        return out

    def quantifier(self, every: bool, gen: ast.GeneratorExp, env: dict, sel: np.ndarray | None, n: int) -> Value:
        """`all(...)` / `any(...)` of a generator over values the same for every state (a
        quantifier too large to write out): its element for each binding in Python's order,
        evaluated only for the states still undecided (as Python stops at the first that
        decides)."""
        result = np.full(n, every, dtype=np.bool_)
        undecided = np.arange(n)
        first = gen.generators[0]
        if not self.p.static(first.iter, env):
            # one binder over a set held in the states: each element for those holding it
            if len(gen.generators) != 1 or first.ifs or first.is_async:
                raise Unsupported("a comprehension over computed values")
            target = _target_names(first.target)
            if len(target) != 1:
                raise Unsupported("a comprehension's pattern")
            for value, held in self.members(first.iter, env, n, sel):
                at = undecided[held[undecided]]
                if at.size == 0:
                    continue
                scope = dict(env)
                scope[target[0]] = value
                sub = at if sel is None else sel[at]
                truth = _truth(_spread(self.ev(gen.elt, scope, sub, at.size), at.size))
                decided = at[~truth if every else truth]
                result[decided] = not every
                undecided = np.setdiff1d(undecided, decided, assume_unique=True)
            return result
        for scope in self.bindings(gen.generators, dict(env)):
            if undecided.size == 0:
                break
            sub = undecided if sel is None else sel[undecided]
            value = _truth(_spread(self.ev(gen.elt, scope, sub, undecided.size), undecided.size))
            decided = ~value if every else value
            result[undecided[decided]] = not every
            undecided = undecided[~decided]
        return result

    def bindings(self, generators: list[ast.comprehension], env: dict):
        """The scopes of a generator's bindings, in order (every `for` over a static
        iterable, every `if` static)."""
        if not generators:
            yield env
            return
        first, rest = generators[0], generators[1:]
        if first.is_async or not self.p.static(first.iter, env):
            raise Unsupported("a comprehension over computed values")
        targets = _target_names(first.target)
        for item in self.p.evaluate(first.iter, env):
            scope = dict(env)
            values = (item,) if len(targets) == 1 else tuple(item)
            if len(values) != len(targets):
                raise Unsupported("a comprehension's pattern")
            scope.update(zip(targets, values))
            keep = True
            for cond in first.ifs:
                if not self.p.static(cond, scope):
                    raise Unsupported("a comprehension's condition on states")
                if not self.p.evaluate(cond, scope):
                    keep = False
                    break
            if keep:
                yield from self.bindings(rest, scope)

    def subscript(self, node: ast.Subscript, env: dict, sel: np.ndarray | None, n: int) -> Value:
        """A constant table (tuple) or map (dict) of ints indexed by an array."""
        table = self.ev(node.value, env, sel, n)
        index = self.ev(node.slice, env, sel, n)
        if not _is_array(index):
            return _scalar_op(operator.getitem, table, index)
        index = _ints(index)
        if isinstance(table, dict) and all(type(k) is int and type(v) is int for k, v in table.items()):
            keys = np.array(sorted(table), dtype=np.int64)
            at = np.minimum(np.searchsorted(keys, index), max(keys.size - 1, 0))
            if keys.size == 0 or not np.all(keys[at] == index):
                raise Event
            return np.array([table[k] for k in keys.tolist()], dtype=np.int64)[at]
        if not isinstance(table, tuple) or not all(type(x) is int for x in table):
            raise Unsupported("indexing other than a table of ints")
        size = len(table)
        if index.size and (int(index.min()) < -size or int(index.max()) >= size):
            raise Event
        return np.asarray(table, dtype=np.int64)[index]

    def call(self, node: ast.Call, env: dict, sel: np.ndarray | None, n: int) -> Value:
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise Unsupported("a call")
        if (isinstance(node.func, ast.Name) and node.func.id in ("any", "all") and len(node.args) == 1
                and isinstance(node.args[0], ast.GeneratorExp) and node.func.id not in env):
            return self.quantifier(node.func.id == "all", node.args[0], env, sel, n)
        args = [self.ev(a, env, sel, n) for a in node.args]
        if isinstance(node.func, ast.Lambda):
            fn_args = node.func.args
            params = [a.arg for a in fn_args.args]
            if fn_args.vararg or fn_args.kwarg or fn_args.kwonlyargs or fn_args.defaults or len(params) != len(args):
                raise Unsupported("a lambda's arguments")
            inner = {k: (v[sel] if sel is not None and _is_array(v) else v) for k, v in env.items()}
            inner.update(zip(params, args))
            return self.ev(node.func.body, inner, None, n)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "bit_count" and not args:
            # a set's size: the bits of its packed value (of the absolute value, as Python)
            v = self.ev(node.func.value, env, sel, n)
            if not _is_array(v):
                return _scalar_op(int.bit_count, _ints(v))
            return np.bitwise_count(_ints(v)).astype(np.int64)
        if not isinstance(node.func, ast.Name):
            raise Unsupported("a call")
        name = node.func.id
        if name in self.p.defs:
            fn = self.p.defs[name]
            if len(fn.body) != 1 or not isinstance(fn.body[0], ast.Return) or fn.body[0].value is None:
                raise Unsupported("a definition with statements")
            params = [a.arg for a in fn.args.args]
            if len(params) != len(args):
                raise Unsupported("a definition's arguments")
            return self.ev(fn.body[0].value, dict(zip(params, args)), None, n)
        if name in env:
            raise Unsupported(f"the function {name}")
        helper = _HELPERS.get(name)
        if helper is None:
            raise Unsupported(f"the function {name}")
        if not any(_holds_array(a) for a in args):
            return _scalar_op(self.p.ns[name] if name in self.p.ns else _BUILTINS[name], *args)
        return helper(n, *args)


# ---- the runtime's checked helpers (compile/runtime.py), vectorised ------------------------
def _range_check(v: Value, lo: int, hi: int) -> None:
    if _min(v) < lo or _max(v) > hi:
        raise Event


def _rng(n: int, v: Value, lo: int, hi: int, oid: int) -> Value:
    _range_check(v, lo, hi)
    return v


def _key(n: int, v: Value, lo: int, hi: int, oid: int) -> Value:
    _range_check(v, lo, hi)
    return _ints(v) - lo


def _div(n: int, a: Value, b: Value, oid: int) -> Value:
    b = _ints(b)
    if np.any(_spread(b, n) == 0):
        raise Event
    return np.floor_divide(_ints(a), b)


def _mod(n: int, a: Value, b: Value, oid: int) -> Value:
    b = _ints(b)
    if np.any(_spread(b, n) == 0):
        raise Event
    return np.remainder(_ints(a), b)


def _in_rng(n: int, s: Value, v: Value, lo: int, hi: int) -> Value:
    v = _spread(_ints(v), n)
    inside = (v >= lo) & (v <= hi)
    shift = np.where(inside, v - lo, 0)
    return inside & (((_spread(_ints(s), n) >> np.minimum(shift, 63)) & 1) == 1)


def _mget(n: int, m: Value, o: Value, sw: int, vw: int, oid: int) -> Value:
    slot = _spread(_shr(m, _ints(o) * sw), n)
    if not np.all((slot >> vw) & 1):
        raise Event
    return slot & ((1 << vw) - 1)


def _shl(a: Value, c: Value) -> Value:
    """a << c, or an event where Python's result would leave 63 bits (or c < 0: an error)."""
    if _min(c) < 0 or _max(c) >= 63 or (_magnitude(a) << _max(c)) >= _LIMIT:
        raise Event
    return _ints(a) << _ints(c)


def _shr(a: Value, c: Value) -> Value:
    """a >> c: Python's for any c >= 0 (int64 shifts stop at 63)."""
    if _min(c) < 0:
        raise Event
    c = _ints(c)
    return _ints(a) >> (np.minimum(c, 63) if _is_array(c) else min(c, 63))


def _low(lw: int) -> int:
    return (1 << lw) - 1


def _splice(n: int, m: Value, off: Value, mask: Value, code: Value) -> Value:
    return (_ints(m) & ~_shl(mask, off)) | _shl(code, off)


def _mkeys(n: int, m: Value, count: int, sw: int, vw: int) -> Value:
    keys: Value = 0
    for o in range(count):
        keys = keys | (_shr(m, o * sw + vw) & 1) << o
    return _spread(keys, n)


def _mlen(n: int, m: Value, count: int, sw: int, vw: int) -> Value:
    total: Value = 0
    for o in range(count):
        total = total + (_shr(m, o * sw + vw) & 1)
    return _spread(total, n)


def _oget(n: int, o: Value, lo: int, oid: int) -> Value:
    o = _ints(o)
    if not np.all(_spread(o & 1, n)):
        raise Event
    return (o >> 1) + lo


def _slen(n: int, s: Value, lw: int) -> Value:
    return _ints(s) & _low(lw)


def _sget(n: int, s: Value, i: Value, lw: int, ew: int, oid: int) -> Value:
    length = _ints(s) & _low(lw)
    i = _ints(i)
    if np.any(_spread(i < 0, n)) or np.any(_spread(i >= length, n)):
        raise Event
    return _shr(s, lw + i * ew) & _low(ew)


def _sappend(n: int, s: Value, code: Value, lw: int, ew: int, mx: int, oid: int) -> Value:
    s = _ints(s)
    length = s & _low(lw)
    if np.any(_spread(length >= mx, n)):
        raise Event
    return ((s & ~_low(lw)) | (length + 1)) | _shl(code, lw + length * ew)


def _shead(n: int, s: Value, lw: int, ew: int, oid: int) -> Value:
    s = _ints(s)
    if not np.all(_spread(s & _low(lw), n)):
        raise Event
    return _shr(s, lw) & _low(ew)


def _slast(n: int, s: Value, lw: int, ew: int, oid: int) -> Value:
    s = _ints(s)
    length = s & _low(lw)
    if not np.all(_spread(length, n)):
        raise Event
    return _shr(s, lw + (length - 1) * ew) & _low(ew)


def _stail(n: int, s: Value, lw: int, ew: int, oid: int) -> Value:
    s = _ints(s)
    length = s & _low(lw)
    if not np.all(_spread(length, n)):
        raise Event
    return _shl(_shr(s, lw + ew), lw) | (length - 1)


def _extreme(name: str, ufunc: Any) -> Callable[..., Value]:
    """min / max of two or more values, elementwise."""
    def fold(n: int, *args: Value) -> Value:
        if len(args) < 2:
            raise Unsupported(f"{name} of one argument")
        out = _ints(args[0])
        for a in args[1:]:
            out = ufunc(out, _ints(a))
        return out
    return fold


_minimum = _extreme("min", np.minimum)
_maximum = _extreme("max", np.maximum)


def _absolute(n: int, a: Value) -> Value:
    return np.abs(_ints(a))


def _to_bool(n: int, a: Value) -> Value:
    return _truth(a)


def _min(v: Value) -> int:
    if _is_array(v):
        return int(v.min()) if v.size else 0
    return int(v)


def _max(v: Value) -> int:
    if _is_array(v):
        return int(v.max()) if v.size else 0
    return int(v)


def _holds_array(v: Value) -> bool:
    return _is_array(v) or (isinstance(v, tuple) and any(_holds_array(x) for x in v))


def _tidx(n: int, s: Value, i: Value, oid: int) -> Value:
    if not isinstance(s, tuple) or _is_array(i):
        raise Unsupported("indexing a tuple by states' values")
    if not 0 <= i < len(s):
        raise Event
    return s[i]


def _numeric(v: Value) -> bool:
    return _is_array(v) or isinstance(v, (bool, int))


def _all_bool(v: Value) -> bool:
    return v.dtype == np.bool_ if _is_array(v) else isinstance(v, bool)


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple) and all(isinstance(t, ast.Name) for t in target.elts):
        return [t.id for t in target.elts]     # type: ignore[attr-defined]
    raise Unsupported("a loop's pattern")


_HELPERS: dict[str, Callable[..., Value]] = {
    "_rng": _rng, "_key": _key, "_div": _div, "_mod": _mod, "_in_rng": _in_rng, "_mget": _mget,
    "_splice": _splice, "_mkeys": _mkeys, "_mlen": _mlen, "_oget": _oget, "_slen": _slen,
    "_sget": _sget, "_sappend": _sappend, "_shead": _shead, "_slast": _slast, "_stail": _stail,
    "_tidx": _tidx, "min": _minimum, "max": _maximum, "abs": _absolute, "bool": _to_bool}
_BUILTINS: dict[str, Callable[..., Any]] = {"min": min, "max": max, "abs": abs, "bool": bool}


# ---- the store: the CompactStore's table, probed and filled for an array of states ------
def _buffer(states: Any) -> array:
    """A CompactStore's states: an array('Q') (engine/store.py), typed as a list there."""
    return cast(array, states)


def _slots(keys: np.ndarray, shift: int) -> np.ndarray:
    return (keys * _MIX) >> np.uint64(shift)


def _rebuild(store: CompactStore, room: int) -> None:
    """A table with room for `room` more states at most _MAX_LOAD full, filled again with
    the states it holds (those below `store.retired`, engine/store.py)."""
    bits = max(store.mask.bit_length(), 1)
    while store.cold + room > _MAX_LOAD * (1 << bits):
        bits += 1
    if bits == store.mask.bit_length():
        return
    del store.table
    store._size(bits)
    store.cold = 0
    every = np.frombuffer(_buffer(store.states), dtype=np.uint64)
    part = every[:0]
    for lo in range(0, store.retired, _REBUILD_BATCH):     # bounded working arrays
        part = every[lo:min(lo + _REBUILD_BATCH, store.retired)]
        _, fresh = _claim(store, part[part != 0], [])
        store.cold += int(fresh.sum())
    del every, part     # store.states may grow again only once no view holds it


def _claim(store: CompactStore, keys: np.ndarray, filled: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Look up `keys` (uint64, none 0) in the table and put those it lacks in it, for all
    keys at once (linear probing, as engine/store.py): each key's slot, and whether the
    key was put there now ("fresh"; every occurrence of a key that occurs several times).
    The slots written are appended to `filled` (they were empty: emptying them again
    undoes the call). The table must have room for every key.

    The occurrences of one key probe the same slots in the same rounds, so they meet an
    empty slot together; of the keys written there at once one stays (whichever), and its
    occurrences all find it: fresh. The others go on probing."""
    table = np.frombuffer(store.table, dtype=np.uint64)
    mask = np.uint64(store.mask)
    slot = _slots(keys, store.shift)
    fresh = np.zeros(keys.size, dtype=np.bool_)
    at = np.empty(keys.size, dtype=np.uint64)
    todo = np.arange(keys.size)
    while todo.size:
        s = slot[todo]
        k = keys[todo]
        x = table[s]
        hit = x == k
        empty = np.flatnonzero(x == 0)
        if empty.size:
            table[s[empty]] = k[empty]
            won = empty[table[s[empty]] == k[empty]]
            filled.append(s[won])
            fresh[todo[won]] = True
            hit[won] = True
        at[todo[hit]] = s[hit]
        todo = todo[~hit]
        slot[todo] = (slot[todo] + np.uint64(1)) & mask
    return at, fresh


# ---- the expander ----------------------------------------------------------------------------
class VectorExpander:
    """The plan's expander, vectorised (module docstring); `scalar` is the generated one."""

    def __init__(self, program: Program, plan: ExpansionPlan, scalar: Callable, check: ast.FunctionDef | None,
                 constraints: list[ast.expr], transition: list[tuple[ast.expr, bool]]):
        self.program = program
        self.plan = plan
        self.scalar = scalar
        self.check = check
        self.constraints = constraints
        self.transition = transition
        self.on = True
        self.chunks = self.events = 0
        self.why_off: str | None = None

    @property
    def batch(self) -> int:
        """States per chunk: many while it runs (engine/bfs.py asks)."""
        return BATCH if self.on else 0

    def __call__(self, store: CompactStore, lo: int, hi: int, counters: Any, cap: int) -> int:
        if self.on:
            self.chunks += 1
            try:
                return self.expand(store, lo, hi, counters, cap)
            except Event:
                self.events += 1
                if self.chunks >= _OFF_AFTER and 2 * self.events > self.chunks:
                    self.on, self.why_off = False, "most chunks held an event"
            except Unsupported as exc:
                self.on, self.why_off = False, str(exc)
                self.program.unsupported = self.why_off
        return self.scalar(store, lo, hi, counters, cap)

    def expand(self, store: CompactStore, lo: int, hi: int, counters: Any, cap: int) -> int:
        states = np.array(np.frombuffer(_buffer(store.states), dtype=np.uint64)[lo:hi]).view(np.int64)
        n = hi - lo
        rows = np.arange(n)
        for c in self.constraints:
            within = _Run(self.program, n, []).ev(c, {"s": states[rows]}, None, rows.size)
            rows = rows[_truth(_spread(within, rows.size))]
        run = _Run(self.program, n, self.transition)
        for k, fn in enumerate(self.program.actions):
            run.action_code(k, fn, states, rows)
        actions = len(self.program.actions)
        if run.rows:
            where = np.concatenate(run.rows)
            succ = np.concatenate(run.succ)
            kind = np.repeat(np.asarray(run.action, dtype=np.int64), [r.size for r in run.rows])
        else:
            where = succ = kind = np.zeros(0, dtype=np.int64)
        if self.plan.deadlock and np.setdiff1d(rows, where).size:
            raise Event         # the generated expander asks is_terminal, and reports it
        # by state, then in emission order (a stable sort: 16-bit keys sort by radix)
        order = np.argsort(where.astype(np.uint16 if n <= 1 << 16 else np.int64), kind="stable")
        where, succ, kind = where[order], succ[order], kind[order]
        if succ.size and int(succ.min()) < 0:
            raise Event     # not a state of this layout: let the generated code say what
        keys = succ.view(np.uint64)
        filled: list[np.ndarray] = []
        try:
            new, claimed = self.fresh(store, states, where, succ, keys, filled)
            if 0 <= cap < len(store.states) + new.size:     # cap -1: no limit
                raise Event
            new_states = keys[new]
            if self.check is not None and new.size:
                self.state_check(new_states.view(np.int64))
        except BaseException:
            for slots in filled:        # the table as it was: what went in was in empty slots
                np.frombuffer(store.table, dtype=np.uint64)[slots] = 0
            raise
        self.commit(store, new_states, where[new] + lo, claimed)
        if self.plan.observe_state:
            observe = self.program.ns.get("_ob_s")     # the premise observers now in place
            if observe is not None:
                for w in new_states.tolist():
                    observe(w)
        generated = np.bincount(kind, minlength=actions)
        distinct = np.bincount(kind[new], minlength=actions)
        gcov, ncov = counters.generated, counters.distinct
        for k in range(actions):
            gcov[k] += int(generated[k])
            ncov[k] += int(distinct[k])
        return DONE

    @staticmethod
    def fresh(store: CompactStore, states: np.ndarray, where: np.ndarray, succ: np.ndarray,
              keys: np.ndarray, filled: list[np.ndarray]) -> tuple[np.ndarray, int]:
        """The positions of the new states among the successors (the first occurrence of
        each, in order), with the table now holding them and the hot set's states (the
        slots written in `filled`); and how many states went into the table."""
        # a self-loop's target is stored (it is the state expanded); the others are looked
        # up once each, at their first occurrence
        probe = np.flatnonzero(succ != states[where])
        distinct, first = np.unique(keys[probe], return_index=True)
        hot = store.hot     # the states the generated expanders stored since the last chunk here
        _rebuild(store, len(hot) + distinct.size)       # room for them all, if all are new
        claimed = 0
        if hot:
            _, moved = _claim(store, np.fromiter((x for x in hot if x), dtype=np.uint64), filled)
            claimed += int(moved.sum())
        zero = distinct.size > 0 and distinct[0] == 0   # the table's empty slots are 0: not there
        _, fresh = _claim(store, distinct[1:] if zero else distinct, filled)
        claimed += int(fresh.sum())
        new = (first[1:] if zero else first)[fresh]
        if zero and 0 not in hot:
            new = np.append(new, first[0])
        return probe[np.sort(new)], claimed

    @staticmethod
    def commit(store: CompactStore, new_states: np.ndarray, parents: np.ndarray, claimed: int) -> None:
        """Store the new states and their parents. The table holds them already, and the
        hot set's states (moved): every state stored but the state 0, which stays hot."""
        _buffer(store.states).frombytes(new_states.tobytes())
        store.parents.frombytes(parents.astype(np.int32).tobytes())
        zero = 0 in store.hot or bool((new_states == 0).any())
        store.hot.clear()           # in place: a generated expander may hold it
        if zero:
            store.hot.add(0)
        store.cold += claimed
        store.retired = len(store.states)
        _rebuild(store, 0)          # no fuller than _MAX_LOAD

    def state_check(self, w: np.ndarray) -> None:
        """The plan's state check (`<plan>_cs`) on the new states: a flagged state, or an
        error in evaluating a property, is an event."""
        run = _Run(self.program, w.size, [])
        env = {"w": w}
        rows = np.arange(w.size)
        body = self.check.body    # type: ignore[union-attr]
        env, rows = run.block(body[:-1], env, rows)
        last = body[-1]
        if not isinstance(last, ast.Return) or last.value is None:
            raise Unsupported("a state check")
        if np.any(_truth(_spread(run.ev(last.value, env, None, rows.size), rows.size))):
            raise Event


def vector_expander(program: Program, plan: ExpansionPlan, source: str, scalar: Callable | None,
                    constraints: list[str], transition: list[tuple[str, bool]]) -> VectorExpander | None:
    """The vectorised expander for `plan`, wrapping the generated `scalar` one, whose
    `source` holds the state check; None when there is no generated expander to fall back on."""
    if scalar is None or program.unsupported is not None:
        return None
    check = next((node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)
                  and node.name == f"{plan.name()}_cs"), None)
    return VectorExpander(program, plan, scalar, check,
                          [ast.parse(c, mode="eval").body for c in constraints],
                          [(ast.parse(c, mode="eval").body, undecided) for c, undecided in transition])


__all__ = ["BATCH", "Program", "VectorExpander", "vector_expander"]
