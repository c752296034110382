"""Pure rendering of what the call flow decided into TwiML (no Flask, no Redis)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

LOCALES = {"it": "it-IT", "en": "en-GB"}


@dataclass(frozen=True)
class Say:
    text: str
    lang: str


@dataclass(frozen=True)
class Ask:
    """A question the caller answers by voice and/or keypad."""

    says: tuple[Say, ...]
    lang: str
    speech: bool = True
    num_digits: int | None = 1
    finish_on_key: str = ""
    hints: tuple[str, ...] = ()
    timeout: int = 5


@dataclass(frozen=True)
class RecordMessage:
    max_seconds: int = 120


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass
class Reply:
    """What the caller hears next: verbs in order; at most one Ask/RecordMessage, last."""

    verbs: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # metrics this answer adds (field -> amount); never rendered

    def say(self, text: str, lang: str) -> "Reply":
        self.verbs.append(Say(text, lang))
        return self

    def add(self, verb) -> "Reply":
        self.verbs.append(verb)
        return self

    @property
    def ends_call(self) -> bool:
        return any(isinstance(v, Hangup) for v in self.verbs)


def action_url(path: str, **params) -> str:
    """Twilio re-sorts query strings before signing: emit them sorted."""
    return f"{path}?{urlencode(sorted(params.items()))}" if params else path


def _say(node, say: Say, voices: dict[str, str]) -> None:
    node.say(say.text, language=LOCALES[say.lang], voice=voices[say.lang])


def render_voice(reply: Reply, action: str, voices: dict[str, str]) -> str:
    """Renders a Reply; `action` is where Twilio posts the caller's answer.

    The same few replies are given to most callers (the greeting, the menus), so renderings are
    remembered: the verbs are frozen values, and the result depends on nothing else.
    """
    return _render(tuple(reply.verbs), action, tuple(sorted(voices.items())))


@lru_cache(maxsize=2048)
def _render(verbs: tuple, action: str, voice_items: tuple) -> str:
    voices = dict(voice_items)
    response = VoiceResponse()
    for verb in verbs:
        if isinstance(verb, Say):
            _say(response, verb, voices)
        elif isinstance(verb, Ask):
            gather = response.gather(
                input="speech dtmf" if verb.speech else "dtmf",
                action=action, method="POST", action_on_empty_result=True,
                timeout=verb.timeout, language=LOCALES[verb.lang],
                num_digits=verb.num_digits, finish_on_key=verb.finish_on_key or None,
                speech_timeout="auto" if verb.speech else None,
                hints=", ".join(verb.hints) if verb.hints else None,
            )
            for say in verb.says:
                _say(gather, say, voices)
        elif isinstance(verb, RecordMessage):
            response.record(action=action, method="POST", max_length=verb.max_seconds,
                            finish_on_key="#", play_beep=True, timeout=5, trim="trim-silence")
            response.redirect(action, method="POST")  # Twilio skips the action when nothing was recorded
        elif isinstance(verb, Hangup):
            response.hangup()
        else:
            raise TypeError(f"cannot render {verb!r}")
    return str(response)


def render_message(*texts: str) -> str:
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)
