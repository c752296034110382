"""Identification before account data, in writing: a chat not from the number on file asks about the bill;
it gets the bill only after the customer code and the one-time code texted to the number on file."""
from __future__ import annotations

from social_bridge.channels import Inbound

MARCO = "+393331230472"     # on file: customer C-100472, last bill 34,90 unpaid (data/demo_customers.yaml)
STRANGER = "+393479990000"  # writes by SMS from a number not on file
AMOUNT = "34,90"
_n = iter(range(10_000))


def write(nohold, text: str, sender: str = STRANGER, channel: str = "sms") -> None:
    nohold.social.inbound.accept([Inbound(channel, sender, f"mid.{next(_n)}", text=text, sent_at=nohold.clock())])


def chat_answers(nohold) -> list[str]:
    thread = nohold.social.threads.for_customer("sms", STRANGER)
    return [m.text for m in nohold.social.threads.messages(thread.id) if m.direction == "out"]


def code_texted_to(nohold, number: str) -> str:
    for key in nohold.redis.keys("nohold:{msgkey:identify:*"):
        message = nohold.messages.get(nohold.redis.get(key))
        if message["to"] == number:
            return next(w.strip(".") for w in message["body"].split() if w.strip(".").isdigit())
    raise AssertionError("no code texted")


def test_the_bill_in_a_chat_only_after_the_account_and_the_code(nohold, social_jobs):
    write(nohold, "ciao, vorrei sapere quanto devo pagare della mia ultima bolletta")
    social_jobs()
    [asked] = chat_answers(nohold)
    assert "codice cliente o il numero della linea" in asked
    assert AMOUNT not in asked
    write(nohold, "C-100472")
    social_jobs()
    assert "Se il codice è giusto" in chat_answers(nohold)[-1]
    write(nohold, code_texted_to(nohold, MARCO))
    social_jobs()
    assert AMOUNT in chat_answers(nohold)[-1]


def test_a_wrong_code_gives_no_data(nohold, social_jobs):
    write(nohold, "ciao, vorrei sapere quanto devo pagare della mia ultima bolletta")
    social_jobs()
    write(nohold, "100472")
    social_jobs()
    right = code_texted_to(nohold, MARCO)
    write(nohold, f"{(int(right) + 1) % 1_000_000:06d}")
    social_jobs()
    assert "non è giusto" in chat_answers(nohold)[-1]
    assert not any(AMOUNT in text for text in chat_answers(nohold))


def test_an_unknown_account_texts_nobody_and_says_the_same(nohold, social_jobs):
    write(nohold, "ciao, vorrei sapere quanto devo pagare della mia ultima bolletta")
    social_jobs()
    write(nohold, "999999")
    social_jobs()
    assert "Se il codice è giusto" in chat_answers(nohold)[-1]
    assert nohold.redis.keys("nohold:{msgkey:identify:*") == []
