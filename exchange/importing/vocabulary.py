"""Resolving names in an imported file to the controlled vocabularies (or creating them).

Unknown names are collected, not guessed: the report lists every unknown organization,
catalogue node, topic and genre at once, and `--create-missing` creates exactly those.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model

from disclosure.models import Category, Genre, Organization, Topic
from exchange.importing.normalize import clean_text, split_path, split_topic
from exchange.record_rows import category_path

KINDS = {"organization": "发布机构", "category": "目录", "topic": "主题", "genre": "体裁"}


class VocabularyResolver:
    def __init__(self, *, create_missing: bool) -> None:
        self.create_missing = create_missing
        self.unknown: dict[str, list[str]] = {kind: [] for kind in KINDS}
        self.created: dict[str, list[str]] = {kind: [] for kind in KINDS}
        self.organizations: dict[str, int] = {}
        for pk, name, short_name, code in Organization.objects.values_list(
            "id", "name", "short_name", "code"
        ):
            for key in (code, short_name, name):  # the full name wins over a short one
                if key:
                    self.organizations[key] = pk
        self.categories: dict[tuple[str, ...], int] = {}
        self.category_slugs: dict[str, int] = {}
        nodes = {c.pk: c for c in Category.objects.all()}
        for pk, node in nodes.items():
            self.categories[tuple(category_path(node, nodes).split(" / "))] = pk
            self.category_slugs[node.slug] = pk
        self.topics: dict[tuple[str, ...], int] = {}
        children: dict[str, list[int]] = {}
        topics = {t.pk: t for t in Topic.objects.all()}
        for pk, topic in topics.items():
            if topic.parent_id is None:
                self.topics[(topic.name,)] = pk
            else:
                self.topics[(topics[topic.parent_id].name, topic.name)] = pk
                children.setdefault(topic.name, []).append(pk)
        for name, pks in children.items():  # a child name alone, when it is unambiguous
            if len(pks) == 1:
                self.topics.setdefault((name,), pks[0])
        self.genres = dict(Genre.objects.values_list("name", "id"))
        user_model = get_user_model()
        self.users = dict(user_model.objects.values_list(user_model.USERNAME_FIELD, "id"))

    def _unknown(self, kind: str, name: str) -> None:
        if name not in self.unknown[kind]:
            self.unknown[kind].append(name)

    def organization(self, value) -> int | None:
        name = clean_text(value)
        if not name:
            return None
        if name in self.organizations:
            return self.organizations[name]
        if not self.create_missing:
            self._unknown("organization", name)
            return None
        pk = Organization.objects.create(name=name).pk
        self.organizations[name] = pk
        self.created["organization"].append(name)
        return pk

    def genre(self, value) -> int | None:
        name = clean_text(value)
        if not name:
            return None
        if name in self.genres:
            return self.genres[name]
        if not self.create_missing:
            self._unknown("genre", name)
            return None
        pk = Genre.objects.create(name=name).pk
        self.genres[name] = pk
        self.created["genre"].append(name)
        return pk

    def topic(self, value) -> int | None:
        parts = tuple(split_topic(value))
        if not parts:
            return None
        if len(parts) > 2:
            parts = (parts[0], parts[-1])
        if parts in self.topics:
            return self.topics[parts]
        if not self.create_missing:
            self._unknown("topic", "--".join(parts))
            return None
        parent_id = None
        if len(parts) == 2:
            parent_id = self.topics.get(parts[:1])
            if parent_id is None:
                parent_id = Topic.objects.create(name=parts[0]).pk
                self.topics[parts[:1]] = parent_id
        pk = Topic.objects.create(name=parts[-1], parent_id=parent_id).pk
        self.topics[parts] = pk
        self.created["topic"].append("--".join(parts))
        return pk

    def category(self, value) -> int | None:
        text = clean_text(value)
        if not text:
            return None
        if text in self.category_slugs:
            return self.category_slugs[text]
        parts = tuple(split_path(text))
        if not parts:
            return None
        if parts in self.categories:
            return self.categories[parts]
        suffix = [pk for path, pk in self.categories.items() if path[-len(parts) :] == parts]
        if len(suffix) == 1:  # a path given from below the root (信息公开目录 / 规划计划)
            self.categories[parts] = suffix[0]
            return suffix[0]
        if not self.create_missing:
            self._unknown("category", " / ".join(parts))
            return None
        parent_id = None
        for depth in range(1, len(parts) + 1):
            path = parts[:depth]
            if path not in self.categories:
                slug = "import-" + hashlib.sha1(" / ".join(path).encode()).hexdigest()[:12]  # noqa: S324
                self.categories[path] = Category.objects.create(
                    name=path[-1], parent_id=parent_id, slug=slug
                ).pk
                self.created["category"].append(" / ".join(path))
            parent_id = self.categories[path]
        return parent_id

    def user(self, value) -> int | None:
        """Workflow actors by account name; an account this site lacks is left empty."""
        return self.users.get(clean_text(value))
