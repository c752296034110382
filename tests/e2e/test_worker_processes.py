"""The processes `python -m ivr worker` starts: none outlives it, even when it is killed with kill -9."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from ivr.app.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent.parent

PARENT = """
import subprocess, sys, time
from ivr.transcription.worker import die_with_parent
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], preexec_fn=die_with_parent)
print(child.pid, flush=True)
time.sleep(60)
"""


def test_a_transcription_worker_dies_with_the_worker_that_started_it():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    child = psutil.Process(int(parent.stdout.readline()))
    try:
        assert child.is_running()
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while child.is_running() and child.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
    finally:
        if child.is_running():
            child.kill()


@pytest.mark.parametrize("url", ["redis+sentinel://:s3cret@sentinel-1/nohold",
                                 "redis+sentinel://sentinel-1:26379,/nohold"])
def test_a_malformed_sentinel_url_is_refused_at_start_without_its_password(url):
    with pytest.raises(SettingsError, match="REDIS_URL: invalid Redis Sentinel URL") as refused:
        load_settings(environ={"REDIS_URL": url}, dotenv=False)
    assert "s3cret" not in str(refused.value)
