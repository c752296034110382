"""The console's live streams in Flask on a real Redis: the stream server's app (ivr/runtime/streams.py) reads the
console's session, caps open streams per agent, answers CORS for the console's origin only; the web
server's own /console/events holds no stream and its pages may reach the stream server."""
from __future__ import annotations

import re

import pytest

from ivr.runtime import streams
from social_bridge.queue.agents import AgentDirectory
from tests.integration.test_console import PASSWORD, csrf_of

WEB_ORIGIN = "http://localhost:5000"
STREAM_URL = "http://localhost:5001/console/events"


@pytest.fixture
def web(app):
    """The product's web app (ivr.create_app) as the web server's workers run it: no streams held here."""
    app.config.update(CONSOLE_STREAMS=False, CONSOLE_STREAM_URL=STREAM_URL)
    return app


@pytest.fixture
def stream_app(settings, clock, redis_client):
    application = streams.create_app(web_origin=WEB_ORIGIN, test_config={"SETTINGS": settings, "CLOCK": clock})
    application.config.update(CONSOLE_STREAM_SECONDS=30)
    yield application
    if "console_watcher" in application.extensions:
        application.extensions["console_watcher"].close()


@pytest.fixture
def agents(redis_client, clock):
    directory = AgentDirectory(redis_client, clock=clock)
    for name in ("Maria", "Luca"):
        directory.create(name, PASSWORD)
    return directory


def session_cookie(web, name: str) -> str:
    """Signs in through the web app's console login; the cookie the browser would then send anywhere on the host."""
    client = web.test_client()
    answer = client.post("/console/login", data={"name": name, "password": PASSWORD, "csrf_token": csrf_of(client)})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client.get_cookie("session").value


def stream_client(stream_app, cookie: str):
    client = stream_app.test_client()
    client.set_cookie("session", cookie)
    return client


def open_stream(client, **headers):
    response = client.get("/console/events", buffered=False, headers={"Accept": "text/event-stream", **headers})
    if response.status_code == 200:
        first = next(response.response)
        assert (first.decode() if isinstance(first, bytes) else first).startswith(": connected")
    return response


def test_the_stream_server_reads_the_console_session_and_sends_the_queue(web, stream_app, agents):
    response = open_stream(stream_client(stream_app, session_cookie(web, "maria")))
    try:
        assert response.status_code == 200
        assert response.mimetype == "text/event-stream"
        event = next(response.response)
        event = event.decode() if isinstance(event, bytes) else event
        assert event.startswith('event: queue\ndata: {"now":')
        assert '"agents":[' in event
        assert '"waiting":[]' in event
    finally:
        response.close()
    assert open_stream(stream_app.test_client()).status_code == 401  # no session, no stream
    forged = stream_client(stream_app, session_cookie(web, "maria")[:-2] + "xx")
    assert open_stream(forged).status_code == 401


def test_an_agent_holds_five_streams_at_most_and_a_closed_one_frees_its_slot(web, stream_app, agents, redis_client):
    maria = stream_client(stream_app, session_cookie(web, "maria"))
    held = [open_stream(maria) for _ in range(5)]
    try:
        assert [r.status_code for r in held] == [200] * 5
        refused = open_stream(maria)
        assert refused.status_code == 429
        assert "already has 5 live console streams open" in refused.get_json()["message"]
        luca = open_stream(stream_client(stream_app, session_cookie(web, "luca")))  # the cap is per agent
        assert luca.status_code == 200
        luca.close()
        held.pop().close()  # a tab closed: its slot is free at once
        held.append(open_stream(maria))
        assert held[-1].status_code == 200
        assert stream_app.extensions["console_stream_slots"].open("maria") == 5
    finally:
        for response in held:
            response.close()
    assert stream_app.extensions["console_stream_slots"].open("maria") == 0


def test_slots_of_a_crashed_process_expire(stream_app, web, agents, redis_client):
    maria = stream_client(stream_app, session_cookie(web, "maria"))
    open_stream(maria).close()  # makes the app's slot counter
    slots = stream_app.extensions["console_stream_slots"]
    now = float(redis_client.time()[0])
    # five streams a killed process never released: one lease long gone, four still running
    redis_client.zadd(slots.key("maria"), {"gone": now - 1, **{f"live{n}": now + 60 for n in range(4)}})
    fifth = open_stream(maria)
    try:
        assert fifth.status_code == 200  # the expired one does not count
        assert open_stream(maria).status_code == 429
        assert 0 < redis_client.ttl(slots.key("maria")) <= 30 + 30  # the key itself goes away too
        assert slots.take("maria", 5) is None
    finally:
        fifth.close()


def test_cors_lets_exactly_the_console_origin_read_with_credentials(web, stream_app, agents):
    maria = stream_client(stream_app, session_cookie(web, "maria"))
    allowed = open_stream(maria, Origin=WEB_ORIGIN)
    other = open_stream(maria, Origin="http://localhost:5002")
    try:
        assert allowed.headers["Access-Control-Allow-Origin"] == WEB_ORIGIN
        assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
        assert "Origin" in allowed.headers["Vary"]
        assert other.status_code == 200
        assert "Access-Control-Allow-Origin" not in other.headers
    finally:
        allowed.close()
        other.close()
    refused = open_stream(stream_app.test_client(), Origin=WEB_ORIGIN)
    assert refused.status_code == 401
    assert refused.headers["Access-Control-Allow-Origin"] == WEB_ORIGIN


def test_the_stream_server_serves_nothing_else_of_the_console(web, stream_app, agents):
    maria = stream_client(stream_app, session_cookie(web, "maria"))
    for path in ("/console/", "/console/login", "/console/queue.json", "/voice/incoming", "/api/queue"):
        assert maria.get(path).status_code == 404, path
    health = stream_app.test_client().get("/healthz").get_json()
    assert health["ok"] is True
    assert health["cooperative"] is False  # no gevent worker in this test


def test_the_web_servers_events_route_points_to_the_stream_server(web, agents):
    client = web.test_client()
    client.post("/console/login", data={"name": "maria", "password": PASSWORD, "csrf_token": csrf_of(client)})
    answer = client.get("/console/events", headers={"Accept": "text/event-stream"})
    assert answer.status_code == 307
    assert answer.headers["Location"] == STREAM_URL  # at once: no thread held
    page = client.get("/console/")
    assert re.search(r'data-events="([^"]+)"', page.get_data(as_text=True)).group(1) == STREAM_URL
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "connect-src 'self' http://localhost:5001" in policy
    web.config["CONSOLE_STREAM_URL"] = ""  # behind the proxy: the same path, routed to the stream server
    assert client.get("/console/events", headers={"Accept": "text/event-stream"}).status_code == 503
    page = client.get("/console/")
    assert 'data-events="/console/events"' in page.get_data(as_text=True)
    assert "connect-src" not in page.headers["Content-Security-Policy"]
