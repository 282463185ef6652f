"""records.LazyPattern: a regex compiled on first use stands wherever the compiled one would.
records.FunctionByName: a function named by its module, imported on its first call.
records.cached_property: functools' without the lock, computed once per instance."""

import importlib
import pickle
import re
import subprocess
import sys

import pytest

from flake8_torch2ms.records import FunctionByName, LazyPattern, cached_property


def test_a_lazy_pattern_compiles_on_first_use_only(monkeypatch):
    compiled = []
    compile_ = re.compile
    monkeypatch.setattr(re, "compile", lambda *args: compiled.append(args) or compile_(*args))
    word = LazyPattern(r"[a-z]+(\d)", re.IGNORECASE)
    assert compiled == [] and word.pattern == r"[a-z]+(\d)" and word.flags == re.IGNORECASE
    assert word.match("Ab1").group(1) == "1"
    assert word.sub("-", "x1 y2 z") == "- - z" and word.findall("a1 b2") == ["1", "2"]
    assert word.groups == 1 and word.search("  q7").start() == 2
    assert len(compiled) == 1  # once, whatever is asked afterwards


def test_a_lazy_pattern_answers_as_the_compiled_pattern():
    for pattern, text in [(r"\r(?!\n)", "a\rb\r\nc"), (r"TMS[0-9]{3}\Z", "TMS101"), (r"[\w.]+\Z", "ops.clip")]:
        lazy, compiled = LazyPattern(pattern), re.compile(pattern)
        assert lazy.sub("\n", text) == compiled.sub("\n", text)
        assert bool(lazy.match(text)) == bool(compiled.match(text))
        assert lazy.split(text) == compiled.split(text)


def test_a_function_by_name_imports_its_module_on_the_first_call_only():
    # In a fresh interpreter: reading a pickled one back imports nothing, its first call does.
    script = ("import pickle, sys\n"
              "from flake8_torch2ms.records import FunctionByName\n"
              "data = pickle.dumps(FunctionByName.of(__import__('colorsys').rgb_to_hsv))\n"
              "del sys.modules['colorsys']\n"
              "function = pickle.loads(data)\n"
              "before = 'colorsys' in sys.modules\n"
              "print(before, function(1.0, 0.0, 0.0), 'colorsys' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "(0.0,", "1.0,", "1.0)", "True"], result.stderr


def test_every_familys_known_callback_is_found_by_name():
    # The engine's cached plan keeps it so: a lambda or a nested function would not be found.
    from flake8_torch2ms import families

    for family in families.FAMILIES:
        by_name = pickle.loads(pickle.dumps(FunctionByName.of(family.known)))
        assert by_name == FunctionByName.of(family.known)
        assert getattr(importlib.import_module(by_name.module), by_name.name) is family.known


def test_a_cached_property_is_computed_once_per_instance_and_then_read_from_the_instance():
    computed = []

    class View:
        def __init__(self, name):
            self.name = name

        @cached_property
        def answer(self):
            """The answer."""
            computed.append(self.name)
            return f"{self.name}!"

    first, second = View("a"), View("b")
    assert (first.answer, first.answer, second.answer) == ("a!", "a!", "b!")
    assert computed == ["a", "b"]
    assert vars(first)["answer"] == "a!"  # stored where a plain attribute read finds it
    assert isinstance(View.answer, cached_property) and View.answer.__doc__ == "The answer."


def test_a_cached_property_that_raises_stores_nothing_and_raises_again():
    calls = []

    class View:
        @cached_property
        def broken(self):
            calls.append(1)
            raise ValueError("inside the property")

    view = View()
    for _ in range(2):
        with pytest.raises(ValueError):
            view.broken
    assert len(calls) == 2 and "broken" not in vars(view)
