"""The web app: the services of the composition root (ivr.app.services) behind thin blueprints."""
from __future__ import annotations

import logging
import time

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from ivr.app import ops
from ivr.app.errors import on_error
from ivr.app.services import Nohold, build_services, build_web_widget
from ivr.app.settings import load_settings
from ivr.call import sms
from ivr.call import webhooks as voice
from ivr.dialer import webhooks as dial_webhooks
from ivr.runtime.embedded import ensure_embedded_redis
from social_bridge.web import api, console
from social_bridge.web import webhooks as social_webhooks
from social_bridge.web import widget_api

__all__ = ["Nohold", "create_app"]
log = logging.getLogger("nohold")


class _SessionInterface(SecureCookieSessionInterface):
    """Flask builds a new cookie signer for every request, webhooks included; one per app will do."""

    def get_signing_serializer(self, app):
        signer = app.extensions.get("session_signer")
        if signer is None:
            signer = app.extensions["session_signer"] = super().get_signing_serializer(app)
        return signer


def create_app(test_config: dict | None = None) -> Flask:
    """test_config may hold SETTINGS (a Settings), CLOCK and UNDERSTANDING overrides."""
    test_config = test_config or {}
    settings = test_config.get("SETTINGS") or load_settings()
    if not settings.redis_url:
        settings = settings.with_overrides(redis_url=ensure_embedded_redis(settings.var_dir))
    app = Flask(__name__)
    app.session_interface = _SessionInterface()
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=256 * 1024, NOHOLD=settings,
                      CONSOLE_LOGIN_ATTEMPTS_PER_ADDRESS=settings.login_attempts_per_address,
                      CONSOLE_STREAM_URL=settings.console_stream_url, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https"))
    if settings.trusted_proxy_hops:  # the client's address from X-Forwarded-For, as many hops deep; nothing else
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxy_hops, x_proto=0, x_host=0)
    nohold = build_services(settings, test_config.get("CLOCK", time.time), test_config.get("UNDERSTANDING"))
    app.extensions["nohold"] = nohold
    app.extensions["social_bridge"] = nohold.bridge
    app.extensions["nohold_widget"] = build_web_widget(nohold)  # the web chat (social_bridge/web/widget_api.py)
    for blueprint in (voice.bp, sms.bp, ops.bp, dial_webhooks.bp, api.bp, console.bp, social_webhooks.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(widget_api.bp)
    app.register_error_handler(Exception, on_error)
    if settings.dev_mode:
        log.warning("dev mode: no Twilio credentials; webhooks are signed with the dev token in %s/dev-auth-token, "
                    "messages go to the dev outbox", settings.var_dir)
    return app
