"""Merging two organizations or topics that are the same (issue 15, item 1)."""

import pytest

from disclosure.models import AuditEntry, DisclosureRecord, Organization, Topic, VocabularyAlias
from disclosure.roles import REVIEWER
from disclosure.services.vocabulary_merge import MergeRefused, merge_organizations, merge_topics
from exchange.importing.vocabulary import VocabularyResolver
from tests.factories import make_organization, make_record, make_staff, make_topic


def superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("merger", "", "pw-123456")


@pytest.mark.django_db
def test_merging_organizations_moves_records_and_departments_and_keeps_the_name_as_alias():
    kept = make_organization(name="梁溪区民政局")
    duplicate = make_organization(name="梁溪區民政局")
    department = make_organization(name="科室", parent=duplicate)
    records = [make_record(organization=duplicate), make_record(organization=kept)]
    make_record(organization=kept, department=duplicate)
    actor = superuser()
    moved = merge_organizations(source=duplicate, target=kept, actor=actor)
    assert not Organization.objects.filter(pk=duplicate.pk).exists()
    assert DisclosureRecord.objects.filter(organization=kept).count() == 3
    assert DisclosureRecord.objects.filter(department=kept).count() == 1
    assert Organization.objects.get(pk=department.pk).parent == kept
    assert sum(moved.values()) == 3
    entry = AuditEntry.objects.latest("pk")
    assert entry.actor_name == "merger" and "梁溪區民政局" in entry.reason
    assert entry.details["merged_name"] == "梁溪區民政局"
    assert records[0].pk in DisclosureRecord.objects.filter(organization=kept).values_list(
        "pk", flat=True
    )


@pytest.mark.django_db
def test_a_merged_name_that_differs_beyond_script_is_matched_by_the_next_import():
    kept = make_organization(name="无锡市梁溪区民政局")
    duplicate = make_organization(name="梁溪民政")
    merge_organizations(source=duplicate, target=kept, actor=superuser())
    alias = VocabularyAlias.objects.get()
    assert (alias.name, alias.organization) == ("梁溪民政", kept)
    assert VocabularyResolver(create_missing=False).organization("梁溪民政") == kept.pk


@pytest.mark.django_db
def test_merging_topics_merges_their_same_named_children():
    kept, duplicate = make_topic(name="综合政务"), make_topic(name="綜合政務")
    kept_child = make_topic(name="文秘工作", parent=kept)
    twin = make_topic(name="文秘工作", parent=duplicate)
    other = make_topic(name="其他", parent=duplicate)
    record = make_record(topic=twin)
    merge_topics(source=duplicate, target=kept, actor=superuser())
    assert set(Topic.objects.values_list("name", flat=True)) == {"综合政务", "文秘工作", "其他"}
    assert DisclosureRecord.objects.get(pk=record.pk).topic == kept_child
    assert Topic.objects.get(pk=other.pk).parent == kept


@pytest.mark.django_db
def test_merge_refused_for_roles_without_permission_and_into_a_department(vocabulary):
    parent = Organization.objects.get(pk=1)
    with pytest.raises(MergeRefused, match="权限"):
        merge_organizations(
            source=Organization.objects.get(pk=2),
            target=Organization.objects.get(pk=3),
            actor=make_staff(REVIEWER, organization=parent),
        )
    with pytest.raises(MergeRefused, match="下级"):
        merge_organizations(source=parent, target=Organization.objects.get(pk=2), actor=superuser())
    assert Organization.objects.filter(pk=1).exists()
    assert not AuditEntry.objects.filter(reason__contains="合并").exists()


@pytest.mark.django_db
def test_admin_merge_action_asks_which_to_keep_then_merges(client):
    kept = make_organization(name="梁溪区民政局")
    duplicate = make_organization(name="梁溪區民政局")
    record = make_record(organization=duplicate)
    client.force_login(superuser())
    url = "/admin/disclosure/organization/"
    chosen = {"action": "merge_organizations", "_selected_action": [kept.pk, duplicate.pk]}
    page = client.post(url, chosen).content.decode()
    assert "保留哪一个" in page and "梁溪區民政局" in page
    assert Organization.objects.filter(pk=duplicate.pk).exists()
    response = client.post(url, {**chosen, "apply": "1", "keep": kept.pk}, follow=True)
    assert "已将「梁溪區民政局」并入「梁溪区民政局」" in response.content.decode()
    assert DisclosureRecord.objects.get(pk=record.pk).organization == kept
    # the two spellings fold to one: no alias is needed for the next import to match
    assert not VocabularyAlias.objects.exists()


@pytest.mark.django_db
def test_admin_lists_aliases_with_the_value_they_stand_for(client):
    kept = make_organization(name="无锡市梁溪区民政局")
    merge_organizations(source=make_organization(name="梁溪民政"), target=kept, actor=superuser())
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="merger"))
    page = client.get("/admin/disclosure/vocabularyalias/").content.decode()
    assert "梁溪民政" in page and "无锡市梁溪区民政局" in page


@pytest.mark.django_db
def test_admin_merge_action_is_not_offered_to_roles_that_cannot_delete(client, vocabulary):
    client.force_login(make_staff(REVIEWER, organization=Organization.objects.get(pk=1)))
    page = client.get("/admin/disclosure/organization/")
    assert page.status_code in (200, 403)
    assert "merge_organizations" not in page.content.decode()
