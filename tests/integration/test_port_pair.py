"""Port-pair mode through the real commands: flake8 --torch2ms-original (and torch2ms-original
in flake8's configuration, taken from that file's folder), torch2ms check / fix --original, and
torch2ms pair."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from tools import flake8, torch2ms

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "pairs"
PORT = Path("port/src/models/resnet.py")
# (line, column as printed, code) of the fixture port's findings in port-pair mode.
EXPECTED = {(30, 21, "TMS401"), (55, 13, "TMS402"), (63, 26, "TMS401"), (66, 24, "TMS402"), (69, 21, "TMS401"),
            (95, 18, "TMS401"), (113, 12, "TMS403")}


@pytest.fixture
def project(tmp_path):
    shutil.copytree(FIXTURE / "original", tmp_path / "original")
    shutil.copytree(FIXTURE / "port", tmp_path / "port")
    return tmp_path


def printed(output: str) -> set[tuple[int, int, str]]:
    found = set()
    for line in output.splitlines():
        path, number, column, rest = line.split(":", 3)
        assert Path(path) == PORT, line
        found.add((int(number), int(column), rest.split()[0]))
    return found


def test_flake8_with_the_original_option(project):
    result = flake8("--select", "TMS", "--torch2ms-original", "original", str(PORT), cwd=project)
    assert printed(result.stdout) == EXPECTED
    assert "original/models/resnet.py:50: write" not in result.stdout  # each finding names its original line
    assert "at original/models/resnet.py:50:" in result.stdout


def test_flake8_reads_the_original_from_its_configuration_file_folder(project):
    (project / "port" / "setup.cfg").write_text("[flake8]\nselect = TMS\ntorch2ms-original = ../original\n",
                                                encoding="utf-8")
    result = flake8(str(Path("src/models/resnet.py")), cwd=project / "port")
    elsewhere = flake8(str(project / "port" / "src" / "models" / "resnet.py"), "--config",
                       str(project / "port" / "setup.cfg"), cwd=project / "original")
    assert elsewhere.stdout.count("TMS40") == result.stdout.count("TMS40") == 7


def test_flake8_pairs_a_file_by_its_names_as_torch2ms_check_does(project):
    """Under a path no original file shares, the port pairs by the classes it defines: flake8
    gates it on Python's parse of it (the plugin's tree), torch2ms check on its text; both
    report the same findings, and a file defining other names gets no pair finding from either."""
    renamed = project / "port" / "src" / "nets" / "backbone.py"
    renamed.parent.mkdir(parents=True)
    shutil.copy(project / PORT, renamed)
    unrelated = project / "port" / "src" / "nets" / "unrelated.py"
    unrelated.write_text(re.sub(r"(?m)^(class|def) (\w+)", r"\1 Other\2", (project / PORT).read_text(encoding="utf-8")),
                         encoding="utf-8")
    for path, pairs in ((renamed, True), (unrelated, False)):
        relative = str(path.relative_to(project))
        by_flake8 = flake8("--select", "TMS", "--torch2ms-original", "original", relative, cwd=project).stdout
        by_check = torch2ms("check", "--original", "original", relative, cwd=project).stdout
        codes = [line.split()[1] for line in by_flake8.splitlines()]
        assert codes == [line.split()[1] for line in by_check.splitlines()], (by_flake8, by_check)
        assert sum(code.startswith("TMS4") for code in codes) == (7 if pairs else 0)


def test_flake8_without_the_original_reports_no_pair_finding(project):
    result = flake8("--select", "TMS", str(PORT), cwd=project)
    assert result.returncode == 0 and printed(result.stdout) == set()


def test_a_missing_original_is_a_clear_configuration_error(project):
    result = flake8("--torch2ms-original", "nowhere", str(PORT), cwd=project)
    assert result.returncode == 2 and "original (port-pair mode) not found" in result.stderr
    result = torch2ms("check", "--original", "nowhere", str(PORT), cwd=project)
    assert result.returncode == 2 and "--original nowhere: no such file or directory" in result.stderr
    result = torch2ms("check", "--original", "original", "--class-map", "A-B", str(PORT), cwd=project)
    assert result.returncode == 2 and "write TorchName=PortName" in result.stderr


def test_torch2ms_check_agrees_with_flake8_and_sarif_names_the_original(project):
    result = torch2ms("check", "--original", "original", str(PORT), cwd=project)
    assert result.returncode == 1 and printed(result.stdout) == EXPECTED
    sarif = json.loads(torch2ms("check", "--original", "original", "--format", "sarif", str(PORT),
                                cwd=project).stdout)
    related = {result["locations"][0]["physicalLocation"]["region"]["startLine"]:
               result.get("relatedLocations") for result in sarif["runs"][0]["results"]}
    assert set(related) == {line for line, _, _ in EXPECTED} and all(related.values())
    location = related[63][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "original/models/resnet.py"
    assert location["region"] == {"startLine": 50, "startColumn": 26}


def test_torch2ms_fix_applies_the_safe_pair_fixes(project):
    result = torch2ms("fix", "--original", "original", str(PORT), cwd=project)
    fixed = (project / PORT).read_text(encoding="utf-8")
    assert "nn.LeakyReLU(alpha=0.1)" in fixed and "nn.Conv2d(width * 2, width * 2, 1, has_bias=True)" in fixed
    assert "ops.std(x, axis=1, keepdims=True, ddof=1)" in fixed
    assert "nn.LeakyReLU(alpha=0.2)" in fixed and "momentum=bn_momentum)" in fixed  # TMS402: unsafe, held back
    assert "left: unsafe fix" in result.stderr + result.stdout
    torch2ms("fix", "--unsafe-fixes", "--original", "original", str(PORT), cwd=project)
    fixed = (project / PORT).read_text(encoding="utf-8")
    assert "nn.LeakyReLU(alpha=0.01)" in fixed and "momentum=1 - bn_momentum)" in fixed


def test_torch2ms_pair_shows_the_alignment_and_its_coverage(project):
    result = torch2ms("pair", "original", "port", cwd=project)
    lines = result.stdout.splitlines()
    assert result.returncode == 0
    assert f"{PORT} <- {Path('original/models/resnet.py')} (shares the path suffix models/resnet.py)" in lines
    assert "  class Classifier: unaligned (no original class of that name)" in lines
    assert f"  {PORT}:63:26 mindspore.nn.Conv2d <- {Path('original/models/resnet.py')}:50 torch.nn.Conv2d " \
           "(attribute head_conv)" in lines
    assert f"  {PORT}:106:20 mindspore.nn.LeakyReLU: unaligned" in lines
    # Every known call but the two of the MindSpore-only class found its original (how many calls
    # are known depends on the facts).
    aligned, total = map(int, re.fullmatch(r"coverage: (\d+) of (\d+) port calls to known APIs found their "
                                           r"original \(\d+%\)", lines[-1]).groups())
    assert total - aligned == 2 and aligned >= 18
