"""What makes a set of settings runnable: each value in range, dev mode only when it is meant, no laptop
default outside it. Checked once by load_settings (ivr/app/settings.py), which alone reads the environment."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from ivr.runtime.redis_client import parse_sentinel_url
from social_bridge.chat.service_levels import parse_targets


class SettingsError(RuntimeError):
    """The environment does not describe a runnable deployment."""


def check_values(settings) -> None:
    """Each setting in its range, with one sentence naming the variable when it is not."""
    if settings.redis_url:
        try:  # a malformed redis+sentinel:// URL is refused at start, its password not echoed
            parse_sentinel_url(settings.redis_url)
        except ValueError as exc:
            raise SettingsError(f"REDIS_URL: {exc}") from exc
    if settings.trusted_proxy_hops < 0:
        raise SettingsError(f"TRUSTED_PROXY_HOPS must be 0 (no proxy) or more; got {settings.trusted_proxy_hops}")
    if settings.login_attempts_per_address < 1:
        raise SettingsError(f"LOGIN_ATTEMPTS_PER_ADDRESS must be 1 or more; got {settings.login_attempts_per_address}")
    if settings.callback_customer_check not in ("amd", "press1", "both", "off"):
        raise SettingsError("CALLBACK_CUSTOMER_CHECK must be amd, press1, both or off; "
                            f"got {settings.callback_customer_check!r}")
    if settings.agent_max_threads < 1:  # capacity (social_bridge/queue/capacity.py): at least one thread each
        raise SettingsError(f"AGENT_MAX_THREADS must be 1 or more; got {settings.agent_max_threads}")
    for value, variable in ((settings.pushed_waits_max, "PUSHED_WAITS_MAX"),
                            (settings.pushed_waits_minutes, "PUSHED_WAITS_MINUTES"),
                            (settings.pushed_waits_percent, "PUSHED_WAITS_PERCENT")):
        if value < 0:  # 0 is allowed: PUSHED_WAITS_MAX=0 turns the updates off
            raise SettingsError(f"{variable} must be 0 or more; got {value}")
    if settings.callback_machine_message not in ("on", "off"):
        raise SettingsError(f"CALLBACK_MACHINE_MESSAGE must be on or off; got {settings.callback_machine_message!r}")
    for raw, variable in ((settings.sla_first_response_seconds, "SLA_FIRST_RESPONSE_SECONDS"),
                          (settings.sla_resolution_seconds, "SLA_RESOLUTION_SECONDS")):
        try:  # channel=seconds pairs, like messenger=900,sms=1800
            parse_targets(raw, variable)
        except ValueError as exc:
            raise SettingsError(str(exc)) from exc


MIN_SECRET_KEY_BYTES = 32
_YES, _NO = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def dev_mode_asked(asked: str, settings: Settings) -> bool:
    """Dev mode when NOHOLD_DEV_MODE says so, or when no Twilio credential is set at all (a fresh machine);
    half the credentials, or dev mode asked for beside real credentials, is a mistake worth refusing."""
    asked = asked.strip().lower()
    if asked and asked not in _YES + _NO:
        raise SettingsError(f"NOHOLD_DEV_MODE must be 1 (dev mode) or 0 (never dev mode); got {asked!r}")
    sid, token = bool(settings.twilio_account_sid), bool(settings.twilio_auth_token)
    if sid != token:
        missing, present = ("TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID")[::1 if sid else -1]
        raise SettingsError(f"{missing} is not set but {present} is: set both for live Twilio, or neither for dev mode")
    if asked in _YES and sid:
        raise SettingsError("NOHOLD_DEV_MODE=1 is set together with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: "
                            "dev mode never talks to Twilio, so unset NOHOLD_DEV_MODE or the Twilio credentials")
    if asked in _NO and not sid:
        raise SettingsError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required with NOHOLD_DEV_MODE=0 "
                            "(set NOHOLD_DEV_MODE=1 for dev mode)")
    return asked in _YES or not sid


def check_live(settings: Settings, base_url_set: bool) -> None:
    """Outside dev mode nothing falls back to a default that only suits a laptop."""
    key_bytes = len(settings.secret_key.encode())
    if key_bytes < MIN_SECRET_KEY_BYTES:
        raise SettingsError(f"SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes outside dev mode (it is "
                            f"{key_bytes}): make one with python -c 'import secrets; print(secrets.token_hex(32))'")
    url = urlsplit(settings.public_base_url)
    if not base_url_set or url.scheme != "https" or not url.hostname:  # unset means the laptop's localhost:5000
        got = repr(settings.public_base_url) if base_url_set else "not set"
        raise SettingsError("PUBLIC_BASE_URL must be the https URL Twilio calls, like https://support.example.it, "
                            f"outside dev mode ({got})")


def dev_token(var_dir: Path) -> str:
    """The dev-mode signing token, created once and shared by every process via var/."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "dev-auth-token"
    if not path.exists():
        tmp = var_dir / f".dev-auth-token.{os.getpid()}"
        tmp.write_text(secrets.token_hex(16))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # atomic: the first process wins, the others read its token
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
