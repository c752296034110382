"""Every promise to a caller is computed: after hours from the place at opening and the staffing then,
with every agent away during open hours it says so. Real Flask, real Redis, TwiML parsed, a hand clock."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from social_bridge.queue.work_item import WorkItem
from tests.conftest import CLOSED_TIME, ROME
from tests.support.twilio_requests import signed_post, sms_replies
from tests.support.twiml_helpers import said

CALLER = "+393471234567"
OPENING = datetime(2026, 12, 3, 8, 30, tzinfo=ZoneInfo(ROME))  # the Thursday after CLOSED_TIME
ACCOUNT = "AC" + "5" * 32
RECORDING = "RE" + "a1" * 16


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def closed(clock):
    clock.set(datetime(*CLOSED_TIME, tzinfo=ZoneInfo(ROME)))
    return clock


def call(client, settings, path: str, **form):
    form = {"CallSid": "CA" + "1" * 32, "From": CALLER, "To": "+390200000000", **form}
    return signed_post(client, settings, path, form)


def to_options(client, settings) -> None:
    call(client, settings, "/voice/incoming")
    call(client, settings, "/voice/step?seq=1", Digits="1")  # 1 at the open question: the options


def book_asap(client, settings) -> str:
    to_options(client, settings)
    call(client, settings, "/voice/step?seq=2", Digits="1")
    return said(call(client, settings, "/voice/step?seq=3", Digits="1").data)


def leave_message(client, settings) -> str:
    to_options(client, settings)
    call(client, settings, "/voice/step?seq=2", Digits="4")
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}"
    return said(call(client, settings, "/voice/step?seq=3", RecordingUrl=url, RecordingSid=RECORDING,
                     RecordingDuration="12").data)


def booked_before(nohold, n: int, lang: str = "it", not_before: float = OPENING.timestamp()) -> None:
    """n callbacks booked earlier this evening for the opening (asked before our caller)."""
    for i in range(n):
        nohold.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang=lang,
                                      acquired_at=nohold.clock() - 3600 + i, natural_key=f"callback:+3934700{lang}{i:03d}",
                                      not_before=not_before))


def receipt(nohold) -> str:
    item = nohold.queue.pending_for(nohold.desk.callback_key(CALLER))
    message_id = nohold.redis.get(f"nohold:{{msgkey:receipt:{item.id}:{'CA' + '1' * 32}}}")
    return nohold.messages.get(message_id)["body"]


def test_first_in_line_after_hours_hears_the_first_quarter_after_opening(client, settings, nohold, closed):
    assert "la richiameremo domani tra le 8 e 30 e le 8 e 45" in book_asap(client, settings)


def test_the_backlog_at_opening_moves_the_promise(client, settings, nohold, closed):
    booked_before(nohold, 12)  # 13th at opening, 3 agents on shift, 5 minutes each: the 5th round, 8:50-8:55
    assert "la richiameremo domani tra le 8 e 45 e le 9." in book_asap(client, settings)


def test_the_receipt_sms_carries_the_same_promise(client, settings, nohold, closed):
    booked_before(nohold, 12)
    book_asap(client, settings)
    assert "ti richiameremo domani tra le 8 e 45 e le 9 al numero" in receipt(nohold)


def test_another_language_lane_does_not_delay_the_promise(client, settings, nohold, closed):
    booked_before(nohold, 12, lang="en")
    assert "domani tra le 8 e 30 e le 8 e 45" in book_asap(client, settings)


def test_the_staffing_setting_is_the_staffing_at_opening(app, settings, nohold, closed, redis_client):
    from ivr import create_app

    booked_before(nohold, 12)
    more = create_app({"SETTINGS": settings.with_overrides(agents_on_shift=13), "CLOCK": closed})
    try:
        assert "domani tra le 8 e 30 e le 8 e 45" in book_asap(more.test_client(), settings)
    finally:
        more.extensions["nohold"].metrics.close()


def test_a_voice_message_after_hours_gets_the_computed_promise(client, settings, nohold, closed):
    booked_before(nohold, 12)
    assert "un operatore lo ascolterà e la richiamerà domani tra le 8 e 45 e le 9." in leave_message(client, settings)


def test_a_voice_message_with_every_agent_away_says_so(client, settings, nohold):
    nohold.presence.set_state("anna", "away")
    spoken = leave_message(client, settings)
    assert "nessun operatore è collegato" in spoken
    assert "tra circa" not in spoken


def test_a_voice_message_in_open_hours_waits_in_its_lane(client, settings, nohold):
    booked_before(nohold, 12, lang="en", not_before=0.0)  # twelve English callbacks waiting
    assert "è al posto numero 13 in coda e un operatore la richiamerà tra circa 5 minuti" in leave_message(client, settings)


def test_the_lane_counts_only_the_agents_who_speak_its_language(client, settings, nohold):
    from social_bridge.queue.agents import AgentDirectory

    directory = AgentDirectory(nohold.redis)
    for name, languages in (("anna", ("it",)), ("carla", ("en",)), ("dora", ("en",))):
        directory.create(name, "a long enough password 1", languages=languages)
        nohold.presence.set_state(name, "available")
    booked_before(nohold, 3, not_before=0.0)  # 4th in the Italian lane, one Italian speaker: 4 rounds of 5 minutes
    assert "un operatore la richiamerà tra circa 20 minuti" in leave_message(client, settings)


def test_metrics_count_the_windows_missed(app, nohold, clock):
    now = clock()
    nohold.queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=now - 5400,
                                  natural_key="callback:+393330000077", not_before=now - 3600, not_after=now + 60))
    client = app.test_client()
    assert "nohold_callback_windows_missed 0" in client.get("/metrics").get_data(as_text=True)
    clock.advance(61)
    assert "nohold_callback_windows_missed 1" in client.get("/metrics").get_data(as_text=True)


@pytest.mark.parametrize("lang, answers, overdue, fixed_by", [
    ("it", [{"say": "internet non funziona"}, {"digits": "1"}], "ci stanno ancora lavorando", "contiamo di risolverlo"),
    ("en", [{"digits": "9"}, {"say": "my internet is down"}, {"digits": "1"}], "still working on it", "expect to have it fixed"),
])
def test_an_outage_past_its_fix_time_is_not_promised_again(phone, nohold, clock, lang, answers, overdue, fixed_by):
    from tests.integration.test_self_service import FAULTY, ON_FILE_EN

    nohold.outages.declare("MI-NORD", "exchange_fault", clock() + 3600, "sara")
    clock.advance(2 * 3600)  # the fix time passed an hour ago, the outage is still open
    result = phone.run_script({"from": FAULTY if lang == "it" else ON_FILE_EN, "answers": answers})
    heard = " ".join(result.heard)
    assert overdue in heard
    assert fixed_by not in heard
    assert nohold.calls.load(result.call_sid).tried[0]["step"] == "known_outage"


def test_a_callback_booked_with_every_agent_away_gets_no_made_up_wait_by_sms(client, settings, nohold):
    nohold.presence.set_state("anna", "away")
    book_asap(client, settings)
    text = receipt(nohold)
    assert "appena rientra un operatore" in text
    assert "tra circa" not in text


def test_the_desk_gives_the_flow_the_wait_of_the_callers_lane(nohold):
    booked_before(nohold, 12, lang="en", not_before=0.0)
    assert nohold.desk.newcomer_wait("it").position == 1
    assert nohold.desk.newcomer_wait("en").position == 13
    nohold.presence.set_state("anna", "away")
    assert nohold.desk.newcomer_wait("fr").away  # a lane of its own, so not the cached answer


def sms(client, settings, body: str, sid: str = "SM" + "7" * 32) -> str:
    return " ".join(sms_replies(client, settings, body, sid, CALLER))


def test_status_by_sms_after_hours_repeats_the_computed_promise(client, settings, nohold, closed):
    booked_before(nohold, 12)
    book_asap(client, settings)
    assert "Ti richiameremo domani tra le 8 e 45 e le 9." in sms(client, settings, "STATO")


def test_status_by_sms_tells_the_wait_of_the_lane(client, settings, nohold):
    booked_before(nohold, 12, lang="en", not_before=0.0)
    book_asap(client, settings)
    assert "ti richiameremo tra circa 5 minuti" in sms(client, settings, "STATO")


def options_menu(client, settings) -> str:
    call(client, settings, "/voice/incoming")
    return said(call(client, settings, "/voice/step?seq=1", Digits="1").data)


def test_the_options_menu_with_every_agent_away_says_so_instead_of_a_wait(client, settings, nohold):
    nohold.presence.set_state("anna", "away")
    spoken = options_menu(client, settings)
    assert "nessun operatore è collegato" in spoken
    assert "tra circa" not in spoken


def test_the_options_menu_tells_the_wait_of_the_callers_lane(client, settings, nohold):
    booked_before(nohold, 12, lang="en", not_before=0.0)  # twelve English callbacks: not ahead of an Italian caller
    nohold.presence.set_state("anna", "available")
    spoken = options_menu(client, settings)
    assert "tra circa 5 minuti" in spoken


def test_a_callback_booked_with_every_agent_away_hears_no_made_up_wait(client, settings, nohold):
    nohold.presence.set_state("anna", "away")
    spoken = book_asap(client, settings)
    assert "nessun operatore è collegato" in spoken
    assert "tra circa" not in spoken
