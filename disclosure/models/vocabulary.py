"""Controlled vocabularies a record points to: 发布机构, 目录, 主题, 体裁, 关键词."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from disclosure.choices import NationalColumn

DEFAULT_INDEX_FORMAT = "{code}/{year}-{serial:05d}"


class Organization(models.Model):
    """A bureau or one of its departments (a city platform hosts many of both).

    The organization code numbers the index numbers (信息索引号). Departments usually have none
    of their own and number under their parent's code, as real sites do.
    """

    name = models.CharField("机构名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=50, blank=True)
    code = models.CharField(
        "组织机构代码",
        max_length=18,
        blank=True,
        help_text="9 位组织机构代码(不含连字符)或 18 位统一社会信用代码;留空则沿用上级机构的代码。",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    index_format = models.CharField(
        "索引号格式",
        max_length=60,
        blank=True,
        help_text="可用 {code} {year} {serial};如 {code}/{year}-{serial:05d}。留空则沿用上级机构。",
    )
    ordering = models.PositiveIntegerField("排序", default=0)
    accepts_requests = models.BooleanField(
        "受理政府信息公开申请",
        default=True,
        help_text="行政机关勾选;内设处室、科室不是受理机关,不勾选(申请表只列出勾选的机关)。",
    )

    class Meta:
        verbose_name = "发布机构"
        verbose_name_plural = "发布机构"
        ordering = ["ordering", "name"]
        constraints = [
            models.CheckConstraint(
                name="organization_code_format",
                condition=Q(code="") | Q(code__regex=r"^([0-9A-Z]{9}|[0-9A-Z]{18})$"),
                violation_error_message="组织机构代码须为 9 位或 18 位数字/大写字母。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.index_format:
            from disclosure.numbering import validate_index_format

            validate_index_format(self.index_format)
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": "上级机构不能是自身或其下级机构。"})
            ancestor = ancestor.parent

    def numbering_authority(self) -> Organization | None:
        """The nearest organization (self or an ancestor) that has its own code."""
        org: Organization | None = self
        while org is not None:
            if org.code:
                return org
            org = org.parent
        return None

    def subtree_ids(self) -> set[int]:
        """This organization and every department below it, from one query of the tree."""
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in Organization.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        ids, stack = set(), [self.pk]
        while stack:
            pk = stack.pop()
            if pk not in ids:
                ids.add(pk)
                stack.extend(children.get(pk, []))
        return ids

    def effective_index_format(self) -> str:
        org: Organization | None = self
        while org is not None:
            if org.index_format:
                return org.index_format
            org = org.parent
        return DEFAULT_INDEX_FORMAT


class Category(models.Model):
    """A node of the 政府信息公开 column tree; the breadcrumb is its path from the root."""

    name = models.CharField("栏目名称", max_length=100)
    slug = models.SlugField("路径名", max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级栏目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    national_column = models.CharField(
        "对应国家规定栏目",
        max_length=20,
        choices=NationalColumn.choices,
        blank=True,
        help_text="本栏目对应国办公开办函〔2019〕61号规定的哪个一级栏目。",
    )
    description = models.TextField("栏目说明", blank=True)
    ordering = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "信息公开目录"
        verbose_name_plural = "信息公开目录"
        ordering = ["ordering", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="category_unique_name_per_parent"
            ),
        ]

    def __str__(self) -> str:
        return " / ".join(node.name for node in self.ancestors_and_self())

    def get_absolute_url(self) -> str:
        return reverse("portal:category", kwargs={"slug": self.slug})

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": "上级栏目不能是自身或其下级栏目。"})
            ancestor = ancestor.parent

    def ancestors_and_self(self) -> list[Category]:
        path: list[Category] = []
        node: Category | None = self
        while node is not None:
            path.append(node)
            node = node.parent
        return list(reversed(path))

    def descendant_ids(self) -> list[int]:
        """Ids of this node and every node below it (the tree is small: a few hundred nodes)."""
        by_parent: dict[int | None, list[int]] = {}
        for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
            by_parent.setdefault(parent_id, []).append(pk)
        found, stack = [], [self.pk]
        while stack:
            pk = stack.pop()
            found.append(pk)
            stack.extend(by_parent.get(pk, []))
        return found


class Topic(models.Model):
    """主题分类: the two-level tree of the State Council policy library (科技、教育--教育)."""

    name = models.CharField("主题名称", max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级主题",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    ordering = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "主题分类"
        verbose_name_plural = "主题分类"
        ordering = ["ordering", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="topic_unique_name_per_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent=None), name="topic_unique_top_level_name"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.parent_id is None or self.parent is None:
            return self.name
        return f"{self.parent.name}--{self.name}"

    def clean(self) -> None:
        if self.parent is not None and self.parent.parent_id is not None:
            raise ValidationError({"parent": "主题分类只有两级:上级主题必须是一级主题。"})


class Genre(models.Model):
    """体裁: the 15 document types of the 党政机关公文处理工作条例 plus 规划, 计划, 总结, 其他."""

    name = models.CharField("体裁名称", max_length=30, unique=True)
    ordering = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "体裁"
        verbose_name_plural = "体裁"
        ordering = ["ordering", "id"]

    def __str__(self) -> str:
        return self.name


class Keyword(models.Model):
    name = models.CharField("关键词", max_length=50, unique=True)

    class Meta:
        verbose_name = "关键词"
        verbose_name_plural = "关键词"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IndexSerialCounter(models.Model):
    """The last serial handed out for one numbering code and year.

    Locked row by row (SELECT ... FOR UPDATE) while a number is assigned, so concurrent
    publications queue on it instead of racing on max()+1; see disclosure.numbering.
    """

    code = models.CharField("机构代码", max_length=18)
    year = models.PositiveSmallIntegerField("年度")
    last_serial = models.PositiveIntegerField("已用最大序号", default=0)

    class Meta:
        verbose_name = "索引号计数器"
        verbose_name_plural = "索引号计数器"
        constraints = [
            models.UniqueConstraint(fields=["code", "year"], name="index_counter_unique_code_year"),
        ]

    def __str__(self) -> str:
        return f"{self.code}/{self.year}: {self.last_serial}"


class VocabularyAlias(models.Model):
    """Another spelling of a controlled value, so an import finds the value by it.

    Written when an import creates a value from a Traditional or full-width spelling (the value
    is named in Simplified) and when two values are merged (the merged one's name lives on
    here). `key` is `disclosure.convert.matching_key(name)`: one alias per key and kind.
    """

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", "发布机构"
        CATEGORY = "category", "目录"
        TOPIC = "topic", "主题"
        GENRE = "genre", "体裁"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    name = models.CharField("别名", max_length=100)
    key = models.CharField("比对形式", max_length=100, editable=False)
    organization = models.ForeignKey(
        Organization, verbose_name="发布机构", null=True, blank=True, on_delete=models.CASCADE,
        related_name="aliases",
    )  # fmt: skip
    category = models.ForeignKey(
        Category, verbose_name="目录", null=True, blank=True, on_delete=models.CASCADE,
        related_name="aliases",
    )  # fmt: skip
    topic = models.ForeignKey(
        Topic, verbose_name="主题", null=True, blank=True, on_delete=models.CASCADE,
        related_name="aliases",
    )  # fmt: skip
    genre = models.ForeignKey(
        Genre, verbose_name="体裁", null=True, blank=True, on_delete=models.CASCADE,
        related_name="aliases",
    )  # fmt: skip
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "别名"
        verbose_name_plural = "别名(导入时匹配的其他写法)"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="alias_unique_key_per_kind"),
            models.CheckConstraint(
                name="alias_points_to_its_kind",
                condition=(
                    Q(kind="organization", organization__isnull=False, category=None,
                      topic=None, genre=None)
                    | Q(kind="category", category__isnull=False, organization=None,
                        topic=None, genre=None)
                    | Q(kind="topic", topic__isnull=False, organization=None,
                        category=None, genre=None)
                    | Q(kind="genre", genre__isnull=False, organization=None,
                        category=None, topic=None)
                ),
                violation_error_message="别名须指向与其类型相同的一个值。",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.name} → {self.target}"

    def save(self, *args, **kwargs) -> None:
        from disclosure.convert import matching_key

        self.key = matching_key(self.name)
        super().save(*args, **kwargs)

    @property
    def target(self) -> models.Model | None:
        return getattr(self, self.kind)
