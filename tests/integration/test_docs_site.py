"""The documentation site builds in strict mode (a broken link between pages fails it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ci_requirements import import_or_skip

ROOT = Path(__file__).resolve().parents[2]

import_or_skip("mkdocs", reason="mkdocs is in the test extra: pip install '.[test]'")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(output)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return output


def test_site_has_every_page(site, ruleset):
    for page in ("index", "usage", "cli", "ci", "pre-commit", "configuration", "writing-rules", "rules"):
        assert (site / (page if page != "index" else "") / "index.html").is_file(), page
    for rule in ruleset.rules:
        assert (site / "rules" / rule.code / "index.html").is_file(), rule.code


def test_rule_index_links_every_rule_page(site, ruleset):
    index = (site / "rules" / "index.html").read_text(encoding="utf-8")
    for rule in ruleset.rules:
        assert f'href="{rule.code}/"' in index, rule.code


def test_a_broken_link_fails_the_strict_build(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nSee [the missing page](missing.md).\n")
    (tmp_path / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text().split("nav:")[0].replace(
        "docs/_hooks/repository_links.py", str(ROOT / "docs" / "_hooks" / "repository_links.py")))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "s")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "missing.md" in result.stderr
