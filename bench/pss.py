"""What a group of processes costs in memory: PSS from /proc/<pid>/smaps_rollup, and the same sum
counted as if the group were alone on the machine.

PSS (proportional set size) charges each resident page to the processes that map it, 1/n each: the
sum over gunicorn's master and workers counts a page the master loaded before forking (--preload)
once, however many workers share it. The kernel's n counts every process on the machine, so the
shared libraries that other Python processes of the same venv have mapped too (onnxruntime, numpy,
libpython) are charged partly to them. `alone_mb` divides each page only among the group's
processes (page frame numbers from /proc/<pid>/pagemap, readable by root): the figure of a machine
that runs only the web tier. Without root it is None.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

PAGE = 4096
_PRESENT = np.uint64(1 << 63)
_PFN = np.uint64((1 << 55) - 1)
_MAPPING = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+)")


def rollup(pid: int) -> dict[str, int]:
    """/proc/<pid>/smaps_rollup in bytes: Rss, Pss, Private_Clean, Private_Dirty, Shared_Clean…"""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        parts = value.split()
        if len(parts) == 2 and parts[1] == "kB":
            out[name.strip()] = int(parts[0]) * 1024
    return out


def _frames(pid: int) -> np.ndarray:
    """The page frame numbers of every resident page of pid (a page mapped twice counts twice)."""
    found = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in maps:
            match = _MAPPING.match(line)
            if not match or line.rstrip().endswith("[vsyscall]"):
                continue
            start, end = int(match[1], 16), int(match[2], 16)
            pagemap.seek(start // PAGE * 8)
            entries = np.frombuffer(pagemap.read((end - start) // PAGE * 8), dtype=np.uint64)
            present = entries[(entries & _PRESENT) != 0] & _PFN
            if present.size and not present.any():  # frame numbers hidden: not root
                raise PermissionError("pagemap without frame numbers (needs CAP_SYS_ADMIN)")
            found.append(present)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.uint64)


def alone_mb(pids: list[int]) -> float | None:
    """Sum of PSS over pids if no other process shared their pages (each distinct page counted once);
    None when pagemap is not readable."""
    try:
        frames = np.concatenate([_frames(pid) for pid in pids])
    except PermissionError:
        return None
    return np.unique(frames).size * PAGE / 2**20


def group_memory(pids: list[int]) -> dict:
    """Per process and summed over the group, in MB: PSS (the bar), RSS, private (USS)."""
    mb = lambda n: round(n / 2**20, 1)  # noqa: E731
    rows = []
    for pid in pids:
        r = rollup(pid)
        rows.append({"pid": pid, "pss_mb": mb(r["Pss"]), "rss_mb": mb(r["Rss"]),
                     "private_mb": mb(r["Private_Clean"] + r["Private_Dirty"])})
    alone = alone_mb(pids)
    return {"processes": rows, "pss_mb": round(sum(r["pss_mb"] for r in rows), 1),
            "rss_mb": round(sum(r["rss_mb"] for r in rows), 1),
            "pss_alone_mb": None if alone is None else round(alone, 1)}
