"""``torch2ms`` on mistakes users make: every one a one-line message and the right exit status."""

from __future__ import annotations

import pytest

from test_cli import BAD
from tools import torch2ms


def test_output_into_a_missing_directory_is_a_usage_error(tmp_path):
    (tmp_path / "train.py").write_text(BAD, encoding="utf-8")
    result = torch2ms("check", "--output", "missing/dir/out.txt", "train.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("torch2ms: --output missing/dir/out.txt: cannot write the report: "
                             "No such file or directory\n")


@pytest.mark.parametrize("option, code", [("--select", "TSM"), ("--select", "TMS1,TSM103"), ("--ignore", "E501"),
                                          ("--ignore", "TMS7")])
def test_a_code_that_no_code_starts_with_is_a_usage_error(tmp_path, option, code):
    (tmp_path / "train.py").write_text(BAD, encoding="utf-8")
    result = torch2ms("check", option, code, "train.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    unknown = code.split(",")[-1]
    assert result.stderr.startswith(f"torch2ms: {option} {unknown}: no torch2ms code starts with {unknown}; "
                                    "the codes are E902, E999, TMS000, TMS101, ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("selection", [["--select", "TMS1"], ["--select", "E9,TMS103"], ["--ignore", "TMS2,E"],
                                       ["--select", "tms103"]])
def test_known_codes_and_prefixes_are_accepted(tmp_path, selection):
    (tmp_path / "train.py").write_text(BAD, encoding="utf-8")
    result = torch2ms("check", *selection, "train.py", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout.startswith("train.py:5:13: TMS103")


def test_a_directory_with_nothing_to_check_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("nothing here\n", encoding="utf-8")
    result = torch2ms("check", "empty", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == ("torch2ms: note: no Python file, notebook or Markdown/reST page to check in empty\n")


def test_fix_is_not_offered_on_a_call_another_rule_flags_for_another_reason(tmp_path):
    source = ("from mindspore import ops\n\n\ndef step(net, loss):\n"
              "    weights = net.trainable_params()\n"
              "    ops.clip_by_global_norm(weights, 1.0)\n"
              "    return loss\n")
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    checked = torch2ms("check", "--format", "json", "train.py", cwd=tmp_path)
    assert '"code": "TMS101"' in checked.stdout and '"code": "TMS102"' in checked.stdout
    assert '"fixable": true' not in checked.stdout
    fixed = torch2ms("fix", "train.py", cwd=tmp_path)
    assert (tmp_path / "train.py").read_text(encoding="utf-8") == source  # no 'weights = clip(...)'
    assert fixed.returncode == 1
    assert fixed.stdout.splitlines() == [
        "train.py:6:5: TMS101 ops.clip_by_global_norm clips parameters (weights), not gradients: clip the "
        "gradients from mindspore.grad / value_and_grad [left: no automatic fix]",
        "train.py:6:5: TMS102 the result of ops.clip_by_global_norm(...) is discarded: MindSpore clips out of "
        "place, so assign it (weights = ops.clip_by_global_norm(...)) [left: TMS101 flags this call for "
        "another reason; fix it by hand]",
        "torch2ms: fixed 0 finding(s) in 0 file(s); 2 left.",
    ]


def test_fix_reports_in_file_order_like_check(tmp_path):
    source = BAD + "\n\ndef other(grads):\n    grads = ops.clip_by_value(grads, clip_value_max=1.0)\n    return grads\n"
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    fixed = torch2ms("fix", "train.py", cwd=tmp_path)
    assert [line.split(" ")[0:3] for line in fixed.stdout.splitlines()[:2]] == [
        ["train.py:5:13:", "fixed", "TMS103"], ["train.py:10:13:", "fixed", "TMS104"]]
