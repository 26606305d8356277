"""Every diagnostic code, grouped by phase, with the text docs/errors.md is checked against.

KOV0xx syntax, KOV1xx names, KOV2xx types, KOV3xx statements and levels, KOV4xx constants
and variants, KOV5xx errors found while exploring, KOV6xx warnings, KOV9xx files and imports.
"""
from __future__ import annotations

DOCS: dict[str, str] = {}


def _code(code: str, doc: str) -> str:
    DOCS[code] = doc
    return code


# syntax
UNEXPECTED_CHARACTER = _code("KOV001", "A character that cannot start any token.")
UNEXPECTED_TOKEN = _code("KOV002", "A token the grammar does not allow here; the note lists what it expected.")
UNEXPECTED_EOF = _code("KOV003", "The file ends in the middle of a declaration.")
NESTED_TOO_DEEP = _code("KOV004", "An expression or statement nested more than 100 levels deep (a long `and` or `or` chain is fine), or an action too large for Python to compile.")
LITERAL_TOO_LONG = _code("KOV005", "An integer literal of more than 4,300 digits.")

# names
UNDEFINED_NAME = _code("KOV101", "A name that is not declared (constants, types, variables, definitions, parameters, enum members).")
DUPLICATE_NAME = _code("KOV102", "Two declarations with the same name (also across imported files).")
AMBIGUOUS_MEMBER = _code("KOV103", "An enum member that belongs to several types and whose type the context does not fix; qualify it as Type.member.")
UNDEFINED_LABEL = _code("KOV104", "A `goto` to a label the process does not have.")
UNKNOWN_PROPERTY = _code("KOV105", "A variant names a property that is not declared.")
RECURSIVE_DEFINITION = _code("KOV106", "A definition, constant or type that refers to itself.")
SHADOWED_NAME = _code("KOV107", "A bound name that hides a declaration of the same name.")
RESERVED_NAME = _code("KOV109", "A keyword (`in`, `match`, ...) or a built-in name (`none`, `last`, `len`, ...) used as the name of a declaration, a parameter or a bound name.")
UNKNOWN_FAIR_TARGET = _code("KOV108", "A fairness declaration names something that is not an action, a process or a process step (`Proc.label`).")

# types
TYPE_MISMATCH = _code("KOV201", "An expression of one type where another is required.")
NOT_A_TYPE = _code("KOV202", "A name used as a type that is not a type.")
BAD_OPERAND = _code("KOV203", "An operator applied to operands it is not defined for.")
BAD_CALL = _code("KOV204", "A call with the wrong number or kind of arguments, or of something that cannot be called.")
NO_SUCH_FIELD = _code("KOV205", "A record field or variant that the type does not have.")
CANNOT_INFER = _code("KOV206", "An expression whose type the context does not determine (such as `{}` on its own).")
UNBOUNDED_STATE = _code("KOV207", "A state variable whose type has no finite bound (every state variable needs one).")
BAD_RANGE = _code("KOV208", "A range type whose bounds are not constant integers or are empty.")
DOMAIN_TOO_LARGE = _code("KOV209", "A type too large to enumerate or to use as set elements or map keys.")
FAIR_PARAMS_DIFFER = _code("KOV210", "`fair ... (A, B)(*)` groups the instances of several actions by their parameter values, but the actions take parameters of different types.")
SYMMETRY_BROKEN = _code("KOV212", "A value of a symmetric type (`type T = symmetric lo..hi`) used in a way that depends on which value it is: arithmetic, an order (<, min, max, choose least), a literal or an int where a T is expected, a `for` loop or a map comprehension whose result depends on the order of T's values; symmetry reduction would be unsound.")
BAD_ADDRESS = _code("KOV211", "An IPv4 address or CIDR block literal that is not valid: an octet above 255, a prefix above 32, or host bits set in a block (`10.0.0.5/8`).")

# statements and levels
PRIME_OUTSIDE_ACTION_PROPERTY = _code("KOV301", "x' (the next value of x) outside an action property, or a prime inside a primed expression (x'').")
ASSIGN_NOT_VARIABLE = _code("KOV302", "An assignment to something that is not a state variable (or a process local).")
STATE_IN_CONSTANT = _code("KOV303", "A constant-level expression (constant value, type bound, variant setting) that reads state.")
BAD_STATEMENT_PLACE = _code("KOV304", "A statement where it is not allowed (labels outside processes, `goto` outside processes or followed by a statement).")
MISSING_INIT = _code("KOV305", "A state variable that the init block (or its declaration) never assigns.")
DOUBLE_ASSIGN = _code("KOV306", "A variable assigned twice on the same path of an init block where the first value is lost.")
PROCESS_WITHOUT_LABEL = _code("KOV307", "A process body that does not start with a label.")
UNSUPPORTED_CONSTRAINT = _code("KOV308", "A `choose ... where` constraint (or a guard on a parameter of a large type) over values too many to enumerate, written with a form the solver cannot encode; the diagnostic points at the form.")
READ_BEFORE_INIT = _code("KOV309", "A state variable read while the initial states are computed (in an `init` block, a declaration's initial value, a process local's initial value, or a macro, definition or `restart` used there) before it is assigned on every path leading to the read; also an assignment to part of it (`f[k] := v`) before it has a whole value.")
OLD_OUTSIDE_STEP = _code("KOV310", "`old(e)` (the value at the start of the step) outside the statements of an action or a process step: in an init block, a definition, a property or a constant.")

# constants and variants
MISSING_CONSTANT = _code("KOV401", "A constant with no value in the spec, the variant or on the command line.")
UNKNOWN_CONSTANT = _code("KOV402", "A variant or --const sets a name that is not a constant.")
UNKNOWN_VARIANT = _code("KOV403", "--variant names a variant the spec does not declare.")
DUPLICATE_VARIANT_ITEM = _code("KOV404", "A variant sets the same thing twice.")
BAD_SYMMETRY = _code("KOV406", "A variant's `symmetry` (or `--symmetry`) names a type not declared `symmetric`.")
BAD_CONST_VALUE = _code("KOV405", "A --const value that does not parse as NAME=expression.")
ASSUMPTION_FAILED = _code("KOV407", "An `assume` whose condition on the constants is false for a variant (with its settings and the --const values).")
BAD_ACKNOWLEDGEMENT = _code("KOV408", "An `acknowledge` that names a warning kind that does not exist, or a subject (action, process step, property) that the spec does not declare.")

# found while exploring
RUNTIME_ERROR = _code("KOV501", "An expression that cannot be evaluated in a reachable state (a missing map key, a value out of its range, an empty set given to min).")

# warnings (each also has a name, by which a variant acknowledges it: WARNING_NAMES)
UNUSED_ACTION = _code("KOV601", "An action that was never enabled during a complete search (reported in coverage).")
DEAD_GUARD = _code("KOV602", "An action or process step whose guard cannot hold in any state the declared types and constants allow, or a `choose ... where` constraint with no solution in any such state (found by the solver before the search).")
VACUOUS = _code("KOV603", "A property that holds only because a premise is never true: the condition of an implication, a `leads to` or an `if`, a conjunct of a negated conjunction, or a quantifier's range is never true (never non-empty) in any reachable state or step; or the constants alone make it true.")
CONSTANT_PROPERTY = _code("KOV604", "A property whose outcome the constants decide before the search: false in every state, or (reachable) reached or missed whatever the state.")
READ_AFTER_WRITE = _code("KOV605", "An action that reads a state variable, or a part of it, after assigning it in the same step: statements run in order, so it reads the new value, where TLA+ would read the old one.")
FAIR_NEVER_ENABLED = _code("KOV606", "A fairness declaration none of whose actions is ever enabled in a reachable state: it constrains nothing.")
LOOP_OUTSIDE_CONSTRAINT = _code("KOV607", "A liveness counterexample whose loop passes a state outside a `constraint`: the search did not explore beyond it, so the loop may be an artefact of the bound.")
UNFAIR_STUTTER = _code("KOV608", "A liveness counterexample that stutters forever in a state where an action without fairness is enabled; the report says whether declaring it fair changes the verdict.")
TRIVIAL_LIVENESS = _code("KOV609", "A temporal property whose obligation never opens in a reachable state (`P leads to Q` where Q holds wherever P does, `eventually P` where every initial state has P, ...): it holds without any behaviour needing its fairness.")
UNUSED_ACKNOWLEDGEMENT = _code("KOV610", "An `acknowledge` that matched no warning in a complete search of any variant it applies to.")

# The names of the warnings: `acknowledge NAME SUBJECT` in a variant (or the code itself).
WARNING_NAMES: dict[str, str] = {
    UNUSED_ACTION: "never_enabled",
    DEAD_GUARD: "dead_guard",
    VACUOUS: "vacuous",
    CONSTANT_PROPERTY: "constant",
    READ_AFTER_WRITE: "read_after_write",
    FAIR_NEVER_ENABLED: "fair_never_enabled",
    LOOP_OUTSIDE_CONSTRAINT: "loop_outside_constraint",
    UNFAIR_STUTTER: "unfair_stutter",
    TRIVIAL_LIVENESS: "trivial_liveness",
    UNUSED_ACKNOWLEDGEMENT: "unused_acknowledgement",
}

# files
FILE_NOT_FOUND = _code("KOV901", "The spec file, or a file it imports, does not exist or cannot be read.")
IMPORT_CYCLE = _code("KOV902", "Files that import each other.")
