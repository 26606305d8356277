"""The partitioned search's workers as Ray actors (`check SPEC --ray ADDRESS|auto`).

Input: a compiled model, the engine's options, the address of a Ray cluster and the number
of workers. Output: the search's CheckResult (engine/parallel.py assembles it), the same as
`--workers N` gives with as many workers: the counts, the verdicts and the traces.

engine/parallel.py's coordinator drives the search over a `Crew`; here the crew is a pool
of Ray actors, each holding an engine/worker.py `Worker`: it owns the states whose
`owner(state, N)` is its index (its shard of the seen set, with their parents), expands its
part of each level and sends every other shard the successors that shard owns, actor to
actor. The coordinator (this process) keeps the level-synchronous schedule, adds up the
counts, keeps the shallowest findings and rebuilds the counterexamples from the shards'
parent records, exactly as for forked workers; checkpoints are taken at level boundaries
the same way (engine/checkpoint.py).

- The actors cannot be handed the compiled model (its generated functions do not pickle):
  each rebuilds it from the variant's IR (`Recipe`: the elaborated spec, after variant,
  property selection and symmetry, and the solver's options), a plain tree of frozen
  dataclasses that needs no file on the actor's machine. A pool of actors is kept per
  cluster and size for the whole run (and reused by the next variant, which each actor
  compiles once): starting a Python process per actor costs seconds.
- Successors go from actor to actor (`Shard.put`, in its own concurrency group, so it is
  answered while the actor's one search thread waits for its peers' batches); the
  coordinator sees only counts, findings and, at the end, parent chains.
- Time limits: a `Level`'s deadline is this process's clock; it is sent as the seconds
  left and turned back into the actor's own clock (actors may run on other machines).
  --max-memory counts this process only: each actor's peak memory is reported at the end,
  but Ray enforces the nodes' memory itself.
- An actor that dies (a node lost, the memory monitor) ends the search INCOMPLETE, saying
  so, as a dead worker process does; the pool is then dropped and the next search starts
  another.

The only module that imports ray.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import queue
import signal
import socket
import traceback
from dataclasses import dataclass, replace
from time import perf_counter
from typing import Any

import ray
from ray.exceptions import GetTimeoutError, RayActorError, RayError

from checker import __version__
from checker.compile.model import SpecModel
from checker.distributed import ClusterError
from checker.engine.checkpoint import Image
from checker.engine.options import CheckOptions
from checker.engine.parallel import WorkerDied, answer_of, explore_parallel
from checker.engine.progress import Reporter
from checker.engine.result import CheckResult
from checker.engine.symmetry import NoReduction
from checker.engine.worker import Crashed, Level, Message, NoSymmetry, Worker

_POLL = 0.2             # seconds between two looks at the limits while waiting for the actors
_PLACEMENT = 120.0      # seconds to wait for the cluster to start the actors
_CONNECT = 10.0         # seconds to wait for the head node to accept a connection


@dataclass(frozen=True)
class Recipe:
    """What an actor builds its model from: the variant's IR and the solver's options;
    `key` names it (a digest), so an actor builds each model once."""

    spec: Any
    solver: Any
    key: str

    @staticmethod
    def of(model: SpecModel) -> Recipe:
        data = pickle.dumps((model.spec, model.solver.options), protocol=pickle.HIGHEST_PROTOCOL)
        return Recipe(model.spec, model.solver.options, hashlib.sha256(data).hexdigest())

    def build(self) -> SpecModel:
        return SpecModel(self.spec, self.solver)


class _Exchange:
    """The worker's exchange (engine/worker.py): batches go straight to the owning actor."""

    def __init__(self, shard: Shard):
        self.shard = shard

    def send(self, worker: int, batch: Message) -> None:
        self.shard.peers[worker].put.remote(batch)

    def receive(self, count: int) -> list[Message]:
        return [self.shard.inbox.get() for _ in range(count)]


class Shard:
    """One Ray actor: a search worker (engine/worker.py) and its inbox of batches."""

    def __init__(self, me: int, shards: int):
        self.me, self.shards = me, shards
        self.peers: list[Any] = []
        self.inbox: queue.Queue[Message] = queue.Queue()
        self.models: dict[str, SpecModel] = {}
        self.worker: Worker | None = None

    def hello(self) -> tuple[str, str]:
        """kovn's version and the Ray node, as this actor sees them."""
        return __version__, ray.get_runtime_context().get_node_id()

    def connect(self, peers: list[Any]) -> None:
        self.peers = peers

    def load(self, recipe: Recipe, options: CheckOptions) -> None:
        """Start a search: a fresh worker for the model of `recipe`."""
        model = self.models.get(recipe.key)
        if model is None:
            self.models = {recipe.key: recipe.build()}      # the last one only: a run checks variants in turn
            model = self.models[recipe.key]
        self.inbox = queue.Queue()
        self.worker = Worker(self.me, self.shards, model, options, _Exchange(self))

    def handle(self, message: object, seconds_left: float | None) -> object:
        """The worker's reply to a coordinator's message (a failure as the forked worker
        reports it: engine/worker.py's Crashed or NoSymmetry)."""
        if isinstance(message, Level) and seconds_left is not None:
            message = replace(message, deadline=perf_counter() + seconds_left)
        assert self.worker is not None, "a search message before load"
        try:
            return self.worker.handle(message)
        except NoReduction as e:
            return NoSymmetry(str(e))
        except MemoryError:
            os._exit(3)     # the coordinator reports the actor's end: a limit, not a bug
        except Exception:   # noqa: BLE001 - reported to the coordinator, which raises it
            return Crashed(traceback.format_exc())

    @ray.method(concurrency_group="exchange")
    def put(self, batch: Message) -> None:
        self.inbox.put(batch)


# ray.remote's typed overloads leave out concurrency_groups, which it takes (Ray's docs)
_ShardActor: Any = ray.remote(concurrency_groups={"exchange": 1})(Shard)  # type: ignore[call-overload]


class RayCrew:
    """The Crew (engine/parallel.py) over a pool of Shard actors."""

    def __init__(self, pool: _Pool, recipe: Any, options: CheckOptions):
        self.pool = pool
        self.size = len(pool.actors)
        self.refs: list[Any] = []
        _wait([a.load.remote(recipe, options) for a in pool.actors], self._died)

    def send(self, messages: list[object]) -> None:
        self.refs = [a.handle.remote(m, _seconds_left(m)) for a, m in zip(self.pool.actors, messages)]

    def gather(self) -> list[Any]:
        return [answer_of(a) for a in _wait(self.refs, self._died)]

    def one(self, k: int, message: object) -> Any:
        (answer,) = _wait([self.pool.actors[k].handle.remote(message, _seconds_left(message))],
                          lambda i, e: self._died(k, e))
        return answer_of(answer)

    def pids(self) -> list[int]:
        return []       # the actors' memory is the nodes' to watch (module docstring)

    def stop(self, gently: bool) -> None:
        """After a search that ended normally the pool stays for the next one; otherwise the
        actors may be in the middle of a level (waiting for a peer's batch): they are killed."""
        if not gently:
            self.pool.close()

    def _died(self, k: int, error: Exception) -> WorkerDied:
        self.pool.close()
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return WorkerDied(f"search worker {k} on the Ray cluster died ({first[:200]})")


def _seconds_left(message: object) -> float | None:
    if isinstance(message, Level) and message.deadline is not None:
        return max(message.deadline - perf_counter(), 0.0)
    return None


def _wait(refs: list[Any], died: Any) -> list[Any]:
    """The values of `refs`, waiting in short steps so that a limit or Ctrl-C (a signal
    handled in this thread) interrupts the wait; `died(k, error)`: the exception for an
    actor that ended."""
    pending = list(refs)
    while pending:
        _, pending = ray.wait(pending, num_returns=len(pending), timeout=_POLL)
    out = []
    for k, ref in enumerate(refs):
        try:
            out.append(ray.get(ref))
        except RayActorError as e:
            raise died(k, e) from None
    return out


class _Pool:
    """The actors of one cluster and size, for the whole run (module docstring)."""

    def __init__(self, shards: int):
        self.actors = [_ShardActor.options(num_cpus=1, scheduling_strategy="SPREAD").remote(k, shards)
                       for k in range(shards)]
        try:
            hellos = ray.get([a.hello.remote() for a in self.actors], timeout=_PLACEMENT)
        except GetTimeoutError:
            self.close()
            raise ClusterError(f"the Ray cluster did not start {shards} search workers within "
                               f"{_PLACEMENT:g} s (each needs a free CPU)") from None
        versions = sorted({v for v, _ in hellos} - {__version__})
        if versions:
            self.close()
            raise ClusterError(f"the Ray cluster runs kovn {', '.join(versions)}, this is kovn {__version__}: "
                               "install the same kovn on every node")
        self.nodes = len({node for _, node in hellos})
        ray.get([a.connect.remote(self.actors) for a in self.actors])

    def close(self) -> None:
        for a in self.actors:
            try:
                ray.kill(a)
            except RayError:
                pass
        for key, pool in list(_POOLS.items()):
            if pool is self:
                del _POOLS[key]


_POOLS: dict[tuple[str, int], _Pool] = {}


def connect(address: str) -> None:
    """Join the Ray cluster at `address` (once per process); ClusterError if there is none.
    kovn's own SIGINT and SIGTERM handling stays (ray.init installs its own)."""
    if ray.is_initialized():
        return
    _reachable(address)
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterError(f"cannot join a Ray cluster at {address}: {str(exc).strip().splitlines()[0]} "
                           "(start one with `ray start --head`, or name its address)") from None
    finally:
        for s, handler in saved.items():
            if handler is not None:
                signal.signal(s, handler)


def _reachable(address: str) -> None:
    """ClusterError at once when nothing listens at a host:port address (ray.init would
    retry for minutes); `auto` and ray:// addresses are Ray's to resolve."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or "://" in address:
        return
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=_CONNECT).close()
    except OSError as exc:
        raise ClusterError(f"no Ray cluster answers at {address} ({exc.strerror or exc}): start one with "
                           "`ray start --head`, or name its address") from None


def pool(address: str, workers: int | None) -> _Pool:
    """The actors for `workers` shards (None: one per CPU of the cluster, at least 2)."""
    connect(address)
    if workers is None:
        workers = max(2, int(ray.cluster_resources().get("CPU", 0)))
    key = (address, workers)
    if key not in _POOLS:
        free = int(ray.available_resources().get("CPU", 0))
        if free < workers:
            raise ClusterError(f"the Ray cluster has {free} free CPU{'s' if free != 1 else ''} "
                               f"for {workers} search workers (one each): ask for fewer with --workers")
        _POOLS[key] = _Pool(workers)
    return _POOLS[key]


def explore(model: SpecModel, options: CheckOptions, address: str, workers: int | None = None,
            reporter: Reporter | None = None, resume: Image | None = None) -> CheckResult:
    """The partitioned search of `model` on the cluster (module docstring)."""
    actors = pool(address, workers)
    recipe = ray.put(Recipe.of(model))

    def crew(opts: CheckOptions, n: int) -> RayCrew:
        return RayCrew(actors if not _closed(actors) else pool(address, n), recipe, opts)

    result = explore_parallel(model, options, len(actors.actors), reporter, resume, crew=crew)
    if result.workers > 1:
        result = replace(result, cluster=f"Ray, {actors.nodes} node{'s' if actors.nodes != 1 else ''}")
    return result


def _closed(p: _Pool) -> bool:
    return all(q is not p for q in _POOLS.values())
