"""The code blocks of the hand-written documentation (README.md and docs/*.md), with their markers.

Every fenced block is preceded by an HTML comment (invisible on GitHub and in the mkdocs site):
``<!-- snippet: illustrative -->`` for a block no test can run as it is (a GitHub Actions job, a
release that does not exist yet, a benchmark of 15 minutes), or ``<!-- snippet: NAME -->`` for a
block that the test named NAME runs (tests/integration/test_docs_snippets.py, or a module listed
in ELSEWHERE there). The rule pages in docs/rules/ are generated from the rules' examples, each
run through the engine, and compared with the YAML by tests/test_invariants.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<!--\s*snippet:\s*(?P<name>[\w-]+)\s*-->")
ILLUSTRATIVE = "illustrative"


@dataclass(frozen=True)
class Snippet:
    page: str  # relative to the repository root
    line: int  # 1-based line of the opening fence
    language: str
    marker: str | None
    text: str

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def pages() -> list[Path]:
    return [ROOT / "README.md"] + sorted(path for path in (ROOT / "docs").glob("*.md"))


def snippets(page: Path) -> list[Snippet]:
    from markdown_it import MarkdownIt

    text = page.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type != "fence" or token.map is None:
            continue
        start = token.map[0]
        previous = next((lines[index] for index in range(start - 1, -1, -1) if lines[index].strip()), "")
        match = MARKER.search(previous)
        found.append(Snippet(str(page.relative_to(ROOT)), start + 1, token.info.strip().split(" ")[0],
                             match.group("name") if match else None, token.content))
    return found


def all_snippets() -> list[Snippet]:
    return [snippet for page in pages() for snippet in snippets(page)]


def snippet(page: str, name: str) -> Snippet:
    """The one block of ``page`` marked ``name``."""
    (found,) = [item for item in snippets(ROOT / page) if item.marker == name]
    return found


def console(text: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs of a console block: ``$ command`` lines and what follows."""
    pairs: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        elif pairs:
            pairs[-1][1].append(line)
    return [(command, "".join(f"{line}\n" for line in output)) for command, output in pairs]
