"""Plays Twilio's part for one call: requests TwiML, executes its verbs, asks the caller."""
from __future__ import annotations

import math
import re
import uuid
import xml.etree.ElementTree as ET
from typing import Protocol

from .console import Console
from .model import Answer, Ask, CallResult, Exchange, HangUp, caller_seconds
from .transport import Unreachable
from .twiml import (FORBIDDEN, TWILIO_ERROR_SPEECH, CallBroken, flag, normalize, number,
                    parse_response, resolve, text_of, word_count)

MAX_REQUESTS = 40  # more than this in one call is a loop nobody would sit through


class Caller(Protocol):
    """Who answers nohold's questions: a script or a person at the keyboard."""

    def answer(self, ask: Ask) -> Answer: ...


class Line(Protocol):
    """What a call is played over (phone.Phone is one): nohold's URLs, signed webhooks, the console."""

    console: Console

    def url(self, path: str) -> str: ...

    def post(self, url: str, form: dict[str, str]) -> tuple[int, str]: ...

    def signature_hint(self, url: str) -> str: ...

    def call_params(self, call_sid: str, from_number: str, to_number: str) -> dict[str, str]: ...


class CallOver(Exception):
    """The call ended normally; the message says how."""


def sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


class CallPlayer:
    """One call from ringing to hang-up, with its transcript and caller-time counters."""

    def __init__(self, phone: Line, caller: Caller, from_number: str, to_number: str):
        self.phone, self.caller, self.console = phone, caller, phone.console
        self.sid = sid("CA")
        self.params = phone.call_params(self.sid, from_number, to_number)
        self.requests: list[Exchange] = []
        self.heard: list[str] = []
        self.since: list[str] = []
        self.texts: list[str] = []
        self.words = self.answers = 0
        self.waited = 0.0
        self.language: str | None = None
        self.deferred: list[tuple[str, dict[str, str]]] = []

    def run(self) -> CallResult:
        url, extra, status = self.phone.url("/voice/incoming"), {}, "ringing"
        error = None
        try:
            while True:
                body = self.fetch(url, {**self.params, "CallStatus": status, **extra})
                status = "in-progress"
                url, extra = self.play(parse_response(body, url), url)
        except CallOver as end:
            ended = str(end)
        except HangUp:
            ended = "caller hung up"
        except CallBroken as exc:
            ended, error = "error", str(exc)
        result = CallResult(
            ok=error is None, heard=self.heard, requests=self.requests,
            caller_seconds=caller_seconds(self.words, self.answers, self.waited),
            words=self.words, answers=self.answers, error=error, waited_seconds=self.waited,
            ended_by=ended, call_sid=self.sid, heard_after_last_answer=self.since,
            texts_in_call=self.texts)
        self.console.note(f"call ended: {ended}")
        self.finish(result)
        return result

    def fetch(self, url: str, form: dict[str, str]) -> str:
        """Signed POST of one webhook; anything but 2xx breaks the call, as with Twilio."""
        if len(self.requests) >= MAX_REQUESTS:
            recent = "\n  ".join(x.url for x in self.requests[-4:])
            raise CallBroken(f"more than {MAX_REQUESTS} requests in one call — a loop? "
                             f"Last URLs:\n  {recent}")
        try:
            status, body = self.phone.post(url, form)
        except Unreachable:
            if not self.requests:
                raise  # nothing answered the first ring: a setup problem, not a broken call
            raise CallBroken(f"nohold stopped answering mid-call at {url}.") from None
        self.requests.append(Exchange(url, form, status, body))
        self.flush_deferred()
        if status in (401, 403):
            raise CallBroken(f"{url} refused the request (HTTP {status}): the signature was "
                             f"rejected. {self.phone.signature_hint(url)}")
        if not 200 <= status < 300:
            raise CallBroken(f"{url} answered HTTP {status}: Twilio would say "
                             f"“{TWILIO_ERROR_SPEECH}” and hang up.")
        return body

    def play(self, root: ET.Element, doc_url: str) -> tuple[str, dict[str, str]]:
        """Executes verbs in order; returns the next request, or raises CallOver."""
        for el in root:
            tag = el.tag
            if tag in FORBIDDEN:
                raise CallBroken(f"{doc_url} answered {FORBIDDEN[tag]}.")
            if tag in ("Say", "Pause"):
                self.prompt_verb(el, doc_url)
            elif tag in ("Gather", "Record"):
                step = self.gather(el, doc_url) if tag == "Gather" else self.record(el, doc_url)
                if step:
                    return step
            elif tag == "Redirect":
                return self.action(doc_url, el.text, el.get("method")), {}
            elif tag == "Hangup":
                raise CallOver("nohold hung up")
            elif tag == "Reject":
                raise CallOver(f"nohold rejected the call ({el.get('reason', 'rejected')})")
            elif tag == "Dial":
                self.dial(el, doc_url)
            elif tag in ("Sms", "Message"):
                text = text_of(el)
                self.texts.append(text)
                self.console.sms(f"SMS to {el.get('to') or 'the caller'}", text)
            elif tag in ("Start", "Stop"):
                self.console.note(f"<{tag}> (media streams/recording) ignored by the simulator")
            elif tag in ("Connect", "Pay", "Refer", "Leave"):
                raise CallOver(f"<{tag}> hands the call elsewhere; the simulation stops here")
            else:
                raise CallBroken(f"{doc_url} answered an unknown verb <{tag}>: Twilio would say "
                                 f"“{TWILIO_ERROR_SPEECH}”.")
        raise CallOver("end of TwiML without <Hangup/> (Twilio hangs up)")

    def prompt_verb(self, el: ET.Element, doc_url: str) -> None:
        """<Say> and <Pause>, at top level or inside <Gather>."""
        if el.tag == "Pause":
            seconds = number(el, "length", 1)
            self.waited += seconds
            self.console.note(f"({seconds:g} s pause)")
            return
        text, loop = text_of(el), int(number(el, "loop", 1))
        if loop == 0:
            raise CallBroken(f"{doc_url} answered <Say loop=\"0\">: it repeats forever.")
        if normalize(TWILIO_ERROR_SPEECH)[:40] in normalize(text):
            raise CallBroken(f"{doc_url} makes the caller hear Twilio's error message.")
        language = el.get("language")
        shown = language if language and language != self.language else None
        self.language = language or self.language
        for _ in range(max(loop, 1)):
            self.console.nohold(text, shown)
            shown = None
            self.heard.append(text)
            self.since.append(text)
            self.words += word_count(text)

    def ask(self, ask: Ask) -> Answer:
        ask.heard_since = list(self.since)
        answer = self.caller.answer(ask)
        self.since = []
        if answer.kind != "silence":
            self.answers += 1
        return answer

    def gather(self, el: ET.Element, doc_url: str):
        inputs = frozenset((el.get("input") or "dtmf").split())
        spoken = []   # (text, words) of each nested prompt, for barge-in
        for child in el:
            if child.tag in FORBIDDEN:
                raise CallBroken(f"{doc_url} answered {FORBIDDEN[child.tag]} (inside <Gather>).")
            if child.tag not in ("Say", "Pause"):
                raise CallBroken(f"{doc_url}: <{child.tag}> is not allowed inside <Gather>.")
            before = self.words
            self.prompt_verb(child, doc_url)
            spoken.append((text_of(child), self.words - before))
        num_digits = el.get("numDigits")
        ask = Ask("gather", inputs, timeout=number(el, "timeout", 5),
                  num_digits=int(num_digits) if num_digits and num_digits.isdigit() else None,
                  finish_on_key=el.get("finishOnKey", "#"), hints=el.get("hints", ""),
                  language=el.get("language", ""))
        answer = self.ask(ask)
        if answer.barge_in_after:
            self.words -= unsaid_words(spoken, answer.barge_in_after)
        params = gather_params(answer, ask)
        if params is None:
            self.waited += ask.timeout
            if not flag(el, "actionOnEmptyResult"):
                self.console.note("no input: Twilio moves on to the next verb")
                return None
            params = {"Digits": ""} if "dtmf" in inputs else {}
            if "speech" in inputs:
                params["SpeechResult"] = ""
        return self.action(doc_url, el.get("action"), el.get("method")), params

    def record(self, el: ET.Element, doc_url: str):
        if flag(el, "playBeep", True):
            self.console.note("beep")
        max_length = number(el, "maxLength", 3600) or 3600
        finish = el.get("finishOnKey", "1234567890*#")
        ask = Ask("record", frozenset({"record"}), timeout=number(el, "timeout", 5),
                  finish_on_key=finish)
        answer = self.ask(ask)
        if answer.kind == "silence":
            # Twilio's documented behaviour: an empty recording skips the action URL.
            self.waited += ask.timeout
            self.console.note("nothing recorded: Twilio skips the action and moves on")
            return None
        duration = int(min(max_length, max(1, round(word_count(answer.text) / 2.5))))
        self.waited += duration
        rec = sid("RE")
        params = {"RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/"
                                  f"{self.params['AccountSid']}/Recordings/{rec}",
                  "RecordingSid": rec, "RecordingDuration": str(duration)}
        if "#" in finish:
            params["Digits"] = "#"
        callback = el.get("recordingStatusCallback")
        if callback:
            # Twilio sends it asynchronously, after the action: post it after the next request.
            self.deferred.append((resolve(doc_url, callback), {
                "AccountSid": self.params["AccountSid"], "CallSid": self.sid, **params,
                "RecordingStatus": "completed", "RecordingChannels": "1",
                "RecordingSource": "RecordVerb"}))
        return self.action(doc_url, el.get("action"), el.get("method")), params

    def dial(self, el: ET.Element, doc_url: str) -> None:
        for child in el:
            if child.tag == "Conference" and child.get("waitUrl") is None:
                raise CallBroken(f"{doc_url}: <Dial><Conference> without waitUrl=\"\" plays "
                                 "Twilio's default hold music.")
        target = " ".join(f"{c.tag} {text_of(c)}" for c in el) or text_of(el)
        raise CallOver(f"nohold transferred the call ({target})")

    def action(self, doc_url: str, target: str | None, method: str | None) -> str:
        if (method or "POST").upper() != "POST":
            raise CallBroken(f"{doc_url} asks for method={method}: the simulator (and nohold, "
                             "which validates request.form) only use POST.")
        return resolve(doc_url, target)

    def flush_deferred(self) -> None:
        pending, self.deferred = self.deferred, []
        for url, form in pending:
            try:
                status, _ = self.phone.post(url, form)
            except Unreachable:
                raise CallBroken(f"recording status callback {url}: nothing answered.") from None
            if not 200 <= status < 300:
                raise CallBroken(f"recording status callback {url} answered HTTP {status}.")

    def finish(self, result: CallResult) -> None:
        """Twilio's status callback once the call is over; a missing endpoint is fine."""
        seconds = math.ceil(result.caller_seconds)
        form = {**self.params, "CallStatus": "completed", "CallDuration": str(seconds),
                "Duration": str(max(1, math.ceil(seconds / 60))),
                "CallbackSource": "call-progress-events", "SequenceNumber": "0"}
        try:
            status, _ = self.phone.post(self.phone.url("/voice/status"), form)
        except Unreachable:
            return  # the call already failed for this reason, or nobody is left to tell
        if status != 404 and not 200 <= status < 300:
            result.fail(f"/voice/status answered HTTP {status}.")


def gather_params(answer: Answer, ask: Ask) -> dict[str, str] | None:
    """Twilio's action parameters for what the caller did, or None for no input."""
    if answer.kind == "speech" and answer.text.strip():
        return {"SpeechResult": answer.text.strip(), "Confidence": "0.9"}
    if answer.kind == "digits":
        keys = re.sub(r"[^0-9#*]", "", answer.text)
        finished = ""
        for i, key in enumerate(keys):
            if key in ask.finish_on_key:
                keys, finished = keys[:i], key
                break
            if ask.num_digits and i + 1 == ask.num_digits:
                keys = keys[: i + 1]  # Twilio stops listening after numDigits keys
                break
        if keys:
            return {"Digits": keys, "FinishedOnKey": finished}
    return None


def unsaid_words(spoken: list[tuple[str, int]], heard: str) -> int:
    """Twilio stops a Gather's prompts when the caller answers: words after `heard` are not spoken."""
    marks = [i for i, (text, _) in enumerate(spoken) if normalize(heard) in normalize(text)]
    return sum(words for _, words in spoken[marks[-1] + 1:]) if marks else 0
