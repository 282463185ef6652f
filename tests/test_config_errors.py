"""Hostile and broken configuration: each case is refused with the exact message the user sees.

Rule and configuration files come from the repository being linted, so in CI they are untrusted
input. Loading them must never execute code, never read another file, never expand an alias bomb,
never read a huge file whole, and never hand a YAML-supplied pattern to Python's backtracking `re`.
A few cases also go through the real `flake8` command, which must print the message and exit
non-zero without a traceback.
"""

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
import yaml.cyaml

from flake8_torch2ms import yamlfile, yamlloader
from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.yamlfile import MAX_BYTES, MAX_DEPTH, ConfigError

ROOT = Path(__file__).resolve().parent.parent
TAG_HINT = "(only plain YAML is accepted: no !!python or custom tags)"


def user_rule(code="TMS901", rule_id="my-rule", body="    rule:\n      pattern: f($X)\n"):
    """A configuration file with one rule of the user's own; ``body`` is indented as its keys are."""
    return f"rules:\n  - id: {rule_id}\n    code: {code}\n    message: do not call f\n" + body


BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]" for previous, name in zip("abcdefgh", "bcdefghi")]
) + "\n"

# name -> (file content, the message after "<path>:"). {marker} is a file a tag would create.
HOSTILE = {
    "python-object-apply": (
        "disable: !!python/object/apply:os.system ['touch {marker}']\n",
        "1: could not determine a constructor for the tag "
        f"'tag:yaml.org,2002:python/object/apply:os.system' {TAG_HINT}",
    ),
    "python-object-new": (
        "facts: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n",
        "1: could not determine a constructor for the tag "
        f"'tag:yaml.org,2002:python/object/new:subprocess.Popen' {TAG_HINT}",
    ),
    "python-object": (
        "messages: !!python/object:pathlib.Path {{}}\n",
        f"1: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object:pathlib.Path' {TAG_HINT}",
    ),
    "python-name": (
        "facts: !!python/name:os.system\n",
        f"1: could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:os.system' {TAG_HINT}",
    ),
    "custom-tag": (
        "disable: !include /etc/passwd\n",
        f"1: could not determine a constructor for the tag '!include' {TAG_HINT}",
    ),
    "billion-laughs": (
        BILLION_LAUGHS,
        "2: YAML aliases (*a) are not allowed in rule files; write the value out",
    ),
    "alias-in-a-rule": (
        "rules:\n  - id: my-rule\n    code: TMS901\n    message: hi\n    rule: &r {pattern: f($X)}\n"
        "    constraints: {X: *r}\n",
        "6: YAML aliases (*r) are not allowed in rule files; write the value out",
    ),
    "deep-flow-nesting": (
        "rules: " + "[" * 100_000 + "]" * 100_000 + "\n",
        f"1: nesting deeper than {MAX_DEPTH} levels",
    ),
    "deep-block-nesting": (
        "".join("  " * level + f"k{level}:\n" for level in range(200)),
        f"64: nesting deeper than {MAX_DEPTH} levels",
    ),
    "duplicate-key": (
        "disable: [TMS101]\ndisable: [TMS102]\n",
        "2: duplicate key 'disable' (first at line 1)",
    ),
    "invalid-pattern": (
        user_rule(body="    rule:\n      pattern: ops.clip_by_value($X,\n"),
        "6: pattern 'ops.clip_by_value($X,' is not valid Python code",
    ),
    "invalid-kind": (
        user_rule(body="    rule:\n      kind: no_such_kind\n"),
        " rule 'my-rule' is not a valid ast-grep rule: `rule` is not configured correctly: "
        "Kind `no_such_kind` is invalid",
    ),
    "unknown-util": (
        user_rule(body="    rule:\n      matches: /etc/passwd\n"),
        " rule 'my-rule' is not a valid ast-grep rule: `rule` is not configured correctly: "
        "Rule `/etc/passwd` is not defined",
    ),
    "invalid-regex-in-a-constraint": (
        user_rule(body="    rule:\n      pattern: f($X)\n    constraints:\n      X: {regex: '(unclosed'}\n"),
        " rule 'my-rule' is not a valid ast-grep rule: `constraints` is not configured correctly: "
        "regex parse error: (unclosed; error: unclosed group",
    ),
    "invalid-gradient-names": (
        "facts:\n  gradient-names: '(unclosed'\n",
        "2: 'gradient-names' is not a valid regex: regex parse error: (unclosed; error: unclosed group",
    ),
    "backreference-in-gradient-names": (
        # Python's re accepts a backreference (and can backtrack exponentially on one); ast-grep's
        # linear-time engine has none, so it is refused at load time, not on the first file linted.
        "facts:\n  gradient-names: '^(a+)\\1$'\n",
        "2: 'gradient-names' is not a valid regex: regex parse error: ^(a+)\\1$; "
        "error: backreferences are not supported",
    ),
    "invalid-value-names": (
        "facts:\n  value-names: '(unclosed'\n",
        "2: 'value-names' is not a valid regex: regex parse error: (unclosed; error: unclosed group",
    ),
    "invalid-optimizer-names": (
        "facts:\n  optimizers:\n    names: '[z-a]'\n",
        "3: 'names' is not a valid regex: regex parse error: [z-a]; error: invalid character class range, "
        "the start must be <= the end",
    ),
    "boolean-position": (
        "facts:\n  clip-functions:\n    - name: mypkg.clip\n      value: {position: true}\n"
        "      min: {position: 1}\n      max: {position: 2}\n",
        "4: 'position' in 'value' must be a whole number >= 0",
    ),
    "clip-function-without-module": (
        # A call matches a fact by the name it is imported from: a bare name could never match.
        "facts:\n  clip-functions:\n    - name: clip_gradients\n      value: {position: 0}\n",
        "3: 'clip_gradients' in 'name' has no module: write the name it is imported from, "
        "such as 'mypackage.clip_gradients'",
    ),
    "other-spelling-without-module": (
        "facts:\n  keep-prob-dropouts:\n    - name: ourlib.layers.KeepDropout\n      also: [KeepDropout]\n"
        "      keep-prob: {position: 0, keyword: keep_prob}\n",
        "4: 'KeepDropout' in 'also' has no module: write the name it is imported from, "
        "such as 'mypackage.KeepDropout'",
    ),
    "duplicate-user-codes": (
        user_rule() + user_rule(rule_id="other-rule").removeprefix("rules:\n"),
        " 'TMS901' is used by two rules ('my-rule' in {path} and 'other-rule'); codes and ids must be unique",
    ),
    "built-in-code": (
        user_rule(code="TMS101"),
        "3: code 'TMS101': your own rules take codes TMS900 to TMS999, so they never collide with built-in ones",
    ),
    "built-in-id": (
        user_rule(rule_id="clip-on-parameters"),
        " 'clip-on-parameters' is used by two rules ('clip-on-parameters' in {builtin} and "
        "'clip-on-parameters'); codes and ids must be unique",
    ),
    "code-outside-the-prefix": (
        user_rule(code="XYZ901"),
        "3: code 'XYZ901' must be TMS followed by three digits (not TMS000)",
    ),
    "lower-case-code": (
        user_rule(code="tms901"),
        "3: code 'tms901' must be TMS followed by three digits (not TMS000)",
    ),
    "internal-error-code": (
        user_rule(code="TMS000"),
        "3: code 'TMS000' must be TMS followed by three digits (not TMS000)",
    ),
    "unknown-fix-safety": (
        user_rule(body="    rule:\n      pattern: f($X)\n    fix: g($X)\n    fix-safety: risky\n"),
        "8: 'fix-safety' must be one of: safe, unsafe",
    ),
    "fix-safety-without-fix": (
        user_rule(body="    rule:\n      pattern: f($X)\n    fix-safety: unsafe\n"),
        "7: rule 'my-rule' has 'fix-safety' but no 'fix'",
    ),
    "diverging-and-torch-convention": (
        "facts:\n  divergence:\n    torch-convention: [mindspore.nn.Dropout]\n",
        "3: 'mindspore.nn.Dropout' is listed both as taking torch's convention and as diverging from it",
    ),
    "index-value-reduction-not-an-instance": (
        "facts:\n  index-value-reductions:\n    - name: mypkg.ArgMax\n",
        "3: 'mypkg.ArgMax' in 'index-value-reductions' must end in '()': the instance is called, "
        "ops.ArgMaxWithValue(axis=1)(x)",
    ),
    "not-utf-8": (
        b"disable: [\xff\xfe]\n",
        " not UTF-8 text (byte 10: invalid start byte)",
    ),
    "control-character": (  # libyaml counts bytes to it, PyYAML characters: the line is the same
        "messages:\n  TMS101: \"clip \u00e9\u00e9 \x07\"\n",
        "2: character #x0007 is not allowed in YAML",
    ),
}


@pytest.fixture(params=["libyaml", "pyyaml"])
def yaml_parser(request, monkeypatch):
    """Every refusal holds on libyaml's parser (what runs) and on PyYAML's own (without libyaml)."""
    if request.param == "pyyaml":
        monkeypatch.setattr(yamlloader, "StrictLoader", yamlloader.StrictPythonLoader)
    else:
        assert yamlloader.StrictLoader.parser is yaml.cyaml.CParser, "PyYAML was built without libyaml"
    return request.param


def write(path: Path, content, marker: Path) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content.replace("{marker}", str(marker)), encoding="utf-8")


def expected(path: Path, tail: str) -> str:
    builtin = ROOT / "rules" / "clip-on-parameters.yml"
    import flake8_torch2ms.rules as packaged

    packaged_file = Path(packaged.__file__).parent / "clip-on-parameters.yml"
    builtin = packaged_file if packaged_file.exists() else builtin
    return f"{path}:" + tail.replace("{path}", str(path)).replace("{builtin}", str(builtin))


def load(path: Path):
    load_ruleset.cache_clear()
    try:
        return load_ruleset(str(path))
    finally:
        load_ruleset.cache_clear()


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.usefixtures("yaml_parser")
def test_hostile_configuration_is_refused_with_a_clear_message(tmp_path, name):
    content, tail = HOSTILE[name]
    path, marker = tmp_path / "torch2ms.yml", tmp_path / "pwned"
    write(path, content, marker)
    with pytest.raises(ConfigError) as refused:
        load(path)
    assert str(refused.value) == expected(path, tail)
    assert not marker.exists(), "a YAML tag ran code"


@pytest.mark.usefixtures("yaml_parser")
def test_alias_bomb_is_refused_before_anything_is_constructed(tmp_path, monkeypatch):
    # Expanding nine levels of nine "lol"s would build 387 million strings; refusing at the first
    # alias means no Python object is ever built from the document.
    def explode(*args, **kwargs):
        raise AssertionError("the alias bomb reached the constructor")

    monkeypatch.setattr(yaml.constructor.BaseConstructor, "construct_document", explode)
    with pytest.raises(ConfigError, match=r"YAML aliases \(\*a\) are not allowed"):
        yamlfile.load_yaml(tmp_path / "bomb.yml", BILLION_LAUGHS)


def test_a_100_mb_file_is_refused_by_size_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.yml"
    with open(path, "wb") as handle:  # sparse: 100 MB of size, no 100 MB of disk
        handle.truncate(100 * 1024 * 1024)
    read_sizes = []
    real_open = open

    class CountingFile:
        def __init__(self, handle):
            self.handle = handle

        def read(self, size=-1):
            data = self.handle.read(size)
            if Path(self.handle.name) == path:
                read_sizes.append(len(data))
            return data

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr(yamlfile, "open", lambda *args, **kwargs: CountingFile(real_open(*args, **kwargs)),
                        raising=False)
    with pytest.raises(ConfigError) as refused:
        load(path)
    assert str(refused.value) == f"{path}: file is larger than {MAX_BYTES:,} bytes; refusing to read it"
    assert sum(read_sizes) == MAX_BYTES + 1


def test_a_config_path_that_does_not_exist(tmp_path):
    path = tmp_path / "nowhere" / "torch2ms.yml"
    with pytest.raises(ConfigError) as refused:
        load(path)
    assert str(refused.value) == f"{path}: configuration file not found"


@pytest.mark.usefixtures("yaml_parser")
def test_anchors_without_aliases_and_merge_keys_are_plain_yaml(tmp_path):
    # An anchor alone expands nothing; only aliases are refused.
    path = tmp_path / "torch2ms.yml"
    path.write_text("disable: &off [TMS105]\nmessages:\n  <<: {TMS101: clip the gradients}\n", encoding="utf-8")
    ruleset = load(path)
    assert "TMS105" not in {rule.code for rule in ruleset.rules}
    assert {rule.code: rule.message for rule in ruleset.rules}["TMS101"] == "clip the gradients"


# --------------------------------------------------------------------------- patterns and regexes

REDOS = "^(a+)+$"  # exponential under a backtracking engine on "aaaa...a!"


def test_nothing_of_ours_feeds_a_non_literal_pattern_to_pythons_re():
    """YAML patterns go to ast-grep (Rust regex, linear time); every `re` call in the package takes a
    literal pattern written here, never a string that came from YAML. So does every regex compiled
    on first use (records.LazyPattern), whose own `re.compile` is the one call given a variable."""
    offenders = []
    for path in sorted((ROOT / "linter").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lazy_compile = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name == "LazyPattern" and path.name == "records.py":
                lazy_compile = {id(call) for call in ast.walk(node) if isinstance(call, ast.Call)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
                if any(name.split(".")[0] in ("regex", "re2", "sre_compile") for name in names):
                    offenders.append(f"{path.name}:{node.lineno}: imports another regex engine")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                    and node.func.attr not in ("escape",) and id(node) not in lazy_compile):
                pattern = node.args[0] if node.args else None
                if not (isinstance(pattern, ast.Constant) and isinstance(pattern.value, str)):
                    offenders.append(f"{path.name}:{node.lineno}: re.{node.func.attr} with a computed pattern")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "LazyPattern":
                pattern = node.args[0] if node.args else None
                if not (isinstance(pattern, ast.Constant) and isinstance(pattern.value, str)):
                    offenders.append(f"{path.name}:{node.lineno}: LazyPattern with a computed pattern")
    assert offenders == []


def test_catastrophic_regexes_in_a_constraint_and_gradient_names_run_in_linear_time(tmp_path):
    """Under Python's re, REDOS against 'a' * 5000 + '!' would not finish in this universe. The time
    box is the subprocess timeout: a hang fails the test, nothing is measured."""
    config = tmp_path / "torch2ms.yml"
    config.write_text(textwrap.dedent(f"""\
        facts:
          gradient-names: '{REDOS}'
        rules:
          - id: long-name
            code: TMS901
            message: $X is a long name
            rule:
              pattern: print($X)
            constraints:
              X: {{regex: '{REDOS}'}}
        """), encoding="utf-8")
    long_name = "a" * 5000
    source = (f"from mindspore import ops\nprint({long_name}x)\nprint({long_name})\n"
              f"{long_name}x = ops.clip_by_value({long_name}x, 0.1)\n")
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "TMS", "--torch2ms-config", str(config), "train.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    codes = [(line.split(":")[1], line.split(" ")[1]) for line in result.stdout.splitlines()]
    # print(aaa...a) matches the constraint; print(aaa...ax) does not; 'aaa...ax' is no gradient name.
    assert codes == [("3", "TMS901")]


# --------------------------------------------------------------------------- no code, no other files

AUDIT_CHILD = r"""
import json, sys
from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.yamlfile import ConfigError
import flake8_torch2ms.config, yaml, ast_grep_py  # everything imported before the hook
load_ruleset()  # warm the package's own default rule files out of the record
events = []
WATCHED = ("open", "os.system", "subprocess.Popen", "exec", "os.exec", "os.posix_spawn", "os.spawn",
           "socket.connect", "import", "ctypes.dlopen", "compile")
def hook(event, args):
    if event.startswith(WATCHED):
        events.append([event, str(args[0]) if args else ""])
sys.addaudithook(hook)
results = {}
for path in sys.argv[1:]:
    events.clear()
    load_ruleset.cache_clear()
    try:
        load_ruleset(path)
        outcome = "loaded"
    except ConfigError as error:
        outcome = str(error)
    results[path] = {"outcome": outcome, "events": list(events)}
print(json.dumps(results))
"""


def test_loading_never_executes_code_nor_reads_other_files(tmp_path):
    """An audit hook records every file opened and every process, exec, import or connection while
    configurations load: the only file opened is the named configuration file itself, and the
    package's own rule files (read again since the cache was cleared)."""
    marker = tmp_path / "pwned"
    paths = []
    for name in ("python-object-apply", "python-object-new", "python-name", "custom-tag", "billion-laughs",
                 "unknown-util"):
        path = tmp_path / f"{name}.yml"
        write(path, HOSTILE[name][0], marker)
        paths.append(path)
    valid = tmp_path / "valid.yml"
    valid.write_text("disable: [TMS105]\n" + user_rule().replace("f($X)", "eval($X)"), encoding="utf-8")
    paths.append(valid)
    result = subprocess.run([sys.executable, "-c", AUDIT_CHILD, *map(str, paths)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    import flake8_torch2ms.rules as packaged

    rules_dir = Path(packaged.__file__).resolve().parent
    for path in paths:
        record = results[str(path)]
        assert record["outcome"] == ("loaded" if path == valid else expected(path, HOSTILE[path.stem][1])
                                     .replace("{marker}", str(marker)))
        for event, argument in record["events"]:
            assert event == "open", f"{path.name}: {event} {argument}"
            opened = Path(argument).resolve()
            assert opened == path.resolve() or rules_dir in opened.parents, f"{path.name} opened {argument}"
        assert ["open", str(path)] in record["events"]
    assert not marker.exists()


# --------------------------------------------------------------------------- the real flake8 command

THROUGH_FLAKE8 = ("python-object-apply", "billion-laughs", "invalid-pattern", "backreference-in-gradient-names",
                  "code-outside-the-prefix")


@pytest.mark.parametrize("name", THROUGH_FLAKE8)
def test_flake8_prints_the_message_and_exits_non_zero(tmp_path, name):
    content, tail = HOSTILE[name]
    marker = tmp_path / "pwned"
    write(tmp_path / "torch2ms.yml", content, marker)
    (tmp_path / "train.py").write_text("x = 1\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "TMS", "--torch2ms-config", "torch2ms.yml", "train.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == f"flake8-torch2ms: configuration error: {expected(Path('torch2ms.yml'), tail)}"
    assert not marker.exists()


def test_a_100_mb_file_through_flake8(tmp_path):
    with open(tmp_path / "torch2ms.yml", "wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    (tmp_path / "train.py").write_text("x = 1\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "TMS", "--torch2ms-config", "torch2ms.yml", "train.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip() == ("flake8-torch2ms: configuration error: torch2ms.yml: "
                                     f"file is larger than {MAX_BYTES:,} bytes; refusing to read it")


# --------------------------------------------------------------------------- rule examples

RULE = "    rule:\n      pattern: f($X)\n"
FIXABLE = "    rule:\n      pattern: f($X)\n    fix: g($X)\n"
GOOD_INVALID = ("    invalid:\n      - name: call\n        source: f(1)\n        message: do not call f\n"
                "        line: 1\n        column: 1\n")

# name -> (the rule's body after its message, the message after "<path>:")
BAD_EXAMPLES = {
    "plain-string-example": (
        RULE + "    valid:\n      - g(1)\n",
        "7: an example in 'valid' is a plain string; write it as a mapping with 'name' and 'source' "
        "(see docs/writing-rules.md)",
    ),
    "examples-not-a-list": (
        RULE + "    valid: g(1)\n",
        "7: 'valid' must be a list of examples, each with a name and a source",
    ),
    "valid-example-with-a-message": (
        RULE + "    valid:\n      - name: other\n        source: g(1)\n        message: hi\n",
        "10: unknown key 'message' in an example in 'valid'; expected one of: name, source, original",
    ),
    "misspelt-key": (
        RULE + "    invalid:\n      - name: call\n        sorce: f(1)\n",
        "9: unknown key 'sorce' in an example in 'invalid' (did you mean 'source'?); expected one of: "
        "name, source, original, message, line, column, fixed",
    ),
    "invalid-example-without-a-position": (
        RULE + "    invalid:\n      - name: call\n        source: f(1)\n        message: do not call f\n",
        "8: an example in 'invalid' is missing the required key 'line'",
    ),
    "name-not-kebab-case": (
        RULE + "    valid:\n      - name: Other_Call\n        source: g(1)\n",
        "8: example name 'Other_Call' must be kebab-case (e.g. literal-bound)",
    ),
    "duplicate-name": (
        RULE + "    valid:\n      - name: other\n        source: g(1)\n      - name: other\n        source: h(1)\n",
        "10: two examples in 'valid' are named 'other' (first at line 8); names must be unique",
    ),
    "empty-source": (
        RULE + "    valid:\n      - name: other\n        source: ''\n",
        "9: 'source' in valid example 'other' must be non-empty Python code",
    ),
    "line-past-the-source": (
        RULE + GOOD_INVALID.replace("line: 1", "line: 2"),
        "11: 'line' in invalid example 'call' is 2, but the source has 1 line",
    ),
    "column-past-the-line": (
        RULE + GOOD_INVALID.replace("column: 1", "column: 6"),
        "12: 'column' in invalid example 'call' is 6, past the end of line 1",
    ),
    "zero-based-column": (
        RULE + GOOD_INVALID.replace("column: 1", "column: 0"),
        "12: 'column' in invalid example 'call' must be a whole number from 1, got 0",
    ),
    "line-as-text": (
        RULE + GOOD_INVALID.replace("line: 1", "line: '1'"),
        "11: 'line' in invalid example 'call' must be a whole number from 1, got '1'",
    ),
    "two-line-message": (
        RULE + GOOD_INVALID.replace("message: do not call f", "message: \"do not\\n call f\""),
        "10: 'message' in invalid example 'call' must be one non-empty line",
    ),
    "fixed-without-a-fix": (
        RULE + GOOD_INVALID + "        fixed: g(1)\n",
        "13: invalid example 'call' has 'fixed', but the rule has no 'fix'",
    ),
    "fixed-unchanged": (
        FIXABLE + GOOD_INVALID + "        fixed: f(1)\n",
        "14: 'fixed' in invalid example 'call' is the source unchanged; leave 'fixed' out when the fix "
        "does not apply",
    ),
}


@pytest.mark.parametrize("name", BAD_EXAMPLES)
def test_a_bad_example_is_refused_with_its_line(tmp_path, name):
    body, tail = BAD_EXAMPLES[name]
    path = tmp_path / "torch2ms.yml"
    path.write_text(user_rule(body=body), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load(path)
    assert str(refused.value) == expected(path, tail)


def test_a_well_formed_example_is_read_field_by_field(tmp_path):
    path = tmp_path / "torch2ms.yml"
    path.write_text(user_rule(body=FIXABLE + GOOD_INVALID + "        fixed: g(1)\n"
                              + "    valid:\n      - name: other-call\n        source: |\n          h(1)\n"),
                    encoding="utf-8")
    rule = next(rule for rule in load(path).rules if rule.code == "TMS901")
    assert [(e.name, e.source) for e in rule.valid] == [("other-call", "h(1)\n")]
    [example] = rule.invalid
    assert (example.name, example.source, example.message, example.line, example.column, example.fixed) == (
        "call", "f(1)", "do not call f", 1, 1, "g(1)")


# Every place in a user's rule that holds a rule of its own: a misspelt key there is refused by
# our loader, with its line and a suggestion, alone or beside a valid key (which ast-grep itself
# would accept silently, or refuse with no line and no key).
NESTED = {"kind": "identifier", "kindd": "x"}
RULE_POSITIONS = {
    "rule": lambda inner: {"rule": inner},
    "has": lambda inner: {"rule": {"kind": "call", "has": inner}},
    "inside": lambda inner: {"rule": {"kind": "call", "inside": inner}},
    "follows": lambda inner: {"rule": {"kind": "call", "follows": inner}},
    "precedes": lambda inner: {"rule": {"kind": "call", "precedes": inner}},
    "not": lambda inner: {"rule": {"kind": "call", "not": inner}},
    "an item of all": lambda inner: {"rule": {"all": [{"kind": "call"}, inner]}},
    "an item of any": lambda inner: {"rule": {"any": [{"kind": "call"}, inner]}},
    "has inside not": lambda inner: {"rule": {"kind": "call",
                                              "has": {"kind": "argument_list", "not": {"inside": inner}}}},
    "a util": lambda inner: {"utils": {"name-of-mine": inner}, "rule": {"matches": "name-of-mine"}},
}


@pytest.mark.parametrize("inner", [NESTED, {"kindd": "identifier"}], ids=["beside-a-valid-key", "alone"])
@pytest.mark.parametrize("position", RULE_POSITIONS)
def test_a_misspelt_key_anywhere_in_a_rule_tree_is_refused_with_its_line(tmp_path, position, inner):
    rule = {"id": "my-rule", "code": "TMS901", "message": "m", **RULE_POSITIONS[position](dict(inner))}
    path = tmp_path / "torch2ms.yml"
    path.write_text(json.dumps({"rules": [rule]}, indent=1), encoding="utf-8")  # JSON is YAML
    with pytest.raises(ConfigError) as refused:
        load(path)
    message = str(refused.value)
    line = next(number for number, text in enumerate(path.read_text().splitlines(), start=1) if '"kindd"' in text)
    assert message.startswith(f"{path}:{line}: unknown key 'kindd'"), message
    assert "did you mean 'kind'" in message, message


@pytest.mark.parametrize("position", RULE_POSITIONS)
def test_the_same_rule_trees_spelt_right_load(tmp_path, position):
    rule = {"id": "my-rule", "code": "TMS901", "message": "m", **RULE_POSITIONS[position]({"kind": "identifier"})}
    path = tmp_path / "torch2ms.yml"
    path.write_text(json.dumps({"rules": [rule]}, indent=1), encoding="utf-8")
    assert "my-rule" in {each.id for each in load(path).rules}


# A value of the wrong type at every place a rule tree holds a pattern or a list of rules: refused
# with the line of its key and what it must be, never an AttributeError from reading it as text.
WRONGLY_TYPED = {
    "a number pattern": ({"pattern": 5}, "pattern", "'pattern' must be a non-empty string of Python code"),
    "a list pattern": ({"pattern": ["f($X)"]}, "pattern", "'pattern' must be a non-empty string of Python code"),
    "an empty pattern": ({"pattern": ""}, "pattern", "'pattern' must be a non-empty string of Python code"),
    "a blank pattern": ({"pattern": "  \n"}, "pattern", "'pattern' must be a non-empty string of Python code"),
    "a null pattern": ({"pattern": None}, "pattern", "'pattern' must be a non-empty string of Python code"),
    "a number context": ({"pattern": {"context": 5}}, "pattern",
                         "'pattern' must be a non-empty string of Python code"),
    "an empty context": ({"pattern": {"context": ""}}, "pattern",
                         "'pattern' must be a non-empty string of Python code"),
    "all as a mapping": ({"all": {"kind": "call"}}, "all", "'all' in "),
    "an empty any": ({"any": []}, "any", "'any' in "),
}


@pytest.mark.parametrize("value", WRONGLY_TYPED)
@pytest.mark.parametrize("position", RULE_POSITIONS)
def test_a_wrongly_typed_value_anywhere_in_a_rule_tree_is_refused_with_its_line(tmp_path, position, value):
    inner, key, expected = WRONGLY_TYPED[value]
    rule = {"id": "my-rule", "code": "TMS901", "message": "m", **RULE_POSITIONS[position](dict(inner))}
    path = tmp_path / "torch2ms.yml"
    path.write_text(json.dumps({"rules": [rule]}, indent=1), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load(path)
    # the innermost key of that name: the position may itself be an item of 'all' or 'any'
    line = max(number for number, text in enumerate(path.read_text().splitlines(), start=1) if f'"{key}"' in text)
    assert str(refused.value).startswith(f"{path}:{line}: {expected}"), refused.value


# `stopBy` and `field` belong to a relational rule (has, inside, follows, precedes): beside a
# rule anywhere else they are refused by name, as any other unknown key.
RELATIONAL_POSITIONS = {"has", "inside", "follows", "precedes", "has inside not"}


@pytest.mark.parametrize("position, key, value", [
    *((position, "stopBy", "end") for position in RULE_POSITIONS),
    # `field` names the place of a child: it goes with has and inside, not with siblings.
    *((position, "field", "name") for position in RULE_POSITIONS if position not in ("follows", "precedes")),
])
def test_a_relation_s_own_keys_are_taken_in_a_relation_only(tmp_path, position, key, value):
    rule = {"id": "my-rule", "code": "TMS901", "message": "m",
            **RULE_POSITIONS[position]({"kind": "identifier", key: value})}
    path = tmp_path / "torch2ms.yml"
    path.write_text(json.dumps({"rules": [rule]}, indent=1), encoding="utf-8")
    if position in RELATIONAL_POSITIONS:
        assert "my-rule" in {each.id for each in load(path).rules}
    else:
        with pytest.raises(ConfigError, match=f"unknown key '{key}'"):
            load(path)


def test_a_stop_rule_is_not_a_relation(tmp_path):
    rule = {"id": "my-rule", "code": "TMS901", "message": "m",
            "rule": {"kind": "call", "inside": {"kind": "block", "stopBy": {"kind": "module", "field": "body"}}}}
    path = tmp_path / "torch2ms.yml"
    path.write_text(json.dumps({"rules": [rule]}, indent=1), encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'field' in 'stopBy'"):
        load(path)
