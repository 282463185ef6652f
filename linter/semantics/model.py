"""What one module means, asked by every rule family: ruff's ``SemanticModel`` in small.

The model knows Python (scopes, bindings, imports, classes, constants) and nothing about any
family's APIs. What only the families know reaches it as two callbacks: ``canonical`` (the one
spelling of a name that has several, from the facts' ``also:`` lists: the engine's table of
every family's) and ``known`` (whether a
qualified name is one the families care about, to resolve star imports).

Everything is computed lazily and cached: a file whose matches need only the callee never builds
a def-use index.
"""

from __future__ import annotations

import bisect
from typing import Callable

from ..astgrep import SgNode
from ..records import cached_property
from . import WalkedNodes
from . import bindings as scope_bindings
from . import constants, nodes
from .bindings import Binding, NameUses
from .imports import ImportTable, mindspore_package


def _same(qualified: str | None) -> str | None:
    return qualified


def _nothing(qualified: str) -> bool:
    return False


class SemanticModel:
    def __init__(self, root: SgNode, path: str | None = None,
                 canonical: Callable[[str | None], str | None] = _same,
                 known: Callable[[str], bool] = _nothing, walked: WalkedNodes | None = None) -> None:
        self.root = root
        self.walked = walked  # None: the model finds the imports and ERROR nodes itself
        self.path = path
        self.canonical = canonical
        self.known = known
        self._scopes: dict = {}
        self._uses: dict = {}
        self._positions: dict = {}
        self._classes: dict = {}
        # Results for names, by (node, question): each name is resolved once, and a name met
        # again while it is being resolved (`x = x + 1` in a loop) has no value: no cycle, and
        # no path explosion when several bindings each reach several more.
        self._resolved: dict = {}
        # How often a walk stopped at the depth limit: a result reached meanwhile is partial.
        self.give_ups = 0
        self._statement_starts: dict[SgNode, int] = {}
        # Each read's scope and bindings, by name node: the conditions of one call ask about the
        # same names several times (a training step's `grads` and `ops` about five times each).
        self._name_scopes: dict = {}

    def trim(self, kept: set[SgNode]) -> None:
        """Forget the answers about single names and reads, and about every scope but the
        ``kept`` ones (scopes_around the next match: finding a scope's bindings and reads again
        walks all of it). The engine asks between matches of a big file (FileContext.trim):
        every answer is found again when asked, while kept they would fill memory with the code
        already checked, which costs every later step (a module of 60,000 training steps: 1.24 GB
        at peak and 239 µs a step, trimmed 0.70 GB and 198 µs). The classes' attributes are kept:
        few in any file, each a walk of its body."""
        for scoped in (self._scopes, self._uses):
            held = {scope: scoped[scope] for scope in kept if scope in scoped}
            scoped.clear()
            scoped.update(held)
        self._positions = {key: positions for key, positions in self._positions.items() if key[0] in kept}
        for cache in (self._resolved, self._statement_starts, self._name_scopes):
            cache.clear()

    def scopes_around(self, node: SgNode) -> set[SgNode]:
        """The functions and lambdas that hold ``node``, and the module."""
        return {ancestor for ancestor in node.ancestors() if ancestor.kind() in nodes.FUNCTION_KINDS} | {self.root}

    # ---- imports
    @cached_property
    def imports(self) -> ImportTable:
        return ImportTable(self.root, mindspore_package(self.path),
                           self.walked.imports if self.walked is not None else None)

    @cached_property
    def imported_packages(self) -> frozenset[str]:
        return self.imports.packages

    # ---- scopes and bindings
    def bindings(self, scope: SgNode) -> dict[str, list[Binding]]:
        scope_key = scope
        if scope_key not in self._scopes:
            misparsed = self.walked.misparsed if self.walked is not None else None
            self._scopes[scope_key] = scope_bindings.collect_bindings(scope, misparsed)
        return self._scopes[scope_key]

    def lookup(self, name_node: SgNode) -> Binding | None:
        """The binding a name refers to where it is read: the latest one before the read."""
        return self.resolve_name(name_node)[0]

    def resolve_name(self, name_node: SgNode) -> tuple[Binding | None, int]:
        """The binding a name refers to, and how many bindings the name has in that scope
        (1: it is never reassigned, so the binding holds wherever the name is read)."""
        found = self._scope_of_name(name_node)
        if found is None:
            return None, 0
        scope, candidates, nearest = found
        if scope is None:  # a comprehension's own variable
            return candidates[0], 2
        if not nearest:  # an enclosing scope's name is read when the function runs, later
            return candidates[-1], len(candidates)
        index = self._bindings_before(scope, name_node, candidates)
        return (candidates[index - 1] if index else Binding(nodes.start(name_node), None)), len(candidates)

    def reaching_bindings(self, name_node: SgNode) -> list[Binding] | None:
        """Every binding that may give the name its value where it is read, latest first: the
        latest binding before the read, and earlier ones while the later ones sit on branches
        that may not have run, and later ones in a loop around the read (the previous
        iteration). None when the name is not bound in any enclosing scope (an import, a
        builtin); a list holding ``Binding(source=None)`` when some path leaves it unknown."""
        found = self._scope_of_name(name_node)
        if found is None:
            return None
        scope, candidates, nearest = found
        if scope is None or not nearest:
            return [candidates[0]] if scope is None else list(reversed(candidates))
        index = self._bindings_before(scope, name_node, candidates)
        reaching: list[Binding] = []
        for binding in reversed(candidates[:index]):
            reaching.append(binding)
            if not scope_bindings.conditional_between(binding.statement, name_node, scope):
                break
        else:
            reaching.append(Binding(0, None))  # no binding runs on every path before the read
        loop = scope_bindings.enclosing_loop(name_node, scope)
        if loop is not None:
            loop_end = nodes.end(loop)
            reaching += [binding for binding in candidates[index:] if binding.position <= loop_end]
        return reaching

    def bound_in_own_scope(self, name_node: SgNode) -> bool:
        """Whether the name is bound in the function (or module) it is read in, so that assigning
        to it there rebinds that same variable. A name of an enclosing function or of the module,
        read in a function, would become the function's own local by such an assignment, unbound
        where it is first read (UnboundLocalError)."""
        found = self._scope_of_name(name_node)
        return found is not None and found[0] is not None and found[2]

    def only_binding(self, name_node: SgNode) -> Binding | None:
        """The one binding that gives the name its value on every path to this read, or None."""
        reaching = self.reaching_bindings(name_node)
        return reaching[0] if reaching is not None and len(reaching) == 1 else None

    def _scope_of_name(self, name_node: SgNode) -> tuple[SgNode | None, list[Binding], bool] | None:
        """(scope, the name's bindings there, whether it is the read's own scope), or None."""
        try:
            return self._name_scopes[name_node]
        except KeyError:
            found = self._name_scopes[name_node] = self._find_scope_of_name(name_node)
            return found

    def _find_scope_of_name(self, name_node: SgNode) -> tuple[SgNode | None, list[Binding], bool] | None:
        name = name_node.text()
        nearest = True
        for ancestor in name_node.ancestors():
            kind = ancestor.kind()
            if kind in nodes.COMPREHENSION_KINDS:
                for clause in ancestor.named_children():
                    if clause.kind() == "for_in_clause" and name in scope_bindings.target_names(clause.field("left")):
                        binding = scope_bindings.target_binding(clause.field("left"), name, clause.field("right"), True)
                        return None, [binding], True
            elif kind in nodes.FUNCTION_KINDS or kind == "module":
                candidates = self.bindings(ancestor).get(name)
                if candidates:
                    return ancestor, candidates, nearest
                nearest = False
        return None

    def _bindings_before(self, scope: SgNode, name_node: SgNode, candidates: list[Binding]) -> int:
        """How many of the name's bindings (in order) take effect before this read.

        Bisect, not a scan: a name bound n times and read n times stays O(n log n). And the read's
        own position is asked for only when a binding sits in the read's statement: the
        statement's start is cheap to ask for, a position deep in a long line is not."""
        if candidates[-1].parameter is not None:
            return len(candidates)  # only parameters: bound before anything in the body runs
        positions = self._binding_positions(scope, name_node.text(), candidates)
        statement = nodes.enclosing_statement(name_node)
        if statement is not None:
            if statement not in self._statement_starts:  # many reads share one statement
                self._statement_starts[statement] = nodes.start(statement)
            index = bisect.bisect_right(positions, self._statement_starts[statement])
            following = candidates[index] if index < len(candidates) else None
            if following is None or not _within(following.statement, statement):
                return index
        return bisect.bisect_right(positions, nodes.start(name_node))

    def _binding_positions(self, scope: SgNode, name: str, candidates: list[Binding]) -> list[int]:
        cache_key = (scope, name)
        positions = self._positions.get(cache_key)
        if positions is None:
            positions = self._positions[cache_key] = [binding.position for binding in candidates]
        return positions

    def name_uses(self, scope: SgNode, name: str) -> NameUses:
        """Where ``name`` is read in ``scope`` (nested functions included): bindings.ScopeUses, kept per scope."""
        scope_key = scope
        index = self._uses.get(scope_key)
        if index is None:
            index = self._uses[scope_key] = scope_bindings.ScopeUses(scope)
        return index.get(name) or NameUses()

    def stable_expression(self, node: SgNode, depth: int = 0) -> SgNode:
        """A bound name replaced by the expression it is bound to, when the name is bound once in
        its scope (``low = -clip; high = clip``), so two expressions can be compared by text."""
        node = nodes.unparenthesize(node)
        if node.kind() != "identifier" or depth > 4:
            return node
        binding, count = self.resolve_name(node)
        if binding is None or count != 1 or not binding.plain:
            return node
        source = nodes.unparenthesize(binding.source)
        if not self.is_stable(source):
            return node
        return self.stable_expression(source, depth + 1)

    def is_stable(self, node: SgNode) -> bool:
        """Every name in the expression is bound at most once (or is a parameter, a global): its
        text means the same value wherever it is read. Calls are never stable (f() may differ)."""
        if node.kind() in ("call", "await", "yield", "named_expression", "lambda"):
            return False
        if node.find(kind="call") is not None:
            return False
        identifiers = [node] if node.kind() == "identifier" else node.find_all(kind="identifier")
        for identifier in identifiers[:nodes.MAX_EXPRESSION_DEPTH]:
            parent = identifier.parent()
            if parent is not None and parent.kind() == "attribute" and parent.field("attribute") == identifier:
                continue  # an attribute name: its object is checked instead
            if self.resolve_name(identifier)[1] > 1:
                return False
        return len(identifiers) <= nodes.MAX_EXPRESSION_DEPTH

    # ---- classes
    @cached_property
    def module_classes(self) -> dict[str, SgNode]:
        """Classes defined at the top level of the module (or in its if/try blocks), by name."""
        found: dict[str, SgNode] = {}
        for definition in nodes.walk_scope(self.root, frozenset({"class_definition"})):
            found.setdefault(definition.field("name").text(), definition)
        return found

    def local_bases(self, cls: SgNode) -> list[SgNode | str]:
        """A class's bases in order: a class of this module as its node, any other as its
        qualified name ('' when it cannot be resolved)."""
        found: list[SgNode | str] = []
        superclasses = cls.field("superclasses")
        for base in (superclasses.named_children() if superclasses is not None else []):
            if base.kind() in ("keyword_argument", "comment", "list_splat", "dictionary_splat"):
                continue
            local = self.module_classes.get(base.text()) if base.kind() == "identifier" else None
            if local is not None and local != cls:
                found.append(local)
            else:
                found.append(self.qualified_name(base) or "")
        return found

    def class_lineage(self, cls: SgNode) -> tuple[list[SgNode], set[str]]:
        """The class and its bases defined in this module (own first, depth-first, as Python's
        MRO for single inheritance), and the qualified names of the bases they end in."""
        classes: list[SgNode] = []
        outside: set[str] = set()
        seen: set = set()
        stack = [cls]
        while stack and len(classes) < nodes.MAX_EXPRESSION_DEPTH:
            current = stack.pop(0)
            if current in seen:
                continue
            seen.add(current)
            classes.append(current)
            for base in self.local_bases(current):
                if isinstance(base, str):
                    if base:
                        outside.add(base)
                else:
                    stack.append(base)
        return classes, outside

    def inherits(self, cls: SgNode, predicate: Callable[[str], bool]) -> bool:
        """True when a base of the class (directly, or through classes of this module) has a
        qualified name the predicate accepts."""
        return any(predicate(name) for name in self.class_lineage(cls)[1])

    def class_attributes(self, cls: SgNode) -> dict[str, list[tuple[str, SgNode]]]:
        """``self.X = value`` in the methods of a class and of its bases in this module:
        X -> [(method name, value)], the class's own first, ``__init__`` first within a class."""
        class_key = cls
        if class_key not in self._classes:
            self._classes[class_key] = {}  # a class that (indirectly) inherits from itself
            found: dict[str, list[tuple[str, SgNode]]] = {}
            for owner in self.class_lineage(cls)[0]:
                own = self._own_attributes(owner)
                for name, entries in own.items():
                    found.setdefault(name, []).extend(entries)
            self._classes[class_key] = found
        return self._classes[class_key]

    def _own_attributes(self, cls: SgNode) -> dict[str, list[tuple[str, SgNode]]]:
        found: dict[str, list[tuple[str, SgNode]]] = {}
        class_key = cls
        body = cls.field("body")
        # One walk of the body for its functions and assignments: a function's (its nested
        # functions' included) are those of the walk within its span (nodes.within).
        walked = body.find_all(any=[{"kind": "function_definition"}, {"kind": "assignment"}]) if body else []
        starts = [nodes.start(node) for node in walked]
        for method in walked:
            if method.kind() != "function_definition":
                continue
            owner = nodes.enclosing_class(method)
            if owner is None or owner != class_key:
                continue
            method_name = method.field("name").text()
            for assignment in nodes.within(method, walked, starts)[0]:
                if assignment.kind() != "assignment":
                    continue
                target = assignment.field("left")
                value = assignment.field("right")
                parts = nodes.dotted(target) if target is not None else None
                if parts and len(parts) == 2 and parts[0] == "self" and value is not None:
                    found.setdefault(parts[1], []).append((method_name, value))
        for entries in found.values():
            entries.sort(key=lambda entry: entry[0] != "__init__")
        return found

    def self_attribute(self, node: SgNode, attribute: str) -> SgNode | None:
        """The value first assigned to ``self.<attribute>`` in the class around ``node``."""
        cls = nodes.enclosing_class(node)
        if cls is None:
            return None
        entries = self.class_attributes(cls).get(attribute)
        return entries[0][1] if entries else None

    def class_constant(self, node: SgNode, attribute: str) -> SgNode | None:
        """A class-level ``attribute = value`` in the class around ``node``."""
        cls = nodes.enclosing_class(node)
        body = cls.field("body") if cls is not None else None
        if body is None:
            return None
        for statement in body.named_children():
            assignment = statement.named_children()[0] if statement.kind() == "expression_statement" else None
            if (assignment is not None and assignment.kind() == "assignment"
                    and assignment.field("left").text() == attribute and assignment.field("right") is not None):
                return assignment.field("right")
        return None

    # ---- names
    def qualified_name(self, node: SgNode, depth: int = 0) -> str | None:
        """The dotted name an expression refers to, through imports, aliases of any name and
        ``self`` attributes; ``name()`` for an instance made by calling ``name``. None when
        different paths give different names, or nothing is known."""
        if self.beyond_limit(depth):
            return None
        node = nodes.unparenthesize(node)
        # Once per node: the conditions of one call ask for the same callee and receivers again.
        return self._memo(("name", node), depth, lambda: self._qualified_name(node, depth))

    def _qualified_name(self, node: SgNode, depth: int) -> str | None:
        kind = node.kind()
        if kind == "identifier":
            reaching = self.reaching_bindings(node)
            if reaching is not None:
                return self._same_for_all([self.qualified_name(binding.source, depth + 1) if binding.plain else None
                                           for binding in reaching])
            imported = self.imports.resolve(node, lambda name: self.known(self.canonical(name)))
            return self.canonical(imported) if imported else None
        if kind == "attribute":
            obj, attribute = node.field("object"), node.field("attribute").text()
            if obj.kind() == "identifier" and obj.text() == "self":
                value = self.self_attribute(node, attribute)
                return self.qualified_name(value, depth + 1) if value is not None else None
            base = self.qualified_name(obj, depth + 1)
            return self.canonical(f"{base}.{attribute}") if base else None
        if kind == "call":
            base = self.qualified_name(node.field("function"), depth + 1)
            return self.canonical(f"{base}()") if base else None
        return None

    def matches_names(self, name_node: SgNode, pattern: str) -> bool:
        """An identifier whose name the (YAML) pattern matches."""
        return name_node.kind() == "identifier" and name_matches(name_node, pattern)

    # ---- constants
    def constant(self, node: SgNode | None, parameter_value: Callable[[Binding, int], float | None] | None = None,
                 depth: int = 0) -> float | None:
        """The number an expression always evaluates to, or None. A name takes the value of every
        binding that may reach it, and has none when they differ. A function's parameter is
        unknown unless ``parameter_value(binding, depth)`` says otherwise (a family may know what
        a helper receives, or take the parameter's default)."""
        if node is None or self.beyond_limit(depth):
            return None
        node = nodes.unparenthesize(node)
        kind = node.kind()
        if kind in ("integer", "float"):
            return constants.number(node.text())
        if kind == "unary_operator":
            operand = self.constant(node.field("argument"), parameter_value, depth + 1)
            operator = node.field("operator").text()
            if operand is None or operator not in "+-":
                return None
            return -operand if operator == "-" else operand
        if kind == "binary_operator":
            left = self.constant(node.field("left"), parameter_value, depth + 1)
            right = self.constant(node.field("right"), parameter_value, depth + 1) if left is not None else None
            return constants.arithmetic(left, node.field("operator").text(), right)
        if kind == "identifier":
            reaching = self.reaching_bindings(node)
            if not reaching:
                return None
            return self._memo(("constant", node, parameter_value), depth,
                              lambda: self._binding_constant(reaching, parameter_value, depth))
        if kind == "attribute":
            parts = nodes.dotted(node)
            if parts and len(parts) == 2:
                owner, attribute = parts
                cls = nodes.enclosing_class(node)
                is_own_class = cls is not None and cls.field("name").text() == owner
                if owner in ("self", "cls") or is_own_class:
                    value = self.class_constant(node, attribute)
                    if value is None and owner == "self" and cls is not None:
                        entries = self.class_attributes(cls).get(attribute, [])
                        value = entries[0][1] if len(entries) == 1 else None
                    return self.constant(value, parameter_value, depth + 1)
            return None
        if kind == "call" and node.field("function").text() == "float":
            return constants.infinity(node)
        return None

    def _binding_constant(self, reaching: list[Binding], parameter_value, depth: int) -> float | None:
        values = set()
        for binding in reaching:
            if binding.parameter is not None:
                values.add(parameter_value(binding, depth + 1) if parameter_value else None)
            elif binding.plain:
                values.add(self.constant(binding.source, parameter_value, depth + 1))
            else:
                return None
            if None in values or len(values) > 1:
                return None
        return values.pop()

    def beyond_limit(self, depth: int) -> bool:
        """True past the depth at which every walk gives up (counted: see ``memo``)."""
        if depth > nodes.MAX_EXPRESSION_DEPTH:
            self.give_ups += 1
            return True
        return False

    def memo(self, table: dict, key: object, depth: int, in_progress: object, compute: Callable[[], object]) -> object:
        """``compute()`` once per key; ``in_progress`` while it runs (a cycle back to the key
        gets it). A result reached while a walk below gave up at the depth limit holds only for
        queries with no more depth left than this one had: a name 40 levels down a 60-long
        chain is unknown there but resolves when read directly, so a shallower query computes
        it again (each key at most once per depth, so the work stays bounded)."""
        entry = table.get(key)
        if entry is not None and (entry[1] is None or depth >= entry[1]):
            return entry[0]
        table[key] = (in_progress, None)
        give_ups = self.give_ups
        value = compute()
        table[key] = (value, depth if self.give_ups != give_ups else None)
        return value

    def _memo(self, key: tuple, depth: int, compute: Callable[[], object]) -> object:
        return self.memo(self._resolved, key, depth, None, compute)

    @staticmethod
    def _same_for_all(values: list) -> object:
        return values[0] if values and all(value == values[0] for value in values) else None

    def value_expression(self, node: SgNode | None, parameter_defaults: bool = False,
                         depth: int = 0) -> SgNode | None:
        """The expression a name (or ``self.x``) always holds where it is read, followed through
        further names: the source of the only plain binding that reaches it, the value of a
        ``self`` attribute assigned once in the class, and with ``parameter_defaults`` a
        parameter's default. Any other expression is its own value. None when paths disagree
        (by text) or nothing is known: ruff's ``find_binding_value`` for values that are not
        numbers (``kernel=(2, 2)``, a string)."""
        if node is None or self.beyond_limit(depth):
            return None
        node = nodes.unparenthesize(node)
        kind = node.kind()
        if kind == "identifier":
            reaching = self.reaching_bindings(node)
            if not reaching:
                return None
            return self._memo(("expression", node, parameter_defaults), depth,
                              lambda: self._binding_expression(reaching, parameter_defaults, depth))
        if kind == "attribute":
            parts = nodes.dotted(node)
            cls = nodes.enclosing_class(node)
            if parts and len(parts) == 2 and parts[0] == "self" and cls is not None:
                entries = self.class_attributes(cls).get(parts[1], [])
                value = entries[0][1] if len(entries) == 1 else self.class_constant(node, parts[1])
                return self.value_expression(value, parameter_defaults, depth + 1)
        return node

    def _binding_expression(self, reaching: list[Binding], parameter_defaults: bool, depth: int) -> SgNode | None:
        found = []
        for binding in reaching:
            if binding.parameter is not None and parameter_defaults and binding.default is not None:
                found.append(self.value_expression(binding.default, parameter_defaults, depth + 1))
            elif binding.plain:
                found.append(self.value_expression(binding.source, parameter_defaults, depth + 1))
            else:
                return None
            if found[-1] is None:
                return None
        first = nodes.tokens(found[0])
        return found[0] if all(nodes.tokens(other) == first for other in found[1:]) else None

    def parameter_default(self, binding: Binding, depth: int = 0) -> float | None:
        """A parameter's default value, when it is a constant: ``def __init__(self, p=0.1)``."""
        if binding.default is None:
            return None
        return self.constant(binding.default, None, depth + 1)

    def shared_source(self, node: SgNode | None, depth: int = 0) -> str | None:
        """Why the value of an expression is not this place's own, or None: it comes (through
        local names) from a function's parameter, whose default every caller shares and any
        caller may replace, from a module-level name also read elsewhere, or from an attribute,
        which a subclass or other code may set. A fix that rewrites the expression for the value
        seen here would change what those others mean."""
        if node is None or self.beyond_limit(depth):
            return None
        node = nodes.unparenthesize(node)
        kind = node.kind()
        if kind == "attribute":
            return f"{' '.join(node.text().split())} is an attribute, which a subclass or other code may set"
        if kind != "identifier":
            inner = [child for child in node.named_children() if child.kind() != "comment"]
            return next(filter(None, (self.shared_source(child, depth + 1) for child in inner)), None)
        name = node.text()
        for binding in self.reaching_bindings(node) or []:
            if binding.parameter is not None:
                return f"{name} is a parameter: its default is shared by every caller, and callers may pass another"
            if binding.source is None:
                continue
            scope = nodes.enclosing_scope(binding.statement) if binding.statement is not None else None
            if scope is not None and scope.kind() == "module" and len(self.name_uses(scope, name).reads) > 1:
                return f"{name} is a module constant also read elsewhere"
            found = self.shared_source(binding.source, depth + 1)
            if found is not None:
                return found
        return None

    # ---- calls
    @cached_property
    def first_arguments(self) -> dict[str, list[SgNode]]:
        """Names passed as the first argument of a call (``partial(helper, ...)``, ``map(helper, ...)``),
        indexed in one pass over the module so that finding a function's uses never rescans it."""
        found: dict[str, list[SgNode]] = {}
        for argument_list in self.root.find_all(kind="argument_list"):
            children = [child for child in argument_list.named_children() if child.kind() != "comment"]
            holder = argument_list.parent()
            if children and children[0].kind() == "identifier" and holder is not None and holder.kind() == "call":
                found.setdefault(children[0].text(), []).append(children[0])
        return found


_NAME_MATCHES: dict[tuple[str, str], bool] = {}


def name_matches(name_node: SgNode, pattern: str) -> bool:
    """Whether a pattern from YAML matches a name. ast-grep runs it (a Rust regex, linear time: a
    user's pattern never reaches Python's backtracking re); each compiles the pattern, so answers
    are kept per (pattern, name) for the process: the same names recur in every file."""
    if not pattern:
        return False
    cache_key = (pattern, name_node.text())
    found = _NAME_MATCHES.get(cache_key)
    if found is None:
        if len(_NAME_MATCHES) > 100_000:
            _NAME_MATCHES.clear()
        found = _NAME_MATCHES[cache_key] = name_node.matches(regex=pattern)
    return found


def _within(node: SgNode | None, container: SgNode) -> bool:
    if node is None:
        return True  # unknown: ask for the exact position
    return node == container or any(ancestor == container for ancestor in node.ancestors())


def receiving_call(node: SgNode) -> SgNode | None:
    """The call that receives ``node`` as an argument (by position or keyword), looking through
    parentheses and ``tuple(...)`` / ``list(...)`` around it; None when it is no argument."""
    for _ in range(nodes.MAX_EXPRESSION_DEPTH):
        parent = node.parent()
        while parent is not None and parent.kind() == "parenthesized_expression":
            node, parent = parent, parent.parent()
        if parent is not None and parent.kind() == "keyword_argument":
            node, parent = parent, parent.parent()
        if parent is None or parent.kind() != "argument_list":
            return None
        call = parent.parent()
        callee = call.field("function") if call is not None else None
        if (callee is not None and callee.kind() == "identifier" and callee.text() in ("tuple", "list")
                and len(parent.named_children()) == 1):
            node = call
            continue
        return call
    return None
