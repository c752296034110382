"""Console sign-in limits: per name and per client address, checked before any password hash runs."""
from __future__ import annotations

import hashlib
import ipaddress
from typing import Callable

# Console logins. Per name (known or not, so the answer tells nothing about who exists): the first
# LOGIN_FREE_FAILURES failures cost nothing, then the next check of that name waits 1 s, 2 s, 4 s … up to
# LOGIN_MAX_DELAY; LOGIN_MEMORY_SECONDS without an attempt forgets them. Per client address (IPv6 by
# /64), all names together: at most `per_address` attempts per LOGIN_ADDRESS_WINDOW, counted before any
# password hash runs, so random names cannot buy scrypt time either.
LOGIN_FREE_FAILURES = 3
LOGIN_MAX_DELAY = 300
LOGIN_MEMORY_SECONDS = 3600
LOGIN_ADDRESS_WINDOW = 60
LOGIN_PER_ADDRESS = 20

# KEYS address counter (this window), name hash; ARGV now, window, per_address, free, max_delay, memory.
# Returns 0 when the password may be checked now (the attempt is already counted as a failure of the name:
# concurrent guesses cannot all slip through one open moment); otherwise the seconds to wait.
_LOGIN_GATE = """
local now, window, per_address = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local free, max_delay, memory = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local tries = redis.call('INCR', KEYS[1])
if tries == 1 then redis.call('EXPIRE', KEYS[1], 2 * window) end
if tries > per_address then return tostring((math.floor(now / window) + 1) * window - now) end
local state = redis.call('HMGET', KEYS[2], 'failures', 'next_at', 'last_at')
local failures, next_at, last_at = tonumber(state[1]) or 0, tonumber(state[2]) or 0, tonumber(state[3]) or 0
if now - last_at > memory then failures, next_at = 0, 0 end
if now < next_at then return tostring(next_at - now) end
failures = failures + 1
local delay = 0
if failures > free then delay = math.min(max_delay, 2 ^ (failures - free - 1)) end
redis.call('HSET', KEYS[2], 'failures', failures, 'next_at', tostring(now + delay), 'last_at', tostring(now))
redis.call('EXPIRE', KEYS[2], memory + max_delay)
return '0'
"""


class LoginLimits:
    """The waits of console sign-ins, in Redis under the agents' hash tag (`base`); key names hold digests only."""

    def __init__(self, redis, clock: Callable[[], float], base: str):
        self.redis, self.clock, self.base = redis, clock, base
        self._gate = redis.register_script(_LOGIN_GATE)

    def _name_key(self, name: str) -> str:
        # `name` as the directory spells ids (agents.slug); hashed: neither it nor an address is in a key name
        who = hashlib.sha256(f"name|{name}".encode()).hexdigest()
        return f"{self.base}:login_limits:name:{who}"

    def _address_key(self, remote_addr: str, window: int) -> str:
        who = hashlib.sha256(f"address|{client_network(remote_addr)}".encode()).hexdigest()
        return f"{self.base}:login_limits:address:{who}:{window}"

    def wait(self, name: str, remote_addr: str, per_address: int = LOGIN_PER_ADDRESS) -> float:
        """Seconds before this login attempt may be checked; 0 = check the password now.

        Every call counts against the client address; a call answered 0 also counts as a failure of the name
        until succeeded() clears it. The same answer whether or not an agent has that name."""
        now = self.clock()
        window = int(now // LOGIN_ADDRESS_WINDOW)
        keys = [self._address_key(remote_addr, window), self._name_key(name)]
        args = [repr(now), LOGIN_ADDRESS_WINDOW, per_address, LOGIN_FREE_FAILURES, LOGIN_MAX_DELAY,
                LOGIN_MEMORY_SECONDS]
        return max(0.0, float(self._gate(keys=keys, args=args)))

    def succeeded(self, name: str) -> None:
        """The right password: the name's failures are forgotten."""
        self.redis.delete(self._name_key(name))


def client_network(remote_addr: str) -> str:
    """What the per-address login cap counts: an IPv4 address, or the /64 an IPv6 address is in (one
    subscriber's share, which an attacker could otherwise walk through)."""
    try:
        address = ipaddress.ip_address((remote_addr or "").strip())
    except ValueError:
        return remote_addr or ""
    if address.version == 6 and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
