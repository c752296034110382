"""No phone number, PSID or handle in any Redis key name after real journeys (issue 18).

Every scripted call of scenarios/ is played by the terminal phone against the real app, then free-text
SMS open threads (identity by number), then the social end-to-end journey (call → code by SMS →
Messenger → agent replies); every key is then SCANned.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import redis as redis_lib
import yaml

from tests.e2e.test_social_e2e import CALLER, PSID, clouds, live  # noqa: F401 (fixtures)
from tests.e2e.test_social_e2e import test_a_caller_continues_on_messenger_keeping_the_place_and_the_context as \
    messenger_journey
from tests.support.privacy_scan import digit_runs_in_keys, number_forms, traces

SCENARIOS = Path(__file__).resolve().parent.parent.parent / "scenarios"
WRITER = "+393409876512"


def callers() -> list[str]:
    return sorted({yaml.safe_load(p.read_text()).get("from", "") for p in SCENARIOS.glob("*.yaml")} - {""})


@pytest.fixture
def raw(redis_url):
    client = redis_lib.Redis.from_url(redis_url)
    yield client
    client.close()


def test_no_key_names_a_caller_after_every_scripted_call_and_a_written_conversation(phone, nohold, run_jobs, raw):
    for path in sorted(SCENARIOS.glob("*.yaml")):
        script = yaml.safe_load(path.read_text())
        phone.run_script(script)  # its own test checks it passes; here it only has to leave its records
        pending = nohold.queue.pending_for(nohold.desk.callback_key(script.get("from", "")))
        if pending:  # the next call from this number would hear its open request instead of the menu
            nohold.queue.cancel(pending.id, reason="test")
    phone.send_sms(WRITER, "Buongiorno, la fibra a casa non va da ieri sera")
    phone.send_sms(WRITER, "CHIAMAMI")
    run_jobs()
    items = [k for k in raw.scan_iter(match="nohold:{queue}:item:*") if not k.endswith(b":history")]
    assert len(items) >= 10, "the journeys left items behind (the scan looks at something)"
    assert nohold.social.threads.for_customer("sms", WRITER) is not None
    needles = [form for number in callers() + [WRITER] for form in number_forms(number) if len(form) > 8]
    assert traces(raw, needles, values=False) == []
    assert digit_runs_in_keys(raw) == []


def test_no_key_names_the_customer_after_the_messenger_journey(live, clouds, clock, raw):
    messenger_journey(live, clouds, clock)
    _, nohold, _ = live
    assert nohold.social.threads.for_customer("messenger", PSID) is not None
    needles = number_forms(CALLER) + [PSID, "9999999999"]
    assert traces(raw, needles, values=False) == []
    assert digit_runs_in_keys(raw) == []
