"""Cost of serving a page in Traditional script: whole-page conversion, cold and cached.

    /work/venv/bin/python bench/convert_page.py [--repeat 200]

Renders nothing: it takes the seed record's page as the live site serves it (a Simplified
HTML page of about 7 000 characters, built from fixtures/seed_record.json around base.html's
structure) and times, in the same run:
  baseline  disclosure.convert.convert() on the page's text alone (OpenCC's own speed)
  cold      disclosure.convert.convert_html() on the whole page (markup-aware)
  cached    portal.middleware.to_traditional_page() on a page converted before (cache hit)
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.test_settings")

import django  # noqa: E402

django.setup()

from disclosure.convert import active_backend, convert, convert_html  # noqa: E402
from portal.middleware import to_traditional_page  # noqa: E402


def seed_page() -> tuple[str, str]:
    record = next(
        o["fields"]
        for o in json.loads((ROOT / "fixtures" / "seed_record.json").read_text("utf-8"))
        if o["model"] == "disclosure.disclosurerecord"
    )
    rows = "".join(
        f'<tr><th scope="row">{label}</th><td>{value}</td></tr>'
        for label, value in [
            ("信息索引号", record["index_number"]), ("发文日期", record["issued_on"]),
            ("公开日期", record["publication_date"]), ("公开时限", "长期公开"),
            ("发布机构", "无锡市教育局"), ("公开形式", "网站、文件、政府公报"),
            ("公开程序", record["procedure"]), ("主题", "科技、教育--教育"),
            ("关键词", "学校,机关,总结"), ("内容概述", record["summary"]),
        ]
    )  # fmt: skip
    nav = "".join(
        f'<li><a href="/zh-hant/catalogue/c{n}/" title="栏目{n}">政府信息公开栏目{n}</a></li>'
        for n in range(30)
    )
    page = (
        f'<!DOCTYPE html><html lang="zh-Hant"><head><title>{record["title"]}</title>'
        f'<meta name="description" content="{record["summary"]}"></head><body>'
        f'<header><p>欢迎访问无锡市教育局网站</p><nav aria-label="主导航"><ul>{nav}</ul></nav>'
        f"</header><main><h1>{record['title']}</h1><table>{rows}</table>"
        f'<div class="record-body">{record["body"]}</div></main>'
        f"<footer><p>主办单位:无锡市教育局 网站标识码:3202000000</p></footer></body></html>"
    )
    text = record["title"] + record["summary"] + record["body"]
    return page, text


def timed(fn, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    repeat = parser.parse_args().repeat
    page, text = seed_page()
    to_traditional_page(page)  # warm the converter and fill the cache
    baseline = timed(lambda: convert(text, "s2t"), repeat)
    cold = timed(lambda: convert_html(page, "s2t"), repeat)
    cached = timed(lambda: to_traditional_page(page), repeat)
    print(f"OpenCC backend: {active_backend()}; page {len(page)} chars, text {len(text)} chars")
    print(f"baseline convert(text):      {baseline * 1000:7.3f} ms/page")
    rate = len(page) / cold / 1e6
    print(f"cold convert_html(page):     {cold * 1000:7.3f} ms/page ({rate:.1f} M chars/s)")
    print(f"cached to_traditional_page:  {cached * 1000:7.3f} ms/page")


if __name__ == "__main__":
    main()
