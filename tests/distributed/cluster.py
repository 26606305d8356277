"""A local Ray cluster for the tests: a head node and a second node joining it, each a
`ray start --block` process in its own process session, on free ports of localhost, with
one CPU each and a small object store; torn down by killing those process groups (not
`ray stop`, which stops every Ray process of the machine, other users' too).

`ray` must be importable (the test extra installs it); `LocalCluster.start()` raises
RuntimeError when the nodes do not come up, with what they printed.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAY = Path(sys.executable).with_name("ray")
STORE = 80 * 1024 * 1024         # bytes of object store per node (Ray's least is 75 MiB)


def free_ports(n: int) -> list[int]:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _node_ports() -> list[str]:
    """Every port a node listens on, chosen free (other clusters may run on this machine)."""
    om, nm, agent_l, agent_g, env, metrics = free_ports(6)
    return ["--object-manager-port", str(om), "--node-manager-port", str(nm),
            "--dashboard-agent-listen-port", str(agent_l), "--dashboard-agent-grpc-port", str(agent_g),
            "--runtime-env-agent-port", str(env), "--metrics-export-port", str(metrics),
            "--min-worker-port", "0", "--max-worker-port", "0"]


class LocalCluster:
    """Two Ray nodes on localhost (module docstring); `address` is the head's."""

    def __init__(self, cpus_per_node: int = 1):
        self.cpus = cpus_per_node
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        self.tmp = tempfile.mkdtemp(prefix="kovn-ray-")
        self.address = ""

    def _node(self, args: list[str]) -> None:
        log = Path(self.tmp) / f"node{len(self.procs)}.log"
        self.logs.append(log)
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_enable_metrics_collection": "0"}
        with open(log, "wb") as out:
            self.procs.append(subprocess.Popen(
                [str(RAY), "start", "--block", "--num-cpus", str(self.cpus), "--num-gpus", "0",
                 "--object-store-memory", str(STORE), "--disable-usage-stats", *_node_ports(), *args],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, env=env))

    def start(self, timeout: float = 90.0) -> LocalCluster:
        (port,) = free_ports(1)
        self.address = f"127.0.0.1:{port}"
        self._node(["--head", "--node-ip-address", "127.0.0.1", "--port", str(port), "--include-dashboard", "false",
                    "--temp-dir", self.tmp])
        self._wait_for(1, timeout)
        self._node(["--address", self.address, "--node-ip-address", "127.0.0.1"])
        self._wait_for(2, timeout)
        return self

    def _wait_for(self, nodes: int, timeout: float) -> None:
        """Until the cluster has `nodes` live nodes (asked by a short-lived process, so this
        one does not join the cluster)."""
        code = ("import ray, sys; ray.init(address=sys.argv[1], logging_level='ERROR'); "
                "print(sum(1 for n in ray.nodes() if n['Alive']))")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for p in self.procs:
                if p.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"a Ray node ended (exit {p.returncode}):\n{self.output()}")
            r = subprocess.run([sys.executable, "-c", code, self.address], capture_output=True, text=True,
                               timeout=timeout)
            if r.returncode == 0 and r.stdout.strip().isdigit() and int(r.stdout.strip()) >= nodes:
                return
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"the Ray cluster did not reach {nodes} nodes in {timeout:g} s:\n{self.output()}")

    def output(self) -> str:
        return "\n".join(log.read_text(errors="replace")[-3000:] for log in self.logs if log.exists())

    def stop(self) -> None:
        """Kill each node's process group (the node and every process it started)."""
        for p in reversed(self.procs):
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for p in reversed(self.procs):     # a moment to stop in order, then no more
            try:
                p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.procs = []
        shutil.rmtree(self.tmp, ignore_errors=True)


if __name__ == "__main__":      # a cluster by hand: prints its address, stops on Enter or SIGTERM
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    c = LocalCluster().start()
    print(c.address, flush=True)
    try:
        input()
    finally:
        c.stop()
