"""What one port call means next to its original: the pair condition reads ``pair``; messages read
the compared parameters."""

from __future__ import annotations

from ...astgrep import SgNode
from ...records import cached_property
from . import messages
from .analysis import Compared, PairAnalysis, compare
from .values import Pair, Verdict


class PairCall:
    def __init__(self, analysis: PairAnalysis, node: SgNode) -> None:
        self.analysis = analysis
        self.node = node

    @cached_property
    def counterpart(self):
        return self.analysis.counterpart(self.node)

    @cached_property
    def compared(self) -> list[Compared]:
        if self.counterpart is None:
            return []
        port, original, api, _ = self.counterpart
        return compare(api, original, port, self.analysis.reassigned())

    @cached_property
    def differing(self) -> list[Compared]:
        return [item for item in self.compared if item.outcome.verdict == Verdict.DIFFER]

    @cached_property
    def pair(self) -> Pair:
        facts = self.analysis.facts
        name = self.analysis.model.qualified_name(self.node.field("function"))
        if not facts.port_apis(name):
            return Pair.OTHER
        if self.counterpart is None:
            return Pair.UNALIGNED
        port, _, api, _ = self.counterpart
        if api.torch in self.analysis.patched:
            return Pair.UNKNOWN  # the port's package replaces this MindSpore API with its own
        if api.never_agrees:
            return Pair.NEVER_AGREES
        if self.differing:
            return Pair.VALUE_DIFFERS if any(item.port_given for item in self.differing) else Pair.DEFAULT_DIFFERS
        if api.init and not port.opaque and not any(keyword in port.keywords for keyword in api.init) \
                and all(item.outcome.verdict == Verdict.AGREE for item in self.compared):
            return Pair.INIT_DIFFERS
        if any(item.outcome.verdict == Verdict.UNKNOWN for item in self.compared):
            return Pair.UNKNOWN
        return Pair.AGREES

    def related_locations(self) -> tuple[tuple[str, int, int], ...]:
        """The original call's place (path, 1-based line, 0-based column), for SARIF."""
        if self.counterpart is None:
            return ()
        original = self.counterpart[1]
        return ((self.analysis.original_path(), original.line, original.column),)

    def variables(self, exact: bool = False) -> dict[str, str]:
        return messages.pair_variables(self, exact)
