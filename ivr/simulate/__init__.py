"""A terminal phone that plays Twilio's part against a running (or in-process) nohold."""
from .callers import ScriptError, validate_script
from .cli import find_token, main
from .model import Answer, Ask, CallResult, Exchange, HangUp, caller_seconds
from .phone import DEFAULT_FROM, DEFAULT_TO, Phone
from .transport import FlaskTransport, HttpTransport, Transport, Unreachable
from .twiml import CallBroken

__all__ = ["Answer", "Ask", "CallBroken", "CallResult", "DEFAULT_FROM", "DEFAULT_TO",
           "Exchange", "FlaskTransport", "HangUp", "HttpTransport", "Phone", "ScriptError",
           "Transport", "Unreachable", "caller_seconds", "find_token", "main", "validate_script"]
