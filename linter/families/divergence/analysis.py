"""What the divergence rules need to know about one file, on the shared semantic model: which
API a call builds (through imports, aliases and subclasses of this module), the number an
argument holds (through constants, parameter defaults and ``self`` attributes), and whether a
value is a MindSpore tensor.

Built per file, only when a divergence rule matched.
"""

from __future__ import annotations

from ...astgrep import SgNode
from ...records import Term, Vocabulary, cached_property
from ...semantics import constants, nodes
from ...semantics.model import SemanticModel
from .facts import Facts

# Methods that leave MindSpore: what they return is a numpy array or a Python value.
LEAVING_METHODS = frozenset({"asnumpy", "numpy", "tolist", "item", "asnumpy_of_slice_persistent_data"})
# Where a value that is not MindSpore's is built.
OTHER_PACKAGES = ("numpy.", "torch.", "math.")


class Origin(Vocabulary):
    MINDSPORE = Term("mindspore")  # a MindSpore tensor
    OTHER = Term("other")  # numpy, torch, a Python value
    UNKNOWN = Term("unknown")


class DivergenceAnalysis:
    """Lazily computed knowledge about one module, shared by every match checked in it."""

    def __init__(self, model: SemanticModel, facts: Facts) -> None:
        self.model = model
        self.facts = facts
        self._views: dict = {}
        self._origins: dict = {}
        self._subclass_bases: dict = {}

    def trim(self, kept: set[SgNode]) -> None:
        """SemanticModel.trim for the family's own answers: the views and the values' origins."""
        self._views.clear()
        self._origins.clear()

    def view(self, node: SgNode):
        """What a matched node means: a call, a subscript of a reduction, or an unpacking."""
        from .views import DivergenceCall, OutputUnpacking, ReductionSubscript

        if node not in self._views:
            kind = node.kind()
            if kind == "assignment":
                self._views[node] = OutputUnpacking(self, node)
            elif kind == "subscript":
                self._views[node] = ReductionSubscript(self, node)
            else:
                self._views[node] = DivergenceCall(self, node)
        return self._views[node]

    @cached_property
    def shapes(self):
        """The file's layer chains and what they say about pools without a stride."""
        from .layers import ShapeEvidence

        return ShapeEvidence(self)

    # ---- which API a call builds
    def api(self, call: SgNode, section: dict) -> object | None:
        """The facts entry of ``section`` the call builds: by its qualified name, or through a
        class of this module that inherits it without redefining ``__init__`` (a subclass that
        defines its own signature may mean anything by its arguments)."""
        callee = call.field("function")
        qualified = self.model.qualified_name(callee)
        if qualified in section:
            return section[qualified]
        if qualified is not None or callee.kind() != "identifier":
            return None
        base = self.subclass_base(callee)
        return section.get(base) if base is not None else None

    def subclass_base(self, callee: SgNode) -> str | None:
        """For a class of this module called by name: the one outside base it takes its
        constructor from, when no class on the way defines ``__init__``."""
        cls = self.model.module_classes.get(callee.text())
        binding = self.model.lookup(callee)
        if cls is None or (binding is not None and binding.statement is not None
                           and binding.statement.kind() != "class_definition"):
            return None
        if cls not in self._subclass_bases:
            classes, outside = self.model.class_lineage(cls)
            own_init = any(_defines_init(owner) for owner in classes)
            self._subclass_bases[cls] = next(iter(outside)) if len(outside) == 1 and not own_init else None
        return self._subclass_bases[cls]

    # ---- values
    def number(self, node: SgNode | None) -> float | None:
        """The number an argument always holds: a literal, arithmetic, a constant, the default of
        the enclosing function's parameter, a ``self`` attribute set from one of those."""
        return self.model.constant(node, self.model.parameter_default)

    def numbers(self, node: SgNode | None) -> tuple[float, ...] | None:
        """A number, or a tuple or list of numbers (a kernel size), as a tuple; None if unknown."""
        value = self.number(node)
        if value is not None:
            return (value,)
        expression = self.model.value_expression(node, parameter_defaults=True)
        if expression is None or expression.kind() not in ("tuple", "list"):
            return None
        items = [item for item in expression.named_children() if item.kind() != "comment"]
        values = tuple(self.number(item) for item in items)
        return values if items and None not in values else None

    def same_value(self, first: SgNode, second: SgNode) -> bool:
        """Two spellings of one value: the same text, or a ``self`` attribute assigned once
        from the other (``self.drop = drop``)."""
        return bool(self._spellings(first) & self._spellings(second))

    def _spellings(self, node: SgNode) -> set[str]:
        spellings = {node.text()}
        if node.kind() == "attribute" and node.field("object").text() == "self":
            entries = self.model.class_attributes(nodes.enclosing_class(node)).get(node.field("attribute").text()) \
                if nodes.enclosing_class(node) is not None else None
            if entries is not None and len(entries) == 1 and entries[0][1].kind() in ("identifier", "attribute"):
                spellings.add(entries[0][1].text())
        return spellings

    # ---- tests
    def test_weights_batch_statistic(self, node: SgNode, weight: float) -> bool:
        """In a test function (``test...``) that asserts, ``weight * <batch statistic>``: a
        literal ``weight`` times a mean or variance computed from data (``np.mean(x, ...)``,
        ``x.var(...)``, or a name bound to one) -- the expected value of MindSpore's update
        ``moving = momentum * moving + (1 - momentum) * batch``."""
        function = nodes.enclosing_scope(node)
        while function.kind() == "lambda" or (function.kind() == "function_definition"
                                              and not function.field("name").text().startswith("test")):
            function = nodes.enclosing_scope(function)  # a helper or lambda nested in the test, or the other way
            if function.kind() == "module":
                break
        if function.kind() != "function_definition":
            return False
        if function.find(any=[{"kind": "assert_statement"}, {"kind": "call", "has": {
                "field": "function", "regex": "(assert|allclose)"}}]) is None:
            return False
        for product in function.find_all(kind="binary_operator"):
            if product.field("operator").text() != "*":
                continue
            sides = [nodes.unparenthesize(product.field(side)) for side in ("left", "right")]
            for number, other in (sides, sides[::-1]):
                value = self.number(number) if number.kind() in ("float", "integer") else None
                if value is not None and abs(value - weight) < 1e-9 and self._batch_statistic(other):
                    return True
        return False

    def _batch_statistic(self, node: SgNode) -> bool:
        if node.kind() == "identifier":
            binding = self.model.only_binding(node)
            node = nodes.unparenthesize(binding.source) if binding is not None and binding.plain \
                and binding.source is not None else node
        if node.kind() != "call":
            return False
        callee = node.field("function")
        name = callee.field("attribute").text() if callee.kind() == "attribute" else callee.text()
        return name in ("mean", "var")

    def string(self, node: SgNode | None) -> str | None:
        """The value of the string literal an argument always holds (``pad_mode="same"``), or None."""
        expression = self.model.value_expression(node, parameter_defaults=True)
        return constants.string(expression) if expression is not None else None

    # ---- what a value is
    def origin(self, node: SgNode | None, depth: int = 0) -> Origin:
        """Whether an expression is a MindSpore tensor: built by a MindSpore function, primitive
        or Cell, derived from one by a method, an item or an element, or a parameter of a
        Cell's ``construct``; OTHER when numpy, torch or a Python value builds it."""
        if node is None or self.model.beyond_limit(depth):
            return Origin.UNKNOWN
        node = nodes.unparenthesize(node)
        # In progress, UNKNOWN: a cycle back here knows nothing.
        return self.model.memo(self._origins, node, depth, Origin.UNKNOWN, lambda: self._origin(node, depth))

    def _origin(self, node: SgNode, depth: int) -> Origin:
        kind = node.kind()
        if kind == "identifier":
            reaching = self.model.reaching_bindings(node)
            if not reaching:
                return Origin.UNKNOWN
            origins = {self._binding_origin(binding, depth) for binding in reaching}
            return origins.pop() if len(origins) == 1 else Origin.UNKNOWN
        if kind == "attribute":
            obj = node.field("object")
            if obj.kind() == "identifier" and obj.text() == "self":
                value = self.model.value_expression(node)
                return self.origin(value, depth + 1) if value is not None and value != node else Origin.UNKNOWN
            return Origin.UNKNOWN
        if kind == "subscript":
            return self.origin(node.field("value"), depth + 1)
        if kind == "binary_operator":
            # A number literal takes the other side's kind (x * 2); numpy with MindSpore is unclear.
            operands = [nodes.unparenthesize(node.field(side)) for side in ("left", "right")]
            sides = {self.origin(operand, depth + 1) for operand in operands
                     if operand.kind() not in ("integer", "float")}
            return sides.pop() if len(sides) == 1 else Origin.UNKNOWN
        if kind in ("integer", "float", "string", "list", "tuple", "dictionary", "true", "false", "none"):
            return Origin.OTHER
        if kind == "call":
            return self._call_origin(node, depth)
        return Origin.UNKNOWN

    def _binding_origin(self, binding, depth: int) -> Origin:
        if binding.parameter is not None:
            return Origin.MINDSPORE if self._is_cell_construct(binding.function) else Origin.UNKNOWN
        if binding.source is None:
            return Origin.UNKNOWN
        # An element or item of a MindSpore value (a row of a tensor, a tensor of an op's tuple
        # output) is one too.
        return self.origin(binding.source, depth + 1)

    def _call_origin(self, call: SgNode, depth: int) -> Origin:
        callee = call.field("function")
        if callee.kind() == "attribute" and callee.field("attribute").text() in LEAVING_METHODS:
            return Origin.OTHER
        qualified = self.model.qualified_name(callee)
        # A package's function or class, or an instance of one called (ops.Softmax()(x)); not a
        # method of a value (mindspore.ops.softmax().reshape), which is what its object is.
        if qualified is not None and "()." not in qualified:
            if qualified.startswith("mindspore."):
                return Origin.MINDSPORE
            if qualified.startswith(OTHER_PACKAGES):
                return Origin.OTHER
        if callee.kind() == "attribute":
            obj = callee.field("object")
            if obj.kind() == "identifier" and obj.text() == "self":
                # A callable stored on a Cell (a layer, a primitive) returns MindSpore tensors.
                return Origin.MINDSPORE if self._in_cell(call) else Origin.UNKNOWN
            return self.origin(obj, depth + 1)  # x.reshape(...), x.softmax(...)
        return Origin.UNKNOWN

    def _in_cell(self, node: SgNode) -> bool:
        cls = nodes.enclosing_class(node)
        return cls is not None and self.is_cell(cls)

    def is_cell(self, cls: SgNode) -> bool:
        """A class of this module built on MindSpore's (a Cell, directly or through its bases)."""
        return self.model.inherits(cls, _is_mindspore)

    def _is_cell_construct(self, function: SgNode | None) -> bool:
        """A ``construct`` method of a MindSpore Cell: its parameters are tensors."""
        if function is None or function.kind() != "function_definition":
            return False
        return function.field("name").text() == "construct" and self._in_cell(function)


def _is_mindspore(qualified: str) -> bool:
    return qualified.startswith("mindspore.")


def _defines_init(cls: SgNode) -> bool:
    body = cls.field("body")
    for statement in body.named_children() if body is not None else []:
        if statement.kind() == "decorated_definition":
            statement = statement.field("definition")
        if statement is not None and statement.kind() == "function_definition" \
                and statement.field("name").text() == "__init__":
            return True
    return False
