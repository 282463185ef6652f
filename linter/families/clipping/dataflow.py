"""Where gradients and parameters flow in one file: what a value is (gradients, parameters, a
gradient function's output, data), what a helper mapped over gradients receives, which calls
apply gradients or write parameters, and what provably comes from torch.

Built per file, only when a clipping rule matched, on the shared semantic model.
"""

from __future__ import annotations

from ...astgrep import SgNode
from ...records import cached_property
from ...semantics import constants, nodes
from ...semantics.bindings import Binding
from ...semantics.model import SemanticModel, name_matches, receiving_call
from ...semantics.nodes import Arguments
from .facts import Facts
from .values import COLLECTIONS, GradFunctionValue, Kind, TupleOf, element, index

# Packages whose functions compute values: a name bound to their result is data, whatever it is
# called (`grad = ops.sqrt(gx ** 2 + gy ** 2)` is an image gradient).
MATH_PACKAGES = frozenset({"mindspore", "numpy", "math", "torch"})


class ClippingAnalysis:
    """Lazily computed knowledge about one module, shared by every match checked in it."""

    def __init__(self, model: SemanticModel, facts: Facts) -> None:
        self.model = model
        self.facts = facts
        self._views: dict = {}
        self._mapped: dict = {}  # (function, parameter index) -> (MappedParameter, partial-at depth), see memo
        self._helper_uses_of: dict = {}  # function -> where it is mapped
        self._read_kinds: dict = {}  # (scope, name, kind) -> sorted positions of such reads

    def trim(self, kept: set[SgNode]) -> None:
        """SemanticModel.trim for the family's own answers: the views, and the reads of names in
        every scope but the ``kept`` ones. What helper functions are mapped over is kept: few in
        any file, each found by a walk of the file."""
        self._views.clear()
        self._read_kinds = {key: positions for key, positions in self._read_kinds.items() if key[0] in kept}

    def view(self, node: SgNode):
        """What a matched node means: a call, or an assignment that unpacks a call's output."""
        found = self._views.get(node)  # asked once per rule at each match: the import only once
        if found is None:
            from .views import ClipCall, Unpacking

            found = self._views[node] = Unpacking(self, node) if node.kind() == "assignment" else ClipCall(self, node)
        return found

    # ---- names
    def is_gradient_name(self, name_node: SgNode) -> bool:
        return name_matches(name_node, self.facts.gradient_names)

    def constant(self, node: SgNode | None) -> float | None:
        """A number, following names, class attributes and what a mapped helper is given."""
        return self.model.constant(node, self._mapped_constant)

    def _mapped_constant(self, binding: Binding, depth: int) -> float | None:
        return self.mapped_parameter(binding.function, binding.parameter, depth)[1]

    # ---- what a value is
    def classify(self, node: SgNode | None, depth: int = 0) -> object:
        if node is None or self.model.beyond_limit(depth):
            return Kind.UNKNOWN
        node = nodes.unparenthesize(node)
        kind = node.kind()
        if kind == "identifier":
            binding = self.model.lookup(node)
            found = self.classify_binding(binding, depth) if binding is not None else Kind.UNKNOWN
            if found == Kind.UNKNOWN and binding is not None and binding.parameter is not None:
                found = self.mapped_parameter(binding.function, binding.parameter, depth + 1)[0]
            if found == Kind.UNKNOWN and self.is_gradient_name(node):
                return Kind.GRADIENTS
            return found
        if kind == "attribute":
            obj, attribute = node.field("object"), node.field("attribute")
            if attribute.text() in self.facts.parameter_attributes:
                return Kind.PARAMETERS
            if obj.kind() == "identifier" and obj.text() == "self":
                value = self.model.self_attribute(node, attribute.text())
                found = self.classify(value, depth + 1) if value is not None else Kind.UNKNOWN
                if found != Kind.UNKNOWN:
                    return found
            return Kind.GRADIENTS if self.is_gradient_name(attribute) else Kind.UNKNOWN
        if kind == "call":
            return self.classify_call(node, depth)
        if kind == "subscript":
            position = constants.integer(node.field("subscript"))
            container = self.classify(node.field("value"), depth + 1)
            if position is None:
                return container if container in COLLECTIONS else Kind.UNKNOWN
            return index(container, position)
        if kind in ("tuple", "list"):
            items = [self.classify(item, depth + 1) for item in node.named_children() if item.kind() != "comment"]
            if items and all(item == Kind.GRADIENTS for item in items):
                return Kind.GRADIENTS
            if items and all(item == Kind.PARAMETERS for item in items):
                return Kind.PARAMETERS
            return Kind.UNKNOWN
        if kind == "binary_operator":
            # Arithmetic keeps gradients gradients (`grad / loss_scale`); on anything else it
            # computes data, whatever the result is called (an image or optical-flow gradient).
            operands = (self.classify(node.field("left"), depth + 1), self.classify(node.field("right"), depth + 1))
            if Kind.GRADIENTS in operands:
                return Kind.GRADIENTS
            return Kind.UNKNOWN if Kind.PARAMETERS in operands else Kind.DATA
        return Kind.UNKNOWN

    def classify_binding(self, binding: Binding, depth: int) -> object:
        if binding.source is None:
            return Kind.UNKNOWN
        if binding.iterated:
            found = self.iterated_element(binding.source, depth + 1)
        else:
            found = self.classify(binding.source, depth + 1)
        for position in binding.path:
            found = index(found, position)
        return found

    def iterated_element(self, iterable: SgNode, depth: int) -> object:
        iterable = nodes.unparenthesize(iterable)
        if iterable.kind() == "call" and iterable.field("function").kind() == "identifier":
            function = iterable.field("function").text()
            arguments = Arguments(iterable)
            if function == "zip" and not arguments.opaque:
                return TupleOf(tuple(element(self.classify(arg, depth + 1)) for arg in arguments.positional))
            if function == "enumerate" and arguments.positional:
                return TupleOf((Kind.UNKNOWN, element(self.classify(arguments.positional[0], depth + 1))))
        return element(self.classify(iterable, depth + 1))

    def classify_call(self, call: SgNode, depth: int) -> object:
        facts = self.facts
        callee = call.field("function")
        if callee.kind() == "attribute" and callee.field("attribute").text() in facts.parameter_methods:
            return Kind.PARAMETERS
        qualified = self.model.qualified_name(callee)
        if qualified in facts.parameter_functions:
            return Kind.PARAMETERS
        if qualified in facts.gradient_functions:
            source = facts.gradient_functions[qualified]
            has_aux = constants.truth(Arguments(call).get(source.has_aux.position, source.has_aux.keyword))
            if has_aux is None:
                # value_and_grad puts the value (alone, or with aux) first and the gradients second
                # whether or not there is aux.
                return GradFunctionValue(TupleOf((Kind.VALUE, Kind.GRADIENTS)) if source.returns_value
                                         else Kind.UNKNOWN)
            output = TupleOf((Kind.GRADIENTS, Kind.AUX)) if has_aux else Kind.GRADIENTS
            if source.returns_value:
                output = TupleOf((TupleOf((Kind.VALUE, Kind.AUX)) if has_aux else Kind.VALUE, Kind.GRADIENTS))
            return GradFunctionValue(output)
        if qualified in facts.gradient_operations:
            return Kind.GRAD_OPERATION
        if qualified in facts.clip_functions:
            # Clipping keeps what the value was: clipped gradients are still gradients.
            function = facts.clip_functions[qualified]
            return self.classify(Arguments(call).get(function.value.position, function.value.keyword), depth + 1)
        if callee.kind() == "identifier" and callee.text() in ("tuple", "list"):
            arguments = Arguments(call)
            return self.classify(arguments.positional[0], depth + 1) if len(arguments.positional) == 1 else Kind.UNKNOWN
        if qualified is not None and qualified.split(".")[0] in MATH_PACKAGES:
            arguments = Arguments(call).positional
            if arguments and self.classify(arguments[0], depth + 1) == Kind.DATA:
                return Kind.DATA  # ops.sqrt(gx ** 2 + gy ** 2)
        called = self.classify(callee, depth + 1)
        if isinstance(called, GradFunctionValue):
            return called.output
        if called == Kind.GRAD_OPERATION:
            return GradFunctionValue(Kind.GRADIENTS)
        return Kind.UNKNOWN

    def from_torch(self, node: SgNode | None, depth: int = 0) -> bool:
        """True when an expression provably derives from an object made by torch: a name bound to
        ``torch.nn.Linear(...)`` or to an instance of a ``torch.nn.Module`` subclass defined here,
        its ``.parameters()``, an element of those, its ``.grad``."""
        if node is None or self.model.beyond_limit(depth):
            return False
        node = nodes.unparenthesize(node)
        kind = node.kind()
        if kind == "identifier":
            binding = self.model.lookup(node)
            if binding is None:
                return _is_torch(self.model.qualified_name(node))
            source = binding.source
            if source is not None and binding.iterated and binding.path:
                source = _item_source(source, binding.path[0])
            return self.from_torch(source, depth + 1)
        if kind == "attribute":
            obj = node.field("object")
            if obj.kind() == "identifier" and obj.text() == "self":
                value = self.model.self_attribute(node, node.field("attribute").text())
                return value is not None and self.from_torch(value, depth + 1)
            return self.from_torch(obj, depth + 1)
        if kind == "subscript":
            return self.from_torch(node.field("value"), depth + 1)
        if kind == "call":
            callee = node.field("function")
            if _is_torch(self.model.qualified_name(callee)):
                return True
            if callee.kind() == "identifier":
                if callee.text() in ("list", "tuple", "iter"):
                    arguments = Arguments(node)
                    return len(arguments.positional) == 1 and self.from_torch(arguments.positional[0], depth + 1)
                cls = self.model.module_classes.get(callee.text())
                binding = self.model.lookup(callee)
                if cls is not None and (binding is None or binding.statement is None
                                        or binding.statement.kind() == "class_definition"):
                    return self.model.inherits(cls, _is_torch)  # class Net(torch.nn.Module) ... Net()
            return callee.kind() == "attribute" and self.from_torch(callee.field("object"), depth + 1)
        return False

    # ---- calls that take gradients or parameters
    def writes_parameters(self, call: SgNode | None) -> bool:
        """``param.set_data(v)``, ``ops.assign(param, v)``, or a writer mapped over sequences:
        ``hyper_map(F.partial(F.assign), weights, clipped)``."""
        if call is None or call.kind() != "call":
            return False
        callee = call.field("function")
        if callee.kind() == "attribute" and callee.field("attribute").text() in self.facts.writer_methods:
            return True
        if self.model.qualified_name(callee) in self.facts.writer_functions:
            return True
        if not self._is_fact_call(call, self.facts.map_functions):
            return False
        mapped = Arguments(call).positional[:1]
        while mapped and mapped[0].kind() == "call" and self._is_fact_call(mapped[0], self.facts.partial_functions):
            mapped = Arguments(mapped[0]).positional[:1]
        if not mapped:
            return False
        if self.model.qualified_name(mapped[0]) in self.facts.writer_functions:
            return True
        return mapped[0].kind() == "identifier" and mapped[0].text() in self.writing_helpers

    @cached_property
    def writing_helpers(self) -> frozenset[str]:
        """The names of this module's helpers that write their argument into a parameter: a
        function whose body calls a writer (``F.assign``, ``p.set_data``), and the
        ``MultitypeFuncGraph`` it is registered on (``@_assign.register("Tensor", "Tensor")``)."""
        names: set[str] = set()
        for function in self.model.root.find_all(kind="function_definition"):
            body = function.field("body")
            calls = body.find_all(kind="call") if body is not None else []
            if any(self._writes_directly(call) for call in calls):
                names.update(_helper_names(function))
        return frozenset(names)

    def _writes_directly(self, call: SgNode) -> bool:
        callee = call.field("function")
        if callee.kind() == "attribute" and callee.field("attribute").text() in self.facts.writer_methods:
            return True
        return self.model.qualified_name(callee) in self.facts.writer_functions

    def is_optimizer_call(self, call: SgNode | None) -> bool:
        """``optimizer(grads)``, ``self.opt(grads)``, or a name bound to ``nn.Adam(...)`` called."""
        if call is None or call.kind() != "call":
            return False
        callee = nodes.unparenthesize(call.field("function"))
        name = callee if callee.kind() == "identifier" else (
            callee.field("attribute") if callee.kind() == "attribute" else None)
        if name is None:
            return False
        if self.model.matches_names(name, self.facts.optimizer_names):
            return True
        made_by = None
        if callee.kind() == "identifier":
            binding = self.model.lookup(callee)
            if binding is not None and binding.plain:  # bound to the whole call, not an element of it
                made_by = binding.source
        elif nodes.dotted(callee) == ["self", name.text()]:
            made_by = self.model.self_attribute(callee, name.text())
        made_by = nodes.unparenthesize(made_by) if made_by is not None else None
        return (made_by is not None and made_by.kind() == "call"
                and self.model.qualified_name(made_by.field("function")) in self.facts.optimizer_classes)

    def read_positions(self, scope: SgNode, name: str, kind: str) -> list[int]:
        """Sorted positions of the reads of ``name`` that are an argument of a parameter writer
        (kind 'writer') or of an optimizer call (kind 'optimizer'); computed once per name."""
        cache_key = (scope, name, kind)
        if cache_key not in self._read_kinds:
            wanted = self.writes_parameters if kind == "writer" else self.is_optimizer_call
            self._read_kinds[cache_key] = [nodes.start(read) for read in self.model.name_uses(scope, name).reads
                                           if wanted(receiving_call(read))]
        return self._read_kinds[cache_key]

    # ---- helpers mapped over gradients
    def mapped_parameter(self, function: SgNode | None, position: int, depth: int = 0) -> tuple[object, float | None]:
        """What a helper's parameter receives where the helper is mapped over sequences, as
        (kind, constant): ``hyper_map(F.partial(clip_grad, TYPE, VALUE), grads)`` gives
        ``clip_grad``'s first two parameters the constants and its third the elements of
        ``grads``. The helper is the function itself, or the ``MultitypeFuncGraph`` it is
        registered on."""
        unknown = (Kind.UNKNOWN, None)
        if function is None or function.kind() != "function_definition" or self.model.beyond_limit(depth):
            return unknown
        # A helper mapped inside itself stays unknown.
        return self.model.memo(self._mapped, (function, position), depth, unknown,
                               lambda: self._mapped_parameter(function, position, depth))

    def _mapped_parameter(self, function: SgNode, position: int, depth: int) -> tuple[object, float | None]:
        kinds, values = set(), set()
        for map_call, bound in self._helper_uses(function):
            arguments = Arguments(map_call)
            if arguments.opaque:
                kinds.add(Kind.UNKNOWN)
                continue
            if position < len(bound):
                values.add(self.model.constant(bound[position], self._mapped_constant, depth + 1))
                kinds.add(Kind.UNKNOWN)
            elif 1 + position - len(bound) < len(arguments.positional):
                kinds.add(element(self.classify(arguments.positional[1 + position - len(bound)], depth + 1)))
            else:
                kinds.add(Kind.UNKNOWN)
        return (Kind.GRADIENTS if Kind.GRADIENTS in kinds and Kind.PARAMETERS not in kinds else Kind.UNKNOWN,
                values.pop() if len(values) == 1 else None)

    def _helper_uses(self, function: SgNode) -> list[tuple[SgNode, list[SgNode]]]:
        """(map call, arguments bound by partial) for each place the helper is mapped."""
        if function not in self._helper_uses_of:
            self._helper_uses_of[function] = self._find_helper_uses(function)
        return self._helper_uses_of[function]

    def _find_helper_uses(self, function: SgNode) -> list[tuple[SgNode, list[SgNode]]]:
        uses = []
        for name in _helper_names(function):
            for occurrence in self.model.first_arguments.get(name, ()):
                holder = occurrence.parent().parent()  # partial(helper, ...) or map(helper, ...)
                bound: list[SgNode] = []
                if self._is_fact_call(holder, self.facts.partial_functions):
                    bound = Arguments(holder).positional[1:]
                    argument_list = holder.parent()
                    holder = argument_list.parent() if argument_list is not None and argument_list.kind() == (
                        "argument_list") else None
                    outer = Arguments(holder).positional if holder is not None and holder.kind() == "call" else []
                    if not outer or outer[0] != occurrence.parent().parent():
                        continue
                if self._is_fact_call(holder, self.facts.map_functions):
                    uses.append((holder, bound))
        return uses

    def _is_fact_call(self, call: SgNode | None, names: set[str]) -> bool:
        if call is None or call.kind() != "call":
            return False
        callee = call.field("function")
        if (callee.kind() == "identifier" and callee.text() == "map" and "map" in names
                and self.model.lookup(callee) is None):
            return True  # the builtin
        return self.model.qualified_name(callee) in names


def _helper_names(function: SgNode) -> list[str]:
    """The names a helper is mapped by: its own, and the ``MultitypeFuncGraph`` it is registered
    on (``@clip_grad.register("Number", "Tensor")``)."""
    names = [function.field("name").text()]
    decorated = function.parent()
    if decorated is not None and decorated.kind() == "decorated_definition":
        for decorator in decorated.children():
            target = decorator.named_children()[0] if decorator.kind() == "decorator" else None
            callee = target.field("function") if target is not None and target.kind() == "call" else None
            parts = nodes.dotted(callee) if callee is not None else None
            if parts and len(parts) == 2 and parts[1] == "register":  # @clip_grad.register("Tensor")
                names.append(parts[0])
    return names


def _is_torch(qualified: str | None) -> bool:
    return qualified is not None and qualified.split(".")[0] == "torch"


def _item_source(iterable: SgNode, position: int) -> SgNode | None:
    """What element ``position`` of each item of ``iterable`` comes from: one argument of
    ``zip(a, b)`` / ``enumerate(a)``, else the iterable itself (an element of an item of
    ``torch_net.named_parameters()`` is as much torch's as the items are)."""
    iterable = nodes.unparenthesize(iterable)
    if iterable.kind() != "call" or iterable.field("function").kind() != "identifier":
        return iterable
    function, arguments = iterable.field("function").text(), Arguments(iterable)
    if function not in ("zip", "enumerate"):
        return iterable
    if function == "zip" and not arguments.opaque and position < len(arguments.positional):
        return arguments.positional[position]
    if function == "enumerate" and position == 1 and arguments.positional:
        return arguments.positional[0]
    return None
