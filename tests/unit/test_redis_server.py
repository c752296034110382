import pytest
import redis

from ivr.runtime.embedded import start_on
from ivr.runtime.redis_server import RedisServer, RedisServerError


def test_embedded_server_keeps_data_across_restart_with_aof(tmp_path):
    server = RedisServer(tmp_path, appendonly=True).start()
    client = redis.Redis.from_url(server.url)
    client.set("booking", "kept")
    client.close()
    port = server.port
    server.stop()
    again = RedisServer(tmp_path, port=port, appendonly=True).start()
    try:
        assert redis.Redis.from_url(again.url).get("booking") == b"kept"
    finally:
        again.stop()


def test_fixture_gives_an_empty_real_server(redis_client):
    assert redis_client.dbsize() == 0
    assert redis_client.info("server")["redis_version"]


@pytest.fixture
def first(tmp_path):
    server = RedisServer(tmp_path / "first", appendonly=False).start()
    yield server
    server.stop()


def test_a_port_already_served_is_an_error_not_a_shared_server(tmp_path, first):
    """Two launchers racing for the usual port: the second must not take the first's Redis for its own."""
    with pytest.raises(RedisServerError):
        RedisServer(tmp_path / "second", port=first.port, appendonly=False).start()


def test_a_free_port_taken_meanwhile_is_replaced_by_another(tmp_path, first):
    """A port drawn free and taken before redis-server binds it (another test, another worker) is drawn again."""
    second = RedisServer(tmp_path / "second", appendonly=False)
    second.port = first.port  # what the race leaves: the drawn port is served by someone else
    second.start()
    try:
        assert second.port != first.port
        assert redis.Redis.from_url(second.url).info("server")["process_id"] == second.process.pid
    finally:
        second.stop()


def test_the_launcher_s_redis_moves_off_a_usual_port_someone_else_serves(tmp_path, first):
    server = start_on(tmp_path / "mine", first.port)
    try:
        assert server.port != first.port
        assert redis.Redis.from_url(server.url).info("server")["process_id"] == server.process.pid
    finally:
        server.stop()
