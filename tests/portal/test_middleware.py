"""Traditional script on every public page (portal/middleware.py and the /zh-hant/ prefix)."""

import hashlib

import pytest
from django.core.cache import cache
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern

from portal import public_urls
from portal.middleware import to_traditional_page
from tests.factories import make_published_record
from tests.portal.pages import page_text


def test_every_public_url_pattern_is_under_the_script_prefix():
    """Pages other modules add to portal/public_urls.py get /zh-hant/ without any work."""
    prefixed = [
        entry
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and isinstance(entry.pattern, LocalePrefixPattern)
    ]
    assert len(prefixed) == 1
    (included,) = prefixed[0].url_patterns
    assert included.urlconf_module is public_urls


@pytest.mark.django_db
def test_traditional_page_is_converted_with_lang_and_alternates(client, vocabulary):
    response = client.get("/zh-hant/")
    markup = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hant">' in markup
    assert '<link rel="canonical" href="http://testserver/zh-hant/">' in markup
    assert '<link rel="alternate" hreflang="zh-Hans" href="http://testserver/">' in markup
    assert '<link rel="alternate" hreflang="zh-Hant" href="http://testserver/zh-hant/">' in markup
    text = page_text(markup)
    assert "歡迎訪問無錫市教育局網站" in text
    assert "信息公開目錄" in text
    assert "简体版" in text  # the way back is written in the script it leads to
    assert 'href="/zh-hant/records/"' in markup  # links keep the reader in Traditional script
    assert 'placeholder="請輸入關鍵詞"' in markup
    assert response["Content-Language"] == "zh-hant"


@pytest.mark.django_db
def test_simplified_page_is_untouched_and_offers_traditional(client, vocabulary):
    markup = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in markup
    assert '<link rel="canonical" href="http://testserver/">' in markup
    assert (
        'href="/zh-hant/" hreflang="zh-Hant" lang="zh-Hant" class="script-toggle">繁体版' in markup
    )


@pytest.mark.django_db
def test_toggle_keeps_the_reader_on_the_same_page_and_query(client):
    record = make_published_record()
    path = "/records/?keyword=%E5%AD%A6%E6%A0%A1&sort=title"
    hans = client.get(path).content.decode()
    assert f'href="/zh-hant{path.replace("&", "&amp;")}"' in hans
    hant = client.get(f"/zh-hant/records/{record.pk}/").content.decode()
    assert f'<a href="/records/{record.pk}/" hreflang="zh-Hans"' in hant


@pytest.mark.django_db
def test_record_body_and_title_are_converted(client):
    record = make_published_record(
        title="关于发展规划的通知", body="<p>头发与发展</p>", summary="内容概述文字"
    )
    markup = client.get(f"/zh-hant/records/{record.pk}/").content.decode()
    assert "<title>關於發展規劃的通知 - 無錫市教育局</title>" in markup
    assert "<p>頭髮與發展</p>" in markup
    assert '<meta name="description" content="內容概述文字">' in markup


def test_converted_pages_are_cached_by_content():
    markup = "<p>发展</p>"
    key = "hant-page:" + hashlib.sha256(markup.encode()).hexdigest()
    assert to_traditional_page(markup) == "<p>發展</p>"
    assert cache.get(key) == "<p>發展</p>"
    cache.set(key, "<p>缓存里的页面</p>")
    assert to_traditional_page(markup) == "<p>缓存里的页面</p>"


@pytest.mark.django_db
def test_traditional_atom_feed_is_converted(client):
    make_published_record(title="关于发展规划的通知")
    feed = client.get("/zh-hant/feeds/latest/").content.decode()
    assert "<title>關於發展規劃的通知</title>" in feed
    assert "/zh-hant/records/" in feed


@pytest.mark.django_db
def test_non_html_responses_are_not_converted(client):
    css = client.get("/zh-hant/prefs.css", headers={"cookie": "font_size=large"}).content.decode()
    assert "當前字號:大" in css  # converted by the view itself, once
    robots = client.get("/robots.txt")
    assert robots.status_code == 200


@pytest.mark.django_db
def test_unknown_prefixed_path_is_404_in_traditional(client):
    response = client.get("/zh-hant/no/such/page/")
    assert response.status_code == 404
    assert "頁面不存在" in response.content.decode()
    assert '<html lang="zh-Hant">' in response.content.decode()


@pytest.mark.django_db
def test_pages_do_not_vary_on_accept_language_or_cookies(client, vocabulary):
    for path in ("/", "/zh-hant/", "/records/"):
        vary = client.get(path, headers={"accept-language": "zh-TW"}).get("Vary", "")
        assert "Accept-Language" not in vary and "Cookie" not in vary


@pytest.mark.django_db
def test_unprefixed_page_is_simplified_whatever_the_browser_asks(client, vocabulary):
    markup = client.get("/", headers={"accept-language": "zh-TW,zh-Hant"}).content.decode()
    assert '<html lang="zh-Hans">' in markup
