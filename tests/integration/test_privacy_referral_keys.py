"""A Messenger referral has no mid: its dedupe id is made of the sender's PSID, and no key name may hold it
(issue 18). The recorded payload (tests/data/payloads/messenger_referral_mme.json) with a real-shaped PSID,
parsed by the real adapter, recorded by the real Threads on the test redis-server."""
from __future__ import annotations

from pathlib import Path

from social_bridge.channels.messenger import Messenger
from social_bridge.chat.threads import Threads
from social_bridge.privacy.pseudonyms import PersonKeys

PAYLOAD = Path(__file__).parent.parent / "data" / "payloads" / "messenger_referral_mme.json"
PSID, PAGE = "6543210987654321", "1122334455"


def test_a_referral_without_mid_leaves_no_psid_in_any_key_name(redis_client, clock):
    body = PAYLOAD.read_bytes().replace(b"<PSID>", PSID.encode()).replace(b"<PAGE_ID>", PAGE.encode())
    [inbound] = Messenger("secret", "verify", "token", PAGE, graph_base="http://127.0.0.1:9/v21.0").parse(body)
    assert PSID in inbound.provider_id  # what makes the case: the id is built from the PSID
    threads = Threads(redis_client, PersonKeys("a-secret-of-the-deployment"), clock=clock)
    first = threads.record_inbound(inbound, "it")
    again = threads.record_inbound(inbound, "it")  # Meta delivers it again: still known, still once
    assert again.thread.id == first.thread.id
    assert len(threads.messages(first.thread.id)) == 1
    names = [key for key in redis_client.scan_iter(match="*", count=1000)]
    assert names
    assert [key for key in names if PSID in key] == []
