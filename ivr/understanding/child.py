"""Running a step of the model's preparation in a child Python process.

Building imports torch and transformers, and training encodes the whole catalog and fits models five
times over; in the process that serves calls that memory would stay for nothing, and with gunicorn
--preload in every worker forked from it.
"""
from __future__ import annotations

import os
import subprocess
import sys

from ivr.app.settings import PROJECT_ROOT, child_environment


def run_module(module: str, *args: str) -> subprocess.CompletedProcess:
    """`python -m module args…` with this interpreter and this checkout importable; output captured."""
    path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), child_environment().get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", module, *args], env=child_environment(PYTHONPATH=path),
                          capture_output=True, text=True)
