"""Output formats of ``torch2ms check``: text (flake8's), json, sarif (2.1.0) and github annotations."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path, PurePath
from urllib.parse import quote

from . import PROJECT_URL, __version__

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note", "hint": "note"}
TOOL_URI = PROJECT_URL


@dataclass(frozen=True, order=True)
class Report:
    """One finding in one file, positioned in that file (1-based line and column)."""

    path: str
    cell: int  # notebook cell, 0 outside notebooks (so reports sort by cell, then line)
    line: int
    column: int
    code: str
    message: str
    rule_id: str = ""
    severity: str = "error"
    end_line: int = 0
    end_column: int = 0
    fixable: bool = False
    # For notebooks: the line of the .ipynb file that holds this source line, when it is known,
    # so SARIF and GitHub annotations point into the real file.
    file_line: int = 0
    # Port-pair mode: the original call the finding compares with, (path, line, 0-based column).
    related: tuple[tuple[str, int, int], ...] = ()

    @property
    def where(self) -> str:
        cell = f"cell {self.cell}:" if self.cell else ""
        return f"{self.path}:{cell}{self.line}:{self.column}"


def text(reports: list[Report]) -> str:
    return "".join(f"{report.where}: {report.code} {report.message}\n" for report in reports)


def as_json(reports: list[Report]) -> str:
    items = []
    for report in reports:
        item = asdict(report)
        item["cell"] = report.cell or None
        item.pop("file_line")
        if report.related:
            item["related"] = [{"path": path, "line": line, "column": column + 1}
                               for path, line, column in report.related]
        else:
            item.pop("related")
        items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def github(reports: list[Report]) -> str:
    """GitHub Actions workflow commands: one annotation per finding on the pull request's diff."""
    lines = []
    for report in reports:
        level = {"error": "error", "warning": "warning"}.get(report.severity, "notice")
        line = report.file_line or report.line
        properties = [f"file={_property(report.path)}", f"line={line}", f"col={report.column}"]
        if report.end_line and not report.cell:
            properties += [f"endLine={report.end_line}", f"endColumn={report.end_column}"]
        properties.append(f"title={_property(report.code + ' ' + report.rule_id)}")
        where = f"cell {report.cell}, line {report.line}: " if report.cell else ""
        lines.append(f"::{level} {','.join(properties)}::{_data(where + report.message)}\n")
    return "".join(lines)


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


# Codes that are not rules of the YAML set but may be reported: each gets a rule entry too, so
# every result of a SARIF log points at a rule that says what it means.
BUILTIN_CODES = {  # code -> (name, short description, full description)
    "E902": ("read-error", "The file could not be read, written or checked.",
             "The file could not be read, written or checked as what its name says (an unreadable file, a "
             "notebook that is not notebook JSON, a fix that could not be written); the message says why. "
             "Nothing else is reported for it."),
    "E999": ("syntax-error", "The code does not parse as Python.",
             "The code does not parse as Python (flake8's E999): the whole file, or one notebook cell or code "
             "block of a page, which is then left out. Nothing else is checked in it."),
    "TMS000": ("internal-error", "torch2ms failed on this file.",
               "torch2ms failed on this file: a bug, please report it. The findings of the rules named in the "
               "message are skipped for this file."),
}


def sarif(reports: list[Report], rules: list, rule_help: dict[str, str]) -> str:
    """A SARIF 2.1.0 log GitHub code scanning accepts: rule metadata with the docs as help."""
    ordered = sorted(rules, key=lambda rule: rule.code)
    index = {rule.code: position for position, rule in enumerate(ordered)}
    builtin_rules = []
    for code in sorted(({report.code for report in reports} - set(index)) & set(BUILTIN_CODES)):
        name, short, full = BUILTIN_CODES[code]
        index[code] = len(ordered) + len(builtin_rules)
        builtin_rules.append({
            "id": code, "name": _camel(name), "shortDescription": {"text": short}, "fullDescription": {"text": full},
            "help": {"text": full, "markdown": f"# {code}: {name}\n\n{full}\n"},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["torch2ms"], "rule-id": name},
        })
    driver_rules = []
    for rule in ordered:
        summary = rule.summary or rule.message
        driver_rules.append({
            "id": rule.code,
            "name": _camel(rule.id),
            "shortDescription": {"text": summary.split(". ")[0].rstrip(".") + "."},
            "fullDescription": {"text": summary},
            "help": {"text": rule.note or summary, "markdown": rule_help.get(rule.code, rule.note or summary)},
            "defaultConfiguration": {"level": SARIF_LEVELS.get(rule.severity, "warning")},
            "properties": {"tags": ["correctness", "mindspore"], "rule-id": rule.id},
        })
    driver_rules += builtin_rules
    results = []
    for report in reports:
        region = {"startLine": report.file_line or report.line, "startColumn": report.column}
        if report.end_line and not report.cell:
            region.update(endLine=report.end_line, endColumn=report.end_column)
        result = {
            "ruleId": report.code,
            "level": SARIF_LEVELS.get(report.severity, "warning"),
            "message": {"text": report.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": _artifact(report.path),
                "region": region,
            }}],
        }
        if report.code in index:
            result["ruleIndex"] = index[report.code]
        if report.cell:
            result["properties"] = {"cell": report.cell, "cellLine": report.line}
        if report.related:
            result["relatedLocations"] = [{
                "id": number,
                "message": {"text": "the original call (port-pair mode)"},
                "physicalLocation": {"artifactLocation": _artifact(path),
                                     "region": {"startLine": line, "startColumn": column + 1}},
            } for number, (path, line, column) in enumerate(report.related, start=1)]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "torch2ms",
                "fullName": "flake8-torch2ms",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": TOOL_URI,
                "rules": driver_rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _artifact(path: str) -> dict:
    pure = PurePath(path)
    if pure.is_absolute():
        try:
            pure = Path(path).resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            return {"uri": Path(path).resolve().as_uri()}
    # A URI reference: each part percent-encoded (a space is not allowed, '#' would start a fragment).
    parts = [quote(part, safe="") for part in pure.parts if part != "."]
    return {"uri": "/".join(parts), "uriBaseId": "%SRCROOT%"}


def _camel(rule_id: str) -> str:
    words = rule_id.split("-")
    return words[0] + "".join(word.capitalize() for word in words[1:])
