"""Dial attempt ids are matched whole (issue 13, item 7): `^…$` with re.match let a trailing newline through."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from twilio.request_validator import RequestValidator

from ivr.dialer.attempts import ATTEMPT_ID
from tests.integration.test_dialer import agent_leg, fake, item, live_settings, nohold, start  # noqa: F401 (fixtures)

DIAL_PATHS = ("/voice/dial/agent", "/voice/dial/agent-answer", "/voice/dial/customer-done", "/voice/dial/status")


def signed_post(nohold, path: str, form: dict):
    """A request Twilio really signed: the fuzz of the id reaches the check, not the signature's."""
    settings = nohold.settings
    signature = RequestValidator(settings.signing_token).compute_signature(settings.url(path), form)
    return nohold.app.test_client().post(path, data=form, headers={"X-Twilio-Signature": signature})


@pytest.mark.parametrize("garbage", ["\n", "\r\n", "\x00", " ", "0", "x", "\nDA0123456789abcdef"])
def test_an_attempt_id_with_anything_after_it_is_refused(nohold, item, fake, run_jobs, garbage):
    attempt_id, _ = start(nohold.dialer, item)
    run_jobs()
    sid = agent_leg(fake, attempt_id)["sid"]
    forged = attempt_id + garbage
    assert ATTEMPT_ID.fullmatch(attempt_id)
    assert not ATTEMPT_ID.fullmatch(forged)
    assert nohold.dialer.attempts.get(forged) is None
    before = nohold.dialer.attempts.get(attempt_id)
    for path in DIAL_PATHS:
        target = f"{path}?attempt={quote(forged, safe='')}" + ("&leg=agent" if path.endswith("status") else "")
        response = signed_post(nohold, target, {"CallSid": sid, "CallStatus": "completed", "Digits": "1"})
        assert response.status_code == 400, (path, response.status_code)
        assert b"malformed attempt" in response.data
    after = nohold.dialer.attempts.get(attempt_id)
    assert (after.state, after.updated_at) == (before.state, before.updated_at)  # nothing moved
