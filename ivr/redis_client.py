"""The client for nohold's state: one Redis (REDIS_URL), or a Redis Cluster (REDIS_CLUSTER_URL).

Every key is hash-tagged so that Lua scripts and MULTI blocks touch one slot (tests/test_cluster.py).
RQ's own keys are not, and its worker cannot use a cluster client: the job queues stay on REDIS_URL.
"""
from __future__ import annotations

import redis


def state_client(settings, **kwargs):
    """redis.Redis on REDIS_URL, or redis.cluster.RedisCluster when REDIS_CLUSTER_URL is set."""
    if settings.redis_cluster_url:
        from redis.cluster import RedisCluster

        return RedisCluster.from_url(settings.redis_cluster_url, **kwargs)
    return redis.Redis.from_url(settings.redis_url, **kwargs)
