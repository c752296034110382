"""ChatReplies built here, without Flask: the real prompts, spoken forms, intent model, FrontDesk (hours and
booking limits), callback number policy and demo customers; queue, threads, codes and outages on the test
redis-server (the `redis_client` fixture). Each test asks what the Inbox asks and checks the sentence, the
number or the side effect (an SMS queued, an item cancelled, a subscriber stored)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.app.social_services import CallbackNumbers
from ivr.call.booking_limits import BookingLimits
from ivr.call.business_hours import BusinessHours
from ivr.call.customer_backend import BackendUnavailable, DemoBackend
from ivr.call.front_desk import FrontDesk
from ivr.call.messaging import Messages
from ivr.runtime.metrics import Metrics
from ivr.speech.prompts import PromptBook
from ivr.speech.spoken import Speech
from ivr.understanding.loading import load_understanding
from social_bridge.channels import Inbound
from social_bridge.chat.commands import CommandWords
from social_bridge.chat.handoff import RefCodes
from social_bridge.chat.replies import ChatReplies
from social_bridge.chat.self_service import SelfServiceCore
from social_bridge.chat.self_service_text import ChatSelfService
from social_bridge.privacy.pseudonyms import PersonKeys
from social_bridge.chat.threads import Thread, Threads
from social_bridge.outages.outages import Outages
from social_bridge.queue.eta import EtaEstimator
from social_bridge.queue.presence import Presence
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue
from tests.conftest import CLOSED_TIME, ROME

NOT_ON_FILE = "+393471234567"
NAPLES_NOISY = "+390815567123"    # demo customer Salvatore: a degraded line (noise)
ELENA = "+393488800472"           # demo customer Elena: account access by reset link
DAVIDE_MI_NORD = "+393488800231"  # demo customer Davide, in MI-NORD
FRANCESCA_SLOW = "+393209998887"  # every lookup of this customer times out
_n = iter(range(10_000))


@pytest.fixture
def sent():
    return []  # ids of the SMS handed to the job queue


@pytest.fixture
def parts(settings, redis_client, clock, sent):
    """The replies' collaborators, as ivr/app/services.py builds them (jobs replaced by a list)."""
    prompts = PromptBook.load(settings.prompts_dir)
    speech = Speech.load(settings.prompts_dir / "spoken.yaml")
    queue = WorkQueue(redis_client, clock=clock)
    presence = Presence(redis_client, clock=clock)
    eta = EtaEstimator(queue, default_agents=settings.agents_on_shift, default_handle_seconds=settings.handle_seconds,
                       presence=presence, cache_seconds=0, clock=clock)
    messages = Messages(redis_client, sent.append, clock=clock)
    hours = BusinessHours.parse(settings.business_hours, settings.timezone, settings.holiday_country)
    persons = PersonKeys(settings.person_key_secret)
    desk = FrontDesk(queue, eta, hours, messages, prompts, speech, settings, clock=clock,
                     limits=BookingLimits.from_settings(redis_client, settings, clock), persons=persons)
    outages = Outages(redis_client, clock=clock)
    core = SelfServiceCore(DemoBackend.load(slow_seconds=0), outages, messages, unavailable=BackendUnavailable)
    metrics = Metrics(redis_client)
    yield dict(prompts=prompts, speech=speech, queue=queue, eta=eta, presence=presence, messages=messages, desk=desk, outages=outages,
               core=core, metrics=metrics, threads=Threads(redis_client, persons, clock=clock),
               codes=RefCodes(redis_client, clock=clock, persons=persons), settings=settings)
    metrics.close()


@pytest.fixture
def replies(parts, redis_client, settings) -> ChatReplies:
    p = parts
    _, understanding = load_understanding(settings)
    written = ChatSelfService(p["core"], redis_client, p["prompts"], p["speech"], hours=p["desk"])
    return ChatReplies(commands=CommandWords(p["prompts"].words), classifier=understanding, queue=p["queue"],
                       eta=p["eta"], threads=p["threads"], codes=p["codes"], prompts=p["prompts"], spoken=p["speech"],
                       hours=p["desk"], bookings=p["desk"], numbers=CallbackNumbers(settings.callback_countries),
                       self_service=written, outages=p["outages"], metrics=p["metrics"])


def thread(parts, sender: str, channel: str = "sms", caller: str = "") -> Thread:
    """A customer's thread, as the Inbox records it; `caller` links it to a call (what a ref code carries)."""
    n = next(_n)
    recorded = parts["threads"].record_inbound(Inbound(channel, sender, f"SM{n:032d}", text="ciao"), "it")
    if caller:
        parts["threads"].update(recorded.thread.id, call_sid="CA-linked", context={"caller": caller})
    return parts["threads"].get(recorded.thread.id)


def place(parts, of: Thread, intent: str = "") -> WorkItem:
    item = WorkItem(id="", kind="thread", channel=of.channel, lang=of.lang, acquired_at=parts["desk"].clock(),
                    natural_key=of.natural_key, customer=of.customer, intent=intent, details={"thread_id": of.id})
    placed = parts["queue"].enqueue(item).item
    parts["threads"].update(of.id, item_id=placed.id)
    return placed


def sms_sent(parts, sent) -> list[dict]:
    return [parts["messages"].get(message_id) for message_id in sent]


# -- language, commands, intent ---------------------------------------------------------------------
@pytest.mark.parametrize("text,lang", [
    ("hi my internet is not working", "en"),
    ("ciao, non mi funziona internet", "it"),
    ("", "it"),
])
def test_the_language_of_a_message(replies, text, lang):
    assert replies.language(text) == lang


def test_a_command_word_is_parsed_by_the_one_parser(replies):
    assert replies.command("STATO")[0] == "status"


def test_what_the_message_is_about_comes_from_the_intent_model(replies):
    assert replies.understand("non mi funziona internet da stamattina", "it") == "internet_down"


# -- the acknowledgement ------------------------------------------------------------------------------
def test_a_customer_not_on_file_reads_position_and_wait(replies, parts):
    item = place(parts, thread(parts, NOT_ON_FILE), intent="internet_down")
    text, wait = replies.acknowledgement(item, "it")
    prompts, speech = parts["prompts"], parts["speech"]
    assert wait == parts["eta"].for_position(1).seconds
    assert text == prompts.text("it", "chat.ack_waiting", position=prompts.position("it", 1),
                                wait=speech.wait(wait, "it"))


def test_after_hours_the_acknowledgement_says_when_we_are_back(replies, parts, clock):
    clock.set(datetime(*CLOSED_TIME, tzinfo=ZoneInfo(ROME)))
    item = place(parts, thread(parts, NOT_ON_FILE))
    text, _ = replies.acknowledgement(item, "it")
    desk = parts["desk"]
    when = parts["speech"].moment(desk.promise(item), desk.now(), "it")  # the span from the place at opening
    assert text == parts["prompts"].text("it", "chat.ack_closed_promised", when=when)
    assert "tra le" in when


def test_after_hours_a_backlog_at_opening_moves_the_written_promise(replies, parts, clock):
    clock.set(datetime(*CLOSED_TIME, tzinfo=ZoneInfo(ROME)))
    first = place(parts, thread(parts, NOT_ON_FILE))
    for i in range(12):  # twelve more Italian customers write before the opening, one a minute
        clock.advance(60)
        last = place(parts, thread(parts, f"+39333000{i:04d}"))
    desk, speech = parts["desk"], parts["speech"]
    text, _ = replies.acknowledgement(last, "it")
    assert desk.promise(last) != desk.promise(first)
    assert speech.moment(desk.promise(last), desk.now(), "it") in text


def test_the_wait_is_the_one_of_the_customers_language_lane(replies, parts):
    for i in range(6):  # English customers asked first: another lane
        parts["queue"].enqueue(WorkItem(id="", kind="callback", channel="voice", lang="en",
                                        acquired_at=parts["desk"].clock() - 600 + i, natural_key=f"callback:en{i}"))
    item = place(parts, thread(parts, NOT_ON_FILE), intent="internet_down")
    _, wait = replies.acknowledgement(item, "it")
    assert wait == parts["eta"].for_position(1, "it").seconds
    assert wait < parts["eta"].for_position(7, "it").seconds


def test_with_every_agent_away_the_acknowledgement_promises_no_wait(replies, parts):
    parts["presence"].set_state("anna", "away")
    item = place(parts, thread(parts, NOT_ON_FILE), intent="internet_down")
    text, _ = replies.acknowledgement(item, "it")
    prompts = parts["prompts"]
    assert text == prompts.text("it", "chat.ack_all_away", position=prompts.position("it", 1))


def test_a_callback_acknowledgement_names_the_last_digits_of_the_number(replies, parts):
    callback = WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=parts["desk"].clock(),
                        natural_key=f"callback:{NOT_ON_FILE}", customer=NOT_ON_FILE)
    text, _ = replies.acknowledgement(parts["queue"].enqueue(callback).item, "it")
    assert "4567" in text


# -- known outages ------------------------------------------------------------------------------------
def test_a_customer_on_file_reads_the_known_outage_first_and_may_subscribe(replies, parts, clock):
    outage = parts["outages"].declare("MI-NORD", "exchange_fault", clock() + 7200, "sara")
    davide = thread(parts, DAVIDE_MI_NORD)
    text, _ = replies.acknowledgement(place(parts, davide, intent="internet_down"), "it")
    desk, prompts = parts["desk"], parts["prompts"]
    fix = parts["speech"].moment(desk.at(outage.expected_fix_at), desk.now(), "it")
    cause = prompts.text("it", "self_service.causes.exchange_fault")
    assert text.startswith(prompts.text("it", "chat.outage", cause=cause, fix_at=fix))
    assert prompts.text("it", "chat.self.solved_hint") not in text  # the outage says it all: no line test
    assert replies.subscribe_outage(davide, "it") == parts["prompts"].text("it", "chat.outage_subscribed")
    assert parts["outages"].resolve(outage.id, "sara") == [f"thread:{davide.id}"]


def test_an_outage_past_its_fix_time_is_not_promised_again_in_writing(replies, parts, clock):
    parts["outages"].declare("MI-NORD", "exchange_fault", clock() + 3600, "sara")
    clock.advance(2 * 3600)  # the fix time passed an hour ago, the outage is still open
    text, _ = replies.acknowledgement(place(parts, thread(parts, DAVIDE_MI_NORD), intent="internet_down"), "it")
    prompts = parts["prompts"]
    cause = prompts.text("it", "self_service.causes.exchange_fault")
    assert text.startswith(prompts.text("it", "chat.outage_overdue", cause=cause))


def test_a_customer_not_on_file_cannot_subscribe(replies, parts, clock):
    parts["outages"].declare("MI-NORD", "exchange_fault", clock() + 7200, "sara")
    assert replies.subscribe_outage(thread(parts, NOT_ON_FILE), "it") == parts["prompts"].text("it", "chat.outage_none")


def test_a_messenger_thread_linked_to_a_call_is_known_by_the_caller(replies, parts, clock):
    parts["outages"].declare("MI-NORD", "weather", clock() + 7200, "sara")
    linked = thread(parts, "4412345", channel="messenger", caller=DAVIDE_MI_NORD)
    assert replies.subscribe_outage(linked, "it") == parts["prompts"].text("it", "chat.outage_subscribed")


# -- self-service in writing --------------------------------------------------------------------------
def test_a_line_test_is_written_once_per_request(replies, parts):
    item = place(parts, thread(parts, NAPLES_NOISY), intent="internet_slow")
    first, _ = replies.acknowledgement(item, "it")
    again, _ = replies.acknowledgement(item, "it")
    hint = parts["prompts"].text("it", "chat.self.solved_hint")
    assert parts["prompts"].text("it", "chat.self.advice") in first
    assert hint in first
    assert hint not in again


def test_the_reset_link_goes_by_sms_to_the_number_on_file_only(replies, parts, sent):
    linked = thread(parts, "4412345", channel="messenger", caller=ELENA)
    text, _ = replies.acknowledgement(place(parts, linked, intent="account_access"), "it")
    [sms] = sms_sent(parts, sent)
    assert sms["to"] == ELENA
    assert "0472" in text


def test_a_backend_that_times_out_gives_the_plain_acknowledgement(replies, parts, sent):
    item = place(parts, thread(parts, FRANCESCA_SLOW), intent="billing")
    text, wait = replies.acknowledgement(item, "it")
    prompts = parts["prompts"]
    assert text == prompts.text("it", "chat.ack_waiting", position=prompts.position("it", 1),
                                wait=parts["speech"].wait(wait, "it"))
    assert sent == []


def test_solved_withdraws_the_request_and_counts_it_contained(replies, parts):
    on_file = thread(parts, NAPLES_NOISY)
    item = place(parts, on_file, intent="internet_slow")
    assert replies.solved(on_file, item, "it") == parts["prompts"].text("it", "chat.self.solved")
    assert parts["queue"].get(item.id).status == "cancelled"
    assert parts["metrics"].counters()["contained_chat|intent=internet_slow"] == 1


# -- "call me", codes texted to a number --------------------------------------------------------------
@pytest.mark.parametrize("channel,sender,caller,text,number", [
    ("messenger", "4412345", "", "chiamami al 347 123 4567", NOT_ON_FILE),   # typed
    ("sms", ELENA, "", "chiamami", ELENA),                                   # the SMS sender
    ("messenger", "4412345", ELENA, "chiamami", ELENA),                      # the caller of the linked call
    ("messenger", "4412345", "", "chiamami", None),                          # no number known
    ("messenger", "4412345", "", "chiamami al 899 123 456", None),           # premium: never called
])
def test_the_number_call_me_may_use(replies, parts, channel, sender, caller, text, number):
    assert replies.callback_number(thread(parts, sender, channel, caller), text) == number


def test_a_code_texted_to_a_number_is_taken_once_by_a_reply_from_it(replies, parts):
    parts["codes"].remember_texted(ELENA, "ABCD-EFGH-JK3")
    by_sms = thread(parts, ELENA)
    assert replies.pending_code(by_sms) == "ABCD-EFGH-JK3"
    assert replies.pending_code(by_sms) is None


def test_a_messenger_thread_never_takes_a_code_texted_to_a_number(replies, parts):
    parts["codes"].remember_texted(ELENA, "ABCD-EFGH-JK3")
    assert replies.pending_code(thread(parts, "4412345", "messenger", caller=ELENA)) is None


# -- the one "phone number of this thread" rule -------------------------------------------------------
@pytest.mark.parametrize("channel,sender,context,numbers", [
    ("sms", ELENA, {}, [ELENA]),
    ("whatsapp", ELENA, {"caller": NOT_ON_FILE}, [ELENA, NOT_ON_FILE]),
    ("messenger", "4412345", {"caller": ELENA}, [ELENA]),
    ("x", "99887766", {}, []),
    ("messenger", "4412345", {"caller": "anonymous"}, []),
])
def test_the_phone_numbers_of_a_thread(channel, sender, context, numbers):
    of = Thread(id="t1", channel=channel, sender_id=sender, context=context)
    assert of.phone_numbers() == numbers
    assert of.phone_number == (numbers[0] if numbers else "")
