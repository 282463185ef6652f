"""The line magics that IPython's automagic runs without their ``%``: asked of IPython where it is
installed, a fallback list where it is not."""

import sys

import pytest

from ci_requirements import import_or_skip
from flake8_torch2ms import ipython


@pytest.fixture
def fresh_names(monkeypatch):
    monkeypatch.setattr(ipython, "_AUTOMAGIC_NAMES", [])


def test_the_names_come_from_ipython_where_it_is_installed(fresh_names):
    import_or_skip("IPython", reason="IPython is in the test extra")
    names = ipython.automagic_names()
    # Magics of IPython's classes, its default aliases, and the ones its shell registers itself.
    assert {"pip", "conda", "cd", "env", "run", "ls", "mkdir", "ed", "hist"} <= names
    assert names == ipython._ipython_magic_names()
    assert "print" not in names and "import" not in names


def test_without_ipython_the_fallback_list_is_used(fresh_names, monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)  # import IPython now fails
    monkeypatch.setitem(sys.modules, "IPython.core", None)
    assert ipython.automagic_names() is ipython.AUTOMAGIC_FALLBACK
    assert {"pip", "conda", "cd", "ls", "run"} <= ipython.AUTOMAGIC_FALLBACK
