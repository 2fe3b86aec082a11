"""A client IP address's country, from the shipped GeoLite2 country data: known for public
IPv4 addresses, missing for everything it cannot place."""

from __future__ import annotations

import pytest

from seikyu.risk.ip_geolocation import country_of


@pytest.mark.parametrize(
    ("address", "country"),
    [("8.8.8.8", "US"), ("81.2.69.160", "GB"), ("1.1.1.1", "AU")],
)
def test_a_public_ipv4_address_has_its_country(address: str, country: str) -> None:
    assert country_of(address) == country


@pytest.mark.parametrize(
    "address",
    [
        None,
        "",
        "10.0.0.1",  # private
        "192.168.1.20",  # private
        "127.0.0.1",  # loopback
        "192.0.2.7",  # documentation
        "2001:4860:4860::8888",  # IPv6: the shipped data is IPv4 only
        "256.1.1.1",
        "not an address",
    ],
)
def test_an_address_it_cannot_place_has_no_country(address: str | None) -> None:
    assert country_of(address) is None
