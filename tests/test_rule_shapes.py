"""A user's structural rule of any shape: the engine merges rules into one walk and uses the kinds
a node must have as a shortcut (engine._mergeable, _top_kinds); whatever the shape, a rule loads
and finds exactly the nodes ast-grep itself finds for it.

Shapes are built from leaves (a kind, a regex, both, a pattern with and without a metavariable,
a relation) under each combinator (``any``, ``all``, ``not`` beside a kind), two leaves at a time.
"""

import itertools

import pytest
from ast_grep_py import SgRoot

from conftest import engine_with_rules

SOURCE = """import mindspore
zz(1)
yy(2)
zz(yy(3))
value = zz
other = [yy, 4]
"""
LEAVES = {
    "kind": {"kind": "call"},
    "regex": {"regex": r"^zz\("},
    "kind+regex": {"kind": "call", "regex": r"^yy\("},
    "pattern": {"pattern": "zz($X)"},
    "plain pattern": {"pattern": "yy(2)"},
    "identifier": {"kind": "identifier", "regex": "^yy$"},
    "has": {"kind": "call", "has": {"kind": "integer", "regex": "^3$", "stopBy": "end"}},
}
PAIRS = list(itertools.combinations(LEAVES, 2))
SHAPES = {}
for first, second in PAIRS:
    SHAPES[f"any of {first}, {second}"] = {"any": [LEAVES[first], LEAVES[second]]}
    SHAPES[f"all of {first}, {second}"] = {"all": [LEAVES[first], LEAVES[second]]}
for leaf in LEAVES:
    SHAPES[leaf] = LEAVES[leaf]
    SHAPES[f"call, not {leaf}"] = {"kind": "call", "not": LEAVES[leaf]}


def ast_grep_finds(rule: dict) -> list[tuple[int, int]]:
    root = SgRoot(SOURCE, "python").root()
    return sorted({(node.range().start.line + 1, node.range().start.column) for node in root.find_all(**rule)})


@pytest.fixture(scope="module")
def shapes_engine(tmp_path_factory):
    rules = [{"id": f"shape-{index}", "code": f"TMS{900 + index}", "message": name, "rule": rule}
             for index, (name, rule) in enumerate(SHAPES.items())]
    return engine_with_rules(tmp_path_factory.mktemp("shapes"), rules)


def test_the_shapes_fit_the_user_codes():
    assert 20 < len(SHAPES) <= 100  # TMS900 to TMS999


@pytest.mark.parametrize("name", SHAPES)
def test_a_rule_of_any_shape_finds_what_ast_grep_finds(shapes_engine, name):
    index = list(SHAPES).index(name)
    found = sorted((finding.line, finding.column) for finding in shapes_engine.check(SOURCE)
                   if finding.code == f"TMS{900 + index}")
    assert found == ast_grep_finds(SHAPES[name])
    assert not [finding for finding in shapes_engine.check(SOURCE) if finding.code == "TMS000"]
