"""Fixture chain: a real redis-server for the session → a flushed client per test."""
from __future__ import annotations

import os

import pytest
import redis

from ivr.runtime.redis_server import RedisServer
from tests.support.clock import Clock


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """Build the intent model's cache once, before any test's timeout starts (about a minute on a
    fresh clone, a second afterwards); every app, gunicorn and worker the tests start then loads it.
    First of the session-start hooks: under pytest-xdist the controller builds it before its workers
    start (each worker then loads the cache, so two never train at once)."""
    from ivr.app.settings import load_settings
    from ivr.understanding.loading import load_understanding

    load_understanding(load_settings(environ={}, dotenv=False))


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on a free port (or TEST_REDIS_URL when given)."""
    external = os.environ.get("TEST_REDIS_URL")
    if external:
        yield external
        return
    server = RedisServer(tmp_path_factory.mktemp("redis"), appendonly=False).start()
    yield server.url
    server.stop()


@pytest.fixture
def redis_client(redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


ROME = "Europe/Rome"
OPEN_TIME = (2026, 12, 2, 10, 0)      # a Wednesday morning: agents on shift
CLOSED_TIME = (2026, 12, 2, 22, 30)   # the same Wednesday, after closing


@pytest.fixture
def clock():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return Clock(datetime(*OPEN_TIME, tzinfo=ZoneInfo(ROME)))


@pytest.fixture
def settings(redis_url, tmp_path, monkeypatch):
    """Dev-mode settings on the test Redis; jobs run in-process read the same environment."""
    from ivr.app.settings import load_settings

    env = {"REDIS_URL": redis_url, "NOHOLD_VAR_DIR": str(tmp_path / "var"),
           "PUBLIC_BASE_URL": "https://nohold.example.it"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "NOHOLD_DEV_TOKEN", "NOHOLD_DEV_MODE"):
        monkeypatch.delenv(key, raising=False)  # no Twilio credential and no NOHOLD_DEV_MODE=0: dev mode
    settings = load_settings(environ=env)
    assert settings.dev_mode
    return settings


@pytest.fixture
def app(settings, clock, redis_client):
    from ivr import create_app

    application = create_app({"SETTINGS": settings, "CLOCK": clock})
    application.testing = True
    yield application
    application.extensions["nohold"].metrics.close()  # its counts must not reach the next test's Redis


@pytest.fixture
def nohold(app):
    return app.extensions["nohold"]


@pytest.fixture
def phone(app, settings):
    from ivr.simulate import FlaskTransport, Phone

    return Phone(settings.public_base_url, settings.signing_token, FlaskTransport(app))


@pytest.fixture
def run_jobs(redis_url):
    """Runs every queued job in this process, like a worker would (burst mode)."""
    import redis as redis_lib
    from rq import Queue, SimpleWorker

    from ivr.runtime.job_queue import QUEUE_NAME

    def run() -> None:
        connection = redis_lib.Redis.from_url(redis_url)
        SimpleWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(burst=True)

    return run


@pytest.fixture(autouse=True)
def job_services():
    """Jobs run in a test use the services that test installs (its app's, its clock); none leak to the next."""
    from ivr.jobs import runtime

    yield runtime
    runtime.clear()


@pytest.fixture
def social_jobs(nohold, job_services, run_jobs):
    """run_jobs() with the jobs using this test's app services (and its clock)."""
    job_services.install(nohold)
    return run_jobs
