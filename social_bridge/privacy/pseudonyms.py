"""A person's phone number (or handle) inside Redis key names and natural keys, without the number itself.

A bare SHA-256 of an Italian mobile number is no protection: there are ~10⁹ of them, tried in minutes.
A keyed HMAC-SHA256 with a secret from settings (PERSON_KEY_SECRET, or one derived from SECRET_KEY) is:
without the secret a key listing names nobody, and the same number always gives the same key, so
lookups by number still work. Rotating the secret orphans the keys made with the old one (open items
are still found by id; their natural keys must be rebuilt), so it is set once per deployment.
"""
from __future__ import annotations

import hashlib
import hmac

DIGEST_CHARS = 32   # 128 bits of the HMAC: no collisions among any realistic number of people


class PersonKeys:
    """Turns an identifier (an E.164 number, a PSID, an X id) into the pseudonym key names use."""

    def __init__(self, secret: str | bytes):
        if not secret:
            raise ValueError("PersonKeys needs a secret (settings.person_key_secret)")
        self._secret = secret.encode() if isinstance(secret, str) else secret

    def of(self, identifier: str) -> str:
        """The pseudonym of one identifier: 32 hex characters, stable for a given secret."""
        digest = hmac.new(self._secret, identifier.strip().encode(), hashlib.sha256).hexdigest()
        return digest[:DIGEST_CHARS]

    def callback(self, e164: str) -> str:
        """The natural key of the pending callback to a number (one per number)."""
        return f"callback:{self.of(e164)}"

    def thread(self, channel: str, sender_id: str) -> str:
        """The natural key of the pending thread of one sender on one channel."""
        return f"thread:{channel}:{self.of(sender_id)}"


def derived_secret(secret_key: str) -> str:
    """The person-key secret when PERSON_KEY_SECRET is not set: an HMAC of SECRET_KEY under its own label,
    so the session-signing key itself never names a person."""
    return hmac.new(secret_key.encode(), b"nohold person keys v1", hashlib.sha256).hexdigest()
