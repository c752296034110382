"""The web chat's channel: nothing leaves nohold, no webhook, always open."""
from __future__ import annotations

import pytest

from social_bridge.channels import Malformed, Outbound
from social_bridge.channels.web import WebChat


def test_send_only_records_that_the_message_is_there_for_the_visitor():
    assert WebChat().send(Outbound("web", "wVisitor123", "Ciao!", "m1")) == "web:m1"


@pytest.mark.parametrize("text", ["", "x" * 4001])
def test_send_refuses_what_no_visitor_should_get(text):
    with pytest.raises(ValueError):
        WebChat().send(Outbound("web", "wVisitor123", text, "m1"))


def test_there_is_no_webhook():
    assert WebChat().verify(b"{}", {}) is False


def test_parse_refuses_any_body():
    with pytest.raises(Malformed):
        WebChat().parse(b"{}")


def test_an_agent_may_always_write_even_days_later():
    assert WebChat().policy(last_inbound_at=0.0, now=30 * 86400.0).allowed
