"""The agent console through Flask's test client on a real Redis: sessions, CSRF, claims, roles, SSE."""
from __future__ import annotations

import json
import logging
import queue as queue_lib
import re
import threading
import time

import pytest
from flask import Flask

from social_bridge.web import api, console
from social_bridge.queue.agents import AgentDirectory
from social_bridge.web.bridge import Bridge
from social_bridge.queue.claims import Claims
from social_bridge.queue.eta import EtaEstimator
from social_bridge.queue.notes import Notes
from social_bridge.queue.presence import Presence
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue

PASSWORD = "long enough secret"
NUMBER = "+393471234567"
SAID = "internet down since this morning, the light on the modem is red"
RECORDING_URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE123"


class Recorder:
    """Stands where the app factory wires a capability (dial, recording, outbox)."""

    def __init__(self, answer):
        self.calls, self.answer = [], answer

    def __call__(self, *args, **options):
        self.calls.append(args)
        self.options = options
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def build_bridge(redis_client, clock, **capabilities) -> Bridge:
    queue = WorkQueue(redis_client, clock=clock)
    presence = Presence(redis_client, clock=clock)
    return Bridge(redis=redis_client, queue=queue, claims=Claims(redis_client, clock=clock, max_attempts=2),
                  presence=presence, agents=AgentDirectory(redis_client, clock=clock),
                  eta=EtaEstimator(queue, presence=presence), clock=clock, target_wait_seconds=150, **capabilities)


def build_app(bridge: Bridge, **config) -> Flask:
    """What create_app does for the console: a secret key, the blueprint, the bridge."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test secret", TESTING=True, **config)
    app.register_blueprint(console.bp)
    app.extensions["social_bridge"] = bridge
    return app


def build_api_app(bridge: Bridge, **config) -> Flask:
    """build_app with the JSON API's blueprint too."""
    app = build_app(bridge, **config)
    app.register_blueprint(api.bp)
    return app


def build_api_only(bridge: Bridge, testing: bool = False) -> Flask:
    """The JSON API alone on `bridge`, without the console."""
    app = Flask(__name__)
    app.register_blueprint(api.bp)
    app.extensions["social_bridge"] = bridge
    app.testing = testing
    return app


def seed_agents(bridge: Bridge) -> None:
    bridge.agents.create("Maria", PASSWORD, phone="+393470000001")
    bridge.agents.create("Luca", PASSWORD, languages=("it", "en"))
    bridge.agents.create("Sara", PASSWORD, role="supervisor", languages=("it", "en"))


def enqueue(bridge, key: str, ago: float = 60, kind: str = "callback", channel: str = "voice", lang: str = "it",
            **fields) -> WorkItem:
    fields.setdefault("customer", NUMBER)
    fields.setdefault("summary", SAID)
    fields.setdefault("intent", "internet_down")
    item = WorkItem(id="", kind=kind, channel=channel, lang=lang, acquired_at=bridge.clock() - ago,
                    natural_key=key, **fields)
    return bridge.queue.enqueue(item).item


@pytest.fixture
def bridge(redis_client, clock):
    b = build_bridge(redis_client, clock, recording=Recorder((b"RIFF-fake-wav", "audio/wav")),
                     outbox=Recorder([{"to": NUMBER, "body": "Ti richiameremo", "at": clock()}]))
    seed_agents(b)
    return b


@pytest.fixture
def app(bridge):
    return build_app(bridge, CONSOLE_STREAM_SECONDS=3)


@pytest.fixture
def item(bridge):
    return enqueue(bridge, "callback:1", recording_url=RECORDING_URL, recording_sid="RE123")


def csrf_of(client) -> str:
    page = client.get("/console/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(client, name: str = "maria", password: str = PASSWORD):
    return client.post("/console/login", data={"name": name, "password": password, "csrf_token": csrf_of(client)})


def signed_in(app, name: str):
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


@pytest.fixture
def maria(app):
    return signed_in(app, "maria")


@pytest.fixture
def luca(app):
    return signed_in(app, "luca")


@pytest.fixture
def sara(app):
    return signed_in(app, "sara")


def token(client) -> str:
    """The session's CSRF token, as every console page carries it."""
    with client.session_transaction() as session:
        return session["csrf"]


def post(client, path: str, **fields):
    return client.post(path, data={"csrf_token": token(client), **fields})


def take_next(client) -> str:
    response = post(client, "/console/next")
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[-1]


def fence_on_page(client, item_id: str) -> str:
    return re.search(r'data-fence="(\d+)"', client.get(f"/console/items/{item_id}").get_data(as_text=True)).group(1)


# --- sessions ------------------------------------------------------------------------------------

def test_login_page_carries_a_csrf_token_and_no_session(app):
    client = app.test_client()
    page = client.get("/console/login")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_login_with_the_right_password_opens_the_queue(app, bridge):
    client = app.test_client()
    response = login(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
    assert bridge.presence.state("maria") == "available"


@pytest.mark.parametrize("name, password", [("maria", "wrong password"), ("nobody", PASSWORD), ("", "")])
def test_bad_login_is_refused(app, name, password):
    client = app.test_client()
    response = login(client, name, password)
    assert response.status_code == 401
    assert "Nome o password errati" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_after_bad_tries_the_right_password_waits_then_gets_in(app, clock):
    client = app.test_client()
    for _ in range(5):
        assert login(client, "maria", "guess guess").status_code == 401
        clock.advance(10)
    clock.advance(-10)
    response = login(client, "maria", PASSWORD)  # right after the fifth bad try: 2 s to wait, and it says so
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert "riprova tra 2 secondi" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302
    clock.advance(2)
    assert login(client, "maria", PASSWORD).status_code == 302
    assert client.get("/console/").status_code == 200


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(app, item):
    client = app.test_client()
    data = {"name": "maria", "password": PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post("/console/login", data={**data, "next": f"/console/items/{item.id}"}) \
        .headers["Location"] == f"/console/items/{item.id}"
    for evil in ("//evil.example/console/", "https://evil.example/console/", "/elsewhere"):
        client = app.test_client()
        data["csrf_token"] = csrf_of(client)
        assert client.post("/console/login", data={**data, "next": evil}).headers["Location"] == "/console/"


def test_logout_ends_the_session_and_marks_the_agent_away(maria, bridge):
    assert post(maria, "/console/logout").status_code == 302
    assert maria.get("/console/").status_code == 302
    assert bridge.presence.state("maria") == "away"


def test_session_changes_at_login(app):
    client = app.test_client()
    before = csrf_of(client)
    login(client)
    assert token(client) != before  # no session fixation: a new token with the new identity


@pytest.mark.parametrize("path", ["/console/", "/console/supervisor", "/console/items/x"])
def test_pages_redirect_to_login_without_a_session(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login?next=")


@pytest.mark.parametrize("path, headers", [
    ("/console/queue.json", {}), ("/console/events", {"Accept": "text/event-stream"}),
    ("/console/", {"X-Requested-With": "fetch"}), ("/console/supervisor.json", {}),
])
def test_scripts_get_401_without_a_session(app, path, headers):
    assert app.test_client().get(path, headers=headers).status_code == 401


def test_actions_need_a_session(app, item):
    client = app.test_client()
    csrf = csrf_of(client)
    assert client.post("/console/next", data={"csrf_token": csrf}).status_code == 302
    assert client.post("/console/heartbeat", headers={"X-CSRF-Token": csrf}).status_code == 401
    assert app.extensions["social_bridge"].queue.get(item.id).status == "waiting"


# --- CSRF ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sent", [None, "", "forged-token"])
def test_post_without_the_session_csrf_token_is_rejected(maria, item, sent, bridge):
    data = {} if sent is None else {"csrf_token": sent}
    assert maria.post("/console/next", data=data).status_code == 403
    assert maria.post("/console/presence", data={**data, "state": "away"}).status_code == 403
    assert bridge.queue.get(item.id).status == "waiting"


def test_login_post_needs_csrf_too(app):
    response = app.test_client().post("/console/login", data={"name": "maria", "password": PASSWORD})
    assert response.status_code == 403


def test_fetch_sends_the_token_in_a_header(maria, bridge):
    response = maria.post("/console/presence", data={"state": "busy"},
                          headers={"X-CSRF-Token": token(maria), "X-Requested-With": "fetch"})
    assert response.status_code == 200
    assert response.json == {"state": "busy", "offer": None}
    assert bridge.presence.state("maria") == "busy"


# --- the queue -----------------------------------------------------------------------------------

def test_queue_lists_waiting_items_with_masked_customers(maria, bridge, item):
    enqueue(bridge, "voicemail:1", ago=400, kind="voicemail", lang="en", intent="billing")
    snapshot = maria.get("/console/queue.json").json
    assert [v["kind"] for v in snapshot["waiting"]] == ["voicemail", "callback"]
    first = snapshot["waiting"][0]
    assert first["position"] == 1
    assert first["breaching"]
    assert first["lang"] == "en"
    assert snapshot["depth"]["callback"] == 1
    assert snapshot["oldest_wait"] == 400
    page = maria.get("/console/").get_data(as_text=True)
    assert item.id in page
    assert "+39******67" in page
    assert NUMBER not in page
    assert NUMBER not in json.dumps(snapshot)


def test_take_next_claims_the_oldest_and_shows_what_the_caller_said(maria, bridge, item):
    older = enqueue(bridge, "callback:2", ago=600, customer="+393330000011")
    assert take_next(maria) == older.id
    claimed = bridge.queue.get(older.id)
    assert claimed.status == "claimed"
    assert claimed.claimed_by == "maria"
    page = maria.get(f"/console/items/{older.id}").get_data(as_text=True)
    assert SAID in page
    assert "+393330000011" in page  # the holder sees the whole number
    assert 'id="act-complete"' in page
    assert f'data-fence="{claimed.fence}"' in page


def test_take_next_with_nothing_in_my_languages(maria, bridge):
    enqueue(bridge, "callback:en", lang="en", ago=10)
    response = post(maria, "/console/next")
    assert response.headers["Location"] == "/console/"
    assert "Nessuna richiesta da prendere" in maria.get("/console/").get_data(as_text=True)


def test_complete_with_an_outcome_takes_the_item_out_of_the_queue(maria, bridge, item):
    take_next(maria)
    response = post(maria, f"/console/items/{item.id}/complete", outcome="resolved", fence=fence_on_page(maria, item.id))
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/"
    done = bridge.queue.get(item.id)
    assert (done.status, done.outcome) == ("done", "resolved")
    assert maria.get("/console/queue.json").json["waiting"] == []
    assert "Richiesta completata" in maria.get("/console/").get_data(as_text=True)


def test_complete_needs_a_known_outcome(maria, bridge, item):
    take_next(maria)
    assert post(maria, f"/console/items/{item.id}/complete", outcome="whatever").status_code == 400
    assert bridge.queue.get(item.id).status == "claimed"


def test_release_puts_the_item_back_at_its_place(maria, bridge, item):
    enqueue(bridge, "callback:2", ago=5)
    take_next(maria)
    assert post(maria, f"/console/items/{item.id}/release").status_code == 302
    assert bridge.queue.get(item.id).status == "waiting"
    assert bridge.queue.position(item.id) == 1


def test_reschedule_reads_the_agents_local_time(maria, bridge, item, clock):
    take_next(maria)
    assert post(maria, f"/console/items/{item.id}/reschedule", not_before="2026-12-02T15:30").status_code == 302
    moved = bridge.queue.get(item.id)
    assert moved.status == "scheduled"
    assert moved.not_before == clock.now + 5.5 * 3600  # the clock reads 10:00 in Rome


@pytest.mark.parametrize("fields", [{"not_before": "yesterday"}, {"not_before": "2026-12-01T09:00"}, {},
                                    {"not_before": "2026-12-02T15:30", "not_after": "2026-12-02T15:00"}])
def test_reschedule_refuses_bad_times(maria, bridge, item, fields):
    take_next(maria)
    assert post(maria, f"/console/items/{item.id}/reschedule", **fields).status_code == 400
    assert bridge.queue.get(item.id).status == "claimed"


def test_cancel_with_a_reason(maria, bridge, item):
    take_next(maria)
    assert post(maria, f"/console/items/{item.id}/cancel", reason="duplicate").status_code == 302
    assert bridge.queue.get(item.id).status == "cancelled"


@pytest.mark.parametrize("action, fields", [
    ("complete", {"outcome": "resolved"}), ("release", {}), ("cancel", {"reason": "other"}),
    ("reschedule", {"not_before": "2026-12-02T15:30"}), ("call", {}), ("reply", {"text": "ciao"}),
])
def test_an_agent_cannot_act_on_another_agents_claim(maria, luca, bridge, item, action, fields):
    take_next(maria)
    fence = str(bridge.queue.get(item.id).fence)
    response = post(luca, f"/console/items/{item.id}/{action}", fence=fence, **fields)
    assert response.status_code == 403
    still = bridge.queue.get(item.id)
    assert (still.status, still.claimed_by) == ("claimed", "maria")
    assert post(luca, f"/console/items/{item.id}/renew", fence=fence).status_code == 403


def test_another_agent_sees_the_item_read_only_and_masked(maria, luca, item):
    take_next(maria)
    page = luca.get(f"/console/items/{item.id}").get_data(as_text=True)
    assert NUMBER not in page
    assert "+39******67" in page
    assert 'id="act-complete"' not in page
    assert "data-fence" not in page


def test_a_stale_fence_does_nothing(maria, bridge, item):
    take_next(maria)
    fence = bridge.queue.get(item.id).fence
    response = post(maria, f"/console/items/{item.id}/complete", outcome="resolved", fence=str(fence - 1))
    assert response.status_code == 302
    assert bridge.queue.get(item.id).status == "claimed"
    assert "scaduta" in maria.get("/console/").get_data(as_text=True)


def test_an_expired_lease_is_not_the_agents_any_more(maria, bridge, item, clock):
    take_next(maria)
    fence = fence_on_page(maria, item.id)
    clock.advance(121)
    post(maria, f"/console/items/{item.id}/complete", outcome="resolved", fence=fence)
    assert bridge.queue.get(item.id).status != "done"


def test_renew_keeps_the_lease_while_the_page_is_open(maria, bridge, item, clock):
    take_next(maria)
    fence = fence_on_page(maria, item.id)
    clock.advance(100)
    response = maria.post(f"/console/items/{item.id}/renew", data={"fence": fence},
                          headers={"X-CSRF-Token": token(maria), "X-Requested-With": "fetch"})
    assert response.status_code == 200
    clock.advance(100)  # past the first lease, inside the renewed one
    assert post(maria, f"/console/items/{item.id}/complete", outcome="resolved", fence=fence).status_code == 302
    assert bridge.queue.get(item.id).status == "done"


def test_heartbeat_keeps_the_agent_present(maria, bridge, clock):
    clock.advance(80)
    assert maria.post("/console/heartbeat", headers={"X-CSRF-Token": token(maria)}).status_code == 200
    clock.advance(80)
    assert bridge.presence.state("maria") == "available"


@pytest.mark.parametrize("state", ["available", "busy", "away"])
def test_presence_selector(maria, bridge, state):
    assert post(maria, "/console/presence", state=state, next="/console/").status_code == 302
    assert bridge.presence.state("maria") == state


def test_presence_refuses_unknown_states(maria):
    assert post(maria, "/console/presence", state="sleeping").status_code == 400


# --- call back, notes, recording -----------------------------------------------------------------

def test_call_back_is_disabled_with_a_reason_without_a_dialer(maria, item):
    take_next(maria)
    page = maria.get(f"/console/items/{item.id}").get_data(as_text=True)
    assert re.search(r'id="act-call"\s+disabled', page)
    assert "Richiamata non configurata" in page
    assert post(maria, f"/console/items/{item.id}/call").status_code == 409


def test_call_back_dials_through_the_bridge(maria, bridge, item):
    bridge.dial = Recorder("AT1")
    take_next(maria)
    response = post(maria, f"/console/items/{item.id}/call")
    assert response.headers["Location"] == f"/console/items/{item.id}"
    (dialed, claim, agent), = bridge.dial.calls
    assert (dialed.id, claim.item.id, agent.id) == (item.id, item.id, "maria")
    assert "Chiamata avviata" in maria.get(f"/console/items/{item.id}").get_data(as_text=True)


def test_call_back_refused_by_the_dialer_shows_its_reason(maria, bridge, item):
    bridge.dial = Recorder(ValueError("Fuori orario: si può richiamare dalle 8:30."))
    take_next(maria)
    post(maria, f"/console/items/{item.id}/call")
    assert "Fuori orario" in maria.get(f"/console/items/{item.id}").get_data(as_text=True)


def test_call_back_needs_the_agents_phone(luca, bridge, item):
    bridge.dial = Recorder("AT1")
    take_next(luca)
    assert "non ha un numero" in luca.get(f"/console/items/{item.id}").get_data(as_text=True)
    assert post(luca, f"/console/items/{item.id}/call").status_code == 409
    assert bridge.dial.calls == []


def test_call_back_disabled_by_the_factory_check(maria, bridge, item):
    bridge.dial = Recorder("AT1")
    bridge.dial_check = lambda _item: "Fascia di silenzio: 21:00–8:00"
    take_next(maria)
    assert "Fascia di silenzio" in maria.get(f"/console/items/{item.id}").get_data(as_text=True)
    assert post(maria, f"/console/items/{item.id}/call").status_code == 409
    assert bridge.dial.calls == []


def test_notes_are_kept_beside_the_item(maria, luca, bridge, item):
    assert post(maria, f"/console/items/{item.id}/notes", text="modem già riavviato").status_code == 302
    assert "modem già riavviato" in luca.get(f"/console/items/{item.id}").get_data(as_text=True)
    assert bridge.redis.llen(f"nohold:{{queue}}:item:{item.id}:notes") == 1
    assert Notes(bridge.redis).for_item(item.id)[0]["agent"] == "maria"
    assert post(maria, f"/console/items/{item.id}/notes", text="  ").status_code == 400


def test_recording_goes_through_the_console_for_the_holder_only(app, maria, luca, sara, bridge, item):
    assert app.test_client().get(f"/console/items/{item.id}/recording").status_code == 302
    assert maria.get(f"/console/items/{item.id}/recording").status_code == 403  # not claimed yet
    take_next(maria)
    page = maria.get(f"/console/items/{item.id}").get_data(as_text=True)
    assert f"/console/items/{item.id}/recording" in page
    assert RECORDING_URL not in page
    assert "RE123" not in page
    audio = maria.get(f"/console/items/{item.id}/recording")
    assert (audio.status_code, audio.mimetype, audio.data) == (200, "audio/wav", b"RIFF-fake-wav")
    assert "no-store" in audio.headers["Cache-Control"]
    assert luca.get(f"/console/items/{item.id}/recording").status_code == 403
    assert sara.get(f"/console/items/{item.id}/recording").status_code == 200


def test_recording_of_an_item_without_one_is_404(maria, bridge):
    plain = enqueue(bridge, "callback:plain")
    take_next(maria)
    assert maria.get(f"/console/items/{plain.id}/recording").status_code == 404


# --- supervisor ----------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [("GET", "/console/supervisor"), ("GET", "/console/supervisor.json"),
                                          ("GET", "/console/supervisor/body"), ("POST", "/console/dead/x/requeue"),
                                          ("POST", "/console/items/x/claim")])
def test_supervisor_pages_are_403_for_agents(maria, method, path):
    data = {"csrf_token": token(maria)} if method == "POST" else None
    assert maria.open(path, method=method, data=data).status_code == 403


def test_supervisor_sees_depth_agents_breaching_dead_letters_and_outbox(sara, luca, bridge, item):
    enqueue(bridge, "voicemail:1", ago=900, kind="voicemail")
    dead = enqueue(bridge, "callback:dead", ago=30, customer="+393330000022")
    bridge.claims.fail_attempt(dead.id, None, "no_answer", retry_at=None)
    data = sara.get("/console/supervisor.json").json
    assert data["depth"]["voicemail"] == 1
    assert data["breaching_count"] == 1
    assert [v["id"] for v in data["dead_letters"]] == [dead.id]
    assert {a["id"]: a["state"] for a in data["agents"]}["luca"] == "available"
    assert data["outbox"][0]["body"] == "Ti richiameremo"
    page = sara.get("/console/supervisor").get_data(as_text=True)
    assert "Richieste scartate" in page
    assert "Ti richiameremo" in page
    assert "Luca" in page
    assert post(sara, f"/console/dead/{dead.id}/requeue").status_code == 302
    assert bridge.queue.get(dead.id).status == "waiting"


def test_no_outbox_outside_dev_mode(sara, bridge):
    bridge.dev_mode = False
    assert sara.get("/console/supervisor.json").json["outbox"] is None


def test_supervisor_may_take_a_given_item(sara, bridge, item):
    enqueue(bridge, "callback:older", ago=900)
    assert post(sara, f"/console/items/{item.id}/claim").headers["Location"] == f"/console/items/{item.id}"
    assert bridge.queue.get(item.id).claimed_by == "sara"


# --- live updates --------------------------------------------------------------------------------

def read_stream(response, out: queue_lib.Queue) -> None:
    for chunk in response.response:
        out.put(chunk.decode() if isinstance(chunk, bytes) else chunk)
    out.put(None)


def next_event(chunks: queue_lib.Queue, timeout: float) -> str:
    """The next chunk that is an event (comments are keepalives)."""
    deadline = time.monotonic() + timeout
    while True:
        chunk = chunks.get(timeout=max(0.01, deadline - time.monotonic()))
        assert chunk is not None, "the stream ended"
        if chunk.startswith("event:"):
            return chunk


def test_events_say_connected_then_send_the_queue_and_every_change(maria, bridge, item):
    response = maria.get("/console/events", buffered=False)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    chunks: queue_lib.Queue = queue_lib.Queue()
    threading.Thread(target=read_stream, args=(response, chunks), daemon=True).start()
    assert chunks.get(timeout=2).startswith(": connected\n")
    first = json.loads(next_event(chunks, 2).split("data: ", 1)[1])
    assert [v["id"] for v in first["waiting"]] == [item.id]

    started = time.monotonic()
    newer = enqueue(bridge, "callback:new", ago=5)
    changed = json.loads(next_event(chunks, 1.5).split("data: ", 1)[1])
    assert time.monotonic() - started < 1.0
    assert [v["id"] for v in changed["waiting"]] == [item.id, newer.id]

    bridge.claims.claim_next("luca", ("it",))
    changed = json.loads(next_event(chunks, 1.5).split("data: ", 1)[1])
    assert [v["id"] for v in changed["waiting"]] == [newer.id]
    assert changed["claimed"][0]["claimed_by_name"] == "Luca"
    assert NUMBER not in json.dumps(changed)
    while chunks.get(timeout=5) is not None:  # the stream ends by itself (CONSOLE_STREAM_SECONDS)
        pass
    response.close()


# --- privacy -------------------------------------------------------------------------------------

def test_console_logs_no_customer_data_and_no_typed_names(app, bridge, caplog):
    caplog.set_level(logging.DEBUG)
    bridge.dial = Recorder("AT1")
    enqueue(bridge, "callback:1")
    client = app.test_client()
    login(client, "maria", "typo-password")
    login(client)
    item_id = take_next(client)
    client.get(f"/console/items/{item_id}")
    post(client, f"/console/items/{item_id}/notes", text="cliente molto gentile")
    post(client, f"/console/items/{item_id}/call")
    post(client, f"/console/items/{item_id}/complete", outcome="resolved")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "completed" in logged
    for secret in (NUMBER, SAID, "typo-password", PASSWORD, "gentile"):
        assert secret not in logged


def test_pages_forbid_framing_foreign_scripts_and_caching(maria):
    page = maria.get("/console/")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "<script>" not in page.get_data(as_text=True)  # only files and JSON data blocks: CSP allows no inline code
    css = maria.get("/console/static/console/console.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"


def test_a_window_opening_reaches_the_consoles_without_anyone_acting(bridge, clock):
    from social_bridge.web.console.live import QueueWatcher

    later = enqueue(bridge, "callback:later", ago=30, not_before=clock() + 600)
    watcher = QueueWatcher(bridge, poll_seconds=0.05)
    version, data = watcher.subscribe()
    try:
        assert [v["id"] for v in data["scheduled"]] == [later.id]
        assert data["waiting"] == []
        assert watcher.wait(version, 0.3)[0] == version  # nothing changes by itself
        clock.advance(601)
        version, data = watcher.wait(version, 2)
        assert [v["id"] for v in data["waiting"]] == [later.id]
    finally:
        watcher.unsubscribe()
        watcher.close()


def test_labels_switch_to_english_and_back(maria):
    assert "Prendi la prossima" in maria.get("/console/").get_data(as_text=True)
    assert post(maria, "/console/language", lang="en", next="/console/").headers["Location"] == "/console/"
    page = maria.get("/console/").get_data(as_text=True)
    assert "Take next" in page
    assert 'lang="en"' in page


def test_unknown_item_is_a_page_for_people_and_json_for_scripts(maria):
    page = maria.get("/console/items/nope")
    assert page.status_code == 404
    assert "Torna alla coda" in page.get_data(as_text=True)
    assert maria.get("/console/items/nope", headers={"X-Requested-With": "fetch"}).json["error"] == 404
