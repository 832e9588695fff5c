"""Masked personal data must not be recoverable through the admin (issue 13, item 2).

A filter, a search or a sort on a masked field answers yes/no questions about the hidden value,
which is enough to read an ID number digit by digit; so for users who may not see personal data
every lookup type on every personal field is refused, directly or through a related path.
"""

import pytest
from django.urls import reverse

from applications.models import InformationRequest, RequestEvent
from applications.privacy import PERSONAL_FIELDS, can_see_personal_data, reaches_personal_field
from disclosure.roles import AUDITOR, PUBLISHER, REVIEWER
from tests.factories import make_organization, make_request, make_staff

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:applications_informationrequest_changelist")
REQUEST_PERSONAL = PERSONAL_FIELDS["applications.informationrequest"]


def _lookup_names() -> list[tuple[str, str]]:
    """Every (personal field, lookup) pair Django knows for the field, `exact` written bare."""
    pairs = []
    for name in REQUEST_PERSONAL:
        field = InformationRequest._meta.get_field(name)
        pairs.append((name, ""))
        pairs += [(name, lookup) for lookup in sorted(field.get_lookups())]
    return pairs


def _value(lookup: str, prefix: str) -> str:
    return {"isnull": "0", "range": f"{prefix},{prefix}9", "in": f"{prefix},x"}.get(lookup, prefix)


def _param(path: str, lookup: str) -> str:
    return f"{path}__{lookup}" if lookup else path


@pytest.fixture
def wuxi():
    return make_organization(name="无锡市教育局")


@pytest.fixture
def two_requests(wuxi):
    make_request(
        organization=wuxi,
        id_number="320282198503070016",
        phone="13800138000",
        email="lisi@example.org",
        address="江苏省宜兴市宜城街道人民路8号",
    )
    make_request(organization=wuxi, id_number="11010519491231002X", phone="13912345678")


#: A prefix of the first request's value of each personal field.
PREFIXES = {
    "phone": "1380013",
    "id_number": "320282198503",
    "email": "lisi@",
    "address": "江苏省宜兴市",
    "legal_representative": "李",
    "contact_person": "李",
    "contact_phone": "1380013",
    "fax": "0510",
}


def test_every_personal_field_has_a_prefix_here():
    assert set(PREFIXES) == set(REQUEST_PERSONAL)


def rows(response) -> int:
    return response.context["cl"].result_count


@pytest.mark.parametrize(("field", "lookup"), _lookup_names())
@pytest.mark.parametrize("role", [PUBLISHER, AUDITOR])
def test_every_lookup_on_a_personal_field_is_refused_without_the_permission(
    client, wuxi, two_requests, role, field, lookup
):
    user = make_staff(role, organization=wuxi)
    assert not can_see_personal_data(user)
    client.force_login(user)
    prefix = PREFIXES[field]
    for path in (field, f"events__request__{field}"):
        for value in (_value(lookup, prefix), _value(lookup, prefix[:-1] + "9")):
            response = client.get(CHANGELIST, {_param(path, lookup): value})
            assert response.status_code == 400, (path, lookup, value)
            assert b"13800138000" not in response.content


@pytest.mark.parametrize("field", REQUEST_PERSONAL)
@pytest.mark.parametrize("role", [PUBLISHER, AUDITOR])
def test_search_does_not_match_personal_fields_without_the_permission(
    client, wuxi, two_requests, role, field
):
    client.force_login(make_staff(role, organization=wuxi))
    value = PREFIXES[field]
    assert rows(client.get(CHANGELIST, {"q": value})) == 0


@pytest.mark.parametrize("role", [PUBLISHER, AUDITOR])
def test_sorting_by_any_column_does_not_follow_a_personal_field(client, wuxi, role):
    """The masked columns are not sortable: `?o=N` for every column, both directions."""
    first = make_request(organization=wuxi, phone="13100000000", id_number="110105194912310011")
    second = make_request(organization=wuxi, phone="13900000000", id_number="320282198503070016")
    client.force_login(make_staff(role, organization=wuxi))
    default = [r.pk for r in client.get(CHANGELIST).context["cl"].result_list]
    assert default == [second.pk, first.pk]
    columns = client.get(CHANGELIST).context["cl"].list_display
    for index, name in enumerate(columns):
        for order in (str(index), f"-{index}"):
            listed = [r.pk for r in client.get(CHANGELIST, {"o": order}).context["cl"].result_list]
            if name.startswith("masked_"):
                assert listed == default, (name, order)


def test_handlers_who_may_see_personal_data_filter_and_search_by_them(client, wuxi, two_requests):
    client.force_login(make_staff(REVIEWER, organization=wuxi))
    assert rows(client.get(CHANGELIST, {"phone__startswith": "1380013"})) == 1
    assert rows(client.get(CHANGELIST, {"phone__startswith": "1380014"})) == 0
    assert rows(client.get(CHANGELIST, {"q": "320282198503070016"})) == 1


@pytest.mark.parametrize(
    ("admin_url", "param"),
    [
        ("admin:disclosure_organization_changelist", "information_requests__phone__startswith"),
        (
            "admin:reports_annualreport_changelist",
            "organization__information_requests__id_number__regex",
        ),
    ],
)
def test_other_admins_refuse_paths_to_personal_fields(client, wuxi, two_requests, admin_url, param):
    client.force_login(make_staff(AUDITOR, organization=wuxi))
    assert client.get(reverse(admin_url), {param: "13800"}).status_code == 400


def test_reaches_personal_field_follows_relations_and_ordering():
    assert reaches_personal_field(InformationRequest, "phone")
    assert reaches_personal_field(InformationRequest, "-id_number")
    assert reaches_personal_field(InformationRequest, "id_number__regex")
    assert reaches_personal_field(RequestEvent, "request__phone__startswith")
    assert not reaches_personal_field(InformationRequest, "organization__name__startswith")
    assert not reaches_personal_field(RequestEvent, "note__contains")


def test_the_request_events_carry_no_personal_field():
    """The history (办理记录) and the audit log are not masked: they must not hold the data."""
    assert not {f.name for f in RequestEvent._meta.fields} & set(REQUEST_PERSONAL)


FULL = ["13800138000", "320282198503070016", "lisi@example.org", "宜城街道人民路8号"]


@pytest.mark.parametrize("role", [PUBLISHER, AUDITOR])
def test_list_and_detail_show_personal_fields_masked(client, wuxi, two_requests, role):
    client.force_login(make_staff(role, organization=wuxi))
    request = InformationRequest.objects.get(phone="13800138000")
    detail = client.get(reverse("admin:applications_informationrequest_change", args=[request.pk]))
    for page in (client.get(CHANGELIST).content.decode(), detail.content.decode()):
        assert not [value for value in FULL if value in page]
    detail = detail.content.decode()
    assert "138****8000" in detail and "l***@example.org" in detail and "江苏省宜兴市****" in detail


def test_handlers_see_the_personal_fields_in_full(client, wuxi, two_requests):
    client.force_login(make_staff(REVIEWER, organization=wuxi))
    request = InformationRequest.objects.get(phone="13800138000")
    detail = client.get(reverse("admin:applications_informationrequest_change", args=[request.pk]))
    assert all(value in detail.content.decode() for value in FULL)
