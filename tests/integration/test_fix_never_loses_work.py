"""``torch2ms fix`` and ``check`` never lose a user's work and never abort a run: writes are
atomic, a file that cannot be read, written or checked is its own located error line while the
other files are handled (exit status 2, distinct from findings' 1), a fix changes only the
characters it fixes in every kind of file, and a fix whose value other code shares is unsafe."""

from __future__ import annotations

import json
import os
import resource
import stat
from pathlib import Path

import pytest

from ci_requirements import import_or_skip
from flake8_torch2ms import atomicwrite, cli
from flake8_torch2ms.engine import engine_for, internal_error
from tools import torch2ms

DROPOUT = "from mindspore import nn\nlayer = nn.Dropout(0.1)\n"
DROPOUT_FIXED = "from mindspore import nn\nlayer = nn.Dropout(p=0.1)\n"
LIMIT = 8192  # bytes: what the fixer may write per file under the limit below


def limit_file_size() -> None:
    """In the child: writing past LIMIT bytes fails with EFBIG ('File too large'), even as root."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def big_file() -> str:
    """About 20 kB, with its one finding at the end: a truncated write would still parse."""
    filler = "".join(f"# line {number} of a long comment that pads the file past the size limit\n"
                     for number in range(260))
    return "from mindspore import nn\n" + filler + "layer = nn.Dropout(0.1)\n"


# --------------------------------------------------------------------------- atomic writes (item 1)


def test_a_write_that_fails_half_way_leaves_the_original_bytes(tmp_path):
    original = big_file().encode()
    assert len(original) > 2 * LIMIT
    (tmp_path / "big.py").write_bytes(original)
    result = torch2ms("fix", "big.py", cwd=tmp_path, preexec_fn=limit_file_size)
    assert (tmp_path / "big.py").read_bytes() == original
    assert sorted(path.name for path in tmp_path.iterdir()) == ["big.py"]  # no temporary file left behind
    assert result.stdout.splitlines()[0] == ("big.py:1:1: E902 cannot write the fixed file (OSError: File too large); "
                                             "it was left unchanged")
    assert result.returncode == cli.EXIT_ERROR == 2


def test_an_interrupted_atomic_write_keeps_the_original_and_removes_its_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "train.py"
    target.write_bytes(b"original\r\n")

    def fail(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)  # the bytes are written, then the flush to disk fails
    with pytest.raises(OSError, match="No space left"):
        atomicwrite.write_text(str(target), "new text\n")
    assert target.read_bytes() == b"original\r\n"
    assert [path.name for path in tmp_path.iterdir()] == ["train.py"]


def test_a_read_only_file_is_reported_and_left_and_the_other_files_are_fixed(tmp_path, monkeypatch, capsys):
    """Replacing a file needs only a writable folder: a file its owner made read-only is refused
    as writing it in place would be. (Root may write anything, so the check is simulated.)"""
    for name in ("a.py", "locked.py", "z.py"):
        (tmp_path / name).write_text(DROPOUT, encoding="utf-8")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kwargs: (
        False if str(path).endswith("locked.py") and mode == os.W_OK else real_access(path, mode, **kwargs)))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["fix", "-j", "1", "."]) == 2
    out = capsys.readouterr().out
    assert ("./locked.py:1:1: E902 cannot write the fixed file (PermissionError: Permission denied); it was left "
            "unchanged") in out.splitlines()
    assert (tmp_path / "locked.py").read_text(encoding="utf-8") == DROPOUT
    assert [(tmp_path / name).read_text(encoding="utf-8") for name in ("a.py", "z.py")] == [DROPOUT_FIXED] * 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.py", "locked.py", "z.py"]


def test_a_fixed_file_keeps_its_mode_and_a_symbolic_link_stays_a_link(tmp_path):
    (tmp_path / "real.py").write_text(DROPOUT, encoding="utf-8")
    os.chmod(tmp_path / "real.py", 0o754)
    (tmp_path / "link.py").symlink_to("real.py")
    result = torch2ms("fix", "link.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert (tmp_path / "link.py").is_symlink() and (tmp_path / "real.py").read_text(encoding="utf-8") == DROPOUT_FIXED
    assert stat.S_IMODE((tmp_path / "real.py").stat().st_mode) == 0o754


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another owner")
def test_a_fixed_file_keeps_its_owner(tmp_path):
    (tmp_path / "train.py").write_text(DROPOUT, encoding="utf-8")
    os.chown(tmp_path / "train.py", 65534, 65534)
    assert torch2ms("fix", "train.py", cwd=tmp_path).returncode == 0
    status = (tmp_path / "train.py").stat()
    assert (status.st_uid, status.st_gid) == (65534, 65534)
    assert (tmp_path / "train.py").read_text(encoding="utf-8") == DROPOUT_FIXED


def test_a_new_report_gets_the_usual_permissions(tmp_path):
    (tmp_path / "train.py").write_text(DROPOUT, encoding="utf-8")
    result = torch2ms("check", "--format", "json", "--output", "report.json", "train.py", cwd=tmp_path,
                      preexec_fn=lambda: os.umask(0o027))
    assert result.returncode == 1 and json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert stat.S_IMODE((tmp_path / "report.json").stat().st_mode) == 0o640


def test_a_report_written_with_output_is_written_atomically(tmp_path):
    (tmp_path / "train.py").write_text(big_file(), encoding="utf-8")
    (tmp_path / "report.sarif").write_text("the previous report\n", encoding="utf-8")
    result = torch2ms("check", "--format", "sarif", "--output", "report.sarif", "train.py", cwd=tmp_path,
                      preexec_fn=limit_file_size)  # the SARIF report (rules with their docs) is above the limit
    assert result.returncode == 2 and "--output report.sarif: cannot write the report" in result.stderr
    assert (tmp_path / "report.sarif").read_text(encoding="utf-8") == "the previous report\n"


# --------------------------------------------------------------------------- one file never aborts the run (2, 3)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_that_cannot_be_written_is_reported_and_every_other_file_is_fixed(tmp_path, jobs):
    names = ["a.py", "b.py", "m_big.py", "x.py", "z.py"]
    for name in names:
        (tmp_path / name).write_text(big_file() if name == "m_big.py" else DROPOUT, encoding="utf-8")
    result = torch2ms("fix", "-j", jobs, ".", cwd=tmp_path, preexec_fn=limit_file_size)
    assert (tmp_path / "m_big.py").read_text(encoding="utf-8") == big_file()
    assert all((tmp_path / name).read_text(encoding="utf-8") == DROPOUT_FIXED for name in names if name != "m_big.py")
    lines = result.stdout.splitlines()
    assert ("./m_big.py:1:1: E902 cannot write the fixed file (OSError: File too large); it was left unchanged"
            in lines)
    assert lines[-1] == ("torch2ms: 1 file(s) could not be read, written or checked (E902, TMS000 above); they were "
                         "left unchanged")
    assert result.returncode == 2


@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_file_that_cannot_be_read_is_reported_and_the_run_goes_on(tmp_path, command):
    (tmp_path / "a_gone.py").symlink_to("nowhere.py")  # listed by the walk, unreadable
    (tmp_path / "train.py").write_text(DROPOUT, encoding="utf-8")
    result = torch2ms(command, "-j", "1", ".", cwd=tmp_path)
    assert result.stdout.splitlines()[0].startswith("./a_gone.py:1:1: E902 FileNotFoundError: ")
    assert "./train.py:2:9: " in result.stdout
    assert result.returncode == 2


MALFORMED_NOTEBOOKS = {
    "a-list": "[]",
    "null": "null",
    "no-cells": "{}",
    "cells-not-a-list": '{"cells": {}}',
    "cell-not-an-object": '{"cells": [1]}',
    "source-of-numbers": '{"cells": [{"cell_type": "code", "source": [1, 2]}]}',
    "source-a-number": '{"cells": [{"cell_type": "code", "source": 3}]}',
    "not-json": '{"cells": [',
    "not-utf-8": b'\xff\xfe{"cells": []}',
}


@pytest.mark.parametrize("content", MALFORMED_NOTEBOOKS.values(), ids=MALFORMED_NOTEBOOKS.keys())
@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_malformed_notebook_is_one_located_error_and_the_other_files_are_checked(tmp_path, content, command):
    (tmp_path / "broken.ipynb").write_bytes(content if isinstance(content, bytes) else content.encode())
    (tmp_path / "train.py").write_text(DROPOUT, encoding="utf-8")
    result = torch2ms(command, "-j", "1", ".", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("./broken.ipynb:1:1: E902 not a Jupyter notebook (")
    assert any(line.startswith("./train.py:2:9: ") for line in lines)
    assert result.returncode == 2


@pytest.mark.parametrize("metadata", ['[]', '{"language_info": []}', '{"language_info": null}'])
def test_odd_notebook_metadata_is_read_as_a_python_notebook(tmp_path, metadata):
    cell = {"cell_type": "code", "source": DROPOUT, "metadata": {}, "outputs": []}
    text = f'{{"cells": [{json.dumps(cell)}], "metadata": {metadata}}}'
    (tmp_path / "odd.ipynb").write_text(text, encoding="utf-8")
    result = torch2ms("check", "odd.ipynb", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout.startswith("odd.ipynb:cell 1:2:9: TMS301 ")


def test_the_checker_failing_on_one_file_is_counted_as_one_file(tmp_path, monkeypatch, capsys):
    (tmp_path / "train.py").write_text(DROPOUT, encoding="utf-8")
    engine = engine_for(None)
    failures = [internal_error(rule_id, RuntimeError("boom")) for rule_id in ("one", "two", "three")]
    monkeypatch.setattr(type(engine), "check", lambda self, source, path=None: failures)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "-j", "1", "train.py"]) == 2
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 3
    assert captured.err == "torch2ms: the checker failed on 1 file(s) (TMS000); please report it\n"


def test_an_exception_on_one_file_becomes_its_tms000_line(tmp_path, monkeypatch, capsys):
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(DROPOUT, encoding="utf-8")
    real_load = cli.sources.load

    def load(path, text):
        if path.endswith("a.py"):
            raise RuntimeError("a bug of ours")
        return real_load(path, text)

    monkeypatch.setattr(cli.sources, "load", load)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["fix", "-j", "1", "."]) == 2
    out = capsys.readouterr().out
    assert ("./a.py:1:1: TMS000 torch2ms failed on this file (RuntimeError: a bug of ours); it was left unchanged."
            in out)
    assert (tmp_path / "a.py").read_text(encoding="utf-8") == DROPOUT
    assert (tmp_path / "b.py").read_text(encoding="utf-8") == DROPOUT_FIXED


# --------------------------------------------------------------------------- only the fixed characters (4, 14)


def notebook(indent: int | None, ascii_only: bool, string_source: bool) -> str:
    code = ["import numpy as np\n", "\n", "    \n", "x = np.ones(3)  # \u00e9t\u00e9\n"]
    flagged = ["from mindspore import nn\n", "\t\n", "layer = nn.Dropout(0.1)  # caf\u00e9\n", "y = 1"]
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Port \u2014 notes\n", "   \n"]},
             {"cell_type": "code", "execution_count": 1, "metadata": {"tags": []}, "outputs": [], "source": code},
             {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
              "source": "".join(flagged) if string_source else flagged}]
    document = {"cells": cells, "metadata": {"language_info": {"name": "python"}}, "nbformat": 4,
                "nbformat_minor": 5}
    return json.dumps(document, indent=indent, ensure_ascii=ascii_only) + ("\n" if indent else "")


MARKDOWN = """\
# Port\r
\r
```python\r
import numpy as np\r
    \r
x = np.ones(3)   \r
\t\r
```\r
\r
1. A step\r
\r
   ```python\r
   from mindspore import nn\r
   \r
\r
   layer = nn.Dropout(0.1)  # \u00e9t\u00e9\r
      \r
   y = 1\r
   ```\r
"""

RST = """\
Port
====

.. code-block:: python

   import numpy as np
\t
   x = np.ones(3)

.. code-block:: python

   from mindspore import nn
   \u0020\u0020
   layer = nn.Dropout(0.1)
      \n   y = 1

Done.
"""

DOCUMENTS = {
    "python-crlf-bom": ("train.py", "\ufeff" + DROPOUT.replace("\n", "\r\n") + "  \r\n\t\r\n"),
    "markdown": ("guide.md", MARKDOWN),
    "rst": ("guide.rst", RST),
    "notebook-indent-1": ("port.ipynb", notebook(1, False, False)),
    "notebook-indent-2-ascii": ("port.ipynb", notebook(2, True, False)),
    "notebook-compact-one-line": ("port.ipynb", notebook(None, False, False)),
    "notebook-string-source": ("port.ipynb", notebook(1, False, True)),
}


@pytest.mark.parametrize("name, text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_a_fix_changes_only_the_characters_it_fixes(tmp_path, name, text):
    if name.endswith((".md", ".rst")):
        import_or_skip("markdown_it" if name.endswith(".md") else "docutils", reason="the markup extra is in test")
    before = text.encode("utf-8")
    (tmp_path / name).write_bytes(before)
    result = torch2ms("fix", name, cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    after = (tmp_path / name).read_bytes()
    prefix = 0
    while prefix < min(len(before), len(after)) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(before), len(after)) - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    # Everything before and after the fix is byte for byte what it was: the fix inserted "p=".
    assert (before[prefix:len(before) - suffix], after[prefix:len(after) - suffix]) == (b"", b"p=")
    assert after[:prefix].endswith(b"nn.Dropout(")


# --------------------------------------------------------------------------- fixes through shared values (5)

SHARED = {
    # Every caller shares the default, and a caller passing 0.97 would get 0.03 from the call-site
    # fix; the default cannot be converted instead, since the function reads it elsewhere too.
    "tms302-parameter-read-twice": (
        "from mindspore import nn\n\n\ndef make_bn(c, momentum=0.1):\n    print(momentum)\n"
        "    return nn.BatchNorm2d(c, momentum=momentum)\n", "momentum=1 - momentum", "momentum is a parameter"),
    "tms302-module-constant-read-twice": (
        "from mindspore import nn\n\nMOMENTUM = 0.1\n\n\ndef make(c):\n"
        "    return nn.BatchNorm2d(c, momentum=MOMENTUM), nn.Dense(c, c)\n\n\nprint(MOMENTUM)\n",
        "momentum=1 - MOMENTUM", "MOMENTUM is a module constant also read elsewhere"),
    "tms302-attribute": (
        "from mindspore import nn\n\n\nclass Block(nn.Cell):\n    MOMENTUM = 0.1\n\n    def __init__(self, c):\n"
        "        super().__init__()\n        self.bn = nn.BatchNorm2d(c, momentum=self.MOMENTUM)\n",
        "momentum=1 - self.MOMENTUM", "self.MOMENTUM is an attribute"),
    "tms302-through-a-local-name": (
        "from mindspore import nn\n\n\ndef make_bn(c, momentum=0.1):\n    m = momentum\n"
        "    return nn.BatchNorm2d(c, momentum=m)\n",
        "momentum=1 - m", "momentum is a parameter"),
    "tms302-default-not-a-number": (
        "from mindspore import nn\n\nMOMENTUM = 0.1\n\n\ndef make_bn(c, momentum=MOMENTUM):\n"
        "    return nn.BatchNorm2d(c, momentum=momentum)\n", "momentum=1 - momentum", "momentum is a parameter"),
    "tms301-parameter-default": (
        "from mindspore import nn\n\n\ndef block(rate=0.1):\n    return nn.Dropout(rate)\n",
        "nn.Dropout(p=rate)", "rate is a parameter"),
    "tms307-parameter-defaults": (
        "from mindspore import nn\n\n\ndef make_bn(c, momentum=0.9, eps=1e-5):\n"
        "    return nn.BatchNorm2d(c, momentum, eps)\n",
        "nn.BatchNorm2d(c, eps, momentum)", "eps is a parameter"),
    "tms106-helper-parameters": (
        "from mindspore import ops\nfrom mindspore.ops import composite as C, functional as F\n\n"
        "clip_grad = C.MultitypeFuncGraph('clip_grad')\n\n\n@clip_grad.register('Number', 'Number', 'Tensor')\n"
        "def _clip(low, high, grad):\n    return ops.clip_by_value(grad, low, high)\n\n\n"
        "def step(grads):\n    return C.HyperMap()(F.partial(clip_grad, 1.0, -1.0), grads)\n",
        "ops.clip_by_value(grad, high, low)", "low is a parameter"),
}

OWN = {
    "tms302-literal": ("from mindspore import nn\nbn = nn.BatchNorm2d(8, momentum=0.1)\n", "momentum=0.9"),
    "tms302-local-constant": ("from mindspore import nn\n\n\ndef make(c):\n    m = 0.1\n"
                              "    return nn.BatchNorm2d(c, momentum=m)\n", "momentum=1 - m"),
    "tms301-constant-read-once": ("from mindspore import nn\nRATE = 0.1\nlayer = nn.Dropout(RATE)\n",
                                  "nn.Dropout(p=RATE)"),
    "tms106-literals": ("from mindspore import ops\n\n\ndef step(grads):\n"
                        "    return ops.clip_by_value(grads, 1.0, -1.0)\n", "ops.clip_by_value(grads, -1.0, 1.0)"),
    # TMS103 is decided on how the bound is written, not on its value: any caller's bound is meant
    # as a limit on both sides.
    "tms103-parameter-bound": ("from mindspore import ops\n\n\ndef step(grads, clip=1.0):\n"
                               "    return ops.clip_by_value(grads, clip)\n", "ops.clip_by_value(grads, -clip, clip)"),
}


# The example: the default is the value's source, and nothing else reads the parameter,
# so the safe fix converts the default (a caller passing 0.97 still gets 0.97).
SOURCE_FIXES = {
    "tms302-parameter-default": (
        "from mindspore import nn\n\n\ndef make_bn(c, momentum=0.1):\n"
        "    return nn.BatchNorm2d(c, momentum=momentum)\n", "def make_bn(c, momentum=0.9):"),
    "tms302-constructor-default": (
        "from mindspore import nn\n\n\nclass Block(nn.Cell):\n    def __init__(self, c, bn_momentum=0.03):\n"
        "        super().__init__()\n        self.bn = nn.BatchNorm2d(c, momentum=bn_momentum)\n",
        "    def __init__(self, c, bn_momentum=0.97):"),
}


@pytest.mark.parametrize("source, fixed_line", SOURCE_FIXES.values(), ids=SOURCE_FIXES.keys())
def test_a_default_read_only_by_the_flagged_call_is_converted_where_it_is_written(tmp_path, source, fixed_line):
    (tmp_path / "model.py").write_text(source, encoding="utf-8")
    result = torch2ms("fix", "model.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    fixed = (tmp_path / "model.py").read_text(encoding="utf-8")
    old_line = next(line for line in source.splitlines() if line.lstrip().startswith("def "))
    assert fixed == source.replace(old_line, fixed_line)  # the call itself is as it was
    assert "(fixed where the value is written: the parameter's default)" in result.stdout


@pytest.mark.parametrize("source, fixed_text, reason", SHARED.values(), ids=SHARED.keys())
def test_a_fix_through_a_value_other_code_shares_is_unsafe(tmp_path, source, fixed_text, reason):
    (tmp_path / "model.py").write_text(source, encoding="utf-8")
    held = torch2ms("fix", "model.py", cwd=tmp_path)
    assert (tmp_path / "model.py").read_text(encoding="utf-8") == source
    assert f"[left: unsafe fix, applied only with --unsafe-fixes: {reason}" in held.stdout
    assert "--unsafe-fixes applies them" in held.stdout.splitlines()[-1] and held.returncode == 1
    applied = torch2ms("fix", "--unsafe-fixes", "model.py", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout
    assert fixed_text in (tmp_path / "model.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("source, fixed_text", OWN.values(), ids=OWN.keys())
def test_a_fix_through_a_value_of_its_own_stays_safe(tmp_path, source, fixed_text):
    (tmp_path / "model.py").write_text(source, encoding="utf-8")
    result = torch2ms("fix", "model.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert fixed_text in (tmp_path / "model.py").read_text(encoding="utf-8")


def test_fix_reads_standard_input_and_writes_the_fixed_text(tmp_path):
    result = torch2ms("fix", "--stdin-display-name", "port.ipynb", "-", cwd=tmp_path,
                      stdin=notebook(1, False, False))
    assert result.stdout == notebook(1, False, False).replace("nn.Dropout(0.1)", "nn.Dropout(p=0.1)")
    assert result.stderr.startswith("port.ipynb:cell 3:3:9: fixed TMS301 ") and result.returncode == 0
    assert list(Path(tmp_path).iterdir()) == []  # nothing written but standard output
    unfixable = torch2ms("fix", "-", cwd=tmp_path, stdin="x = 1\n")
    assert (unfixable.returncode, unfixable.stdout) == (0, "x = 1\n")
    assert torch2ms("fix", "--diff", "-", cwd=tmp_path, stdin="x = 1\n").returncode == 2
