"""``torch2ms fix`` on a file with more fixable findings than one pass of the fixer takes apart."""

import subprocess
import sys

TORCH2MS = [sys.executable, "-m", "flake8_torch2ms.cli"]


def test_every_finding_of_a_long_file_is_fixed_in_one_run(tmp_path):
    calls = [f"    g{i} = ops.clip_by_value(grads[{i}], 0.{i + 1})" for i in range(8)]
    # Each result is returned: only TMS103 flags the calls (an unused result would be TMS108, which
    # withholds the fix).
    returned = ", ".join(f"g{i}" for i in range(8))
    source = "from mindspore import ops\n\n\ndef step(grads):\n" + "\n".join(calls) + f"\n    return {returned}\n"
    (tmp_path / "step.py").write_text(source, encoding="utf-8")
    result = subprocess.run([*TORCH2MS, "fix", "--select", "TMS103", "step.py"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.stdout.splitlines()[-1] == "torch2ms: fixed 8 finding(s) in 1 file(s); 0 left.", result.stdout
    expected = [f"    g{i} = ops.clip_by_value(grads[{i}], -0.{i + 1}, 0.{i + 1})" for i in range(8)]
    assert (tmp_path / "step.py").read_text(encoding="utf-8").splitlines()[4:12] == expected
    assert result.returncode == 0
