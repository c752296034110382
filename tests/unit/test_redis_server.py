from ivr.runtime.redis_server import RedisServer


def test_embedded_server_keeps_data_across_restart_with_aof(tmp_path):
    import redis

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
