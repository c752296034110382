"""The web chat widget's API through Flask and a real Redis: tokens, origins, limits, the one inbox and queue,
an agent's reply, a handoff code from a call, and the live stream served by the stream server."""
from __future__ import annotations

import hashlib
import json
import secrets

import pytest
import redis
import yaml

from ivr import create_app
from ivr.runtime import streams
from social_bridge.chat.handoff import find_code
from tests.support.apps import built, client  # noqa: F401 (fixture)
from tests.support.privacy_scan import traces
from tests.support.twilio_requests import signed_post

SITE = "https://shop.example.it"
OTHER = "https://evil.example.com"
CALLER = "+393471234567"


@pytest.fixture
def widget_settings(settings):
    return settings.with_overrides(widget_allowed_origins=(SITE,), widget_per_minute=3, message_max_chars=300,
                                   widget_stream_url="https://live.example.it/widget/api/stream")


@pytest.fixture
def app(widget_settings, clock, redis_client):
    with built(widget_settings, clock) as application:
        yield application


@pytest.fixture
def words(widget_settings):
    return yaml.safe_load((widget_settings.prompts_dir / "widget.yaml").read_text(encoding="utf-8"))


def new_token(client) -> str:
    answer = client.post("/widget/api/session", headers={"Origin": SITE})
    assert answer.status_code == 201
    return answer.get_json()["token"]


def write(client, token: str, text: str, client_id: str | None = None, origin: str = SITE):
    body = {"text": text, "id": client_id or secrets.token_hex(8)}
    return client.post("/widget/api/messages", json=body, headers={"Origin": origin, "X-Nohold-Widget": token})


def read(client, token: str, since: int = 0) -> dict:
    answer = client.get(f"/widget/api/messages?since={since}", headers={"Origin": SITE, "X-Nohold-Widget": token})
    assert answer.status_code == 200
    return answer.get_json()


def test_a_visitor_writes_and_is_queued_in_the_one_queue_with_a_place_and_a_wait(client, nohold, clock):
    token = new_token(client)
    answer = write(client, token, "non funziona internet da ieri")
    assert answer.status_code == 202
    assert answer.get_json()["status"]["state"] == "waiting"
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    seen = read(client, token)
    assert [m["from"] for m in seen["messages"]] == ["you", "us"]  # the message and the inbox's acknowledgement
    assert seen["status"]["position"] == 1
    assert seen["status"]["wait_minutes"] >= 1
    visitor = nohold.bridge.queue  # the same WorkQueue agents work
    [item] = [visitor.get(i) for i in nohold.redis.zrange(nohold.queue.keys.items_waiting, 0, -1)]
    assert (item.kind, item.channel, item.intent) == ("thread", "web", "internet_down")
    assert item.acquired_at == clock()


def test_only_the_token_hash_is_stored(client, redis_client):
    token = new_token(client)
    keys = redis_client.keys("nohold:{widget}:token:*")
    assert keys == [f"nohold:{{widget}}:token:{hashlib.sha256(token.encode()).hexdigest()}"]
    assert token not in json.dumps([redis_client.get(k) for k in keys])


@pytest.mark.parametrize("token", ["", "short", "A" * 43, secrets.token_urlsafe(32)],
                         ids=["missing", "short", "malformed", "forged"])  # fixed ids: a random one differs per xdist worker
def test_a_missing_malformed_or_forged_token_is_401(client, token, words):
    answer = write(client, token, "ciao")
    assert answer.status_code == 401
    assert answer.get_json()["message"] == words["it"]["error_token"]


def test_a_foreign_origin_gets_no_cors_headers_and_a_403(client):
    token = new_token(client)
    answer = write(client, token, "ciao", origin=OTHER)
    assert answer.status_code == 403
    assert "Access-Control-Allow-Origin" not in answer.headers


@pytest.mark.parametrize("headers", [{}, {"Origin": OTHER}])
def test_a_session_without_a_listed_origin_is_403(client, headers):
    assert client.post("/widget/api/session", headers=headers).status_code == 403


def test_the_preflight_answers_a_listed_origin_only(client):
    ok = client.options("/widget/api/messages", headers={"Origin": SITE, "Access-Control-Request-Method": "POST"})
    assert ok.status_code == 204
    assert "X-Nohold-Widget" in ok.headers["Access-Control-Allow-Headers"]
    refused = client.options("/widget/api/messages", headers={"Origin": OTHER, "Access-Control-Request-Method": "POST"})
    assert refused.status_code == 403


def test_over_the_rate_limit_is_429_with_a_sentence_until_the_minute_is_over(client, clock, words):
    token = new_token(client)
    for n in range(3):
        assert write(client, token, f"messaggio {n}").status_code == 202
    over = write(client, token, "ancora uno")
    assert over.status_code == 429
    assert over.get_json()["message"] == words["it"]["error_rate_minute"]
    assert over.headers["Retry-After"] == "60"
    clock.advance(61)
    assert write(client, token, "ancora uno").status_code == 202


def test_too_long_is_400_and_says_how_long_it_may_be(client, widget_settings):
    token = new_token(client)
    answer = write(client, token, "x" * (widget_settings.message_max_chars + 1))
    assert answer.status_code == 400
    assert str(widget_settings.message_max_chars) in answer.get_json()["message"]


def test_the_english_sentence_when_the_widget_speaks_english(client, words):
    answer = client.post("/widget/api/messages?lang=en", json={"text": "hi"},
                         headers={"Origin": SITE, "X-Nohold-Widget": "forged"})
    assert answer.get_json()["message"] == words["en"]["error_token"]


def test_a_retried_post_counts_once(client, nohold):
    token = new_token(client)
    write(client, token, "non mi funziona la linea", client_id="retry-0001")
    write(client, token, "non mi funziona la linea", client_id="retry-0001")
    assert [m["from"] for m in read(client, token)["messages"]].count("you") == 1


def test_an_agents_reply_reaches_the_visitor_and_notes_do_not(app, client, nohold, social_jobs):
    token = new_token(client)
    write(client, token, "non funziona internet da ieri")
    first = read(client, token)
    visitor = app.extensions["nohold_widget"].desk.sessions.visitor(token)
    thread = nohold.social.threads.for_customer("web", visitor)
    nohold.bridge.claims.claim(thread.item_id, "sara")
    nohold.social.threads.add(thread.id, "note", "cliente già noto")
    reply = nohold.social.delivery.send(thread, "Ciao, sono Sara: controllo subito la tua linea.", agent="sara")
    social_jobs()  # the web channel's delivery: stored for the visitor, nothing leaves nohold
    assert nohold.social.threads.message(reply.id).state == "sent"
    later = read(client, token, first["next"])
    assert [(m["from"], m["by"], m["text"]) for m in later["messages"]] == [
        ("us", "agent", "Ciao, sono Sara: controllo subito la tua linea.")]
    assert later["status"] == {"state": "with_agent"}


def test_a_handoff_code_from_a_call_continues_that_conversation(app, client, nohold, settings, clock, social_jobs):
    started = clock()
    call = {"CallSid": "CA" + "7" * 32, "From": CALLER, "To": "+390200000000"}
    signed_post(client, settings, "/voice/incoming", call)
    signed_post(client, settings, "/voice/step?seq=1", {**call, "SpeechResult": "non mi va internet da stamattina",
                                                        "Confidence": "0.92"})
    clock.advance(40)
    signed_post(client, settings, "/voice/step?seq=2", {**call, "Digits": "3"})  # 3: continue in chat
    social_jobs()
    code = find_code(" ".join(entry["body"] for entry in nohold.outbox.entries()))
    assert code
    clock.advance(20 * 60)
    token = new_token(client)
    assert write(client, token, f"ciao, ho il codice {code}").status_code == 202
    seen = read(client, token)
    visitor = app.extensions["nohold_widget"].desk.sessions.visitor(token)
    thread = nohold.social.threads.for_customer("web", visitor)
    item = nohold.queue.get(thread.item_id)
    assert item.acquired_at == started  # the place earned by calling
    assert item.call_sid == call["CallSid"]
    assert seen["status"]["state"] == "waiting"


def test_the_stream_server_streams_new_messages_and_the_place(app, client, widget_settings, clock):
    token = new_token(client)
    write(client, token, "non funziona internet da ieri")
    live = streams.create_app(test_config={"SETTINGS": widget_settings, "CLOCK": clock})
    live.config["WIDGET_STREAM_SLEEP"] = lambda seconds: None  # the stream's ticks without real waiting
    answer = live.test_client().get("/widget/api/stream?since=0", headers={"Origin": SITE, "X-Nohold-Widget": token})
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    events = [block for block in answer.get_data(as_text=True).split("\n\n") if block.startswith("event:")]
    names = [block.split("\n")[0].removeprefix("event: ") for block in events]
    assert names == ["messages", "status", "end"]  # nothing changed after the first look
    messages = json.loads(events[0].split("data: ", 1)[1])["messages"]
    assert messages[0]["text"] == "non funziona internet da ieri"
    assert json.loads(events[1].split("data: ", 1)[1])["position"] == 1


def test_the_stream_refuses_a_forged_token(app, widget_settings, clock):
    live = streams.create_app(test_config={"SETTINGS": widget_settings, "CLOCK": clock})
    answer = live.test_client().get("/widget/api/stream", headers={"Origin": SITE, "X-Nohold-Widget": "x" * 43})
    assert answer.status_code == 401


def test_the_script_is_served_and_holds_no_words(client, words):
    answer = client.get("/widget/nohold.js")
    assert answer.status_code == 200
    assert answer.mimetype == "text/javascript"
    script = answer.get_data(as_text=True)
    assert all(sentence not in script for table in words.values() for sentence in table.values())


def test_the_config_gives_the_visitors_words_and_the_stream(client, words, widget_settings):
    config = client.get("/widget/api/config?lang=en", headers={"Origin": SITE}).get_json()
    assert config["words"] == words["en"]
    assert config["stream_url"] == widget_settings.widget_stream_url


def test_without_allowed_origins_the_widget_is_off(settings, clock, redis_client):
    application = create_app({"SETTINGS": settings, "CLOCK": clock})
    try:
        assert application.test_client().post("/widget/api/session", headers={"Origin": SITE}).status_code == 404
    finally:
        application.extensions["nohold"].metrics.close()


def test_openapi_and_the_api_guide_document_every_widget_route(app, widget_settings, clock):
    root = widget_settings.prompts_dir.parent / "docs"
    spec = yaml.safe_load((root / "openapi.yaml").read_text(encoding="utf-8"))
    documented = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops
                  if method in ("get", "post") and path.startswith("/widget/api/")}
    live = streams.create_app(test_config={"SETTINGS": widget_settings, "CLOCK": clock})
    served = {(method, rule.rule) for application in (app, live) for rule in application.url_map.iter_rules()
              if rule.rule.startswith("/widget/api/") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served
    guide = (root / "api.md").read_text(encoding="utf-8")
    assert all(path in guide for _, path in served)


def test_the_stream_sends_what_changes_while_it_is_open(app, client, nohold, widget_settings, clock):
    token = new_token(client)
    write(client, token, "non funziona internet da ieri")
    thread = nohold.social.threads.for_customer("web", app.extensions["nohold_widget"].desk.sessions.visitor(token))
    changes = iter([lambda: nohold.social.threads.add(thread.id, "note", "nota privata"),
                    lambda: nohold.bridge.claims.claim(thread.item_id, "sara"),
                    lambda: nohold.social.delivery.send(thread, "Eccomi, sono Sara.", agent="sara")])
    live = streams.create_app(test_config={"SETTINGS": widget_settings, "CLOCK": clock})
    live.config["WIDGET_STREAM_SLEEP"] = lambda seconds: next(changes, lambda: None)()  # a change between looks
    answer = live.test_client().get("/widget/api/stream?since=0", headers={"Origin": SITE, "X-Nohold-Widget": token})
    events = [(block.split("\n")[0].removeprefix("event: "), json.loads(block.split("data: ", 1)[1]))
              for block in answer.get_data(as_text=True).split("\n\n") if block.startswith("event:")]
    assert [name for name, _ in events] == ["messages", "status", "status", "messages", "end"]
    assert events[2][1] == {"state": "with_agent"}
    assert [m["text"] for m in events[3][1]["messages"]] == ["Eccomi, sono Sara."]  # the note never


def test_erasing_a_visitors_thread_leaves_none_of_their_words(app, client, nohold, redis_url):
    raw = redis.Redis.from_url(redis_url)  # not decoded: RQ's job data is read as it is stored
    token = new_token(client)
    write(client, token, "non funziona internet da ieri, sono Mario Rossi di via Roma 12")
    thread = nohold.social.threads.for_customer("web", app.extensions["nohold_widget"].desk.sessions.visitor(token))
    assert traces(raw, ["Mario Rossi"])  # there before
    nohold.privacy.erase(nohold.privacy.records.by_thread(thread.id), "dpo", f"thread:{thread.id}")
    assert traces(raw, ["Mario Rossi"]) == []
    assert read(client, token)["messages"] == []  # the widget shows an empty conversation
