"""Lark parse tree -> kovn AST (syntax/ast.py).

Input: a `lark.Tree` from parser.py and the SourceFile it came from. Output: `ast.Spec`
(or an `ast.Expr` for the `expr` start rule). Besides parser.py, the only module that
imports lark.
"""
from __future__ import annotations

from lark import Token, Transformer, Tree, v_args

from checker.diagnostics import SourceFile, Span
from checker.syntax import ast

_BINOPS = {
    "add_expr": "+", "sub_expr": "-", "concat_expr": "++", "mul_expr": "*", "div_expr": "/",
    "mod_expr": "%", "eq_expr": "==", "ne_expr": "!=", "lt_expr": "<", "le_expr": "<=",
    "gt_expr": ">", "ge_expr": ">=", "in_expr": "in", "notin_expr": "notin",
    "union_expr": "|", "inter_expr": "&", "range_expr": "..", "and_expr": "and",
    "or_expr": "or", "implies_expr": "=>", "iff_expr": "<=>",
}



def token_span(source: SourceFile, tok: Token) -> Span:
    """Where a token is: the LALR lexer gives every token its positions."""
    assert tok.start_pos is not None and tok.end_pos is not None
    return Span(source, tok.start_pos, tok.end_pos)

class BuildAst(Transformer):
    def __init__(self, source: SourceFile):
        super().__init__(visit_tokens=False)
        self.source = source

    def span(self, meta) -> Span:
        if getattr(meta, "empty", False):
            return Span(self.source, 0, 0)
        return Span(self.source, meta.start_pos, meta.end_pos)

    def tok_span(self, tok: Token) -> Span:
        return token_span(self.source, tok)

    def __default__(self, data, children, meta):
        if data in _BINOPS:
            left, right = children
            return ast.Binary(_BINOPS[data], left, right, span=self.span(meta))
        raise NotImplementedError(f"no AST rule for {data}")

    # -- top level
    @v_args(meta=True)
    def start(self, meta, children):
        name = None
        decls = []
        for c in children:
            if isinstance(c, tuple) and c and c[0] == "header":
                name = c[1]
            else:
                decls.append(c)
        return ast.Spec(name, tuple(decls), span=self.span(meta))

    def header(self, children):
        return ("header", str(children[0]))

    @v_args(meta=True)
    def import_decl(self, meta, children):
        return ast.Import(str(children[0])[1:-1], span=self.span(meta))

    @v_args(meta=True)
    def const_decl(self, meta, c):
        return ast.ConstDecl(str(c[0]), c[1], c[2] if len(c) > 2 else None, span=self.span(meta))

    @v_args(meta=True)
    def type_decl(self, meta, c):
        return ast.TypeDecl(str(c[0]), c[1], span=self.span(meta))

    @v_args(meta=True)
    def var_decl(self, meta, c):
        volatile = bool(c) and isinstance(c[0], Token) and c[0].type == "VOLATILE"
        if volatile:
            c = c[1:]
        return ast.VarDecl(str(c[0]), c[1], c[2] if len(c) > 2 else None, span=self.span(meta),
                           volatile=volatile)

    @v_args(meta=True)
    def def_decl(self, meta, c):
        name = str(c[0])
        params = None
        ret = None
        rest = list(c[1:])
        if rest and isinstance(rest[0], tuple) and rest[0] and rest[0][0] == "params":
            params = rest.pop(0)[1]
        if len(rest) == 2:
            ret = rest.pop(0)
        return ast.DefDecl(name, params, ret, rest[0], span=self.span(meta))

    def def_params(self, c):
        return ("params", tuple(p for p in c if p is not None))

    def params(self, c):
        return ("params", tuple(p for p in c if p is not None))

    @v_args(meta=True)
    def init_decl(self, meta, c):
        return ast.InitDecl(c[0], span=self.span(meta))

    @v_args(meta=True)
    def action_decl(self, meta, c):
        params = c[1][1] if len(c) == 3 else ()
        return ast.ActionDecl(str(c[0]), params, c[-1], span=self.span(meta))

    @v_args(meta=True)
    def macro_decl(self, meta, c):
        params = c[1][1] if len(c) == 3 else ()
        return ast.MacroDecl(str(c[0]), params, c[-1], span=self.span(meta))

    @v_args(meta=True)
    def call_stmt(self, meta, c):
        return ast.CallStmt(str(c[0]), tuple(a for a in c[1:] if a is not None), span=self.span(meta))

    @v_args(meta=True)
    def process_decl(self, meta, c):
        locals_ = tuple(x for x in c[2:] if isinstance(x, ast.VarDecl))
        body = tuple(x for x in c[2:] if isinstance(x, ast.Stmt) and not isinstance(x, _Empty))
        return ast.ProcessDecl(str(c[0]), c[1], locals_, body, span=self.span(meta))

    def _prop(self, kind, meta, c):
        return ast.PropertyDecl(kind, str(c[0]), c[1], span=self.span(meta))

    @v_args(meta=True)
    def invariant_decl(self, meta, c):
        return self._prop("invariant", meta, c)

    @v_args(meta=True)
    def action_prop_decl(self, meta, c):
        return self._prop("action", meta, c)

    @v_args(meta=True)
    def reachable_decl(self, meta, c):
        return self._prop("reachable", meta, c)

    @v_args(meta=True)
    def constraint_decl(self, meta, c):
        return self._prop("constraint", meta, c)

    @v_args(meta=True)
    def allow_deadlock(self, meta, c):
        return ast.DeadlockDecl(True, span=self.span(meta))

    @v_args(meta=True)
    def check_deadlock(self, meta, c):
        return ast.DeadlockDecl(False, span=self.span(meta))

    @v_args(meta=True)
    def variant_decl(self, meta, c):
        base = str(c[1]) if len(c) > 1 and isinstance(c[1], Token) else None
        items = tuple(x for x in c[2 if base else 1:] if x is not None)
        return ast.VariantDecl(str(c[0]), items, span=self.span(meta), extends=base)

    @v_args(meta=True)
    def param_type(self, meta, c):
        return ast.Param(str(c[0]), c[1], None, span=self.span(meta))

    @v_args(meta=True)
    def param_in(self, meta, c):
        return ast.Param(str(c[0]), None, c[1], span=self.span(meta))

    # -- temporal properties and fairness
    @v_args(meta=True)
    def temporal_decl(self, meta, c):
        formula = c[1]
        binders, body = (formula[1], formula[2]) if formula[0] == "forall" else ((), formula)
        parts = body[1] if body[0] == "and" else ()
        kind, p, q = parts[0][:3] if parts else body
        return ast.TemporalDecl(str(c[0]), kind, binders, p, q, span=self.span(meta), conjuncts=parts)

    def t_and(self, c):
        return ("and", tuple(c))

    @v_args(meta=True)
    def temporal_paren(self, meta, c):
        kind, p, q = c[0]
        return (kind, p, q, self.source.text[meta.start_pos + 1:meta.end_pos - 1].strip())

    def temporal_forall(self, c):
        return ("forall", c[0], c[1])

    def t_always_eventually(self, c):
        return ("always_eventually", c[0], None)

    def t_eventually_always(self, c):
        return ("eventually_always", c[0], None)

    def t_always(self, c):
        return ("always", c[0], None)

    def t_eventually(self, c):
        return ("eventually", c[0], None)

    def t_leads_to(self, c):
        return ("leads_to", c[0], c[1])

    @v_args(meta=True)
    def fair_weak(self, meta, c):
        return ast.FairDecl("weak", tuple(c), span=self.span(meta))

    @v_args(meta=True)
    def fair_strong(self, meta, c):
        return ast.FairDecl("strong", tuple(c), span=self.span(meta))

    @v_args(meta=True)
    def fair_whole(self, meta, c):
        return ast.FairItem(c[0], False, span=self.span(meta))

    @v_args(meta=True)
    def fair_each(self, meta, c):
        return ast.FairItem(c[0], True, span=self.span(meta))

    @v_args(meta=True)
    def fair_bound(self, meta, c):
        return ast.FairItem(c[0], False, span=self.span(meta), args=tuple(c[1:]))

    def fair_arg_each(self, c):
        return "*"

    def fair_arg_any(self, c):
        return "_"

    def fair_arg(self, c):
        return c[0]

    @v_args(meta=True)
    def fair_process(self, meta, c):
        return ast.FairItem((str(c[0]),), True, span=self.span(meta), process=True)

    def fair_actions(self, c):
        return tuple(c)

    def qual_name(self, c):
        return ".".join(str(t) for t in c)

    @v_args(meta=True)
    def assume_decl(self, meta, c):
        return ast.AssumeDecl(str(c[0]), c[1], span=self.span(meta))

    @v_args(meta=True)
    def acknowledge(self, meta, c):
        return ast.Acknowledge(str(c[0]), c[1], span=self.span(meta))

    def ack_subjects(self, c):
        return tuple(c)

    def ack_all(self, c):
        return ("*",)

    # -- variant items
    @v_args(meta=True)
    def v_const(self, meta, c):
        return ast.VConst(str(c[0]), c[1], span=self.span(meta))

    @v_args(meta=True)
    def v_expect_holds(self, meta, c):
        return ast.VExpect((), span=self.span(meta))

    @v_args(meta=True)
    def v_expect_violated(self, meta, c):
        return ast.VExpect(c[0], span=self.span(meta))

    @v_args(meta=True)
    def v_allow_deadlock(self, meta, c):
        return ast.VDeadlock(True, span=self.span(meta))

    @v_args(meta=True)
    def v_check_deadlock(self, meta, c):
        return ast.VDeadlock(False, span=self.span(meta))

    @v_args(meta=True)
    def v_properties(self, meta, c):
        return ast.VProperties(c[0], span=self.span(meta))

    @v_args(meta=True)
    def v_properties_none(self, meta, c):
        return ast.VProperties((), span=self.span(meta))

    @v_args(meta=True)
    def v_symmetry(self, meta, c):
        return ast.VSymmetry(c[0], span=self.span(meta))

    def v_empty(self, c):
        return None

    def name_list(self, c):
        return tuple(str(t) for t in c)

    # -- types
    @v_args(meta=True)
    def sum_type(self, meta, c):
        return ast.SumType(tuple((a[0], a[1]) for a in c), alt_spans=tuple(a[2] for a in c),
                           span=self.span(meta))

    @v_args(meta=True)
    def variant_alt(self, meta, c):
        fields = c[1:]
        if not fields:
            payload = None
        elif len(fields) == 1 and fields[0][0] is None:
            payload = fields[0][1]            # one value: its type, as before
        else:
            payload = ast.AltFields(tuple(fields), span=self.span(meta))
        return (str(c[0]), payload, self.span(meta))

    def alt_positional(self, c):
        return (None, c[0])

    def alt_named(self, c):
        return (str(c[0]), c[1])

    @v_args(meta=True)
    def fun_type(self, meta, c):
        return ast.MapType(c[0], c[1], True, span=self.span(meta))

    @v_args(meta=True)
    def bool_type(self, meta, c):
        return ast.BoolType(span=self.span(meta))

    @v_args(meta=True)
    def int_type(self, meta, c):
        return ast.IntType(span=self.span(meta))

    @v_args(meta=True)
    def named_type(self, meta, c):
        return ast.NamedType(str(c[0]), span=self.span(meta))

    @v_args(meta=True)
    def symmetric_type(self, meta, c):
        return ast.SymmetricType(c[0], c[1], span=self.span(meta))

    @v_args(meta=True)
    def range_type(self, meta, c):
        return ast.RangeType(c[0], c[1], span=self.span(meta))

    @v_args(meta=True)
    def set_type(self, meta, c):
        return ast.SetType(c[0], span=self.span(meta))

    @v_args(meta=True)
    def set_type_bounded(self, meta, c):
        return ast.BoundedSetType(c[0], c[1], span=self.span(meta))

    @v_args(meta=True)
    def map_type(self, meta, c):
        return ast.MapType(c[0], c[1], False, span=self.span(meta))

    @v_args(meta=True)
    def seq_type(self, meta, c):
        return ast.SeqType(c[0], c[1], span=self.span(meta))

    @v_args(meta=True)
    def seq_type_unbounded(self, meta, c):
        return ast.SeqType(c[0], None, span=self.span(meta))

    @v_args(meta=True)
    def option_type(self, meta, c):
        return ast.OptionType(c[0], span=self.span(meta))

    @v_args(meta=True)
    def record_type(self, meta, c):
        defaults = tuple((name, d) for name, _, d in c if d is not None)
        return ast.RecordType(tuple((name, t) for name, t, _ in c), span=self.span(meta), defaults=defaults)

    def field_type(self, c):
        return (str(c[0]), c[1], c[2] if len(c) > 2 else None)

    # -- statements
    def block(self, c):
        return tuple(s for s in c if not isinstance(s, _Empty))

    @v_args(meta=True)
    def require_stmt(self, meta, c):
        return ast.Require(c[0], span=self.span(meta))

    @v_args(meta=True)
    def assign_stmt(self, meta, c):
        return ast.Assign(c[0], c[1], span=self.span(meta))

    @v_args(meta=True)
    def if_stmt(self, meta, c):
        else_ = None
        if len(c) == 3:
            else_ = c[2] if isinstance(c[2], tuple) else (c[2],)
        return ast.If(c[0], c[1], else_, span=self.span(meta))

    @v_args(meta=True)
    def choose_stmt(self, meta, c):
        return ast.Choose(str(c[0]), c[1], span=self.span(meta))

    @v_args(meta=True)
    def choose_where_stmt(self, meta, c):
        return ast.ChooseWhere(str(c[0]), c[1], c[2], False, span=self.span(meta))

    @v_args(meta=True)
    def choose_least_stmt(self, meta, c):
        return ast.ChooseWhere(str(c[0]), c[1], c[2], True, span=self.span(meta))

    @v_args(meta=True)
    def let_stmt(self, meta, c):
        return ast.Let(str(c[0]), c[1], span=self.span(meta))

    @v_args(meta=True)
    def let_pattern_stmt(self, meta, c):
        return ast.LetPattern(str(c[0]), c[1], c[2], span=self.span(meta))

    @v_args(meta=True)
    def match_stmt(self, meta, c):
        return ast.MatchStmt(c[0], tuple(c[1:]), span=self.span(meta))

    @v_args(meta=True)
    def stmt_arm(self, meta, c):
        tag, binds = c[0]
        return ast.StmtArm(tag, binds, c[1], span=self.span(meta))

    @v_args(meta=True)
    def for_stmt(self, meta, c):
        return ast.For(str(c[0]), c[1], c[2], span=self.span(meta))

    @v_args(meta=True)
    def goto_stmt(self, meta, c):
        return ast.Goto(str(c[0]), span=self.span(meta))

    @v_args(meta=True)
    def restart_stmt(self, meta, c):
        return ast.Restart(span=self.span(meta))

    @v_args(meta=True)
    def skip_stmt(self, meta, c):
        return ast.Skip(span=self.span(meta))

    @v_args(meta=True)
    def label_stmt(self, meta, c):
        return ast.Label(str(c[0]), span=self.span(meta))

    def empty_stmt(self, c):
        return _Empty()

    @v_args(meta=True)
    def lvalue(self, meta, c):
        return ast.LValue(str(c[0]), tuple(c[1:]), span=self.span(meta))

    def sel_index(self, c):
        return c[0]

    def sel_field(self, c):
        return str(c[0])

    # -- expressions
    def _binders(self, c):
        return c

    def binders(self, c):
        return tuple(c)

    @v_args(meta=True)
    def binder(self, meta, c):
        return ast.Binder(str(c[0]), c[1], span=self.span(meta))

    @v_args(meta=True)
    def pattern_binder(self, meta, c):
        return ast.Binder(str(c[0]), c[2], span=self.span(meta), pattern=c[1])

    @v_args(meta=True)
    def forall_expr(self, meta, c):
        return ast.Quant("forall", c[0], c[1], span=self.span(meta))

    @v_args(meta=True)
    def exists_expr(self, meta, c):
        return ast.Quant("exists", c[0], c[1], span=self.span(meta))

    @v_args(meta=True)
    def let_expr(self, meta, c):
        return ast.LetExpr(str(c[0]), c[1], c[2], span=self.span(meta))

    @v_args(meta=True)
    def ite_expr(self, meta, c):
        return ast.IfExpr(c[0], c[1], c[2], span=self.span(meta))

    @v_args(meta=True)
    def not_expr(self, meta, c):
        return ast.Unary("not", c[0], span=self.span(meta))

    @v_args(meta=True)
    def neg_expr(self, meta, c):
        return ast.Unary("-", c[0], span=self.span(meta))

    @v_args(meta=True)
    def call_expr(self, meta, c):
        return ast.Call(c[0], tuple(a for a in c[1:] if a is not None), span=self.span(meta))

    @v_args(meta=True)
    def arg(self, meta, c):
        return ast.Arg(None, c[0], span=self.span(meta))

    @v_args(meta=True)
    def named_arg(self, meta, c):
        return ast.Arg(str(c[0]), c[1], span=self.span(meta))

    @v_args(meta=True)
    def index_expr(self, meta, c):
        return ast.Index(c[0], c[1], span=self.span(meta))

    @v_args(meta=True)
    def field_expr(self, meta, c):
        return ast.Field(c[0], str(c[1]), span=self.span(meta))

    @v_args(meta=True)
    def prime_expr(self, meta, c):
        return ast.Prime(c[0], span=self.span(meta))

    @v_args(meta=True)
    def with_expr(self, meta, c):
        return ast.With(c[0], tuple(c[1:]), span=self.span(meta))

    @v_args(meta=True)
    def entry(self, meta, c):
        return ast.Entry(c[0], c[1], span=self.span(meta))

    @v_args(meta=True)
    def int_lit(self, meta, c):
        return ast.IntLit(int(c[0]), span=self.span(meta))

    @v_args(meta=True)
    def ip_lit(self, meta, c):
        return ast.IpLit(str(c[0]), span=self.span(meta))

    @v_args(meta=True)
    def cidr_lit(self, meta, c):
        return ast.CidrLit(str(c[0]), span=self.span(meta))

    @v_args(meta=True)
    def true_lit(self, meta, c):
        return ast.BoolLit(True, span=self.span(meta))

    @v_args(meta=True)
    def false_lit(self, meta, c):
        return ast.BoolLit(False, span=self.span(meta))

    @v_args(meta=True)
    def name_expr(self, meta, c):
        return ast.Name(str(c[0]), span=self.span(meta))

    @v_args(meta=True)
    def empty_braces(self, meta, c):
        return ast.EmptyBraces(span=self.span(meta))

    @v_args(meta=True)
    def set_lit(self, meta, c):
        return ast.SetLit(tuple(c), span=self.span(meta))

    @v_args(meta=True)
    def map_lit(self, meta, c):
        return ast.MapLit(tuple(c), span=self.span(meta))

    @v_args(meta=True)
    def set_comp(self, meta, c):
        return ast.SetComp(c[0], c[1], c[2] if len(c) > 2 else None, span=self.span(meta))

    @v_args(meta=True)
    def map_comp(self, meta, c):
        e = c[0]
        return ast.MapComp(e.key, e.value, c[1], c[2] if len(c) > 2 else None,
                           span=self.span(meta))

    @v_args(meta=True)
    def seq_lit(self, meta, c):
        return ast.SeqLit(tuple(x for x in c if x is not None), span=self.span(meta))

    @v_args(meta=True)
    def match_expr(self, meta, c):
        return ast.Match(c[0], tuple(c[1:]), span=self.span(meta))

    @v_args(meta=True)
    def match_arm(self, meta, c):
        tag, binds = c[0]
        return ast.MatchArm(tag, binds, c[1], span=self.span(meta))

    def tag_pattern(self, c):
        return (str(c[0]), c[1] if len(c) > 1 else ())

    def wild_pattern(self, c):
        return (None, ())

    def pat_vars(self, c):
        return tuple(c)

    def pat_var(self, c):
        return str(c[0])

    def wild_var(self, c):
        return None

    @v_args(meta=True)
    def record_lit(self, meta, c):
        return ast.RecordLit(tuple(c), span=self.span(meta))

    def field_value(self, c):
        return (str(c[0]), c[1])


class _Empty(ast.Stmt):
    """A stray `;`: dropped from blocks."""


def build(tree: Tree, source: SourceFile):
    return BuildAst(source).transform(tree)
