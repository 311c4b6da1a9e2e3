"""Helpers of the account self-service tests: the token in an e-mailed link."""

import re

from django.core import mail

TOKEN = re.compile(r"\?token=(\S+)")


def link_tokens(*, to: str) -> list[str]:
    """The tokens of the links e-mailed to `to`, oldest first."""
    return [
        TOKEN.search(message.body).group(1)
        for message in mail.outbox
        if message.to == [to] and TOKEN.search(message.body)
    ]
