"""Atom feeds (portal/feeds.py): latest, per catalogue node, per organization."""

import xml.etree.ElementTree as ET  # noqa: S405 - parses our own rendered feed

import pytest

from disclosure.convert import to_traditional
from tests.factories import make_category, make_organization, make_published_record, make_record


@pytest.mark.django_db
def test_latest_feed_lists_published_records_only(client):
    make_published_record(title="已发布的通知", summary="概述")
    make_record(title="草稿通知")
    response = client.get("/feeds/latest/")
    feed = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert 'xmlns="http://www.w3.org/2005/Atom"' in feed
    assert "<title>已发布的通知</title>" in feed
    assert "草稿通知" not in feed


@pytest.mark.django_db
def test_category_feed_includes_subcategories(client):
    parent = make_category()
    child = make_category(parent=parent)
    make_published_record(title="子栏目条目", category=child)
    make_published_record(title="其他栏目条目")
    feed = client.get(f"/feeds/catalogue/{parent.slug}/").content.decode()
    assert "子栏目条目" in feed and "其他栏目条目" not in feed
    assert client.get("/feeds/catalogue/nope/").status_code == 404


@pytest.mark.django_db
def test_organization_feed_includes_departments(client):
    bureau = make_organization(name="某局")
    office = make_organization(name="某局办公室", parent=bureau)
    make_published_record(title="办公室发布", organization=office)
    make_published_record(title="别的机构发布")
    feed = client.get(f"/feeds/organization/{bureau.pk}/").content.decode()
    assert "办公室发布" in feed and "别的机构发布" not in feed


@pytest.mark.django_db
def test_pages_advertise_their_feeds(client):
    category = make_category()
    markup = client.get(f"/catalogue/{category.slug}/").content.decode()
    feed_url = f"/feeds/catalogue/{category.slug}/"
    assert f'type="application/atom+xml" title="{category.name}" href="{feed_url}"' in markup
    assert 'href="/feeds/latest/"' in markup


ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/zh-hant"])
def test_summary_with_markup_or_ampersand_arrives_as_plain_text(client, prefix):
    summary = "关于<script>alert(1)</script>与<img src=x>的说明 & 附表 &amp; 其他"
    make_published_record(title="带符号的概述", summary=summary)
    feed = ET.fromstring(client.get(f"{prefix}/feeds/latest/").content)  # noqa: S314
    [entry] = feed.findall(f"{ATOM}entry")
    element = entry.find(f"{ATOM}summary")
    assert element.attrib["type"] == "text"
    assert element.text == (to_traditional(summary) if prefix else summary)


def _entry_ids(feed: str) -> list[str]:
    root = ET.fromstring(feed)  # noqa: S314 - our own rendered feed
    ns = {"a": "http://www.w3.org/2005/Atom"}
    return [e.findtext("a:id", namespaces=ns) for e in root.findall("a:entry", ns)]


@pytest.mark.django_db
def test_entry_id_is_one_tag_uri_per_record_in_every_script_and_host(client, settings):
    """Issue 19 item 5: the id changed with the host and the script: one record, two ids."""
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example"]
    record = make_published_record(title="稳定编号")
    record.index_number = "014046317/2026-00001"
    record.save(update_fields=["index_number"])
    ids = {
        *_entry_ids(client.get("/feeds/latest/").content.decode()),
        *_entry_ids(client.get("/zh-hant/feeds/latest/").content.decode()),
        *_entry_ids(client.get("/feeds/latest/", HTTP_HOST="mirror.example").content.decode()),
    }
    assert ids == {"tag:xxgk.gov.cn,2008:014046317/2026-00001"}


@pytest.mark.django_db
def test_entry_updated_is_the_last_publication_not_the_last_row_change(client):
    import datetime

    from django.utils import timezone

    published = timezone.make_aware(datetime.datetime(2021, 3, 4, 10, 0))
    record = make_published_record(published_at=published)
    record.save()
    feed = client.get("/feeds/latest/").content.decode()
    entry = feed[feed.index("<entry>") :]
    assert "<updated>2021-03-04T" in entry


@pytest.mark.django_db
def test_feed_answers_304_to_if_none_match_and_if_modified_since(client):
    make_published_record(title="第一条")
    first = client.get("/feeds/latest/")
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = client.get("/feeds/latest/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    weak = client.get("/feeds/latest/", HTTP_IF_NONE_MATCH="W/" + first["ETag"])
    assert weak.status_code == 304
    since = client.get("/feeds/latest/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    make_published_record(title="第二条")
    changed = client.get("/feeds/latest/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and "第二条" in changed.content.decode()
