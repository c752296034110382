"""Signed requests as Twilio sends them, to the app's Flask test client (signed with the real RequestValidator)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from twilio.request_validator import RequestValidator

COMPANY = "+390200000000"


def signed_post(client, settings, path: str, form: dict):
    """POSTs `form` to `path`, signed for the URL Twilio would call (settings.url(path))."""
    signature = RequestValidator(settings.signing_token).compute_signature(settings.url(path), form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def sms_replies(client, settings, body: str, sid: str, sender: str) -> list[str]:
    """An inbound SMS from `sender`; the texts of the <Message> replies (the answer must be a 200)."""
    form = {"MessageSid": sid, "From": sender, "To": COMPANY, "Body": body}
    response = signed_post(client, settings, "/sms/incoming", form)
    assert response.status_code == 200, response.data
    return [m.text for m in ET.fromstring(response.data).iter("Message")]
