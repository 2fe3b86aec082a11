"""Tax ID types, the country each belongs to, and the shape a value of each type must have.

Stripe checks the *format* of a tax ID when it is added and rejects a malformed one with
`tax_id_invalid`; it does not check digits, and its own documented examples (such as
`T1234567891234` for `jp_trn` or `12345678912` for `au_abn`) fail the official check digits.
So the rules here are shapes taken from Stripe's table of examples and the issuing
authorities' published formats, applied after separators are removed where the type allows
them. Types whose format is not documented well enough get a generic shape instead of a
guessed one.

One deliberate extension: `jp_cn` (the 13-digit Japanese corporate number) must carry the
check digit defined by Japan's Ministry of Finance ordinance No. 70 of 2014, article 2,
because every corporate number has it. `jp_trn` is shape-checked only: a registration number
is "T" + the corporate number for corporations, but sole proprietors get numbers from a
separate series for which no check digit is published.

Pure: no I/O, importable anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Separators people type inside numbers; removed before a shape is checked.
_SEPARATORS = re.compile(r"[\s.\-/]")
# The generic shape for types without a documented format: letters and digits with the
# usual separators, at least one digit.
_GENERIC = re.compile(r"(?=.*[0-9])[A-Z0-9][A-Z0-9 .\-/]{0,39}")

MAX_VALUE_LENGTH = 100


def compact(value: str) -> str:
    """The value in upper case without spaces, dots, hyphens and slashes."""
    return _SEPARATORS.sub("", value).upper()


def _shape(pattern: str) -> Callable[[str], bool]:
    """A rule matching the compact value against a regular expression."""
    regex = re.compile(pattern)
    return lambda value: regex.fullmatch(compact(value)) is not None


def _literal(pattern: str) -> Callable[[str], bool]:
    """A rule matching the upper-cased value as written, separators included."""
    regex = re.compile(pattern)
    return lambda value: regex.fullmatch(value.strip().upper()) is not None


def _generic(value: str) -> bool:
    return _GENERIC.fullmatch(value.strip().upper()) is not None


# EU VAT numbers: the body after the two-letter prefix, as VIES publishes the formats.
# EL is Greece and XI Northern Ireland, as on VAT numbers themselves.
EU_VAT_BODIES: dict[str, str] = {
    "AT": r"U[0-9]{8}",
    "BE": r"[01]?[0-9]{9}",
    "BG": r"[0-9]{9,10}",
    "CY": r"[0-9]{8}[A-Z]",
    "CZ": r"[0-9]{8,10}",
    "DE": r"[0-9]{9}",
    "DK": r"[0-9]{8}",
    "EE": r"[0-9]{9}",
    "EL": r"[0-9]{9}",
    "ES": r"[A-Z0-9][0-9]{7}[A-Z0-9]",
    "FI": r"[0-9]{8}",
    "FR": r"[A-HJ-NP-Z0-9]{2}[0-9]{9}",
    "HR": r"[0-9]{11}",
    "HU": r"[0-9]{8}",
    "IE": r"[0-9]{7}[A-W][A-I]?|[0-9][A-Z+*][0-9]{5}[A-W]",
    "IT": r"[0-9]{11}",
    "LT": r"[0-9]{9}|[0-9]{12}",
    "LU": r"[0-9]{8}",
    "LV": r"[0-9]{11}",
    "MT": r"[0-9]{8}",
    "NL": r"[0-9]{9}B[0-9]{2}",
    "PL": r"[0-9]{10}",
    "PT": r"[0-9]{9}",
    "RO": r"[0-9]{2,10}",
    "SE": r"[0-9]{12}",
    "SI": r"[0-9]{8}",
    "SK": r"[0-9]{10}",
    "XI": r"[0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3}",
}
_EU_VAT = {prefix: re.compile(body) for prefix, body in EU_VAT_BODIES.items()}
_EU_VAT_COUNTRY = {"EL": "GR", "XI": "GB"}


def _eu_vat(value: str) -> bool:
    text = compact(value)
    body = _EU_VAT.get(text[:2])
    return body is not None and body.fullmatch(text[2:]) is not None


def corporate_number_check_digit(base: str) -> int:
    """The leading check digit of a Japanese corporate number, from its other 12 digits.

    9 - (sum of P(n) * Q(n) for n = 1..12, mod 9), where P(n) is the n-th digit counting
    from the right of the 12-digit base and Q(n) is 1 for odd n and 2 for even n.
    """
    if len(base) != 12 or not base.isdigit():
        raise ValueError("a corporate number base has exactly 12 digits")
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base), 1))
    return 9 - total % 9


def _jp_cn(value: str) -> bool:
    text = compact(value)
    if re.fullmatch(r"[1-9][0-9]{12}", text) is None:
        return False
    return int(text[0]) == corporate_number_check_digit(text[1:])


_GB_VAT_BODY = r"(?:[0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})"
_SWISS_UID = r"CHE-?[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}"
# A person's codice fiscale; companies use 11 digits instead.
_CODICE_FISCALE = r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]"
_SG_UEN = r"[0-9]{8}[A-Z]|[0-9]{9}[A-Z]|[TSR][0-9]{2}[A-Z]{2}[0-9]{4}[A-Z]"


def _digits(count: str) -> Callable[[str], bool]:
    return _shape(f"[0-9]{{{count}}}")


# Type -> rule. Shapes follow Stripe's documented example for the type; where a type has no
# documented example, the authority's published format; otherwise the generic shape.
RULES: dict[str, Callable[[str], bool]] = {
    "ad_nrt": _shape(r"[A-Z][0-9]{6}[A-Z]"),
    "ae_trn": _digits("15"),
    "al_tin": _shape(r"[A-Z][0-9]{8}[A-Z]"),
    "am_tin": _digits("8"),
    "ao_tin": _digits("9,14"),
    "ar_cuit": _digits("11"),
    "au_abn": _digits("11"),
    "au_acn": _digits("9"),
    "au_arn": _digits("12"),
    "au_wpn": _generic,
    "aw_tin": _digits("8"),
    "az_tin": _digits("10"),
    "ba_tin": _digits("12,13"),
    "bb_tin": _digits("13"),
    "bd_bin": _digits("13"),
    "bf_ifu": _generic,
    "bg_uic": _digits("9,13"),
    "bh_vat": _digits("15"),
    "bj_ifu": _digits("13"),
    "bo_tin": _digits("7,12"),
    "br_cnpj": _literal(r"[0-9]{2}\.?[0-9]{3}\.?[0-9]{3}/?[0-9]{4}-?[0-9]{2}"),
    "br_cpf": _literal(r"[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2}"),
    "bs_tin": _digits("9"),
    "bw_vat": _generic,
    "by_tin": _digits("9"),
    "ca_bn": _digits("9"),
    "ca_gst_hst": _shape(r"[0-9]{9}RT[0-9]{4}"),
    "ca_pst_bc": _shape(r"PST[0-9]{8}"),
    "ca_pst_mb": _digits("7"),
    "ca_pst_sk": _digits("7"),
    "ca_qst": _shape(r"[0-9]{10}TQ[0-9]{4}"),
    "cd_nif": _shape(r"[A-Z][0-9]{7}[A-Z]"),
    "ch_uid": _literal(_SWISS_UID + r"(?: ?HR)?"),
    "ch_vat": _literal(_SWISS_UID + r" ?(?:MWST|TVA|IVA|TPV)"),
    "ci_vat": _generic,
    "cl_tin": _literal(r"[0-9]{1,2}\.?[0-9]{3}\.?[0-9]{3}-?[0-9K]"),
    "cm_niu": _generic,
    "cn_tin": _shape(r"[0-9A-Z]{15}|[0-9A-Z]{18}"),
    "co_nit": _digits("9,10"),
    "cr_tin": _digits("9,12"),
    "cv_nif": _generic,
    "cz_dic": _shape(r"(?:CZ)?[0-9]{8,10}"),
    "de_stn": _digits("10,13"),
    "do_rcn": _digits("9,11"),
    "ec_ruc": _digits("13"),
    "eg_tin": _digits("9"),
    "es_cif": _shape(r"[A-Z0-9][0-9]{7}[A-Z0-9]"),
    "et_tin": _generic,
    "eu_oss_vat": _shape(r"EU[0-9]{9}"),
    "eu_vat": _eu_vat,
    "fo_vat": _generic,
    "fr_siren": _digits("9"),
    "fr_siret": _digits("14"),
    "fr_spi": _digits("13"),
    "gb_vat": _shape(r"(?:GB)?" + _GB_VAT_BODY),
    "ge_vat": _digits("9"),
    "gh_tin": _shape(r"[A-Z][0-9]{10}"),
    "gi_tin": _generic,
    "gn_nif": _digits("9"),
    "hk_br": _digits("8"),
    "hr_oib": _digits("11"),
    "hu_tin": _literal(r"[0-9]{8}-?[0-9]-?[0-9]{2}"),
    "ic_nif": _shape(r"[A-Z0-9][0-9]{7}[A-Z0-9]"),
    "id_npwp": _digits("15,16"),
    "il_vat": _digits("9"),
    "in_gst": _shape(r"[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]"),
    "is_kt": _digits("10"),
    "is_vat": _digits("5,6"),
    "it_cf": _shape(r"[0-9]{11}|" + _CODICE_FISCALE),
    "jp_cn": _jp_cn,
    "jp_rn": _digits("5"),
    "jp_trn": _shape(r"T[0-9]{13}"),
    "ke_pin": _shape(r"[AP][0-9]{9}[A-Z]"),
    "kg_tin": _digits("14"),
    "kh_tin": _generic,
    "kr_brn": _digits("10"),
    "kz_bin": _digits("12"),
    "la_tin": _generic,
    "li_uid": _shape(r"CHE[0-9]{9}"),
    "li_vat": _digits("5"),
    "lk_vat": _generic,
    "ma_vat": _generic,
    "md_cf": _generic,
    "md_vat": _generic,
    "me_pib": _digits("8"),
    "mk_vat": _shape(r"(?:MK)?[0-9]{13}"),
    "mr_nif": _generic,
    "mu_vat": _generic,
    "mx_rfc": _shape(r"[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}"),
    "my_frp": _digits("8"),
    "my_itn": _shape(r"[A-Z]{1,2}[0-9]{10,11}"),
    "my_sst": _shape(r"[A-Z][0-9]{2}[0-9]{4}[0-9]{8}"),
    "mz_nuit": _digits("9"),
    "ng_tin": _digits("12"),
    "no_vat": _shape(r"(?:NO)?[0-9]{9}MVA"),
    "no_voec": _digits("7"),
    "np_pan": _digits("9"),
    "nz_bn": _digits("13"),
    "nz_gst": _digits("8,9"),
    "om_vat": _shape(r"OM[0-9]{10}"),
    "pe_ruc": _digits("11"),
    "ph_tin": _digits("9,14"),
    "pl_nip": _digits("10"),
    "pt_nif": _digits("9"),
    "py_ruc": _generic,
    "ro_tin": _digits("13"),
    "rs_pib": _digits("9"),
    "ru_inn": _shape(r"[0-9]{10}|[0-9]{12}"),
    "ru_kpp": _digits("9"),
    "sa_vat": _digits("15"),
    "sg_gst": _shape(r"M[0-9A-Z][0-9]{7}[A-Z]|" + _SG_UEN),
    "sg_uen": _shape(_SG_UEN),
    "si_tin": _digits("8"),
    "sm_coe": _generic,
    "sn_ninea": _generic,
    "sr_fin": _digits("10"),
    "sv_nit": _digits("14"),
    "th_vat": _digits("13"),
    "tj_tin": _digits("9"),
    "tr_tin": _digits("10"),
    "tt_bir": _generic,
    "tt_vat": _generic,
    "tw_vat": _digits("8"),
    "tz_vat": _generic,
    "ua_vat": _shape(r"[0-9]{9}|[0-9]{12}"),
    "ug_tin": _digits("10"),
    "us_ein": _literal(r"[0-9]{2}-?[0-9]{7}"),
    "uy_ruc": _digits("12"),
    "uz_tin": _digits("9"),
    "uz_vat": _digits("12"),
    "ve_rif": _shape(r"[A-Z][0-9]{9}"),
    "vn_tin": _shape(r"[0-9]{10}|[0-9]{13}"),
    "za_vat": _shape(r"4[0-9]{9}"),
    "zm_tin": _digits("10"),
    "zw_tin": _digits("10"),
}

TYPES = frozenset(RULES)


@dataclass(frozen=True)
class TaxIdCheck:
    """What a format check decided: whether the value fits, and its country."""

    valid: bool
    country: str | None


def country_of(tax_type: str, value: str) -> str | None:
    """ISO country of a tax ID: from the type, or for `eu_vat` from the value's prefix."""
    if tax_type == "eu_vat":
        prefix = compact(value)[:2]
        return _EU_VAT_COUNTRY.get(prefix, prefix) if prefix in _EU_VAT else None
    if tax_type == "eu_oss_vat":
        return None  # a union-wide scheme, not one country's number
    return tax_type.split("_", 1)[0].upper()


def check(tax_type: str, value: str) -> TaxIdCheck:
    """Whether `value` has the shape of a `tax_type` ID. Unknown types are never valid."""
    rule = RULES.get(tax_type)
    if rule is None or not value.strip() or len(value) > MAX_VALUE_LENGTH:
        return TaxIdCheck(False, None)
    if not rule(value):
        return TaxIdCheck(False, None)
    return TaxIdCheck(True, country_of(tax_type, value))
