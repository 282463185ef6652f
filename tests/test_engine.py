"""The engine's guarantees: it never raises, it skips files that cannot match, one walk per matcher."""

import gc
import pickle
import textwrap
from pathlib import Path

import pytest

from conftest import engine_with_config
from flake8_torch2ms import engine as engine_module
from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.families.clipping import views

SOURCE = textwrap.dedent(
    """\
    from mindspore import ops
    loss, grads = grad_fn(data, label)
    ops.clip_by_value(grads, 0.1)
    """
)


def test_files_without_clip_words_are_not_parsed(engine, monkeypatch):
    def refuse(*args):
        raise AssertionError("parsed a file that cannot match")

    monkeypatch.setattr(engine_module, "SgRoot", refuse)
    assert engine.check("import mindspore\nx = ops.relu(y)\n" * 1000) == []


def test_rules_sharing_a_matcher_and_the_model_share_one_walk(engine, monkeypatch):
    walks = []
    real_root = engine_module.SgRoot

    class CountingRoot:
        def __init__(self, source, language):
            self.root_node = real_root(source, language).root()

        def root(self):
            outer = self.root_node

            class Root:
                def __getattr__(self, name):
                    return getattr(outer, name)

                def find_all(self, config=None, **rule):
                    walks.append(config["rule"] if config is not None else rule)
                    return outer.find_all(config) if config is not None else outer.find_all(**rule)

                def find(self, config=None, **rule):
                    walks.append(config["rule"] if config is not None else rule)
                    return outer.find(config) if config is not None else outer.find(**rule)

            return Root()

    monkeypatch.setattr(engine_module, "SgRoot", CountingRoot)
    findings = engine.check(SOURCE)
    assert [f.code for f in findings] == ["TMS102", "TMS103"]
    # Eight clipping rules, one walk for all of them (TMS201's words are absent: no walk), and
    # the model's imports and misparse check come from that walk: nothing walks the file again.
    assert walks == [{"any": [engine_module.MODEL_BRANCH,
                              {"all": [{"matches": "clip-call"}, {"pattern": "$TORCH2MS_GROUP0"}]}]}]


def merged_group(rule: dict) -> engine_module._Group:
    matcher = {"rule": rule}
    dispatch = engine_module._mergeable(matcher)
    return engine_module._Group(matcher, [], {}, dispatch, engine_module._top_kinds(dispatch))


def ranges(nodes) -> list[tuple[int, int]]:
    return [(node.range().start.index, node.range().end.index) for node in nodes]


@pytest.mark.parametrize("calls_of_f", [0, engine_module.ASKED_AT_MOST - 1, engine_module.ASKED_AT_MOST, 40])
def test_each_group_gets_every_node_its_rule_matches_from_the_merged_walk_or_its_own(calls_of_f):
    """Nodes an earlier group's branch takes are asked of the later groups one by one, up to
    ASKED_AT_MOST of them; a group asked about more walks on its own (left out of the answer, so
    that _run_group walks). Either way each group gets exactly what its rule matches alone, in
    the walk's order."""
    source = "".join(f"f({index})\n" for index in range(calls_of_f)) + "x = g(f)\n"
    root = engine_module.SgRoot(source, "python").root()
    calls = merged_group({"kind": "call"})
    of_f = merged_group({"kind": "call", "has": {"field": "function", "regex": "^f$"}})
    of_g = merged_group({"kind": "call", "has": {"field": "function", "regex": "^g$"}})
    groups = [calls, of_f, of_g]
    merged, _ = engine_module._merged_matches(root, groups)
    for group in groups:
        alone = ranges(root.find_all(group.matcher))
        if id(group) in merged:
            assert ranges(merged[id(group)]) == alone
    # The first group takes every call; each later group is asked about all of them.
    asked_one_by_one = calls_of_f + 1 <= engine_module.ASKED_AT_MOST
    assert (id(calls) in merged, id(of_f) in merged, id(of_g) in merged) == (True, asked_one_by_one, asked_one_by_one)


def test_a_walk_carries_only_the_utils_its_rule_names(engine):
    # Every rule is loaded with every family's utils; ast-grep would compile them all on each walk.
    for group in engine.groups:
        named = engine_module._named_utils(group.matcher["rule"])
        assert set(group.matcher.get("utils", {})) == named, group.matcher["rule"]
    utils = {"a": {"any": [{"matches": "b"}]}, "b": {"kind": "call"}, "c": {"kind": "call"}}
    nested = {"rule": {"matches": "a"}, "utils": utils}
    assert set(engine_module._used_utils(nested)["utils"]) == {"a", "b"}
    unknown = {"rule": {"matches": "d"}, "utils": {"c": {"kind": "call"}}}
    assert engine_module._used_utils(unknown) == unknown  # ast-grep's own error, unchanged


def test_a_failing_rule_reports_tms000_and_the_others_go_on(engine, monkeypatch):
    def broken(self):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(views.ClipCall, "bounds", property(broken))
    findings = engine.check(SOURCE)
    assert ("TMS102", 3) in [(f.code, f.line) for f in findings]
    internal = [f for f in findings if f.code == "TMS000"]
    assert internal and all(f.line == 1 and f.column == 0 for f in internal)
    assert "RecursionError: maximum recursion depth exceeded" in internal[0].message
    assert not any(f.code in ("TMS103", "TMS104", "TMS105", "TMS106") for f in findings)


@pytest.mark.parametrize("source, expected", [
    # Nothing imports `ops`: nothing resolves, nothing is reported.
    ("def broken(:\n    ops.clip_by_value(grads, 0.1\n", []),
    # The call never closes: no call to judge.
    ("from mindspore import ops\ngrads = ops.clip_by_value(grads, 0.1\n", []),
    # The parser recovers after the broken line: the intact call is still judged.
    ("from mindspore import ops\ndef broken(:\n    pass\ngrads = ops.clip_by_value(grads, 0.1)\n", [(4, "TMS103")]),
], ids=["no-import", "unclosed-call", "broken-line-before"])
def test_unparsable_source_gives_no_crash(check, source, expected):
    # flake8 and torch2ms lint only files that parse; the engine itself takes any text without
    # raising and without a TMS000.
    assert check(source) == expected


def test_findings_are_sorted_by_position_across_rules(engine):
    findings = engine.check(SOURCE + SOURCE.split("\n", 1)[1])
    assert [(f.line, f.code) for f in findings] == [(3, "TMS102"), (3, "TMS103"), (5, "TMS102"), (5, "TMS103")]


def test_two_matches_at_one_place_are_one_finding(tmp_path):
    """``make_clip()(grads)``: the outer call and the inner ``make_clip()`` both start at 1:0 and both
    match this user rule, whose message has no variable: flake8 would print the same line twice."""
    config = tmp_path / "torch2ms.yml"
    config.write_text("rules:\n  - {id: clip-factory-call, code: TMS901, message: call the clip function directly,\n"
                      "     rule: {kind: call, has: {field: function, regex: clip}}}\n", encoding="utf-8")
    engine = engine_module.Engine(load_ruleset(str(config)))
    findings = engine.check("make_clip()(grads)\nclip(grads)\n")
    assert [(f.line, f.column, f.code) for f in findings] == [(1, 0, "TMS901"), (2, 0, "TMS901")]


def test_the_flake8_adapter_turns_an_engine_crash_into_tms000(monkeypatch):
    from flake8_torch2ms import plugin

    def explode(self, source, path=None, python_tree=None):
        raise MemoryError("out of memory")

    monkeypatch.setattr(engine_module.Engine, "check", explode)
    # A file the prefilter passes: one it drops never reaches the engine.
    checker = plugin.Torch2MSChecker(None, ["from mindspore import ops\n", "ops.clip_by_value(g, 0.1)\n"], "x.py")
    results = list(checker.run())
    assert [(line, column) for line, column, _, _ in results] == [(1, 0)]
    assert results[0][2].startswith("TMS000 flake8-torch2ms could not check this file with the engine (MemoryError")


NOTHING_TO_MATCH = "import os\n\n\ndef join(*parts):\n    return os.path.join(*parts)\n"
ONE_FINDING = "from mindspore import ops\n\n\ndef step(grads):\n    return ops.clip_by_value(grads, 0.1)\n"


@pytest.mark.parametrize("source", [NOTHING_TO_MATCH, ONE_FINDING], ids=["screened-out", "checked"])
@pytest.mark.parametrize("caller", ["flake8 plugin", "engine"])
def test_a_files_parse_is_let_go_once_its_file_is_done(engine, caller, source):
    """Nothing keeps flake8's parse of a file (nor its text) once the file is done: kept to the
    end of an editor's process, every later collection walks it and it is freed only at exit."""
    import ast
    import weakref

    from flake8_torch2ms import plugin

    tree = ast.parse(source)
    parse_alive = weakref.ref(tree)
    if caller == "flake8 plugin":
        found = [code[:6] for _, _, code, _ in plugin.Torch2MSChecker(tree, source.splitlines(True), "m.py").run()]
    else:
        found = [finding.code for finding in engine.check(source, "m.py", tree)]
    assert found == ([] if source is NOTHING_TO_MATCH else ["TMS103"])
    del tree
    assert parse_alive() is None


def test_node_offsets_are_those_of_range_after_wide_characters():
    # nodes.start/end read offsets from SgNode.replace("") instead of range() (whose column scan
    # costs the length of the line); both must count the same characters, astral ones included.
    from ast_grep_py import SgRoot

    from flake8_torch2ms.semantics import nodes

    source = 's = "é😀中"; t = (f(a), g(b))  # 😀\nx = ops.clip_by_value(grads, 0.1)\n'
    stack, seen = [SgRoot(source, "python").root()], 0
    while stack:
        node = stack.pop()
        span = node.range()
        assert (nodes.start(node), nodes.end(node)) == (span.start.index, span.end.index)
        assert source[nodes.start(node):nodes.end(node)] == node.text()
        stack.extend(node.children())
        seen += 1
    assert seen > 40


@pytest.mark.parametrize("call, evaluated", [
    ("nn.MaxPool2d(kernel_size=3, stride=2)", False),  # a stride by keyword: never reported, never asked
    ("nn.MaxPool2d(kernel_size=3)", True),
    ("nn.MaxPool2d(3, 2)", True),  # positional: the model tells which argument it is
    ("nn.MaxPool2d(kernel_size=3, **{'stride': 2})", True),
])
def test_a_pool_given_a_stride_by_keyword_reaches_no_condition(engine, monkeypatch, call, evaluated):
    asked = []
    real = engine_module.FileContext.evaluate

    def evaluate(self, rule, node):
        asked.append(rule.id)
        return real(self, rule, node)

    monkeypatch.setattr(engine_module.FileContext, "evaluate", evaluate)
    engine.check(f"from mindspore import nn\nlayer = {call}\n")
    assert ("pool-stride-omitted" in asked) == evaluated


EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


@pytest.mark.parametrize("name", sorted(path.name for path in EXAMPLES.glob("*.py")))
def test_a_check_leaves_nothing_for_the_cycle_collector(name):
    """What a check builds (the model, each family's analysis and views) is freed when it ends,
    by reference counts: not left in reference cycles for Python's collector to walk later,
    in flake8's process, on top of flake8's own objects."""
    path = EXAMPLES / name
    engine = engine_module.engine_for()
    engine.check(path.read_text(encoding="utf-8"), str(path))  # imports, facts and caches, once
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        findings = engine.check(path.read_text(encoding="utf-8"), str(path))
        assert findings  # each example is there to be found: the families ran
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_every_familys_other_spellings_resolve_through_the_plan_and_a_plan_read_back(engine):
    """The model's ``canonical`` reads one table of every family's aliases, kept in the plan (so
    the rule cache's copy of it resolves them too, without any family's facts)."""
    read_back = engine_module.Engine(load_ruleset(), plan=pickle.loads(pickle.dumps(engine.plan)))
    spellings = 0
    for family in ("clipping", "divergence"):
        for spelling, name in engine.facts[family].aliases.items():
            assert engine.canonical(spelling) == read_back.canonical(spelling) == name
            spellings += 1
    assert spellings > 50
    assert engine.canonical("mindspore.ops.function.clip_func.clip_by_value") == "mindspore.ops.clip_by_value"
    assert engine.canonical("mindspore.nn.layer.basic.Dropout") == "mindspore.nn.Dropout"
    assert engine.canonical("mindspore.nn.Dropout") == "mindspore.nn.Dropout"
    assert engine.canonical("ourlib.clip_by_value") == "ourlib.clip_by_value"
    assert engine.canonical(None) is None


def test_a_users_other_spellings_join_the_plans_alias_table(tmp_path):
    engine = engine_with_config(tmp_path, {"facts": {"keep-prob-dropouts": [
        {"name": "ourlib.layers.KeepDropout", "also": ["ourlib.KeepDropout"], "keep-prob": {"position": 0}}]}})
    assert engine.canonical("ourlib.KeepDropout") == "ourlib.layers.KeepDropout"
