"""YAML loading that remembers line numbers, so problems point at the offending line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

# libyaml's C parser is about ten times faster than the pure-Python one; a knowledge folder of
# thousands of entries is parsed at every start and reload. Both give the same values and the
# same marks for keys and items, except that libyaml accepts tabs where PyYAML refuses them and
# reads a byte-order mark inside the text differently: texts with either go to the pure-Python
# parser. (libyaml also accepts a "?" inside a flow list, as in "[C'est quoi ?]", which the
# pure-Python parser refuses; PyYAML's wheels all include libyaml.)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class LocatedYaml:
    value: Any
    node: yaml.Node
    first_line: int

    def _key_nodes(self) -> list[tuple[yaml.Node, yaml.Node]]:
        return self.node.value if isinstance(self.node, yaml.MappingNode) else []

    def keys(self) -> list[str]:
        return list(self.value) if isinstance(self.value, dict) else []

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        return key in self.keys()

    def get(self, key: str, default: Any = None) -> Any:
        return self.value.get(key, default) if isinstance(self.value, dict) else default

    def line(self, key: str) -> int | None:
        for key_node, _ in self._key_nodes():
            if key_node.value == key:
                return key_node.start_mark.line + self.first_line
        return None

    def item_line(self, key: str, index: int) -> int | None:
        for key_node, value_node in self._key_nodes():
            if key_node.value == key:
                if isinstance(value_node, yaml.SequenceNode) and index < len(value_node.value):
                    return value_node.value[index].start_mark.line + self.first_line
                return key_node.start_mark.line + self.first_line
        return None

    def root_item_line(self, index: int) -> int | None:
        if isinstance(self.node, yaml.SequenceNode) and index < len(self.node.value):
            return self.node.value[index].start_mark.line + self.first_line
        return None


def load_located(text: str, first_line: int = 1) -> tuple[LocatedYaml | None, tuple[int, str] | None]:
    """Parse YAML; return (located document, None) or (None, (line, message)).

    `first_line` is the file line of the text's first line, for texts cut out of a file.
    """
    try:
        pure_python_only = "\t" in text or "\ufeff" in text
        node, value = _parse(text, yaml.SafeLoader if pure_python_only else _Loader)
    except (yaml.YAMLError, UnicodeEncodeError):  # (libyaml takes UTF-8: no lone surrogates)
        # Broken YAML is rare; the pure-Python parser reports it, so its wording and line stay
        # the same whichever parser read the good files (libyaml may point past the last line).
        try:
            node, value = _parse(text, yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + first_line if mark else first_line
            return None, (line, str(exc.problem or exc))
        except yaml.YAMLError as exc:
            return None, (first_line, str(exc))
    if node is None or not isinstance(value, dict | list):
        return None, None
    return LocatedYaml(value, node, first_line), None


def _parse(text: str, loader_class: type) -> tuple[yaml.Node | None, Any]:
    """One parse: compose the node tree (it keeps the line marks), then construct from it."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, (None if node is None else loader.construct_document(node))
    finally:
        loader.dispose()
