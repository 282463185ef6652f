"""The checked rule set kept between runs (linter/rulecache.py): read back only for exactly the
files it was checked from, never for a configuration that failed, and never a reason to fail."""

import marshal
import os
import pickle
import time
from pathlib import Path

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


# ---- the engine's plan kept with the rule set (rulecache.load_engine)

TRAINING_STEP = "from mindspore import ops\n\ndef step(x, label):\n    loss, grads = grad_fn(x, label)\n" \
                "    grads = ops.clip_by_value(grads, 0.1)\n    return optimizer(grads)\n"


def plan_shape(engine) -> tuple:
    """What the plan decides, in plain values: groups by matcher with their rules, dispatch and
    kinds, the merge order, each rule's prefilter and the renamable words."""
    position = {id(prefilter): index for index, prefilter in enumerate(engine.prefilters)}
    groups = [(group.matcher, [rule.id for rule in group.rules], group.dispatch, group.kinds,
               {rule_id: position[id(prefilter)] for rule_id, prefilter in group.prefilters.items()})
              for group in engine.groups]
    order = [engine.groups.index(group) for group in engine._merge_order]
    return (engine.rules, groups, order, [prefilter.state() for prefilter in engine.prefilters], engine._renamable)


def test_a_second_process_reads_the_engines_plan_back(cache, checks, monkeypatch):
    from flake8_torch2ms.engine import Engine

    built = engine_for()
    assert len(list(cache.glob("*.engine"))) == 1 and len(checks) == 1
    fresh = Engine(CHECK())
    engine_for.cache_clear()  # as a new process
    monkeypatch.setattr(Engine, "_plan", lambda self, ruleset: pytest.fail("the plan was derived, not read back"))
    read = engine_for()
    assert read is not built and len(checks) == 1
    assert plan_shape(read) == plan_shape(fresh) == plan_shape(built)
    # Shared objects stay shared: one prefilter per distinct trigger, groups in the merge order.
    assert {id(prefilter) for group in read.groups for prefilter in group.prefilters.values()} \
        == {id(prefilter) for prefilter in read.prefilters}
    assert {id(group) for group in read._merge_order} <= {id(group) for group in read.groups}
    assert all(prefilter.trigger is None for prefilter in read.prefilters)  # regexes by name, compiled on use
    sources = [TRAINING_STEP] + [example.source for rule in fresh.rules for example in (*rule.valid, *rule.invalid)]
    assert [read.check(source, "train.py") for source in sources] == \
        [fresh.check(source, "train.py") for source in sources]
    assert read.check(TRAINING_STEP, "train.py")[0].code == "TMS103"


def test_a_plan_with_an_original_is_kept_apart(cache, checks, tmp_path):
    original = tmp_path / "original"
    original.mkdir()
    without = engine_for()
    paired = engine_for(None, str(original))
    assert len(list(cache.glob("*.engine"))) == 1 and len(list(cache.glob("*.pair-engine"))) == 1
    engine_for.cache_clear()
    assert plan_shape(engine_for(None, str(tmp_path))) == plan_shape(paired)  # one entry serves every original
    assert plan_shape(engine_for()) == plan_shape(without)
    assert plan_shape(paired) != plan_shape(without)  # the paired rules' triggers find words only with one
    assert len(checks) == 1


def test_a_changed_configuration_gets_a_new_plan(cache, checks, tmp_path):
    user = tmp_path / "torch2ms.yml"
    user.write_text(RULE, encoding="utf-8")
    assert "TMS901" in {rule.code for rule in engine_for(str(user)).rules}
    user.write_text(RULE.replace("TMS901", "TMS902").replace("f($X)", "g($X)"), encoding="utf-8")
    engine_for.cache_clear()
    engine = engine_for(str(user))
    assert {"TMS902"} == {rule.code for rule in engine.rules} & {"TMS901", "TMS902"}
    assert [finding.code for finding in engine.check("g(1)\nf(1)\n")] == ["TMS902"]
    assert len(checks) == 2 and len(list(cache.glob("*.engine"))) == 2


@pytest.mark.parametrize("changed", ["a packaged rule file", "a source file of the package", "ast-grep-py",
                                     "Python", "a new install of the wheel"])
def test_a_change_to_the_installed_code_gets_a_new_plan(cache, checks, monkeypatch, changed):
    # Where the change happens: a checkout's (or an editable install's) files, stamped one by one,
    # or an installed wheel's RECORD (the suite may run on either; wheel_record is None in a checkout).
    record = ["RECORD\x00100\x001"] if changed == "a new install of the wheel" else [None]
    monkeypatch.setattr(rulecache, "wheel_record", lambda: record[0])
    rulecache.installed_stamps.cache_clear()
    engine_for()
    (first,) = cache.glob("*.engine")
    rules_folder = str(Path(rulecache.find_spec("flake8_torch2ms.rules").submodule_search_locations[0]))
    stamps = rulecache.file_stamps

    def touched(folder: str, suffix: str) -> list[tuple[str, int, int]]:
        found = stamps(folder, suffix)
        chosen = {"a packaged rule file": folder == rules_folder and suffix == ".yml",
                  "a source file of the package": folder == str(rulecache.PACKAGE),
                  "ast-grep-py": "ast_grep_py" in folder}[changed]
        return [(path, size, modified + 1) for path, size, modified in found[:1]] + found[1:] if chosen else found

    if changed == "Python":
        monkeypatch.setattr(rulecache.sys, "version", rulecache.sys.version + " (another build)")
    elif changed == "a new install of the wheel":
        record[0] = "RECORD\x00101\x002"
    else:
        monkeypatch.setattr(rulecache, "file_stamps", touched)
    rulecache.installed_stamps.cache_clear()  # as a new process after the change
    engine_for.cache_clear()
    try:
        assert engine_for().check(TRAINING_STEP, "train.py")[0].code == "TMS103"
        assert len(checks) == 2 and len(list(cache.glob("*.engine"))) == 2 and first.exists()
    finally:
        rulecache.installed_stamps.cache_clear()


def test_the_installed_files_are_stamped_once_per_process(cache, monkeypatch):
    rulecache.installed_stamps.cache_clear()
    scans = []
    stamps = rulecache.file_stamps
    monkeypatch.setattr(rulecache, "file_stamps", lambda *args: scans.append(args) or stamps(*args))
    try:
        rulecache.load_screen()  # a first run: stamps the files, checks the rules, keeps both entries
        scanned = len(scans)
        engine_for.cache_clear()
        rulecache.load_screen()
        engine_for()
        assert scanned and len(scans) == scanned
    finally:
        rulecache.installed_stamps.cache_clear()


def test_an_unreadable_plan_entry_is_rebuilt_without_a_traceback(cache, checks, capsys):
    engine_for()
    (entry,) = cache.glob("*.engine")
    good = entry.read_bytes()
    plan, facts = pickle.loads(good)
    not_rules = pickle.dumps((plan.replace(rules=[{"not": "a rule"}]), facts))
    for content in (b"not a pickle", b"", good[:len(good) // 2], pickle.dumps({"not": "a plan"}),
                    pickle.dumps((plan, "not facts")), not_rules):
        entry.write_bytes(content)
        engine_for.cache_clear()  # as a new process
        assert engine_for().check(TRAINING_STEP, "train.py")[0].code == "TMS103"
        assert pickle.loads(entry.read_bytes())[0].rules == plan.rules  # written again
    assert len(checks) == 1  # the checked rule set's own entry still served
    assert capsys.readouterr() == ("", "")


def test_a_configuration_that_fails_gets_no_plan_entry(cache, tmp_path):
    user = tmp_path / "torch2ms.yml"
    user.write_text(RULE.replace("TMS901", "TMS101"), encoding="utf-8")
    with pytest.raises(ConfigError, match="your own rules take codes TMS900 to TMS999"):
        engine_for(str(user))
    assert not list(cache.glob("*.engine"))


# ---- pruning: the directory keeps what runs use, not every entry ever written


DAYS = rulecache.DAY
ENTRY = "ab" * 32  # a digest, as every entry's name starts


def aged(path: Path, seconds: float) -> Path:
    """``path`` with its modification time ``seconds`` ago."""
    when = time.time() - seconds
    os.utime(path, (when, when))
    return path


def made(directory: Path, name: str, seconds: float = 0) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(b"x")
    return aged(path, seconds)


def test_pruning_deletes_only_this_packages_entries_unused_for_a_month(tmp_path):
    unused = [made(tmp_path, f"{ENTRY}.engine", 31 * DAYS), made(tmp_path, f"{ENTRY[:32]}.json", 40 * DAYS),
              made(tmp_path, ".a1b2_c3d.tmp", 2 * 60 * 60)]  # a write that died two hours ago
    kept = [made(tmp_path, f"{ENTRY}.screen", 29 * DAYS), made(tmp_path, ".zz9_8y7x.tmp", 10 * 60),
            made(tmp_path, "notes.txt", 400 * DAYS),  # the user's own file, in a folder they chose
            made(tmp_path, f"{ENTRY[:31]}.json", 400 * DAYS), made(tmp_path, f"{ENTRY.upper()}.pickle", 400 * DAYS),
            made(tmp_path, f"{ENTRY}.engine.bak", 400 * DAYS)]
    folder = tmp_path / f"{ENTRY}.pickle"
    folder.mkdir()
    aged(folder, 400 * DAYS)
    rulecache.prune(tmp_path)
    assert not any(path.exists() for path in unused)
    assert all(path.exists() for path in kept) and folder.is_dir()


def test_pruning_runs_at_most_once_a_day_per_directory(tmp_path):
    rulecache.prune(tmp_path)  # an empty directory, pruned: the stamp says when
    stale = made(tmp_path, f"{ENTRY}.engine", 90 * DAYS)
    rulecache.prune(tmp_path)
    assert stale.exists()
    aged(tmp_path / rulecache.PRUNE_STAMP, 25 * 60 * 60)
    rulecache.prune(tmp_path)
    assert not stale.exists()


def test_pruning_a_directory_that_is_gone_or_not_a_directory_does_nothing(tmp_path):
    rulecache.prune(tmp_path / "nowhere")
    made(tmp_path, "a-file")
    rulecache.prune(tmp_path / "a-file")
    assert not (tmp_path / "nowhere").exists() and (tmp_path / "a-file").is_file()


def test_reading_an_entry_marks_it_used_at_most_once_a_day(tmp_path):
    old = made(tmp_path, f"{ENTRY}.engine", 40 * DAYS)
    assert rulecache.read_entry(old) == b"x" and time.time() - old.stat().st_mtime < 60
    recent = made(tmp_path, f"{ENTRY}.screen", 60 * 60)
    before = recent.stat().st_mtime_ns
    rulecache.read_entry(recent)
    assert recent.stat().st_mtime_ns == before
    with pytest.raises(OSError):
        rulecache.read_entry(tmp_path / "missing")


def test_a_new_entry_prunes_the_stale_ones_and_keeps_those_in_use(cache, checks):
    rulecache.load_ruleset()
    (in_use,) = cache.glob("*.pickle")
    aged(in_use, 45 * DAYS)
    stale = made(cache, f"{'cd' * 32}.pickle", 45 * DAYS)  # an older version's rule set
    aged(cache / rulecache.PRUNE_STAMP, 2 * DAYS)  # the first write pruned the directory, two days ago
    rulecache.load_ruleset()  # read: in use again
    rulecache.load_engine()  # a new entry written: the directory is pruned
    assert in_use.exists() and not stale.exists() and len(checks) == 1
    assert list(cache.glob("*.engine"))


# ---- an installed wheel: its RECORD stands for its files (rulecache.wheel_record)


@pytest.fixture
def wheel(tmp_path, monkeypatch):
    """A package folder as pip installs a wheel: the RECORD in the dist-info folder beside it."""
    from flake8_torch2ms import __version__

    site = tmp_path / "site-packages"
    (site / "flake8_torch2ms").mkdir(parents=True)
    record = site / f"flake8_torch2ms-{__version__}.dist-info" / "RECORD"
    record.parent.mkdir()
    record.write_text("flake8_torch2ms/__init__.py,sha256=aaa,10\nflake8_torch2ms/rulecache.py,sha256=bbb,20\n",
                      encoding="utf-8")
    monkeypatch.setattr(rulecache, "PACKAGE", site / "flake8_torch2ms")
    rulecache.wheel_record.cache_clear()
    rulecache.installed_stamps.cache_clear()
    yield record
    rulecache.wheel_record.cache_clear()
    rulecache.installed_stamps.cache_clear()


def test_an_installed_wheel_is_stamped_by_its_record_not_by_each_file(wheel, monkeypatch):
    scanned = []
    stamps = rulecache.file_stamps
    monkeypatch.setattr(rulecache, "file_stamps", lambda *args: scanned.append(args[0]) or stamps(*args))
    first = rulecache.installed_stamps()
    assert str(wheel) in first and all("ast_grep_py" in folder for folder in scanned)
    wheel.write_text(wheel.read_text(encoding="utf-8").replace("bbb", "cccc"), encoding="utf-8")  # another install
    rulecache.wheel_record.cache_clear()
    rulecache.installed_stamps.cache_clear()
    assert rulecache.installed_stamps() != first


@pytest.mark.parametrize("layout", ["no RECORD", "a RECORD of another package", "another version's RECORD"])
def test_without_this_packages_record_every_file_is_stamped(wheel, monkeypatch, layout):
    if layout == "no RECORD":
        wheel.unlink()
    elif layout == "a RECORD of another package":
        wheel.write_text("other/rulecache.py,sha256=bbb,20\nxflake8_torch2ms/rulecache.py,sha256=b,2\n",
                         encoding="utf-8")
    else:
        wheel.parent.rename(wheel.parent.with_name("flake8_torch2ms-0.0.1.dist-info"))
    scanned = []
    monkeypatch.setattr(rulecache, "file_stamps", lambda folder, suffix: scanned.append(folder) or [])
    assert rulecache.wheel_record() is None
    rulecache.installed_stamps()
    assert str(rulecache.PACKAGE) in scanned


def test_the_original_trees_code_stamps_follow_the_wheel_too(wheel):
    from flake8_torch2ms.families.pairs import originals

    originals.code_stamps.cache_clear()
    try:
        record = rulecache.wheel_record()
        assert record is not None and originals.code_stamps() == record
    finally:
        originals.code_stamps.cache_clear()
