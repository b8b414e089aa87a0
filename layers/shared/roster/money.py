"""Money is integer minor units plus an ISO 4217 currency; amounts from stores arrive as decimal
strings ("398.00") or numbers and are converted exactly, never through floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# The most any configured amount (budget, fee, CPA, bonus, cap, threshold) may be, in minor units:
# 10 billion in a two-decimal currency. Above it a value is a typo, not a plan.
MAX_AMOUNT = 10**12

# ISO 4217 List One: the active codes with a minor unit (funds included, precious metals, SDR and
# testing codes left out: nothing is sold in them). Withdrawn codes still in circulation (ANG,
# SLL, ZWL) stay until their replacement has taken over.
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN
    ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD
    JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT
    MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG
    QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS
    TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG
    XOF XPF YER ZAR ZMW ZWG ZWL
    """.split()  # noqa: SIM905 - a table reads better than 168 quoted strings
)

# ISO 4217 exponents that are not 2.
EXPONENTS = {
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    "CLF": 4,
    "UYW": 4,
}


def is_currency(code: str) -> bool:
    return code.upper() in CURRENCIES


def exponent(currency: str) -> int:
    return EXPONENTS.get(currency.upper(), 2)


def to_minor(amount: str | int | float | Decimal | None, currency: str) -> int:
    """ "398.00" USD → 39800; "1500" JPY → 1500. Raises ValueError on anything not a number."""
    if amount is None or amount == "":
        return 0
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    return int((value * (10 ** exponent(currency))).to_integral_value(rounding=ROUND_HALF_UP))
