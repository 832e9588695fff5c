"""disclosure.convert against OpenCC's own test cases, and the HTML-aware page conversion."""

import json
from pathlib import Path

import pytest

from disclosure.convert import active_backend, convert, convert_html, converter, to_simplified

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "opencc"
CASES_FILE = DATA_DIR / "testcases.json"
GOLDEN_DIR = DATA_DIR / "golden"
# The configurations the site uses: s2tw (/zh-hant/) and s2hk (/zh-hk/) for pages, s2t for
# OpenCC's standard forms; tw2s, hk2s and t2s to normalize queries and text for search.
CONFIGS = ["s2t", "s2tw", "s2hk", "t2s", "tw2s", "hk2s"]
GOLDEN_CONFIGS = ["s2t", "s2tw", "s2hk"]
REQUIRED_RATE = 1.0


def load_cases() -> list[dict]:
    return json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("config", CONFIGS)
def test_adapter_reproduces_opencc_test_cases(config, opencc_report):
    cases = [case for case in load_cases() if config in case["expected"]]
    assert cases, f"no {config} cases"
    failures = [
        (case["input"], case["expected"][config], convert(case["input"], config))
        for case in cases
        if convert(case["input"], config) != case["expected"][config]
    ]
    passed = len(cases) - len(failures)
    rate = passed / len(cases)
    opencc_report[f"{config} cases"] = f"{passed}/{len(cases)} = {rate:.1%} ({active_backend()})"
    assert rate >= REQUIRED_RATE, f"{config}: {passed}/{len(cases)}; first misses: {failures[:5]}"


@pytest.mark.parametrize("config", GOLDEN_CONFIGS)
def test_adapter_reproduces_every_golden_line(config, opencc_report):
    source = (GOLDEN_DIR / "input" / "us_constitution_zhs.txt").read_text(encoding="utf-8")
    golden = (GOLDEN_DIR / "output" / f"us_constitution_zhs.{config}.txt").read_text(
        encoding="utf-8"
    )
    pairs = list(zip(source.splitlines(), golden.splitlines(), strict=True))
    wrong = [(n, want) for n, (line, want) in enumerate(pairs, 1) if convert(line, config) != want]
    opencc_report[f"{config} golden"] = f"{len(pairs) - len(wrong)}/{len(pairs)} lines"
    assert not wrong, f"{config}: {len(wrong)} golden lines differ, first: {wrong[:3]}"


def test_one_converter_per_configuration_per_process():
    assert converter("s2t") is converter("s2t")
    assert converter("s2t") is not converter("t2s")


def test_unknown_configuration_is_refused():
    with pytest.raises(ValueError, match="unsupported"):
        converter("s2klingon")


def test_backend_is_reported():
    assert active_backend().startswith(("official", "reimplemented"))


def test_page_conversion_converts_text_and_visible_attributes_only():
    page = (
        '<html lang="zh-Hans"><head><title>发展规划</title>'
        '<meta name="description" content="教育发展"></head><body>'
        '<a href="/发展/" title="头发">发展</a><img alt="图书馆" src="/图.png">'
        '<input name="q" value="发展" placeholder="请输入关键词">'
        "<textarea>发展</textarea><script>var s = '发展';</script>"
        "<style>.发 { color: red }</style><!-- 发展 --></body></html>"
    )
    converted = convert_html(page)
    assert "<title>發展規劃</title>" in converted
    assert 'content="教育發展"' in converted
    assert 'title="頭髮">發展</a>' in converted
    assert 'alt="圖書館" src="/图.png"' in converted
    assert 'href="/发展/"' in converted
    assert 'value="发展" placeholder="請輸入關鍵詞"' in converted
    assert "<textarea>发展</textarea>" in converted
    assert "var s = '发展';" in converted
    assert ".发 { color: red }" in converted
    assert "<!-- 发展 -->" in converted


def test_page_conversion_keeps_escaped_markup_escaped():
    converted = convert_html("<p>&lt;script&gt;alert('发')&lt;/script&gt; &amp;lt;</p>")
    assert converted == "<p>&lt;script&gt;alert('發')&lt;/script&gt; &amp;lt;</p>"


def test_a_page_converts_as_its_texts_do_the_repeated_short_ones_once_per_process():
    """Header, footer and labels repeat on every page: converted once, remembered by text and
    configuration; a long text (a body) is converted each time. The page is the same."""
    from disclosure import convert as module

    body = "发展" * module.SHORT_TEXT  # longer than a remembered text
    page = f"<nav><a href='/'>首页</a> 信息公开</nav><p>{body}</p><footer>主办单位</footer>"
    module._convert_short.cache_clear()
    first = convert_html(page, "s2tw")
    assert module._convert_short.cache_info().misses == 3
    assert convert_html(page, "s2tw") == first
    assert module._convert_short.cache_info().hits == 3  # the body is not remembered
    home, section, host = (convert(text, "s2tw") for text in ("首页", " 信息公开", "主办单位"))
    assert first == (
        f"<nav><a href='/'>{home}</a>{section}</nav><p>{convert(body, 's2tw')}</p>"
        f"<footer>{host}</footer>"
    )


def test_noconvert_region_is_left_in_simplified():
    converted = convert_html(
        '<p>发展</p><!--noconvert--><a lang="zh-Hans">简体版</a><!--/noconvert-->'
    )
    assert converted == '<p>發展</p><!--noconvert--><a lang="zh-Hans">简体版</a><!--/noconvert-->'


@pytest.mark.parametrize("config", ["s2t", "s2tw", "s2hk"])
def test_search_normalization_folds_every_traditional_variant_back(config):
    """What a reader copies from any script's page normalizes as the Simplified original does."""
    source = (GOLDEN_DIR / "input" / "us_constitution_zhs.txt").read_text(encoding="utf-8")
    lines = [*source.splitlines(), "学生着装规范", "大卫说为群众审核核算"]
    differ = [
        line
        for line in lines
        if to_simplified(convert(line, config)) != to_simplified(convert(line, "s2t"))
    ]
    assert not differ, differ[:3]
    assert to_simplified("著裝") == to_simplified("着裝") == "着装"
