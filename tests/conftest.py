"""Fixture chain: a real redis-server for the session → a flushed client per test."""
from __future__ import annotations

import os

import pytest
import redis

from ivr.redis_server import RedisServer


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
