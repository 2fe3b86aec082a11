"""Value list rules: item types, aliases, each type's canonical form, the default lists and
the size limit."""

from __future__ import annotations

import ipaddress
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.core.errors import SeikyuError
from seikyu.risk.domain import value_list_rules as rules


@pytest.mark.parametrize(
    ("item_type", "given_value", "canonical"),
    [
        ("email", " Jenny.Rosen@Example.COM\n", "jenny.rosen@example.com"),
        ("email", "a+tag@sub.example.co.jp", "a+tag@sub.example.co.jp"),
        ("ip_address", "13.112.224.240", "13.112.224.240"),
        ("ip_address", "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("ip_address", "::ffff:1.2.3.4", "::ffff:102:304"),
        ("country", "gb", "GB"),
        ("country", " JP ", "JP"),
        ("card_bin", "424242", "424242"),
        ("card_fingerprint", "1LpZdmUy4O3jjG", "1LpZdmUy4O3jjG"),
        ("sepa_debit_fingerprint", "ABC", "ABC"),
        ("crypto_fingerprint", "Zz9", "Zz9"),
        ("customer_id", "cus_AeFLnRaI51AbRi", "cus_AeFLnRaI51AbRi"),
        ("account", "acct_1Pgc6x", "acct_1Pgc6x"),
        ("string", " Some Note ", " some note "),
        ("string", "STRASSE", "strasse"),
        ("string", "Straße", "strasse"),
        ("case_sensitive_string", " Some Note ", " Some Note "),
    ],
)
def test_values_take_their_types_canonical_form(
    item_type: str, given_value: str, canonical: str
) -> None:
    assert rules.normalize(item_type, given_value) == canonical


@pytest.mark.parametrize(
    ("item_type", "value"),
    [
        ("email", "jenny"),
        ("email", "jenny@"),
        ("email", "@example.com"),
        ("email", "jenny@example"),
        ("email", "jenny@example..com"),
        ("email", "a@b@c.com"),
        ("email", "jen ny@example.com"),
        ("ip_address", "256.0.0.1"),
        ("ip_address", "1.2.3"),
        ("ip_address", "01.2.3.4"),
        ("ip_address", "fe80::1%eth0"),
        ("ip_address", "example.com"),
        ("country", "U"),
        ("country", "USA"),
        ("country", "1A"),
        ("card_bin", "42424"),
        ("card_bin", "4242424"),
        ("card_bin", "42424a"),
        ("card_fingerprint", ""),
        ("card_fingerprint", "abc-def"),
        ("card_fingerprint", "f" * 101),
        ("customer_id", "cus_"),
        ("customer_id", "cust_123"),
        ("customer_id", "123"),
        ("customer_id", "cus_12 3"),
        ("account", "acct_"),
        ("account", "cus_123"),
        ("string", ""),
        ("string", "s" * 801),
        ("case_sensitive_string", ""),
    ],
)
def test_values_that_do_not_fit_their_type_are_refused(item_type: str, value: str) -> None:
    with pytest.raises(rules.InvalidValue) as error:
        rules.normalize(item_type, value)
    assert error.value.param == "value"
    assert item_type in error.value.message
    assert rules.normalized_or_none(item_type, value) is None


def test_the_longest_values_are_taken() -> None:
    assert rules.normalize("string", "S" * 800) == "s" * 800
    assert rules.normalize("card_fingerprint", "F" * 100) == "F" * 100


@given(st.ip_addresses())
def test_every_way_of_writing_an_ip_address_is_one_value(address: object) -> None:
    parsed = ipaddress.ip_address(str(address))
    spellings = {str(parsed), parsed.compressed, parsed.exploded, parsed.exploded.upper()}
    assert {rules.normalize("ip_address", spelling) for spelling in spellings} == {
        parsed.compressed
    }


@given(st.text(min_size=1, max_size=50), st.sampled_from(rules.ITEM_TYPES))
def test_normalizing_is_idempotent(value: str, item_type: str) -> None:
    canonical = rules.normalized_or_none(item_type, value)
    if canonical is not None:
        assert rules.normalize(item_type, canonical) == canonical


@given(st.text(alphabet=string.ascii_letters + string.digits + " ", min_size=1, max_size=50))
def test_only_case_sensitive_strings_keep_their_case(value: str) -> None:
    assert rules.normalize("case_sensitive_string", value) == value
    assert rules.normalize("string", value) == rules.normalize("string", value.swapcase())


def test_forms_by_type_groups_the_types_that_store_a_value_alike() -> None:
    forms = rules.forms_by_type("Jenny@Example.com")

    assert forms == {
        "jenny@example.com": ["email", "string"],
        "Jenny@Example.com": ["case_sensitive_string"],
    }
    us = rules.forms_by_type("US")
    assert {"country", "card_fingerprint", "case_sensitive_string"} <= set(us["US"])
    assert us["us"] == ["string"]


@pytest.mark.parametrize("item_type", rules.ITEM_TYPES)
def test_every_type_the_sdk_declares_is_accepted(item_type: str) -> None:
    assert rules.check_item_type(item_type) == item_type


def test_an_unknown_item_type_is_refused() -> None:
    with pytest.raises(SeikyuError) as error:
        rules.check_item_type("phone_number")
    assert (error.value.param, error.value.code) == ("item_type", "parameter_invalid_enum")


@pytest.mark.parametrize("alias", ["a", "custom_ip_blocklist", "List_2", "x" * 100])
def test_aliases_are_letters_digits_and_underscores(alias: str) -> None:
    assert rules.check_alias(alias) == alias


@pytest.mark.parametrize("alias", ["", "has space", "dash-ed", "@at", "dot.ted", "x" * 101])
def test_other_aliases_are_refused(alias: str) -> None:
    with pytest.raises(SeikyuError) as error:
        rules.check_alias(alias)
    assert error.value.param == "alias"


@pytest.mark.parametrize("name", ["", "   ", "n" * 101])
def test_a_name_is_1_to_100_characters_not_all_blank(name: str) -> None:
    with pytest.raises(SeikyuError) as error:
        rules.check_name(name)
    assert error.value.param == "name"


def test_a_list_takes_items_up_to_its_limit() -> None:
    rules.check_room(49_999, limit=rules.MAX_ITEMS_PER_LIST)
    with pytest.raises(SeikyuError) as error:
        rules.check_room(50_000, limit=rules.MAX_ITEMS_PER_LIST)
    assert error.value.param == "value_list"
    assert rules.MAX_ITEMS_PER_LIST == 50_000


def test_every_kind_has_a_default_allow_and_block_list() -> None:
    aliases = {d.alias for d in rules.DEFAULT_LISTS}

    assert len(aliases) == len(rules.DEFAULT_LISTS) == 14
    for kind in (
        "card_bin",
        "card_country",
        "card_fingerprint",
        "customer_id",
        "email",
        "ip_address",
        "ip_country",
    ):
        assert {f"allow_list_{kind}", f"block_list_{kind}"} <= aliases
    for default in rules.DEFAULT_LISTS:
        assert rules.check_alias(default.alias) == default.alias
        assert rules.check_name(default.name) == default.name
        assert rules.check_item_type(default.item_type) == default.item_type
        assert rules.is_default(default.alias)
    assert not rules.is_default("custom_list")


def test_refunds_as_fraud_go_to_the_block_list_of_their_type() -> None:
    assert rules.default_block_list("card_fingerprint").alias == "block_list_card_fingerprint"
    assert rules.default_block_list("email").alias == "block_list_email"
    assert rules.default_block_list("country").alias == "block_list_card_country"
    with pytest.raises(SeikyuError):
        rules.default_block_list("string")
