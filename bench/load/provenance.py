"""Where and on what a run measured: the machine, the commit, whether the desk was open."""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import time
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil

from bench.load.processes import ROOT
from ivr.app.settings import Settings
from ivr.call.business_hours import BusinessHours


def described(started: float, background: float) -> dict:
    """The keys every load report starts with: when it started, the commit, the machine and how busy it was."""
    return {"started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)), "code": code_version(),
            "machine": dict(machine(), background_cores_before=background)}


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk_version = ""
    if shutil.which("wrk"):
        first = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()
        wrk_version = first[0].split(" Copyright")[0].strip() if first else ""
    return {"cpu": model or platform.processor(), "logical_cpus": os.cpu_count(),
            "usable_cpus": len(os.sched_getaffinity(0)), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "os": platform.platform(), "python": platform.python_version(), "gunicorn": version("gunicorn"),
            "flask": version("flask"), "wrk": wrk_version}


def code_version() -> dict:
    """The commit measured, and whether the working tree differed from it (read-only git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "ivr", "social_bridge",
                                "prompts"], cwd=ROOT, capture_output=True, text=True)
        return {"commit": head.stdout.strip(), "product_code_modified": bool(dirty.stdout.strip())}
    except OSError:
        return {}


def desk_state(business_hours: str | None) -> str:
    """"open" or "closed" now, under `business_hours` (or the product's setting when empty)."""
    s = Settings()
    hours = BusinessHours.parse(business_hours or s.business_hours, s.timezone, s.holiday_country)
    return "open" if hours.is_open(datetime.now(ZoneInfo(s.timezone))) else "closed"
