"""disclosure/sanitize.py: record bodies keep their structure and only same-site images."""

from pathlib import Path

import pytest

from disclosure.sanitize import sanitize_body
from tests.factories import make_published_record

OWN_HOST = "xxgk.example.gov.cn"


@pytest.fixture(autouse=True)
def _own_host(settings):
    settings.ALLOWED_HOSTS = [OWN_HOST, "localhost", "testserver"]
    settings.MEDIA_URL = "/media/"


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/pixel.gif?record=1",
        "http://evil.example/pixel.gif",
        "//evil.example/x.gif",
        "&#x2F;&#x2F;evil.example/x.gif",
        "/\\evil.example/x.gif",
        "/\t/evil.example/x.gif",
        " //evil.example/x.gif",
        "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        f"https://{OWN_HOST}@evil.example/x.gif",
        f"https://{OWN_HOST}.evil.example/x.gif",
        "https://[::1/x.gif",
        "ftp://evil.example/x.gif",
    ],
)
def test_images_from_elsewhere_are_removed(src):
    body = f'<p>正文<img src="{src}" alt="统计图" width="1" height="1">结束</p>'
    assert sanitize_body(body) == "<p>正文结束</p>"


@pytest.mark.parametrize(
    "src",
    [
        "/media/uploads/2020/chart.png",
        "images/chart.png",
        "/static/img/logo.png",
        f"https://{OWN_HOST}/media/chart.png",
        f"http://{OWN_HOST.upper()}:443/chart.png",
    ],
)
def test_same_site_and_uploaded_images_stay(src):
    cleaned = sanitize_body(f'<p><img src="{src}" alt="统计图"></p>')
    assert cleaned == f'<p><img src="{src}" alt="统计图"></p>'


def test_an_absolute_media_url_is_same_site(settings):
    settings.MEDIA_URL = "https://files.example.gov.cn/media/"
    kept = '<img src="https://files.example.gov.cn/media/a.png">'
    assert sanitize_body(kept) == kept
    assert sanitize_body('<img src="https://files.example.gov.cn/other/a.png">') == ""


def test_a_wildcard_allowed_host_does_not_allow_every_image(settings):
    settings.ALLOWED_HOSTS = ["*"]
    assert sanitize_body('<img src="https://evil.example/x.gif">') == ""


def test_srcset_and_css_urls_never_survive():
    body = (
        '<p style="background:url(https://evil.example/p.gif)">'
        '<img src="/media/a.png" srcset="https://evil.example/a.png 2x" '
        'style="background-image:url(//evil.example/b.gif)">'
        "<style>body{background:url(https://evil.example/c.gif)}</style></p>"
    )
    cleaned = sanitize_body(body)
    assert "evil.example" not in cleaned
    assert cleaned == '<p><img src="/media/a.png"></p>'


def test_an_alt_text_that_looks_like_an_attribute_does_not_keep_an_image():
    cleaned = sanitize_body('<img src="https://evil.example/x.gif" alt="a src=">')
    assert cleaned == ""


def test_links_elsewhere_stay_they_load_nothing():
    cleaned = sanitize_body('<a href="https://www.gov.cn/zhengce/">国务院政策</a>')
    assert 'href="https://www.gov.cn/zhengce/"' in cleaned


@pytest.mark.django_db
def test_a_saved_record_page_sends_no_request_elsewhere(client):
    record = make_published_record(
        body='<p>正文<img src="//evil.example/x.gif"><img src="/media/chart.png" alt="图"></p>'
    )
    assert "evil.example" not in record.body
    page = client.get(record.get_absolute_url()).content.decode()
    assert "evil.example" not in page
    assert '<img src="/media/chart.png" alt="图">' in page


def test_a_plain_text_body_keeps_its_paragraphs():
    assert sanitize_body("第一段内容。\n\n第二段内容。") == "<p>第一段内容。</p><p>第二段内容。</p>"
    assert sanitize_body("甲\r\n乙\r\n\r\n  \r\n丙 < 丁") == "<p>甲<br>乙</p><p>丙 &lt; 丁</p>"


# What Word (and WPS, which copies it) puts on the clipboard: Mso classes, inline styles,
# <o:p>, a <style> block and conditional comments around XML (tests/data/word_paste.html).
WORD_PASTE = (Path(__file__).parent.parent / "data" / "word_paste.html").read_text("utf-8")


def test_a_word_or_wps_paste_keeps_headings_lists_and_tables_and_drops_styles():
    cleaned = sanitize_body(WORD_PASTE)
    assert "<h1><span>一、总体要求</span></h1>" in cleaned
    assert '<ol start="1" type="1">' in cleaned and "<li><span>加强党的建设</span></li>" in cleaned
    assert "<table>" in cleaned and "<td><p><b>学校</b></p></td>" in cleaned
    for office_markup in ("style", "class", "Mso", "font-family", "o:p", "xml", "WordDocument"):
        assert office_markup not in cleaned, office_markup
    assert "各区教育局:" in cleaned
