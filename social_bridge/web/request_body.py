"""What the JSON API accepts in a request body: each field checked, with a sentence the client can act on."""
from __future__ import annotations

import math
from datetime import datetime

from flask import request

MAX_DEPTH = 8  # levels of nesting a body may have: ours have two ({"kinds": [...]}); a deep one is refused


class ApiError(Exception):
    """An answer the client can act on: a status, a short code and a sentence."""

    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def json_body() -> dict:
    if not request.get_data(cache=True):
        return {}
    try:
        data = request.get_json(force=True, silent=True)
    except RecursionError:  # the parser gives up on [[[[…]]]] thousands deep; silent only covers ValueError
        data = None
        too_deep = True
    else:
        too_deep = deeper_than(data, MAX_DEPTH)
    if too_deep:
        raise ApiError(400, "bad_request", f"the body is nested too deeply: at most {MAX_DEPTH} levels of "
                                           "objects and lists")
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object, e.g. {\"fence\": 12}")
    return data


def deeper_than(value, limit: int) -> bool:
    """Whether objects and lists nest more than `limit` levels (walked without recursion)."""
    level = [value]
    for _ in range(limit):
        level = [child for node in level if isinstance(node, (dict, list))
                 for child in (node.values() if isinstance(node, dict) else node)]
        if not level:
            return False
    return any(isinstance(node, (dict, list)) for node in level)


def fence_of(body: dict) -> int:
    fence = body.get("fence")
    if not isinstance(fence, int) or isinstance(fence, bool) or fence < 1:
        raise ApiError(400, "bad_request", "fence is required: the number you received when you claimed the item")
    return fence


def text_of(body: dict, name: str, limit: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "bad_request", f"{name} is required: a non-empty string")
    if len(value) > limit:
        raise ApiError(400, "bad_request", f"{name} is too long: at most {limit} characters")
    return value.strip()


def choice_of(body: dict, name: str, allowed: tuple[str, ...]) -> str:
    """One of the console's values (rules.py): the history every agent reads holds labels, never free text."""
    value = body.get(name)
    if value not in allowed:
        raise ApiError(400, "bad_request", f"{name} must be one of {', '.join(allowed)}")
    return value


def moment_of(value, name: str) -> float:
    """Epoch seconds or ISO 8601 with an offset; 0 for absent."""
    if value in (None, "", 0):
        return 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0:
        return float(value)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.timestamp()
    raise ApiError(400, "bad_request", f"{name} must be epoch seconds or ISO 8601 with an offset, "
                                       "like 2026-12-02T15:00:00+01:00")
