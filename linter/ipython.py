"""IPython syntax (notebook cells, ``ipython`` code blocks) read as the Python IPython runs.

IPython's own input transformer (``TransformerManager``, IPython 7 and later) turns a cell into
the code it executes: ``!cmd`` into ``get_ipython().system('cmd')``, ``files = !ls`` into
``getoutput``, ``%magic args`` into ``run_line_magic``, ``x?`` into ``pinfo``, and a cell indented
as a whole is dedented. Its steps are applied here one at a time so that every line stays where it
was: a step that joins a statement continued over several lines (``!cmd \\``) leaves blank lines
after it, so line N of the Python is line N of the cell, and a column moves only by the text a step
removed from its line (an indentation, a prompt, ``%time``).

Two readings go beyond the transformer, both as IPython runs the code: the body of a cell magic
that runs its body as Python in the notebook's namespace (``%%time``, ``%%timeit``, ``%%capture``,
``%%prun``) is checked, and so is the statement of ``%time``, ``%timeit`` and ``%prun`` lines.
Other cell magics (``%%bash``, ``%%writefile``...) hold no Python.

A cell of one line that is still not Python after those steps is read as IPython's automagic
reads it: ``pip install -r requirements.txt`` or ``cd ..`` alone in a cell runs the line magic of
that name (IPython does this for single-line cells only; a ``pip`` line among others is a syntax
error there too). The magic names come from IPython where it is installed, else from
``AUTOMAGIC_FALLBACK``.

Without IPython, a fallback reads the common forms line by line (``!``, ``%``, ``x = !``,
``x = %``, ``?``, backslash continuations, a cell indented as a whole); it cannot tell an
IPython line from text inside a multi-line string, which the transformer can.
"""

from __future__ import annotations

import ast
import difflib
import re
import textwrap
import warnings
from dataclasses import dataclass

# Cell magics that run their body as Python in the notebook's namespace; their body is checked.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
# Line magics whose argument is a statement run in the notebook's namespace.
PYTHON_LINE_MAGICS = frozenset({"time", "timeit", "prun"})
_CELL_MAGIC = re.compile(r"%%(\w+)")
# A line magic called without its %: the name, then anything but an attribute or an assignment.
_AUTOMAGIC = re.compile(r"^[ \t]*(?P<name>\w+)(?![\w.])(?![ \t]*=(?!=))(?P<rest>.*)$", re.DOTALL)
# IPython's line magics and default aliases (IPython 9, POSIX), the shell's own aliases (ed, hist,
# rep) and ipykernel's magics (clear, less, more, man...): what automagic runs when IPython is not
# there to ask.
AUTOMAGIC_FALLBACK = frozenset({
    "alias", "alias_magic", "autoawait", "autocall", "automagic", "autosave", "bookmark", "cat", "cd", "clear",
    "code_wrap", "colors", "conda", "config", "connect_info", "cp", "debug", "dhist", "dirs", "doctest_mode", "ed",
    "edit", "env", "gui", "hist", "history", "killbgscripts", "ldir", "less", "lf", "lk", "ll", "load", "load_ext",
    "loadpy", "logoff", "logon", "logstart", "logstate", "logstop", "ls", "lsmagic", "lx", "macro", "magic",
    "mamba", "man", "matplotlib", "micromamba", "mkdir", "more", "mv", "notebook", "page", "pastebin", "pdb", "pdef",
    "pdoc", "pfile", "pinfo", "pinfo2", "pip", "popd", "pprint", "precision", "prun", "psearch", "psource", "pushd",
    "pwd", "pycat", "pylab", "qtconsole", "quickref", "recall", "rehashx", "reload_ext", "rep", "rerun", "reset",
    "reset_selective", "rm", "rmdir", "run", "save", "sc", "set_env", "sx", "system", "tb", "time", "timeit",
    "unalias", "unload_ext", "uv", "who", "who_ls", "whos", "xdel", "xmode",
})
# Registered by IPython's shell and by ipykernel's, not by a Magics class of IPython.core.
_SHELL_MAGICS = frozenset({"ed", "hist", "rep", "autosave", "clear", "connect_info", "less", "man", "more",
                           "qtconsole"})
_TRANSFORM_LIMIT = 500  # IPython's own limit on token transforms for one cell


class RestoreError(Exception):
    """An edit that cannot be written back (it changed an IPython line)."""


@dataclass
class Translation:
    """A cell's Python, line for line, and the way back to the cell."""

    text: str  # Python with one line for each line of the cell ("" when the cell holds no Python)
    sources: list[list[str]]  # for each line of ``text``: the cell lines it stands for ([] for padding)
    python: bool = True  # False: the cell is not Python at all (%%bash...)

    def __post_init__(self) -> None:
        self.lines = split_lines(self.text)

    def column(self, line: int, column: int) -> int:
        """The cell's column for a 0-based ``column`` of 1-based ``line`` of the Python."""
        position, inserted = self._shift(line - 1)
        return column + len(inserted) if column >= position else column

    def restore(self, edited: str) -> str:
        """The cell's text for an edited Python text: IPython lines and removed text put back."""
        old = self.lines
        new = split_lines(edited)
        restored: list[str] = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag == "equal":
                for index in range(i1, i2):
                    restored += self.sources[index]
                continue
            if any(not self._editable(index) for index in range(i1, i2)):
                raise RestoreError("a fix changed a line of IPython syntax")
            shifts = [self._shift(index) for index in range(i1, i2)] or [self._shift(i1 - 1)]
            for offset, line in enumerate(new[j1:j2]):
                if len(shifts) == j2 - j1:
                    shift = shifts[offset]
                elif all(shift == shifts[0] for shift in shifts):
                    shift = shifts[0]
                else:
                    raise RestoreError("a fix changed the number of lines of a block with prompts")
                restored.append(_insert(line, shift))
        return "".join(restored)

    def _editable(self, index: int) -> bool:
        return len(self.sources[index]) == 1 and _insertion(self.sources[index][0], self.lines[index]) is not None

    def _shift(self, index: int) -> tuple[int, str]:
        """(position, text): the cell line is the Python line with ``text`` inserted at ``position``."""
        if index < 0 or index >= len(self.sources) or len(self.sources[index]) != 1:
            return 0, ""
        return _insertion(self.sources[index][0], self.lines[index]) or (0, "")


def translate(cell: str) -> Translation:
    """The Python that IPython runs for ``cell``, line for line (see the module docstring)."""
    lines = split_lines(cell)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"  # IPython's transform_cell adds it too
    if _parses("".join(lines)):
        return Translation("".join(lines), [[line] for line in lines])
    translation = _translate(lines, _ipython_steps() or _FallbackSteps())
    if translation.python and not _parses(translation.text) and _single_line(lines):
        return _automagic(translation) or translation
    return translation


def _single_line(lines: list[str]) -> bool:
    """A cell IPython's automagic applies to: one line once leading blank lines are gone (a
    trailing blank line makes two)."""
    cell = "".join(lines).lstrip("\r\n \t") if lines else ""
    return len(cell.splitlines()) == 1


def _automagic(translation: Translation) -> Translation | None:
    """``pip install x`` alone in a cell, as IPython runs it: ``%pip install x``."""
    index = next((i for i, line in enumerate(translation.lines) if line.strip()), None)
    match = _AUTOMAGIC.match(translation.lines[index].rstrip("\r\n")) if index is not None else None
    if match is None or match.group("name") not in automagic_names():
        return None
    call = f"get_ipython().run_line_magic({match.group('name')!r}, {match.group('rest').strip()!r})\n"
    lines = list(translation.lines)
    lines[index] = call
    text = "".join(lines)
    return Translation(text, translation.sources) if _parses(text) else None


_AUTOMAGIC_NAMES: list[frozenset[str]] = []


def automagic_names() -> frozenset[str]:
    """The line magics IPython runs without their ``%``: its own (every Magics class of
    IPython.core.magics, its default aliases) where it is installed, else the fallback list."""
    if not _AUTOMAGIC_NAMES:
        _AUTOMAGIC_NAMES.append(_ipython_magic_names() or AUTOMAGIC_FALLBACK)
    return _AUTOMAGIC_NAMES[0]


def _ipython_magic_names() -> frozenset[str] | None:
    try:
        import importlib
        import pkgutil

        import IPython.core.magics as package
        from IPython.core.alias import default_aliases
        from IPython.core.magic import Magics

        names = set(_SHELL_MAGICS)
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Magics):
                    names.update(getattr(value, "magics", {}).get("line", {}))
        names.update(name for name, _ in default_aliases())
    except Exception:  # not installed, or an IPython too old or broken to import
        return None
    return frozenset(names) if len(names) > len(_SHELL_MAGICS) else None


def _translate(lines: list[str], steps) -> Translation:
    sources = [[line] for line in lines]
    for step in steps.cleanup:
        lines, sources = _track(lines, sources, step(lines))
    if lines and lines[0].startswith("%%") and not re.match(r"%%\w+\?", lines[0]):
        match = _CELL_MAGIC.match(lines[0])
        if match is None or match.group(1) not in PYTHON_CELL_MAGICS:
            return Translation("", [], python=False)
        body = _translate(lines[1:], steps) if len(lines) > 1 else Translation("", [])
        if not body.python:
            return body
        return Translation("pass\n" + body.text, [sources[0]] + _compose(sources[1:], body.sources))
    for step in steps.line:
        lines, sources = _track(lines, sources, step(lines))
    for _ in range(_TRANSFORM_LIMIT):
        changed, new_lines = steps.one_token_transform(lines)
        if not changed:
            break
        lines, sources = _track(lines, sources, new_lines)
    lines = [_unwrap_line_magic(line) if len(source) == 1 else line for line, source in zip(lines, sources)]
    return Translation("".join(lines), sources)


def _compose(outer: list[list[str]], inner: list[list[str]]) -> list[list[str]]:
    """The sources of a translated cell-magic body in terms of the cell's lines: each entry of
    ``inner`` stands for that many body lines, in order, and ``outer`` maps body lines to cell lines."""
    composed, cursor = [], 0
    for source in inner:
        composed.append([line for entry in outer[cursor:cursor + len(source)] for line in entry])
        cursor += len(source)
    return composed


def _track(lines: list[str], sources: list[list[str]], new_lines: list[str]) -> tuple[list[str], list[list[str]]]:
    """Apply one step's result, keeping the line count: removed lines become blank lines after
    the statement that absorbed them."""
    if len(new_lines) == len(lines):
        return list(new_lines), sources
    shortest = min(len(lines), len(new_lines))
    prefix = 0
    while prefix < shortest and lines[prefix] == new_lines[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and lines[-1 - suffix] == new_lines[-1 - suffix]:
        suffix += 1
    old_end, new_end = len(lines) - suffix, len(new_lines) - suffix
    region = sources[prefix:old_end]
    new_region = list(new_lines[prefix:new_end])
    if len(new_region) > len(region):  # no IPython step adds lines; keep what we had
        return lines, sources
    if not new_region:
        placed, placed_sources = ["\n"] * len(region), region
    else:
        kept = len(new_region) - 1
        placed = new_region + ["\n"] * (len(region) - len(new_region))
        placed_sources = region[:kept] + [[line for entry in region[kept:] for line in entry]] + \
            [[] for _ in range(len(region) - len(new_region))]
    return lines[:prefix] + placed + lines[old_end:], sources[:prefix] + placed_sources + sources[old_end:]


def _unwrap_line_magic(line: str) -> str:
    """``%time stmt`` (as IPython wrote it: ``get_ipython().run_line_magic('time', 'stmt')``)
    becomes ``stmt``, which IPython runs in the notebook's namespace."""
    if "run_line_magic(" not in line:
        return line
    indent = line[: len(line) - len(line.lstrip())]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (statement,) = ast.parse(line.strip()).body
    except (SyntaxError, ValueError):
        return line
    call = statement.value if isinstance(statement, ast.Expr) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "run_line_magic" and len(call.args) == 2
            and all(isinstance(argument, ast.Constant) and isinstance(argument.value, str)
                    for argument in call.args)):
        return line
    name, argument = call.args[0].value, call.args[1].value.strip()
    if name not in PYTHON_LINE_MAGICS or not argument or "\n" in argument or not _parses(argument):
        return line
    return f"{indent}{argument}\n"


def _parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():  # only whether it parses: Python's SyntaxWarnings are not ours
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def split_lines(text: str) -> list[str]:
    """Lines as Python counts them: ended by \\n, \\r\\n or \\r only (str.splitlines also splits at
    form feeds and other separators that Python keeps inside a line)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def _insertion(original: str, python: str) -> tuple[int, str] | None:
    """(position, text) such that ``original`` is ``python`` with ``text`` inserted at
    ``position`` (trailing whitespace and line ends aside), or None when it is not so."""
    original, python = original.rstrip(), python.rstrip()
    if original == python:
        return 0, ""
    if not python.strip():  # a line that stands for no code (doctest output): never edited
        return None
    if len(original) < len(python):
        return None
    position = 0
    while position < len(python) and original[position] == python[position]:
        position += 1
    inserted = len(original) - len(python)
    if original[position + inserted:] != python[position:]:
        return None
    return position, original[position:position + inserted]


def _insert(line: str, shift: tuple[int, str]) -> str:
    position, inserted = shift
    if not inserted or not line.strip() or position > len(line):
        return line
    return line[:position] + inserted + line[position:]


# --------------------------------------------------------------------------- the steps


class _IPythonSteps:
    """IPython's TransformerManager, step by step."""

    def __init__(self, manager) -> None:
        self.manager = manager
        self.cleanup = list(manager.cleanup_transforms)
        # Cell magics are read above (a Python body is checked); any other line transform as IPython has it.
        self.line = [step for step in manager.line_transforms if getattr(step, "__name__", "") != "cell_magic"]

    def one_token_transform(self, lines: list[str]) -> tuple[bool, list[str]]:
        try:
            return self.manager.do_one_token_transform(lines)
        except Exception:  # IPython's tokenizer on broken code: leave the rest as it is (E999)
            return False, lines


_MANAGER: list = []


def _ipython_steps():
    if not _MANAGER:
        try:
            from IPython.core.inputtransformer2 import TransformerManager
            _MANAGER.append(_IPythonSteps(TransformerManager()))
        except Exception:  # not installed, or an IPython too old or broken to import
            _MANAGER.append(None)
    return _MANAGER[0]


_ESCAPE = re.compile(r"^(?P<indent>[ \t]*)(?:(?P<target>[\w.]+(?:\s*,\s*[\w.]+)*)\s*=\s*)?"
                     r"(?P<escape>!!|!|%)(?P<command>.*)$", re.DOTALL)
_HELP = re.compile(r"^(?P<indent>[ \t]*)(?:\?{1,2}(?P<before>[\w.]+)|(?P<after>[\w.]+)\?{1,2})[ \t]*$")


class _FallbackSteps:
    """Without IPython: the common IPython forms, line by line."""

    cleanup = [
        lambda lines: lines[next((i for i, line in enumerate(lines) if line.strip()), 0):],
        lambda lines: textwrap.dedent("".join(lines)).splitlines(keepends=True),
    ]
    line: list = []

    def one_token_transform(self, lines: list[str]) -> tuple[bool, list[str]]:
        for start, line in enumerate(lines):
            end = start
            while lines[end].rstrip("\r\n").endswith("\\") and end + 1 < len(lines):
                end += 1
            logical = "".join(part.rstrip("\r\n")[:-1] if part.rstrip("\r\n").endswith("\\") and index < end
                              else part.rstrip("\r\n") for index, part in enumerate(lines[start:end + 1], start))
            replacement = _fallback_line(logical)
            if replacement is not None:
                return True, lines[:start] + [replacement + "\n"] + lines[end + 1:]
        return False, lines


def _fallback_line(line: str) -> str | None:
    help_match = _HELP.match(line)
    if help_match:
        name = help_match.group("before") or help_match.group("after")
        return f"{help_match.group('indent')}get_ipython().run_line_magic('pinfo', {name!r})"
    match = _ESCAPE.match(line)
    if match is None or line.lstrip().startswith("%%"):
        return None
    indent, target, escape, command = match.group("indent", "target", "escape", "command")
    if escape == "%":
        name, _, arguments = command.partition(" ")
        if not re.fullmatch(r"\w+", name):
            return None
        call = f"get_ipython().run_line_magic({name!r}, {arguments!r})"
    elif target:
        call = f"get_ipython().getoutput({command!r})"
    else:
        call = f"get_ipython().system({command!r})"
    return f"{indent}{target} = {call}" if target else f"{indent}{call}"
