"""Customers and cases in the JSON API: search, one person, their history, cases, merging with proof.

A blueprint nested in the API's (social_bridge/web/api.py): its bearer-token check and error answers apply
here too. What the customer said (messages, summaries) is in the answer only where the console would show it
(social_bridge/web/rules.py): to the agent holding that item, and to supervisors.
"""
from __future__ import annotations

from flask import Blueprint, g, request

from social_bridge.customers import case_numbers
from social_bridge.web.api_access import configured
from social_bridge.web.request_body import ApiError, json_body, text_of
from social_bridge.web.rules import holds, sees_customer_words

bp = Blueprint("customers_api", __name__)


def desk():
    return configured("customers", "customers are not configured on this server")


def _words(item) -> bool:
    return sees_customer_words(g.agent, item)


def _summary(customer) -> dict:
    return {"id": customer.id, "name": customer.name, "customer_code": customer.customer_code,
            "line_number": customer.line_number, "identities": sorted(customer.identities)}


def _customer_page(customer_id: str) -> dict:
    page = desk().page(customer_id, _words)
    if page is None:
        raise ApiError(404, "not_found", f"no customer with id {customer_id!r}")
    return page


@bp.get("/customers")
def search():
    query = request.args.get("q", "")
    if not query.strip():
        raise ApiError(400, "bad_request", "q is required: a phone number, case number, name, handle or code")
    return {"customers": [_summary(c) for c in desk().search(query)]}


@bp.get("/customers/<customer_id>")
def customer(customer_id: str):
    page = _customer_page(customer_id)
    return {"customer": page["customer"], "open_cases": page["open_cases"], "past_cases": page["past_cases"]}


@bp.get("/customers/<customer_id>/history")
def history(customer_id: str):
    return {"timeline": _customer_page(customer_id)["timeline"]}


@bp.post("/customers/<customer_id>/merge-code")
def merge_code(customer_id: str):
    other = text_of(json_body(), "other", 64)
    if not desk().send_merge_code(customer_id, other):
        raise ApiError(404, "not_found", "both customers must exist and the other must have a phone number")
    return {"sent": True}, 202


@bp.post("/customers/<customer_id>/merge")
def merge(customer_id: str):
    body = json_body()
    other, code = text_of(body, "other", 64), body.get("code") or ""
    if not isinstance(code, str):
        raise ApiError(400, "bad_request", "code must be a string of 6 digits")
    merged = desk().merge(customer_id, other, code)
    if merged is None:
        raise ApiError(403, "proof_required", "no proof that these are one person: the same customer code "
                                              "confirmed by the backend, or the code sent by merge-code")
    return {"customer": _summary(merged)}


def _case(number: str):
    found = desk().cases.get(number) if case_numbers.normalize(number) else None
    if found is None:
        raise ApiError(404, "not_found", "no case with that number (8 digits, the last a check digit)")
    return found


@bp.get("/cases/<number>")
def case(number: str):
    return {"case": desk().case_view(_case(number))}


@bp.post("/cases/<number>/waiting")
def waiting(number: str):
    """The agent holding the case's item asked the customer something: the case waits for their answer."""
    json_body()  # no fields, but a body that is not one (nested too deeply, not an object) is a 400 first
    found = _case(number)
    item = desk().queue.get(found.item_id)
    if item is None or not (holds(g.agent, item) or g.agent.is_supervisor):
        raise ApiError(403, "forbidden", "only the agent holding the case's item, or a supervisor")
    if not desk().cases.wait_for_customer(found.number):
        raise ApiError(409, "not_pending", "the case is resolved: nothing to wait for")
    return {"case": desk().case_view(desk().cases.get(found.number))}
