"""One wrk run with its figures, and the CPU accounting around it: ours per request, and others' as noise."""
from __future__ import annotations

import json
import math
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import psutil

from bench.load.processes import ROOT, Processes

QUIET_CORES = 0.15


def cpu_seconds(group: list[psutil.Process]) -> float:
    total = 0.0
    for p in group:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores, all processes, the kernel)."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)


def busy_cores() -> float:
    """Cores busy during the next second (before a run starts anything: others' processes)."""
    before = busy_seconds()
    time.sleep(1.0)
    return busy_seconds() - before


def wait_quiet(max_wait: float) -> float:
    """Waits (up to max_wait s) for a second in which the machine is idle: other work skews the figures."""
    if max_wait <= 0:
        return 0.0
    start = time.monotonic()
    while True:
        busy = busy_cores()
        if busy <= QUIET_CORES or time.monotonic() - start >= max_wait:
            if max_wait and busy > QUIET_CORES:
                print(f"  warning: still {busy:.2f} cores busy elsewhere after {max_wait:.0f}s; measuring anyway",
                      file=sys.stderr, flush=True)
            return busy


def run_wrk(procs: Processes, wrk: str, script: Path, base: str, requests_file: Path, duration: float,
            threads: int, connections: int, watch: dict[str, list[psutil.Process]] | None = None,
            quiet_wait: float = 0.0) -> dict:
    """One wrk run of `script` over `requests_file`; `watch` names process groups whose CPU time per request
    is reported too, and a watched run first waits up to `quiet_wait` s for an idle machine."""
    duration = max(1, math.ceil(duration))  # wrk takes whole seconds
    args = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s",
            "-s", str(script), base, "--", str(requests_file), str(threads)]
    if watch:
        wait_quiet(quiet_wait)
    watch = watch or {}
    before = {name: cpu_seconds(group) for name, group in watch.items()}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk is the only child that exits meanwhile
    system = busy_seconds()
    proc = procs.start(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=duration + 120)
    finally:
        procs.stop(proc)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {name: cpu_seconds(group) - before[name] for name, group in watch.items()}
    cpu["wrk"] = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    # everything else the machine did meanwhile (other users, the bench's own Python): noise to report
    cpu["other"] = max(0.0, busy_seconds() - system - sum(cpu.values()))
    match = re.search(r"^BENCH_JSON (.*)$", out, re.M)
    if proc.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed (exit {proc.returncode}):\n{out}")
    return figures(json.loads(match.group(1)), cpu)


def figures(data: dict, cpu: dict[str, float]) -> dict:
    """The summary wrk's script printed, in ms and req/s, with the CPU seconds of each watched group."""
    seconds = data["duration_us"] / 1e6
    errors = data["errors"]
    return {
        "rps": round(data["requests"] / seconds, 1),
        "requests": data["requests"],
        "seconds": round(seconds, 2),
        "p50_ms": round(data["latency_us"]["p50"] / 1000, 2),
        "p90_ms": round(data["latency_us"]["p90"] / 1000, 2),
        "p99_ms": round(data["latency_us"]["p99"] / 1000, 2),
        "max_ms": round(data["latency_us"]["max"] / 1000, 2),
        "mean_ms": round(data["latency_us"]["mean"] / 1000, 2),
        "non_2xx": errors["status"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "errors": errors,
        "sent": data["sent"],
        "distinct_loaded": data["distinct_loaded"],
        "wrapped": data["threads_wrapped"] > 0,
        "cpu_s": {name: round(v, 2) for name, v in cpu.items()},
        "cpu_ms_per_request": {name: round(1000 * v / max(data["requests"], 1), 3) for name, v in cpu.items()},
    }
