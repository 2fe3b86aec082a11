"""Tax ID shapes, countries, Japan's corporate-number check digit, initial verification."""

from __future__ import annotations

from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stripe.params._tax_id_create_params import TaxIdCreateParams

from seikyu.customers.tax_id_formats import (
    EU_VAT_BODIES,
    TYPES,
    check,
    corporate_number_check_digit,
    country_of,
)
from seikyu.customers.tax_id_verification import (
    VerificationStatus,
    initial_verification,
    magic_number,
)

# Stripe's documented example for each type (docs.stripe.com/billing/customer/tax-ids):
# an integration copying them must not be refused.
STRIPE_EXAMPLES = [
    ("ad_nrt", "A-123456-Z"),
    ("ae_trn", "123456789012345"),
    ("al_tin", "J12345678N"),
    ("am_tin", "02538904"),
    ("ao_tin", "5123456789"),
    ("ar_cuit", "12-3456789-01"),
    ("au_abn", "12345678912"),
    ("au_arn", "123456789123"),
    ("aw_tin", "12345678"),
    ("az_tin", "0123456789"),
    ("ba_tin", "123456789012"),
    ("bb_tin", "1123456789012"),
    ("bd_bin", "123456789-0123"),
    ("bg_uic", "123456789"),
    ("bh_vat", "123456789012345"),
    ("bj_ifu", "1234567890123"),
    ("bo_tin", "123456789"),
    ("br_cnpj", "01.234.456/5432-10"),
    ("br_cpf", "123.456.789-87"),
    ("bs_tin", "123.456.789"),
    ("by_tin", "123456789"),
    ("ca_bn", "123456789"),
    ("ca_gst_hst", "123456789RT0002"),
    ("ca_pst_bc", "PST-1234-5678"),
    ("ca_pst_mb", "123456-7"),
    ("ca_pst_sk", "1234567"),
    ("ca_qst", "1234567890TQ1234"),
    ("cd_nif", "A0123456M"),
    ("ch_uid", "CHE-123.456.789 HR"),
    ("ch_vat", "CHE-123.456.789 MWST"),
    ("cl_tin", "12.345.678-K"),
    ("cn_tin", "123456789012345678"),
    ("co_nit", "123.456.789-0"),
    ("cr_tin", "1-234-567890"),
    ("de_stn", "1234567890"),
    ("do_rcn", "123-4567890-1"),
    ("ec_ruc", "1234567890001"),
    ("eg_tin", "123456789"),
    ("es_cif", "A12345678"),
    ("eu_oss_vat", "EU123456789"),
    ("gb_vat", "GB123456789"),
    ("ge_vat", "123456789"),
    ("gn_nif", "123456789"),
    ("hk_br", "12345678"),
    ("hr_oib", "12345678901"),
    ("hu_tin", "12345678-1-23"),
    ("id_npwp", "12.345.678.9-012.345"),
    ("il_vat", "000012345"),
    ("in_gst", "12ABCDE3456FGZH"),
    ("is_vat", "123456"),
    ("jp_rn", "12345"),
    ("jp_trn", "T1234567891234"),
    ("ke_pin", "P000111111A"),
    ("kr_brn", "123-45-67890"),
    ("kz_bin", "123456789012"),
    ("li_uid", "CHE123456789"),
    ("li_vat", "12345"),
    ("mx_rfc", "ABC010203AB9"),
    ("my_frp", "12345678"),
    ("my_itn", "C 1234567890"),
    ("my_sst", "A12-3456-78912345"),
    ("ng_tin", "12345678-0001"),
    ("no_vat", "123456789MVA"),
    ("no_voec", "1234567"),
    ("nz_gst", "123456789"),
    ("om_vat", "OM1234567890"),
    ("pe_ruc", "12345678901"),
    ("ph_tin", "123456789012"),
    ("ro_tin", "1234567890123"),
    ("rs_pib", "123456789"),
    ("ru_inn", "1234567891"),
    ("ru_kpp", "123456789"),
    ("sa_vat", "123456789012345"),
    ("sg_gst", "M12345678X"),
    ("sg_uen", "123456789F"),
    ("si_tin", "12345678"),
    ("sv_nit", "1234-567890-123-4"),
    ("th_vat", "1234567891234"),
    ("tr_tin", "0123456789"),
    ("tw_vat", "12345678"),
    ("ua_vat", "123456789"),
    ("ug_tin", "1014751879"),
    ("us_ein", "12-3456789"),
    ("uy_ruc", "123456789012"),
    ("uz_tin", "123456789"),
    ("uz_vat", "123456789012"),
    ("ve_rif", "A-12345678-9"),
    ("vn_tin", "1234567890"),
    ("za_vat", "4123456789"),
]

# Stripe's eu_vat example per member state.
EU_VAT_EXAMPLES = [
    ("ATU12345678", "AT"),
    ("BE0123456789", "BE"),
    ("BG0123456789", "BG"),
    ("CY12345678Z", "CY"),
    ("CZ1234567890", "CZ"),
    ("DE123456789", "DE"),
    ("DK12345678", "DK"),
    ("EE123456789", "EE"),
    ("EL123456789", "GR"),
    ("ESA1234567Z", "ES"),
    ("FI12345678", "FI"),
    ("FRAB123456789", "FR"),
    ("HR12345678912", "HR"),
    ("HU12345678", "HU"),
    ("IE1234567AB", "IE"),
    ("IT12345678912", "IT"),
    ("LT123456789123", "LT"),
    ("LU12345678", "LU"),
    ("LV12345678912", "LV"),
    ("MT12345678", "MT"),
    ("NL123456789B12", "NL"),
    ("PL1234567890", "PL"),
    ("PT123456789", "PT"),
    ("RO1234567891", "RO"),
    ("SE123456789123", "SE"),
    ("SI12345678", "SI"),
    ("SK1234567891", "SK"),
    ("XI123456789", "GB"),
]


@pytest.mark.parametrize(("tax_type", "value"), STRIPE_EXAMPLES)
def test_stripes_documented_examples_are_accepted(tax_type: str, value: str) -> None:
    assert check(tax_type, value).valid


@pytest.mark.parametrize(("value", "country"), EU_VAT_EXAMPLES)
def test_eu_vat_examples_take_their_country_from_the_prefix(value: str, country: str) -> None:
    assert check("eu_vat", value) == check("eu_vat", value.lower())
    assert check("eu_vat", value).country == country


def test_every_member_state_prefix_has_an_example() -> None:
    assert {value[:2] for value, _ in EU_VAT_EXAMPLES} == set(EU_VAT_BODIES)


@pytest.mark.parametrize(
    ("tax_type", "value"),
    [
        ("eu_vat", "DE12345678"),  # one digit short
        ("eu_vat", "DE1234567890"),  # one digit long
        ("eu_vat", "US123456789"),  # not a member state
        ("eu_vat", "GR123456789"),  # Greece is EL on VAT numbers
        ("eu_vat", "123456789"),  # no prefix
        ("eu_vat", "ATU1234567"),
        ("eu_vat", "NL123456789012"),  # the B is missing
        ("gb_vat", "GB12345678"),
        ("gb_vat", "XI123456789"),
        ("us_ein", "123-456789"),
        ("us_ein", "12-34567890"),
        ("au_abn", "1234567891"),
        ("ca_bn", "12345678"),
        ("in_gst", "12ABCDE3456FGXH"),  # the 14th character is always Z
        ("in_gst", "12ABCDE3456FGZ"),
        ("ch_vat", "CHE-123.456.789"),  # the MWST/TVA/IVA suffix is part of it
        ("ch_vat", "CHE-123.456.78 MWST"),
        ("no_vat", "123456789"),  # without MVA it is an organisation number, not VAT
        ("sg_uen", "12345678"),
        ("kr_brn", "123-45-6789"),
        ("br_cnpj", "01.234.456/5432-1"),
        ("br_cnpj", "01-234-456-5432-10"),
        ("mx_rfc", "AB010203AB9"),
        ("mx_rfc", "ABC0102035B9X"),
        ("jp_trn", "1234567891234"),  # the T is required
        ("jp_trn", "T123456789123"),
        ("jp_trn", "T12345678912345"),
        ("jp_trn", "TX234567891234"),
        ("jp_rn", "1234"),
        ("za_vat", "5123456789"),
        ("eu_vat", ""),
        ("eu_vat", "   "),
    ],
)
def test_malformed_values_are_refused(tax_type: str, value: str) -> None:
    assert not check(tax_type, value).valid


def test_unknown_types_are_never_valid() -> None:
    assert not check("xx_vat", "123456789").valid
    assert not check("unknown", "123456789").valid


def test_separators_and_case_do_not_matter_where_numbers_allow_them() -> None:
    assert check("gb_vat", "gb 123 4567 89").valid
    assert check("eu_vat", "de 123 456 789").valid
    assert check("jp_trn", "t8010601046367").valid
    assert check("au_abn", "51 824 753 556").valid


def test_overlong_values_are_refused() -> None:
    assert not check("eu_oss_vat", "EU" + "1" * 200).valid


def test_types_without_a_documented_format_take_letters_digits_and_separators() -> None:
    assert check("py_ruc", "80012345-6").valid
    assert not check("py_ruc", "no digits").valid
    assert not check("py_ruc", "<script>1</script>").valid


def test_country_comes_from_the_type() -> None:
    assert country_of("jp_trn", "T8010601046367") == "JP"
    assert country_of("gb_vat", "GB123456789") == "GB"
    assert country_of("ch_uid", "CHE123456789") == "CH"
    assert country_of("eu_oss_vat", "EU123456789") is None


def test_every_type_the_sdk_can_create_is_known() -> None:
    annotation = TaxIdCreateParams.__annotations__["type"]
    literal = next(arg for arg in get_args(annotation) if get_args(arg))
    assert set(get_args(literal)) == TYPES


# --- Japan -----------------------------------------------------------------------------


def test_check_digit_of_the_national_tax_agencys_worked_example() -> None:
    # NTA example: base 123456789012 gives check digit 7, corporate number 7123456789012.
    assert corporate_number_check_digit("123456789012") == 7


def test_check_digit_of_a_real_corporate_number() -> None:
    # 8010601046367 is the corporate number in Stripe's qualified-invoice guide (T8010601046367).
    assert corporate_number_check_digit("010601046367") == 8


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_the_check_digit_is_always_1_to_9(base: str) -> None:
    assert 1 <= corporate_number_check_digit(base) <= 9


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(0, 11))
def test_changing_any_single_digit_changes_the_check_digit(base: str, position: int) -> None:
    digit = int(base[position])
    changed = base[:position] + str((digit + 1) % 10) + base[position + 1 :]
    # A change of 1 moves the weighted sum by 1 or 2, never a multiple of 9, so the check
    # digit moves too; only 9 -> 0 (a change of 9) is invisible modulo 9.
    if digit != 9:
        assert corporate_number_check_digit(changed) != corporate_number_check_digit(base)


def test_check_digit_needs_exactly_12_digits() -> None:
    with pytest.raises(ValueError, match="12 digits"):
        corporate_number_check_digit("12345678901")
    with pytest.raises(ValueError, match="12 digits"):
        corporate_number_check_digit("12345678901a")


def test_jp_cn_must_carry_its_check_digit() -> None:
    assert check("jp_cn", "8010601046367").valid
    assert check("jp_cn", "7123456789012").valid
    assert not check("jp_cn", "1010601046367").valid
    # Stripe's documented example fails the statutory check digit: a deliberate difference.
    assert not check("jp_cn", "1234567891234").valid


def test_jp_trn_is_checked_for_shape_only() -> None:
    # Sole proprietors' registration numbers have no published check digit.
    assert check("jp_trn", "T1234567891234").valid
    assert check("jp_trn", "T8010601046367").valid
    assert check("jp_trn", "T1010601046367").valid


# --- verification ------------------------------------------------------------------------


@pytest.mark.parametrize("tax_type", ["jp_trn", "us_ein", "ch_vat", "in_gst", "jp_cn"])
def test_types_no_register_checks_are_unavailable(tax_type: str) -> None:
    assert initial_verification(tax_type, "x", livemode=False).status is (
        VerificationStatus.UNAVAILABLE
    )


@pytest.mark.parametrize(
    ("tax_type", "value"),
    [("eu_vat", "DE123456789"), ("gb_vat", "GB123456789"), ("au_abn", "12345678912")],
)
def test_register_checked_types_start_pending(tax_type: str, value: str) -> None:
    for livemode in (False, True):
        verification = initial_verification(tax_type, value, livemode=livemode)
        assert verification.status is VerificationStatus.PENDING
        assert (verification.verified_name, verification.verified_address) == (None, None)


@pytest.mark.parametrize(
    ("tax_type", "value", "status"),
    [
        ("eu_vat", "DE000000000", VerificationStatus.VERIFIED),
        ("eu_vat", "DE111111111", VerificationStatus.UNVERIFIED),
        ("eu_vat", "DE222222222", VerificationStatus.PENDING),
        ("eu_vat", "000000000", VerificationStatus.VERIFIED),
        ("au_abn", "000000000", VerificationStatus.VERIFIED),
        ("au_abn", "111111111", VerificationStatus.UNVERIFIED),
    ],
)
def test_test_mode_magic_values(tax_type: str, value: str, status: VerificationStatus) -> None:
    assert initial_verification(tax_type, value, livemode=False).status is status


def test_magic_values_mean_nothing_in_live_mode_or_for_other_types() -> None:
    assert initial_verification("eu_vat", "DE000000000", livemode=True).status is (
        VerificationStatus.PENDING
    )
    assert magic_number("gb_vat", "GB000000000") is None
    assert magic_number("jp_trn", "000000000") is None
