"""What a developer's run may skip but CI may not. .ci/run sets CI=true, installs the test extra
and fetches the corpus slice, so under CI a missing extra or a missing slice package is a broken
setup, and hiding it behind a skip would report tests as run that never ran."""

from __future__ import annotations

import importlib
import os

import pytest

IN_CI = os.environ.get("CI") == "true"


def import_or_skip(module: str, reason: str):
    """``pytest.importorskip``, except under CI=true, where a missing module is an ImportError."""
    if IN_CI:
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=reason)


def skip_or_fail(reason: str, allow_module_level: bool = False) -> None:
    """Skip here; under CI=true, fail with the same reason."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this is not skipped in CI)", pytrace=False)
    pytest.skip(reason, allow_module_level=allow_module_level)
