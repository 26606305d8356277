"""Peterson's filter lock for N processes, written directly against the engine's Model protocol.

Input: N (processes 0..N-1). Output: a Model for checker.engine.explore, the cross-check of the
kovn spec models/peterson.kovn (see /work/shared/conformance.md, "peterson").

State: one flat tuple of ints, in this order:
    pc[0..N-1]        0 = ncs, 1 = setvictim, 2 = wait, 3 = cs
    level[0..N-1]     0..N-1
    victim[1..N-1]    0..N-1 (there is no victim[0]: level 0 is "not competing")
Actions, successors ordered by action first, then process: Enter(0..N-1), SetVictim(0..N-1),
Pass(0..N-1), Exit(0..N-1). Invariant MutualExclusion: no two processes in cs together.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from checker.engine.model import ActionInfo, Label, ModelBase, PropertyInfo

NCS, SETVICTIM, WAIT, CS = 0, 1, 2, 3
PC_NAMES = ("ncs", "setvictim", "wait", "cs")
ENTER, SET_VICTIM, PASS, EXIT = 0, 1, 2, 3
MUTUAL_EXCLUSION = 0

State = tuple[int, ...]


class PetersonModel(ModelBase):
    """Peterson's filter lock with `n` processes (n >= 2)."""

    check_deadlock = False          # conformance: deadlocks are allowed, not errors
    has_action_properties = False
    has_constraint = False

    def __init__(self, n: int):
        if n < 2:
            raise ValueError(f"Peterson's lock needs at least 2 processes, got {n}")
        self.n = n
        self.name = f"peterson(N={n})"
        self.actions = tuple(ActionInfo(a) for a in ("Enter", "SetVictim", "Pass", "Exit"))
        self.properties = (PropertyInfo("MutualExclusion", "invariant"),)
        # Labels are built once: successors() hands out the same tuples every time.
        self._labels = tuple(tuple((a, (i,)) for i in range(n)) for a in range(4))

    def init_states(self) -> Iterator[State]:
        yield (NCS,) * self.n + (0,) * self.n + (0,) * (self.n - 1)

    def successors(self, s: State) -> list[tuple[Label, State]]:
        n = self.n
        enter, set_victim, pass_, exit_ = self._labels
        out: list[tuple[Label, State]] = []
        for i in range(n):
            if s[i] == NCS:
                out.append((enter[i], _put(s, i, SETVICTIM, n + i, 1)))
        for i in range(n):
            if s[i] == SETVICTIM:
                out.append((set_victim[i], _put(s, i, WAIT, 2 * n + s[n + i] - 1, i)))
        for i in range(n):
            if s[i] == WAIT and self._may_pass(s, i):
                lvl = s[n + i]
                if lvl == n - 1:
                    out.append((pass_[i], _put(s, i, CS, n + i, lvl)))
                else:
                    out.append((pass_[i], _put(s, i, SETVICTIM, n + i, lvl + 1)))
        for i in range(n):
            if s[i] == CS:
                out.append((exit_[i], _put(s, i, NCS, n + i, 0)))
        return out

    def _may_pass(self, s: State, i: int) -> bool:
        """(for all k != i: level[k] < level[i]) or victim[level[i]] != i."""
        n = self.n
        lvl = s[n + i]
        if s[2 * n + lvl - 1] != i:
            return True
        return all(s[n + k] < lvl for k in range(n) if k != i)

    def check_state(self, s: State) -> tuple[int, ...]:
        in_cs = 0
        for i in range(self.n):
            if s[i] == CS:
                in_cs += 1
        return (MUTUAL_EXCLUSION,) if in_cs > 1 else ()

    def check_transition(self, state: State, label: Label, nxt: State) -> tuple[int, ...]:
        return ()

    def within_constraint(self, state: State) -> bool:
        return True

    def format_label(self, label: Label) -> str:
        action, (i,) = label
        return f"{self.actions[action].name}({i})"

    def describe(self, s: State) -> Mapping[str, Any]:
        n = self.n
        return {
            "pc": tuple(PC_NAMES[p] for p in s[:n]),
            "level": tuple(s[n:2 * n]),
            "victim": {level: s[2 * n + level - 1] for level in range(1, n)},
        }


def _put(s: State, i: int, pc: int, j: int, value: int) -> State:
    """`s` with pc[i] := pc and slot j := value (a level or a victim)."""
    t = list(s)
    t[i] = pc
    t[j] = value
    return tuple(t)
