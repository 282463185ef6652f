"""The editor path (linter/plugin.py): flake8 runs once per save, in a new process, on one file.
Loading the plugin and linting a file that no rule can match load the rule set's prefilters and
nothing else; the engine, ast-grep, the families, the semantic model and PyYAML come with the
first file that passes them. Each run here is a fresh interpreter running the real flake8
application, which then reports the modules it holds."""

import json
import os
import subprocess
import sys

import pytest

# Anything of these loaded on the no-trigger path is the cost the editor path must not pay.
HEAVY = ("ast_grep_py", "yaml", "dataclasses", "hashlib", "flake8_torch2ms.engine", "flake8_torch2ms.config",
         "flake8_torch2ms.families", "flake8_torch2ms.semantics", "flake8_torch2ms.yamlloader",
         "flake8_torch2ms.schema", "flake8_torch2ms.flake8config")
PAIRS = "flake8_torch2ms.families.pairs"  # port-pair mode's family: loaded only with an original

FLAKE8_THEN_MODULES = """
import json, sys
from flake8.main.cli import main
status = main(sys.argv[1:])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""

NO_TRIGGER = "import os\n\n\ndef join(*parts):\n    return os.path.join(*parts)\n"
# Words of the rules in comments, strings and definitions only: still no rule can match.
NEAR_MISS = ('"""Calls clip_by_value and nn.Dropout(0.1) in mindspore."""\nimport mindspore  # ops.clamp\n\n\n'
             "def clip_by_value(x):\n    return x\n")
# mindnlp's generated op modules: the primitive only as an argument, which flake8's parse shows.
ONLY_AN_ARGUMENT = ("from mindspore.ops.operations import *\n\n\ndef argmax(*args):\n"
                    "    op = _get_cache_prim(ArgMaxWithValue)(*args[-2:])\n    return op(*args[:-2])\n")
MATCHED = ("import mindspore\nfrom mindspore import ops\n\n\ndef step(grads):\n"
           "    return ops.clip_by_value(grads, 0.1)\n")


def flake8_in_a_fresh_process(directory, source, *options, cache):
    path = directory / "module.py"
    path.write_text(source, encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", FLAKE8_THEN_MODULES, "--select=TMS", *options, str(path)],
                            cwd=directory, capture_output=True, text=True, timeout=120,
                            env={**_environment(), "FLAKE8_TORCH2MS_CACHE_DIR": str(cache)})
    assert "Traceback" not in result.stderr, result.stderr
    *findings, report = result.stdout.splitlines()
    report = json.loads(report)
    return report["status"], findings, set(report["modules"]), result.stderr


def _environment():
    return dict(os.environ)


def heavy(modules):
    return sorted(name for name in modules if name.startswith(HEAVY))


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


@pytest.mark.parametrize("source", [NO_TRIGGER, NEAR_MISS, ONLY_AN_ARGUMENT],
                         ids=["no-trigger", "words-outside-code", "trigger-word-only-as-an-argument"])
def test_a_file_no_rule_can_match_loads_only_the_prefilters(tmp_path, cache, source):
    # The first run ever checks the rules (so loads everything) and keeps them; later ones read them.
    status, findings, _, _ = flake8_in_a_fresh_process(tmp_path, source, cache=cache)
    assert (status, findings) == (0, [])
    status, findings, modules, _ = flake8_in_a_fresh_process(tmp_path, source, cache=cache)
    assert (status, findings) == (0, [])
    assert sorted(name for name in modules if name.startswith("flake8_torch2ms")) == [
        "flake8_torch2ms", "flake8_torch2ms.plugin", "flake8_torch2ms.prefilter", "flake8_torch2ms.rulecache"]
    assert heavy(modules) == []


def test_a_file_the_rules_match_loads_the_engine_and_is_checked(tmp_path, cache):
    flake8_in_a_fresh_process(tmp_path, NO_TRIGGER, cache=cache)  # warm
    status, findings, modules, _ = flake8_in_a_fresh_process(tmp_path, MATCHED, cache=cache)
    # TMS103: clip-single-positional-bound
    assert status == 1 and [line.split(": ", 1)[1][:6] for line in findings] == ["TMS103"]
    assert {"flake8_torch2ms.engine", "ast_grep_py.ast_grep_py"} <= modules
    assert "ast_grep_py" not in modules  # the package's typing aids are not run (linter/astgrep.py)
    assert "yaml" not in modules  # the checked rule set comes from the cache too
    assert "flake8_torch2ms.config" not in modules  # nor its loader: the engine's plan comes from the cache
    # nor the YAML checker, which the facts unpickled for the check do not need
    assert {"flake8_torch2ms.schema", "flake8_torch2ms.yamlfile"}.isdisjoint(modules)
    # Without an original the paired family's rules match no file: neither it nor its facts are loaded.
    assert [name for name in modules if name.startswith(PAIRS)] == []


def test_without_a_cache_the_rules_are_checked_at_start_up(tmp_path):
    status, findings, modules, _ = flake8_in_a_fresh_process(tmp_path, NO_TRIGGER, cache="")
    assert (status, findings) == (0, []) and "yaml" in modules


def test_a_configuration_is_trusted_from_the_cache_only_for_the_bytes_that_were_checked(tmp_path, cache):
    config = tmp_path / "torch2ms.yml"
    config.write_text("disable: [clip-single-positional-bound]\n", encoding="utf-8")
    option = f"--torch2ms-config={config}"
    for _ in range(2):
        status, findings, modules, _ = flake8_in_a_fresh_process(tmp_path, NO_TRIGGER, option, cache=cache)
        assert (status, findings) == (0, [])
    assert heavy(modules) == []
    status, findings, _, _ = flake8_in_a_fresh_process(tmp_path, MATCHED, option, cache=cache)
    assert (status, findings) == (0, [])  # the disabled rule stays disabled on the lazy path
    # The same file, now broken: its bytes name no entry, so it is checked, and refused, at start-up.
    config.write_text("disable: [TMS999]\n", encoding="utf-8")
    for _ in range(2):
        result = subprocess.run([sys.executable, "-m", "flake8", "--select=TMS", option, str(tmp_path / "module.py")],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120,
                                env={**_environment(), "FLAKE8_TORCH2MS_CACHE_DIR": str(cache)})
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "configuration error" in result.stderr and "TMS999" in result.stderr


PAIR_ORIGINAL = "from torch import nn\n\nact = nn.LeakyReLU()\n"
PAIR_PORT = "from mindspore import nn\n\nact = nn.LeakyReLU()\n"


def test_port_pair_mode_keeps_the_editor_path_and_reports_through_it(tmp_path, cache):
    """With an original configured, a file no rule can match still loads only the prefilters
    (the paired rules' triggers among them), and a port file is checked against its original."""
    original = tmp_path / "original"
    original.mkdir()
    (original / "module.py").write_text(PAIR_ORIGINAL, encoding="utf-8")
    port = tmp_path / "port"
    port.mkdir()
    option = f"--torch2ms-original={original}"
    flake8_in_a_fresh_process(port, NO_TRIGGER, option, cache=cache)  # warm
    status, findings, modules, _ = flake8_in_a_fresh_process(port, NO_TRIGGER, option, cache=cache)
    assert (status, findings) == (0, []) and heavy(modules) == []
    status, findings, modules, _ = flake8_in_a_fresh_process(port, PAIR_PORT, option, cache=cache)
    assert status == 1 and [line.split(": ", 1)[1][:6] for line in findings] == ["TMS401"]
    assert PAIRS in modules and {"flake8_torch2ms.schema", "flake8_torch2ms.yamlfile"}.isdisjoint(modules)
    # Only the paired family's rules match it: nothing of the other families is imported.
    others = ("flake8_torch2ms.families.clipping", "flake8_torch2ms.families.divergence")
    assert [name for name in modules if name.startswith(others)] == []
    # The same port file without the original: the paired rules match no file (the first run
    # without an original checks the rules and keeps that screen, as any first run).
    flake8_in_a_fresh_process(port, NO_TRIGGER, cache=cache)
    status, findings, modules, _ = flake8_in_a_fresh_process(port, PAIR_PORT, cache=cache)
    assert (status, findings) == (0, []) and heavy(modules) == []
    # A port file that the other families' rules match is checked without the paired family.
    status, findings, modules, _ = flake8_in_a_fresh_process(port, MATCHED, cache=cache)
    assert status == 1 and "flake8_torch2ms.engine" in modules
    assert [name for name in modules if name.startswith(PAIRS)] == []


MODEL = ("from mindspore import nn\n\n\nclass Head(nn.Cell):\n    def __init__(self, hidden_size):\n"
         "        super().__init__()\n        self.dropout = nn.Dropout(0.1)\n")
CLIPPING = "flake8_torch2ms.families.clipping"


def test_a_model_file_only_divergence_rules_match_loads_nothing_of_clipping(tmp_path, cache):
    """A family is imported by the first match of one of its rules (Engine.family); the model
    reads every family's aliases from the engine's cached plan, and asks the others' facts only
    for a star-imported name (known)."""
    flake8_in_a_fresh_process(tmp_path, NO_TRIGGER, cache=cache)  # warm
    status, findings, modules, _ = flake8_in_a_fresh_process(tmp_path, MODEL, cache=cache)
    assert status == 1 and [line.split(": ", 1)[1][:6] for line in findings] == ["TMS301"]
    assert "flake8_torch2ms.families.divergence.views" in modules
    assert [name for name in modules if name.startswith(CLIPPING)] == []
    assert "flake8_torch2ms.slicing" not in modules  # the divergence rules read the whole file
    # A training step's clip call imports the clipping family as the first file of a process would.
    status, findings, modules, _ = flake8_in_a_fresh_process(tmp_path, MATCHED, cache=cache)
    assert status == 1 and f"{CLIPPING}.dataflow" in modules


# Every pool given its stride by keyword: the pooling rule's structural matcher leaves them out,
# and given flake8's parse so does its prefilter (Trigger.calls: no call leaves a stride out).
STRIDES_GIVEN = ("from mindspore import nn\n\n\nclass Stem(nn.Cell):\n    def __init__(self):\n"
                 "        super().__init__()\n        self.pool = nn.MaxPool2d(kernel_size=3, stride=2)\n")
# ... and a pooling layer in a list, which the prefilter cannot follow: it keeps the file.
STRIDES_GIVEN_AND_A_LIST = STRIDES_GIVEN + "        self.choices = [nn.AvgPool2d]\n"


def test_a_file_whose_calls_cannot_hold_a_finding_loads_no_engine(tmp_path, cache):
    flake8_in_a_fresh_process(tmp_path, NO_TRIGGER, cache=cache)  # warm
    status, findings, modules, _ = flake8_in_a_fresh_process(tmp_path, STRIDES_GIVEN, cache=cache)
    assert (status, findings) == (0, []) and heavy(modules) == []


def test_a_file_whose_matches_need_no_model_loads_no_family(tmp_path, cache):
    """The file passes the prefilter (it names a pooling layer), so the engine is loaded and the
    file parsed; no match reaches a condition, so no model is built: neither the model's modules
    nor any family's (not even the facts the model's callbacks live in) are imported."""
    flake8_in_a_fresh_process(tmp_path, NO_TRIGGER, cache=cache)  # warm
    status, findings, modules, _ = flake8_in_a_fresh_process(tmp_path, STRIDES_GIVEN_AND_A_LIST, cache=cache)
    assert (status, findings) == (0, []) and "flake8_torch2ms.engine" in modules
    assert sorted(name for name in modules if name.startswith("flake8_torch2ms.families.")) == []
    assert sorted(name for name in modules if name.startswith("flake8_torch2ms.semantics.")) == []
    # A match that asks a condition (a dropout's rate by position) builds the model.
    status, findings, modules, _ = flake8_in_a_fresh_process(tmp_path, MODEL, cache=cache)
    assert status == 1 and "flake8_torch2ms.semantics.model" in modules
