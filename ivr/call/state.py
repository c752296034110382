"""What the call flow remembers about one call, and what the caller just did."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ivr.call.recordings import twilio_recording_sid


@dataclass
class CallState:
    sid: str
    caller: str
    lang: str = "it"
    node: str = "reason"
    seq: int = 0
    started_at: float = 0.0
    tries: int = 0              # failed answers at the current node
    turns: int = 0              # answers handled in this call (CallFlow's cap: FlowConfig.max_turns)
    unusable: int = 0           # unusable answers in a row, across nodes (cap: FlowConfig.max_unusable)
    intent: str = ""
    confidence: float = 0.0
    heard: str = ""             # what the caller said about the problem (the transcript)
    complaint: bool = False     # the caller voiced a grievance (the classifier's complaint flag), for the agent
    callback_number: str = ""
    windows: list = field(default_factory=list)   # [[start, end], …] offered, epoch seconds
    item_id: str = ""
    tried: list = field(default_factory=list)     # self-service steps and their results, for the agent
    outage_id: str = ""
    outcome: str = ""           # booked_callback | voicemail | chat | capped | kept | cancelled | added …

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)  # flat: plain values and a list of pairs

    @classmethod
    def from_json(cls, raw: str) -> "CallState":
        data = json.loads(raw)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def goto(self, node: str) -> None:
        """Moves to another question; failures are counted per question."""
        if node != self.node:
            self.tries = 0
        self.node = node


@dataclass(frozen=True)
class Recording:
    url: str
    sid: str
    seconds: int


@dataclass(frozen=True)
class Inputs:
    """The caller's answer as Twilio reports it."""

    speech: str = ""
    speech_confidence: float = 0.0
    digits: str = ""
    recording: Recording | None = None

    @property
    def empty(self) -> bool:
        return not (self.speech.strip() or self.digits.strip() or self.recording)

    @classmethod
    def from_form(cls, form) -> "Inputs":
        recording = None
        # a recording counts only when its URL is Twilio's URL of that RecordingSid: nothing else is stored
        if twilio_recording_sid(form.get("RecordingUrl") or "", form.get("RecordingSid") or ""):
            try:
                seconds = int(form.get("RecordingDuration") or 0)
            except ValueError:
                seconds = 0
            recording = Recording(form["RecordingUrl"], form["RecordingSid"], seconds)
        try:
            confidence = float(form.get("Confidence") or 0.0)
        except ValueError:
            confidence = 0.0
        digits = (form.get("Digits") or "").strip()
        if digits == "hangup":  # Twilio's Digits value when <Record> ended by hang-up
            digits = ""
        return cls(form.get("SpeechResult") or "", confidence, digits, recording)
