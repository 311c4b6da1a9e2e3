"""The kernel (apps/common, apps/eventbus) names no domain app: what it needs
of an app it learns from the settings or from what the app declares."""

import io
import re
import tokenize
from pathlib import Path

from django.conf import settings

from tests.architecture.conftest import ROOT

KERNEL = ("common", "eventbus")
# Apps that compose the domain apps (seeding), neither kernel nor domain.
COMPOSITION_ROOTS = ("demo",)
CHECKED_TOKENS = {tokenize.NAME, tokenize.STRING, tokenize.COMMENT}
STRING_DELIMITERS = re.compile(r"""^[A-Za-z]*('{3}|"{3}|'|")(.*)\1$""", re.DOTALL)


def domain_apps() -> list[str]:
    """Every package of apps/ that is not the kernel, so a new app is covered."""
    return sorted(
        path.parent.name
        for path in (ROOT / "apps").glob("*/apps.py")
        if path.parent.name not in (*KERNEL, *COMPOSITION_ROOTS)
    )


def label_pattern(labels: list[str]) -> re.Pattern:
    """A label as a word of its own, where `_`, `.` and `/` separate words
    (`orders_total`, `apps.orders`, `/api/v1/orders/`); a possessive
    ("other users' objects") is English, not a label."""
    alternatives = "|".join(map(re.escape, labels))
    return re.compile(rf"(?<![A-Za-z0-9])({alternatives})(?![A-Za-z0-9'])")


def text_of(token: tokenize.TokenInfo) -> str:
    """A string's content without prefix and quotes, so 'users' reads as users."""
    if token.type == tokenize.STRING:
        return STRING_DELIMITERS.match(token.string).group(2)
    return token.string


def named_labels(source: str, pattern: re.Pattern) -> list[tuple[int, str]]:
    """(line, label) for each identifier, string or comment naming a label."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in CHECKED_TOKENS:
            found += [(token.start[0], m) for m in pattern.findall(text_of(token))]
    return found


def kernel_files() -> list[Path]:
    files = []
    for package in KERNEL:
        for path in sorted((ROOT / "apps" / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" not in relative.parts:
                files.append(path)
    return files


def test_the_kernel_source_names_no_domain_app():
    pattern = label_pattern(domain_apps())

    named = [
        f"{path.relative_to(ROOT)}:{line}: {label}"
        for path in kernel_files()
        for line, label in named_labels(path.read_text(), pattern)
    ]

    assert named == []


def test_the_check_sees_the_four_apps_and_the_kernel_files():
    files = {path.relative_to(ROOT) for path in kernel_files()}

    assert domain_apps() == sorted(settings.DOMAIN_APPS)
    assert Path("apps/eventbus/outbox.py") in files
    assert Path("apps/common/management/commands/migrate_all.py") in files
    assert not any("migrations" in path.parts for path in files)


def test_planted_names_of_apps_are_caught_and_prose_is_not():
    source = (
        'HOME = "users"  # the orders app\n'
        "from apps.catalog import interface\n"
        'ROUTES = {("post", "/api/v1/orders/")}\n'
        'COUNTER = "inventory_reservations_failed_total"\n'
        "inventory = 1\n"
        "LABEL = 'orders'\n"
        "TEMPLATE = f'apps.{name}.users'\n"
        '"""Filter so other users\' objects are 404; reorders and catalogue."""\n'
    )

    found = named_labels(source, label_pattern(domain_apps()))

    assert found == [
        (1, "users"),
        (1, "orders"),
        (2, "catalog"),
        (3, "orders"),
        (4, "inventory"),
        (5, "inventory"),
        (6, "orders"),
        (7, "users"),
    ]
