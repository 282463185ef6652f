"""The semantic model of a module: what its names, imports, classes and constants mean.

It knows Python and nothing about any rule family (``linter/families/`` asks it): ``model`` is
the entry point, ``imports``, ``bindings`` and ``constants`` its parts, ``nodes`` the helpers
over ast-grep nodes they share.
"""
