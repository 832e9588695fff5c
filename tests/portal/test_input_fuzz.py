"""No public URL answers 500, whatever its parameters (issue 13: `?page=²` gave 500).

Every public page, feed, sitemap and API endpoint, in both scripts, with published records
present, is asked with each of its parameters set to values that break naive parsing: digits
that `str.isdigit()` accepts and `int()` refuses (², ①), digits `int()` accepts although no
reader types them (full-width １２, Arabic-Indic ٣), numbers past every column's range, floats,
control characters. Hypothesis then combines parameters and values at random, within a bounded
number of examples (derandomized, so a failure in CI is the same failure on a laptop).
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from disclosure.filters import RecordFilter
from disclosure.models import Attachment, DisclosureRecord
from reports.models import AnnualReport
from search import rebuild_index
from tests.factories import make_published_record, make_record

BAD_NUMBERS = ["²", "①", "１２", "2147483648", "9" * 30, "1" * 4400, "2.02e3", "\x00"]
#: Parameters that carry a number (or a key): each is tried with every bad number.
NUMBERS = {"page", "organization", "topic", "genre", "year", "p", "page_size"}
#: Every parameter the public listing takes: its FilterSet's, so a new filter is fuzzed too.
LISTING = ("page", *RecordFilter.base_filters)
API_LISTING = ("q", "page_size", "script", *LISTING)
HUGE_KEYS = ["0", "2147483648", "9223372036854775808", "9" * 30]


@pytest.fixture
def site(seed_data) -> dict:
    """Published records with an attachment, a plan (the seed record) and an annual report."""
    record = make_published_record(title="教育工作要点", summary="概述 & <b>要点</b>")
    make_record(title="草稿")
    attachment = Attachment.objects.create(
        record=record,
        title="附件",
        original_name="要点.pdf",
        file=ContentFile(b"%PDF-1.4 test", name="x.pdf"),
        size=13,
        content_type="application/pdf",
    )
    report_record = make_published_record(title="2023年政府信息公开工作年度报告")
    report = AnnualReport.objects.create(
        organization=report_record.organization, year=2023, record=report_record
    )
    rebuild_index()
    seed = DisclosureRecord.objects.get(index_number="014006470/2020-00120")
    return {
        "record": record,
        "seed": seed,
        "attachment": attachment,
        "report": report,
    }


def public_targets(site: dict) -> list[tuple[str, tuple[str, ...]]]:
    """(path, parameters the page reads) for every public URL, before the script prefix."""
    record, seed = site["record"], site["seed"]
    slug, organization = record.category.slug, record.organization_id
    return [
        ("/", ()),
        # The same listing code as /records/ (catalogue._listing): its page, once more.
        (f"/catalogue/{slug}/", ("page",)),
        ("/records/", LISTING),
        (f"/records/{record.pk}/", ()),
        (f"/records/{record.pk}/print/", ()),
        ("/search/", ("q", *LISTING)),
        ("/plans/", ("year", "organization", "status")),
        (f"/plans/{seed.pk}/", ("status",)),
        ("/annual-reports/", ()),
        (f"/annual-reports/{site['report'].pk}/", ()),
        (f"/annual-reports/{site['report'].pk}/xlsx/", ()),
        (f"/attachments/{site['attachment'].pk}/", ()),
        ("/requests/apply/", ()),
        ("/requests/status/", ()),
        ("/requests/receipt/", ()),
        ("/sitemap/", ()),
        ("/prefs/font-size/", ("size", "next")),
        ("/prefs.css", ()),
        ("/feeds/latest/", ()),
        (f"/feeds/catalogue/{slug}/", ()),
        (f"/feeds/organization/{organization}/", ()),
    ]


def targets(site: dict, scripts=("", "/zh-hant")) -> list[tuple[str, tuple[str, ...]]]:
    """Every public URL in both scripts, the sitemaps and the API, each with its parameters."""
    index = site["seed"].index_number
    scripted = [
        (prefix + path, ("page", *params) if "page" not in params else params)
        for prefix in scripts
        for path, params in public_targets(site)
    ]
    return [
        *scripted,
        ("/robots.txt", ()),
        ("/sitemap.xml", ("p",)),
        ("/sitemap-records.xml", ("p",)),
        ("/sitemap-catalogue.xml", ("p",)),
        ("/sitemap-pages.xml", ("p",)),
        ("/api/records", API_LISTING),
        (f"/api/records/{index}", ("script",)),
        (f"/api/records/{index}/plan", ("script",)),
        ("/api/categories", ("script",)),
        ("/api/organizations", ("script",)),
        ("/api/topics", ("script",)),
        ("/api/genres", ("script",)),
        ("/api/openapi.json", ()),
    ]


def numbered_paths() -> list[str]:
    """Paths whose number is part of the path, with numbers past every key's range."""
    templates = [
        "/records/{}/",
        "/records/{}/print/",
        "/zh-hant/records/{}/",
        "/plans/{}/",
        "/annual-reports/{}/",
        "/annual-reports/{}/xlsx/",
        "/attachments/{}/",
        "/feeds/organization/{}/",
        "/api/records/014006470/{}-00001",
        "/api/records/014006470/2020-{}",
    ]
    return [template.format(key) for template in templates for key in HUGE_KEYS]


def status_of(client: Client, method: str, url: str, data: dict[str, str]) -> int | str:
    """The status code, or the exception the view raised (the test client re-raises it)."""
    try:
        if method == "POST":
            cache.clear()  # the per-IP rate limit would otherwise answer 429 before the form
            return client.post(url, data).status_code
        query = urlencode(data)
        return client.get(f"{url}?{query}" if query else url).status_code
    except Exception as error:  # noqa: BLE001 - any exception is the 500 a reader would get
        return f"{type(error).__name__}: {str(error)[:120]}"


def server_errors(results: list[tuple[str, str, dict, int | str]]) -> list[str]:
    return [
        f"{method} {url} {str(data)[:80]} -> {status}"
        for method, url, data, status in results
        if not isinstance(status, int) or status >= 500
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/records/?page=²",
        "/records/?page=①",
        "/zh-hant/records/?page=①",
        "/plans/?year=2147483648",
        "/plans/?organization=²",
        "/plans/?organization=999999999999999999999999999999",
        "/plans/?year=" + "1" * 4400,
        "/plans/99999999999999999999/",
    ],
)
def test_reported_bad_numbers_are_not_server_errors(client, site, url):
    status = status_of(client, "GET", url, {})
    assert isinstance(status, int) and status < 500, status


@pytest.mark.django_db
def test_no_public_url_answers_500_to_a_bad_number_in_any_parameter(client, site):
    """Both scripts share every view (the middleware converts the page): Simplified here, and
    Traditional in the random combinations below."""
    results = []
    for url, params in targets(site, scripts=("",)):
        for name in NUMBERS.intersection(params):
            for value in BAD_NUMBERS:
                data = {name: value}
                results.append(("GET", url, data, status_of(client, "GET", url, data)))
    for url in numbered_paths():
        results.append(("GET", url, {}, status_of(client, "GET", url, {})))
    for value in BAD_NUMBERS:
        for data in ({"organization": value}, {"tracking_number": value, "phone": value}):
            for url in ("/requests/apply/", "/requests/status/"):
                results.append(("POST", url, data, status_of(client, "POST", url, data)))
    errors = server_errors(results)
    assert not errors, "\n".join(errors)
    assert len(results) > 300


REQUEST_FIELDS = (
    "organization",
    "applicant_type",
    "applicant_name",
    "id_type",
    "id_number",
    "phone",
    "description",
    "medium",
    "delivery",
    "tracking_number",
)
values = st.one_of(
    st.sampled_from([*BAD_NUMBERS, "٣", "-1", "0", ""]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(str),
    st.text(max_size=30),
)


@pytest.mark.django_db
def test_random_parameter_combinations_never_answer_500(client, site):
    all_targets = targets(site)
    parameter_names = sorted({name for _, params in all_targets for name in params})
    get_case = st.tuples(
        st.just("GET"),
        st.sampled_from([url for url, _ in all_targets]),
        st.dictionaries(st.sampled_from(parameter_names), values, max_size=5),
    )
    post_case = st.tuples(
        st.just("POST"),
        st.sampled_from(["/requests/apply/", "/requests/status/", "/zh-hant/requests/status/"]),
        st.dictionaries(st.sampled_from(REQUEST_FIELDS), values, max_size=6),
    )

    @given(case=st.one_of(get_case, post_case))
    @example(case=("GET", "/zh-hant/records/", {"page": "²"}))
    @example(case=("GET", "/plans/", {"year": "2147483648", "status": "done"}))
    @settings(
        max_examples=100,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        method, url, data = case
        assert server_errors([(method, url, data, status_of(client, method, url, data))]) == []

    check()
