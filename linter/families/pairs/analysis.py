"""What the pairs rules know about one port file: its own index, the original tree's, how they
align (alignment.py), and for each aligned call each parameter compared in its convention
(conventions.py). Built per file, only when a pairs rule matched, and only in port-pair mode."""

from __future__ import annotations

from ...astgrep import SgNode
from ...records import FrozenRecord, cached_property
from ...semantics import nodes
from ...semantics.model import SemanticModel
from .. import Pairing
from . import conventions
from .alignment import Alignment, Reach, align
from .facts import UNKNOWN, Api, Facts, Row, Side
from .index import Call, ModuleIndex, defined_names, index_module, port_call_words
from .originals import OriginalTree, original_tree
from .patches import package_of, patched_names
from .values import UNKNOWN_VALUE, Value


class Compared(FrozenRecord):
    __slots__ = _fields = ("row", "torch", "port", "outcome", "port_given", "extra")

    def __init__(self, row: Row, torch: Value, port: Value, outcome: conventions.Outcome, port_given: bool,
                 extra: Value | None = None) -> None:
        self.row = row
        self.torch = torch
        self.port = port  # for conv-padding: pad_mode
        self.outcome = outcome
        self.port_given = port_given  # the port wrote a value (rather than leaving MindSpore's default)
        self.extra = extra  # conv-padding: MindSpore's padding; complement: the rate keyword's value


class PairAnalysis:
    def __init__(self, model: SemanticModel, facts: Facts, pairing: Pairing) -> None:
        self.model = model
        self.facts = facts
        self.pairing = pairing

    @cached_property
    def chosen(self) -> tuple[str | None, str]:
        """The original file the port aligns with, and why (align_file's answer), from its names."""
        return self.tree.file_for(self.model.path, defined_names(self.model.root), self.pairing.class_map)

    @cached_property
    def port(self) -> ModuleIndex:
        """The port's index, of the scopes align() reads with the chosen original file alone."""
        relative = self.chosen[0]  # None: no original file, and align() reads nothing
        original = self.tree.files[relative] if relative is not None else ModuleIndex()
        return index_module(self.model.root, self.model, lambda name: bool(self.facts.port_apis(name)),
                            port_call_words(self.facts), Reach(original, dict(self.pairing.class_map)))

    @cached_property
    def tree(self) -> OriginalTree:
        return original_tree(self.pairing.original, self.facts)

    @cached_property
    def alignment(self) -> Alignment:
        return align(self.model.path, self.port, self.tree.files, dict(self.pairing.class_map), self.compatible,
                     chosen=self.chosen)

    @cached_property
    def patched(self) -> dict[str, str]:
        """Canonical torch name -> where the port's package replaces its MindSpore counterpart."""
        folder = package_of(self.model.path) if self.model.path else None
        found = {}
        for name, where in (patched_names(str(folder)) if folder is not None else {}).items():
            for api in self.facts.port_apis(self.model.canonical(name)) + self.facts.port_apis(name):
                found.setdefault(api.torch, where)
        return found

    def compatible(self, port_call: Call, torch_call: Call) -> bool:
        api = self.facts.torch_api(torch_call.name)
        return api is not None and api in self.facts.port_apis(port_call.name)

    @cached_property
    def _by_start(self) -> dict[int, int]:
        return {call.start: index for index, call in enumerate(self.port.calls)}

    def view(self, node: SgNode):
        from .views import PairCall

        return PairCall(self, node)

    def counterpart(self, node: SgNode) -> tuple[Call, Call, Api, str] | None:
        """(the port call, the original call, its facts entry, how they aligned), or None."""
        index = self._by_start.get(nodes.start(node))
        if index is None or index not in self.alignment.calls:
            return None
        theirs, how = self.alignment.calls[index]
        original = self.tree.files[self.alignment.original].calls[theirs]
        api = self.facts.torch_api(original.name)
        return (self.port.calls[index], original, api, how) if api is not None else None

    def reassigned(self) -> tuple[frozenset[str], frozenset[str]]:
        """(original, port): attribute names either module sets after construction."""
        original = self.tree.files[self.alignment.original].reassigned if self.alignment.original else []
        return frozenset(original), frozenset(self.port.reassigned)

    def original_path(self) -> str:
        return self.tree.display(self.alignment.original) if self.alignment.original else ""


def effective(call: Call, side: Side | None) -> Value:
    """The value a call gives a parameter: its argument, else the framework's default (unknown
    when the facts give none, or *args / **kwargs may hold it)."""
    if side is None:
        return UNKNOWN_VALUE
    given = call.argument(side.position, side.keyword)
    if given is not None:
        return given
    if call.opaque or side.default is UNKNOWN:
        return UNKNOWN_VALUE
    return Value(True, side.default)


def _stride_slot(kernel: Side) -> Side:
    """A convolution's stride follows its kernel, in torch and MindSpore alike, and defaults to 1."""
    return Side(kernel.position + 1 if kernel.position is not None else None, "stride", 1)


def _stride(port: Value, torch: Value) -> Value:
    return port if port.known else torch


def _dilation(call: Call, kernel: Side) -> Value:
    """A convolution's dilation, by keyword; unknown when positional arguments reach where it may
    sit (its position differs between torch's and MindSpore's plain and transposed layers)."""
    given = call.argument(None, "dilation")
    if given is not None:
        return given
    if call.opaque or kernel.position is None or call.argument(kernel.position + 3, None) is not None:
        return UNKNOWN_VALUE
    return Value(True, 1)


def compare(api: Api, original: Call, port: Call,
            reassigned: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())) -> list[Compared]:
    """Each parameter row of the entry, compared; rows sharing a MindSpore slot (``unbiased`` and
    ``correction`` into ``ddof``) are compared once, with the row whose torch argument is written.
    A parameter either module sets after construction (``m.momentum = 0.01``) is unknown there."""
    chosen: dict[tuple, Row] = {}
    for row in api.parameters:
        key = (row.mindspore.position, row.mindspore.keyword)
        if key not in chosen or (original.argument(row.torch.position, row.torch.keyword) is not None
                                 and original.argument(chosen[key].torch.position, chosen[key].torch.keyword) is None):
            chosen[key] = row
    found = []
    for row in chosen.values():
        torch, mine = effective(original, row.torch), effective(port, row.mindspore)
        kernel = api.kernel_of(row)
        torch_kernel = effective(original, kernel[0]) if kernel else UNKNOWN_VALUE
        port_kernel = effective(port, kernel[1]) if kernel else UNKNOWN_VALUE
        extra = None
        given = mine.given
        convention = row.convention
        if convention == "same":
            outcome = conventions.same(torch, mine, row.mindspore)
        elif convention == "complement":
            rate_side = Side(None, row.mindspore.rate_keyword) if row.mindspore.rate_keyword else None
            extra = port.argument(None, row.mindspore.rate_keyword) if rate_side else None
            outcome = conventions.complement(torch, mine, row.mindspore, extra)
            given = given or extra is not None
        elif convention == "kernel-default":
            outcome = conventions.kernel_default(torch, mine, row.mindspore, torch_kernel, port_kernel)
        elif convention == "conv-padding":
            extra = effective(port, row.padding)
            stride = _stride(effective(port, _stride_slot(kernel[1])) if kernel else UNKNOWN_VALUE,
                             effective(original, _stride_slot(kernel[0])) if kernel else UNKNOWN_VALUE)
            # 'same' pads by the dilated kernel: compared only where both sides dilate alike.
            dilations = (_dilation(port, kernel[1]), _dilation(original, kernel[0])) if kernel else ()
            same_dilation = dilations and all(value.known for value in dilations) \
                and conventions.sizes_equal(dilations[0].value, dilations[1].value)
            dilation = dilations[0] if same_dilation else UNKNOWN_VALUE
            outcome = conventions.conv_padding(torch, mine, extra, row.mindspore, row.padding, torch_kernel,
                                               port_kernel, stride, dilation)
            given = given or extra.given
        elif convention == "tanh-flag":
            outcome = conventions.tanh_flag(torch, mine, row.mindspore)
        else:
            outcome = conventions.correction(torch, mine, row.mindspore)
        if row.torch.keyword in reassigned[0] or row.mindspore.keyword in reassigned[1]:
            outcome = conventions.UNKNOWN
        found.append(Compared(row, torch, mine, outcome, given, extra))
    return found
