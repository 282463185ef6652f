"""The ``torch2ms`` command: the plugin's rules without flake8.

    torch2ms check [PATH ...]   report findings (exit 0 clean, 1 findings, 2 an error: see EXIT_ERROR)
    torch2ms fix [PATH ...]     apply the fixes rules declare; --diff prints them instead
    torch2ms pair ORIGINAL PORT what port-pair mode aligned (files, classes, calls) and its coverage

Same rule engine and YAML configuration as the flake8 plugin; ``# noqa`` is read exactly as
flake8 reads it. Python files, Jupyter notebooks and the Python code blocks of Markdown and reST
pages are checked.
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from flake8 import utils as flake8_utils

from . import __version__, atomicwrite, flake8config, formats, rulecache, sources
from .config import INTERNAL_ERROR_CODE
from .engine import Finding, engine_for
from .fixes import fix_module, key, offered
from .noqa import NoqaMap
from .yamlfile import ConfigError, not_a_file

# EXIT_ERROR: a usage or configuration error (nothing was checked), or a file that could not be
# read, written or checked (E902, TMS000: reported on its own line, every other file was).
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SYNTAX_ERROR_CODE = "E999"  # flake8's code for a file that does not parse
READ_ERROR_CODE = "E902"  # flake8's code for a file that cannot be read (here also: written)
ERROR_CODES = (READ_ERROR_CODE, INTERNAL_ERROR_CODE)  # reports that make the exit status EXIT_ERROR
# Directories never walked into (flake8's default exclude, plus virtualenvs and tool caches).
SKIPPED_DIRECTORIES = (".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs", "*.egg",
                       ".venv", "venv", ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules",
                       ".ipynb_checkpoints")
MARKUP_KINDS = ("markdown", "rst")


class UsageError(Exception):
    """Bad arguments or configuration: exit status 2 with this message."""


@dataclass(frozen=True)
class Options:
    config: str | None
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    # flake8's per-file-ignores: (normalized pattern, codes); the longest matching pattern applies.
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    page_syntax_errors: bool = False  # E999 for Markdown / reST code blocks that do not parse
    unsafe_fixes: bool = False  # torch2ms fix: also apply the fixes rules mark unsafe
    original: str | None = None  # port-pair mode: the PyTorch tree the port is checked against
    class_map: tuple[tuple[str, str], ...] = ()  # port-pair mode: (torch class, port class) renames

    def selected(self, code: str, path: str | None = None) -> bool:
        """flake8's rule: the longest matching prefix decides; ignore wins a tie."""
        ignore = self.ignore + (self._file_ignores(path) if path is not None else ())
        selected = max((len(prefix) for prefix in self.select if code.startswith(prefix)), default=-1)
        ignored = max((len(prefix) for prefix in ignore if code.startswith(prefix)), default=-1)
        return selected > ignored

    def _file_ignores(self, path: str) -> tuple[str, ...]:
        matching = [(pattern, codes) for pattern, codes in self.per_file_ignores
                    if flake8config.matches(path, [pattern])]
        return max(matching, key=lambda item: len(item[0]))[1] if matching else ()


@dataclass
class FileResult:
    path: str
    reports: list[formats.Report] = field(default_factory=list)
    fixed: list[formats.Report] = field(default_factory=list)
    diff: str = ""
    new_text: str | None = None
    refused: dict[tuple, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """The file could not be read, written or checked (its report says why)."""
        return any(report.code in ERROR_CODES for report in self.reports)


# --------------------------------------------------------------------------- configuration


def _flake8_config() -> flake8config.Flake8Config:
    try:
        return flake8config.find()
    except flake8config.Flake8ConfigError as error:
        raise UsageError(str(error)) from None


def _codes(values: list[str] | None, option: str, known: list[str]) -> tuple[str, ...]:
    """Codes or prefixes from --select / --ignore; one that no code starts with is a usage error
    (a typo would otherwise select nothing, or ignore nothing, silently)."""
    codes = []
    for value in values or []:
        codes += [part.strip().upper() for part in value.replace(" ", ",").split(",") if part.strip()]
    for code in codes:
        if not any(known_code.startswith(code) for known_code in known):
            raise UsageError(f"{option} {code}: no torch2ms code starts with {code}; the codes are "
                             f"{', '.join(known)}")
    return tuple(codes)


# --------------------------------------------------------------------------- files


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    unreadable_pages: int = 0  # Markdown / reST pages met in directories, without their parser installed


def discover(paths: list[str], exclude: list[str]) -> Discovery:
    """Files to check, in a stable order: files named on the command line as given, directories walked.

    ``exclude`` holds flake8's normalized patterns; a path is excluded as flake8 excludes it (its
    base name or its absolute path matches). Pages whose parser is not installed are left out of
    a walk (and counted), but a page named on the command line is read and gets the install hint."""
    found = Discovery()
    for argument in paths:
        if flake8config.matches(argument, exclude):
            continue
        if os.path.isdir(argument):
            for directory, subdirectories, files in os.walk(argument):
                subdirectories[:] = sorted(
                    name for name in subdirectories
                    if not _skipped_directory(directory, name)
                    and not flake8config.matches(os.path.join(directory, name), exclude))
                for name in sorted(files):
                    path = os.path.join(directory, name)
                    if not name.lower().endswith(sources.DOCUMENT_SUFFIXES) or flake8config.matches(path, exclude):
                        continue
                    if sources.kind_of(path) in MARKUP_KINDS and not sources.can_read(sources.kind_of(path)):
                        found.unreadable_pages += 1
                        continue
                    found.files.append(path)
        elif os.path.exists(argument):
            found.files.append(argument)
        else:
            raise UsageError(f"{argument}: no such file or directory")
    found.files = list(dict.fromkeys(found.files))
    return found


def _skipped_directory(parent: str, name: str) -> bool:
    if any(fnmatch.fnmatch(name, pattern) for pattern in SKIPPED_DIRECTORIES):
        return True
    return os.path.isfile(os.path.join(parent, name, "pyvenv.cfg"))  # any virtualenv, whatever its name


# --------------------------------------------------------------------------- checking one file


def _severities(config: str | None) -> dict[str, tuple[str, str, bool]]:
    return {rule.code: (rule.id, rule.severity, rule.fix is not None) for rule in engine_for(config).rules}


def _unsafe_fixes(config: str | None) -> frozenset[str]:
    """The codes whose fix can change what correct code means (``fix-safety: unsafe``)."""
    return frozenset(rule.code for rule in engine_for(config).rules if rule.fix and rule.fix_safety == "unsafe")


def _reports(document: sources.Document, findings: list[Finding], options: Options) -> list[formats.Report]:
    if not findings:
        return []  # most files: no need to tokenize them for noqa comments
    noqa = NoqaMap(document.module)
    rules = _severities(options.config)
    reports = []
    for finding in findings:
        if not options.selected(finding.code, document.path) or noqa.suppressed(finding.line, finding.code):
            continue
        start = document.locate(finding.line, finding.column)
        end = document.locate(finding.end_line, finding.end_column) if finding.end_line else None
        rule_id, severity, _ = rules.get(finding.code, (finding.rule_id, "error", False))
        file_line = document.file_line(start.cell, start.line) if start.cell else 0
        reports.append(formats.Report(
            document.path, start.cell or 0, start.line, start.column + 1, finding.code, finding.message, rule_id,
            severity, end.line if end and end.cell == start.cell else 0,
            end.column + 1 if end and end.cell == start.cell else 0, finding.fix is not None, file_line,
            finding.related))
    return reports


def _problems(document: sources.Document, options: Options, parsed: bool = True) -> list[formats.Report]:
    """Code that does not parse: flake8's E999 (whole file) or one notebook cell / page block.
    The whole file is compiled only when ``parsed`` (the engine has to parse it)."""
    # A page's code blocks that do not parse are mostly not Python at all (shell sessions, output,
    # YAML, elided code): reported only on request.
    problems = list(document.unparsable) if document.kind not in MARKUP_KINDS or options.page_syntax_errors else []
    error = document.syntax_error() if parsed else None
    if error is not None:
        problems.append(error)
    return [formats.Report(document.path, problem.location.cell or 0, problem.location.line,
                           problem.location.column + 1, SYNTAX_ERROR_CODE, problem.message, "syntax-error",
                           file_line=document.file_line(problem.location.cell, problem.location.line)
                           if problem.location.cell else 0)
            for problem in problems if options.selected(SYNTAX_ERROR_CODE, document.path)]


def _read(path: str, options: Options, text: str | None = None) -> tuple[sources.Document | None, str,
                                                                         list[formats.Report]]:
    """The document at ``path`` (or made of ``text``, read from standard input), or a read error."""
    try:
        encoding = "utf-8"
        if text is None:
            text, encoding = sources.read_text(Path(path))
        return sources.load(path, text), encoding, []
    except (OSError, sources.SourceError) as error:
        message = str(error) if isinstance(error, sources.SourceError) else f"{type(error).__name__}: {error}"
        if message.startswith(f"{path}: "):
            message = message[len(path) + 2:]
        report = formats.Report(path, 0, 1, 1, READ_ERROR_CODE, message, "read-error")
        return None, "utf-8", [report] if options.selected(READ_ERROR_CODE, path) else []


def check_file(path: str, options: Options, text: str | None = None) -> FileResult:
    document, _, problems = _read(path, options, text)
    result = FileResult(path, problems)
    if document is None:
        return result
    engine = engine_for(options.config, options.original, options.class_map)
    # Most files mention no rule's trigger word: they are never parsed, not even to report E999
    # (compiling every file was most of a run's time; flake8 reports E999 for every file anyway).
    parsed = engine.may_match(document.module, path)
    result.reports += _problems(document, options, parsed)
    if parsed and document.syntax_error() is None:
        findings = offered(engine.check(document.module, path))
        result.reports += _reports(document, findings, options)
    result.reports.sort()
    return result


def fix_file(path: str, options: Options, write: bool, text: str | None = None) -> FileResult:
    """Fix one file (or ``text``, read from standard input); ``write`` replaces the file atomically."""
    document, encoding, problems = _read(path, options, text)
    result = FileResult(path, problems)
    if document is None:
        return result
    engine = engine_for(options.config, options.original, options.class_map)
    parsed = engine.may_match(document.module, path)  # as in check_file: no parse of a file no rule can match
    result.reports += _problems(document, options, parsed)
    if not parsed or document.syntax_error() is not None:
        return result
    held_back = frozenset() if options.unsafe_fixes else _unsafe_fixes(options.config)

    noqa_maps: dict[str, NoqaMap] = {}

    def wanted(text: str, finding: Finding) -> bool:
        if finding.code in held_back:
            return False
        if finding.fix_hazard is not None and not options.unsafe_fixes:
            result.refused.setdefault(key(finding), f"unsafe fix, applied only with --unsafe-fixes: "
                                                    f"{finding.fix_hazard}")
            return False
        if text not in noqa_maps:
            noqa_maps.clear()
            noqa_maps[text] = NoqaMap(text)
        return options.selected(finding.code, path) and not noqa_maps[text].suppressed(finding.line, finding.code)

    fixed = fix_module(document.module, engine, wanted, path)
    # Fixes were applied from the end up; one applied where the value is written says so.
    result.fixed = sorted(_reports(document, [
        finding.replace(message=f"{finding.message} (fixed where the value is written: the "
                                "parameter's default)") if finding.fix_span else finding
        for finding in fixed.fixed], options))
    result.refused.update(fixed.refused)
    if fixed.changed:
        try:
            new_text = document.render(fixed.text)
        except sources.SourceError as error:
            result.reports.append(formats.Report(path, 0, 1, 1, READ_ERROR_CODE, str(error), "write-error"))
            result.fixed = []
        else:
            result.new_text = new_text
            result.diff = "".join(difflib.unified_diff(
                document.original.splitlines(keepends=True), new_text.splitlines(keepends=True),
                fromfile=_diff_name("a", path), tofile=_diff_name("b", path)))
            if write:
                try:
                    atomicwrite.write_text(path, new_text, encoding)
                except (OSError, UnicodeError) as error:  # the file is as it was: say so, go on
                    reason = f"{error.strerror or error}" if isinstance(error, OSError) else str(error)
                    result.reports.append(formats.Report(
                        path, 0, 1, 1, READ_ERROR_CODE, f"cannot write the fixed file ({type(error).__name__}: "
                                                        f"{reason}); it was left unchanged", "write-error"))
                    result.fixed, result.new_text, result.diff = [], None, ""
    # What is left: the findings of the fixed code, positioned in it.
    after = sources.load(path, result.new_text) if result.new_text is not None else document
    result.reports += _reports(after, offered(engine.check(after.module, path)), options)
    result.reports.sort()
    return result


def _diff_name(side: str, path: str) -> str:
    """git's a/ and b/ prefixes for a relative path (so `git apply` takes the diff); an absolute path as it is."""
    if os.path.isabs(path):
        return path
    return f"{side}/{Path(path).as_posix().removeprefix('./')}"


# --------------------------------------------------------------------------- running


def _checked(path: str, *arguments) -> FileResult:
    return _guarded(check_file, path, *arguments)


def _fixed(path: str, *arguments) -> FileResult:
    return _guarded(fix_file, path, *arguments)


def _guarded(function, path: str, *arguments) -> FileResult:
    """One file's result; a failure of ours on it becomes its TMS000 line, and the run goes on."""
    try:
        return function(path, *arguments)
    except Exception as error:  # the last net: one file never aborts the run
        detail = " ".join(str(error).split())[:160]
        return FileResult(path, [formats.Report(
            path, 0, 1, 1, INTERNAL_ERROR_CODE, f"torch2ms failed on this file ({type(error).__name__}: {detail}); "
                                                "it was left unchanged. Please report this.", "internal-error")])


def _run(function, paths: list[str], jobs: int, *arguments) -> list[FileResult]:
    """Results in the order of ``paths`` whatever the number of workers."""
    if jobs <= 1 or len(paths) < 2 * jobs:
        return [function(path, *arguments) for path in paths]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunk = max(1, min(64, len(paths) // (jobs * 8)))
        return list(pool.map(function, paths, *[[argument] * len(paths) for argument in arguments],
                             chunksize=chunk))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="torch2ms", description="Catch (and fix) the mistakes of code ported from PyTorch to MindSpore "
                                     "(gradient clipping, APIs that keep torch's names but not their "
                                     "meaning), without flake8.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("paths", nargs="*", metavar="PATH", default=["."],
                        help="files or directories (default: the current directory); directories are walked "
                             "for .py, .pyi, .ipynb, .md and .rst files; '-' reads standard input")
    common.add_argument("--config", metavar="FILE",
                        help="YAML configuration (default: torch2ms-config from the [flake8] section of "
                             "setup.cfg, tox.ini or .flake8, as the flake8 plugin reads it)")
    common.add_argument("--select", action="append", metavar="CODES",
                        help="comma-separated codes or prefixes to report (default: TMS,E9)")
    common.add_argument("--ignore", action="append", metavar="CODES", help="codes or prefixes not to report")
    common.add_argument("--exclude", action="append", metavar="PATTERNS",
                        help="comma-separated glob patterns of files and directories to skip")
    common.add_argument("--page-syntax-errors", action="store_true",
                        help="report E999 for Markdown and reST code blocks marked as Python that do not parse "
                             "(off by default: such blocks often hold shell sessions, output or elided code)")
    common.add_argument("--original", metavar="DIR",
                        help="port-pair mode: the PyTorch code the checked files were ported from, a directory "
                             "or a file (default: torch2ms-original from flake8's configuration); enables TMS4xx")
    common.add_argument("--class-map", action="append", metavar="TORCH=PORT",
                        help="port-pair mode: a class the port renamed (comma-separated pairs, repeatable)")
    common.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="files checked in parallel (default: all cores); output order never depends on it")
    common.add_argument("--stdin-display-name", default="stdin", metavar="NAME",
                        help="the file name to report for '-' (standard input), as in flake8; its suffix "
                             "says what it is (.py, .ipynb, .md, .rst)")
    check = commands.add_parser("check", parents=[common], help="report findings",
                                description="Report findings. Exit status: 0 clean, 1 findings, 2 an error: a "
                                            "usage or configuration error, or a file that could not be read "
                                            "or checked (reported as E902 or TMS000; the other files are).")
    check.add_argument("--format", choices=formats.FORMATS, default="text",
                       help="text (path:line:col: CODE message), json, sarif (SARIF 2.1.0) or github "
                            "(GitHub Actions annotations)")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    fix = commands.add_parser("fix", parents=[common], help="apply the fixes rules declare",
                              description="Apply the fixes rules declare, never on a line whose # noqa covers "
                                          "the finding; 'torch2ms fix -' writes the fixed standard input to "
                                          "standard output. Exit status: 0 when no finding is left, 1 when some "
                                          "are (or, with --diff, when something would change), 2 on errors "
                                          "(a file that could not be read or written is left as it was).")
    fix.add_argument("--diff", action="store_true", help="print a unified diff instead of writing the files")
    fix.add_argument("--unsafe-fixes", action="store_true",
                     help="also apply the fixes that can change what correct code means (each rule's page "
                          "says which, and why)")
    pair = commands.add_parser("pair", help="show what port-pair mode aligns",
                               description="Print what a port aligns with in its PyTorch original: files, classes "
                                           "and calls, aligned or not, and the alignment coverage (the share of "
                                           "the port's calls to known APIs that found their original call).")
    pair.add_argument("original", metavar="ORIGINAL", help="the PyTorch code: a directory or a file")
    pair.add_argument("port", metavar="PORT", nargs="+", help="the port's files or directories")
    pair.add_argument("--config", metavar="FILE", help="YAML configuration (its facts extend the mapping)")
    pair.add_argument("--class-map", action="append", metavar="TORCH=PORT",
                      help="a class the port renamed (comma-separated pairs, repeatable)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return _main(args)
    except (UsageError, ConfigError) as error:
        print(f"torch2ms: {'configuration error: ' if isinstance(error, ConfigError) else ''}{error}",
              file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _main(args: argparse.Namespace) -> int:
    if args.command == "pair":
        return _pair(args)
    if args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    flake8_config = _flake8_config()
    config = _config_path(args.config, flake8_config)
    engine = engine_for(config)  # a configuration error stops everything before any file is read
    known = sorted({rule.code for rule in engine.rules} | {INTERNAL_ERROR_CODE, SYNTAX_ERROR_CODE, READ_ERROR_CODE})
    select, ignore = _codes(args.select, "--select", known), _codes(args.ignore, "--ignore", known)
    try:
        # flake8's configuration, so that torch2ms and flake8 agree on the same tree (--ignore
        # replaces the file's ignore, as in flake8; extend-ignore adds to either).
        ignore = (ignore or flake8_config.codes("ignore")) + flake8_config.codes("extend-ignore")
        per_file_ignores = tuple(flake8_config.per_file_ignores())
        exclude = flake8_utils.normalize_paths(
            [pattern.strip() for value in args.exclude or [] for pattern in value.split(",") if pattern.strip()]
        ) + flake8_config.excludes()
    except flake8config.Flake8ConfigError as error:
        raise UsageError(str(error)) from None
    options = Options(config, select or ("TMS", "E9"), ignore, per_file_ignores, args.page_syntax_errors,
                      getattr(args, "unsafe_fixes", False), _original(args.original, flake8_config),
                      class_map(args.class_map or flake8_config.value("torch2ms-class-map")))
    if "-" in args.paths:
        return _check_stdin(args, options)
    found = discover(args.paths, exclude)
    if found.unreadable_pages:
        print(f"torch2ms: note: {found.unreadable_pages} Markdown/reST page(s) not checked: reading them needs "
              "markdown-it-py and docutils (pip install 'flake8-torch2ms[markup]')", file=sys.stderr)
    if not found.files and not found.unreadable_pages:
        print(f"torch2ms: note: no Python file, notebook or Markdown/reST page to check in {' '.join(args.paths)}",
              file=sys.stderr)
    if args.command == "check":
        return _check(args, options, found.files)
    return _fix(args, options, found.files)


def _config_path(argument: str | None, flake8_config: flake8config.Flake8Config) -> str | None:
    """The YAML configuration: --config, or torch2ms-config from flake8's configuration file."""
    if argument is not None:
        if not Path(argument).is_file():
            raise UsageError(f"{argument}: {not_a_file(argument)} (looked for {Path(argument).resolve()})")
        return str(Path(argument).resolve())
    found = flake8_config.torch2ms_config()
    if found is None:
        return None
    value, path = found
    if not path.is_file():
        raise ConfigError(path, None, f"{not_a_file(path)} (torch2ms-config = {value} in "
                                      f"{flake8_config.path}, taken from that file's folder)")
    return str(path)


def _original(argument: str | None, flake8_config: flake8config.Flake8Config) -> str | None:
    """Port-pair mode's original tree: --original, or torch2ms-original from flake8's configuration
    file (a relative path from that file's folder, as the plugin reads it)."""
    if argument is not None:
        if not Path(argument).exists():
            raise UsageError(f"--original {argument}: no such file or directory "
                             f"(looked for {Path(argument).resolve()})")
        return argument  # as given: messages name the original's files the way the user does
    found = flake8_config.torch2ms_original()
    if found is None:
        return None
    value, path = found
    if not path.exists():
        raise UsageError(f"torch2ms-original = {value} in {flake8_config.path}: no such directory "
                         f"(looked for {path}, from that file's folder)")
    return str(path)


def class_map(values: list[str] | str | None) -> tuple[tuple[str, str], ...]:
    """``Torch=Port`` pairs, comma-separated (from --class-map, repeatable, or the configuration)."""
    if isinstance(values, str):
        values = [values]
    pairs = []
    for value in values or []:
        for item in value.replace("\n", ",").split(","):
            if not item.strip():
                continue
            torch, _, port = item.partition("=")
            if not torch.strip().isidentifier() or not port.strip().isidentifier():
                raise UsageError(f"class map '{item.strip()}': write TorchName=PortName (class names)")
            pairs.append((torch.strip(), port.strip()))
    return tuple(pairs)


def _pair(args: argparse.Namespace) -> int:
    """``torch2ms pair ORIGINAL PORT``: the alignment, shown."""
    from .families.pairs import report

    if not Path(args.original).exists():
        raise UsageError(f"{args.original}: no such file or directory")
    config = str(Path(args.config).resolve()) if args.config else None
    if config is not None and not Path(config).is_file():
        raise UsageError(f"{args.config}: configuration file not found")
    facts = engine_for(config).facts["pairs"]
    found = discover(args.port, [])
    ports = [path for path in found.files if path.endswith((".py", ".pyi"))]
    sys.stdout.write(report.pair_report(args.original, ports, facts, dict(class_map(args.class_map))))
    return EXIT_CLEAN


def _check_stdin(args: argparse.Namespace, options: Options) -> int:
    """``torch2ms check -``: the text of an unsaved editor buffer, as flake8 reads ``-``;
    ``torch2ms fix -``: the fixed text on standard output (an editor's format-on-save)."""
    if args.paths != ["-"]:
        raise UsageError("'-' (standard input) works only alone")
    if args.command == "fix" and args.diff:  # refused before waiting for a text
        raise UsageError("'-' (standard input) and --diff do not go together: 'fix -' prints the fixed text")
    text = sys.stdin.read()
    if args.command == "check":
        result = _guarded(check_file, args.stdin_display_name, options, text)
        return _report(args, options, result.reports)
    result = _guarded(fix_file, args.stdin_display_name, options, False, text)
    sys.stdout.write(result.new_text if result.new_text is not None else text)
    return _summary(args, options, [result], sys.stderr)


def _check(args: argparse.Namespace, options: Options, paths: list[str]) -> int:
    results = _run(_checked, paths, args.jobs, options)
    return _report(args, options, [report for result in results for report in result.reports])


def _report(args: argparse.Namespace, options: Options, reports: list[formats.Report]) -> int:
    if args.format == "text":
        output = formats.text(reports)
    elif args.format == "json":
        output = formats.as_json(reports)
    elif args.format == "github":
        output = formats.github(reports)
    else:
        from . import docs

        # The rule set's rules, not the engine's: the engine leaves out their documentation.
        documented = [rule for rule in rulecache.load_ruleset(options.config).rules if rule.enabled]
        output = formats.sarif(reports, documented, {rule.code: docs.rule_page(rule) for rule in documented})
    if args.output:
        try:
            atomicwrite.write_text(args.output, output)
        except OSError as error:
            raise UsageError(f"--output {args.output}: cannot write the report: {error.strerror or error}") from None
    else:
        sys.stdout.write(output)
    internal = {report.path for report in reports if report.code == INTERNAL_ERROR_CODE}
    if internal:
        print(f"torch2ms: the checker failed on {len(internal)} file(s) (TMS000); please report it",
              file=sys.stderr)
    if any(report.code in ERROR_CODES for report in reports):
        return EXIT_ERROR
    return EXIT_FINDINGS if reports else EXIT_CLEAN


def _fix(args: argparse.Namespace, options: Options, paths: list[str]) -> int:
    results = _run(_fixed, paths, args.jobs, options, not args.diff)
    if args.diff:
        for result in results:
            sys.stdout.write(result.diff)
    return _summary(args, options, results, sys.stderr if args.diff else sys.stdout)


def _summary(args: argparse.Namespace, options: Options, results: list[FileResult], out) -> int:
    """What ``fix`` did and left, file by file, and its exit status."""
    held_back = frozenset() if options.unsafe_fixes else _unsafe_fixes(options.config)
    fixed_count = changed_files = left_count = unsafe_count = 0
    for result in results:
        for report in result.fixed:
            print(f"{report.where}: fixed {report.code} {report.message}", file=out)
        for report in result.reports:
            if report.code in ERROR_CODES:
                print(f"{report.where}: {report.code} {report.message}", file=out)
                continue
            reason = result.refused.get(key(Finding(0, 0, report.code, report.message)))
            if reason is None and report.fixable and report.code in held_back:
                reason = "unsafe fix, applied only with --unsafe-fixes"
            unsafe_count += bool(reason and reason.startswith("unsafe fix"))
            reason = reason or ("not fixed" if report.fixable else "no automatic fix")
            print(f"{report.where}: {report.code} {report.message} [left: {reason}]", file=out)
        fixed_count += len(result.fixed)
        changed_files += bool(result.new_text)
        left_count += len(result.reports)
    verb = "would fix" if args.diff else "fixed"
    unsafe = f" ({unsafe_count} with an unsafe fix: --unsafe-fixes applies them)" if unsafe_count else ""
    print(f"torch2ms: {verb} {fixed_count} finding(s) in {changed_files} file(s); {left_count} left{unsafe}.",
          file=out)
    failed = sum(result.failed for result in results)
    if failed:
        print(f"torch2ms: {failed} file(s) could not be read, written or checked (E902, TMS000 above); they were "
              "left unchanged", file=out)
        return EXIT_ERROR
    if left_count or (args.diff and fixed_count):
        return EXIT_FINDINGS
    return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
