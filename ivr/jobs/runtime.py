"""The services every job of this process uses: built once by the composition root, before RQ forks.

The worker (ivr.runtime.launcher.worker) installs them at start; a job run elsewhere (a bare `rq worker`)
builds them from the settings on first use. Tests install the services of their own app.
"""
from __future__ import annotations

from ivr.app.services import Nohold, build_inbox, build_services
from ivr.app.settings import load_settings
from ivr.runtime.embedded import ensure_embedded_redis
from social_bridge.chat.inbox import Inbox

_installed: dict = {}


def install(services: Nohold) -> Nohold:
    _installed.clear()
    _installed["services"] = services
    return services


def clear() -> None:
    _installed.clear()


def services() -> Nohold:
    if "services" not in _installed:
        settings = load_settings()
        if not settings.redis_url:
            settings = settings.with_overrides(redis_url=ensure_embedded_redis(settings.var_dir))
        install(build_services(settings))
    return _installed["services"]


def inbox() -> Inbox:
    """The written channels' inbox over the same services, built once."""
    if "inbox" not in _installed:
        _installed["inbox"] = build_inbox(services())
    return _installed["inbox"]
