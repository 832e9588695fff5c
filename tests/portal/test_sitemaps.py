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
