"""Settings, the embedded Redis, health and metrics."""
from __future__ import annotations

import pytest
import redis as redis_lib

from ivr.app.settings import SettingsError, load_settings


def test_live_mode_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings(environ={"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "NOHOLD_VAR_DIR": str(tmp_path)})


def test_bad_numbers_in_settings_are_named(tmp_path):
    with pytest.raises(SettingsError, match="HANDLE_SECONDS"):
        load_settings(environ={"HANDLE_SECONDS": "soon", "NOHOLD_VAR_DIR": str(tmp_path)})


def test_dev_token_is_created_once_and_shared(tmp_path):
    first = load_settings(environ={"NOHOLD_VAR_DIR": str(tmp_path)})
    second = load_settings(environ={"NOHOLD_VAR_DIR": str(tmp_path)})
    assert first.dev_mode
    assert first.signing_token == second.signing_token
    assert len(first.signing_token) == 32


def test_without_redis_url_the_app_starts_an_embedded_redis_with_aof(tmp_path):
    from ivr import create_app
    from ivr.runtime.embedded import ensure_embedded_redis

    settings = load_settings(environ={"NOHOLD_VAR_DIR": str(tmp_path)})
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = ensure_embedded_redis(tmp_path, port=port)
    app = create_app({"SETTINGS": settings})
    client = redis_lib.Redis.from_url(url)
    try:
        assert app.extensions["nohold"].settings.redis_url == url
        assert client.config_get("appendonly")["appendonly"] == "yes"
        assert client.config_get("bind")["bind"] == "127.0.0.1"
        assert (tmp_path / "redis").is_dir()
    finally:
        client.shutdown(nosave=True)


def test_healthz_and_metrics(app, nohold):
    client = app.test_client()
    assert client.get("/healthz").json == {"ok": True, "redis": "ok"}
    nohold.metrics.incr("calls", lang="it")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'nohold_calls_total{lang="it"} 1' in text
    assert "nohold_queue_depth_callback 0" in text


def test_healthz_says_when_redis_is_unreachable(app, nohold):
    nohold.redis.connection_pool.connection_kwargs["port"] = 1
    nohold.redis.connection_pool.disconnect()
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["ok"] is False


def test_dev_outbox_page_masks_numbers(app, nohold):
    nohold.outbox.send("+393471234567", "Ciao", "+390200000000")
    page = app.test_client().get("/dev/outbox").get_data(as_text=True)
    assert "Ciao" in page
    assert "+393471234567" not in page


def test_unknown_paths_are_json_404(app):
    response = app.test_client().get("/nope")
    assert response.status_code == 404
    assert response.json["error"] == "Not Found"


def test_metrics_reach_redis_within_the_flush_interval_and_survive_a_failed_flush(redis_client, redis_url):
    import time

    from ivr.runtime.metrics import METRICS_KEY, Metrics

    metrics = Metrics(redis_client, flush_every=0.05)
    metrics.add({"calls|lang=it": 2})
    deadline = time.monotonic() + 5
    while redis_client.hget(METRICS_KEY, "calls|lang=it") != "2" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert redis_client.hget(METRICS_KEY, "calls|lang=it") == "2"
    metrics.close()

    offline = Metrics(redis_lib.Redis(port=1, socket_connect_timeout=0.2), flush_every=3600)
    offline.incr("calls", lang="en")
    with pytest.raises(redis_lib.ConnectionError):
        offline.flush()
    offline.redis = redis_client
    offline.close()
    assert redis_client.hget(METRICS_KEY, "calls|lang=en") == "1"
