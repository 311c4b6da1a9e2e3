"""The kernel's address checks (apps/common/countries.py), which the address
book, order placement, the cart and the orders interface all call."""

import re

import pytest

from apps.common.countries import POSTAL_CODE_PATTERN, country_code


@pytest.mark.parametrize(
    ("value", "code"),
    [("DE", "DE"), ("gb", "GB"), ("Fr", "FR"), ("XX", None), ("DEU", None), ("", None)],
)
def test_a_country_is_an_assigned_code_in_any_case(value, code):
    assert country_code(value) == code


@pytest.mark.parametrize("value", ["10115", "SW1Y 4JH", "1234-567", "A" * 20])
def test_postal_codes_of_every_format_pass(value):
    assert re.match(POSTAL_CODE_PATTERN, value)


@pytest.mark.parametrize(
    "value", ["!", "12", "-1234", "1234 ", "<b>1</b>", "A" * 21, "12\n34"]
)
def test_postal_codes_with_markup_separators_at_an_end_or_out_of_length_fail(value):
    assert not re.match(POSTAL_CODE_PATTERN, value)
