"""Running the real commands the way users do, optionally without an optional dependency."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_cli import TORCH2MS


def torch2ms(*args: str, cwd: Path, env: dict | None = None, stdin: str | None = None,
             preexec_fn=None) -> subprocess.CompletedProcess:
    """``preexec_fn`` runs in the child before the command (to set a resource limit, say)."""
    result = subprocess.run([*TORCH2MS, *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True,
                            timeout=300, preexec_fn=preexec_fn)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def flake8(*args: str, cwd: Path, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "flake8", *args], cwd=cwd, env=env, input=stdin,
                            capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def without(directory: Path, *packages: str) -> dict:
    """An environment in which importing ``packages`` fails, as if they were not installed: a
    package of the same name that raises ImportError comes first on the path."""
    for package in packages:
        stub = directory / package
        stub.mkdir(parents=True, exist_ok=True)
        (stub / "__init__.py").write_text(f"raise ImportError('{package} is not installed (test stub)')\n",
                                          encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(directory), env.get("PYTHONPATH", "")]))
    return env
