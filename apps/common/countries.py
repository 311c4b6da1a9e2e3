"""ISO 3166-1 alpha-2 country codes (officially assigned) and the checks of an
address's country and postal code: the one place every app takes them from."""

from rest_framework import serializers

ISO_COUNTRIES = frozenset(
    """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV
CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD
GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM
IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK
LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW
MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR
PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS
ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY
UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split()
)

COUNTRY_INVALID = "Enter an ISO 3166-1 alpha-2 country code."
# Letters, digits, spaces and hyphens, 3 to 20 long, no separator at either end:
# loose enough for every country's format, strict enough to refuse markup.
POSTAL_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 -]{1,18}[A-Za-z0-9]$"
POSTAL_CODE_INVALID = "Enter a valid postal code."


def country_code(value: str) -> str | None:
    """`value` upper-cased when it is an assigned code, else None."""
    code = value.upper()
    return code if code in ISO_COUNTRIES else None


def checked_country(value: str) -> str:
    """The assigned country code `value` names, upper-cased; a serializer's
    field error otherwise."""
    code = country_code(value)
    if code is None:
        raise serializers.ValidationError(COUNTRY_INVALID)
    return code
