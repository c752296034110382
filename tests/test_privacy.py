"""Phone numbers, transcripts and recording URLs never appear whole in logs."""
from __future__ import annotations

import logging
from pathlib import Path

import yaml

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_whole_scenario_set_logs_nothing_personal(phone, caplog, run_jobs):
    caplog.set_level(logging.DEBUG)
    secrets_seen: set[str] = set()
    for path in sorted(SCENARIOS.glob("*.yaml")):
        script = yaml.safe_load(path.read_text())
        result = phone.run_script(script)
        assert result.ok, result.error
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
