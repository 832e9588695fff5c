"""The column tree (信息公开目录) that home, the site map and the guide show: one query, cached."""

from __future__ import annotations

from django.core.cache import cache

from disclosure.models import Category
from disclosure.selectors import listing_generation

TREE_TTL = 600


def category_tree() -> tuple[list[Category], dict[str, Category]]:
    """(root columns, columns by `national_column`), every node with `.branches` (its children
    in order): one query for the whole tree instead of one per level, kept until the next
    announced public change (a column renamed, moved or added announces one)."""
    key = f"portal:category-tree:{listing_generation()}"
    tree = cache.get(key)
    if tree is None:
        nodes = list(Category.objects.all())
        by_parent: dict[int | None, list[Category]] = {}
        for node in nodes:
            by_parent.setdefault(node.parent_id, []).append(node)
        by_pk = {node.pk: node for node in nodes}
        parent_field = Category._meta.get_field("parent")
        for node in nodes:
            node.branches = by_parent.get(node.pk, [])  # type: ignore[attr-defined]
            # `node.parent` (the breadcrumb walks it) from the rows in hand, not a query each
            parent = by_pk.get(node.parent_id) if node.parent_id is not None else None
            parent_field.set_cached_value(node, parent)
        columns = {node.national_column: node for node in nodes if node.national_column}
        tree = (by_parent.get(None, []), columns)
        cache.set(key, tree, timeout=TREE_TTL)
    return tree


def column(slug: str) -> Category | None:
    """The column with this slug from the cached tree (parents and `.branches` set), or None."""
    roots, _columns = category_tree()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node.slug == slug:
            return node
        stack.extend(_branches(node))
    return None


def subtree_ids(node: Category) -> list[int]:
    """The ids of the column and every column below it (`Category.descendant_ids`, in hand)."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current.pk)
        stack.extend(_branches(current))
    return found


def _branches(node: Category) -> list[Category]:
    """The children `category_tree` set on the node."""
    return node.__dict__.get("branches", [])
