"""Case numbers on a real Redis: one per new item, kept by merges, states read from the item, reopening."""
from __future__ import annotations

import pytest

from social_bridge.customers import case_numbers
from social_bridge.customers.cases import Cases
from social_bridge.customers.numbered_queue import NumberedQueue
from social_bridge.queue.claims import Claims
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue
from tests.support.clock import Clock

DAY = 86400


@pytest.fixture
def clock():
    return Clock(1_800_000_000)


@pytest.fixture
def queue(redis_client, clock):
    return NumberedQueue(redis_client, clock=clock)


@pytest.fixture
def cases(redis_client, queue, clock):
    return Cases(redis_client, queue, clock=clock, reopen_days=7)


def callback(number="+393471234567", at=1_799_999_000.0) -> WorkItem:
    return WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=at,
                    natural_key=f"callback:{number}", customer=number, summary="internet down")


@pytest.mark.parametrize("number, valid", [("15584864", True), ("15584846", False), ("15548864", False),
                                           ("1558486", False), ("1558486a", False), ("", False)])
def test_the_check_digit_catches_a_wrong_digit_and_a_swap(number, valid):
    assert case_numbers.is_valid(number) is valid


def test_every_single_digit_error_and_adjacent_swap_is_caught():
    for _ in range(300):
        number = case_numbers.new_number()
        typos = {number[:i] + d + number[i + 1:] for i in range(8) for d in "0123456789"} - {number}
        swaps = {number[:i] + number[i + 1] + number[i] + number[i + 2:] for i in range(7)} - {number}
        assert not any(case_numbers.is_valid(t) for t in typos | swaps)


@pytest.mark.parametrize("text, found", [("STATO 1558 4864", "15584864"), ("la mia pratica è 1558-4864!", "15584864"),
                                         ("chiamate il 3471558486412", None), ("1558 4846", None)])
def test_a_case_number_is_found_in_a_message(text, found):
    assert case_numbers.find_in_text(text) == found


def test_a_new_item_gets_a_case_and_a_repeat_keeps_it(cases, queue):
    first = queue.enqueue(callback()).item
    again = queue.enqueue(callback(at=1_799_999_500.0)).item
    assert case_numbers.is_valid(first.case_number)
    assert again.case_number == first.case_number
    assert cases.get(first.case_number).item_id == first.id
    assert cases.for_item(first.id).number == first.case_number


def test_states_follow_the_item(cases, queue, redis_client, clock):
    item = queue.enqueue(callback()).item
    assert cases.get(item.case_number).state == "open"
    claims = Claims(redis_client, clock=clock)
    claim = claims.claim(item.id, "anna")
    assert cases.get(item.case_number).state == "in_progress"
    claims.release(item.id, claim.fence)
    assert cases.wait_for_customer(item.case_number)
    assert cases.get(item.case_number).state == "waiting_customer"
    claim = claims.claim(item.id, "anna")
    claims.complete(item.id, claim.fence, "resolved")
    assert cases.get(item.case_number).state == "resolved"


def resolve(cases, redis_client, clock, item):
    claims = Claims(redis_client, clock=clock)
    claims.complete(item.id, claims.claim(item.id, "anna").fence, "resolved")


def test_reopening_within_the_days_keeps_the_number_and_the_place(cases, queue, redis_client, clock):
    item = queue.enqueue(callback()).item
    resolve(cases, redis_client, clock, item)
    queue.enqueue(callback(number="+393479999999", at=clock() - 10))   # someone who asked after our customer
    clock.advance(2 * DAY)
    reopened = cases.reopen(item.case_number)
    assert reopened.state == "open"
    assert reopened.item_id != item.id
    assert queue.get(reopened.item_id).acquired_at == item.acquired_at
    assert queue.position(reopened.item_id) == 1
    assert cases.for_item(reopened.item_id).number == item.case_number


def test_a_case_resolved_too_long_ago_is_not_reopened(cases, queue, redis_client, clock):
    item = queue.enqueue(callback()).item
    resolve(cases, redis_client, clock, item)
    clock.advance(8 * DAY)
    assert cases.reopen(item.case_number) is None


def test_a_pending_case_is_not_reopened_twice(cases, queue):
    item = queue.enqueue(callback()).item
    assert cases.reopen(item.case_number) is None


def test_an_unknown_or_mistyped_number_finds_nothing(cases, queue):
    item = queue.enqueue(callback()).item
    wrong = item.case_number[:7] + str((int(item.case_number[7]) + 1) % 10)
    assert cases.get(wrong) is None
