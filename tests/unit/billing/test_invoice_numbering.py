"""Invoice numbers: prefixes, the four-digit sequence, and customer- and account-level schemes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.billing.domain.invoice_numbering import (
    NumberingState,
    check_invoice_prefix,
    default_invoice_prefix,
    invoice_number,
)
from seikyu.core.errors import ErrorType, SeikyuError

SEEDS = st.integers(0, 2**32 - 1)


def test_g_5_5_a_customer_prefix_numbers_invoices_in_finalization_order() -> None:
    """G-5.5: prefix TYPGRA, customer-level numbering: TYPGRA-0001 then TYPGRA-0002.

    Drafts have no number: a number exists only once `assign` is called at finalization.
    """
    customer = NumberingState("TYPGRA")
    first, customer = customer.assign()
    second, customer = customer.assign()
    assert (first, second) == ("TYPGRA-0001", "TYPGRA-0002")
    assert customer == NumberingState("TYPGRA", next_sequence=3)


def test_assigning_a_number_leaves_the_old_state_unchanged() -> None:
    state = NumberingState("TYPGRA")
    state.assign()
    assert state.assign()[0] == "TYPGRA-0001"


def test_account_level_numbering_shares_one_sequence_across_customers() -> None:
    """Section 5.4: RKTRIDE-0001 (customer A), -0002 (customer B), -0003 (customer A)."""
    account = NumberingState("RKTRIDE")
    numbers: dict[str, list[str]] = {"A": [], "B": []}
    for customer in ["A", "B", "A"]:
        number, account = account.assign()
        numbers[customer].append(number)
    assert numbers == {"A": ["RKTRIDE-0001", "RKTRIDE-0003"], "B": ["RKTRIDE-0002"]}


def test_numbering_continues_from_a_customers_next_invoice_sequence() -> None:
    number, state = NumberingState("TYPGRA", next_sequence=42).assign()
    assert (number, state.next_sequence) == ("TYPGRA-0042", 43)


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [(1, "TYPGRA-0001"), (9999, "TYPGRA-9999"), (10000, "TYPGRA-10000"), (123456, "TYPGRA-123456")],
)
def test_the_sequence_is_padded_to_four_digits_and_grows_past_them(
    sequence: int, expected: str
) -> None:
    assert invoice_number("TYPGRA", sequence) == expected


def test_the_number_after_9999_has_five_digits() -> None:
    number, _ = NumberingState("TYPGRA", next_sequence=10000).assign()
    assert number == "TYPGRA-10000"


@pytest.mark.parametrize("sequence", [0, -1])
def test_a_sequence_below_one_is_a_programming_error(sequence: int) -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        invoice_number("TYPGRA", sequence)


def test_a_numbering_state_cannot_start_below_one() -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        NumberingState("TYPGRA", next_sequence=0)


@pytest.mark.parametrize("prefix", ["ABC", "TYPGRA", "RKTRIDE", "ABCDEFGHIJKL", "7FE1103", "123"])
def test_a_prefix_of_3_to_12_uppercase_letters_or_digits_is_accepted(prefix: str) -> None:
    assert check_invoice_prefix(prefix) == prefix


@pytest.mark.parametrize(
    "prefix",
    [
        pytest.param("", id="empty"),
        pytest.param("AB", id="too-short"),
        pytest.param("ABCDEFGHIJKLM", id="too-long"),
        pytest.param("typgra", id="lowercase"),
        pytest.param("TypGra", id="mixed-case"),
        pytest.param("TYP-GRA", id="dash"),
        pytest.param("TYP.GRA", id="dot"),
        pytest.param("TYP GRA", id="space"),
        pytest.param("TYPGRA\n", id="trailing-newline"),
        pytest.param("ÄBC", id="non-ascii-letter"),
        pytest.param("ＴＹＰＧＲＡ", id="full-width"),  # noqa: RUF001
    ],
)
def test_any_other_prefix_is_refused_on_the_invoice_prefix_param(prefix: str) -> None:
    with pytest.raises(SeikyuError) as raised:
        check_invoice_prefix(prefix)
    assert raised.value.type is ErrorType.INVALID_REQUEST
    assert raised.value.param == "invoice_prefix"


def test_the_prefix_error_says_what_a_prefix_must_be() -> None:
    with pytest.raises(SeikyuError) as raised:
        check_invoice_prefix("ab")
    assert raised.value.message == (
        "Invalid invoice_prefix: 'ab'. "
        "It must be 3 to 12 characters, each an uppercase letter (A-Z) or a digit (0-9)."
    )


def test_a_default_prefix_is_a_fixed_function_of_the_seed() -> None:
    # Pinned values: a change to the mix would change which prefixes new customers get.
    assert default_invoice_prefix(20240501) == "20873B76"
    assert default_invoice_prefix(20240501) == default_invoice_prefix(20240501)


def test_consecutive_seeds_give_unrelated_looking_prefixes() -> None:
    prefixes = [default_invoice_prefix(seed) for seed in (0, 1, 2)]
    assert prefixes == ["01FCE552", "9F505634", "079F4ECE"]


def test_seeds_are_taken_modulo_two_to_the_32() -> None:
    assert default_invoice_prefix(2**32 + 7) == default_invoice_prefix(7)
    assert default_invoice_prefix(-1) == default_invoice_prefix(2**32 - 1)


@given(st.integers())
def test_a_default_prefix_is_8_uppercase_hex_digits_and_a_valid_prefix(seed: int) -> None:
    prefix = default_invoice_prefix(seed)
    assert len(prefix) == 8
    assert set(prefix) <= set("0123456789ABCDEF")
    assert check_invoice_prefix(prefix) == prefix


@given(SEEDS, SEEDS)
def test_distinct_seeds_give_distinct_default_prefixes(seed: int, other: int) -> None:
    assert (default_invoice_prefix(seed) == default_invoice_prefix(other)) == (seed == other)
