"""Fact paths on a kb.yml-shaped document: `organisations[graz]`, `projects[promig].events[2]`,
`mobility.students`, `office.contacts`.

The same syntax `iter_cited` prints (list items by their `id` where they have one, by position
otherwise), so one path names a fact in storage, history, admin URLs, the API and diffs. These
helpers work on the plain document (dicts and lists), not on the validated model, because an edit
must be applied before it can be validated.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Dict, Iterator, List, Tuple

_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[([^\[\]]+)\]")

Step = Tuple[str, str]  # ("key", name) or ("item", label)


class PathError(LookupError):
    """The path is malformed or names nothing in the document."""


def parse(path: str) -> List[Step]:
    """`projects[promig].events[2]` -> [("key", "projects"), ("item", "promig"), ...]."""
    steps: List[Step] = []
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if not match or (match.group(1) and position > 0 and not match.group(0).startswith(".")):
            raise PathError(f"malformed fact path {path!r}")
        if match.group(1):
            steps.append(("key", match.group(1)))
        else:
            steps.append(("item", match.group(2)))
        position = match.end()
    if not steps or steps[0][0] != "key":
        raise PathError(f"malformed fact path {path!r}")
    return steps


def item_label(item: Any, index: int) -> str:
    """How a list item is named in a path: its id, else its position."""
    if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
        return item["id"]
    return str(index)


def find_item(items: List[Any], label: str) -> int:
    """Index of the item `label` names in `items` (by id first, then by position)."""
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == label:
            return index
    if label.isdigit() and int(label) < len(items):
        return int(label)
    raise PathError(f"no item {label!r}")


def _parent(document: Any, path: str) -> Tuple[Any, Step]:
    steps = parse(path)
    node = document
    for kind, name in steps[:-1]:
        node = _step(node, kind, name, path)
    return node, steps[-1]


def _step(node: Any, kind: str, name: str, path: str) -> Any:
    try:
        if kind == "key":
            if not isinstance(node, dict) or name not in node:
                raise PathError(name)
            return node[name]
        if not isinstance(node, list):
            raise PathError(name)
        return node[find_item(node, name)]
    except PathError as error:
        raise PathError(f"{path!r} names nothing in the knowledge base") from error


def get(document: Any, path: str) -> Any:
    """The node at `path`."""
    node = document
    for kind, name in parse(path):
        node = _step(node, kind, name, path)
    return node


def put(document: Any, path: str, value: Any) -> None:
    """Replace the node at `path` (which must exist) with `value`, in place."""
    parent, (kind, name) = _parent(document, path)
    if kind == "key":
        if not isinstance(parent, dict):
            raise PathError(f"{path!r} names nothing in the knowledge base")
        parent[name] = value
    else:
        try:
            parent[find_item(parent, name)] = value
        except (PathError, TypeError) as error:
            raise PathError(f"{path!r} names nothing in the knowledge base") from error


def remove(document: Any, path: str) -> Any:
    """Remove the list item at `path`, in place; returns it. Only list items can be removed."""
    parent, (kind, name) = _parent(document, path)
    if kind != "item" or not isinstance(parent, list):
        raise PathError(f"{path!r} is not a list item: only list items can be removed")
    try:
        return parent.pop(find_item(parent, name))
    except PathError as error:
        raise PathError(f"{path!r} names nothing in the knowledge base") from error


def nodes(document: Any, path: str = "") -> Iterator[Tuple[str, Any]]:
    """Every mapping in the document with its path (the fact paths and their containers)."""
    if isinstance(document, dict):
        if path:
            yield path, document
        for key, value in document.items():
            yield from nodes(value, f"{path}.{key}" if path else key)
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield from nodes(item, f"{path}[{item_label(item, index)}]")


def fingerprint(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def changed_paths(old: Any, new: Any) -> List[str]:
    """Paths of the mappings whose content differs between two documents (added and removed
    ones included), in the new document's order."""
    before = {path: fingerprint(node) for path, node in nodes(old or {})}
    after = {path: fingerprint(node) for path, node in nodes(new or {})}
    changed = [path for path, text in after.items() if before.get(path) != text]
    changed += [path for path in before if path not in after]
    return changed


def is_within(path: str, ancestor: str) -> bool:
    """True when `path` is `ancestor` or lies inside it."""
    return path == ancestor or path.startswith(ancestor + ".") or path.startswith(ancestor + "[")


def relative(path: str, fact_path: str) -> str | None:
    """`path` relative to the fact at `fact_path` ("quote", "universities[2]", "" for the fact
    itself), or None when it lies outside it."""
    if path == fact_path:
        return ""
    if path.startswith(fact_path + "."):
        return path[len(fact_path) + 1 :]
    if path.startswith(fact_path + "["):
        return path[len(fact_path) :]
    return None


def plain(value: Any) -> Any:
    """JSON-ready copy (dates as ISO text), as the document is stored."""
    return json.loads(json.dumps(copy.deepcopy(value), ensure_ascii=False, default=_iso))


def _iso(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def parent_list(path: str) -> Tuple[str, str]:
    """('projects[promig].events', '2') for 'projects[promig].events[2]'."""
    match = re.match(r"^(.*)\[([^\[\]]+)\]$", path)
    if not match:
        raise PathError(f"{path!r} is not a list item")
    return match.group(1), match.group(2)


def labels(document: Any, list_path: str) -> Dict[str, int]:
    """Label -> position of the items of the list at `list_path`."""
    items = get(document, list_path)
    if not isinstance(items, list):
        raise PathError(f"{list_path!r} is not a list")
    return {item_label(item, index): index for index, item in enumerate(items)}
