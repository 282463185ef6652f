"""``# noqa`` exactly as flake8 reads it, for the ``torch2ms`` command.

flake8's own regex (``flake8.defaults``) is reused, and so are its rules: a comment anywhere on a
logical line that spans several physical lines (brackets, backslashes, multi-line strings) covers
every line of it; a bare ``# noqa`` suppresses everything, ``# noqa: TMS1`` every code starting
with ``TMS1``; a line that is only ``# flake8: noqa`` skips the whole file.
"""

from __future__ import annotations

import io
import re
import tokenize

from flake8 import defaults

NOQA_INLINE = defaults.NOQA_INLINE_REGEXP
NOQA_FILE = defaults.NOQA_FILE
_SEPARATORS = re.compile(r"[,\s]")


class NoqaMap:
    """Which codes are suppressed on which line of one Python text."""

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines(keepends=True)
        self.mapping = self._line_mapping(source)
        self.file_skipped = any(NOQA_FILE.match(line) for line in self.lines)

    def _line_mapping(self, source: str) -> dict[int, str]:
        """flake8's ``FileProcessor._noqa_line_mapping``: line -> text of its whole logical line."""
        mapping: dict[int, str] = {}
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        except (tokenize.TokenError, SyntaxError):
            return mapping
        first, last = len(self.lines) + 2, -1
        for token in tokens:
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first, last = min(first, token.start[0]), max(last, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                joined = "".join(self.lines[first - 1:last])
                mapping.update(dict.fromkeys(range(first, last + 1), joined))
                first, last = len(self.lines) + 2, -1
        return mapping

    def suppressed(self, line: int, code: str) -> bool:
        if self.file_skipped:
            return True
        text = self.mapping.get(line)
        if text is None:
            # flake8 falls back to the physical line when tokenizing failed.
            text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        match = NOQA_INLINE.search(text)
        if match is None:
            return False
        codes = match.groupdict()["codes"]
        if codes is None:
            return True
        listed = {part for part in _SEPARATORS.split(codes) if part}
        return code in listed or code.startswith(tuple(listed))
