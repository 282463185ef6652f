"""A rule that is off by default (TMS404) runs only when a configuration file's ``enable:`` names it."""

from __future__ import annotations

import textwrap

import pytest
from pair_helpers import Engine, Pairing

from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.yamlfile import ConfigError

ORIGINAL = "from torch import nn\nconv = nn.Conv2d(3, 8, 3, padding=1, bias=False)\n"
PORT = "from mindspore import nn\nconv = nn.Conv2d(3, 8, 3, pad_mode='pad', padding=1)\n"


def codes(tmp_path, config: str | None) -> list[str]:
    path = None
    if config is not None:
        path = tmp_path / "torch2ms.yml"
        path.write_text(textwrap.dedent(config), encoding="utf-8")
    (tmp_path / "original").mkdir(exist_ok=True)
    (tmp_path / "original" / "model.py").write_text(ORIGINAL, encoding="utf-8")
    load_ruleset.cache_clear()
    try:
        engine = Engine(load_ruleset(str(path) if path else None), Pairing(str(tmp_path / "original")))
    finally:
        load_ruleset.cache_clear()
    return [finding.code for finding in engine.check(PORT, str(tmp_path / "port" / "model.py"))]


def test_off_by_default_and_on_when_enabled(tmp_path):
    assert codes(tmp_path, None) == []
    assert codes(tmp_path, "enable: [TMS404]\n") == ["TMS404"]
    assert codes(tmp_path, "enable: [init-differs-from-original]\n") == ["TMS404"]
    assert codes(tmp_path, "enable: [TMS404]\ndisable: [TMS404]\n") == []


def test_enabling_an_unknown_rule_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="'enable' names 'TMS499', which is no rule's code or id"):
        codes(tmp_path, "enable: [TMS499]\n")


def test_the_default_engine_leaves_the_rule_out(engine, ruleset):
    assert "TMS404" in {rule.code for rule in ruleset.rules}
    assert "TMS404" not in {rule.code for rule in engine.rules}
