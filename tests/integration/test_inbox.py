"""The inbox on real Redis with the app's services: places, commands, one acknowledgement, lost batches."""
from __future__ import annotations

import pytest

from ivr.jobs import chat as jobs_module
from social_bridge.channels import Inbound

CUSTOMER = "+393471234567"
_n = iter(range(10_000))


def write(nohold, text: str, sender: str = CUSTOMER, channel: str = "sms") -> None:
    n = next(_n)
    nohold.social.inbound.accept([Inbound(channel, sender, f"SM{n:032d}", text=text, sent_at=nohold.clock())])


def answers(nohold) -> list[str]:
    return [entry["body"] for entry in nohold.outbox.entries()][::-1]  # the outbox lists the newest first


@pytest.fixture
def thread_of(nohold):
    return lambda sender=CUSTOMER, channel="sms": nohold.social.threads.for_customer(channel, sender)


def test_the_first_message_places_and_acknowledges_later_ones_only_add(nohold, social_jobs, clock, thread_of):
    write(nohold, "buongiorno non mi funziona internet")
    social_jobs()
    clock.advance(60)
    write(nohold, "il modem ha la luce rossa")
    social_jobs()
    item = nohold.queue.get(thread_of().item_id)
    assert item.acquired_at == clock() - 60
    assert item.intent == "internet_down"
    assert [m.direction for m in nohold.social.threads.messages(item.details["thread_id"])] == ["in", "out", "in"]
    [ack] = answers(nohold)
    assert "sei al primo posto in coda" in ack
    assert "CHIAMAMI" in ack


def test_call_me_turns_the_thread_into_a_callback_keeping_the_place(nohold, social_jobs, clock, thread_of):
    write(nohold, "ciao ho un problema con la bolletta", sender="messenger-user", channel="sms")
    social_jobs()
    place = nohold.queue.get(thread_of("messenger-user").item_id)
    clock.advance(300)
    write(nohold, "chiamami", sender="messenger-user")
    social_jobs()
    assert "numero" in answers(nohold)[-1]  # no number known yet: asked for one
    write(nohold, "chiamami al 347 123 4567", sender="messenger-user")
    social_jobs()
    callback = nohold.queue.pending_for(nohold.desk.callback_key(CUSTOMER))
    assert callback.acquired_at == place.acquired_at
    assert callback.kind == "callback"
    assert nohold.queue.get(place.id).status == "cancelled"
    assert "4567" in answers(nohold)[-1]
    assert "senza farti perdere il posto" in answers(nohold)[-1]


def test_status_and_cancel_by_message(nohold, social_jobs, thread_of):
    write(nohold, "la linea è lentissima")
    write(nohold, "STATO")
    write(nohold, "annulla")
    write(nohold, "annulla")
    social_jobs()
    replies = answers(nohold)
    assert "in coda" in replies[1]
    assert replies[2].startswith("Fatto, la tua richiesta è annullata")
    assert replies[3] == "Non c'è nessuna richiesta da annullare."
    assert nohold.queue.get(thread_of().item_id).status == "cancelled"


def test_no_acknowledgement_while_an_agent_holds_the_thread(nohold, social_jobs, thread_of):
    write(nohold, "internet non va")
    social_jobs()
    nohold.claims.claim(thread_of().item_id, "giulia")
    write(nohold, "ci siete?")
    social_jobs()
    assert len(answers(nohold)) == 1


def test_english_customers_are_answered_in_english(nohold, social_jobs):
    write(nohold, "hi my internet is not working since yesterday", sender="+447400123456")
    social_jobs()
    assert answers(nohold)[0].startswith("Hi, we've got your message")


def test_a_batch_whose_job_was_lost_is_handled_by_the_sweep(nohold, social_jobs, clock, redis_client):
    write(nohold, "internet non va")
    redis_client.delete(*redis_client.keys("rq:queue:*"))  # the worker died with the job
    assert jobs_module.sweep_lost_batches() == 0  # too young to be called lost
    clock.advance(120)
    assert jobs_module.sweep_lost_batches() == 1
    social_jobs()
    assert nohold.social.threads.for_customer("sms", CUSTOMER) is not None
    assert jobs_module.sweep_lost_batches() == 0


def test_one_drain_handles_every_waiting_batch_in_arrival_order(nohold, social_jobs, clock, redis_client):
    from rq import Queue

    from ivr.jobs.messages import QUEUE_NAME
    for text in ("internet non va", "chiamami", "annulla"):
        write(nohold, text)
    assert Queue(QUEUE_NAME, connection=nohold.redis.__class__.from_url(nohold.settings.redis_url)).count == 1
    social_jobs()
    replies = answers(nohold)  # in order: the acknowledgement, the callback booked, then nothing left to cancel
    assert "in coda" in replies[0]
    assert "ti richiamiamo" in replies[1]
    assert replies[2].startswith("Non c'è")


def test_chat_customers_on_file_read_about_a_known_outage_and_subscribe(nohold, social_jobs, clock):
    on_file = "+393488800231"  # a demo customer in MI-NORD
    outage = nohold.outages.declare("MI-NORD", "exchange_fault", clock() + 7200, "sara")
    write(nohold, "internet non va da stamattina", sender=on_file)
    write(nohold, "avvisami", sender=on_file)
    social_jobs()
    ack, subscribed = answers(nohold)
    assert ack.startswith("Nella tua zona c'è un disservizio già segnalato")
    assert "AVVISAMI" in ack
    assert "in coda" in ack
    assert subscribed == "Fatto: ti scriviamo qui appena il guasto è risolto."
    thread = nohold.social.threads.for_customer("sms", on_file)
    subscribers = nohold.outages.resolve(outage.id, "sara")
    assert subscribers == [f"thread:{thread.id}"]
    nohold.notices.schedule(lambda outage_id: None, outage.id, subscribers)
    for _ in range(2):
        nohold.notices.notify(outage.id, sleep=lambda s: None)
    social_jobs()
    assert answers(nohold)[2:] == [nohold.prompts.text("it", "self_service.outage_fixed_sms")]


@pytest.mark.parametrize("sender,text,expected", [
    ("+390815567123", "internet va lentissimo", ["test sulla tua linea", "disturbi", "spegnere il modem", "RISOLTO"]),
    ("+393488800472", "non riesco ad entrare nell'area clienti", ["SMS con il link", "0472", "RISOLTO"]),
    ("+393389876543", "how much is my last bill", ["29.90 euros", "already been paid", "SOLVED"]),
])
def test_chat_customers_on_file_get_self_service_first_and_keep_their_place(nohold, social_jobs, sender, text,
                                                                           expected, thread_of):
    write(nohold, text, sender=sender)
    social_jobs()
    first = " ".join(a for a in answers(nohold) if "/reset/" not in a)  # the reset link SMS is checked elsewhere
    assert all(piece in first for piece in expected), first
    assert len(answers(nohold)) <= 2
    item = nohold.queue.get(thread_of(sender).item_id)
    assert item.status == "waiting"
    write(nohold, "risolto" if "RISOLTO" in first else "solved", sender=sender)
    social_jobs()
    assert nohold.queue.get(item.id).status == "cancelled"
    assert nohold.metrics.counters()[f"contained_chat|intent={item.intent}"] == 1


def test_call_me_by_message_is_held_to_the_same_booking_limits_as_a_call(nohold, social_jobs, clock):
    """Three new callbacks a day per number, whichever channel asks: a fourth CHIAMAMI is refused in
    the customer's language with a way forward, and books nothing."""
    for n in range(3):
        write(nohold, "chiamami al 347 123 4567", sender=f"+39348000000{n}")
        social_jobs()
        booked = nohold.queue.pending_for(nohold.desk.callback_key(CUSTOMER))
        assert booked is not None
        assert "senza farti perdere il posto" in answers(nohold)[-1]
        nohold.queue.cancel(booked.id, reason="test")  # done; the next one is a new booking
        clock.advance(3600)
    write(nohold, "CHIAMAMI 347 123 4567", sender="+393480000009")
    social_jobs()
    assert nohold.queue.pending_for(nohold.desk.callback_key(CUSTOMER)) is None
    assert answers(nohold)[-1].startswith("Per questo numero abbiamo già prenotato")
    write(nohold, "call me on +39 347 123 4567 please", sender="+447400123456")
    social_jobs()
    assert nohold.queue.pending_for(nohold.desk.callback_key(CUSTOMER)) is None
    assert answers(nohold)[-1].startswith("This number has already booked")
    clock.advance(21 * 3600 + 1)  # the first booking is now 24 h old
    write(nohold, "chiamami al 347 123 4567", sender="+393480000010")
    social_jobs()
    assert nohold.queue.pending_for(nohold.desk.callback_key(CUSTOMER)) is not None
