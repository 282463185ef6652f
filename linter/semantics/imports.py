"""The import table of a module: which qualified name a local name stands for.

Imports are scoped as Python scopes them: an import inside a function binds the name in that
function only. Relative imports resolve when the file's path places it inside MindSpore's own
package; star imports resolve a name only to a qualified name some family knows.
"""

from __future__ import annotations

from typing import Callable

from ..astgrep import SgNode
from . import nodes


# A name imported twice in one scope, to two different things.
AMBIGUOUS = "<ambiguous>"


def _in_except_clause(statement: SgNode) -> bool:
    return any(ancestor.kind() == "except_clause" for ancestor in statement.ancestors())


class ImportTable:
    def __init__(self, root: SgNode, package: tuple[str, ...] | None,
                 statements: list[SgNode] | None = None) -> None:
        """``statements``: the module's import statements in source order, when a walk of the
        whole file has already found them (None: found here)."""
        self.package = package
        # scope key (the module's, or a function's) -> local name -> qualified name
        self.scoped: dict[tuple, dict[str, str]] = {}
        self.stars: dict[tuple, list[str]] = {}
        self.modules: set[str] = set()  # every module and name imported, in full (import a.b: a.b)
        if statements is None:
            statements = root.find_all(any=[{"kind": "import_statement"}, {"kind": "import_from_statement"}])
        for statement in statements:
            scope_key = nodes.enclosing_scope(statement)
            local = self.scoped.setdefault(scope_key, {})
            fallback = _in_except_clause(statement)
            for alias, qualified in self._names(statement, self.stars.setdefault(scope_key, [])):
                self.modules.add(qualified)
                earlier = local.setdefault(alias, qualified)
                # A fallback (`except ImportError: from other import x`) runs only when the first
                # failed: the first wins. Any other second import of the name to something else
                # rebinds it, and which one a read sees depends on where it is: unknown.
                if earlier != qualified and not fallback:
                    local[alias] = AMBIGUOUS
        self.modules.update(module for modules in self.stars.values() for module in modules)
        self.module_key = root.get_root().root()  # the module node itself, however root was handed in
        # Whether a function imports anything: if none does, every read resolves at the module's
        # imports, with no climb through its ancestors.
        self.function_scoped = any(key != self.module_key for key in self.scoped)

    def _names(self, statement: SgNode, stars: list[str]) -> list[tuple[str, str]]:
        names = []
        if statement.kind() == "import_statement":
            for item in statement.named_children():
                if item.kind() == "dotted_name":
                    top = item.text().split(".")[0]
                    names.append((top, top))
                    self.modules.add(plain(item.text()))
                elif item.kind() == "aliased_import":
                    names.append((item.field("alias").text(), plain(item.field("name").text())))
            return names
        module = absolute(plain(statement.field("module_name").text()), self.package)
        for item in statement.named_children()[1:]:
            if item.kind() == "wildcard_import":
                stars.append(module)
            elif item.kind() == "dotted_name":
                names.append((item.text(), f"{module}.{plain(item.text())}"))
            elif item.kind() == "aliased_import":
                names.append((item.field("alias").text(), f"{module}.{plain(item.field('name').text())}"))
        return names

    def resolve(self, name_node: SgNode, known: Callable[[str], bool]) -> str | None:
        """What an unbound name stands for where it is read: the innermost scope's import of it,
        else a star-imported name that ``known`` accepts."""
        name = name_node.text()
        scopes = [self.module_key]
        if self.function_scoped:
            scopes[:0] = [ancestor for ancestor in name_node.ancestors() if ancestor.kind() in nodes.FUNCTION_KINDS]
        for scope_key in scopes:
            qualified = self.scoped.get(scope_key, {}).get(name)
            if qualified is not None:
                return None if qualified is AMBIGUOUS else qualified
            for module in self.stars.get(scope_key, ()):
                if known(f"{module}.{name}"):
                    return f"{module}.{name}"
        return None

    @property
    def packages(self) -> frozenset[str]:
        """Every top-level package imported anywhere in the module."""
        return frozenset(name.split(".")[0] for name in self.modules)


def plain(module: str) -> str:
    return "".join(module.split())


def mindspore_package(path: str | None) -> tuple[str, ...] | None:
    """``('mindspore', 'nn', 'optim')`` for .../mindspore/nn/optim/thor.py, else None.

    Only MindSpore's own sources are resolved: there a relative import such as
    ``from ..ops import composite as C`` names the same functions as the facts. The innermost
    ``mindspore`` folder wins (a checkout at ~/mindspore/mindspore/... has two)."""
    if not path:
        return None
    parts = path.replace("\\", "/").split("/")[:-1]  # at either separator
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] == "mindspore":
            package = tuple(parts[index:])
            return package if all(part.isascii() and part.isidentifier() for part in package) else None
    return None


def absolute(module: str, package: tuple[str, ...] | None) -> str:
    """A relative module name made absolute against ``package`` (left relative when unknown)."""
    level = len(module) - len(module.lstrip("."))
    if not level or package is None or level > len(package):
        return module
    base = package[: len(package) - level + 1]
    rest = module[level:]
    return ".".join(base + ((rest,) if rest else ()))
