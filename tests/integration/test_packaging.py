"""The package as an index shows it and as users install it: the sdist builds the wheel, both
carry the license, the metadata has its URLs, author and classifiers, the long description's
links work away from the repository, the sdist ships no half test suite, every URL the tool
prints is the project's one, and the wheel installs and runs on every Python found here that its
metadata accepts (and is refused, not built from source, by the others)."""

from __future__ import annotations

import email
import glob
import html
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from flake8_torch2ms import DOCS_URL, PROJECT_URL, formats
from snippets import ROOT
from test_cli import BAD

MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """An sdist of the working tree as git lists it, and the wheel built from that sdist."""
    clone = tmp_path_factory.mktemp("clone")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    dist = tmp_path_factory.mktemp("dist")
    sdist = subprocess.run([sys.executable, "setup.py", "-q", "sdist", "-d", str(dist)], cwd=clone,
                           capture_output=True, text=True, timeout=600)
    assert sdist.returncode == 0, sdist.stderr
    (archive,) = dist.glob("*.tar.gz")
    wheel = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(archive)],
                           capture_output=True, text=True, timeout=600)
    assert wheel.returncode == 0, wheel.stderr
    (wheel_path,) = dist.glob("*.whl")
    return {"sdist": archive, "wheel": wheel_path}


def wheel_metadata(wheel_path: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel_path) as wheel:
        name = next(item for item in wheel.namelist() if item.endswith(".dist-info/METADATA"))
        return email.message_from_string(wheel.read(name).decode("utf-8"))


def test_the_license_is_in_the_repository_the_sdist_and_the_wheel(built):
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert "END OF TERMS AND CONDITIONS" in license_text
    with tarfile.open(built["sdist"]) as sdist:
        names = sdist.getnames()
        top = names[0].split("/")[0]
        assert sdist.extractfile(f"{top}/LICENSE").read().decode("utf-8") == license_text
    with zipfile.ZipFile(built["wheel"]) as wheel:
        (licensed,) = [name for name in wheel.namelist() if name.endswith("dist-info/licenses/LICENSE")]
        assert wheel.read(licensed).decode("utf-8") == license_text
    assert wheel_metadata(built["wheel"])["License"] == "Apache-2.0"


def test_the_sdist_ships_no_half_test_suite(built):
    """Either the tests with their conftest and fixtures, or none: none (the suite needs the repository)."""
    with tarfile.open(built["sdist"]) as sdist:
        names = [name.split("/", 1)[1] for name in sdist.getnames() if "/" in name]
    assert not [name for name in names if name.startswith("tests/") or name.startswith("tests")]
    assert {"setup.py", "README.md", "LICENSE", "linter/cli.py", "rules/clip-result-discarded.yml"} <= set(names)


def test_the_metadata_names_the_project_its_author_and_its_pythons(built):
    metadata = wheel_metadata(built["wheel"])
    assert metadata["Home-page"] == PROJECT_URL
    urls = dict(value.split(", ", 1) for value in metadata.get_all("Project-URL"))
    assert urls == {"Documentation": f"{DOCS_URL}/index.md", "Source": PROJECT_URL, "Issues": f"{PROJECT_URL}/issues"}
    assert (ROOT / "docs" / "index.md").is_file()
    assert metadata["Author"]
    classifiers = metadata.get_all("Classifier")
    assert "Framework :: Flake8" in classifiers
    versions = sorted(int(item.rsplit(".", 1)[1]) for item in classifiers
                      if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", item))
    assert metadata["Requires-Python"] == f">=3.{versions[0]},<3.{versions[-1] + 1}"
    assert versions == list(range(versions[0], versions[-1] + 1))
    usage = " ".join((ROOT / "docs" / "usage.md").read_text(encoding="utf-8").split())
    assert f"on CPython 3.{versions[0]} to 3.{versions[-1]}:" in usage


def test_the_long_description_links_work_on_a_package_index(built):
    description = wheel_metadata(built["wheel"]).get_payload()
    targets = MARKDOWN_LINK.findall(description)
    assert targets and all(target.startswith(("https://", "http://")) for target in targets), \
        [target for target in targets if not target.startswith("http")]
    # Each link into the repository names a file that is there.
    prefix = f"{PROJECT_URL}/blob/main/"
    for target in targets:
        if target.startswith(prefix):
            assert (ROOT / target[len(prefix):].split("#")[0]).exists(), target
    # The README itself keeps its relative links (they work on GitHub and in a clone) and its snippets.
    assert "](docs/usage.md#install)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"]({prefix}docs/usage.md#install)" in description


def test_every_url_the_tool_prints_is_the_project_one(tmp_path):
    assert formats.TOOL_URI == PROJECT_URL
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^repo_url: (\S+)$", mkdocs, re.MULTILINE).group(1) == PROJECT_URL
    help_text = subprocess.run([sys.executable, "-m", "flake8", "--help"], capture_output=True, text=True,
                               timeout=120).stdout
    # flake8 wraps its help, breaking words at hyphens too.
    assert f"{DOCS_URL}/configuration.md" in "".join(help_text.split())
    assert (ROOT / "docs" / "configuration.md").is_file()
    (tmp_path / "train.py").write_text(BAD, encoding="utf-8")
    sarif = subprocess.run([sys.executable, "-m", "flake8_torch2ms.cli", "check", "--format", "sarif", "train.py"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120).stdout
    assert f'"informationUri": "{PROJECT_URL}"' in sarif


# --------------------------------------------------------------------------- every Python here (item 6)


def pythons() -> dict[tuple[int, int], str]:
    """The CPython interpreters on this machine, 3.8 and newer: on the PATH and in pyenv."""
    found: dict[tuple[int, int], str] = {}
    candidates = [shutil.which(f"python3.{minor}") for minor in range(8, 20)]
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(os.path.join(pyenv, "versions", "3.*", "bin", "python3.*[0-9]")))
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys, venv; print(*sys.version_info[:2])"],
                               capture_output=True, text=True, timeout=60)
        if probe.returncode == 0:
            version = tuple(int(part) for part in probe.stdout.split())
            if version >= (3, 8):
                found.setdefault(version, candidate)
    return found


def accepted(version: tuple[int, int], requires: str) -> bool:
    low, high = re.fullmatch(r">=3\.(\d+),<3\.(\d+)", requires).groups()
    return int(low) <= version[1] < int(high)


def simple_index(directory: Path, wheel_path: Path, requires: str) -> str:
    """A package index of the wheel, as PyPI serves it: the link carries the Requires-Python of the
    metadata, which pip reads before it downloads or builds anything."""
    page = directory / "flake8-torch2ms" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(f'<!DOCTYPE html><html><body><a href="{wheel_path.as_uri()}" '
                    f'data-requires-python="{html.escape(requires)}">{wheel_path.name}</a></body></html>\n',
                    encoding="utf-8")
    return directory.as_uri() + "/"


def test_the_wheel_installs_and_runs_on_every_python_it_accepts_and_is_refused_by_the_others(built, tmp_path):
    requires = wheel_metadata(built["wheel"])["Requires-Python"]
    index = simple_index(tmp_path / "index", built["wheel"], requires)
    (tmp_path / "train.py").write_text(BAD, encoding="utf-8")
    found = pythons()
    installed, refused = [], []
    for version, python in sorted(found.items()):
        environment = tmp_path / f"py{version[0]}{version[1]}"
        subprocess.run([python, "-m", "venv", str(environment)], check=True, capture_output=True, timeout=300)
        bin_dir = environment / "bin"
        install = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--extra-index-url", index,
                                  "flake8-torch2ms"], capture_output=True, text=True, timeout=900)
        if not accepted(version, requires):
            # Refused by its metadata: no attempt to build ast-grep-py from source (which needs Rust).
            assert install.returncode != 0, version
            assert f"0.1.0 Requires-Python {requires}" in install.stderr, (version, install.stderr[-2000:])
            refused.append(version)
            continue
        assert install.returncode == 0, (version, install.stderr[-2000:])
        check = subprocess.run([str(bin_dir / "torch2ms"), "check", "train.py"], cwd=tmp_path, capture_output=True,
                               text=True, timeout=300)
        assert (check.returncode, check.stdout.split(" ")[:2]) == (1, ["train.py:5:13:", "TMS103"]), (version, check)
        lint = subprocess.run([str(bin_dir / "flake8"), "--isolated", "--select", "TMS", "train.py"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        assert lint.stdout == check.stdout, (version, lint.stderr)
        # The rule cache names the installed files by the wheel's RECORD, not by a stat of each.
        stamped = subprocess.run([str(bin_dir / "python"), "-c", "from flake8_torch2ms import rulecache; "
                                  "print(rulecache.wheel_record() is not None)"], capture_output=True, text=True,
                                 timeout=300)
        assert stamped.stdout.strip() == "True", (version, stamped.stderr)
        installed.append(version)
    assert installed, f"no Python here that {requires} accepts: {sorted(found)}"
    print(f"installed and ran on {installed}; refused by {refused}")


def test_the_hooks_and_the_site_describe_both_rule_families_and_fix_pages_too():
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    covered = {(hook["entry"], kind) for hook in hooks for kind in hook.get("types_or", hook.get("types", []))}
    for entry in ("torch2ms check", "torch2ms fix"):
        assert {(entry, "python"), (entry, "jupyter"), (entry, "markdown"), (entry, "rst")} <= covered, entry
    for hook in hooks:
        description = hook["description"]
        if hook["entry"].startswith("torch2ms fix"):
            assert "dropout" in description and "BatchNorm" in description, hook["id"]  # the TMS3xx fixes
        elif hook["types_or" if "types_or" in hook else "types"] != ["markdown", "rst"]:
            assert "gradient clipping" in description and "not their meaning" in description, hook["id"]
    site = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nhooks:")[0])
    assert "gradient clipping" in site["site_description"] and "dropout" in site["site_description"]
