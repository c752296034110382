"""A customer's text through the real inbox (nohold.social.inbound), as the written-channel tests send it."""
from __future__ import annotations

import itertools

from social_bridge.channels import Inbound

_sids = itertools.count()


def write(nohold, text: str, sender: str, channel: str = "sms") -> None:
    """`sender` writes `text` on `channel` now, with a message id not used before in this process."""
    sid = f"SM{next(_sids):032d}"
    nohold.social.inbound.accept([Inbound(channel, sender, sid, text=text, sent_at=nohold.clock())])
