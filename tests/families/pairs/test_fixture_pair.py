"""Port-pair mode on a realistic pair (tests/fixtures/pairs/): a torch ResNet and its MindSpore
port, annotated inline; the complete set of (line, code) findings must match, and the alignment
must find the original of every known call outside the MindSpore-only class."""

from pathlib import Path

import pytest

from annotations import parse
from flake8_torch2ms.engine import Engine
from flake8_torch2ms.families import Pairing

ROOT = Path(__file__).resolve().parents[3]
PAIRS = ROOT / "tests" / "fixtures" / "pairs"
PORTS = sorted((PAIRS / "port").glob("**/*.py"))


@pytest.fixture(scope="module")
def paired(ruleset):
    return Engine(ruleset, Pairing(str(PAIRS / "original")))


@pytest.mark.parametrize("path", PORTS, ids=[path.name for path in PORTS])
def test_port_findings_match_the_annotations(paired, path):
    source = path.read_text(encoding="utf-8")
    actual = {(finding.line, finding.code) for finding in paired.check(source, str(path))}
    assert parse(source).problems(actual) == []


def test_the_port_alone_has_only_its_single_file_findings(engine):
    """Without the original, the same file gives no TMS4xx finding: the mode is off."""
    path = PORTS[0]
    codes = {finding.code for finding in engine.check(path.read_text(encoding="utf-8"), str(path))}
    assert not any(code.startswith("TMS4") for code in codes)


def test_findings_point_at_the_original_call(paired):
    path = PAIRS / "port" / "src" / "models" / "resnet.py"
    findings = {finding.line: finding for finding in paired.check(path.read_text(encoding="utf-8"), str(path))}
    original = str(PAIRS / "original" / "models" / "resnet.py")
    assert findings[63].related == ((original, 50, 25),)  # head_conv: nn.Conv2d(width * 2, width * 2, 1)
    assert f"{original}:50" in findings[63].message
    assert findings[63].message.endswith("write has_bias=True")


@pytest.mark.parametrize("path", PORTS, ids=[path.name for path in PORTS])
def test_a_paired_check_leaves_nothing_for_the_cycle_collector(paired, path):
    """As tests/test_engine.py's test of the single-file families: the port's index, the pair
    analysis and its views are freed by reference counts when the check ends."""
    import gc

    source = path.read_text(encoding="utf-8")
    paired.check(source, str(path))  # the original tree, the facts and the caches, once
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        assert paired.check(source, str(path))
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()
