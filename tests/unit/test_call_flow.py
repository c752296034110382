"""CallFlow built here, without Flask: the real prompts, spoken numbers, intent model and self-service
on the demo customers; the FrontDesk keeps its queue on the test redis-server (the `redis_client`
fixture). Each test plays a few answers and checks the Reply decided (its verbs, the node it leaves
the call at). Every step also checks the state table's promise: the call lands on a node the table
lists for the edge taken (ivr/call/table.py)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.call.answers import GIVE_UP
from ivr.call.booking_limits import BookingLimits
from ivr.call.business_hours import BusinessHours
from ivr.call.customer_backend import BackendUnavailable, backend_from
from ivr.call.flow import CallFlow, FlowConfig
from ivr.call.front_desk import FrontDesk
from ivr.call.messaging import Messages
from ivr.call.self_service import SelfService
from ivr.call.state import CallState, Inputs, Recording
from ivr.call.table import NODES
from ivr.call.twiml import Ask, Hangup, RecordMessage, Reply, Say
from ivr.speech.prompts import PromptBook
from ivr.speech.spoken import Speech
from ivr.understanding.loading import load_understanding
from social_bridge.privacy.pseudonyms import PersonKeys
from social_bridge.chat.self_service import SelfServiceCore
from social_bridge.outages.outages import Outages
from social_bridge.queue.eta import EtaEstimator
from social_bridge.queue.work_queue import WorkQueue
from tests.conftest import CLOSED_TIME, ROME

IT_MOBILE = "+393471234567"   # not a demo customer: no self-service, the human path
UK_MOBILE = "+447400123456"   # English; not a number we may call back
BILL_ON_FILE = "+393331230472"  # demo customer Marco: an unpaid bill, not yet due
RECORDING = Recording("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE" + "a" * 32, "RE" + "a" * 32, 12)


@pytest.fixture
def sent():
    return []  # ids of the SMS handed to the job queue


@pytest.fixture
def parts(settings, redis_client, clock, sent):
    """The flow's collaborators, as ivr/app/factory.py builds them (jobs replaced by a list)."""
    prompts = PromptBook.load(settings.prompts_dir)
    speech = Speech.load(settings.prompts_dir / "spoken.yaml")
    catalog, understanding = load_understanding(settings)
    queue = WorkQueue(redis_client, clock=clock)
    eta = EtaEstimator(queue, default_agents=settings.agents_on_shift, default_handle_seconds=settings.handle_seconds)
    messages = Messages(redis_client, sent.append, clock=clock)
    hours = BusinessHours.parse(settings.business_hours, settings.timezone, settings.holiday_country)
    desk = FrontDesk(queue, eta, hours, messages, prompts, speech, settings, clock=clock,
                     limits=BookingLimits.from_settings(redis_client, settings, clock),
                     persons=PersonKeys(settings.person_key_secret))
    backend = backend_from(settings.customer_backend_url, settings.customer_backend_token, settings.demo_customers)
    core = SelfServiceCore(backend, Outages(redis_client, clock=clock), messages, unavailable=BackendUnavailable)
    self_service = SelfService(core, settings)
    config = FlowConfig(settings.confirm_below, settings.reject_below, settings.callback_countries)
    return dict(prompts=prompts, speech=speech, catalog=catalog, understanding=understanding, desk=desk,
                config=config, self_service=self_service, queue=queue)


@pytest.fixture
def flow(parts) -> CallFlow:
    return CallFlow(parts["prompts"], parts["speech"], parts["catalog"], parts["understanding"], parts["desk"],
                    parts["config"], parts["self_service"])


# -- playing a call ---------------------------------------------------------------------------------
def new_call(flow: CallFlow, caller: str = IT_MOBILE, lang: str = "it") -> tuple[CallState, Reply]:
    state = CallState(sid="CA-unit", caller=caller, lang=lang, started_at=flow.desk.clock())
    return state, flow.start(state)


def step(flow: CallFlow, state: CallState, inputs: Inputs) -> Reply:
    """One answer; the call must land where the table says the node it left can lead."""
    left = state.node
    reply = flow.handle(state, inputs)
    allowed = {target for edge in NODES[left].leads.values() for target in edge.leads_to}
    assert state.node in allowed, f"from {left!r} the table leads to {sorted(allowed)}, the flow went to {state.node!r}"
    return reply


def say(flow, state, text: str) -> Reply:
    return step(flow, state, Inputs(speech=text, speech_confidence=0.9))


def press(flow, state, digits: str) -> Reply:
    return step(flow, state, Inputs(digits=digits))


def silence(flow, state) -> Reply:
    return step(flow, state, Inputs())


def texts(reply: Reply) -> list[str]:
    """Every sentence of the reply in order, those inside the question too."""
    out = []
    for verb in reply.verbs:
        if isinstance(verb, Say):
            out.append(verb.text)
        elif isinstance(verb, Ask):
            out.extend(say.text for say in verb.says)
    return out


def kinds(reply: Reply) -> list[str]:
    return [type(verb).__name__ for verb in reply.verbs]


def t(flow: CallFlow, state: CallState, key: str, **values) -> str:
    return flow.prompts.text(state.lang, key, **values)


def at_options(flow, caller: str = IT_MOBILE) -> CallState:
    state, _ = new_call(flow, caller)
    press(flow, state, "1")  # the keypad digit of internet_down: sure, no confirmation
    assert state.node == "options", f"pressing 1 at the first question should reach the options, not {state.node!r}"
    return state


# -- the table ---------------------------------------------------------------------------------------
def test_every_edge_of_the_table_leads_to_a_node_of_the_table():
    for name, node in NODES.items():
        for kind, edge in node.leads.items():
            unknown = set(edge.leads_to) - set(NODES)
            assert not unknown, f"{name}/{kind} leads to nodes the table lacks: {sorted(unknown)}"


@pytest.mark.parametrize("name", sorted(NODES))
def test_a_node_that_asks_again_says_where_the_last_failure_leads(name):
    node = NODES[name]
    assert (GIVE_UP in node.leads) == (node.retries > 0), f"{name}: retries={node.retries}, edges {sorted(node.leads)}"


# -- greeting, the open question, confirmation ---------------------------------------------------------
def test_the_greeting_asks_the_open_question_by_voice_and_keypad(flow):
    state, reply = new_call(flow)
    assert state.node == "reason"
    assert kinds(reply) == ["Ask"], "the whole greeting sits inside the question, so callers may answer at once"
    ask = reply.verbs[-1]
    assert ask.speech, "the open question must accept speech"
    assert ask.num_digits == 1, "the open question must accept one keypad digit"
    assert ask.hints, "the open question must pass the catalog's speech hints"
    assert ask.says[1] == Say(flow.prompts.text("en", "voice.offer_english"), "en"), \
        "an Italian call offers English, in English, right after the welcome"
    assert ask.says[-1].text == t(flow, state, "voice.ask_reason")


def test_a_reason_understood_leads_to_the_wait_and_the_options(flow):
    state, _ = new_call(flow)
    reply = say(flow, state, "non mi funziona internet da stamattina")
    assert state.node == "options"
    assert state.intent == "internet_down"
    assert state.heard == "non mi funziona internet da stamattina", "what was said is kept for the agent"
    said = texts(reply)
    assert said[0] == t(flow, state, "voice.understood", topic=t(flow, state, "topics.internet_down"))
    assert said[-1] == t(flow, state, "voice.options")
    assert kinds(reply) == ["Say", "Ask"]


def test_a_low_confidence_answer_is_confirmed_then_yes_goes_on(flow):
    state, _ = new_call(flow, UK_MOBILE, "en")
    meaning = flow.understanding.interpret("i think you took too much", "en")
    assert meaning.intent == "billing", f"precondition: the model should guess billing, got {meaning}"
    assert meaning.confidence < flow.config.confirm_below, f"precondition: the model should be unsure, got {meaning}"
    reply = say(flow, state, "i think you took too much")
    assert state.node == "confirm"
    assert texts(reply) == [t(flow, state, "voice.confirm_intent", topic=t(flow, state, "topics.billing"))]
    say(flow, state, "yes that's right")
    assert state.node == "options", "yes to the confirmation should settle the topic"
    assert state.intent == "billing"


def test_no_to_the_confirmation_asks_the_open_question_again(flow):
    state, _ = new_call(flow, UK_MOBILE, "en")
    say(flow, state, "i think you took too much")
    reply = press(flow, state, "2")
    assert state.node == "reason"
    assert state.intent == "", "a refused topic must be forgotten"
    assert texts(reply) == [t(flow, state, "voice.ask_reason_again")]


def test_nine_switches_to_english(flow):
    state, _ = new_call(flow)
    reply = press(flow, state, "9")
    assert state.lang == "en"
    assert state.node == "reason"
    assert reply.verbs[-1].lang == "en"


def test_silence_is_asked_again_twice_then_the_keypad_menu_then_a_safe_path(flow):
    state, _ = new_call(flow)
    for attempt in (1, 2):
        reply = silence(flow, state)
        assert state.node == "reason", f"silence #{attempt} should ask the open question again"
        assert texts(reply) == [t(flow, state, "voice.ask_reason_silence")], f"silence #{attempt}"
    reply = silence(flow, state)
    assert state.node == "keypad", "the third silence should offer the keypad menu"
    assert texts(reply) == [t(flow, state, "voice.keypad_menu")]
    reply = silence(flow, state)
    assert state.node == "keypad", "the keypad menu is offered twice"
    assert texts(reply)[0] == t(flow, state, "voice.keypad_again")
    reply = silence(flow, state)
    assert state.node == "options", "after the keypad menu the safe path: the options of the human path"
    assert texts(reply)[0] == t(flow, state, "voice.safe_path")
    assert state.intent == "unknown"


def test_a_digit_at_the_keypad_menu_settles_the_topic(flow):
    state, _ = new_call(flow)
    for _ in range(3):
        say(flow, state, "banane volanti")
    assert state.node == "keypad", "three answers out of scope should reach the keypad menu"
    press(flow, state, "3")
    assert state.node == "options"
    assert state.intent == "billing"


# -- the options, keyed ------------------------------------------------------------------------------
def test_one_at_the_options_offers_the_callers_own_number(flow):
    state = at_options(flow)
    reply = press(flow, state, "1")
    assert state.node == "number"
    assert state.callback_number == IT_MOBILE
    assert texts(reply) == [t(flow, state, "voice.number_confirm", last_digits=flow.speech.digits("4567"))]


def test_two_at_the_options_offers_callback_windows(flow):
    state = at_options(flow)
    reply = press(flow, state, "2")
    assert state.node == "window"
    assert len(state.windows) == flow.config.window_count
    assert kinds(reply) == ["Ask"]


def test_three_at_the_options_texts_how_to_chat_and_hangs_up(flow, sent):
    state = at_options(flow)
    reply = press(flow, state, "3")
    assert state.node == "done"
    assert state.outcome == "chat"
    assert kinds(reply) == ["Say", "Hangup"]
    assert len(sent) == 1, "the chat links go out as one SMS"


def test_four_at_the_options_records_a_voice_message(flow):
    state = at_options(flow)
    reply = press(flow, state, "4")
    assert state.node == "voicemail"
    assert reply.verbs[-1] == RecordMessage(max_seconds=120)
    assert texts(reply) == [t(flow, state, "voice.voicemail_intro")]


def test_no_option_three_times_takes_the_safe_path_to_a_callback(flow):
    state = at_options(flow)
    for attempt in (1, 2):
        reply = press(flow, state, "7")
        assert state.node == "options", f"an unknown option #{attempt} should offer the options again"
        assert texts(reply)[0] == t(flow, state, "voice.options_again")
    reply = press(flow, state, "7")
    assert state.node == "number", "the third should propose a callback to the caller's own number"
    assert texts(reply)[0] == t(flow, state, "voice.safe_path")


# -- booking a callback ------------------------------------------------------------------------------
def test_yes_to_the_own_number_books_a_callback_as_soon_as_possible(flow, parts, sent):
    state = at_options(flow)
    press(flow, state, "1")
    reply = press(flow, state, "1")
    assert state.node == "done"
    assert state.outcome == "booked_callback"
    assert reply.verbs[-1] == Hangup()
    assert texts(reply) == [t(flow, state, "voice.booked_asap", position=flow.position(state, 1),
                              wait=flow.speech.wait(parts["desk"].eta.for_position(1).seconds, "it"))]
    item = parts["queue"].get(state.item_id)
    assert item is not None, "the callback must be in the queue"
    assert item.kind == "callback"
    assert item.customer == IT_MOBILE
    assert item.intent == "internet_down"
    assert len(sent) == 1, "an SMS receipt is sent"


def test_a_keyed_number_is_checked_then_booked(flow, parts):
    state = at_options(flow)
    press(flow, state, "1")
    press(flow, state, "2")  # not that number
    assert state.node == "enter_number"
    reply = press(flow, state, "899123456#")
    assert state.node == "enter_number", "a premium number is refused and asked again"
    assert texts(reply)[0] == t(flow, state, "voice.number_refused.premium")
    press(flow, state, "3331234567#")
    assert state.node == "done"
    assert parts["queue"].get(state.item_id).customer == "+393331234567"


def test_a_chosen_window_is_booked_for_later(flow, parts, clock):
    state = at_options(flow)
    press(flow, state, "2")
    press(flow, state, "1")
    assert state.node == "number"
    assert len(state.windows) == 1, "only the chosen window is kept"
    window = flow.speech.window(flow.desk.window_from(state.windows[0]), flow.desk.now(), "it")
    reply = press(flow, state, "1")
    assert state.outcome == "booked_callback"
    assert texts(reply) == [t(flow, state, "voice.booked_window", window=window)]
    assert parts["queue"].get(state.item_id).not_before > clock(), "a window books the callback for later"


def test_after_hours_the_greeting_and_the_options_say_when_agents_are_back(flow, clock):
    clock.set(datetime(*CLOSED_TIME, tzinfo=ZoneInfo(ROME)))
    state, greeting = new_call(flow)
    return_at = flow.return_at(state)
    welcome = t(flow, state, "voice.welcome_after_hours", greeting=t(flow, state, "voice.greeting_evening"),
                return_at=return_at)
    assert texts(greeting)[0] == welcome
    reply = press(flow, state, "1")
    assert state.node == "options"
    assert texts(reply)[-2:] == [t(flow, state, "voice.wait_after_hours", return_at=return_at),
                                 t(flow, state, "voice.options_after_hours")]


# -- the voice message -------------------------------------------------------------------------------
def test_a_voice_message_is_queued_and_the_call_ends(flow, parts):
    state = at_options(flow)
    press(flow, state, "4")
    reply = step(flow, state, Inputs(recording=RECORDING))
    assert state.node == "done"
    assert state.outcome == "voicemail"
    assert reply.verbs[-1] == Hangup()
    item = parts["queue"].get(state.item_id)
    assert item.kind == "voicemail"
    assert item.recording_seconds == 12


def test_an_empty_voice_message_offers_the_options_again(flow):
    state = at_options(flow)
    press(flow, state, "4")
    reply = step(flow, state, Inputs(recording=Recording(RECORDING.url, RECORDING.sid, 0)))
    assert state.node == "options"
    assert state.outcome == ""
    assert texts(reply)[0] == t(flow, state, "voice.voicemail_empty")


# -- self-service --------------------------------------------------------------------------------------
def test_a_bill_read_then_useful_ends_the_call_contained(flow):
    state, _ = new_call(flow, BILL_ON_FILE)
    press(flow, state, "3")
    assert state.node == "helpful", "a customer on file hears the bill, then 'was it useful?'"
    reply = press(flow, state, "1")
    assert state.node == "done"
    assert state.outcome == "contained"
    assert reply.counts == {"contained|intent=billing": 1}
    assert state.tried[-1] == {"step": "helpful", "result": "yes"}


def test_a_bill_read_then_not_useful_goes_to_a_human(flow):
    state, _ = new_call(flow, BILL_ON_FILE)
    press(flow, state, "3")
    reply = press(flow, state, "2")
    assert state.node == "options"
    assert texts(reply)[0] == t(flow, state, "self_service.helpful_no")
    assert state.tried[-1] == {"step": "helpful", "result": "no"}


# -- natural speech at every menu, the caller's language from what they say (issue 15) ----------------
@pytest.fixture
def speaking(parts, settings) -> CallFlow:
    """The flow as the app builds it: the intent model with the menu models and the language identifier."""
    from ivr.understanding.caller import load_caller_understanding

    understanding = load_caller_understanding(settings, parts["understanding"])[1]
    return CallFlow(parts["prompts"], parts["speech"], parts["catalog"], understanding, parts["desk"],
                    parts["config"], parts["self_service"])


def options_in(flow, lang: str) -> CallState:
    state, _ = new_call(flow, IT_MOBILE, lang)
    press(flow, state, "1")
    assert state.node == "options", f"pressing 1 at the first question should reach the options, not {state.node!r}"
    return state


@pytest.mark.parametrize("lang, said, node", [
    ("it", "il prima possibile", "number"),
    ("it", "lascio un messaggio", "voicemail"),
    ("it", "mi richiamate stasera verso le sei", "window"),
    ("en", "as soon as you can", "number"),
    ("en", "asap please", "number"),
    ("en", "could i pick a time for you to ring", "window"),
])
def test_an_option_said_in_the_callers_words_is_taken(speaking, lang, said, node):
    state = options_in(speaking, lang)
    say(speaking, state, said)
    assert state.node == node, f"{said!r} led to {state.node!r}"


def test_chat_said_at_the_options_texts_the_links(speaking, sent):
    state = options_in(speaking, "it")
    say(speaking, state, "preferisco scrivervi su whatsapp")
    assert state.outcome == "chat"


def test_a_voice_message_asked_three_times_is_a_voice_message_never_a_callback(speaking, parts):
    state = options_in(speaking, "it")
    for attempt in (1, 2):
        say(speaking, state, "lascio un messaggio")
        assert state.node == "voicemail", f"attempt {attempt}: the recording should start"
        step(speaking, state, Inputs(recording=Recording(RECORDING.url, RECORDING.sid, 0)))
    say(speaking, state, "lascio un messaggio")
    step(speaking, state, Inputs(recording=RECORDING))
    assert state.outcome == "voicemail"
    assert parts["queue"].get(state.item_id).kind == "voicemail"
    assert parts["queue"].pending_for(parts["desk"].callback_key(IT_MOBILE)) is None, "no callback may be booked"


def test_options_asked_again_do_not_repeat_the_wait(speaking):
    state = options_in(speaking, "it")
    reply = say(speaking, state, "ma che tempo fa a milano")
    assert state.node == "options"
    assert texts(reply) == [t(speaking, state, "voice.options_again"), t(speaking, state, "voice.options")]


@pytest.mark.parametrize("lang, said, index", [("it", "la seconda", 1), ("en", "the later one", 2),
                                               ("it", "la prima che ha detto", 0)])
def test_a_window_said_by_its_place_is_the_one_offered(speaking, lang, said, index):
    state = options_in(speaking, lang)
    press(speaking, state, "2")
    offered = list(state.windows)
    say(speaking, state, said)
    assert state.node == "number"
    assert state.windows == [offered[index]]


def test_a_window_said_by_its_time_is_the_one_offered(speaking):
    state = options_in(speaking, "it")
    press(speaking, state, "2")
    offered = list(state.windows)
    hour = speaking.desk.at(offered[-1][0]).hour
    say(speaking, state, f"alle {hour}")
    assert state.windows == [offered[-1]]


def test_a_time_not_offered_is_asked_again(speaking):
    state = options_in(speaking, "it")
    press(speaking, state, "2")
    reply = say(speaking, state, "dopodomani sera")
    assert state.node == "window"
    assert texts(reply)[0] == t(speaking, state, "voice.window_again")


@pytest.mark.parametrize("said", ["sì esatto", "certo", "sì sì va benissimo"])
def test_yes_in_natural_words_books_the_callers_own_number(speaking, parts, said):
    state = options_in(speaking, "it")
    press(speaking, state, "1")
    say(speaking, state, said)
    assert state.outcome == "booked_callback"
    assert parts["queue"].get(state.item_id).customer == IT_MOBILE


def test_no_and_the_right_number_books_that_number(speaking, parts):
    state = options_in(speaking, "it")
    press(speaking, state, "1")
    say(speaking, state, "no, è il 347 987 6543")
    assert state.outcome == "booked_callback"
    assert parts["queue"].get(state.item_id).customer == "+393479876543"


def test_a_number_said_in_words_is_checked_then_booked(speaking, parts):
    state = options_in(speaking, "en")
    press(speaking, state, "1")
    reply = say(speaking, state, "nope")
    assert state.node == "enter_number"
    assert reply.verbs[-1].speech, "the number may be said as well as keyed"
    say(speaking, state, "eight nine nine one two three four five six")
    assert state.node == "enter_number", "a premium number said is refused like a keyed one"
    say(speaking, state, "three three three, one two three, four five six seven")
    assert parts["queue"].get(state.item_id).customer == "+393331234567"


def test_a_keyed_number_still_needs_the_hash_key(speaking, parts):
    state = options_in(speaking, "it")
    press(speaking, state, "1")
    press(speaking, state, "2")
    press(speaking, state, "3331234567#")
    assert parts["queue"].get(state.item_id).customer == "+393331234567"


def test_dont_know_at_a_yes_no_question_is_asked_again(speaking):
    state = options_in(speaking, "it")
    press(speaking, state, "1")
    say(speaking, state, "boh non saprei")
    assert state.node == "number"
    assert state.outcome == ""


@pytest.mark.parametrize("said, outcome", [("sì grazie, mi è servito", "contained"), ("no non ha risolto niente", "")])
def test_was_it_useful_answered_in_words(speaking, said, outcome):
    state, _ = new_call(speaking, BILL_ON_FILE)
    press(speaking, state, "3")
    assert state.node == "helpful"
    say(speaking, state, said)
    assert state.outcome == outcome


def test_an_english_answer_on_an_italian_number_goes_on_in_english(speaking):
    state, _ = new_call(speaking, IT_MOBILE, "it")
    reply = say(speaking, state, "hi my internet has been down since yesterday evening")
    assert state.lang == "en"
    assert state.intent == "internet_down"
    assert texts(reply)[0] == speaking.prompts.text("en", "voice.understood", topic=speaking.prompts.text(
        "en", "topics.internet_down"))


@pytest.mark.parametrize("said", ["buongiorno il modem wifi non va da ieri", "internet ok"])
def test_an_italian_or_short_answer_keeps_the_call_italian(speaking, said):
    state, _ = new_call(speaking, IT_MOBILE, "it")
    say(speaking, state, said)
    assert state.lang == "it"
