"""One subtree rule for organizations: a bureau's records include those of its departments at
every depth, in the public listing filter and feed exactly as in staff scope."""

import pytest
from django.urls import reverse

from disclosure.filters import filter_records
from disclosure.roles import REVIEWER, scope_records
from disclosure.selectors import public_records
from tests.factories import make_organization, make_published_record, make_staff


@pytest.fixture
def tree():
    bureau = make_organization(name="市教育局")
    office = make_organization(name="基础教育处", parent=bureau)
    section = make_organization(name="基础教育处学前科", parent=office)
    other = make_organization(name="市卫健委")
    return {
        "bureau": bureau,
        "records": [
            make_published_record(organization=org, title=f"{org.name}的文件")
            for org in (bureau, office, section)
        ],
        "other": make_published_record(organization=other, title="别的机构的文件"),
    }


@pytest.mark.django_db
def test_the_listing_filter_includes_departments_of_departments(tree):
    _, found = filter_records(
        data={"organization": str(tree["bureau"].pk)}, queryset=public_records()
    )
    assert set(found) == set(tree["records"])


@pytest.mark.django_db
def test_the_organization_feed_includes_departments_of_departments(client, tree):
    feed = client.get(reverse("portal:feed_organization", args=[tree["bureau"].pk]))
    text = feed.content.decode()
    for record in tree["records"]:
        assert record.title in text
    assert tree["other"].title not in text


@pytest.mark.django_db
def test_public_and_staff_scope_use_the_same_subtree(tree):
    reviewer = make_staff(REVIEWER, organization=tree["bureau"])
    public = set(public_records().of_organization(tree["bureau"]))
    assert public == set(tree["records"])
    assert public == set(scope_records(reviewer, public_records()))
