"""The console says why an automated Messenger message past 24 hours went by SMS or not at all."""
from __future__ import annotations

import pytest

from social_bridge.chat.delivery import ReplyRefused
from social_bridge.web.console.strings import STRINGS, strings_for
from tests.integration.test_console import signed_in
from tests.integration.test_console_threads import (  # noqa: F401  (fixtures, by name)
    DAY, app, bridge, item, jobs, messages_on, page_of, social, thread)


def test_a_skipped_automated_message_shows_why_on_the_item_page(app, bridge, social, thread, item, clock):
    clock.advance(3 * DAY)
    with pytest.raises(ReplyRefused):
        social.delivery.send(social.threads.get(thread.id), "Il guasto è risolto", auto=True)
    bridge.claims.claim(item.id, "maria")
    _, shown = messages_on(page_of(signed_in(app, "maria"), item))[-1]
    assert shown.endswith(strings_for("it")["state.skipped"])


def test_a_skipped_automated_message_is_never_queued_for_graph(social, thread, jobs, clock):
    clock.advance(3 * DAY)
    with pytest.raises(ReplyRefused):
        social.delivery.send(social.threads.get(thread.id), "Il guasto è risolto", auto=True)
    assert jobs == []


@pytest.mark.parametrize("state", ["by_sms", "skipped"])
@pytest.mark.parametrize("lang", ["it", "en"])
def test_both_languages_explain_both_outcomes(lang, state):
    assert "24" in STRINGS[lang][f"state.{state}"]
