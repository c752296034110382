"""Signed Twilio voice requests for wrk: calls, their /voice/incoming and /voice/step parameters, signed ahead."""
from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import redis
from twilio.request_validator import RequestValidator

# the wrk script that replays a file of write_requests() lines, each at most once
SCRIPT = Path(__file__).resolve().parent.parent / "wrk_signed.lua"

DEV_TOKEN = "bench-dev-token-0123456789abcdef"
INCOMING = "/voice/incoming"
STEP = "/voice/step?seq=1"

# Twilio-like numbers: mostly Italian mobiles, some landlines, some English-speaking callers
PREFIXES = ["+39333", "+39347", "+39328", "+39340", "+3902", "+3906", "+4477", "+1415"]
# What callers say at the first question: clear topics, vaguer ones, and one the classifier may not place
SPEECH = [
    ("Buongiorno, l'ADSL non funziona da ieri sera.", "0.8723"),
    ("non mi va internet da stamattina", "0.91"),
    ("il modem ha la luce rossa fissa", "0.88"),
    ("vorrei parlare della bolletta che è troppo alta", "0.84"),
    ("ho un problema con la fattura", "0.79"),
    ("voglio disdire il contratto", "0.9"),
    ("mi hanno addebitato dei costi che non conosco", "0.76"),
    ("sì ecco volevo sapere una cosa", "0.62"),
]


@dataclass
class Call:
    sid: str
    caller: str


def new_calls(count: int, rng: random.Random) -> list[Call]:
    calls = []
    for _ in range(count):
        prefix = rng.choice(PREFIXES)
        calls.append(Call("CA" + uuid.UUID(int=rng.getrandbits(128)).hex,
                          prefix + "".join(rng.choice("0123456789") for _ in range(13 - len(prefix)))))
    return calls


def _country(number: str) -> str:
    return "GB" if number.startswith("+44") else "US" if number.startswith("+1") else "IT"


def incoming_params(call: Call) -> dict:
    """Like /work/shared/data/payloads/twilio_voice_incoming_call.form, per call."""
    return {"CallSid": call.sid, "AccountSid": "AC00000000000000000000000000000001", "From": call.caller,
            "To": "+390212345678", "CallStatus": "ringing", "ApiVersion": "2010-04-01", "Direction": "inbound",
            "ForwardedFrom": "", "CallerName": "", "ParentCallSid": "", "CallToken": "", "Caller": call.caller,
            "Called": "+390212345678", "FromCity": "", "FromState": "", "FromZip": "",
            "FromCountry": _country(call.caller), "ToCity": "", "ToState": "", "ToZip": "", "ToCountry": "IT"}


def step_params(call: Call, rng: random.Random) -> dict:
    """Like twilio_gather_speech_action.form: the caller's answer to the first question."""
    speech, confidence = rng.choice(SPEECH)
    return {"CallSid": call.sid, "AccountSid": "AC00000000000000000000000000000001", "From": call.caller,
            "To": "+390212345678", "CallStatus": "in-progress", "ApiVersion": "2010-04-01",
            "Direction": "inbound", "SpeechResult": speech, "Confidence": confidence}


def write_requests(path: Path, base: str, route: str, params: list[dict]) -> Path:
    """One line per request: path, X-Twilio-Signature, body; signed for PUBLIC_BASE_URL + path."""
    validator = RequestValidator(DEV_TOKEN)
    with open(path, "w") as out:
        for p in params:
            body = urlencode(p)
            if "\n" in body or "\t" in body:
                raise ValueError("request bodies must be one line")
            out.write(f"{route}\t{validator.compute_signature(base + route, p)}\t{body}\n")
    return path


def calls_at(client: redis.Redis, calls: list[Call], seq: int) -> list[Call]:
    """The calls whose state in Redis is at `seq` (the step the next request answers)."""
    found = []
    for i in range(0, len(calls), 2000):
        chunk = calls[i:i + 2000]
        raws = client.mget([f"nohold:{{call:{c.sid}}}" for c in chunk])
        found += [c for c, raw in zip(chunk, raws) if raw and json.loads(raw).get("seq") == seq]
    return found
