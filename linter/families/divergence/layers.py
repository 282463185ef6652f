"""What the model says about its own shapes around a pool without a stride (TMS303): the chains
of layers it sits in, walked with the semantic model's shape walk (semantics/shapes.py) once
with MindSpore's stride (1) and once with torch's (the kernel), using the facts' shape-* sections
for what each layer does to a size.

Evidence, in the order it is looked for:
- a sibling pool (same class) that writes ``stride=1``: the author knows the default;
- the walk: the size reaching the pool equals its kernel (a global pool: the stride cannot
  matter), or the Dense that ends the chain fits only one of the two strides;
- otherwise the file's torch habits (facts: torch-habits), or nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...astgrep import SgNode
from ...records import FrozenRecord, cached_property
from ...semantics import nodes, shapes
from ...semantics.nodes import Arguments
from .values import StrideEvidence

if TYPE_CHECKING:
    from .analysis import DivergenceAnalysis

TORCH, MINDSPORE = "torch", "mindspore"  # the two strides a pool without one is walked with


class Layer(FrozenRecord):
    """One step of a chain: a window (conv or pool), a layer keeping the size, a flatten, or a
    Dense; ``None`` fields are unknown."""

    __slots__ = _fields = ("kind", "node", "kernel", "stride", "padding", "dilation", "same", "dims", "in_channels",
                           "out_channels", "omits_stride")

    def __init__(self, kind: str, node: SgNode | None = None, kernel: int | None = None, stride: int | None = None,
                 padding: int = 0, dilation: int = 1, same: bool = False, dims: int | None = None,
                 in_channels: int | None = None, out_channels: int | None = None, omits_stride: bool = False) -> None:
        self.kind = kind  # "window", "keep", "flatten", "dense", "unknown"
        self.node = node  # the construction call
        self.kernel = kernel
        self.stride = stride  # None on a pool that omits it
        self.padding = padding
        self.dilation = dilation
        self.same = same
        self.dims = dims
        self.in_channels = in_channels
        self.out_channels = out_channels  # a window that sets the channels; a Dense's in-size is in_channels
        self.omits_stride = omits_stride  # a pool of stride-one-pools without a stride

    def step(self, hypothesis: str) -> shapes.Step | None:
        if self.kind == "keep":
            return shapes.keep
        if self.kind != "window" or self.kernel is None:
            return None
        stride = self.stride
        if self.omits_stride:
            stride = self.kernel if hypothesis == TORCH else 1
        if stride is None:
            return None
        return shapes.Window(self.kernel, stride, self.padding, self.dilation, self.same)


class ShapeEvidence:
    """Per file: the chains of layers, and the evidence for each pool without a stride."""

    def __init__(self, analysis: DivergenceAnalysis) -> None:
        self.analysis = analysis
        self.model = analysis.model
        self.facts = analysis.facts
        self._layers: dict = {}

    # ---- the file as a whole
    @cached_property
    def stride_one_pools(self) -> list[SgNode]:
        """The pools of the file with a kernel larger than 1 that write ``stride=1`` (by keyword
        or position) without "same" padding (torch needs stride=1 written for a "same" pool too,
        so that one says nothing about MindSpore's default)."""
        found = []
        for call in self.model.root.find_all(kind="call"):
            view = self.analysis.view(call)
            api = view.pool_api
            if api is None or self.analysis.number(view.argument(api.stride)) != 1:
                continue
            mode = self.analysis.string(view.argument(api.padding_mode)) if api.padding_mode else None
            if view.kernel is not None and any(size > 1 for size in view.kernel) \
                    and (mode is None or mode.lower() != "same"):
                found.append(call)
        return found

    def stride_one_written(self, pool: SgNode) -> bool:
        """A sibling pool (in the same class, or the same function or module outside classes)
        writes stride=1: its author knows MindSpore's default."""
        return any(_owner(sibling) == _owner(pool) for sibling in self.stride_one_pools)

    @cached_property
    def torch_habits(self) -> bool:
        """The file imports a module of torch's world, or a Cell defines a method MindSpore never
        calls (``forward``)."""
        modules = self.facts.habit_modules
        for name in self.model.imports.modules:
            if any(name == module or name.startswith(module + ".") for module in modules):
                return True
        for cls in self.model.module_classes.values():
            if not self.analysis.is_cell(cls):
                continue
            body = cls.field("body")
            for statement in body.named_children() if body is not None else []:
                if statement.kind() == "decorated_definition":
                    statement = statement.field("definition")
                if statement is not None and statement.kind() == "function_definition" \
                        and statement.field("name").text() in self.facts.habit_methods:
                    return True
        return False

    @cached_property
    def literal_shapes(self) -> list[tuple[int, ...]]:
        """Every run of three or more integer literals written as one shape: a tuple, a list, or
        a call's arguments (``np.ones((1, 1, 28, 28))``, ``Tensor(np.zeros([2, 3, 32, 32]))``)."""
        found = []
        for kind in ("tuple", "list", "argument_list"):
            for node in self.model.root.find_all(kind=kind):
                items = [item for item in node.named_children() if item.kind() != "comment"]
                if len(items) >= 3 and all(item.kind() == "integer" for item in items):
                    values = [self.analysis.number(item) for item in items]
                    if None not in values:
                        found.append(tuple(int(value) for value in values))
        return found

    # ---- one pool
    def evidence(self, pool: SgNode) -> StrideEvidence:
        if self.stride_one_written(pool):
            return StrideEvidence.STRIDE_ONE_WRITTEN
        for chain in self.chains(pool):
            found = self.walk(chain, pool)
            if found is not None:
                return found
        return StrideEvidence.TORCH_HABITS if self.torch_habits else StrideEvidence.NONE

    def chains(self, pool: SgNode) -> list[list[Layer]]:
        """The chains of layers the pool's call is part of: each container call that holds it
        (a SequentialCell in a SequentialCell...), and the construct of the class whose attribute
        the outermost one is."""
        chains = []
        outermost = pool
        while (container := self._container_of(outermost)) is not None:
            chain = self.container_chain(container)
            if chain is not None:
                chains.append(chain)
            outermost = container
        chain = self.construct_chain(outermost)
        if chain is not None:
            chains.append(chain)
        return chains

    def _container_of(self, node: SgNode) -> SgNode | None:
        parent = node.parent()
        if parent is not None and parent.kind() in ("list", "tuple"):
            parent = parent.parent()
        container = parent.parent() if parent is not None and parent.kind() == "argument_list" else None
        return container if container is not None and self._is_sequence(container) else None

    def _is_sequence(self, call: SgNode) -> bool:
        return call.kind() == "call" and self.model.qualified_name(call.field("function")) in self.facts.sequences

    def container_chain(self, container: SgNode, depth: int = 0) -> list[Layer] | None:
        items = shapes.container_items(container)
        if items is None or depth > 3:
            return None
        chain: list[Layer] = []
        for item in items:
            chain.extend(self.layers_of(item, depth + 1))
        return chain

    def construct_chain(self, layer: SgNode) -> list[Layer] | None:
        """``self.pool = nn.MaxPool2d(2)`` in a class whose ``construct(self, x)`` applies its
        layers to x one after the other."""
        assignment = layer.parent()
        if assignment is None or assignment.kind() != "assignment":
            return None
        target = assignment.field("left")
        cls = nodes.enclosing_class(layer)
        if cls is None or target is None or target.kind() != "attribute" \
                or target.field("object").text() != "self":
            return None
        construct = _method(cls, "construct")
        parameters = construct.field("parameters") if construct is not None else None
        names = [item for item in parameters.named_children() if item.kind() == "identifier"] \
            if parameters is not None else []
        if len(names) < 2:
            return None
        chain: list[Layer] = []
        for call in shapes.applied_calls(construct, names[1].text()):
            chain.extend(self.applied_layer(call))
        return chain

    def applied_layer(self, call: SgNode) -> list[Layer]:
        """What a call in ``construct`` does to the value: a layer of ``self``, a method of the
        value (``x.view(x.shape[0], -1)``), a function (``ops.flatten(x)``)."""
        callee = call.field("function")
        if callee.kind() == "attribute" and callee.field("object").text() == "self":
            value = self.model.value_expression(callee)
            if value is None or value == callee or value.kind() != "call":
                return [Layer("unknown")]
            return self.layers_of(value, 0)
        if callee.kind() == "attribute" and self._is_value(callee.field("object")):
            method = callee.field("attribute").text()
            arguments = Arguments(call)
            if method in self.facts.flatten_methods and not arguments.positional and not arguments.keywords:
                return [Layer("flatten")]
            if method in self.facts.reshape_methods and self._to_batch_and_rest(arguments.positional):
                return [Layer("flatten")]
            return [Layer("unknown")]
        qualified = self.model.qualified_name(callee)
        arguments = Arguments(call)
        if qualified in self.facts.flattens and len(arguments.positional) == 1 and not arguments.keywords:
            return [Layer("flatten")]
        if qualified in self.facts.reshapes and len(arguments.positional) == 2 \
                and self._to_batch_and_rest(_items(arguments.positional[1])):
            return [Layer("flatten")]
        if qualified in self.facts.keeping:
            return [Layer("keep")]
        return [Layer("unknown")]

    def _is_value(self, node: SgNode) -> bool:
        """A value (``x``, ``f(x)``), not a module (``ops``): its method is called."""
        node = nodes.unparenthesize(node)
        if node.kind() not in ("identifier", "call"):
            return False
        qualified = self.model.qualified_name(node)
        return qualified is None or qualified.endswith("()") or "()." in qualified

    @staticmethod
    def _to_batch_and_rest(items: list[SgNode] | None) -> bool:
        """``(batch, -1)``: two sizes, the last -1."""
        return items is not None and len(items) == 2 and nodes.unparenthesize(items[1]).text().replace(" ", "") == "-1"

    def layers_of(self, node: SgNode, depth: int) -> list[Layer]:
        """The layers one construction call stands for (a container: its items)."""
        node = nodes.unparenthesize(node)
        if node.kind() != "call":
            return [Layer("unknown")]
        if node in self._layers:
            return self._layers[node]
        self._layers[node] = [Layer("unknown")]  # in progress
        found = self._layers_of(node, depth)
        self._layers[node] = found
        return found

    def _layers_of(self, call: SgNode, depth: int) -> list[Layer]:
        if self._is_sequence(call):
            chain = self.container_chain(call, depth)
            return chain if chain is not None else [Layer("unknown")]
        qualified = self.model.qualified_name(call.field("function"))
        arguments = Arguments(call)
        if qualified in self.facts.windows:
            return [self.window(call, self.facts.windows[qualified], arguments)]
        if qualified in self.facts.denses:
            size = self._integer(arguments.get(self.facts.denses[qualified].in_channels.position,
                                               self.facts.denses[qualified].in_channels.keyword))
            return [Layer("dense", call, in_channels=size)]
        if qualified in self.facts.flattens:
            return [Layer("flatten", call)]
        if qualified in self.facts.keeping:
            return [Layer("keep", call)]
        return [Layer("unknown", call)]

    def window(self, call: SgNode, api, arguments: Arguments) -> Layer:
        if arguments.opaque:
            return Layer("unknown", call)

        def given(slot):
            return arguments.get(slot.position, slot.keyword) if slot is not None else None

        kernel = self._square(given(api.kernel))
        stride_node = given(api.stride)
        stride = self._square(stride_node) if stride_node is not None else None
        omits = stride_node is None and self.model.qualified_name(call.field("function")) in self.facts.pools
        if stride_node is None and not omits:
            stride = 1
        mode_node = given(api.padding_mode)
        mode = self.analysis.string(mode_node) if mode_node is not None else api.default_mode
        padding_node = given(api.padding)
        padding = self._square(padding_node) if padding_node is not None else 0
        dilation_node = given(api.dilation)
        dilation = self._square(dilation_node) if dilation_node is not None else 1
        if mode is None or mode.lower() not in ("same", "valid", "pad") or None in (kernel, padding, dilation) \
                or (stride is None and not omits):
            return Layer("unknown", call)
        if mode.lower() == "valid":
            padding = 0
        return Layer("window", call, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                     same=mode.lower() == "same", dims=api.dims,
                     in_channels=self._integer(given(api.in_channels)),
                     out_channels=self._integer(given(api.out_channels)), omits_stride=omits)

    def _integer(self, node: SgNode | None) -> int | None:
        value = self.analysis.number(node) if node is not None else None
        return int(value) if value is not None and value == int(value) else None

    def _square(self, node: SgNode | None) -> int | None:
        """A size the same along every axis: 3, or (3, 3)."""
        values = self.analysis.numbers(node) if node is not None else None
        if not values or len(set(values)) != 1 or values[0] != int(values[0]):
            return None
        return int(values[0])

    # ---- the walk
    def walk(self, chain: list[Layer], pool: SgNode) -> StrideEvidence | None:
        """Walk the chain up to the flatten before its first Dense, with both strides."""
        index = next((i for i, layer in enumerate(chain) if layer.node == pool), None)
        if index is None:
            return None
        target_pool = chain[index]
        spatial: list[Layer] = []
        channels = None
        dense = None
        for position, layer in enumerate(chain):
            if layer.kind == "flatten":
                following = chain[position + 1] if position + 1 < len(chain) else None
                dense = following if following is not None and following.kind == "dense" else None
                break
            if layer.kind not in ("window", "keep"):
                if position <= index:
                    spatial = []  # the map's size before an unknown layer is unknown
                    channels = None
                    continue
                return None
            spatial.append(layer)
            if layer.out_channels is not None:
                channels = layer.out_channels
        if target_pool not in spatial:
            return None
        dims = target_pool.dims
        pool_at = spatial.index(target_pool)
        target = None
        if dense is not None and dense.in_channels is not None and channels and dims \
                and dense.in_channels % channels == 0:
            target = shapes.root_of(dense.in_channels // channels, dims)
        first_channels = spatial[0].in_channels if spatial and spatial[0].kind == "window" else None
        candidates = self._input_sizes(dims, first_channels) if spatial and spatial[0] is chain[0] else None
        if target is None and candidates is None:
            return None
        fits = {}
        for hypothesis in (MINDSPORE, TORCH):
            steps = [layer.step(hypothesis) for layer in spatial]
            if None in steps:
                return None
            sizes = candidates if candidates is not None else range(1, shapes.MAX_INPUT_SIZE + 1)
            fits[hypothesis] = [along for along in (shapes.sizes_along(size, steps) for size in sizes)
                                if target is None or along[-1] == target]
        reaching = {along[pool_at] for along in fits[MINDSPORE]}
        if fits[MINDSPORE] and reaching == {target_pool.kernel} and spatial.count(target_pool) == 1:
            return StrideEvidence.GLOBAL  # every size that fits brings exactly the kernel's
        if target is None:
            return None
        if fits[TORCH] and not fits[MINDSPORE]:
            return StrideEvidence.TORCH_STRIDE
        if fits[MINDSPORE] and not fits[TORCH]:
            return StrideEvidence.STRIDE_ONE_FITS
        return None

    def _input_sizes(self, dims: int | None, channels: int | None) -> list[int] | None:
        """The input sizes the file's literal shapes give: (batch, channels, side, side) with the
        first layer's channels."""
        if dims is None or channels is None:
            return None
        sizes = sorted({shape[-1] for shape in self.literal_shapes
                        if len(shape) == dims + 2 and shape[1] == channels and len(set(shape[2:])) == 1})
        return sizes or None


def _owner(node: SgNode) -> SgNode:
    """The class a call sits in, else its function or module."""
    return nodes.enclosing_class(node) or nodes.enclosing_scope(node)


def _method(cls: SgNode, name: str) -> SgNode | None:
    body = cls.field("body")
    for statement in body.named_children() if body is not None else []:
        if statement.kind() == "decorated_definition":
            statement = statement.field("definition")
        if statement is not None and statement.kind() == "function_definition" \
                and statement.field("name").text() == name:
            return statement
    return None


def _items(node: SgNode) -> list[SgNode] | None:
    node = nodes.unparenthesize(node)
    if node.kind() not in ("tuple", "list"):
        return None
    return [item for item in node.named_children() if item.kind() != "comment"]
