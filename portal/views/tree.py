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
        for node in nodes:
            node.branches = by_parent.get(node.pk, [])
        columns = {node.national_column: node for node in nodes if node.national_column}
        tree = (by_parent.get(None, []), columns)
        cache.set(key, tree, timeout=TREE_TTL)
    return tree
