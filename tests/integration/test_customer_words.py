"""Who reads a customer's words (issue 13, item 3), on the whole app: real calls, messages and transcripts.

The words are the real ones: what a caller said to the menu (the callback's summary), the messages of
a conversation (its summary is the latest one, word for word), a voicemail's transcript. Every agent
sees the topic; only the agent holding the item and supervisors read the words — and the live queue,
one copy for every console, carries none.
"""
from __future__ import annotations

import html
import json
import queue as queue_lib
import re
import threading

import pytest

from ivr.transcription.store import TranscriptStore
from social_bridge.channels import Inbound
from social_bridge.web.console.strings import strings_for
from social_bridge.queue.work_item import WorkItem
from tests.integration.test_console import next_event, read_stream

PASSWORD = "long enough secret"
CALLER = "+393471234567"
SAID_ON_THE_CALL = "non mi funziona internet da stamattina"  # the scripted call of scenarios/it_internet_callback
FIRST_MESSAGE = "Buongiorno, da ieri sera la fibra è giù e lavoro da casa"
LATEST_MESSAGE = "Il modem è ancora tutto rosso, ho già provato a spegnerlo e riaccenderlo tre volte"
SAID_BEFORE_THE_VOICEMAIL = "è per la bolletta di novembre"
TRANSCRIPT = "Salve, la bolletta di novembre è il doppio del solito: vorrei capire perché, richiamatemi dopo le 15"
WORDS = (SAID_ON_THE_CALL, FIRST_MESSAGE, LATEST_MESSAGE, SAID_BEFORE_THE_VOICEMAIL, TRANSCRIPT)
UI = strings_for("it")


def readable(response) -> str:
    """What a client reads: JSON decoded (no \\u escapes hiding an "è"), HTML unescaped plus its embedded JSON."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    text = response.get_data(as_text=True)
    embedded = [json.dumps(json.loads(raw), ensure_ascii=False)
                for raw in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', text, re.S)]
    return "\n".join([html.unescape(text), *embedded])


def words_in(text: str) -> set[str]:
    return {words for words in WORDS if words in text}


def leaks(read: dict[str, str]) -> dict[str, set[str]]:
    """Each path where words were read, with the words."""
    return {path: words_in(text) for path, text in read.items() if words_in(text)}


def book_by_phone(phone) -> str:
    """A real call: the caller says what is wrong and books a callback as soon as possible."""
    result = phone.run_script({"from": CALLER, "answers": [
        {"say": SAID_ON_THE_CALL, "expect": "motivo della chiamata"},
        {"digits": "1", "expect": "richiamare appena"},
        {"digits": "1", "expect": "finisce con 4 5 6 7"}]})
    assert result.ok, result.error
    return result.call_sid


@pytest.fixture
def world(app, nohold, phone, social_jobs):
    app.config["CONSOLE_STREAM_SECONDS"] = 1.5
    bridge = app.extensions["social_bridge"]
    for name, role in (("Maria", "agent"), ("Luca", "agent"), ("Sara", "supervisor")):
        bridge.agents.create(name, PASSWORD, role=role, languages=("it", "en"))

    callback = nohold.queue.get(nohold.calls.load(book_by_phone(phone)).item_id)
    for n, text in enumerate((FIRST_MESSAGE, LATEST_MESSAGE)):  # two messages: the summary follows the latest
        nohold.social.inbound.accept([Inbound("sms", "+393409876512", f"SM{n:032d}", text=text, sent_at=nohold.clock())])
        social_jobs()
    thread = nohold.queue.get(nohold.social.threads.for_customer("sms", "+393409876512").item_id)
    voicemail = nohold.queue.enqueue(WorkItem(
        id="", kind="voicemail", channel="voice", lang="it", acquired_at=nohold.clock() - 30,
        natural_key="voicemail:RE0123", customer="+393355550142", intent="billing", summary=SAID_BEFORE_THE_VOICEMAIL,
        recording_url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE0123", recording_sid="RE0123",
        details={"transcription": {"status": "queued", "at": nohold.clock()}})).item
    assert TranscriptStore(nohold.redis, nohold.queue.keys).attach(voicemail.id, TRANSCRIPT, "billing", 0.93,
                                                                   "faster_whisper", 7.0)
    # the premise: these are the customer's own words, word for word, not a paraphrase
    assert callback.summary == SAID_ON_THE_CALL
    assert thread.summary == LATEST_MESSAGE
    assert [m.text for m in nohold.social.threads.messages(thread.details["thread_id"]) if m.direction == "in"] == [
        FIRST_MESSAGE, LATEST_MESSAGE]
    yield {"app": app, "bridge": bridge, "items": {"callback": callback, "thread": thread, "voicemail": voicemail}}
    if "console_watcher" in app.extensions:
        app.extensions["console_watcher"].close()


def console(world, name: str):
    client = world["app"].test_client()
    page = client.get("/console/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/console/login", data={"name": name, "password": PASSWORD, "csrf_token": csrf}).status_code == 302
    return client


def api(world, name: str):
    client, token = world["app"].test_client(), world["bridge"].agents.issue_token(name)
    return lambda method, path: client.open(path, method=method, headers={"Authorization": f"Bearer {token}"})


def first_snapshot(client) -> str:
    """The first queue event of the live stream, as the page's script reads it."""
    response = client.get("/console/events", buffered=False)
    chunks: queue_lib.Queue = queue_lib.Queue()
    threading.Thread(target=read_stream, args=(response, chunks), daemon=True).start()
    event = next_event(chunks, 3)
    while chunks.get(timeout=5) is not None:  # the stream ends by itself (CONSOLE_STREAM_SECONDS)
        pass
    response.close()
    return json.dumps(json.loads(event.split("data: ", 1)[1]), ensure_ascii=False)


def item_paths(items) -> list[str]:
    return [f"/console/items/{item.id}" for item in items.values()] + [
        f"/console/items/{items['voicemail'].id}/transcript.json"]


def everything_read(world, name: str) -> dict[str, str]:
    """Every path an agent reads items through, and what it reads there."""
    items, web, rest = world["items"], console(world, name), api(world, name)
    read = {"console queue": readable(web.get("/console/")), "queue.json": readable(web.get("/console/queue.json")),
            "live stream": first_snapshot(web), "api queue": readable(rest("GET", "/api/queue")),
            "api me": readable(rest("GET", "/api/agents/me"))}
    for path in item_paths(items):
        response = web.get(path)
        assert response.status_code == 200, path
        read[path] = readable(response)
    for item in items.values():
        response = rest("GET", f"/api/items/{item.id}")
        assert response.status_code == 200
        read[f"/api/items/{item.id}"] = readable(response)
    return read


def test_waiting_items_words_reach_supervisors_only_and_never_the_live_queue(world):
    luca, sara = everything_read(world, "luca"), everything_read(world, "sara")
    assert leaks(luca) == {}
    for path in ("console queue", "queue.json", "live stream"):  # one copy for every console: no words in it
        assert words_in(sara[path]) == set(), path
    assert words_in(sara["api queue"]) == {SAID_ON_THE_CALL, LATEST_MESSAGE, SAID_BEFORE_THE_VOICEMAIL}
    items = world["items"]
    assert words_in(sara[f"/console/items/{items['thread'].id}"]) == {FIRST_MESSAGE, LATEST_MESSAGE}
    assert words_in(sara[f"/api/items/{items['voicemail'].id}"]) == {SAID_BEFORE_THE_VOICEMAIL, TRANSCRIPT}
    assert words_in(sara[f"/console/items/{items['voicemail'].id}/transcript.json"]) == {TRANSCRIPT}


def test_the_holder_reads_the_words_and_other_agents_the_topic(world):
    bridge, items = world["bridge"], world["items"]
    for item in items.values():
        bridge.claims.claim(item.id, "maria")
    maria, luca, sara = (everything_read(world, name) for name in ("maria", "luca", "sara"))

    assert leaks(luca) == {}
    for read in (maria, sara):
        assert words_in(read[f"/console/items/{items['callback'].id}"]) == {SAID_ON_THE_CALL}
        assert words_in(read[f"/console/items/{items['thread'].id}"]) == {FIRST_MESSAGE, LATEST_MESSAGE}
        assert words_in(read[f"/console/items/{items['voicemail'].id}"]) == {SAID_BEFORE_THE_VOICEMAIL, TRANSCRIPT}
        assert words_in(read[f"/console/items/{items['voicemail'].id}/transcript.json"]) == {TRANSCRIPT}
        assert words_in(read[f"/api/items/{items['thread'].id}"]) == {FIRST_MESSAGE, LATEST_MESSAGE}
        assert words_in(read[f"/api/items/{items['voicemail'].id}"]) == {SAID_BEFORE_THE_VOICEMAIL, TRANSCRIPT}
        for path in ("console queue", "queue.json", "live stream"):
            assert words_in(read[path]) == set(), path
    assert words_in(maria["api me"]) == set(WORDS)  # her claims, with what she needs to work them

    # what the others get instead: the topic, and a sentence saying who reads the words
    page = luca[f"/console/items/{items['callback'].id}"]
    topic = re.search(r'<p id="topic">(.*?)</p>', page).group(1)
    assert re.sub(r"<[^>]+>", "", topic) == f"{UI['col.intent']}: {UI['intent.internet_down']}"
    assert UI["item.words_withheld"] in page
    assert UI["item.transcript_withheld"] in luca[f"/console/items/{items['voicemail'].id}"]
    assert json.loads(luca[f"/console/items/{items['voicemail'].id}/transcript.json"])["line"] == UI[
        "item.transcript_withheld"]
    detail = json.loads(luca[f"/api/items/{items['voicemail'].id}"])
    assert (detail["intent"], detail["summary"], detail["details"]["transcription"]["status"]) == ("billing", None,
                                                                                                  "done")
    assert "transcript" not in detail["details"]
    assert all(m["text"] is None for m in json.loads(luca[f"/api/items/{items['thread'].id}"])["conversation"])
