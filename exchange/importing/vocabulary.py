"""Resolving names in an imported file to the controlled vocabularies (or creating them).

Unknown names are collected, not guessed: the report lists every unknown organization,
catalogue node, topic and genre at once, and `--create-missing` creates exactly those.

Names are compared by `disclosure.convert.matching_key` (issue 15): 宜興市人民政府網站, the
full-width or space-padded forms and 宜兴市人民政府网站 are one organization. A value created
from another spelling is named in Simplified, and that spelling is kept as a `VocabularyAlias`;
aliases (also left by merging two values) are matched like names.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.contrib.auth import get_user_model

from disclosure.convert import matching_key, to_simplified
from disclosure.models import Category, Genre, Organization, Topic, VocabularyAlias
from exchange.importing.normalize import clean_text, split_path, split_topic
from exchange.record_rows import category_path

KINDS = {"organization": "发布机构", "category": "目录", "topic": "主题", "genre": "体裁"}

_key = matching_key
#: where the issuing body's abbreviation ends in a 文号: 宜政办发〔2020〕12号, 锡教[2021]3号
_DOC_PREFIX = re.compile(r"[〔\[(（【［{]|\d{4}")
_DOC_SUFFIXES = {"发", "函", "字", "文", "规", "办"}


def simplified_name(text: str) -> str:
    """The name a value created from `text` gets: half-width, single-spaced, Simplified."""
    return to_simplified(" ".join(unicodedata.normalize("NFKC", text).split()))


def _path_key(parts) -> tuple[str, ...]:
    return tuple(_key(part) for part in parts)


class VocabularyResolver:
    def __init__(self, *, create_missing: bool) -> None:
        self.create_missing = create_missing
        self.unknown: dict[str, list[str]] = {kind: [] for kind in KINDS}
        self.created: dict[str, list[str]] = {kind: [] for kind in KINDS}
        #: kind → {spelling in the file: the value's name}, for spellings that differ from it
        self.matched: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
        self.aliases: list[VocabularyAlias] = []
        self.names: dict[str, dict[int, str]] = {kind: {} for kind in KINDS}
        self.organizations: dict[str, int] = {}
        for pk, name, short_name, code in Organization.objects.values_list(
            "id", "name", "short_name", "code"
        ):
            self.names["organization"][pk] = name
            for key in (code, short_name, name):  # the full name wins over a short one
                if key:
                    self.organizations[_key(key)] = pk
        self.categories: dict[tuple[str, ...], int] = {}
        self.category_slugs: dict[str, int] = {}
        nodes = {c.pk: c for c in Category.objects.all()}
        for pk, node in nodes.items():
            path = category_path(node, nodes)
            self.names["category"][pk] = path
            self.categories[_path_key(path.split(" / "))] = pk
            self.category_slugs[node.slug] = pk
        self.topics: dict[tuple[str, ...], int] = {}
        children: dict[str, list[int]] = {}
        topics = {t.pk: t for t in Topic.objects.all()}
        for pk, topic in topics.items():
            if topic.parent_id is None:
                self.topics[(_key(topic.name),)] = pk
                self.names["topic"][pk] = topic.name
            else:
                parent = topics[topic.parent_id].name
                self.topics[(_key(parent), _key(topic.name))] = pk
                self.names["topic"][pk] = f"{parent}--{topic.name}"
                children.setdefault(_key(topic.name), []).append(pk)
        for name, pks in children.items():  # a child name alone, when it is unambiguous
            if len(pks) == 1:
                self.topics.setdefault((name,), pks[0])
        self.genres = {}
        for pk, name in Genre.objects.values_list("id", "name"):
            self.genres[_key(name)] = pk
            self.names["genre"][pk] = name
        self._load_aliases()
        user_model = get_user_model()
        self.users = dict(user_model.objects.values_list(user_model.USERNAME_FIELD, "id"))

    def _load_aliases(self) -> None:
        """Aliases never shadow a value's own name: they only fill keys no name took."""
        for alias in VocabularyAlias.objects.all():
            pk = getattr(alias, f"{alias.kind}_id")
            if alias.kind == "organization":
                self.organizations.setdefault(alias.key, pk)
            elif alias.kind == "genre":
                self.genres.setdefault(alias.key, pk)
            elif alias.kind == "topic":
                self.topics.setdefault(_path_key(split_topic(alias.name)) or (alias.key,), pk)
            else:
                self.categories.setdefault(_path_key(split_path(alias.name)), pk)

    def _unknown(self, kind: str, name: str) -> None:
        if name not in self.unknown[kind]:
            self.unknown[kind].append(name)

    def _found(self, kind: str, given: str, pk: int) -> int:
        name = self.names[kind].get(pk)
        if name is not None and given != name:
            self.matched[kind].setdefault(given, name)
        return pk

    def _made(self, kind: str, given: str, name: str, obj) -> int:
        """Note a created value, and keep the file's spelling as an alias when it differs."""
        self.created[kind].append(name)
        self.names[kind][obj.pk] = name
        if given != name:
            alias = VocabularyAlias(kind=kind, name=given[:100], **{kind: obj})
            alias.save()
            self.aliases.append(alias)
            self.matched[kind].setdefault(given, name)
        return obj.pk

    def organization(self, value) -> int | None:
        given = clean_text(value)
        if not given:
            return None
        key = _key(given)
        if key in self.organizations:
            return self._found("organization", given, self.organizations[key])
        if not self.create_missing:
            self._unknown("organization", given)
            return None
        name = simplified_name(given)
        org = Organization.objects.create(name=name)
        self.organizations[key] = org.pk
        return self._made("organization", given, name, org)

    def find_organization(self, value, *, document_number: bool = False) -> int | None:
        """An existing organization a 来源 names, or whose short name starts a 文号
        (宜政办发〔2020〕12号 → 宜政办); never creates one."""
        text = clean_text(value)
        if not text:
            return None
        if not document_number:
            pk = self.organizations.get(_key(text))
        else:
            prefix = _DOC_PREFIX.split(text, maxsplit=1)[0].strip()
            pk = self.organizations.get(_key(prefix)) if prefix else None
            if pk is None and prefix[-1:] in _DOC_SUFFIXES:
                pk = self.organizations.get(_key(prefix[:-1]))
        return pk

    def genre(self, value) -> int | None:
        given = clean_text(value)
        if not given:
            return None
        key = _key(given)
        if key in self.genres:
            return self._found("genre", given, self.genres[key])
        if not self.create_missing:
            self._unknown("genre", given)
            return None
        name = simplified_name(given)
        genre = Genre.objects.create(name=name)
        self.genres[key] = genre.pk
        return self._made("genre", given, name, genre)

    def topic(self, value) -> int | None:
        parts = tuple(split_topic(value))
        if not parts:
            return None
        if len(parts) > 2:
            parts = (parts[0], parts[-1])
        given = "--".join(parts)
        keys = _path_key(parts)
        if keys in self.topics:
            return self._found("topic", given, self.topics[keys])
        if not self.create_missing:
            self._unknown("topic", given)
            return None
        names = tuple(simplified_name(part) for part in parts)
        parent_id = None
        if len(parts) == 2:
            parent_id = self.topics.get(keys[:1])
            if parent_id is None:
                parent = Topic.objects.create(name=names[0])
                parent_id = self.topics[keys[:1]] = parent.pk
                self.names["topic"][parent_id] = names[0]
        topic = Topic.objects.create(name=names[-1], parent_id=parent_id)
        self.topics[keys] = topic.pk
        parent_name = self.names["topic"].get(parent_id) if parent_id else None
        name = f"{parent_name}--{names[-1]}" if parent_name else names[-1]
        return self._made("topic", given, name, topic)

    def category(self, value) -> int | None:
        text = clean_text(value)
        if not text:
            return None
        if text in self.category_slugs:
            return self.category_slugs[text]
        parts = tuple(split_path(text))
        if not parts:
            return None
        keys = _path_key(parts)
        given = " / ".join(parts)
        if keys in self.categories:
            return self._found("category", given, self.categories[keys])
        suffix = [pk for path, pk in self.categories.items() if path[-len(keys) :] == keys]
        if len(suffix) == 1:  # a path given from below the root (信息公开目录 / 规划计划)
            self.categories[keys] = suffix[0]
            return suffix[0]
        if not self.create_missing:
            self._unknown("category", given)
            return None
        parent_id = None
        for depth in range(1, len(parts) + 1):
            path = keys[:depth]
            if path not in self.categories:
                name = simplified_name(parts[depth - 1])
                shown = " / ".join(simplified_name(p) for p in parts[:depth])
                slug = "import-" + hashlib.sha1(shown.encode()).hexdigest()[:12]  # noqa: S324
                node = Category.objects.create(name=name, parent_id=parent_id, slug=slug)
                self.categories[path] = node.pk
                self.created["category"].append(shown)
                self.names["category"][node.pk] = shown
            parent_id = self.categories[path]
        return parent_id

    def user(self, value) -> int | None:
        """Workflow actors by account name; an account this site lacks is left empty."""
        return self.users.get(clean_text(value))
