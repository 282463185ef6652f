"""The engine's one structural walk also finds what the semantic model needs of the whole file
(its import statements, whether the parse left an ERROR node), so that the model does not walk
the file again. Whatever the file, the model must then know exactly what it finds by itself."""

import pytest
from ast_grep_py import SgRoot

from flake8_torch2ms import engine as engine_module
from flake8_torch2ms.semantics import nodes
from flake8_torch2ms.semantics.model import SemanticModel

from conftest import engine_with_rules

SOURCES = {
    "imports at the top": "import mindspore\nfrom mindspore import ops as P, nn\nx = P.clip_by_value(g, 1)\n",
    "an import in a function": "def f():\n    from mindspore import ops\n    return ops.clip_by_value(g, 1)\n",
    "a fallback import": ("try:\n    from mindspore import ops\nexcept ImportError:\n    from mindspore.ops import "
                          "operations as ops\ny = ops.clip_by_value(g, 1)\n"),
    "a star and a relative import": "from mindspore.ops import *\nfrom .util import clip\nclip_by_value(g, 1)\n",
    "a misparse": "from mindspore import ops\nx = f(a, b = = 1)\ny = ops.clip_by_value(g, 1)\n",
    "a misparse in a function": "import mindspore\ndef f(:\n    pass\nz = mindspore.ops.clip(g, 1)\n",
    "a walrus": "from mindspore import ops\nx = ops.clip_by_value((g := grad(w)), 1)\n",
    "imports in a class and a lambda": ("class C:\n    import mindspore.ops as ops\n    f = lambda: __import__('x')\n"
                                        "    g = ops.clip_by_value(h, 1)\n"),
    "no import": "x = clip_by_value(g, 1)\n",
}


def walked_nodes(engine, source):
    root = SgRoot(source, "python").root()
    _, walked = engine_module._merged_matches(root, engine._merge_order)
    return root, walked


def summary(model):
    scopes = [model.root, *model.root.find_all(kind="function_definition"), *model.root.find_all(kind="lambda")]
    table = model.imports
    return ({nodes.start(key): names for key, names in table.scoped.items()},
            {nodes.start(key): stars for key, stars in table.stars.items()}, table.modules,
            [{name: [(b.position, b.path, b.iterated, b.parameter) for b in items]
              for name, items in model.bindings(scope).items()} for scope in scopes])


@pytest.mark.parametrize("source", SOURCES.values(), ids=SOURCES.keys())
def test_the_walk_finds_what_the_model_would(engine, source):
    root, walked = walked_nodes(engine, source)
    imports = root.find_all(any=[{"kind": "import_statement"}, {"kind": "import_from_statement"}])
    assert walked.imports == imports
    assert walked.misparsed == (root.find(kind="ERROR") is not None)
    path = "/site-packages/mindspore/nn/layer.py"
    given = SemanticModel(root, path, engine.canonical, engine.known, walked)
    searched = SemanticModel(root, path, engine.canonical, engine.known)
    assert summary(given) == summary(searched)


def test_the_walk_tells_a_misparse(engine):
    assert walked_nodes(engine, SOURCES["a misparse"])[1].misparsed
    assert not walked_nodes(engine, SOURCES["a walrus"])[1].misparsed


@pytest.mark.parametrize("source", [SOURCES["a fallback import"], SOURCES["a fallback import"].replace("y = ", "# ")],
                         ids=["with-the-clipping-rules", "alone"])
def test_a_rule_matching_import_statements_still_gets_every_one(tmp_path, source):
    # The model's branch comes first in the walk: an import it takes must still reach the rules,
    # whether the rule shares the walk with other groups (labelled branches) or walks alone.
    engine = engine_with_rules(tmp_path, [{"id": "no-ops-import", "code": "TMS901", "message": "imports ops",
                                           "rule": {"kind": "import_from_statement", "regex": "ops"}}])
    assert [(f.line, f.code) for f in engine.check(source) if f.code == "TMS901"] == [(2, "TMS901"), (4, "TMS901")]


def test_a_failed_walk_gives_each_group_its_error_and_the_model_nothing(engine):
    # The model then searches the file itself (walked=None), as the first test's second model does.
    root = SgRoot(SOURCES["imports at the top"], "python").root()

    class Failing:
        def find_all(self, *args, **kwargs):
            raise RuntimeError("walk failed")

    found, walked = engine_module._merged_matches(Failing(), engine._merge_order)
    assert walked is None and all(isinstance(value, RuntimeError) for value in found.values())
    assert engine_module._merged_matches(root, []) == ({}, None)
