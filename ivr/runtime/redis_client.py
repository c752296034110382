"""Clients for nohold's Redis: one Redis or a Sentinel-managed primary (REDIS_URL), or a Redis Cluster
(REDIS_CLUSTER_URL).

Every key is hash-tagged so that Lua scripts and MULTI blocks touch one slot (tests/e2e/test_cluster.py).
RQ's own keys are not, and its worker cannot use a cluster client: the job queues stay on REDIS_URL,
which may be a Sentinel URL (tests/faults/test_sentinel.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

import redis
from redis.sentinel import Sentinel, SentinelManagedConnection

SENTINEL_SCHEME = "redis+sentinel://"
SENTINEL_FORM = "redis+sentinel://[[username]:password@]host:port[,host:port...]/service_name[/db]"
_HOST_PORT = re.compile(r"^(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9_.-]+)):(?P<port>[0-9]{1,5})$")
_SERVICE = re.compile(r"^[A-Za-z0-9_.:-]+$")


@dataclass(frozen=True)
class SentinelAddress:
    """What a redis+sentinel:// URL names: the Sentinels, the monitored service and how to log in to it."""

    sentinels: tuple[tuple[str, int], ...]
    service_name: str
    db: int = 0
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def _invalid(url: str, why: str) -> ValueError:
    shown = re.sub(r"//[^@/]*@", "//***@", url)  # never echo a password into a log
    return ValueError(f"invalid Redis Sentinel URL {shown!r}: {why}; expected {SENTINEL_FORM}")


def parse_sentinel_url(url: str) -> SentinelAddress | None:
    """The Sentinel address of a redis+sentinel:// URL; None for any other URL. Raises ValueError when malformed."""
    if not url.lower().startswith(SENTINEL_SCHEME):
        return None
    rest = url[len(SENTINEL_SCHEME):]
    if "?" in rest or "#" in rest:
        raise _invalid(url, "query parameters and fragments are not supported")
    netloc, slash, path = rest.partition("/")
    userinfo, at, hosts = netloc.rpartition("@")
    username = password = None
    if at:
        user, colon, secret = userinfo.partition(":")
        if not colon or not secret:  # "name@host" is ambiguous (redis:// reads it as a username): refused
            raise _invalid(url, "the user information must be ':password' or 'username:password'")
        username, password = unquote(user) or None, unquote(secret)
    if not hosts:
        raise _invalid(url, "no Sentinel host:port is given")
    sentinels = []
    for part in hosts.split(","):
        match = _HOST_PORT.match(part.strip())
        if not match or not 0 < int(match["port"]) < 65536:
            raise _invalid(url, f"{part.strip() or 'an empty entry'!r} is not host:port of a Sentinel")
        sentinels.append((match["ipv6"] or match["host"], int(match["port"])))
    segments = path.split("/") if slash else []
    if not segments or not segments[0]:
        raise _invalid(url, "the service name (the name in `sentinel monitor <name> ...`) is missing")
    if len(segments) > 2 or (len(segments) == 2 and not segments[1].isdigit()):
        raise _invalid(url, "after the service name only a database number may follow")
    if not _SERVICE.match(segments[0]):
        raise _invalid(url, f"{segments[0]!r} is not a Sentinel service name")
    db = int(segments[1]) if len(segments) == 2 else 0
    return SentinelAddress(tuple(sentinels), segments[0], db, username, password)


class SentinelConnection(SentinelManagedConnection):
    """redis-py's connection to the Sentinels' primary, with two gaps closed. Kept for correctness, not memory
    (issue 14): both gaps are still in redis-py 8.1, and tests/faults/test_sentinel.py shows each one with redis-py's own
    class beside this one (test_an_interrupted_blocking_read_leaves_no_reply_for_the_next_command,
    test_a_command_sent_on_a_closed_connection_goes_to_the_primary_the_sentinels_give_now: the redis-py halves
    stop passing when redis-py closes a gap, and then this override goes). With redis-py's class the end-to-end
    failover test fails too: the worker never stops on SIGTERM (gap 1), or exits 1 (gap 2 alone).

    - Its read_response defaults disconnect_on_error to False, unlike redis.Connection: an exception
      raised mid-read (RQ's SIGTERM handler interrupting an idle worker's BLMOVE, a job timeout) put
      the connection back in the pool with the old reply pending; the next command read that reply, or
      waited behind the BLMOVE for ever (the worker never stopped). Here the socket is dropped.
      (Upstream: redis/redis-py pull request 4292, open.)
    - A command sent on a closed connection reconnected to the address it last had, not to the primary
      the Sentinels give now (PubSub does that: RQ's worker unsubscribing after a failover exited 1).
      Here it asks the Sentinels. (Upstream: redis/redis-py issue 3874, open: connect_check_health
      reconnects to the old address.)"""

    def read_response(self, *args, disconnect_on_error=True, **kwargs):
        return super().read_response(*args, disconnect_on_error=disconnect_on_error, **kwargs)

    def send_packed_command(self, command, check_health=True):
        if not self._sock:
            self.connect()
        return super().send_packed_command(command, check_health)


def connect(url: str, **kwargs):
    """A client for a REDIS_URL: the current primary of a redis+sentinel:// URL, else redis.Redis.from_url.

    kwargs are connection options (socket_timeout, retry, decode_responses...). With Sentinel they apply to
    the primary's connections, and the socket_* ones to the Sentinels' too. The Sentinel client asks the
    Sentinels for the primary on every new connection and drops connections to a demoted one, so a
    client made once follows a failover."""
    address = parse_sentinel_url(url)
    if address is None:
        return redis.Redis.from_url(url, **kwargs)
    login = {key: value for key, value in (("username", address.username), ("password", address.password))
             if value is not None}
    kwargs.setdefault("connection_class", SentinelConnection)
    return Sentinel(list(address.sentinels), **kwargs).master_for(address.service_name, db=address.db, **login)


def state_client(settings, **kwargs):
    """The client of nohold's state: REDIS_URL through connect(), or a RedisCluster when REDIS_CLUSTER_URL is set."""
    if settings.redis_cluster_url:
        from redis.cluster import RedisCluster

        return RedisCluster.from_url(settings.redis_cluster_url, **kwargs)
    return connect(settings.redis_url, **kwargs)
