"""The data steps of applications 0002 and disclosure 0022 (issue 19, item 4): existing rows
are moved to the new vocabulary, none is lost."""

import datetime
import importlib

import pytest
from django.apps import apps

from applications.models import InformationRequest
from disclosure.models import Organization
from tests.factories import make_organization, make_request

pytestmark = pytest.mark.django_db


def test_requests_with_email_as_medium_become_electronic_documents():
    step = importlib.import_module("applications.migrations.0002_apps_applicant_fields")
    email = make_request(received_on=datetime.date(2020, 9, 30))
    paper = make_request(received_on=datetime.date(2020, 9, 30), medium="paper")
    InformationRequest.objects.filter(pk=email.pk).update(medium="email")
    step.email_medium_is_an_electronic_document(apps, None)
    email.refresh_from_db()
    paper.refresh_from_db()
    assert email.medium == "electronic" and paper.medium == "paper"
    assert InformationRequest.objects.count() == 2


def test_internal_departments_stop_being_receiving_authorities():
    step = importlib.import_module("disclosure.migrations.0022_holiday_years_and_agencies")
    government = make_organization(name="宜兴市人民政府")
    bureau = make_organization(name="宜兴市教育局", parent=government)
    office = make_organization(name="宜兴市教育局办公室", parent=bureau)
    division = make_organization(name="宜兴市教育局人事处", parent=bureau)
    step.mark_departments(apps, None)
    accepting = set(Organization.objects.filter(accepts_requests=True).values_list("pk", flat=True))
    assert accepting == {government.pk, bureau.pk}
    assert {office.pk, division.pk}.isdisjoint(accepting)
