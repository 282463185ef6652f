"""Where Python code lives: plain files, notebooks, and code blocks in Markdown or reST pages.

Every kind of file becomes one Python *module* text that the engine checks, plus a map from a
line of that module back to the place in the document (notebook cell and line, or the real line
of the page), and a way to write an edited module back into the document. Notebook cells and the
code blocks of one page are joined into one module, in order, so an import in the first cell is
known in the last; a marker comment between them lets an edited module be split back.

Notebooks are JSON (read with the standard library). Markdown is read with markdown-it-py and
reST with docutils, both optional (the ``markup`` extra): a page is never scanned with regular
expressions for its code.
"""

from __future__ import annotations

import ast
import difflib
import doctest
import functools
import importlib
import io
import json
import tokenize
import warnings
from dataclasses import dataclass
from pathlib import Path

from .ipython import RestoreError, Translation, split_lines, translate

PYTHON_SUFFIXES = (".py", ".pyi")
NOTEBOOK_SUFFIXES = (".ipynb",)
MARKDOWN_SUFFIXES = (".md", ".markdown")
RST_SUFFIXES = (".rst",)
DOCUMENT_SUFFIXES = PYTHON_SUFFIXES + NOTEBOOK_SUFFIXES + MARKDOWN_SUFFIXES + RST_SUFFIXES

# Fence and directive languages whose blocks are checked.
PYTHON_LANGUAGES = frozenset({"python", "py", "python3", "py3", "ipython", "ipython3"})

BOUNDARY = "# torch2ms: block boundary, do not edit\n"
BOM = "\ufeff"
LATIN1_BOM = "\xef\xbb\xbf"  # a UTF-8 BOM in a file read as latin-1 (flake8 strips it too)


class SourceError(Exception):
    """A file that cannot be read as what its name says (bad JSON, missing parser...)."""


@dataclass(frozen=True)
class Location:
    line: int  # 1-based line in the file (for a notebook: in the cell)
    column: int  # 0-based
    cell: int | None = None  # 1-based notebook cell (counting every cell, as Jupyter shows them)


@dataclass
class Block:
    """One piece of Python in a document."""

    text: str  # the Python code as checked (IPython syntax and doctest prompts read as Python)
    first_line: int  # for pages: the document line of the block's first line; for cells: 1
    indent: str = ""  # what the page puts before each line of the block
    cell: int | None = None
    translation: Translation | None = None  # the way back from ``text`` to the block's own lines
    index: int = 0  # position among the document's blocks (cells: index in nb["cells"])


@dataclass
class UnparsableBlock:
    location: Location
    message: str


class Document:
    """A file's Python code as one module text, and the way back."""

    kind = "python"

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.original = text
        self.bom = next((bom for bom in (BOM, LATIN1_BOM) if text.startswith(bom)), "")
        self.module = text[len(self.bom):]  # flake8 strips the BOM too
        self.unparsable: list[UnparsableBlock] = []

    def locate(self, line: int, column: int) -> Location:
        return Location(line, column)

    def render(self, module: str) -> str:
        """The whole file's new text for an edited module."""
        return self.bom + module

    def syntax_error(self) -> UnparsableBlock | None:
        """Why the module does not parse (flake8's E999), or None."""
        if not hasattr(self, "_syntax_error"):
            self._syntax_error = _syntax_error(self.module, self.locate)
        return self._syntax_error

    def file_line(self, cell: int, line: int) -> int:
        return 0


class BlockDocument(Document):
    """A document whose Python is a sequence of blocks joined into one module."""

    def __init__(self, path: str, text: str, blocks: list[Block]) -> None:
        super().__init__(path, text)
        self.blocks: list[Block] = []
        for block in blocks:
            error = _syntax_error(block.text, lambda line, column, b=block: self._block_location(b, line, column))
            if error is None:
                self.blocks.append(block)
            else:  # a broken cell or snippet is reported and left out; the rest is still checked
                self.unparsable.append(error)
        parts, self.starts = [], []
        line = 1
        for block in self.blocks:
            self.starts.append(line)
            text = block.text if block.text.endswith("\n") else block.text + "\n"
            parts.append(text + BOUNDARY)
            line += text.count("\n") + 1
        self.module = "".join(parts)

    def _block_location(self, block: Block, line: int, column: int) -> Location:
        if block.translation is not None:
            column = block.translation.column(line, column)
        if block.cell is not None:
            return Location(line, column, block.cell)
        return Location(block.first_line + line - 1, column + len(block.indent))

    def locate(self, line: int, column: int) -> Location:
        for block, start in zip(reversed(self.blocks), reversed(self.starts)):
            if line >= start:
                return self._block_location(block, line - start + 1, column)
        return Location(line, column)

    def syntax_error(self) -> UnparsableBlock | None:
        return None  # blocks that do not parse were left out and listed in self.unparsable

    def split(self, module: str) -> list[str]:
        """The edited text of each block, IPython lines and prompts restored."""
        texts = module.split(BOUNDARY)
        if len(texts) != len(self.blocks) + 1 or texts[-1]:
            raise SourceError(f"{self.path}: the fixed code lost a block boundary; nothing written")
        try:
            return [block.translation.restore(text) if block.translation is not None else text
                    for text, block in zip(texts, self.blocks)]
        except RestoreError as error:
            raise SourceError(f"{self.path}: {error}; nothing written") from None


class Notebook(BlockDocument):
    kind = "notebook"

    def __init__(self, path: str, text: str) -> None:
        try:
            self.notebook = json.loads(text)
            cells = _notebook_cells(self.notebook)
        except (ValueError, TypeError) as error:
            raise SourceError(f"{path}: not a Jupyter notebook ({error})") from None
        metadata = self.notebook.get("metadata") or {}
        language_info = metadata.get("language_info") or {} if isinstance(metadata, dict) else {}
        language = language_info.get("name", "python") if isinstance(language_info, dict) else "python"
        blocks = []
        if str(language).lower() in ("python", "ipython", ""):
            for number, cell in enumerate(cells, start=1):
                if cell.get("cell_type") != "code":
                    continue
                translation = translate(_cell_text(cell.get("source", "")))
                if translation.python:  # not a %%bash, %%writefile... cell
                    blocks.append(Block(translation.text, 1, "", number, translation, number - 1))
        super().__init__(path, text, blocks)

    def file_line(self, cell: int, line: int) -> int:
        """The line of the .ipynb file that holds ``line`` of ``cell``, or 0 when it is not plain
        to see (the usual one-string-per-line layout makes it so)."""
        if not hasattr(self, "_file_lines"):
            self._file_lines = _notebook_source_lines(self.original, self.notebook["cells"])
        return self._file_lines.get((cell, line), 0)

    def render(self, module: str) -> str:
        """The notebook's text with only the changed source strings rewritten in place: the rest
        of the JSON (layout, key order, escapes, outputs, a compact one-line file) stays as it is."""
        edits: list[tuple[int, int, str]] = []
        cell_spans = _json_spans(self.original).child("cells")
        ascii_only = self.original.isascii()
        for block, new_text in zip(self.blocks, self.split(module)):
            old = self.notebook["cells"][block.index].get("source", "")
            old_text = _cell_text(old)
            if not old_text.endswith("\n") and new_text.endswith("\n"):
                new_text = new_text[:-1]  # joining added the newline; the cell had none
            if new_text == old_text:
                continue
            span = cell_spans.items[block.index].child("source")
            if isinstance(old, list):
                edits += _list_edits(self.original, span, old, new_text.splitlines(keepends=True), ascii_only)
            else:
                edits.append((span.start, span.end, json.dumps(new_text, ensure_ascii=ascii_only)))
        text = self.original
        for start, end, replacement in sorted(edits, reverse=True):
            text = text[:start] + replacement + text[end:]
        return text


class Page(BlockDocument):
    """A Markdown or reST page: its Python blocks are lines of the page, indented or not."""

    def render(self, module: str) -> str:
        """The page with only the lines a fix changed rewritten (indented as the block is); every
        other line, blank or whitespace-only ones included, stays byte for byte."""
        lines = self.original.splitlines(keepends=True)
        # Replace from the last block up, so earlier line numbers stay valid.
        for block, new_text in reversed(list(zip(self.blocks, self.split(module)))):
            start = block.first_line - 1
            old_lines = lines[start:start + len(block.text.splitlines())]
            newline = _newline_of(old_lines[0]) if old_lines else "\n"
            old_keys = [_page_key(line, block.indent) for line in old_lines]
            new_keys = [line.rstrip() for line in new_text.splitlines()]
            replaced: list[str] = []
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes():
                if tag == "equal":
                    replaced += old_lines[i1:i2]
                else:
                    replaced += [(block.indent + line if line else "") + newline for line in new_keys[j1:j2]]
            lines[start:start + len(old_lines)] = replaced
        return "".join(lines)


def _page_key(line: str, indent: str) -> str:
    """A page line as the block's code line it holds (whitespace-only lines are all one blank)."""
    line = line.rstrip()  # trailing whitespace too: a reST block's content has none (docutils drops it)
    if not line:
        return ""
    return line[len(indent):] if line.startswith(indent) else line


def markdown_blocks(text: str, path: str) -> list[Block]:
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        raise SourceError(f"{path}: reading Markdown needs markdown-it-py: pip install 'flake8-torch2ms[markup]'") \
            from None
    lines = text.splitlines()
    blocks = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type != "fence" or token.map is None:
            continue
        language = token.info.strip().split()[0].lower() if token.info.strip() else ""
        if language not in PYTHON_LANGUAGES:
            continue
        fence_line = lines[token.map[0]]
        indent = fence_line[: len(fence_line) - len(fence_line.lstrip(" "))]
        block = _page_block(lines, token.map[0] + 2, token.content, indent, len(blocks))
        if block is not None:
            blocks.append(block)
    return blocks


def rst_blocks(text: str, path: str) -> list[Block]:
    try:
        import docutils.core
        import docutils.nodes
        import docutils.utils
    except ImportError:
        raise SourceError(f"{path}: reading reStructuredText needs docutils: "
                          "pip install 'flake8-torch2ms[markup]'") from None
    settings = {"report_level": docutils.utils.Reporter.SEVERE_LEVEL + 1, "halt_level": 5,
                "file_insertion_enabled": False, "raw_enabled": False, "warning_stream": io.StringIO()}
    try:
        tree = docutils.core.publish_doctree(text, source_path=path, settings_overrides=settings)
    except Exception as error:  # docutils raises many kinds on broken pages
        raise SourceError(f"{path}: docutils could not read the page ({type(error).__name__}: {error})") from None
    lines = text.splitlines()
    blocks: list[Block] = []
    cursor = 0
    for node in tree.findall(docutils.nodes.literal_block):
        classes = set(node.get("classes", []))
        if "code" not in classes or not classes & PYTHON_LANGUAGES:
            continue
        content = node.astext()
        # docutils knows which blocks are Python but not reliably their lines: find the block's
        # lines in the page, after the previous block.
        found = _find_lines(lines, content.splitlines(), cursor)
        if found is None:
            continue
        start, indent = found
        block = _page_block(lines, start + 1, content + "\n", indent, len(blocks))
        if block is not None:
            blocks.append(block)
            cursor = start + len(content.splitlines())
    return blocks


def _page_block(lines: list[str], first_line: int, content: str, indent: str, index: int) -> Block | None:
    """A page block, when the page's lines are exactly ``indent`` + the content (so it can be written back)."""
    content_lines = content.splitlines()
    page_lines = lines[first_line - 1:first_line - 1 + len(content_lines)]
    expected = [(indent + line) if line.strip() else "" for line in content_lines]
    if [line.rstrip() for line in page_lines] != [line.rstrip() for line in expected]:
        indent = ""  # an indentation we cannot reproduce: check it, never write it back
        if page_lines != content_lines:
            return None
    translation = _doctest(content) or translate(content)
    if not translation.python:
        return None
    return Block(translation.text, first_line, indent, None, translation, index)


def _doctest(content: str) -> Translation | None:
    """A block of ``>>>`` examples, read as doctest reads it: the examples' code, line for line,
    with the expected output as blank lines."""
    lines = split_lines(content)
    first = next((line for line in lines if line.strip()), "")
    if not first.lstrip().startswith(">>>"):
        return None
    try:
        parts = doctest.DocTestParser().parse(content)
    except ValueError:  # inconsistent prompts or indentation: not doctest after all
        return None
    python = ["\n"] * len(lines)
    for example in (part for part in parts if isinstance(part, doctest.Example)):
        for offset, line in enumerate(split_lines(example.source)):
            if example.lineno + offset < len(python):
                python[example.lineno + offset] = line
    return Translation("".join(python), [[line] for line in lines])


def _find_lines(lines: list[str], wanted: list[str], start: int) -> tuple[int, str] | None:
    """Where the block's lines are in the page, and their indent. Trailing whitespace is not
    compared: docutils drops it from a block's content, and a page line may keep it."""
    if not wanted:
        return None
    first = wanted[0].rstrip()
    for number in range(start, len(lines) - len(wanted) + 1):
        line = lines[number].rstrip()
        if not line.endswith(first) or line[: len(line) - len(first)].strip():
            continue
        indent = line[: len(line) - len(first)]
        if all(lines[number + k].rstrip() == (indent + text).rstrip() if text.strip() else not lines[number + k].strip()
               for k, text in enumerate(wanted)):
            return number, indent
    return None


def _notebook_source_lines(text: str, cells: list) -> dict[tuple[int, int], int]:
    """(cell, line in cell) -> line of the file, for cells whose source list has one item a line."""
    lines = text.splitlines()
    found: dict[tuple[int, int], int] = {}
    cursor = 0
    for number, cell in enumerate(cells, start=1):
        source = cell.get("source") if isinstance(cell, dict) else None
        if not isinstance(source, list):
            continue
        while cursor < len(lines) and not lines[cursor].strip().startswith('"source": ['):
            cursor += 1
        if cursor >= len(lines):
            break
        for offset, item in enumerate(source):
            file_index = cursor + 1 + offset
            try:
                matches = json.loads(lines[file_index].strip().rstrip(",")) == item
            except (ValueError, IndexError):
                matches = False
            if not matches:
                break
            found[(number, offset + 1)] = file_index + 1
        cursor += 1
    return found


def _cell_text(source: object) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def _notebook_cells(notebook: object) -> list[dict]:
    """The cells of a parsed notebook, refusing (TypeError) any shape the format does not allow
    where this module reads it: a reason, never a crash later."""
    if not isinstance(notebook, dict):
        raise TypeError(f"the file holds a JSON {type(notebook).__name__}, not an object")
    if "cells" not in notebook:
        raise TypeError("no 'cells'")
    cells = notebook["cells"]
    if not isinstance(cells, list):
        raise TypeError("'cells' is not a list")
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise TypeError(f"cell {number} is a JSON {type(cell).__name__}, not an object")
        source = cell.get("source", "")
        if not isinstance(source, str) and not (isinstance(source, list)
                                                and all(isinstance(item, str) for item in source)):
            raise TypeError(f"the source of cell {number} is neither text nor a list of lines")
    return cells


@dataclass
class _JsonSpan:
    """Where a JSON value sits in its text, with the spans of its members and items."""

    start: int
    end: int
    members: dict | None = None
    items: list | None = None

    def child(self, key: str) -> _JsonSpan:
        return self.members[key]


_SCALAR = json.JSONDecoder()


def _json_spans(text: str) -> _JsonSpan:
    """The spans of every value of a JSON text (already known to parse)."""
    span, _ = _json_value(text, _skip_space(text, 0))
    return span


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _json_value(text: str, start: int) -> tuple[_JsonSpan, int]:
    opener = text[start]
    if opener not in "{[":
        _, end = _SCALAR.raw_decode(text, start)
        return _JsonSpan(start, end), end
    closer = "}" if opener == "{" else "]"
    members: dict = {}
    items: list = []
    position = _skip_space(text, start + 1)
    while text[position] != closer:
        if opener == "{":
            key, position = json.decoder.scanstring(text, position + 1)
            position = _skip_space(text, _skip_space(text, position) + 1)  # past the ':'
        value, position = _json_value(text, position)
        if opener == "{":
            members[key] = value
        else:
            items.append(value)
        position = _skip_space(text, position)
        if text[position] == ",":
            position = _skip_space(text, position + 1)
    end = position + 1
    return (_JsonSpan(start, end, members=members) if opener == "{" else _JsonSpan(start, end, items=items)), end


def _list_edits(text: str, span: _JsonSpan, old: list[str], new: list[str], ascii_only: bool) -> list[tuple]:
    """Edits of a source list that rewrite only the items that differ (the separator between
    items is the one the file uses)."""
    items = span.items
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    separator = text[items[0].end:items[1].start] if len(items) > 1 else ", "
    added = separator.join(json.dumps(item, ensure_ascii=ascii_only) for item in new[prefix:len(new) - suffix])
    removed = items[prefix:len(items) - suffix]
    if removed and added:
        return [(removed[0].start, removed[-1].end, added)]
    if removed:  # lines deleted: take one separator with them
        if prefix:
            return [(items[prefix - 1].end, removed[-1].end, "")]
        following = items[len(items) - suffix].start if suffix else removed[-1].end
        return [(removed[0].start, following, "")]
    if not added:
        return []
    if prefix:
        return [(items[prefix - 1].end, items[prefix - 1].end, separator + added)]
    if items:
        return [(items[0].start, items[0].start, added + separator)]
    return [(span.start + 1, span.end - 1, added)]


def _syntax_error(text: str, locate) -> UnparsableBlock | None:
    try:
        with warnings.catch_warnings():  # only whether it parses: Python's SyntaxWarnings are not ours
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as error:
        # flake8's E999 position: the line, and Python's 1-based offset taken as a 0-based column
        # (so flake8 prints offset + 1); the message names the exception, as flake8's does.
        return UnparsableBlock(locate(error.lineno or 1, error.offset or 0), f"{type(error).__name__}: {error.msg}")
    except (ValueError, MemoryError, RecursionError) as error:
        return UnparsableBlock(locate(1, 0), f"{type(error).__name__}: {error}")
    return None


def _newline_of(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n"


def read_text(path: Path) -> tuple[str, str]:
    """The file's text and encoding, decoded as Python decodes it (PEP 263, BOM), newlines kept."""
    data = path.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeError, LookupError):
        return data.decode("latin-1"), "latin-1"  # what flake8 falls back to
    if encoding == "utf-8-sig":
        return BOM + text, "utf-8"  # the BOM stays in the text, so writing back keeps it
    return text, encoding


@functools.lru_cache(maxsize=None)
def can_read(kind: str) -> bool:
    """Whether the parser this kind of page needs (the ``markup`` extra) is installed."""
    module = {"markdown": "markdown_it", "rst": "docutils.core"}.get(kind)
    if module is None:
        return True
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def kind_of(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in NOTEBOOK_SUFFIXES:
        return "notebook"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in RST_SUFFIXES:
        return "rst"
    return "python"  # what flake8 does with a file named on its command line


def load(path: str, text: str) -> Document:
    kind = kind_of(path)
    if kind == "notebook":
        return Notebook(path, text)
    if kind == "markdown":
        page = Page(path, text, markdown_blocks(text, path))
        page.kind = "markdown"
        return page
    if kind == "rst":
        page = Page(path, text, rst_blocks(text, path))
        page.kind = "rst"
        return page
    return Document(path, text)
