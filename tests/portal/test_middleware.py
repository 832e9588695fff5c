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
    assert '<html lang="zh-Hant-TW">' in markup
    assert '<link rel="canonical" href="http://testserver/zh-hant/">' in markup
    assert '<link rel="alternate" hreflang="zh-Hans" href="http://testserver/">' in markup
    tw = '<link rel="alternate" hreflang="zh-Hant-TW" href="http://testserver/zh-hant/">'
    assert tw in markup
    assert '<link rel="alternate" hreflang="zh-Hant-HK" href="http://testserver/zh-hk/">' in markup
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
        'href="/zh-hant/" hreflang="zh-Hant-TW" lang="zh-Hant-TW" class="script-toggle">繁体版'
        in markup
    )
    assert 'href="/zh-hk/" hreflang="zh-Hant-HK" lang="zh-Hant-HK"' in markup


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
    key = "hant-page:s2tw:" + hashlib.sha256(markup.encode()).hexdigest()
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
    assert '<html lang="zh-Hant-TW">' in response.content.decode()


@pytest.mark.django_db
def test_pages_do_not_vary_on_accept_language_or_cookies(client, vocabulary):
    for path in ("/", "/zh-hant/", "/records/"):
        vary = client.get(path, headers={"accept-language": "zh-TW"}).get("Vary", "")
        assert "Accept-Language" not in vary and "Cookie" not in vary


@pytest.mark.django_db
def test_unprefixed_page_is_simplified_whatever_the_browser_asks(client, vocabulary):
    markup = client.get("/", headers={"accept-language": "zh-TW,zh-Hant"}).content.decode()
    assert '<html lang="zh-Hans">' in markup


@pytest.mark.django_db
def test_default_traditional_pages_use_taiwan_forms_not_opencc_standard(client):
    record = make_published_record(title="为群众审核核算着装", body="<p>温度里线索</p>")
    markup = client.get(f"/zh-hant/records/{record.pk}/").content.decode()
    assert "為群眾審核核算著裝" in markup  # s2tw; OpenCC standard (s2t) would be 爲羣衆審覈覈算
    assert "溫度裡線索" in markup
    assert "爲" not in markup and "羣" not in markup and "審覈" not in markup


@pytest.mark.django_db
def test_hong_kong_pages_use_hong_kong_forms_with_their_own_lang_and_links(client, vocabulary):
    record = make_published_record(title="为群众审核核算着装", body="<p>大卫说温度</p>")
    response = client.get(f"/zh-hk/records/{record.pk}/")
    markup = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hant-HK">' in markup
    assert "為羣眾審核核算着裝" in markup and "大衞説温度" in markup  # s2hk
    assert f'<link rel="canonical" href="http://testserver/zh-hk/records/{record.pk}/">' in markup
    assert f'hreflang="zh-Hant-TW" href="http://testserver/zh-hant/records/{record.pk}/"' in markup
    assert f'<a href="/records/{record.pk}/" hreflang="zh-Hans"' in markup
    assert f'<a href="/zh-hant/records/{record.pk}/" hreflang="zh-Hant-TW"' in markup
    assert 'href="/zh-hk/records/"' in markup  # links keep the reader in the variant
    home = client.get("/zh-hk/").content.decode()
    assert "歡迎訪問無錫市教育局網站" in home and '<html lang="zh-Hant-HK">' in home


@pytest.mark.django_db
def test_taiwan_and_hong_kong_conversions_of_one_page_are_cached_apart(client):
    record = make_published_record(title="大卫雕塑")
    tw = client.get(f"/zh-hant/records/{record.pk}/")
    hk = client.get(f"/zh-hk/records/{record.pk}/")
    assert "大衛雕塑" in tw.content.decode() and "大衞雕塑" in hk.content.decode()
    assert tw["ETag"] != hk["ETag"]
    again = client.get(f"/zh-hk/records/{record.pk}/", headers={"if-none-match": tw["ETag"]})
    assert again.status_code == 200


@pytest.mark.django_db
def test_unknown_hong_kong_path_is_404_in_hong_kong_script(client):
    response = client.get("/zh-hk/no/such/page/")
    assert response.status_code == 404
    assert '<html lang="zh-Hant-HK">' in response.content.decode()
