"""Every e-mail variable the settings read is documented and wired in every
deployment: README, compose, its env example and the Kubernetes base."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "config" / "settings"
K8S_BASE = ROOT / "docker" / "k8s" / "base"
# Where development writes its e-mails; a deployment sends them.
DEVELOPMENT_ONLY = {"EMAIL_FILE_PATH"}


def email_variables() -> set[str]:
    text = "".join(path.read_text() for path in SETTINGS.glob("*.py"))
    return set(re.findall(r'env(?:\.\w+)?\(\s*"((?:DEFAULT_FROM_)?EMAIL_\w+)"', text))


def test_the_settings_read_the_smtp_connection_from_the_environment():
    assert {"EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"} <= (
        email_variables()
    )


@pytest.mark.parametrize(
    "where",
    [
        ROOT / "README.md",
        ROOT / "docker" / "compose.yml",
        ROOT / "docker" / "env.example",
        K8S_BASE,
    ],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_every_email_variable_is_wired(where):
    files = sorted(where.glob("*.yaml")) if where.is_dir() else [where]
    text = "".join(path.read_text() for path in files)

    wanted = email_variables() - (
        set() if where.name == "README.md" else DEVELOPMENT_ONLY
    )

    assert sorted(v for v in wanted if v not in text) == []
