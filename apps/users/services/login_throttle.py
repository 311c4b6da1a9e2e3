"""Login attempts limited per client, per account from one client, and per
account, on the kernel's rate windows (apps.common.throttling).

Every attempt is counted atomically before its password is checked, so
simultaneous guesses cannot pass a limit; a correct password takes its count
back and clears that client's record for the account. The per-account budget
stops only clients that already failed for the account in their window: a
stranger's guesses never lock the owner out of their own account. An unknown
e-mail is counted like a known one, so the answers for both stay the same.
Rates: DEFAULT_THROTTLE_RATES `login_ip`, `login_account_client`,
`login_account`.

Requests that e-mail an address (password reset) are counted the same way
per client and per address (`account_mail_ip`, `account_mail_address`),
known and unknown addresses alike.
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from rest_framework.settings import api_settings

from apps.common.throttling import RateWindow, windows_hit, windows_settle
from apps.users.errors import AccountMailThrottled, LoginThrottled

_now = time.time  # replaced in tests
T = TypeVar("T")


@dataclass(frozen=True)
class _Counted:
    subject: str
    window: RateWindow
    count: int

    def over(self) -> bool:
        return self.count > self.window.limit


def _subject(scope: str, *identities: str) -> str:
    digest = hashlib.sha256("\0".join(identities).encode()).hexdigest()[:32]
    return f"users:login-attempts:{scope}:{digest}"


def _hit(scopes: dict[str, tuple[str, ...]], *, now: float) -> list[_Counted]:
    """Count one attempt in each scope (scope: its identities), one round trip."""
    counted = [
        (
            _subject(scope, *identities),
            RateWindow.of_rate(api_settings.DEFAULT_THROTTLE_RATES[scope]),
        )
        for scope, identities in scopes.items()
    ]
    counts = windows_hit(counted, now=now)
    return [
        _Counted(subject, window, count)
        for (subject, window), count in zip(counted, counts, strict=True)
    ]


def _refused(*, client: _Counted, pair: _Counted, account: _Counted) -> list[_Counted]:
    # A client's first attempt on the account in its window passes the
    # account budget: that budget is for clients that have already failed.
    account_refuses = account.over() and pair.count > 1
    return [c for c in (client, pair) if c.over()] + [account] * account_refuses


def login_attempt(
    *, account: str, address: str, check: Callable[[], T | None]
) -> T | None:
    """Counts the attempt, raises LoginThrottled past a limit, else returns
    `check()` (None: a failed attempt, which keeps its count)."""
    now = _now()
    client, pair, account_count = _hit(
        {
            "login_ip": (address,),
            "login_account_client": (account, address),
            "login_account": (account,),
        },
        now=now,
    )
    refused = _refused(client=client, pair=pair, account=account_count)
    if refused:
        raise LoginThrottled(
            retry_after=max(c.window.retry_after(now) for c in refused)
        )
    outcome = check()
    if outcome is not None:
        windows_settle(
            unhit=[(c.subject, c.window) for c in (client, account_count)],
            clear=[(pair.subject, pair.window)],
            now=now,
        )
    return outcome


def account_mail_request(*, account: str, address: str) -> None:
    """Counts a request to e-mail `account` from client `address`; raises
    AccountMailThrottled past either limit."""
    now = _now()
    counted = _hit(
        {"account_mail_ip": (address,), "account_mail_address": (account,)}, now=now
    )
    refused = [c for c in counted if c.over()]
    if refused:
        raise AccountMailThrottled(
            retry_after=max(c.window.retry_after(now) for c in refused)
        )
