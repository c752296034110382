"""Auto-dial in the console: the agent's switch, and offers made while the console is open.

The console asks for an offer when the agent becomes available, at each heartbeat and when the
live queue changes; the answer names the item whose callback is ringing the agent's phone, and
the page opens it so the agent reads the context while the phone rings.
"""
from __future__ import annotations

from flask import g, redirect, request, url_for

from social_bridge.web.console import bp
from social_bridge.web.console.auth import bridge, login_required, wants_json
from social_bridge.web.console.views import flash_ui, offer_now


@bp.post("/auto-dial")
@login_required
def auto_dial():
    """Turns auto-dial on or off for the signed-in agent (form field on = 1 / 0)."""
    on = request.form.get("on", "") == "1"
    g.agent = bridge().agents.update(g.agent.id, auto_dial=on)
    opened = offer_now() if on else None
    if wants_json():
        return {"auto_dial": on, "offer": opened}
    flash_ui("auto.on" if on else "auto.off")
    return redirect(opened or url_for("console.queue"))


@bp.post("/offer")
@login_required
def offer():
    """The live queue changed: an auto-dial agent who is free may be offered a callback now."""
    return {"offer": offer_now()}
