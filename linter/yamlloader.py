"""The strict loader itself: PyYAML's composer and safe constructor on libyaml's parser (or on
PyYAML's own, when PyYAML was built without libyaml). Imported by yamlfile.load_yaml only when a
YAML file is read."""

from __future__ import annotations

import yaml

from .yamlfile import MAX_DEPTH, ConfigError, LocatedDict


class _PythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own scanner and parser, all in Python: used when PyYAML was built without libyaml."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


try:  # libyaml scans and parses in C; PyYAML's Python scanner was most of the time of loading the rules
    from yaml.cyaml import CParser as _CParser
except ImportError:  # a PyYAML built without libyaml
    _CParser = None


class _Strict(yaml.composer.Composer, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """The refusals, on any parser's events. PyYAML's composer (Python, so that every node passes
    ``compose_node`` below) comes before the parser in the MRO: libyaml's own composer has no hook
    to refuse an alias or deep nesting before the document is built."""

    parser: type  # the scanner and parser under the refusals: libyaml's, or PyYAML's own

    def __init__(self, stream: str, path: str) -> None:
        self.parser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.path = path
        self.depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ConfigError(
                self.path,
                event.start_mark.line + 1,
                f"YAML aliases (*{event.anchor}) are not allowed in rule files; write the value out",
            )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise ConfigError(self.path, mark.line + 1, f"nesting deeper than {MAX_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _construct_located_mapping(loader: _Strict, node: yaml.MappingNode):
    loader.flatten_mapping(node)
    mapping = LocatedDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    yield mapping
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise ConfigError(loader.path, line, "mapping keys must be plain scalars")
        if key in mapping:
            raise ConfigError(loader.path, line, f"duplicate key '{key}' (first at line {mapping.key_lines[key]})")
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line


_Strict.add_constructor("tag:yaml.org,2002:map", _construct_located_mapping)


class StrictPythonLoader(_Strict, _PythonParser):
    parser = _PythonParser


if _CParser is not None:
    class StrictLoader(_Strict, _CParser):
        parser = _CParser
else:  # a PyYAML built without libyaml
    StrictLoader = StrictPythonLoader


def parse(text: str, path: str) -> object:
    """One YAML document from ``text``, refusing anything unsafe; errors are ConfigErrors."""
    loader, loader_class = None, StrictLoader
    try:
        loader = loader_class(text, path)  # the Python reader checks the characters here already
        return loader.get_single_data()
    except ConfigError:
        raise
    except yaml.reader.ReaderError as error:  # a control character: libyaml counts bytes, PyYAML characters
        before = text.encode("utf-8")[:error.position] if loader_class.parser is _CParser else text[:error.position]
        raise ConfigError(path, before.count(b"\n" if isinstance(before, bytes) else "\n") + 1,
                          f"character #x{error.character:04x} is not allowed in YAML") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = error.problem or "invalid YAML"
        if problem == "exceeded maximum nesting depth":  # libyaml's own limit (1,000), met scanning ahead
            problem = f"nesting deeper than {MAX_DEPTH} levels"
        if isinstance(error, yaml.constructor.ConstructorError) and "tag" in problem:
            problem = f"{problem.strip()} (only plain YAML is accepted: no !!python or custom tags)"
        raise ConfigError(path, line, problem) from None
    except yaml.YAMLError as error:
        raise ConfigError(path, None, f"invalid YAML: {error}") from None
    finally:
        if loader is not None:
            loader.dispose()
