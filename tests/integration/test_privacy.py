"""Phone numbers, transcripts and recording URLs never appear whole in logs."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import yaml

SCENARIOS = Path(__file__).resolve().parent.parent.parent / "scenarios"


def test_whole_scenario_set_logs_nothing_personal(phone, nohold, caplog, run_jobs):
    caplog.set_level(logging.DEBUG)
    secrets_seen: set[str] = set()
    for path in sorted(SCENARIOS.glob("*.yaml")):
        script = yaml.safe_load(path.read_text())
        result = phone.run_script(script)
        assert result.ok, result.error
        booked = nohold.calls.load(result.call_sid).item_id
        if booked:  # handled before the next scripted call, which would otherwise hear it at the greeting
            nohold.queue.cancel(booked, reason="called_back")
        for exchange in result.requests:
            for name in ("From", "Caller", "SpeechResult", "RecordingUrl", "Body"):
                value = exchange.form.get(name, "")
                if len(value) > 6 and value != "anonymous":
                    secrets_seen.add(value)
            digits = exchange.form.get("Digits", "").rstrip("#")
            if len(digits) > 6:
                secrets_seen.update({digits, "+39" + digits})
    run_jobs()
    assert len(secrets_seen) > 10
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "the flow logs something; this test must see it"
    leaks = [s for s in secrets_seen if s in logged]
    assert not leaks, f"personal data in logs: {leaks}"


# the written-channel journeys of test_social_e2e.py, run again here with every log line captured
from tests.e2e import test_social_e2e as social_e2e  # noqa: E402
from tests.e2e.test_social_e2e import clouds, live  # noqa: E402,F401  (fixtures)

JOURNEYS = [social_e2e.test_a_caller_continues_on_messenger_keeping_the_place_and_the_context,
            social_e2e.test_a_forged_or_expired_code_links_nothing_and_reveals_nothing,
            social_e2e.test_past_the_window_the_agent_writes_by_sms_to_the_number_of_the_call]
WRITTEN = ["non mi va internet da stamattina", "Ciao, ho visto il guasto", "Il tecnico passa domani mattina",
           "Ci sei ancora?", "Ti scrivo qui per SMS", "bolletta"]


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.__name__[5:45] for j in JOURNEYS])
def test_social_journeys_log_nothing_personal(journey, live, clouds, clock, caplog):
    caplog.set_level(logging.DEBUG)
    journey(live, clouds, clock)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "the journey logs something; this test must see it"
    caller = social_e2e.CALLER
    leaks = [s for s in (caller, caller[1:], caller[3:], *WRITTEN) if s in logged]
    assert not leaks, f"personal data in logs: {leaks}"
    assert not re.search(r"\+?39\d{8,}", logged), "a whole Italian number in the logs"
