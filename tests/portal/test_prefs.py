"""字号 (portal/views/prefs.py): a cookie and /prefs.css, so pages stay the same for everyone."""

import pytest

from tests.factories import make_published_record


@pytest.mark.django_db
def test_choosing_a_size_sets_the_cookie_and_returns_to_the_page(client):
    response = client.get("/prefs/font-size/?size=xlarge&next=/records/%3Fpage%3D1")
    assert response.status_code == 302
    assert response["Location"] == "/records/?page=1#font-size"
    assert response.cookies["font_size"].value == "xlarge"
    assert response.cookies["font_size"]["max-age"] == 365 * 24 * 60 * 60


@pytest.mark.django_db
def test_size_persists_across_pages_through_prefs_css(client):
    client.get("/prefs/font-size/?size=large&next=/")
    css = client.get("/prefs.css")
    assert "html { font-size: 125%; }" in css.content.decode()
    assert '[data-size="large"]::after { content: "(当前)"; }' in css.content.decode()
    assert 'content: "当前字号:大"' in css.content.decode()
    assert css["Cache-Control"] == "private, no-store"
    assert css["Content-Type"].startswith("text/css")


@pytest.mark.django_db
def test_default_size_without_cookie(client):
    css = client.get("/prefs.css").content.decode()
    assert "html { font-size: 100%; }" in css
    assert 'content: "当前字号:默认"' in css


@pytest.mark.django_db
def test_pages_are_identical_whatever_size_the_reader_chose(client):
    record = make_published_record()
    client.get(f"/records/{record.pk}/")  # warm up: the view count now moves by one per read
    pages = {}
    for size in ("default", "large", "xlarge"):
        client.cookies["font_size"] = size
        response = client.get("/")
        pages[size] = response.content
        assert "Cookie" not in response.get("Vary", "")
        assert "no-store" not in response.get("Cache-Control", "")
    assert pages["default"] == pages["large"] == pages["xlarge"]


@pytest.mark.django_db
def test_every_page_links_the_reader_stylesheet_and_the_three_sizes(client):
    markup = client.get("/records/").content.decode()
    assert '<link rel="stylesheet" href="/prefs.css">' in markup
    for key, label in (("default", "默认"), ("large", "大"), ("xlarge", "特大")):
        assert (
            f'?size={key}&amp;next=/records/" data-size="{key}" rel="nofollow">{label}</a>'
            in markup
        )
    assert 'class="font-size-status" role="status"' in markup


@pytest.mark.django_db
def test_traditional_pages_keep_traditional_on_size_change(client):
    markup = client.get("/zh-hant/records/").content.decode()
    assert '<link rel="stylesheet" href="/zh-hant/prefs.css">' in markup
    response = client.get("/zh-hant/prefs/font-size/?size=large&next=/zh-hant/records/")
    assert response["Location"] == "/zh-hant/records/#font-size"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_size_change_never_redirects_off_site(client, target):
    response = client.get("/prefs/font-size/", {"size": "large", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/#font-size"


@pytest.mark.django_db
def test_unknown_size_is_refused(client):
    response = client.get("/prefs/font-size/?size=huge&next=/")
    assert response.status_code == 400
    assert "字号只能是:默认、大、特大。" in response.content.decode()
    assert "字號只能是" in client.get("/zh-hant/prefs/font-size/?size=huge").content.decode()
    assert "font_size" not in response.cookies


@pytest.mark.django_db
def test_forged_cookie_falls_back_to_default(client):
    client.cookies["font_size"] = '"; } body { display: none'
    css = client.get("/prefs.css").content.decode()
    assert "display: none" not in css
    assert "html { font-size: 100%; }" in css
