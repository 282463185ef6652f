"""``torch2ms check`` and ``flake8`` print the same E999 for the same broken file, and agree on
files flake8 reads without complaint (a UTF-8 BOM before a ``coding:`` cookie)."""

from __future__ import annotations

import pytest

from test_cli import flake8, run

BROKEN = {
    "unclosed-parameter-list": "x = 1\n\ndef f(:\n    pass\n",
    "indentation": "def f():\nreturn 1\n",
    "unexpected-indent": "x = 1\n    y = 2\n",
    "unclosed-bracket": "from mindspore import ops\ngrads = ops.clip_by_value(grads, -1.0, 1.0\n",
    "bad-token-mid-line": "grads = grads $ 2\n",
    "invalid-assignment": "f() = 1\n",
    "unterminated-string": "message = 'unfinished\n",
    "tab-error": "if True:\n\tx = 1\n        y = 2\n",
}


# torch2ms reports E999 only for a file the engine has to parse (docs/cli.md): one whose code
# names a rule's trigger word and the package it comes from. The import makes each broken file one.
TRIGGER = "from mindspore.ops import clip_by_value\n"


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_e999_line_column_and_message_are_flake8s(tmp_path, name):
    (tmp_path / "broken.py").write_text(TRIGGER + BROKEN[name], encoding="utf-8")
    theirs = flake8("--select", "E999", "broken.py", cwd=tmp_path)
    ours = run("check", "--select", "E999", "broken.py", cwd=tmp_path)
    assert theirs.stdout.startswith("broken.py:") and "E999" in theirs.stdout, theirs.stdout + theirs.stderr
    assert ours.stdout == theirs.stdout
    assert ours.returncode == theirs.returncode == 1


@pytest.mark.parametrize("cookie", ["utf-8", "latin-1"])
def test_utf8_bom_before_a_coding_cookie(tmp_path, cookie):
    source = f"# -*- coding: {cookie} -*-\nfrom mindspore import ops\ngrads = ops.clip_by_value(grads, 0.1)\n"
    (tmp_path / "train.py").write_bytes(b"\xef\xbb\xbf" + source.encode("utf-8"))
    theirs = flake8("--select", "E9,TMS", "train.py", cwd=tmp_path)
    ours = run("check", "train.py", cwd=tmp_path)
    assert ours.stdout == theirs.stdout
    assert "E999" not in ours.stdout and ours.stdout.startswith("train.py:3:9: TMS103")
