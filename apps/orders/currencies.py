"""Digits of ISO 4217 currencies' minor units (the rounding unit of prices)."""

NO_MINOR_UNIT = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split()
)
THREE_DIGITS = frozenset("BHD IQD JOD KWD LYD OMR TND".split())


def minor_digits(currency: str) -> int:
    """0 for the yen, 3 for the Kuwaiti dinar, 2 (the cent) for the others."""
    code = currency.upper()
    if code in NO_MINOR_UNIT:
        return 0
    return 3 if code in THREE_DIGITS else 2
