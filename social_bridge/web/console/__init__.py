"""The agents' web console at /console: login, the live queue, item detail and actions, supervision."""
from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")

from social_bridge.web.console import actions, attachments, auth, auto_dial, canned, customers, events, glance, outages, supervisor, views  # noqa: E402,F401,E501  (routes register on bp)
from social_bridge.web.console import agents_admin  # noqa: E402,F401  (issue 19: the supervisors' agents page)
from social_bridge.web.console import transfers  # noqa: E402,F401  (issue 19: transfer and assign an item)
from social_bridge.web.console import teams  # noqa: E402,F401  (issue 19: the supervisors' teams page)
from social_bridge.web.console import reports  # noqa: E402,F401  (issue 19: the supervisors' reports)
