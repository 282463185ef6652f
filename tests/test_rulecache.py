"""The checked rule set kept between runs (linter/rulecache.py): read back only for exactly the
files it was checked from, never for a configuration that failed, and never a reason to fail."""

import pickle

import pytest

from flake8_torch2ms import config, rulecache
from flake8_torch2ms.yamlfile import ConfigError

CHECK = config.load_ruleset  # the real one, cached per process with functools.lru_cache
RULE = "rules:\n  - id: my-rule\n    code: TMS901\n    message: do not call f\n    rule:\n      pattern: f($X)\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv(rulecache.CACHE_ENVIRONMENT, str(directory))
    CHECK.cache_clear()
    yield directory
    CHECK.cache_clear()


@pytest.fixture
def checks(monkeypatch):
    """How many times the rules were read and checked (not taken from the cache)."""
    calls = []

    def counted(*args):
        calls.append(args)
        CHECK.cache_clear()  # each call really checks, as a new process would
        return CHECK(*args)

    monkeypatch.setattr(config, "load_ruleset", counted)
    return calls


def test_a_second_run_reads_the_checked_rules_back(cache, checks):
    first = rulecache.load_ruleset()
    second = rulecache.load_ruleset()
    assert len(checks) == 1 and len(list(cache.glob("*.pickle"))) == 1
    assert [rule.code for rule in second.rules] == [rule.code for rule in first.rules]
    assert second.rules == first.rules and second.facts.keys() == first.facts.keys()
    assert all(vars(second.facts[family]) == vars(first.facts[family]) for family in first.facts)


def test_a_changed_configuration_is_checked_again(cache, checks, tmp_path):
    user = tmp_path / "torch2ms.yml"
    user.write_text(RULE, encoding="utf-8")
    assert "TMS901" in {rule.code for rule in rulecache.load_ruleset(str(user)).rules}
    user.write_text(RULE.replace("TMS901", "TMS902"), encoding="utf-8")
    codes = {rule.code for rule in rulecache.load_ruleset(str(user)).rules}
    assert "TMS902" in codes and "TMS901" not in codes and len(checks) == 2


def test_a_configuration_that_fails_is_never_cached(cache, checks, tmp_path):
    user = tmp_path / "torch2ms.yml"
    user.write_text(RULE.replace("TMS901", "TMS101"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError, match="your own rules take codes TMS900 to TMS999"):
            rulecache.load_ruleset(str(user))
    assert len(checks) == 2 and not list(cache.glob("*.pickle"))


def test_a_missing_configuration_is_the_usual_error(cache):
    with pytest.raises(ConfigError, match="configuration file not found"):
        rulecache.load_ruleset(str(cache / "nowhere.yml"))


def test_an_unreadable_entry_or_an_unwritable_directory_only_costs_a_check(cache, checks, monkeypatch):
    rulecache.load_ruleset()
    (entry,) = cache.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert rulecache.load_ruleset().rules and len(checks) == 2
    entry.write_bytes(pickle.dumps({"not": "a rule set"}))
    assert rulecache.load_ruleset().rules and len(checks) == 3
    blocked = cache.parent / "blocked"
    blocked.write_text("a file where the directory should be")
    monkeypatch.setenv(rulecache.CACHE_ENVIRONMENT, str(blocked / "cache"))
    assert rulecache.load_ruleset().rules and len(checks) == 4


def test_an_empty_setting_turns_the_cache_off(cache, checks, monkeypatch):
    monkeypatch.setenv(rulecache.CACHE_ENVIRONMENT, "")
    rulecache.load_ruleset()
    rulecache.load_ruleset()
    assert len(checks) == 2 and not cache.exists()
