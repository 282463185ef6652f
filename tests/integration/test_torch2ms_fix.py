"""``torch2ms fix`` on a file with more fixable findings than one pass of the fixer takes apart."""

from tools import torch2ms


def test_every_finding_of_a_long_file_is_fixed_in_one_run(tmp_path):
    calls = [f"    g{i} = ops.clip_by_value(grads[{i}], 0.{i + 1})" for i in range(8)]
    # Each result is returned: only TMS103 flags the calls (an unused result would be TMS108, which
    # withholds the fix).
    returned = ", ".join(f"g{i}" for i in range(8))
    source = "from mindspore import ops\n\n\ndef step(grads):\n" + "\n".join(calls) + f"\n    return {returned}\n"
    (tmp_path / "step.py").write_text(source, encoding="utf-8")
    result = torch2ms("fix", "--select", "TMS103", "step.py", cwd=tmp_path)
    assert result.stdout.splitlines()[-1] == "torch2ms: fixed 8 finding(s) in 1 file(s); 0 left.", result.stdout
    expected = [f"    g{i} = ops.clip_by_value(grads[{i}], -0.{i + 1}, 0.{i + 1})" for i in range(8)]
    assert (tmp_path / "step.py").read_text(encoding="utf-8").splitlines()[4:12] == expected
    assert result.returncode == 0


def test_nested_fixable_calls_are_each_fixed_once(tmp_path):
    # The outer call's fix holds the inner call's old text: applied in the same pass as the inner
    # fix, it would undo it, and the inner call would be fixed (and reported) a second time.
    source = ("from mindspore import ops\n\n\ndef step(grads):\n    return ops.clip_by_value(\n"
              "        ops.clip_by_value(grads, 0.1),\n        0.2,\n    )\n")
    (tmp_path / "step.py").write_text(source, encoding="utf-8")
    result = torch2ms("fix", "--select", "TMS103", "step.py", cwd=tmp_path)
    fixed = [line.split(": fixed ")[0] for line in result.stdout.splitlines() if line.startswith("step.py:")]
    assert fixed == ["step.py:5:12", "step.py:6:9"], result.stdout
    assert result.stdout.splitlines()[-1] == "torch2ms: fixed 2 finding(s) in 1 file(s); 0 left."
    assert (tmp_path / "step.py").read_text(encoding="utf-8").splitlines()[4] == (
        "    return ops.clip_by_value(ops.clip_by_value(grads, -0.1, 0.1), -0.2, 0.2)")


def test_a_call_nested_in_a_call_another_rule_flags_is_fixed_as_well(tmp_path):
    # TMS104 flags the outer call, TMS103 the inner one: two calls, each the whole story of its
    # own finding, so both are fixed (a fix is withheld only for another rule on the same call).
    source = ("from mindspore import ops\n\n\ndef step(grads):\n"
              "    return ops.clip_by_value(ops.clip_by_value(grads, 0.1), clip_value_max=0.2)\n")
    (tmp_path / "step.py").write_text(source, encoding="utf-8")
    result = torch2ms("fix", "step.py", cwd=tmp_path)
    assert result.stdout.splitlines()[-1] == "torch2ms: fixed 2 finding(s) in 1 file(s); 0 left.", result.stdout
    assert (tmp_path / "step.py").read_text(encoding="utf-8").splitlines()[4] == (
        "    return ops.clip_by_value(ops.clip_by_value(grads, -0.1, 0.1), -0.2, 0.2)")
