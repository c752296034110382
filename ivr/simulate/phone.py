"""The terminal phone: signs requests like Twilio and runs calls, scenarios and SMS."""
from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

from twilio.request_validator import RequestValidator

from .callers import InteractiveCaller, ScriptCaller, missing, recent, validate_script
from .console import Console
from .model import CallResult
from .player import MAX_REQUESTS, Caller, CallPlayer, sid
from .transport import TooSlow, Transport, TWILIO_TIMEOUT_SECONDS
from .twiml import CallBroken, parse_response, resolve, text_of

DEFAULT_FROM = "+393471234567"
DEFAULT_TO = "+390200000000"


def region_of(number: str) -> str | None:
    """ISO region of a number, as Twilio's FromCountry; None when unknown (e.g. withheld)."""
    try:
        import phonenumbers
        region = phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except Exception:  # phonenumbers missing or "anonymous": Twilio would leave it out too
        return None
    return region if region and region.isalpha() and region != "ZZ" else None


class Phone:
    """Plays Twilio against a nohold server reachable through `transport`."""

    def __init__(self, base_url: str, token: str, transport: Transport,
                 out: Callable[[str], object] | None = None, *, colour: bool = False,
                 from_number: str = DEFAULT_FROM, to_number: str = DEFAULT_TO,
                 account_sid: str | None = None,
                 token_source: str = ""):
        self.base_url = base_url.rstrip("/")
        self.validator = RequestValidator(token)
        self.transport = transport
        self.console = Console(out, colour)
        self.from_number, self.to_number = from_number, to_number
        self.account_sid = account_sid or sid("AC")
        self.token_source = token_source

    def url(self, path: str) -> str:
        return self.base_url + path

    def post(self, url: str, form: dict[str, str]) -> tuple[int, str]:
        """One webhook, signed the way Twilio signs: HMAC over the exact URL + sorted params."""
        headers = {"X-Twilio-Signature": self.validator.compute_signature(url, form),
                   "User-Agent": "TwilioProxy/1.1 (nohold simulate)"}
        try:
            return self.transport.post(url, form, headers)
        except TooSlow:
            raise CallBroken(f"{url} took more than {TWILIO_TIMEOUT_SECONDS} s: Twilio would give "
                             "up and use the Fallback URL.") from None

    def signature_hint(self, url: str) -> str:
        source = f" (from {self.token_source})" if self.token_source else ""
        host = urlsplit(url)
        return (f"The simulator signed {url} with its token{source}. The server must use the "
                f"same token and check against PUBLIC_BASE_URL={host.scheme}://{host.netloc}.")

    def call_params(self, call_sid: str, from_number: str, to_number: str) -> dict[str, str]:
        """The parameters Twilio sends, and repeats, on every request of a call."""
        params = {"CallSid": call_sid, "AccountSid": self.account_sid, "From": from_number,
                  "To": to_number, "Caller": from_number, "Called": to_number,
                  "Direction": "inbound", "ApiVersion": "2010-04-01", "CallerName": "",
                  "ForwardedFrom": "", "FromCity": "", "FromState": "", "FromZip": "",
                  "ToCity": "", "ToState": "", "ToZip": ""}
        for key, number in (("FromCountry", from_number), ("ToCountry", to_number)):
            region = region_of(number)
            if region:
                params[key] = region
        return params

    def call(self, caller: Caller, from_number: str | None = None,
             to_number: str | None = None) -> CallResult:
        """One call answered by any Caller (script, keyboard, or a test's own)."""
        player = CallPlayer(self, caller, from_number or self.from_number,
                            to_number or self.to_number)
        return player.run()

    def call_interactive(self, from_number: str | None = None,
                         input_fn: Callable[[str], str] = input) -> CallResult:
        return self.call(InteractiveCaller(input_fn, self.console), from_number)

    def run_script(self, script: dict) -> CallResult:
        """A whole scenario: the call, its expectations, then its SMS; never raises on failure."""
        script = validate_script(script)
        caller = ScriptCaller(script["answers"], self.console)
        result = self.call(caller, script.get("from"), script.get("to"))
        if result.ok and caller.leftovers():
            result.fail(f"the call ended ({result.ended_by}) before the script was done; never "
                        f"asked for: {', '.join(caller.leftovers())}. Last heard:\n"
                        f"{recent(result.heard)}")
        absent = missing(script["expect_end"], result.heard_after_last_answer)
        if result.ok and absent is not None:
            result.fail(f"expect_end: expected to hear “{absent}” after the last answer, but "
                        f"nohold said:\n{recent(result.heard_after_last_answer)}")
        limit = script.get("max_seconds")
        if result.ok and limit is not None and result.caller_seconds > limit:
            result.fail(f"max_seconds: {result.summary()} — more than the {limit} s allowed.")
        for n, sms in enumerate(script["then_sms"] if result.ok else [], 1):
            step = f"then_sms[{n}] (body {sms['body']!r})"
            try:
                replies = self.send_sms(script.get("from") or self.from_number, sms["body"],
                                        script.get("to"))
            except CallBroken as exc:
                result.fail(f"{step}: {exc}")
                break
            result.sms_replies.extend(replies)
            absent = missing(sms["expect"], replies)
            if absent is not None:
                result.fail(f"{step}: expected a reply containing “{absent}”, got:\n"
                            f"{recent(replies)}")
                break
        return result

    def send_sms(self, from_number: str, body: str, to_number: str | None = None, *,
                 echo: bool = True) -> list[str]:
        """Texts nohold like Twilio Messaging would; returns the <Message> replies."""
        message = sid("SM")
        form = {"MessageSid": message, "SmsSid": message, "SmsMessageSid": message,
                "AccountSid": self.account_sid, "From": from_number,
                "To": to_number or self.to_number, "Body": body, "NumMedia": "0",
                "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        for key, number in (("FromCountry", from_number), ("ToCountry", form["To"])):
            if region_of(number):
                form[key] = region_of(number)
        if echo:
            self.console.sms("you (SMS)", body)
        url, replies = self.url("/sms/incoming"), []
        for _ in range(MAX_REQUESTS):
            status, text = self.post(url, form)
            if not 200 <= status < 300:
                raise CallBroken(f"{url} answered HTTP {status} to an SMS.")
            if not text.strip():
                return replies  # an empty 200 is a valid "no reply"
            redirect = None
            for el in parse_response(text, url):
                if el.tag == "Message":
                    body_el = el.find("Body")
                    reply = text_of(body_el if body_el is not None else el)
                    replies.append(reply)
                    self.console.sms("nohold", reply)
                elif el.tag == "Redirect":
                    redirect = resolve(url, el.text)
                    break
            if redirect is None:
                return replies
            url = redirect
        raise CallBroken(f"more than {MAX_REQUESTS} SMS redirects — a loop?")
