"""SLA_FIRST_RESPONSE_SECONDS and SLA_RESOLUTION_SECONDS: channel=seconds pairs, a bad value refused at start."""
from __future__ import annotations

import pytest

from ivr.app.settings import SettingsError, load_settings
from social_bridge.chat.service_levels import parse_targets


@pytest.fixture
def load(tmp_path):
    def load(**env):
        return load_settings(environ={"NOHOLD_VAR_DIR": str(tmp_path / "var"), **env}, dotenv=False)
    return load


def test_pairs_become_seconds_per_channel():
    assert parse_targets("messenger=900, sms=1800,web=300", "X") == {"messenger": 900.0, "sms": 1800.0, "web": 300.0}


def test_the_defaults_load(load):
    assert parse_targets(load().sla_first_response_seconds, "X")["messenger"] == 900.0


@pytest.mark.parametrize("variable", ["SLA_FIRST_RESPONSE_SECONDS", "SLA_RESOLUTION_SECONDS"])
@pytest.mark.parametrize("raw, says", [
    ("messenger=15m", "is not channel=seconds"),
    ("messenger", "is not channel=seconds"),
    ("fax=900", "unknown channel 'fax'"),
    ("sms=0", "sms needs one target of 1 second or more"),
    ("sms=900,sms=1800", "sms needs one target"),
])
def test_a_bad_value_is_a_settings_error_naming_the_variable(load, variable, raw, says):
    with pytest.raises(SettingsError, match=f"^{variable}: .*{says}"):
        load(**{variable: raw})
