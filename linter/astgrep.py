"""ast-grep's Python bindings, as every module here imports them: the compiled module alone.

``import ast_grep_py`` first runs the package's ``__init__``, which only declares typing aids for
rule dictionaries (TypedDicts, Literal unions): about 1 ms and 5 M instructions, paid on every
editor save of a file the rules keep (docs/performance.md, 5s). The compiled module is loaded here
as that ``__init__`` would load it, under the same name, so its types are the package's own, and a
later ``import ast_grep_py`` anywhere in the process runs the ``__init__`` and finds it loaded.
Should the package change its layout, this falls back to the plain import.
"""

from __future__ import annotations

import sys

_COMPILED = "ast_grep_py.ast_grep_py"


def _compiled_module():
    module = sys.modules.get(_COMPILED)
    if module is not None:
        return module
    try:
        from importlib.machinery import ExtensionFileLoader, PathFinder
        from importlib.util import find_spec, module_from_spec

        package = find_spec("ast_grep_py")  # finds the folder; runs nothing
        spec = PathFinder.find_spec(_COMPILED, package.submodule_search_locations)
        if spec is None or not isinstance(spec.loader, ExtensionFileLoader):
            raise ImportError(_COMPILED)
        module = module_from_spec(spec)
        sys.modules[_COMPILED] = module
        spec.loader.exec_module(module)
        return module
    except Exception:
        sys.modules.pop(_COMPILED, None)
        import ast_grep_py

        return ast_grep_py


_module = _compiled_module()
SgNode = _module.SgNode
SgRoot = _module.SgRoot
del _module
