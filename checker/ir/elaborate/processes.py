"""Elaboration: processes lowered to actions: a program counter per process, one action per label, goto ending a step.

A part of the Elaborator (checker/ir/elaborate/__init__.py); input: AST nodes of
the declarations, output: IR nodes and diagnostics.
"""
from __future__ import annotations
from checker import codes
from checker.ir import nodes as ir
from checker.semantics import types as T
from checker.syntax import ast
from checker.ir.elaborate.common import BOOL, Binding, Ctx, Scope, _end_at_goto, _suggest, err


class ProcessesPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

    def declare_process(self, proc: ast.ProcessDecl) -> None:
        labels = [s.name for s in proc.body if isinstance(s, ast.Label)]
        if not proc.body or not isinstance(proc.body[0], ast.Label):
            self.error(codes.PROCESS_WITHOUT_LABEL, f"process '{proc.name}' must start with a label",
                       proc.span, hint="write `start:` before the first statement")
        seen: dict[str, ast.Label] = {}
        for lab in (s for s in proc.body if isinstance(s, ast.Label)):
            if lab.name == "done":
                self.error(codes.DUPLICATE_NAME, f"process '{proc.name}' has a label 'done', the name of its "
                           "implicit end", lab.span, hint="choose another label name")
            elif lab.name in seen:
                self.error(codes.DUPLICATE_NAME, f"label '{lab.name}' appears twice in process '{proc.name}'",
                           lab.span, labels=((seen[lab.name].span, "first here"),))
            seen.setdefault(lab.name, lab)
        label_t = T.LabelT(proc.name, tuple(labels) + ("done",))
        self.labels[proc.name] = label_t
        key_t = self.param_type(proc.param)
        pvars = {"pc": self.declare_var(f"{proc.name}.pc", T.MapT(key_t, label_t, True), proc.span)}
        for local in proc.locals:
            self.check_shadowing(local.name, local.span)
            t = self.resolve_type(local.type)
            pvars[local.name] = self.declare_var(f"{proc.name}.{local.name}", T.MapT(key_t, t, True),
                                                 local.span)
        self.process_vars[proc.name] = pvars

    def process_init(self, proc: ast.ProcessDecl, ctx: Ctx) -> list[ir.S]:
        pvars = self.process_vars[proc.name]
        pc = pvars["pc"]
        pc_t = self.vars[pc].t
        out = [ir.Assign(pc, self.pc_init(proc, pc_t, ctx), proc.span)]
        for local in proc.locals:
            i = pvars[local.name]
            if local.init is None:
                self.error(codes.MISSING_INIT, f"process local '{local.name}' needs an initial value",
                           local.span, hint=f"var {local.name}: ... = value")
                continue
            value = self.check(local.init, self.vars[i].t.value, ctx)
            out.append(ir.Assign(i, self.full_map(self.vars[i].t, value), local.span))
        return out

    def pc_init(self, proc: ast.ProcessDecl, pc_t: T.MapT, ctx: Ctx) -> ir.E:
        """Every process starts at its first label. With `p in SET`, the pc map still has a
        slot for every value of the element type: the ids outside SET name no process and
        start at `done`, so that termination (every pc at done) is reached."""
        if proc.param.domain is None:
            return self.full_map(pc_t, ir.Lit(pc_t.value, 0))
        dom = self.set_expr(proc.param.domain, Ctx(ctx.scope, state=False))
        k = self.fresh("k")
        key = ir.Local(pc_t.key, k)
        done = ir.Lit(pc_t.value, len(pc_t.value.labels) - 1)
        value = ir.Ite(pc_t.value, ir.Op(BOOL, "in", (key, dom)), ir.Lit(pc_t.value, 0), done)
        return ir.Comp(pc_t, (ir.Binder(k, ir.TypeSet(T.SetT(pc_t.key))),), None, key, value)

    def full_map(self, t: T.MapT, value: ir.E) -> ir.E:
        k = self.fresh("k")
        return ir.Comp(t, (ir.Binder(k, ir.TypeSet(T.SetT(t.key))),), None, ir.Local(t.key, k), value)

    def elab_process(self, proc: ast.ProcessDecl) -> list[ir.ActionIR]:
        steps: list[tuple[ast.Label, list[ast.Stmt]]] = []
        for s in proc.body:
            if isinstance(s, ast.Label):
                steps.append((s, []))
            elif steps:
                steps[-1][1].append(s)
        label_t = self.labels[proc.name]
        out = []
        for i, (label, body) in enumerate(steps):
            ctx = Ctx(Scope(), process=proc.name, step=True)
            params = self.bind_params((proc.param,), ctx)
            me = ir.Local(params[0].t, params[0].name)
            ctx.scope.names["self"] = Binding("local", me)
            for name, vi in self.process_vars[proc.name].items():
                if name != "pc":
                    ctx.scope.names[name] = Binding("plocal", (vi, me))
            pc = self.process_vars[proc.name]["pc"]
            pc_t = self.vars[pc].t
            here = ir.Lit(label_t, i)
            guard = ir.Require(ir.Op(BOOL, "eq", (ir.Index(label_t, ir.VarRef(pc_t, pc), me), here)), label.span)
            nxt = ir.Lit(label_t, i + 1)   # fall through (the last label falls to `done`)
            set_pc = ir.Assign(pc, ir.Update(pc_t, ir.VarRef(pc_t, pc), ((me, nxt),)), label.span)
            stmts = _end_at_goto(list(self.stmts(tuple(body), ctx)))
            out.append(ir.ActionIR(f"{proc.name}.{label.name}", params, (guard, set_pc) + stmts,
                                   proc.name, label.name, label.span))
        return out

    def goto(self, s: ast.Goto, ctx: Ctx) -> ir.S:
        if ctx.process is None:
            self.error(codes.BAD_STATEMENT_PLACE, "`goto` is only allowed in a process", s.span)
            return ir.LetS("_", err())
        label_t = self.labels[ctx.process]
        if s.label not in label_t.labels:
            self.error(codes.UNDEFINED_LABEL, f"process '{ctx.process}' has no label '{s.label}'", s.span,
                       hint=_suggest(s.label, label_t.labels))
            return ir.LetS("_", err())
        pc = self.process_vars[ctx.process]["pc"]
        pc_t = self.vars[pc].t
        me = ctx.scope.lookup("self").node
        target = ir.Lit(label_t, label_t.labels.index(s.label))
        return ir.Assign(pc, ir.Update(pc_t, ir.VarRef(pc_t, pc), ((me, target),)), s.span, goto=True)
