"""The editor path: flake8 runs from the edited file's folder, often on standard input, and must
read the project's configuration exactly as it does from the project root."""

from __future__ import annotations

import pytest

from test_cli import BAD
from tools import flake8, torch2ms


@pytest.fixture
def project(tmp_path):
    (tmp_path / "setup.cfg").write_text("[flake8]\ntorch2ms-config = torch2ms.yml\n", encoding="utf-8")
    (tmp_path / "torch2ms.yml").write_text("messages:\n  TMS103: 'team rule 7: use -$BOUND and $BOUND'\n",
                                           encoding="utf-8")
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "train.py").write_text(BAD, encoding="utf-8")
    return tmp_path


EXPECTED = "5:13: TMS103 team rule 7: use -0.1 and 0.1\n"


def test_flake8_from_the_files_folder_reads_a_bare_config_name_from_the_config_files_folder(project):
    result = flake8("--select", "TMS", "train.py", cwd=project / "src" / "pkg")
    assert (result.returncode, result.stdout, result.stderr) == (1, "train.py:" + EXPECTED, "")


def test_flake8_on_standard_input_from_the_files_folder(project):
    folder = project / "src" / "pkg"
    result = flake8("--select", "TMS", "--stdin-display-name", str(folder / "train.py"), "-", cwd=folder,
                    stdin=BAD)
    assert (result.returncode, result.stdout) == (1, f"{folder / 'train.py'}:{EXPECTED}")


def test_flake8_from_the_root_and_torch2ms_from_the_files_folder_agree(project):
    assert flake8("--select", "TMS", "src/pkg/train.py", cwd=project).stdout == "src/pkg/train.py:" + EXPECTED
    result = torch2ms("check", "train.py", cwd=project / "src" / "pkg")
    assert (result.returncode, result.stdout) == (1, "train.py:" + EXPECTED)


def test_a_relative_path_with_a_folder_is_taken_from_the_config_files_folder_too(project):
    (project / "lint").mkdir()
    (project / "torch2ms.yml").rename(project / "lint" / "torch2ms.yml")
    (project / "setup.cfg").write_text("[flake8]\ntorch2ms-config = lint/torch2ms.yml\n", encoding="utf-8")
    assert flake8("--select", "TMS", "train.py", cwd=project / "src" / "pkg").stdout == "train.py:" + EXPECTED


def test_on_the_command_line_a_bare_name_is_relative_to_the_current_directory(project):
    folder = project / "src" / "pkg"
    (folder / "local.yml").write_text("disable: [TMS103]\n", encoding="utf-8")
    result = flake8("--select", "TMS", "--torch2ms-config", "local.yml", "train.py", cwd=folder)
    assert (result.returncode, result.stdout) == (0, "")


def test_a_missing_config_is_a_usage_error_that_says_where_it_was_looked_for(project):
    (project / "setup.cfg").write_text("[flake8]\ntorch2ms-config = missing.yml\n", encoding="utf-8")
    result = flake8("--select", "TMS", "train.py", cwd=project / "src" / "pkg")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"flake8-torch2ms: configuration error: {project / 'missing.yml'}: configuration file "
                             f"not found (torch2ms-config = missing.yml in {project / 'setup.cfg'}, taken from "
                             "that file's folder)\n")
    ours = torch2ms("check", "train.py", cwd=project / "src" / "pkg")
    assert ours.returncode == 2
    assert ours.stderr == result.stderr.replace("flake8-torch2ms:", "torch2ms:")


def test_a_config_error_exits_2_not_1_which_means_findings(project):
    (project / "torch2ms.yml").write_text("disable: [TMS999]\n", encoding="utf-8")
    result = flake8("--select", "TMS", "train.py", cwd=project / "src" / "pkg")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"flake8-torch2ms: configuration error: {project / 'torch2ms.yml'}:1: ")
