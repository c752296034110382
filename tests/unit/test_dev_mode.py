"""Production cannot fall into dev mode (issue 13, item 5). Dev mode only when asked for (NOHOLD_DEV_MODE=1) or
when no Twilio credential is set at all (a fresh machine, `make run`); outside it, half the Twilio credentials,
a PUBLIC_BASE_URL that is not https, or a short SECRET_KEY refuse to start with a sentence naming the setting."""
from __future__ import annotations

import pytest

from ivr.app.settings import SettingsError, load_settings

SID, TOKEN = "AC" + "0" * 32, "auth-token"
KEY = "k" * 32
BASE = "https://support.example.it"


@pytest.fixture
def load(tmp_path):
    def load(**env):
        return load_settings(environ={"NOHOLD_VAR_DIR": str(tmp_path / "var"), **env}, dotenv=False)
    return load


def live(**env):
    return {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": BASE, "SECRET_KEY": KEY,
            **env}


def test_a_fresh_machine_with_no_settings_at_all_is_in_dev_mode(load):
    settings = load()
    assert settings.dev_mode
    assert settings.signing_token
    assert settings.secret_key  # made up for the laptop


def test_complete_live_settings_are_not_dev_mode(load):
    settings = load(**live())
    assert not settings.dev_mode
    assert settings.signing_token == TOKEN
    assert settings.secret_key == KEY


@pytest.mark.parametrize("present, missing", [("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"),
                                               ("TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID")])
def test_half_the_twilio_credentials_refuse_to_start(load, present, missing):
    """Before: a deploy missing the SID was in dev mode (no SMS, no SECRET_KEY, the outbox open) while checking
    real signatures."""
    env = live()
    del env[missing]
    with pytest.raises(SettingsError, match=f"^{missing} is not set but {present} is"):
        load(**env)
    with pytest.raises(SettingsError, match=missing):  # asking for dev mode does not excuse it
        load(**env, NOHOLD_DEV_MODE="1")


@pytest.mark.parametrize("key", ["", "k", "x" * 31, "è" * 15])
def test_outside_dev_mode_a_secret_key_under_32_bytes_refuses_to_start(load, key):
    with pytest.raises(SettingsError, match="^SECRET_KEY must be at least 32 bytes"):
        load(**live(SECRET_KEY=key))
    assert not load(**live(SECRET_KEY="è" * 16)).dev_mode  # bytes, not characters


@pytest.mark.parametrize("base", [None, "http://support.example.it", "support.example.it", "https://",
                                  "http://localhost:5000"])
def test_outside_dev_mode_public_base_url_must_be_https(load, base):
    """Before: unset, it silently became http://localhost:5000 and every signature check failed."""
    env = live(PUBLIC_BASE_URL=base or "")
    with pytest.raises(SettingsError, match="^PUBLIC_BASE_URL must be the https URL Twilio calls") as refused:
        load(**env)
    assert ("not set" in str(refused.value)) == (base is None)


def test_nohold_dev_mode_is_asked_for_explicitly(load):
    assert load(NOHOLD_DEV_MODE="1").dev_mode
    assert load(NOHOLD_DEV_MODE="true").dev_mode
    assert not load(**live(NOHOLD_DEV_MODE="0")).dev_mode
    with pytest.raises(SettingsError, match="^TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required with "
                                            "NOHOLD_DEV_MODE=0"):
        load(NOHOLD_DEV_MODE="0")  # production says "never dev mode": losing both credentials cannot slip in
    with pytest.raises(SettingsError, match="^NOHOLD_DEV_MODE=1 is set together with TWILIO_ACCOUNT_SID"):
        load(**live(NOHOLD_DEV_MODE="1"))
    with pytest.raises(SettingsError, match="^NOHOLD_DEV_MODE must be 1"):
        load(NOHOLD_DEV_MODE="maybe")


def test_in_dev_mode_the_laptop_defaults_still_do(load):
    settings = load(NOHOLD_DEV_MODE="1", SECRET_KEY="short")
    assert settings.dev_mode
    assert settings.public_base_url == "http://localhost:5000"
    assert settings.secret_key == "short"


@pytest.mark.parametrize("name, value", [("TRUSTED_PROXY_HOPS", "-1"), ("TRUSTED_PROXY_HOPS", "two"),
                                         ("LOGIN_ATTEMPTS_PER_ADDRESS", "0"), ("AGENT_MAX_THREADS", "0"),
                                         ("PUSHED_WAITS_MAX", "-1"), ("PUSHED_WAITS_PERCENT", "-5")])
def test_proxy_and_login_settings_are_checked(load, name, value):
    with pytest.raises(SettingsError, match=f"^{name}"):
        load(**{name: value})


def test_a_deploy_missing_the_sid_serves_no_dev_outbox_because_it_does_not_start(monkeypatch, tmp_path, redis_url):
    from ivr import create_app

    env = live(REDIS_URL=redis_url, NOHOLD_VAR_DIR=str(tmp_path / "var"))
    del env["TWILIO_ACCOUNT_SID"]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    monkeypatch.delenv("NOHOLD_DEV_MODE", raising=False)
    with pytest.raises(SettingsError, match="TWILIO_ACCOUNT_SID"):
        create_app()


def test_the_outbox_is_only_served_in_dev_mode(app, settings, redis_url, tmp_path, redis_client):
    from ivr import create_app

    assert settings.dev_mode
    assert app.test_client().get("/dev/outbox").status_code == 200
    production = create_app({"SETTINGS": load_settings(environ=live(REDIS_URL=redis_url,
                                                                     NOHOLD_VAR_DIR=str(tmp_path / "live")),
                                                       dotenv=False)})
    try:
        assert production.test_client().get("/dev/outbox").status_code == 404
    finally:
        production.extensions["nohold"].metrics.close()


def test_the_make_run_banner_names_the_dev_outbox_only_in_dev_mode(load):
    from ivr.runtime.launcher import banner

    def printed(settings) -> str:
        return banner(settings, 5000, "http://localhost:5001/console/events", "redis://127.0.0.1:6379/0",
                      "log in as dev", BASE)

    assert "/dev/outbox" in printed(load())
    assert "dev (" in printed(load())
    live_banner = printed(load(**live()))
    assert "/dev/outbox" not in live_banner
    assert "live Twilio" in live_banner
