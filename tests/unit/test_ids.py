"""Prefixed ids: Stripe's shape, and a random part that sorts by creation time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from seikyu.core.clock import FrozenClock
from seikyu.core.ids import ALPHABET, LENGTH, IdGenerator, new_id, random_token

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_an_id_is_the_prefix_an_underscore_and_22_characters_of_the_alphabet() -> None:
    object_id = new_id("cus")
    prefix, _, rest = object_id.partition("_")
    assert prefix == "cus"
    assert len(rest) == LENGTH
    assert set(rest) <= set(ALPHABET)


def test_prefixes_with_underscores_are_kept_whole() -> None:
    assert new_id("sub_sched").startswith("sub_sched_")


def test_the_alphabet_is_in_byte_order_so_databases_sort_ids_like_python() -> None:
    assert list(ALPHABET) == sorted(ALPHABET)
    assert len(set(ALPHABET)) == 62


def test_ids_from_one_generator_always_increase_even_within_a_millisecond() -> None:
    ids = IdGenerator(FrozenClock(START))
    made = [ids.new("cus") for _ in range(2000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_later_ids_sort_after_earlier_ones_across_generators() -> None:
    clock = FrozenClock(START)
    first = IdGenerator(clock).new("cus")
    clock.set(START + timedelta(milliseconds=1))
    second = IdGenerator(clock).new("cus")
    assert first < second


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=1, max_value=10**9))
def test_order_follows_time_for_any_two_instants(offset_ms: int, gap_ms: int) -> None:
    earlier = START + timedelta(milliseconds=offset_ms)
    later = earlier + timedelta(milliseconds=gap_ms)
    assert IdGenerator(FrozenClock(earlier)).new("evt") < IdGenerator(FrozenClock(later)).new("evt")


def test_a_clock_that_steps_back_does_not_break_the_order() -> None:
    clock = FrozenClock(START + timedelta(seconds=10))
    ids = IdGenerator(clock)
    before = ids.new("cus")
    clock.set(START)
    assert ids.new("cus") > before


def test_concurrent_threads_never_share_an_id() -> None:
    ids = IdGenerator(FrozenClock(START))
    made: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        mine = [ids.new("cus") for _ in range(500)]
        with lock:
            made.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 4000


def test_random_tokens_use_the_alphabet_and_differ() -> None:
    tokens = {random_token(40) for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(token) == 40 and set(token) <= set(ALPHABET) for token in tokens)
