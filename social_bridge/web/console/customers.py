"""Console pages for customers and cases: search (keyboard-first) and one person's page with their history."""
from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for

from social_bridge.customers import case_numbers
from social_bridge.web.console import bp
from social_bridge.web.console.auth import bridge, configured, login_required
from social_bridge.web.console.customer_strings import customer_strings
from social_bridge.web.console.views import local
from social_bridge.web.rules import sees_customer_words


@bp.context_processor
def _customer_words():
    """The customers pages' words on every console page (the header's link)."""
    return {"cu": customer_strings((g.get("ui") or {}).get("lang", "it"))}


def desk():
    return configured("customers", "customers are not configured on this server")


@bp.get("/customers")
@login_required
def customers():
    """Search by phone, case number, name or handle; one hit opens that customer at once."""
    query = request.args.get("q", "").strip()[:100]
    found = desk().search(query) if query else []
    if len(found) == 1:
        return redirect(url_for("console.customer", customer_id=found[0].id))
    return render_template("console/customers.html", page="customers", q=query, found=found)


@bp.get("/customers/<customer_id>")
@login_required
def customer(customer_id: str):
    b, agent = bridge(), g.agent
    shown = []

    def words(item) -> bool:
        allowed = sees_customer_words(agent, item)
        if allowed:
            shown.append(item.id)
        return allowed

    page = desk().page(customer_id, words)
    if page is None:
        abort(404, "no such customer")
    if shown and b.access_log is not None:  # who read whose words (issue 18): ids only
        b.access_log.record(agent.id, "read_words", f"customer:{customer_id}")
    return render_template("console/customer.html", page="customer", data=page, local=local)


@bp.get("/cases/<number>")
@login_required
def case(number: str):
    """A case number (as quoted, spaces allowed) opens its customer's page."""
    canonical = case_numbers.normalize(number)
    found = desk().cases.get(canonical) if canonical else None
    if found is None or not found.customer_id:
        abort(404, "no case with that number")
    return redirect(url_for("console.customer", customer_id=found.customer_id, _anchor=f"case-{found.number}"))
