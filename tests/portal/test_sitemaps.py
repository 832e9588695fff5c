"""sitemap.xml (portal/sitemaps.py), robots.txt and the 网站地图 page."""

import re

import pytest

from tests.factories import make_published_record, make_record


def sitemap_urls(client) -> list[str]:
    index = client.get("/sitemap.xml").content.decode()
    urls = []
    for section in re.findall(r"<loc>([^<]+)</loc>", index):
        urls += re.findall(r"<loc>([^<]+)</loc>", client.get(section).content.decode())
    return urls


@pytest.mark.django_db
def test_sitemap_lists_every_published_record_in_both_scripts(client):
    published = [make_published_record() for _ in range(3)]
    draft = make_record()
    urls = sitemap_urls(client)
    for record in published:
        assert f"http://testserver/records/{record.pk}/" in urls
        assert f"http://testserver/zh-hant/records/{record.pk}/" in urls
    assert not [u for u in urls if u.endswith(f"/records/{draft.pk}/")]


@pytest.mark.django_db
def test_sitemap_gives_hreflang_alternates(client):
    record = make_published_record()
    index = client.get("/sitemap.xml").content.decode()
    section = next(u for u in re.findall(r"<loc>([^<]+)</loc>", index) if "records" in u)
    xml = client.get(section).content.decode()
    assert (
        f'<xhtml:link rel="alternate" hreflang="zh-hant" href="http://testserver/zh-hant/records/{record.pk}/"/>'
        in xml
    )


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


@pytest.mark.django_db
def test_site_map_page_lists_the_catalogue_in_both_scripts(client, vocabulary):
    markup = client.get("/sitemap/").content.decode()
    assert "<h1>网站地图</h1>" in markup
    assert 'href="/catalogue/plans/">规划计划' in markup
    hant = client.get("/zh-hant/sitemap/").content.decode()
    assert "<h1>網站地圖</h1>" in hant
    assert 'href="/zh-hant/catalogue/plans/">規劃計劃' in hant


@pytest.mark.django_db
def test_every_page_links_the_site_map_in_its_footer(client):
    assert 'href="/sitemap/">网站地图' in client.get("/").content.decode()


@pytest.mark.django_db
def test_sitemap_lists_every_public_page_kind(client, seed_data):
    """Issue 19 item 5: the annual reports, the request form and the plan tracker too."""
    from plans.selectors import public_plans

    urls = sitemap_urls(client)
    for path in ("/", "/records/", "/annual-reports/", "/plans/", "/requests/apply/"):
        assert f"http://testserver{path}" in urls
        assert f"http://testserver/zh-hant{path}" in urls
    for plan in public_plans():
        assert f"http://testserver/plans/{plan.record_id}/" in urls
    assert "http://testserver/catalogue/plans/" in urls


@pytest.mark.django_db
def test_annual_report_in_sitemap_only_while_its_record_is_public(client, vocabulary):
    from reports.models import AnnualReport

    record = make_published_record()
    draft = make_record()
    public = AnnualReport.objects.create(organization=record.organization, year=2024, record=record)
    hidden = AnnualReport.objects.create(organization=draft.organization, year=2024, record=draft)
    urls = sitemap_urls(client)
    assert f"http://testserver/annual-reports/{public.pk}/" in urls
    assert f"http://testserver/annual-reports/{hidden.pk}/" not in urls


@pytest.mark.django_db
def test_records_sitemap_files_stay_within_the_protocol(client, monkeypatch):
    """Each records file holds one fixed block of ids: ≤ 50,000 URLs however many records."""
    from portal import sitemaps

    monkeypatch.setattr(sitemaps, "RECORDS_PER_FILE", 2)
    records = [make_published_record() for _ in range(5)]
    index = client.get("/sitemap.xml").content.decode()
    files = [u for u in re.findall(r"<loc>([^<]+)</loc>", index) if "sitemap-records-" in u]
    assert len(files) == -(-records[-1].pk // 2)
    seen = []
    for url in files:
        xml = client.get(url).content.decode()
        locs = re.findall(r"<url><loc>([^<]+)</loc>", xml)
        assert len(locs) <= 2 * len(sitemaps.LANGUAGES)
        seen += locs
    for record in records:
        assert f"http://testserver/records/{record.pk}/" in seen
    assert sitemaps.RECORDS_PER_FILE * len(sitemaps.LANGUAGES) <= 50_000
    last = int(files[-1].rsplit("-", 1)[1].split(".")[0])
    assert client.get(f"/sitemap-records-{last + 1}.xml").status_code == 404


@pytest.mark.django_db
def test_record_lastmod_is_its_publication_not_its_last_database_change(client):
    import datetime

    from django.utils import timezone

    published = timezone.make_aware(datetime.datetime(2021, 3, 4, 10, 0))
    record = make_published_record(published_at=published)
    record.save()  # a later database change (e.g. an internal field): no news to a crawler
    index = client.get("/sitemap.xml").content.decode()
    xml = "".join(
        client.get(u).content.decode()
        for u in re.findall(r"<loc>([^<]+)</loc>", index)
        if "sitemap-records-" in u
    )
    entry = re.search(rf"<url><loc>http://testserver/records/{record.pk}/</loc>(.*?)</url>", xml)
    assert "<lastmod>2021-03-04</lastmod>" in entry.group(1)


@pytest.mark.django_db
def test_guide_in_sitemap_once_a_guide_exists(client, vocabulary):
    from tests.portal.test_guide import make_guide

    assert "http://testserver/guide/" not in sitemap_urls(client)
    make_guide()
    urls = sitemap_urls(client)
    assert "http://testserver/guide/" in urls
    assert "http://testserver/zh-hant/guide/" in urls
