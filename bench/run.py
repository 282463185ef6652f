"""How fast flake8-torch2ms is, on the real MindSpore corpus, against flake8 alone, semgrep and ast-grep.

    pip install -e ".[bench]"          # or the peers in a separate venv, see docs/performance.md
    python bench/corpus.py fetch       # once: the pinned real-world corpus (2.37 M lines)
    python bench/run.py                # about 25 minutes on 2 cores; prints one table

It measures, all in one run, alternating the things it compares so that a machine busy with other
work slows both sides of a ratio alike:

1. flake8 with the plugin against flake8 without it, same files, same flags (``--isolated``),
   at ``-j1`` and ``-j2``: the ratio of each pair, then their median and range.
1b. The plugin's share of one ``flake8 -j1`` run, timed inside that run: its import, its rule
   loading and every ``run()``, against the whole run's CPU time; with ``--share-original PATH``
   also with port-pair mode on (``--torch2ms-original PATH``).
2. ``torch2ms check`` (skipped with a note when the command is not installed), ``semgrep scan``
   and ``ast-grep scan`` with the rule files in bench/peers/, and ``flake8 --select TMS``, at
   ``-j1`` by default, on one tree (mindformers and mindnlp by default, ``--tools-corpus full``
   for everything), with the findings each reports (so that speed is never bought with misses).
3. The floor and where the time goes, in this process: reading every file, the prefilter, the
   parse of the files it keeps, the whole engine; and each engine optimization against the code
   it replaced (the old prefilter, one walk per matcher, the Python scope walk).
4. Scaling: the corpus at 1x, 2x and 4x (hard-linked copies), one synthetic file with 1,000,
   10,000 and 100,000 clip calls, and one statement with 1,000 and 4,000 clip calls on one line,
   in a child process each: time per file and per call, peak RSS.

5. The editor path: one file per new flake8 process (see docs/performance.md), by CPU time, and
   by the instructions one run executes when valgrind is installed.

Each child's CPU time and peak memory come from ``os.wait4``. ``--quick`` runs a small version
of everything (a minute or two) to check that the script works.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PEERS = BENCH / "peers"
PLUGIN_DISTRIBUTION = "flake8-torch2ms"

# flake8 itself costs 100 to 170 s per million lines on one core here, so the with/without pairs
# run on a subset of model and training code, the kind people port from PyTorch: vision models
# (mindcv, mindyolo), speech (mindaudio), reinforcement learning (mindspore-rl) and adversarial
# training (mindarmour). About 113 k lines, in which the prefilter keeps a share of files close to
# the whole corpus's; 4 pairs at -j1 and at -j2 take about 5 minutes.
FLAKE8_SUBSET = ("mindcv", "mindyolo", "mindaudio", "mindspore-rl", "mindarmour")
# semgrep with the peer rules takes about 3 minutes per million lines at -j2 here (20 s on the
# flake8 subset), too long to repeat on the whole corpus within 15 minutes: by default the tools
# compare on mindformers and mindnlp (large-language-model code, 1,105 files, 350 k lines, the
# tree of the speed issue's targets), and so does the plugin's in-process share of a flake8 run;
# --tools-corpus full runs both on everything.
TOOLS_SUBSET = ("mindformers", "mindnlp")
QUICK_SUBSET = ("mindyolo",)
MODEL_SUBSET = ("mindcv",)  # part 5's typical model file: one of mindcv's models
SYNTHETIC_CALLS = (1_000, 10_000, 100_000)
# One statement holding every call on one line: ast-grep's SgNode.range() scans the line for a
# column, so any per-node range() there costs the line's length (quadratic until nodes.py stopped).
STATEMENT_CALLS = (1_000, 4_000)
SLOW_RUN = 60  # seconds: a scaling row whose run took longer is not repeated
# pyflakes dies of a RecursionError on this generated file and flake8 then stops the whole run.
FLAKE8_CRASHES = ("mindspore/ops/_op_impl/aicpu/cast.py",)
# The speed issue's targets (docs/performance.md).
TARGET_SHARE = 1.0  # %: the plugin's in-process share of one flake8 -j1 run
TARGET_VS_AST_GREP = 2.0  # torch2ms check -j1 at least this much faster than ast-grep scan -j1, by CPU time
TARGET_VS_SEMGREP = 5.0
CHILD_TIMEOUT = 600  # seconds; a child still running then is reported as a timeout


class BenchError(Exception):
    """A setup problem to report as one line, not a traceback."""


# --------------------------------------------------------------------------- running children


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child and the processes it waited for
    max_rss_mib: float
    returncode: int
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False


def run(command: list[str], cwd: Path | None = None, keep_stdout: bool = False,
        timeout: float = CHILD_TIMEOUT, env: dict | None = None) -> Run:
    """Run one child; wall time, CPU time and peak RSS come from os.wait4 on that child alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out if keep_stdout else subprocess.DEVNULL,
                                   stderr=err, env=env)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        out.seek(0)
        err.seek(0)
        return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode,
                   out.read().decode("utf-8", "replace") if keep_stdout else "",
                   err.read().decode("utf-8", "replace")[-2000:], wall >= timeout)


def median_range(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def seconds(values: list[float]) -> str:
    middle, low, high = median_range(values)
    if len(values) == 1:
        return f"{middle:.2f}"
    return f"{middle:.2f} [{low:.2f}-{high:.2f}]"


def ratio(values: list[float]) -> str:
    middle, low, high = median_range(values)
    return f"{middle:.3f} [{low:.3f}-{high:.3f}]"


# --------------------------------------------------------------------------- the corpus


@dataclass
class Corpus:
    roots: list[Path]
    files: list[Path] = field(default_factory=list)
    lines: int = 0

    @classmethod
    def of(cls, roots: list[Path]) -> Corpus:
        corpus = cls(roots)
        for root in roots:
            for path in sorted(root.rglob("*.py")):
                corpus.files.append(path)
                with open(path, "rb") as handle:
                    corpus.lines += sum(1 for _ in handle)
        return corpus

    def describe(self) -> str:
        names = ", ".join(root.name for root in self.roots)
        return f"{len(self.files):,} files, {self.lines / 1e6:.2f} M lines ({names})"


def load_corpus() -> list[Path]:
    sys.path.insert(0, str(BENCH))
    import corpus  # bench/corpus.py

    roots = corpus.source_roots()
    if not roots:
        raise BenchError("the corpus is empty: run `python bench/corpus.py fetch` first")
    return roots


def subset(roots: list[Path], prefixes: tuple[str, ...]) -> list[Path]:
    chosen = [root for root in roots if root.name.rsplit("-", 1)[0] in prefixes]
    if not chosen:
        raise BenchError(f"none of {', '.join(prefixes)} is in the corpus")
    return chosen


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace")


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


# --------------------------------------------------------------------------- the tools


@dataclass
class Tools:
    python: str
    torch2ms: str | None
    semgrep: str | None
    ast_grep: str | None
    notes: list[str] = field(default_factory=list)


def find_tools(peers_bin: str | None) -> Tools:
    here = Path(sys.executable).parent
    search = os.pathsep.join(filter(None, [peers_bin, str(here), os.environ.get("PATH", "")]))
    try:
        from importlib.metadata import distribution

        distribution(PLUGIN_DISTRIBUTION)
    except Exception:
        raise BenchError(f"{PLUGIN_DISTRIBUTION} is not installed in {sys.executable}: pip install -e .") from None
    tools = Tools(sys.executable, shutil.which("torch2ms", path=os.pathsep.join([str(here), search])),
                  shutil.which("semgrep", path=search), shutil.which("ast-grep", path=search))
    if tools.torch2ms is None:
        tools.notes.append("torch2ms check: skipped, the `torch2ms` command is not installed next to this Python "
                           "(it comes with the package once linter/cli.py exists)")
    if tools.semgrep is None:
        tools.notes.append("semgrep: skipped, not found (pip install semgrep, or --peers-bin DIR)")
    if tools.ast_grep is None:
        tools.notes.append("ast-grep: skipped, not found (pip install ast-grep-cli, or --peers-bin DIR)")
    return tools


def version_of(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        return (result.stdout or result.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


# --------------------------------------------------------------------------- 1. flake8 with and without


def flake8_command(python: str, plugin: bool, jobs: int, roots: list[Path], select: str | None = None) -> list[str]:
    # Both sides start through this script, so they pay the same startup; "off" hides the plugin
    # from flake8's plugin finder and changes nothing else.
    command = [python, str(Path(__file__).resolve()), "_flake8", "on" if plugin else "off", "--isolated",
               f"--jobs={jobs}"]
    if select:
        command.append(f"--select={select}")
    return command + flake8_excludes(roots) + [str(root) for root in roots]


def flake8_excludes(roots: list[Path]) -> list[str]:
    crashing = [str(root / name) for root in roots for name in FLAKE8_CRASHES if (root / name).exists()]
    return [f"--extend-exclude={','.join(crashing)}"] if crashing else []


def flake8_child(argv: list[str]) -> int:
    from flake8.plugins import finder

    if argv[0] == "off":
        found = finder._find_importlib_plugins

        def without_plugin():
            return (plugin for plugin in found() if plugin.package != PLUGIN_DISTRIBUTION)

        finder._find_importlib_plugins = without_plugin
    from flake8.main.cli import main

    return main(argv[1:])


@dataclass
class Pairs:
    jobs: int
    without: list[Run] = field(default_factory=list)
    with_plugin: list[Run] = field(default_factory=list)

    def wall_ratios(self) -> list[float]:
        return [b.wall / a.wall for a, b in zip(self.without, self.with_plugin)]

    def cpu_ratios(self) -> list[float]:
        return [b.cpu / a.cpu for a, b in zip(self.without, self.with_plugin)]


def flake8_pairs(tools: Tools, corpus: Corpus, jobs: int, pairs: int, cwd: Path) -> Pairs:
    result = Pairs(jobs)
    # One unmeasured run of each warms the page cache and the .pyc files.
    for plugin in (False, True):
        check_run(run(flake8_command(tools.python, plugin, jobs, corpus.roots), cwd), "flake8", ok=(0, 1))
    for index in range(pairs):
        # A B, B A, ...: a machine that slows down during the run does not favour one side.
        order = (False, True) if index % 2 == 0 else (True, False)
        for plugin in order:
            measured = check_run(run(flake8_command(tools.python, plugin, jobs, corpus.roots), cwd), "flake8",
                                 ok=(0, 1))
            (result.with_plugin if plugin else result.without).append(measured)
        progress(f"flake8 -j{jobs} pair {index + 1}/{pairs}: ratio {result.wall_ratios()[-1]:.3f}")
    return result


def check_run(measured: Run, what: str, ok: tuple[int, ...]) -> Run:
    if measured.timed_out:
        raise BenchError(f"{what} took more than {CHILD_TIMEOUT} s")
    if measured.returncode not in ok:
        raise BenchError(f"{what} failed with exit status {measured.returncode}: {measured.stderr.strip()[-500:]}")
    return measured


# --------------------------------------------------------------------------- 1b. the plugin's share, in process

SHARE_PARTS = ("import", "loading", "run")


def share_command(python: str, roots: list[Path | str], timings: Path, original: str | None = None) -> list[str]:
    pairing = [f"--torch2ms-original={original}"] if original else []
    return ([python, str(Path(__file__).resolve()), "_flake8_share", "--timings", str(timings), "--isolated",
             "--jobs=1", *pairing] + flake8_excludes(roots) + [str(root) for root in roots])


def flake8_share_child(argv: list[str]) -> int:
    """One ``flake8 -j1`` run with the plugin, timed from inside the process: the plugin's import,
    its rule loading (``parse_options``) and every ``__init__`` and ``run()`` (its findings drawn
    to the end inside the timer), against the whole run. CPU time is this process's own from its
    start (``time.process_time``); the parent times the whole run's wall clock.

    ``argv``: ``--timings OUT.json`` then flake8's arguments. OUT must end in .json and be empty,
    absent or a timings file of an earlier run: a file to lint named by mistake is never overwritten.
    """
    if len(argv) < 2 or argv[0] != "--timings":
        print("bench/run.py _flake8_share: usage: _flake8_share --timings OUT.json [flake8 arguments]",
              file=sys.stderr)
        return 2
    timings, argv = Path(argv[1]), argv[1:]
    if timings.suffix != ".json" or not _timings_or_empty(timings):
        print(f"bench/run.py _flake8_share: {timings} is not a timings .json file of this script; not overwriting it",
              file=sys.stderr)
        return 2
    wall_start = time.perf_counter()
    clock = {part: {"cpu": 0.0, "wall": 0.0} for part in SHARE_PARTS}

    def timed(part: str, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                clock[part]["cpu"] += time.process_time() - cpu
                clock[part]["wall"] += time.perf_counter() - wall
        return wrapper

    from flake8.plugins import finder

    load_plugin = finder._load_plugin

    def load_and_wrap(plugin):
        if plugin.package != PLUGIN_DISTRIBUTION:
            return load_plugin(plugin)
        loaded = timed("import", load_plugin)(plugin)  # flake8 has read the parameters: wrapping is safe now
        checker = loaded.obj
        checker.parse_options = timed("loading", checker.parse_options)
        checker.__init__ = timed("run", checker.__init__)
        run = checker.run
        checker.run = lambda self: iter(timed("run", lambda: list(run(self)))())
        return loaded

    finder._load_plugin = load_and_wrap
    from flake8.main.cli import main

    status = main(argv[1:])
    timings.write_text(json.dumps({"cpu": time.process_time(), "wall": time.perf_counter() - wall_start,
                                   **clock}), encoding="utf-8")
    return status


def _timings_or_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError):
        return False
    return isinstance(data, dict) and set(SHARE_PARTS) <= set(data)


@dataclass
class Share:
    corpus: Corpus
    original: str | None = None  # port-pair mode's original tree, when the runs had one
    runs: list[dict] = field(default_factory=list)
    one_file: Path | None = None  # a file of median size, linted alone as an editor does on save
    one_file_runs: list[dict] = field(default_factory=list)

    def plugin(self, run: dict, clock: str = "cpu") -> float:
        return sum(run[part][clock] for part in SHARE_PARTS)

    def percents(self, clock: str = "cpu", runs: list[dict] | None = None) -> list[float]:
        return [100 * self.plugin(run, clock) / run[clock] for run in (self.runs if runs is None else runs)]


def plugin_share(tools: Tools, corpus: Corpus, repeats: int, cwd: Path, workdir: Path,
                 original: str | None = None) -> Share:
    """``original``: the same runs with port-pair mode on (``--torch2ms-original``), without the
    one-file runs."""
    share = Share(corpus, original=original)
    timings = workdir / "share.json"
    # The checked rules are cached between runs (linter/rulecache.py), and so is the original
    # tree's index (pairs/originals.py): measure the steady state.
    warm = ("from flake8_torch2ms.engine import engine_for\n"
            f"engine = engine_for(None, {original!r})\n")
    if original:
        warm += ("from flake8_torch2ms.families.pairs.originals import original_tree\n"
                 f"original_tree({original!r}, engine.facts['pairs'])\n")
    check_run(run([tools.python, "-c", warm]), "loading the rules", ok=(0,))

    def timed_run(paths: list[Path]) -> dict:
        measured = check_run(run(share_command(tools.python, paths, timings, original), cwd), "flake8 (timed)",
                             ok=(0, 1))
        # The child's CPU time counts from its start; its wall clock only from the launcher's,
        # so the whole run's wall time is the one this process measured around the child.
        return {**json.loads(timings.read_text(encoding="utf-8")), "wall": measured.wall}

    for index in range(repeats):
        share.runs.append(timed_run(corpus.roots))
        progress(f"flake8 -j1 timed inside{' (port-pair mode)' if original else ''}, run {index + 1}/{repeats}: "
                 f"plugin {share.percents()[-1]:.2f} % of CPU")
    if original:
        return share
    sizes = sorted((path.stat().st_size, path) for path in corpus.files)
    share.one_file = sizes[len(sizes) // 2][1]
    share.one_file_runs = [timed_run([share.one_file]) for _ in range(max(5, repeats))]
    return share


# --------------------------------------------------------------------------- 2. the tools on the corpus


@dataclass
class ToolRuns:
    name: str
    command: str
    runs: list[Run] = field(default_factory=list)
    findings: set[tuple[str, int, str]] = field(default_factory=set)  # (path, line, code)
    note: str = ""


def tool_commands(tools: Tools, roots: list[Path], jobs: int) -> dict[str, tuple[list[str], str]]:
    paths = [str(root) for root in roots]
    commands: dict[str, tuple[list[str], str]] = {}
    if tools.torch2ms:
        commands["torch2ms check"] = ([tools.torch2ms, "check", f"--jobs={jobs}", *paths],
                                      f"torch2ms check --jobs={jobs}")
    if tools.semgrep:
        commands["semgrep scan"] = ([tools.semgrep, "scan", "--config", str(PEERS / "semgrep.yml"), "--metrics=off",
                                     "--disable-version-check", "--max-target-bytes=0", f"--jobs={jobs}", "--json",
                                     "--quiet", *paths],
                                    f"semgrep scan --config bench/peers/semgrep.yml --jobs={jobs} --max-target-bytes=0")
    if tools.ast_grep:
        commands["ast-grep scan"] = ([tools.ast_grep, "scan", "--rule", str(PEERS / "ast-grep.yml"), "--json=stream",
                                      f"--threads={jobs}", *paths],
                                     f"ast-grep scan --rule bench/peers/ast-grep.yml --threads={jobs}")
    return commands


def parse_findings(name: str, stdout: str) -> set[tuple[str, int, str]]:
    found = set()
    if name == "semgrep scan":
        for result in json.loads(stdout or "{}").get("results", []):
            found.add((result["path"], result["start"]["line"], result["check_id"].rsplit(".", 1)[-1]))
    elif name == "ast-grep scan":
        for line in stdout.splitlines():
            if line.strip():
                result = json.loads(line)
                found.add((result["file"], result["range"]["start"]["line"] + 1, result["ruleId"]))
    else:  # torch2ms and flake8: path:line:col: CODE message
        for line in stdout.splitlines():
            parts = line.split(":", 3)
            if len(parts) == 4 and parts[1].isdigit():
                found.add((parts[0], int(parts[1]), parts[3].split()[0]))
    return found


def tools_on_corpus(tools: Tools, corpus: Corpus, repeats: int, jobs: int, cwd: Path,
                    flake8_select: bool) -> list[ToolRuns]:
    commands = tool_commands(tools, corpus.roots, jobs)
    if flake8_select:
        # flake8 runs pycodestyle and pyflakes whatever --select says.
        commands["flake8 --select TMS"] = (flake8_command(tools.python, True, jobs, corpus.roots, "TMS"),
                                           f"flake8 --isolated --select TMS --jobs={jobs}")
    results = {name: ToolRuns(name, shown) for name, (_, shown) in commands.items()}
    # One unmeasured run of the fastest tool reads the corpus into the page cache for all of them.
    for name in ("ast-grep scan", "torch2ms check"):
        if name in commands:
            check_run(run(commands[name][0], cwd), name, ok=(0, 1))
    for index in range(repeats):
        for name, (command, _) in commands.items():  # interleaved: T S A F, T S A F, ...
            if results[name].note:
                continue
            measured = run(command, cwd, keep_stdout=True)
            if measured.timed_out:
                results[name].note = f"stopped after {CHILD_TIMEOUT} s"
                continue
            check_run(measured, name, ok=(0, 1))
            results[name].runs.append(measured)
            results[name].findings = parse_findings(name, measured.stdout)
            measured.stdout = ""
        progress(f"tools round {index + 1}/{repeats}: "
                 + ", ".join(f"{name} {result.runs[-1].wall:.1f} s" for name, result in results.items()))
    return list(results.values())


# --------------------------------------------------------------------------- 3. floor and optimizations


@dataclass
class Stage:
    name: str
    times: list[float]
    detail: str = ""


def prefilter_sets(engine, files: list[tuple[str, str]]) -> list[tuple[str, object, str]]:
    """One stage per distinct trigger (its words, the packages they come from, what must follow
    a word): its time alone and the share of files it keeps."""
    from flake8_torch2ms.prefilter import FileText

    stages = []
    for number, prefilter in enumerate(engine.prefilters, start=1):
        kept = sum(1 for path, text in files if prefilter.may_match(FileText(text, path)))
        shown = "any file" if prefilter.trigger is None else ", ".join(prefilter.words)
        if prefilter.roots:
            shown += f" (in a file naming {' or '.join(prefilter.roots)})"
        if prefilter.imports:
            shown += f" (in a file importing {' and '.join(prefilter.imports)})"
        if prefilter.after is not None:
            shown += ", followed by a positional argument"

        def test(prefilter=prefilter):
            for path, text in files:
                prefilter.may_match(FileText(text, path))

        stages.append((f"prefilter {number} alone", test,
                       f"keeps {kept:,} files ({100 * kept / len(files):.1f} %): {shown}"))
    return stages


def floor_and_optimizations(corpus: Corpus, repeats: int) -> list[Stage]:
    """In this process, one core: what the engine costs stage by stage, and each optimization
    against the code it replaced, alternated run by run."""
    from ast_grep_py import SgRoot

    from flake8_torch2ms import engine as engine_module
    from flake8_torch2ms.config import RuleSet, load_ruleset
    from flake8_torch2ms.semantics import bindings, nodes

    ruleset = load_ruleset()
    engine = engine_module.Engine(ruleset)
    texts = [read_text(path) for path in corpus.files]
    files = [(str(path), text) for path, text in zip(corpus.files, texts)]
    kept = [text for path, text in files if engine.active(text, path)]
    by_family = {family: engine_module.Engine(RuleSet([rule for rule in ruleset.rules if rule.family == family],
                                                      ruleset.facts))
                 for family in sorted({rule.family for rule in ruleset.rules if rule.family})}
    kept_by_family = {family: sum(1 for path, text in files if alone.active(text, path))
                      for family, alone in by_family.items()}
    clipping = by_family["clipping"]  # the first family alone, as before the second was added
    trees = [SgRoot(text, "python").root() for text in kept]
    all_words = [prefilter.words for prefilter in engine.prefilters if prefilter.trigger is not None]

    def read_all():
        for path in corpus.files:
            read_text(path)

    def prefilter():
        for path, text in files:
            engine.active(text, path)

    def prefilter_before():  # each trigger's words tested in turn with `in`, as first written
        for text in texts:
            for words in all_words:
                any(word in text for word in words)

    def parse_kept():
        for text in kept:
            SgRoot(text, "python").root()

    def whole_engine():
        for path, text in zip(corpus.files, texts):
            engine.check(text, str(path))

    def whole_engine_clipping():
        for path, text in zip(corpus.files, texts):
            clipping.check(text, str(path))

    def walks_merged():
        for tree in trees:
            engine_module._merged_matches(tree, engine._merge_order)

    def walks_per_matcher():
        for tree in trees:
            for group in engine.groups:
                tree.find_all(group.matcher)

    scopes = [scope for tree in trees
              for scope in [tree, *tree.find_all(any=[{"kind": "function_definition"}, {"kind": "lambda"}])]]
    scopes = [scope if scope.kind() == "module" else (scope.field("body") or scope) for scope in scopes]

    def scope_walk_kinds():
        for scope in scopes:
            list(nodes.walk_scope(scope, bindings.BINDING_KINDS))

    def every_node_of_scope(scope):  # the walk as first written: every node, named or not
        stack = list(reversed(scope.children()))
        while stack:
            node = stack.pop()
            yield node
            if node.kind() not in nodes.SCOPE_KINDS:
                stack.extend(reversed(node.children()))

    def scope_walk_python():
        for scope in scopes:
            [node for node in every_node_of_scope(scope) if node.kind() in bindings.BINDING_KINDS]

    measured = [
        ("read every file", read_all, f"{len(texts):,} files"),
        ("read + prefilter (the floor)", None, f"keeps {len(kept):,} files ({100 * len(kept) / len(texts):.1f} %); "
                                               + "; ".join(f"the {family} rules alone {kept:,} "
                                                           f"({100 * kept / len(texts):.1f} %)"
                                                           for family, kept in kept_by_family.items())),
        ("prefilter alone", prefilter, "probes, then whole names in code, in a file naming the package"),
        ("prefilter alone, before", prefilter_before, "each trigger's words with `in`, one after another"),
        *prefilter_sets(engine, files),
        ("parse the kept files", parse_kept, f"{len(kept):,} files"),
        ("structural walks, merged", walks_merged, "one find_all for all matchers, dispatched by node"),
        ("structural walks, before", walks_per_matcher, f"one find_all per matcher ({len(engine.groups)})"),
        ("binding walks of every scope, named nodes", scope_walk_kinds, "the module and each function, once"),
        ("binding walks of every scope, before", scope_walk_python, "every node, punctuation included"),
        ("whole engine, one core", whole_engine, "prefilter + parse + rules, no process start"),
        ("whole engine, clipping rules alone", whole_engine_clipping, "the first family without the second"),
    ]
    stages = {name: Stage(name, [], detail) for name, _, detail in measured}
    for _ in range(repeats):
        for name, function, _ in measured:
            if function is None:
                continue
            start = time.perf_counter()
            function()
            stages[name].times.append(time.perf_counter() - start)
    stages["read + prefilter (the floor)"].times = [
        read + pre for read, pre in zip(stages["read every file"].times, stages["prefilter alone"].times)]
    return list(stages.values())


# --------------------------------------------------------------------------- 4. scaling


def engine_child(argv: list[str]) -> int:
    """Run the engine over files in one process and print what it did as JSON. Seconds are the
    process's CPU time (reading included): on a shared machine a single wall-clock run of the 4x
    corpus moved by half."""
    from flake8_torch2ms.config import load_ruleset
    from flake8_torch2ms.engine import Engine

    engine = Engine(load_ruleset())
    files = findings = 0
    start = time.process_time()
    for argument in argv:
        paths = [Path(argument)] if argument.endswith(".py") else sorted(Path(argument).rglob("*.py"))
        for path in paths:
            files += 1
            findings += len(engine.check(read_text(path), str(path)))
    print(json.dumps({"files": files, "findings": findings, "seconds": time.process_time() - start,
                      "max_rss_mib": own_peak_rss_mib()}))
    return 0


def own_peak_rss_mib() -> float:
    """This process's peak RSS since its exec. getrusage's (and os.wait4's) maximum keeps the size
    of the process it was forked from, so after part 3 every row showed the bench's own 949 MiB;
    Linux's VmHWM belongs to the address space the exec made."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def engine_run(python: str, paths: list[Path]) -> tuple[Run, dict]:
    measured = run([python, str(Path(__file__).resolve()), "_engine", *map(str, paths)], keep_stdout=True)
    if measured.timed_out:
        return measured, {}
    check_run(measured, "the engine", ok=(0,))
    return measured, json.loads(measured.stdout.strip().splitlines()[-1])


def copy_tree(source: Path, destination: Path) -> None:
    """Hard links where the file system allows (no disk and no page-cache cost), else copies."""
    try:
        shutil.copytree(source, destination, copy_function=os.link)
    except OSError:
        shutil.rmtree(destination, ignore_errors=True)
        shutil.copytree(source, destination)


TRAIN_STEP = '''
def train_step_{i}(data, label):
    loss, grads = grad_fn(data, label)
    grads = ops.clip_by_value(grads, {low}, 0.1)
    optimizer(grads)
    return loss
'''


def synthetic_module(calls: int) -> str:
    """``calls`` training steps that each clip once; every tenth has a single positional bound."""
    parts = ["import mindspore\nfrom mindspore import ops\n\n"
             "grad_fn = mindspore.value_and_grad(forward, None, weights)\n"]
    for index in range(calls):
        step = TRAIN_STEP.format(i=index, low="-0.1")
        if index % 10 == 0:
            step = step.replace("grads, -0.1, 0.1)", "grads, 0.1)")
        parts.append(step)
    return "".join(parts)


def one_statement_module(calls: int) -> str:
    """One tuple of ``calls`` clip calls on one line, every tenth with a single positional bound."""
    clips = ", ".join(f"ops.clip_by_value(grads[{index}], {'' if index % 10 == 0 else '-c, '}c)"
                      for index in range(calls))
    return ("import mindspore\nfrom mindspore import ops\n\n"
            "grad_fn = mindspore.value_and_grad(forward, None, weights)\n\n\ndef step(data, label):\n"
            f"    loss, grads = grad_fn(data, label)\n    c = 0.1\n    clipped = ({clips})\n    return clipped\n")


@dataclass
class ScaleRow:
    label: str
    units: int  # files or calls
    unit: str
    plural: str = ""
    runs: list[tuple[Run, dict]] = field(default_factory=list)


def scaling(tools: Tools, corpus: Corpus, repeats: int, synthetic: tuple[int, ...], workdir: Path,
            copies: tuple[int, ...] = (1, 2, 4), statement: tuple[int, ...] = STATEMENT_CALLS) -> list[ScaleRow]:
    trees = []
    for copy in range(max(copies)):
        destination = workdir / f"copy{copy}"
        for root in corpus.roots:
            copy_tree(root, destination / root.name)
        trees.append(destination)
    rows = [ScaleRow(f"corpus x{count}", count * len(corpus.files), "file") for count in copies]
    files = []
    for calls in synthetic:
        path = workdir / f"synthetic_{calls}.py"
        path.write_text(synthetic_module(calls), encoding="utf-8")
        files.append(path)
        rows.append(ScaleRow(f"one file, {calls:,} clip calls", calls, "call"))
    for calls in statement:
        path = workdir / f"statement_{calls}.py"
        path.write_text(one_statement_module(calls), encoding="utf-8")
        files.append(path)
        rows.append(ScaleRow(f"one statement, {calls:,} clip calls on one line", calls, "call in one statement",
                             "calls"))
    for index in range(repeats):
        for row, paths in zip(rows, [trees[:count] for count in copies] + [[path] for path in files]):
            if row.runs and (row.runs[-1][0].timed_out or row.runs[-1][0].cpu > SLOW_RUN):
                continue
            row.runs.append(engine_run(tools.python, paths))
        progress(f"scaling round {index + 1}/{repeats}")
    return rows


# --------------------------------------------------------------------------- 5. the editor path

# Each one-file run starts Python with this program, whatever it compares: the same start-up on
# every side of a ratio. It is the `flake8` command (`main()`) with every plugin distribution
# hidden from flake8's finder except those TORCH2MS_BENCH_PLUGINS names, so "flake8 alone" never
# imports the plugin at all, as if it were not installed; and it writes the process's own peak
# RSS (VmHWM: os.wait4's maximum would keep the size of the bench process it was forked from).
# Nothing of bench/run.py is imported: its own imports (dataclasses among them) would otherwise
# be paid for the plugin.
EDITOR_LAUNCHER = """
import os, sys
from flake8.plugins import finder
shown = {"flake8", "pyflakes", "pycodestyle", *filter(None, os.environ["TORCH2MS_BENCH_PLUGINS"].split(","))}
found = finder._find_importlib_plugins
finder._find_importlib_plugins = lambda: (p for p in found() if p.package.lower().replace("_", "-") in shown)
from flake8.main.cli import main
status = main(sys.argv[1:])
with open("/proc/self/status") as status_file:
    peak = next((line.split()[1] for line in status_file if line.startswith("VmHWM:")), "0")
with open(os.environ["TORCH2MS_BENCH_PEAK"], "w") as out:
    out.write(peak)
sys.exit(status)
"""
EDITOR_ALONE = "flake8 alone"
EDITOR_PLUGIN = "with flake8-torch2ms"
EDITOR_PAIRED = "with flake8-torch2ms, port-pair mode"  # given --original: --torch2ms-original on every file
EDITOR_VARIANTS = {EDITOR_ALONE: (), EDITOR_PLUGIN: (PLUGIN_DISTRIBUTION,), EDITOR_PAIRED: (PLUGIN_DISTRIBUTION,),
                   "with flake8-bugbear": ("flake8-bugbear",)}
EDITOR_RUNS = 40  # per file and variant, after one warm-up run of each (a run takes about 0.1 s; 20 left
# medians that moved by 5 % between runs of the same code on this shared machine)
EDITOR_BIG_RUNS = 2  # the 5 MB modules: each run takes 20 to 60 s here
BIG_MODULE_BYTES = 5_000_000
# The targets of the editor-path issue, as ratios of medians of whole-process CPU time.
TARGET_EDITOR_NO_MATCH = 1.03
TARGET_EDITOR_MODEL = 1.10
TARGET_EDITOR_BIG = 1.10
TARGET_EDITOR_BIG_MEMORY = 1.5
NO_TRIGGER_MODULE = "import os\n\n\ndef join(*parts):\n    return os.path.join(*parts)\n"


@dataclass
class EditorCase:
    """One file linted alone, as an editor does on save, by each variant of flake8."""

    name: str
    path: Path
    runs: int
    variants: tuple[str, ...]
    target: float | None = None  # the ratio with the plugin / alone that the issue asks for
    memory_target: float | None = None  # the same for peak memory
    # The option only the plugin knows (--torch2ms-original): given only to the port-pair variant;
    # flake8 alone would refuse it.
    paired_options: tuple[str, ...] = ()
    cpu: dict[str, list[float]] = field(default_factory=dict)
    peak_mib: dict[str, list[float]] = field(default_factory=dict)
    instructions: dict[str, int] = field(default_factory=dict)  # one cachegrind run of each variant
    lines: int = 0
    size: int = 0  # bytes

    def __post_init__(self) -> None:
        self.size = self.path.stat().st_size
        self.lines = len(read_text(self.path).splitlines())

    def median(self, variant: str, what: str = "cpu") -> float:
        return statistics.median(getattr(self, what)[variant])

    def ratio(self, variant: str, what: str = "cpu") -> float:
        return self.median(variant, what) / self.median(EDITOR_ALONE, what)

    def paired(self, variant: str) -> list[float]:
        """Each round's ratio (the runs of one round are next to each other in time)."""
        return [with_ / alone for with_, alone in zip(self.cpu[variant], self.cpu[EDITOR_ALONE])]


def installed_variants(notes: list[str], paired: bool) -> tuple[str, ...]:
    """The variants part 5 runs: those whose distributions are installed, the port-pair one only
    when an original is given (``paired``)."""
    from importlib.metadata import PackageNotFoundError, distribution

    found = []
    for variant, packages in EDITOR_VARIANTS.items():
        if variant == EDITOR_PAIRED and not paired:
            continue
        try:
            for package in packages:
                distribution(package)
            found.append(variant)
        except PackageNotFoundError:
            notes.append(f"editor path: '{variant}' skipped, {', '.join(packages)} is not installed "
                         f"(pip install {' '.join(packages)})")
    return tuple(found)


def editor_cases(args, corpus: Corpus, models: Corpus, workdir: Path) -> list[EditorCase]:
    """The files of part 5: one no rule can match (5 lines, and one of median size in ``corpus``),
    a typical model file the rules match (of median length among ``models``' model definitions
    the prefilter keeps on the text: mindcv's vision models, the code people port from PyTorch;
    and the same among those it keeps given flake8's parse too), a port file
    (``--port``), and two generated 5 MB modules. Given ``--original``, every file is also linted
    in port-pair mode with it as the original (the variant EDITOR_PAIRED)."""
    from flake8_torch2ms.engine import engine_for

    engine = engine_for(None)
    variants = installed_variants(args.notes, bool(args.original))
    paired = ("--torch2ms-original", str(args.original)) if args.original else ()
    small = EDITOR_RUNS if not args.quick else 3
    big_runs = args.editor_big_runs if not args.quick else 1
    cases = []
    tiny = workdir / "no_trigger.py"
    tiny.write_text(NO_TRIGGER_MODULE, encoding="utf-8")
    cases.append(EditorCase("5 lines, no trigger word", tiny, small, variants, TARGET_EDITOR_NO_MATCH,
                            paired_options=paired))
    dropped = sorted((path.stat().st_size, path) for path in corpus.files
                     if not engine.may_match(read_text(path), str(path)))
    if dropped:
        cases.append(EditorCase("median file no rule can match", dropped[len(dropped) // 2][1], small, variants,
                                TARGET_EDITOR_NO_MATCH, paired_options=paired))
    definitions = [path for path in models.files if "/models/" in path.as_posix()] or models.files
    kept = sorted((len(read_text(path).splitlines()), path) for path in definitions
                  if engine.active(read_text(path), str(path)))
    if kept:
        cases.append(EditorCase("typical model file the rules match", kept[len(kept) // 2][1], small, variants,
                                TARGET_EDITOR_MODEL, paired_options=paired))
    # The same among the files that flake8's screen keeps given flake8's own parse (a BatchNorm's
    # momentum written out, a pool's stride left out: Trigger.calls), which it then checks in full.
    parsed = [(lines, path) for lines, path in kept if _parses(read_text(path))
              and engine.may_match(read_text(path), str(path), ast.parse(read_text(path)))]
    if parsed:
        cases.append(EditorCase("typical model file the rules match, given flake8's parse",
                                parsed[len(parsed) // 2][1], small, variants, TARGET_EDITOR_MODEL,
                                paired_options=paired))
    if args.port:
        cases.append(EditorCase("port file with its original", Path(args.port), small, variants,
                                TARGET_EDITOR_MODEL, paired_options=paired))
    else:
        args.notes.append("editor path: port-pair mode not measured; give --port FILE --original PATH (the "
                          "plugin's --torch2ms-original) to add its variant and the port file's row")
    if big_runs:
        ours = tuple(variant for variant in variants if variant != "with flake8-bugbear")
        steps = BIG_MODULE_BYTES // len(TRAIN_STEP) if not args.quick else 2_000
        dense = workdir / "big_every_step_clips.py"
        dense.write_text(synthetic_module(steps), encoding="utf-8")
        cases.append(EditorCase(f"generated, {steps:,} training steps that each clip", dense, big_runs, ours,
                                TARGET_EDITOR_BIG, TARGET_EDITOR_BIG_MEMORY, paired_options=paired))
        sparse = workdir / "big_one_clip.py"
        sparse.write_text(sparse_module(BIG_MODULE_BYTES if not args.quick else 300_000), encoding="utf-8")
        cases.append(EditorCase("generated, plain functions and one clip", sparse, big_runs, ours, TARGET_EDITOR_BIG,
                                TARGET_EDITOR_BIG_MEMORY, paired_options=paired))
    return cases


def milliseconds(values: list[float]) -> str:
    middle, low, high = (1000 * value for value in median_range(values))
    return f"{middle:.0f}" if len(values) == 1 else f"{middle:.0f} [{low:.0f}-{high:.0f}]"


def sparse_module(size: int) -> str:
    """About ``size`` bytes of small functions, then one training step that clips (tests/test_robustness.py's
    10 MB file, at this size): the prefilter keeps it, so the whole file is parsed and walked."""
    functions = []
    total = 0
    while total < size:
        functions.append(f"def f_{len(functions)}(x):\n    return x * 2 + {len(functions)}\n")
        total += len(functions[-1])
    return synthetic_module(1).replace("\n\ndef train_step_0", "\n" + "\n\n".join(functions) + "\n\ndef train_step_0")


def editor_run(python: str, case: EditorCase, variant: str, cwd: Path, peak_file: Path) -> tuple[float, float]:
    """One whole-process flake8 run of one file: (CPU seconds, user + system of the process, from
    os.wait4; peak RSS MiB, from the process itself)."""
    plugins = EDITOR_VARIANTS[variant]
    options = list(case.paired_options) if variant == EDITOR_PAIRED else []
    environment = {**os.environ, "TORCH2MS_BENCH_PLUGINS": ",".join(plugins), "TORCH2MS_BENCH_PEAK": str(peak_file)}
    measured = check_run(run([python, "-c", EDITOR_LAUNCHER, "--isolated", *options, str(case.path)], cwd,
                             env=environment), f"flake8 ({variant}) on {case.path.name}", ok=(0, 1))
    return measured.cpu, int(peak_file.read_text() or 0) / 1024


def editor_instructions(python: str, case: EditorCase, variant: str, cwd: Path, peak_file: Path,
                        valgrind: str) -> int | None:
    """The instructions one whole-process run executes (cachegrind's I refs): the same count on every
    run, however busy the machine, where CPU time moves by 10 % from run to run. It leaves out
    what the kernel does for the process (file reads, page faults) and what a cache miss costs."""
    plugins = EDITOR_VARIANTS[variant]
    options = list(case.paired_options) if variant == EDITOR_PAIRED else []
    environment = {**os.environ, "TORCH2MS_BENCH_PLUGINS": ",".join(plugins), "TORCH2MS_BENCH_PEAK": str(peak_file)}
    return instructions_of(valgrind, [python, "-c", EDITOR_LAUNCHER, "--isolated", *options, str(case.path)],
                           environment, cwd)


def instructions_of(valgrind: str, command: list[str], environment: dict[str, str],
                    cwd: Path | None = None) -> int | None:
    """The instructions ``command`` executes under cachegrind (its I refs), with a fixed hash seed
    (set and dict orders, and so the counts, then repeat); None when cachegrind gives no count."""
    completed = subprocess.run([valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                                *command], cwd=cwd, env={**environment, "PYTHONHASHSEED": "0"},
                               capture_output=True, text=True)
    counted = [line for line in completed.stderr.splitlines() if "I" in line and "refs:" in line]
    return int(counted[-1].split(":")[1].replace(",", "")) if counted else None


# Where one file's plugin time goes in an editor's process, phase by phase (`_phases`): a fresh
# interpreter imports what flake8 has imported and parses the file, as flake8 would have, then
# takes the plugin's steps in the order an editor's run takes them, and prints each step's wall
# time, minor page faults and the change in the objects the collector tracks. With `upto`, it stops after
# that many steps: under cachegrind, the differences between runs stopping one step apart are
# each step's instructions (the collector is then off from the start, so that its runs do not
# move the counts).
PHASES_SCRIPT = """
import ast, gc, json, resource, sys, time
path, original, upto = sys.argv[1], sys.argv[2] or None, int(sys.argv[3])
if upto >= 0:
    gc.disable()
import flake8.checker, flake8.main.application, flake8.plugins.pyflakes, pycodestyle, pyflakes.checker
source = open(path, encoding="utf-8").read()
tree = ast.parse(source)
state = {}
def plugin_import():
    from flake8_torch2ms import plugin, rulecache
    state["rulecache"] = rulecache
def cached_screen():
    state["screen"] = state["rulecache"].load_screen(None, original, ())
def screen_test():
    state["kept"] = state["screen"].may_match(source, path, tree)
def compiled_ast_grep():
    gc.disable()  # as the plugin does from its engine's import on
    from flake8_torch2ms import astgrep
def engine_import():
    from flake8_torch2ms import engine
    state["engine"] = engine
def plan():
    state["checker"] = state["engine"].engine_for(None, original, ())
def families():
    checker = state["checker"]
    for _, rules in checker._active(source, path, True, tree):  # as the check's own first step asks
        for rule in rules:
            checker.family(rule.family)
def first_check():
    state["findings"] = len(state["checker"].check(source, path, tree))
def second_check():
    state["checker"].check(source, path, tree)
steps = [("the plugin's import", plugin_import), ("the cached screen", cached_screen),
         ("the screen's test, given the parse", screen_test), ("ast-grep's compiled module", compiled_ast_grep),
         ("the engine's import", engine_import), ("the plan", plan), ("the active rules' families", families),
         ("the first check", first_check), ("a second check", second_check)]
rows = []
for name, step in steps[:upto if upto >= 0 else None]:
    if name == "ast-grep's compiled module" and not state["kept"]:
        break  # the screen refused the file: an editor's run ends here
    if upto >= 0:  # counted by cachegrind: nothing else runs
        step()
        continue
    objects, usage, wall = len(gc.get_objects()), resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    step()
    wall = time.perf_counter() - wall
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - usage.ru_minflt
    rows.append([name, wall * 1000, faults, len(gc.get_objects()) - objects])
print(json.dumps({"rows": rows, "kept": state.get("kept"), "findings": state.get("findings")}))
"""
PHASE_RUNS = 7


def phases_child(argv: list[str]) -> int:
    """``_phases FILE [--original DIR] [--instructions]``: where one file's plugin time goes, phase
    by phase, in fresh processes (PHASES_SCRIPT): medians of PHASE_RUNS runs, and with
    ``--instructions`` each phase's instructions under cachegrind."""
    parser = argparse.ArgumentParser(prog="bench/run.py _phases")
    parser.add_argument("file")
    parser.add_argument("--original", default="")
    parser.add_argument("--instructions", action="store_true")
    args = parser.parse_args(argv)
    if not Path(args.file).is_file():
        print(f"bench/run.py _phases: {args.file}: no such file", file=sys.stderr)
        return 2
    command = [sys.executable, "-c", PHASES_SCRIPT, args.file, args.original]
    runs = []
    for _ in range(PHASE_RUNS):
        completed = subprocess.run([*command, "-1"], capture_output=True, text=True)
        if completed.returncode != 0:  # the file does not parse, the original is not there...
            last_line = (completed.stderr.strip().splitlines() or ["failed"])[-1]
            print(f"bench/run.py _phases: {args.file}: {last_line}", file=sys.stderr)
            return 2
        runs.append(json.loads(completed.stdout))
    names = [row[0] for row in runs[0]["rows"]]
    counted: list[int | None] = [None] * len(names)
    valgrind = shutil.which("valgrind") if args.instructions else None
    if args.instructions and valgrind is None:
        print("bench/run.py _phases: --instructions needs valgrind", file=sys.stderr)
        return 2
    if valgrind is not None:
        totals = [instructions_of(valgrind, [*command, str(upto)], dict(os.environ)) or 0
                  for upto in range(len(names) + 1)]
        counted = [later - earlier for earlier, later in zip(totals, totals[1:])]
    print(f"{args.file}: kept by the screen: {runs[0]['kept']}; findings: {runs[0]['findings']}; "
          f"medians of {PHASE_RUNS} fresh processes")
    print("| phase | wall ms | minor faults | objects the collector tracks, change | M instructions |")
    print("| --- | --- | --- | --- | --- |")
    for index, name in enumerate(names):
        wall, faults, objects = (statistics.median(run["rows"][index][column] for run in runs) for column in (1, 2, 3))
        instructions = f"{counted[index] / 1e6:.1f}" if counted[index] is not None else ""
        print(f"| {name} | {wall:.2f} | {faults:.0f} | {objects:+.0f} | {instructions} |")
    return 0


def editor_path(tools: Tools, cases: list[EditorCase], cwd: Path, workdir: Path) -> list[EditorCase]:
    """Every case by every variant, alternated: round k runs each file's variants in an order
    rotated by k, so a machine that slows down during the run charges every variant alike."""
    peak_file = workdir / "editor-peak"
    for case in cases:
        case.cpu = {variant: [] for variant in case.variants}
        case.peak_mib = {variant: [] for variant in case.variants}
        if case.runs > 2:  # a warm-up run of each (page cache, the rule cache); the big ones follow small ones
            for variant in case.variants:
                editor_run(tools.python, case, variant, cwd, peak_file)
    for index in range(max(case.runs for case in cases)):
        for case in cases:
            if index >= case.runs:
                continue
            shift = index % len(case.variants)
            for variant in case.variants[shift:] + case.variants[:shift]:
                cpu, peak = editor_run(tools.python, case, variant, cwd, peak_file)
                case.cpu[variant].append(cpu)
                case.peak_mib[variant].append(peak)
        progress(f"editor path round {index + 1}: " + ", ".join(
            f"{case.name} {case.paired(case.variants[1])[-1]:.3f}" for case in cases
            if len(case.variants) > 1 and len(case.cpu[case.variants[1]]) == index + 1))
    valgrind = shutil.which("valgrind")
    if valgrind is not None:
        for case in cases:
            if case.size < 1e6:  # under cachegrind a 5 MB module would take an hour
                for variant in (EDITOR_ALONE, EDITOR_PLUGIN, EDITOR_PAIRED):
                    if variant in case.variants:
                        counted = editor_instructions(tools.python, case, variant, cwd, peak_file, valgrind)
                        if counted is not None:
                            case.instructions[variant] = counted
        progress("editor path: instructions counted")
    return cases


def editor_report(cases: list[EditorCase], corpus: Corpus) -> list[str]:
    """Part 5's table and its rows against the targets."""
    out = ["### 5. The editor path: flake8 on one file, whole process (CPU time, medians)", "",
           "Each run is a new `flake8 --isolated FILE` process, as an editor starts on save; CPU time is user + "
           "system of the process (`os.wait4`), peak memory its own VmHWM. \"flake8 alone\" hides every plugin "
           "distribution from flake8's finder (`EDITOR_LAUNCHER`), so the plugin is not imported at all; every "
           "variant starts through the same launcher. Variants alternate run by run, after one warm-up run of "
           "each (the rule cache is then warm, as after a user's first run).", ""]
    variants = [variant for variant in EDITOR_VARIANTS if any(variant in case.variants for case in cases)]
    out.append("| file | lines | runs | " + " | ".join(f"{variant}, CPU ms" for variant in variants) + " | "
               + " | ".join(f"{variant[5:]} / alone, [each round]" for variant in variants[1:])
               + " | peak RSS MiB, " + " / ".join(variant.replace("with ", "") for variant in variants) + " |")
    out.append("| --- " * (3 + 2 * len(variants) - 1 + 1) + "|")
    for case in cases:
        shown = case.path.name
        for root in corpus.roots:
            if root in case.path.parents:
                shown = case.path.relative_to(root.parent).as_posix()
        size = f", {case.size / 1e6:.1f} MB" if case.size > 1e6 else ""
        cells = [f"{case.name} (`{shown}`{size})", f"{case.lines:,}", str(case.runs)]
        cells += [milliseconds(case.cpu[variant]) if variant in case.cpu else "" for variant in variants]
        for variant in variants[1:]:
            if variant in case.cpu and case.cpu[variant]:
                low, high = min(case.paired(variant)), max(case.paired(variant))
                cells.append(f"{case.ratio(variant):.3f} [{low:.2f}-{high:.2f}]")
            else:
                cells.append("")
        cells.append(" / ".join(f"{case.median(variant, 'peak_mib'):.0f}" for variant in variants
                                if variant in case.cpu))
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "Against the editor-path targets (with flake8-torch2ms / flake8 alone, ratio of the medians; "
            "the issue asks the same figures with port-pair mode on):", "", "| target | measured | |",
            "| --- | --- | --- |"]
    ours = [variant for variant in (EDITOR_PLUGIN, EDITOR_PAIRED) if variant in variants]
    for case in cases:
        for variant in ours:
            if case.target is None or not case.cpu.get(variant):
                continue
            cpu = case.ratio(variant)
            met = cpu <= case.target
            measured = (f"{cpu:.3f}x ({1000 * case.median(variant):.0f} ms against "
                        f"{1000 * case.median(EDITOR_ALONE):.0f} ms of CPU)")
            mode = ", port-pair mode" if variant == EDITOR_PAIRED else ""
            what = f"{case.name}{mode}: CPU <= {case.target:.2f}x"
            if case.memory_target is not None:
                memory = case.ratio(variant, "peak_mib")
                met = met and memory <= case.memory_target
                what += f", peak memory <= {case.memory_target:.1f}x"
                measured += f"; peak memory {memory:.2f}x"
            out.append(f"| {what} | {measured} | {'met' if met else 'not met'} |")
    counted = [case for case in cases if EDITOR_ALONE in case.instructions
               and any(variant in case.instructions for variant in ours)]
    if counted:
        out += ["", "Instructions executed, one run of each under cachegrind (`valgrind --tool=cachegrind`): the "
                "same on every run, so a ratio that the rounds' noise hides shows here; it leaves out the kernel's "
                "work for the process and the cost of cache misses, so it complements CPU time and is not the "
                "target's measure.", "",
                "| file | flake8 alone | " + " | ".join(f"{variant}, ratio" for variant in ours) + " |",
                "| --- " * (2 + len(ours)) + "|"]
        for case in counted:
            alone = case.instructions[EDITOR_ALONE]
            cells = [f"{case.instructions[variant] / 1e6:,.1f} M, {case.instructions[variant] / alone:.3f}x"
                     if variant in case.instructions else "" for variant in ours]
            out.append(f"| {case.name} | {alone / 1e6:,.1f} M | " + " | ".join(cells) + " |")
    elif shutil.which("valgrind") is None:
        out += ["", "Instructions not counted: valgrind is not installed."]
    return out + [""]


# --------------------------------------------------------------------------- the table


def progress(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30 if hasattr(os, "sysconf") else 0
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB"


def versions(tools: Tools) -> str:
    from importlib.metadata import version

    found = [f"Python {platform.python_version()}", f"flake8 {version('flake8')}",
             f"flake8-torch2ms {version(PLUGIN_DISTRIBUTION)}", f"ast-grep-py {version('ast-grep-py')}"]
    if tools.semgrep:
        # Without these flags semgrep prints its version, then waits for the network.
        found.append(f"semgrep {version_of([tools.semgrep, '--version', '--disable-version-check', '--metrics=off'])}")
    if tools.ast_grep:
        found.append(version_of([tools.ast_grep, "--version"]))
    return ", ".join(found)


def report(args, tools: Tools, full: Corpus, small: Corpus, tools_corpus: Corpus, pairs: list[Pairs],
           shares: list[Share], tool_runs: list[ToolRuns],
           stages: list[Stage], rows: list[ScaleRow]) -> str:
    out = []
    add = out.append
    add(f"Measured {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} with `python bench/run.py"
        f"{' ' + ' '.join(shown_arguments(args.argv)) if args.argv else ''}`  ")
    add(f"Machine: {machine()}; load average at the start {args.load_at_start}  ")
    add(f"Versions: {versions(tools)}")
    add("")
    if pairs:
        add("### 1. flake8 with the plugin / without it (a sanity check: whole-run ratios move by 5 % here)")
        add("")
        add(f"Subset: {small.describe()}; {args.pairs} pairs per row, alternating; flake8 --isolated, "
            "default checks (pycodestyle, pyflakes, mccabe) on both sides.")
        add("")
        add("| flags | without, s | with, s | wall ratio, median [range] | CPU-time ratio, median [range] |")
        add("| --- | --- | --- | --- | --- |")
        for pair in pairs:
            add(f"| -j{pair.jobs} | {seconds([r.wall for r in pair.without])} | "
                f"{seconds([r.wall for r in pair.with_plugin])} | {ratio(pair.wall_ratios())} | "
                f"{ratio(pair.cpu_ratios())} |")
        add("")
    for share in shares:
        if not share.runs:
            continue
        mode = f", with port-pair mode on (`--torch2ms-original={share.original}`)" if share.original else ""
        add(f"### 1b. The plugin's share of one flake8 -j1 run, timed inside that run{mode} "
            f"(target <= {TARGET_SHARE:.1f} %)")
        add("")
        add(f"Tree: {share.corpus.describe()}; flake8 --isolated -j1, default checks; the plugin's import, rule "
            "loading (`parse_options`) and every `__init__` + `run()` timed in the same process "
            "(`python bench/run.py _flake8_share --timings OUT.json FLAKE8_ARGS ...`).")
        add("")
        add("| run | flake8, CPU s | wall s | import, s | rule loading, s | run(), s | plugin, s | "
            "share of CPU, % | share of wall, % |")
        add("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        measured_runs = zip(share.runs, share.percents(), share.percents("wall"))
        for index, (measured, cpu_share, wall_share) in enumerate(measured_runs, start=1):
            add(f"| {index} | {measured['cpu']:.2f} | {measured['wall']:.2f} | {measured['import']['cpu']:.3f} | "
                f"{measured['loading']['cpu']:.3f} | {measured['run']['cpu']:.3f} | {share.plugin(measured):.3f} | "
                f"{cpu_share:.2f} | {wall_share:.2f} |")
        add(f"| median | | | | | | | {statistics.median(share.percents()):.2f} | "
            f"{statistics.median(share.percents('wall')):.2f} |")
        if share.one_file_runs:
            runs = share.one_file_runs
            name = share.one_file.relative_to(next(root for root in share.corpus.roots
                                                   if root in share.one_file.parents).parent)
            middle = {key: statistics.median(run[key]["cpu"] if key in SHARE_PARTS else run[key] for run in runs)
                      for key in ("cpu", "wall", *SHARE_PARTS)}
            add(f"| one file, median of {len(runs)} (`{name}`, {share.one_file.stat().st_size:,} bytes, as an "
                f"editor on save) | {middle['cpu']:.3f} | {middle['wall']:.3f} | {middle['import']:.3f} | "
                f"{middle['loading']:.3f} | {middle['run']:.3f} | "
                f"{statistics.median(share.plugin(run) for run in runs):.3f} | "
                f"{statistics.median(share.percents(runs=runs)):.1f} | "
                f"{statistics.median(share.percents('wall', runs)):.1f} |")
        add("")
        add("The rule cache (linter/rulecache.py) is warm, as on every run after a user's first.")
        add("")
    if tool_runs:
        add(f"### 2. The tools on one tree ({tools_corpus.describe()})")
        add("")
        reference = next((t for t in tool_runs if t.name == "torch2ms check"), None)
        add("| tool | command | runs | wall s, median [range] | CPU s, median [range] | peak RSS MiB | findings | "
            "torch2ms check is x faster, by CPU (wall) |")
        add("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for tool in tool_runs:
            walls = [r.wall for r in tool.runs]
            if not walls:
                add(f"| {tool.name} | `{tool.command}` | 0 | {tool.note} | | | | |")
                continue
            speedup = ""
            if reference is not None and reference.runs and tool is not reference:
                speedup = (f"{speedup_of(tool, reference, 'cpu'):.1f}x "
                           f"({speedup_of(tool, reference, 'wall'):.1f}x)")
            add(f"| {tool.name} | `{tool.command}` | {len(walls)} | {seconds(walls)} | "
                f"{seconds([r.cpu for r in tool.runs])} | "
                f"{max(r.max_rss_mib for r in tool.runs):.0f} | {len(tool.findings)} | {speedup} |")
        add("")
        add("Findings by code (TMS201 etc. are the peers' rule ids for the same check; see bench/peers/):")
        add("")
        codes = sorted({code for tool in tool_runs for _, _, code in tool.findings})
        add("| code | " + " | ".join(tool.name for tool in tool_runs) + " |")
        add("| --- |" + " --- |" * len(tool_runs))
        for code in codes:
            add(f"| {code} | " + " | ".join(str(sum(1 for f in tool.findings if f[2] == code))
                                            for tool in tool_runs) + " |")
        if reference is not None:
            add("")
            add("Agreement with torch2ms check on (file, line, code):")
            add("")
            for tool in tool_runs:
                if tool is reference:
                    continue
                both = len(tool.findings & reference.findings)
                add(f"- {tool.name}: {both} in both, {len(tool.findings - reference.findings)} only in {tool.name}, "
                    f"{len(reference.findings - tool.findings)} only in torch2ms check")
        add("")
    if stages:
        add(f"### 3. The floor and where the time goes (in one process, one core, {full.describe()})")
        add("")
        add("| stage | s, median [range] | |")
        add("| --- | --- | --- |")
        for stage in stages:
            add(f"| {stage.name} | {seconds(stage.times)} | {stage.detail} |")
        add("")
    if rows:
        add("### 4. Scaling (the engine in one child process per run, one core)")
        add("")
        add("| input | size | CPU s, median [range] | per file or call, µs | peak RSS MiB | findings |")
        add("| --- | --- | --- | --- | --- | --- |")
        for row in rows:
            done = [(r, d) for r, d in row.runs if d]
            if not done:
                add(f"| {row.label} | {row.units:,} {row.plural or row.unit + 's'} | timeout (> {CHILD_TIMEOUT} s) "
                    "| | | |")
                continue
            times = [d["seconds"] for _, d in done]
            add(f"| {row.label} | {row.units:,} {row.plural or row.unit + 's'} | {seconds(times)} | "
                f"{1e6 * statistics.median(times) / row.units:.0f} | "
                f"{max(d['max_rss_mib'] for _, d in done):.0f} | {done[-1][1]['findings']} |")
        add("")
    targets = against_targets(args, pairs, shares, tool_runs, rows)
    if targets:
        add("### Against the targets")
        add("")
        add("| target | measured | |")
        add("| --- | --- | --- |")
        out.extend(targets)
        add("")
    for note in tools.notes + args.notes:
        add(f"Note: {note}  ")
    return "\n".join(out)


PLACEHOLDERS = {"--peers-bin": "BENCH_VENV/bin", "--output": "FILE", "--findings": "FILE"}


def shown_arguments(argv: list[str]) -> list[str]:
    """The command line with this machine's paths replaced by placeholders, so the table can be
    pasted into docs/performance.md as it is."""
    shown = []
    for argument in argv:
        name = argument.split("=", 1)[0]
        if shown and shown[-1] in PLACEHOLDERS and "=" not in shown[-1]:
            shown.append(PLACEHOLDERS[shown[-1]])
        elif name in PLACEHOLDERS and "=" in argument:
            shown.append(f"{name}={PLACEHOLDERS[name]}")
        else:
            shown.append(argument)
    return shown


def speedup_of(tool: ToolRuns, reference: ToolRuns, clock: str) -> float:
    """How many times faster torch2ms check is than ``tool``: the ratio of the medians."""
    return (statistics.median([getattr(r, clock) for r in tool.runs])
            / statistics.median([getattr(r, clock) for r in reference.runs]))


def against_targets(args, pairs: list[Pairs], shares: list[Share], tool_runs: list[ToolRuns],
                    rows: list[ScaleRow]) -> list[str]:
    """The rows of the targets table, from what this run measured."""
    found = []

    def verdict(met: bool) -> str:
        return "met" if met else "not met"

    for share in (share for share in shares if share.runs):
        middle, low, high = median_range(share.percents())
        mode = ", port-pair mode on" if share.original else ""
        found.append(f"| plugin's share of a flake8 -j1 run <= {TARGET_SHARE:.1f} % (CPU, in process{mode}) | "
                     f"{middle:.2f} % [{low:.2f}-{high:.2f}] ({statistics.median(share.percents('wall')):.2f} % "
                     f"of wall) | {verdict(middle <= TARGET_SHARE)} |")
    reference = next((t for t in tool_runs if t.name == "torch2ms check" and t.runs), None)
    for name, target in (("ast-grep scan", TARGET_VS_AST_GREP), ("semgrep scan", TARGET_VS_SEMGREP)):
        tool = next((t for t in tool_runs if t.name == name and t.runs), None)
        if reference is None or tool is None:
            continue
        cpu = speedup_of(tool, reference, "cpu")
        found.append(f"| torch2ms check -j{args.jobs} >= {target:.0f}x faster than {name} -j{args.jobs}, by CPU | "
                     f"{cpu:.1f}x ({statistics.median([r.cpu for r in reference.runs]):.2f} s against "
                     f"{statistics.median([r.cpu for r in tool.runs]):.2f} s; wall "
                     f"{speedup_of(tool, reference, 'wall'):.1f}x) | {verdict(cpu >= target)} |")
    for pair in pairs:
        middle = statistics.median(pair.cpu_ratios())
        found.append(f"| flake8 with / without the plugin at -j{pair.jobs} (whole-run ratio, +-5 % noise) | "
                     f"CPU {ratio(pair.cpu_ratios())}, wall {ratio(pair.wall_ratios())} | "
                     f"not a target: {'within' if middle <= 1.05 else 'above'} the noise |")
    for unit in ("file", "call", "call in one statement"):
        done = [(row, [d["seconds"] for _, d in row.runs if d]) for row in rows if row.unit == unit]
        per_unit = [1e6 * statistics.median(times) / row.units for row, times in done if times]
        if len(per_unit) < 2:
            continue
        labels = " / ".join(row.label.split(", ")[-1].replace("corpus ", "") for row, times in done if times)
        flat = max(per_unit) <= 1.25 * min(per_unit)
        memory = target = ""
        if unit == "file":
            peaks = [max(d["max_rss_mib"] for _, d in row.runs if d) for row, times in done if times]
            memory = f"; peak RSS {' / '.join(f'{peak:.0f}' for peak in peaks)} MiB"
            target = ", peak memory flat (within 25 % or 20 MiB)"
            flat = flat and max(peaks) <= max(1.25 * min(peaks), min(peaks) + 20)
        found.append(f"| time per {unit} flat (within 25 %){target} | "
                     f"{' / '.join(f'{value:.0f}' for value in per_unit)} µs per {unit} at {labels}{memory} | "
                     f"{verdict(flat)} |")
    return found


# --------------------------------------------------------------------------- main


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=3, help="flake8 with/without pairs per -j value (default 4)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each tool, stage and size (default 3)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="-j of the tools in part 2 (default 1, as the targets are stated)")
    parser.add_argument("--peers-bin", metavar="DIR", help="where semgrep and ast-grep are (a separate venv's bin/)")
    parser.add_argument("--skip", action="append", default=[],
                        choices=("editor", "flake8", "share", "tools", "floor", "scaling"),
                        help="leave a part out (repeatable)")
    parser.add_argument("--no-flake8-select", action="store_true",
                        help="leave flake8 --select TMS out of part 2")
    parser.add_argument("--tools-corpus", choices=("subset", "full"), default="subset",
                        help="the tree of parts 1b and 2 (default mindformers and mindnlp; full: about 7 "
                             "minutes per semgrep run)")
    parser.add_argument("--quick", action="store_true", help="a small version of everything, to check the script")
    parser.add_argument("--output", metavar="FILE", help="also write the table (Markdown) to FILE")
    parser.add_argument("--findings", metavar="FILE", help="write every tool's findings as JSON to FILE")
    parser.add_argument("--editor-big-runs", type=int, default=EDITOR_BIG_RUNS,
                        help=f"runs of each 5 MB module in part 5 (default {EDITOR_BIG_RUNS}; 0 leaves them out)")
    parser.add_argument("--port", metavar="FILE", help="part 5: a port file, linted with its original (pair mode)")
    parser.add_argument("--original", metavar="PATH",
                        help="part 5: the original of --port (--torch2ms-original), given to every file in the "
                             "port-pair variant")
    parser.add_argument("--share-original", metavar="PATH",
                        help="part 1b again with port-pair mode on: --torch2ms-original=PATH (for mindformers and "
                             "mindnlp, the transformers package they port)")
    args = parser.parse_args(argv)
    args.argv = argv
    args.notes = []
    if min(args.pairs, args.repeats, args.jobs) < 1:
        parser.error("--pairs, --repeats and --jobs must be 1 or more")
    if bool(args.port) != bool(args.original):
        parser.error("--port and --original go together")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_flake8"]:
        return flake8_child(argv[1:])
    if argv[:1] == ["_engine"]:
        return engine_child(argv[1:])
    if argv[:1] == ["_flake8_share"]:
        return flake8_share_child(argv[1:])
    if argv[:1] == ["_phases"]:
        return phases_child(argv[1:])
    args = parse_arguments(argv)
    try:
        return benchmark(args)
    except BenchError as error:
        print(f"bench/run.py: {error}", file=sys.stderr)
        return 2


def benchmark(args: argparse.Namespace) -> int:
    args.load_at_start = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    # An installed package has its bytecode compiled; an editable checkout under
    # PYTHONDONTWRITEBYTECODE would recompile the plugin in every flake8 process and charge
    # that to the plugin's side of each pair.
    import compileall

    import flake8_torch2ms

    compileall.compile_dir(Path(flake8_torch2ms.__file__).parent, quiet=1)
    tools = find_tools(args.peers_bin)
    roots = load_corpus()
    if args.quick:
        args.pairs, args.repeats = min(args.pairs, 2), min(args.repeats, 2)
        roots = subset(roots, QUICK_SUBSET)
        args.no_flake8_select = True
        args.notes.append(f"--quick: the whole corpus is replaced by {', '.join(QUICK_SUBSET)}")
    full = Corpus.of(roots)
    small = Corpus.of(subset(roots, QUICK_SUBSET if args.quick else FLAKE8_SUBSET))
    tools_corpus = full if args.quick or args.tools_corpus == "full" else Corpus.of(subset(roots, TOOLS_SUBSET))
    synthetic = SYNTHETIC_CALLS[:2] if args.quick else SYNTHETIC_CALLS
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="torch2ms-bench-") as work:
        workdir = Path(work)
        cwd = workdir / "cwd"  # no project configuration (.flake8, .semgrepignore defaults) applies
        cwd.mkdir()
        (cwd / ".semgrepignore").write_text("# empty: semgrep's default ignores would skip tests/ directories\n")
        editor = []
        if "editor" not in args.skip:  # first: nothing else has run on the machine's caches yet
            models = Corpus.of(subset(roots, MODEL_SUBSET)) if not args.quick else full
            editor = editor_path(tools, editor_cases(args, tools_corpus, models, workdir), cwd, workdir)
        pairs = []
        if "flake8" not in args.skip:
            pairs = [flake8_pairs(tools, small, jobs, args.pairs, cwd) for jobs in (1, 2)]
        shares = []
        if "share" not in args.skip:
            shares.append(plugin_share(tools, tools_corpus, args.repeats, cwd, workdir))
            if args.share_original:
                shares.append(plugin_share(tools, tools_corpus, args.repeats, cwd, workdir, args.share_original))
        tool_runs = []
        if "tools" not in args.skip:
            tool_runs = tools_on_corpus(tools, tools_corpus, args.repeats, args.jobs, cwd, not args.no_flake8_select)
        stages = floor_and_optimizations(full, args.repeats) if "floor" not in args.skip else []
        progress("floor done")
        rows = []
        if "scaling" not in args.skip:
            scale_dir = workdir / "scaling"
            scale_dir.mkdir()
            rows = scaling(tools, full, max(1, args.repeats - 1), synthetic, scale_dir)
    args.notes.append(f"the whole script took {time.perf_counter() - started:.0f} s")
    table = report(args, tools, full, small, tools_corpus, pairs, shares, tool_runs, stages, rows)
    if editor:
        table += "\n\n" + "\n".join(editor_report(editor, full))
    print(table)
    if args.output:
        Path(args.output).write_text(table + "\n", encoding="utf-8")
    if args.findings:
        Path(args.findings).write_text(json.dumps({tool.name: sorted(tool.findings) for tool in tool_runs}, indent=1),
                                       encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
