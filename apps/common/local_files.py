"""Secrets an embedded install makes for itself, once, in a git-ignored file
(standard library only: the settings module reads one)."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, *, make: Callable[[], str]) -> str:
    """The file's content, written by `make()` with owner-only access on first
    use; of two concurrent first starts, the file linked first wins."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as tmp:
            tmp.write(make())
        os.chmod(tmp.name, 0o600)
        try:
            os.link(tmp.name, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp.name)
    return path.read_text()
