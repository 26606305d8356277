"""The limits that hold in every phase: wall-clock time and memory (issue 20).

Input: a deadline (perf_counter seconds) and a memory cap (bytes), for the duration of a
`with guard(...)` block. Output: `LimitReached` raised in the main thread, wherever it is
(parsing, constant evaluation, code generation, the initial states, the successors of one
state, one long evaluation, symmetry canonicalisation, liveness), within _PERIOD seconds of
the limit being passed.

Why a timer and not checks in the loops: the search loop looks at the clock itself, but a
single step of the model (one state with a million successors, one `exists` over a
million values, a constant that takes minutes) never returns to it. A SIGALRM handler runs
between any two bytecodes of the main thread, so it interrupts all of them; C code that
runs long without returning to Python is the one gap, and kovn keeps such calls bounded.

LimitReached derives from BaseException, as KeyboardInterrupt does, so no `except
Exception` meant for errors swallows it; the phase that catches it records the limit and
reports what it had done (an INCOMPLETE verdict with the statistics so far). A guard raises
at most once: the code that handles the limit (building the report, replaying a trace it
found before) runs undisturbed.

An interrupt (Ctrl-C, SIGINT) is a limit too: while a guard is armed, the first one raises
LimitReached(INTERRUPT) where the run is, so it ends like any limit (INCOMPLETE, the
statistics so far), and every guard after it stops at once (`interrupted()`); a second
Ctrl-C ends the process (KeyboardInterrupt). Processes forked to search variants side by
side stop at the first one they receive and ignore the rest (their coordinator decides).

Memory is the resident size of this process and of the processes `pids()` names (the
search workers), read from /proc; where the process has an address-space limit
(`ulimit -v`), the virtual size is held to _ADDRESS_SHARE of it as well, since Python
fails there (MemoryError) long before its resident size reaches the cap. Running out of
memory anyway (MemoryError) is handled by the same code as the limit (`memory_limit`).
"""
from __future__ import annotations

import os
import resource
import signal
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from time import perf_counter
from typing import Any, Callable, Iterator

INTERRUPT = "interrupt (Ctrl-C)"     # the limit an interrupted run reports
TERMINATED = "terminated (SIGTERM)"  # ... and one terminated while it writes checkpoints
_PERIOD = 0.1           # seconds between two looks at the clock and the memory
_ADDRESS_SHARE = 0.9    # of an address-space limit (ulimit -v) the virtual size may use
DEFAULT_MEMORY_SHARE = 0.5   # of the machine's (or the container's) memory: --max-memory's default
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class LimitReached(BaseException):
    """A limit was passed; `limit` says which, as the report shows it ("timeout 5s",
    "max-memory 2,048 MiB")."""

    def __init__(self, limit: str):
        super().__init__(limit)
        self.limit = limit


def memory_limit(error: BaseException, max_memory: int | None) -> str:
    """The limit text for a LimitReached or a MemoryError."""
    if isinstance(error, LimitReached):
        return error.limit
    return "max-memory (out of memory" + (f", cap {mib(max_memory)})" if max_memory else ")")


def mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


@dataclass
class _Guard:
    deadline: float | None
    max_memory: int | None
    timeout: float | None
    pids: Callable[[], list[int]] | None
    fired: bool = False

    def disarm(self) -> None:
        """No LimitReached from here on: call it last in the guarded code and first where
        it handles one (the timer may fire between any two steps)."""
        self.fired = True

    def exceeded(self) -> str | None:
        if _interrupt.seen:
            return _interrupt.why
        if self.deadline is not None and perf_counter() >= self.deadline:
            return f"timeout {self.timeout:g}s"
        if self.max_memory is not None:
            used = resident_bytes(os.getpid())
            for pid in (self.pids() if self.pids is not None else ()):
                used += resident_bytes(pid)
            if used > self.max_memory:
                return f"max-memory {mib(self.max_memory)}"
        cap = _address_limit()
        if cap is not None and virtual_bytes(os.getpid()) > cap * _ADDRESS_SHARE:
            return f"max-memory (the address-space limit, {mib(cap)})"
        return None


_guards: list[_Guard] = []
_previous: tuple[Any, ...] | None = None      # the handler and timer in force before the first guard


@dataclass
class _Interrupt:
    seen: bool = False          # a Ctrl-C came during this run (clear_interrupt starts a run)
    hard_stop: bool = True      # a second one ends the process; False in a forked searcher
    # callables run at the first one (e.g. pass it on to children)
    forward: list[Callable[[], None]] = field(default_factory=list)
    depth: int = 0              # nesting of `interruptible` blocks
    previous: Any = None        # the SIGINT handler before the outermost one
    enabled: bool = True        # False: Ctrl-C stays Python's KeyboardInterrupt (set_interrupts)
    why: str = INTERRUPT        # the limit it is: INTERRUPT, or TERMINATED for a SIGTERM


_interrupt = _Interrupt()


def clear_interrupt() -> None:
    """A new run starts: forget an earlier run's interrupt."""
    _interrupt.seen = False
    _interrupt.why = INTERRUPT


def interrupted() -> bool:
    return _interrupt.seen


def set_interrupts(as_limit: bool) -> bool:
    """Whether Ctrl-C is a limit (the default) or Python's KeyboardInterrupt (a host such as
    pytest that stops on it: the plugin); returns the previous setting."""
    before, _interrupt.enabled = _interrupt.enabled, as_limit
    return before


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    if _interrupt.seen:
        if _interrupt.hard_stop:
            raise KeyboardInterrupt
        return
    _interrupt.seen = True
    _interrupt.why = TERMINATED if signum == signal.SIGTERM else INTERRUPT
    for f in list(_interrupt.forward):
        f()
    if _guards and not _guards[-1].fired and not _deferred:
        _guards[-1].fired = True
        raise LimitReached(_interrupt.why)


@contextmanager
def terminate_as_interrupt(on: bool = True) -> Iterator[None]:
    """Within the block (when `on`), SIGTERM ends the run as Ctrl-C does, its limit
    TERMINATED: a run that writes checkpoints writes its final one (engine/checkpoint.py)
    rather than dying. Only in the main thread."""
    if not on or not _can_arm():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def interruptible(forward: Callable[[], None] | None = None) -> Iterator[None]:
    """Within the block, Ctrl-C is the INTERRUPT limit (module docstring); `forward` is
    called at the first one. Only in the main thread, and only where Python's own handler
    (KeyboardInterrupt) was in force: a program that handles SIGINT itself keeps it."""
    current = signal.getsignal(signal.SIGINT) if _can_arm() and _interrupt.enabled else None
    ours = current is _on_interrupt
    if not ours and current is not signal.default_int_handler:
        yield
        return
    if forward is not None:
        _interrupt.forward.append(forward)
    if not ours:
        _interrupt.previous = current
        signal.signal(signal.SIGINT, _on_interrupt)
    _interrupt.depth += 1
    try:
        yield
    finally:
        _interrupt.depth -= 1
        if forward is not None:
            _interrupt.forward.remove(forward)
        if _interrupt.depth == 0 and _interrupt.previous is not None:
            signal.signal(signal.SIGINT, _interrupt.previous)
            _interrupt.previous = None


_deferred = 0      # nesting of `deferred` blocks


@contextmanager
def deferred() -> Iterator[None]:
    """Within the block no limit is raised; one passed meanwhile is raised at its end (an
    interrupt), or by the timer's next look (a limit). For a lazy import of a library:
    stopped half-way, it would stay half-imported, broken for every later run in the
    process (a variant searched after it, a pool's next task)."""
    global _deferred
    _deferred += 1
    try:
        yield
    finally:
        _deferred -= 1
    if _deferred == 0 and _interrupt.seen:
        check()


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if not _guards or _deferred:
        return
    g = _guards[-1]
    if g.fired:
        return
    limit = g.exceeded()
    if limit is not None:
        g.fired = True
        raise LimitReached(limit)


@contextmanager
def guard(deadline: float | None = None, max_memory: int | None = None, timeout: float | None = None,
          pids: Callable[[], list[int]] | None = None) -> Iterator[_Guard]:
    """Raise LimitReached inside the block once `deadline` (a perf_counter time; `timeout`
    is the figure the report shows) or `max_memory` is passed. Guards nest: the innermost
    one is in force. Outside the main thread, or where there is no SIGALRM, the block runs
    unguarded (the search loops still look at the clock)."""
    g = _Guard(deadline, max_memory, timeout, pids)
    armed = _can_arm()
    with interruptible():
        if armed:
            _push(g)
        try:
            yield g
        finally:
            if armed:
                _pop(g)


def check(g: _Guard | None = None) -> None:
    """Raise LimitReached now if the innermost guard's limit is passed (for loops that can
    afford to ask: cheaper than waiting for the timer)."""
    g = g or (_guards[-1] if _guards else None)
    if g is not None and not g.fired:
        limit = g.exceeded()
        if limit is not None:
            g.fired = True
            raise LimitReached(limit)


def _can_arm() -> bool:
    return hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()


def _push(g: _Guard) -> None:
    global _previous
    if not _guards:
        old = signal.signal(signal.SIGALRM, _on_alarm)
        _previous = (old, signal.setitimer(signal.ITIMER_REAL, _PERIOD, _PERIOD))
    _guards.append(g)


def _pop(g: _Guard) -> None:
    global _previous
    _guards.remove(g)
    if not _guards and _previous is not None:
        old, timer = _previous
        _previous = None
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, old if old is not None else signal.SIG_DFL)
        if timer[0] > 0:
            signal.setitimer(signal.ITIMER_REAL, *timer)


def in_forked_child() -> None:
    """In a process forked under a guard: the timer did not come along (fork does not copy
    interval timers); forget the guards so a stray SIGALRM does nothing."""
    global _previous
    _guards.clear()
    _previous = None
    _interrupt.hard_stop = False
    _interrupt.forward.clear()


# ---------------------------------------------------------------- measuring memory

def _statm(pid: int) -> tuple[int, int] | None:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            size, resident = f.read().split()[:2]
        return int(size) * _PAGE, int(resident) * _PAGE
    except (OSError, ValueError):
        return None


def resident_bytes(pid: int) -> int:
    m = _statm(pid)
    if m is not None:
        return m[1]
    if pid == os.getpid():     # no /proc (macOS): the peak is the best there is
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if peak > 1 << 32 else peak * 1024
    return 0


def virtual_bytes(pid: int) -> int:
    m = _statm(pid)
    return m[0] if m is not None else 0


def _address_limit() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


def machine_memory() -> int | None:
    """The memory this process may use: the machine's, or its container's (cgroup v2 or
    v1) when that is smaller; None when unknown."""
    sizes = []
    try:
        sizes.append(os.sysconf("SC_PHYS_PAGES") * _PAGE)
    except (ValueError, OSError, AttributeError):
        pass
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                text = f.read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            sizes.append(int(text))
    return min(sizes) if sizes else None


def default_max_memory() -> int | None:
    """--max-memory's default: DEFAULT_MEMORY_SHARE of machine_memory()."""
    total = machine_memory()
    return None if total is None else int(total * DEFAULT_MEMORY_SHARE)


def peak_rss_bytes() -> int:
    """The most memory this process has used so far."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak if sys.platform == "darwin" else peak * 1024
