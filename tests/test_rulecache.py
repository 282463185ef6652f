"""The checked rule set kept between runs (linter/rulecache.py): read back only for exactly the
files it was checked from, never for a configuration that failed, and never a reason to fail."""

import marshal
import pickle

import pytest

from flake8_torch2ms import config, rulecache
from flake8_torch2ms.engine import engine_for
from flake8_torch2ms.yamlfile import ConfigError

CHECK = config.load_ruleset  # the real one, cached per process with functools.lru_cache
RULE = "rules:\n  - id: my-rule\n    code: TMS901\n    message: do not call f\n    rule:\n      pattern: f($X)\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv(rulecache.CACHE_ENVIRONMENT, str(directory))
    CHECK.cache_clear()
    engine_for.cache_clear()  # load_screen builds an engine on a miss: each test starts a new process's way
    yield directory
    CHECK.cache_clear()
    engine_for.cache_clear()


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
    assert all(second.facts[family] == first.facts[family] for family in first.facts)


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


# ---- the prefilters kept for the flake8 plugin's start-up (rulecache.load_screen)


def test_the_prefilters_are_read_back_without_checking_the_rules(cache, checks):
    rulecache.load_screen()  # a first run checks the rules (through the engine) and keeps both entries
    assert len(checks) == 1 and len(list(cache.glob("*.screen"))) == 1
    rulecache.load_screen()
    assert len(checks) == 1


def test_prefilters_read_back_decide_as_the_engines_own(cache, ruleset):
    from flake8_torch2ms.engine import Engine

    engine = Engine(ruleset)
    rulecache.load_screen()
    screen = rulecache.load_screen()  # from the entry: rebuilt from plain values, regexes by name
    # Rebuilt from the entry, without the families' triggers.
    assert all(prefilter.trigger is None for prefilter in screen.prefilters)
    assert len(screen.prefilters) == len(engine.prefilters)
    sources = [example.source for rule in ruleset.rules for example in (*rule.valid, *rule.invalid)]
    sources += ["import mindspore\nfrom mindspore import nn\nnn.Dropout(0.1)\n",  # the positional form
                "import mindspore\nfrom mindspore import nn\nnn.Dropout(p=0.1)\n",
                "import mindspore\n# ops.clip_by_value(x, 0.1)\n", "import os\n"]
    decided = [(screen.may_match(source, "model.py"), engine.may_match(source, "model.py")) for source in sources]
    assert all(ours == engines for ours, engines in decided)
    assert {ours for ours, _ in decided} == {True, False}


def test_an_unreadable_prefilter_entry_is_rebuilt_from_the_rule_set(cache, checks):
    rulecache.load_screen()
    (entry,) = cache.glob("*.screen")
    for content in (b"not marshal data", b"", marshal.dumps((rulecache.SCREEN_FORMAT + 1, []))):
        entry.write_bytes(content)
        engine_for.cache_clear()  # as a new process
        assert rulecache.load_screen().may_match("import mindspore\nfrom mindspore import ops\nops.clamp(x, 0)\n")
        assert marshal.loads(entry.read_bytes())[0] == rulecache.SCREEN_FORMAT  # written again
    assert len(checks) == 1  # the checked rule set's own entry still served


def test_a_configuration_that_fails_gets_no_prefilter_entry(cache, tmp_path):
    user = tmp_path / "torch2ms.yml"
    user.write_text(RULE.replace("TMS901", "TMS101"), encoding="utf-8")
    with pytest.raises(ConfigError, match="your own rules take codes TMS900 to TMS999"):
        rulecache.load_screen(str(user))
    assert not list(cache.glob("*.screen"))
