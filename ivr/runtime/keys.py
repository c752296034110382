"""Every Redis key name the voice side and its workers write (the queue's are in social_bridge/queue/keys.py).

Keys are built here and nowhere else, so one file answers "what does nohold keep, under which name".
Each key carries a hash tag ({...}): Redis Cluster places keys by the text inside it, so the keys one
pipeline or script touches together share a tag (one call's keys, the outbox, the bookings).
Key names never hold a phone number or a customer's words.
"""
from __future__ import annotations

PREFIX = "nohold"

# -- one call (ivr/call/store.py, ivr/call/webhooks.py): state, replies per step, the CallSid's memory ---------
def call_state(sid: str) -> str:
    return f"{PREFIX}:{{call:{sid}}}"


def call_replies(sid: str) -> str:
    return f"{call_state(sid)}:replies"


def call_seen(sid: str) -> str:
    return f"{call_state(sid)}:seen"


def call_ended(sid: str) -> str:
    return f"{call_state(sid)}:ended"


# -- inbound SMS (ivr/call/sms.py): the reply given to a MessageSid, and the MessageSid's memory ---------------
def sms_reply(message_sid: str) -> str:
    return f"{PREFIX}:{{sms:{message_sid}}}"


def sms_seen(message_sid: str) -> str:
    return f"{sms_reply(message_sid)}:seen"


# -- outbound SMS (ivr/call/messaging.py): each message, its dedupe key, the dev outbox, the unsent ones -------
def message(message_id: str) -> str:
    return f"{PREFIX}:{{msg:{message_id}}}"


def message_dedupe(key: str) -> str:
    return f"{PREFIX}:{{msgkey:{key}}}"


OUTBOX = f"{PREFIX}:{{outbox}}"
OUTBOX_PENDING = f"{OUTBOX}:pending"

# -- the callback offered by SMS to a caller who hung up before choosing (ivr/call/front_desk.py) --------------
def callback_offer(person: str) -> str:
    """Named by the number's pseudonym (PersonKeys.of: a keyed HMAC), so the key name holds no phone number."""
    return f"{PREFIX}:{{offer:{person}}}"


# -- callback bookings per number and block (ivr/call/booking_limits.py): one slot ------------------------------
BOOKINGS = f"{PREFIX}:{{bookings}}"

# -- counters (ivr/runtime/metrics.py): the running totals, and one hash per day ---------------------------------
METRICS = f"{PREFIX}:{{metrics}}"


def metrics_day(day: str) -> str:
    return f"{METRICS}:day:{day}"


# -- the workers' minute sweep (ivr/runtime/job_queue.py): one scheduler at a time ------------------------------
SWEEP_SCHEDULED = f"{PREFIX}:{{dials}}:sweep_scheduled"
