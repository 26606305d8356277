"""Elaboration: the init block, and its definite-assignment analysis: every variable assigned
once before it is read (KOV305, KOV306, KOV309).

A part of the Elaborator (checker/ir/elaborate/__init__.py); input: AST nodes of
the declarations, output: IR nodes and diagnostics.
"""
from __future__ import annotations
from typing import Any
from checker import codes
from checker.ir import nodes as ir
from checker.ir.elaborate.common import Ctx, Scope, _InitSite, _state_reads, _type_text, _within


class InitPass:
    """Elaborator methods of this pass (the module docstring says what it does)."""

    def elab_init(self) -> tuple[ir.S, ...]:
        ctx = Ctx(Scope())
        out: list[ir.S] = []
        self.init_sites = {}
        try:
            for name, decl in self.d.vars.items():
                if decl.init is not None:
                    i = self.var_index[name]
                    out.append(ir.Assign(i, self.check(decl.init, self.vars[i].t, ctx), decl.span))
                    self.mark_init_site(out[-1:], _InitSite("decl", name, decl.span))
            for proc in self.d.processes.values():
                for s in self.process_init(proc, ctx):
                    out.append(s)
                    self.mark_init_site([s], _InitSite("local", self.vars[s.var].name, s.origin))
            for block in self.d.inits:
                out.extend(self.stmts(block.body, ctx))
            self.check_double_init(out, {})
            assigned = self.check_init_reads(out)
        finally:
            self.init_sites = None
        for i, v in enumerate(self.vars):
            if i not in assigned and "." not in v.name:   # process locals: see process_init
                where = self.d.inits[0].span if self.d.inits else v.origin
                self.error(codes.MISSING_INIT, f"state variable '{v.name}' is not given an initial value",
                           v.origin, labels=((where, "in this init"),) if self.d.inits else (),
                           hint=f"assign it in `init {{ ... }}` or write `var {v.name}: ... = value`")
        return tuple(out)

    def check_double_init(self, stmts, first: dict[int, Any]) -> dict[int, Any]:
        """KOV306: an init assignment that overwrites, without reading it, a value assigned
        earlier on the same path (the first value is lost, so one of the two is a mistake).
        `first` maps var index -> span of its first assignment; returns it for what follows."""
        for s in stmts:
            if isinstance(s, ir.Assign):
                reads_itself = any(ref.index == s.var for ref, _ in _state_reads(s.value, self.defs))
                if s.var in first and not reads_itself:
                    self.error(codes.DOUBLE_ASSIGN,
                               f"'{self.vars[s.var].name}' is assigned twice in init; the first value is lost",
                               s.origin, labels=((first[s.var], "first assigned here"),) if first[s.var] else ())
                first.setdefault(s.var, s.origin)
            elif isinstance(s, ir.IfS):
                then = self.check_double_init(s.then, dict(first))
                first = {**self.check_double_init(s.else_, dict(first)), **then}
            elif isinstance(s, ir.ForS):
                first = {**self.check_double_init(s.body, dict(first)), **first}
        return first

    def mark_init_site(self, stmts, site: "_InitSite") -> None:
        """Remember where init statements come from (a declaration, a process local, a macro
        call, a `restart`); a later mark wins, so a macro's statements end up marked with the
        outermost call, the one written in the init block."""
        if self.init_sites is not None:
            for s in stmts:
                self.init_sites[id(s)] = (s, site)

    def site_of(self, s: ir.S) -> "_InitSite | None":
        entry = (self.init_sites or {}).get(id(s))
        return entry[1] if entry is not None and entry[0] is s else None

    def check_init_reads(self, stmts) -> set[int]:
        """KOV309: a state variable read by the init program (declaration initial values,
        process locals, init blocks, and the macros, definitions and restarts they use) where
        some path reaches the read without assigning the variable. Definite assignment, in
        order: an `if` assigns what both branches assign, a `for` nothing (its body may run
        zero times; its first run sees only what came before). A partial assignment
        (`f[k] := v`) reads the rest of f. A variable is reported once per statement, at its
        first such read there. (Unreported, the compiled checker would read the first value of
        the variable's type there, and the reference interpreter would fail.) Returns the
        variables assigned on every path of the init program (KOV305 reports the others)."""
        from checker.ir.walk import walk
        first: dict[int, Any] = {}
        for s in stmts:
            for n in walk(s):
                if isinstance(n, ir.Assign):
                    first.setdefault(n.var, n.origin)
        return self._init_reads(stmts, set(), {}, None, first, set())[0]

    def _init_reads(self, stmts, definite: set[int], maybe: dict[int, Any], site, first: dict[int, Any],
                    reported: set) -> tuple[set[int], dict[int, Any]]:
        """Walk stmts with the variables assigned on every path so far (definite) and on some
        path (maybe: var -> first such assignment); return both after stmts."""
        definite, maybe = set(definite), dict(maybe)
        for s in stmts:
            here = site or self.site_of(s)

            # one report per variable and statement of the init program (a macro call or a
            # restart counts as one)
            unit = here.span if here is not None and here.kind in ("macro", "restart") else id(s)

            def reads(e: ir.E) -> None:
                for ref, call in _state_reads(e, self.defs):
                    if ref.index not in definite and (ref.index, unit) not in reported:
                        reported.add((ref.index, unit))
                        self.read_before_init(ref, call, s, here, maybe, first)

            if isinstance(s, ir.Assign):
                reads(s.value)
                definite.add(s.var)
                maybe.setdefault(s.var, s.origin)
            elif isinstance(s, ir.Require):
                reads(s.cond)
            elif isinstance(s, ir.LetS):
                reads(s.value)
            elif isinstance(s, ir.ChooseS):
                reads(s.domain)
            elif isinstance(s, ir.IfS):
                reads(s.cond)
                d1, m1 = self._init_reads(s.then, definite, maybe, here, first, reported)
                d2, m2 = self._init_reads(s.else_, definite, maybe, here, first, reported)
                definite = d1 & d2
                maybe = {**m2, **m1, **maybe}
            elif isinstance(s, ir.ForS):
                reads(s.domain)
                _, m1 = self._init_reads(s.body, definite, maybe, here, first, reported)
                maybe = {**m1, **maybe}
        return definite, maybe

    def read_before_init(self, ref: ir.VarRef, call: "ir.CallDef | None", stmt: ir.S, site: "_InitSite | None",
                         maybe: dict[int, Any], first: dict[int, Any]) -> None:
        i = ref.index
        name = self.vars[i].name
        what = "process variable" if "." in name else "state variable"
        decl = self.d.vars.get(name)
        declared = f"`var {name}: {_type_text(decl)} = value`"
        partial = (call is None and isinstance(stmt, ir.Assign) and stmt.var == i
                   and isinstance(stmt.value, ir.Update) and stmt.value.base is ref
                   and ref.origin is not None and stmt.origin is not None and ref.origin.start == stmt.origin.start)
        # the place in the init program that reads, and where the read is written if elsewhere
        primary, where = ref.origin, ""
        if call is not None:
            primary, where = call.origin, f", in definition '{self.defs[call.index].name}'"
        if site is not None and site.kind in ("macro", "restart") and not _within(primary, site.span):
            primary = site.span
            if not where:
                where = f", in macro '{site.name}'" if site.kind == "macro" else \
                    (f", in the initial value of '{self.vars[stmt.var].name}'" if isinstance(stmt, ir.Assign) else "")
        labels = []
        if primary is not ref.origin and ref.origin is not None:
            labels.append((ref.origin, f"'{name}' is read here{where}"))
        if i in maybe and maybe[i] is not None:
            labels.append((maybe[i], "assigned here, but not on every path to the read"))
        elif first.get(i) is not None and first[i] is not stmt.origin:
            labels.append((first[i], "assigned only later, here"))
        if partial:
            self.error(codes.READ_BEFORE_INIT, f"{what} '{name}' is assigned in part before it has a value",
                       primary, labels=tuple(labels),
                       hint=f"an assignment to part of '{name}' keeps the rest, which has no value yet: assign "
                            f"the whole value first (`{name} := ...`), or write {declared}")
            return
        if site is not None and site.kind == "decl":
            reader = self.d.vars[site.name]
            if decl is not None and decl.init is not None and decl.span.path != reader.span.path:
                hint = (f"initial values in declarations are evaluated in declaration order, and an imported "
                        f"file's declarations come before the importer's: '{site.name}' cannot read '{name}'")
            elif decl is not None and decl.init is not None:
                hint = (f"initial values in declarations are evaluated in declaration order: declare "
                        f"'{name}' before '{site.name}'")
            elif decl is None:
                hint = ("process locals get their initial values after those of declared variables: "
                        f"assign '{site.name}' in `init` instead")
            elif reader.volatile:
                hint = (f"a volatile variable's initial value is evaluated before the `init` blocks (and again "
                        f"at each `restart`): write {declared} before '{site.name}'")
            else:
                hint = (f"initial values in declarations are evaluated before the `init` blocks: assign "
                        f"'{site.name}' in `init` after '{name}', or write {declared} before '{site.name}'")
        elif site is not None and site.kind == "local":
            if decl is None:
                (reader_proc, reader), (proc, local) = site.name.split(".", 1), name.split(".", 1)
                hint = (f"process locals get their initial values in declaration order: declare '{local}' "
                        f"before '{reader}'" if proc == reader_proc else
                        f"process locals get their initial values process by process, in declaration order: "
                        f"declare process '{proc}' before '{reader_proc}'")
            else:
                hint = (f"process locals get their initial values before the `init` blocks: write {declared}")
        else:
            hint = f"assign '{name}' before reading it, or give it an initial value: {declared}"
        self.error(codes.READ_BEFORE_INIT, f"{what} '{name}' is read before it has a value", primary,
                   labels=tuple(labels), hint=hint)
