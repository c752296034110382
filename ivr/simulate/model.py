"""The data passed between the player, the callers and whoever reads the outcome."""
from __future__ import annotations

from dataclasses import dataclass, field

WORDS_PER_SECOND = 2.5     # a typical TTS voice
SECONDS_PER_ANSWER = 3.0   # the caller thinking and answering


class HangUp(Exception):
    """The caller hung up (Ctrl-D, /hangup)."""


@dataclass
class Exchange:
    """One signed request the simulated Twilio made and what came back."""

    url: str
    form: dict[str, str]
    status: int
    body: str


@dataclass
class Ask:
    """nohold waits for the caller: a <Gather> or a <Record>."""

    verb: str                       # "gather" | "record"
    inputs: frozenset[str]          # gather: {"dtmf", "speech"}; record: {"record"}
    timeout: float
    num_digits: int | None = None
    finish_on_key: str = "#"
    hints: str = ""
    language: str = ""
    heard_since: list[str] = field(default_factory=list)  # said since the previous answer

    def describe(self) -> str:
        if self.verb == "record":
            return "a <Record> (leave a message)"
        listens = " or ".join(sorted(self.inputs)) or "nothing"
        return f"a <Gather input=\"{' '.join(sorted(self.inputs))}\"> (listening for {listens})"


@dataclass
class Answer:
    """What the caller did: speech, digits, a recorded message, or nothing."""

    kind: str          # "speech" | "digits" | "record" | "silence"
    text: str = ""
    barge_in_after: str | None = None   # answered as soon as this was heard: the rest went unsaid


@dataclass
class CallResult:
    """Everything a test or the CLI needs to judge a simulated call."""

    ok: bool
    heard: list[str]
    requests: list[Exchange]
    caller_seconds: float
    words: int
    answers: int
    error: str | None = None
    sms_replies: list[str] = field(default_factory=list)
    waited_seconds: float = 0.0     # pauses, silences and recordings (also caller time)
    ended_by: str = ""              # "nohold hung up", "end of TwiML", "caller hung up", …
    call_sid: str = ""
    heard_after_last_answer: list[str] = field(default_factory=list)
    texts_in_call: list[str] = field(default_factory=list)  # <Sms>/<Message> sent mid-call

    def fail(self, message: str) -> None:
        """Mark the call failed, keeping the first reason (the one that caused the rest)."""
        if self.error is None:
            self.error = message
        self.ok = False

    def summary(self) -> str:
        waited = (f", {self.waited_seconds:.0f} s of pauses, silences and recordings"
                  if self.waited_seconds else "")
        answers = "answer" if self.answers == 1 else "answers"
        return (f"This call cost the caller ~{self.caller_seconds:.0f} s: {self.words} words "
                f"spoken, {self.answers} {answers}{waited}")


def caller_seconds(words: int, answers: int, waited: float = 0.0) -> float:
    """Caller time: speech at 2.5 words/s, 3 s per answer, plus time spent waiting or recording."""
    return words / WORDS_PER_SECOND + answers * SECONDS_PER_ANSWER + waited
