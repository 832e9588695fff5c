"""The editor of bench/pages.py's crowd scenario: publish a record every second, time its arrival.

    python bench/pages_editor.py --home http://127.0.0.1:18301/ --count 60 --interval 1

Runs in the code under test (its working directory is the checkout): each record goes the way
an editor's does, through the workflow services: `create_draft` and `submit_record` by one
account, `approve_record` and `publish_record` by another (four-eyes). When `publish_record`
has returned (committed), a thread polls the home page every 50 ms until the record's title is
on it and reports the delay. Prints one line per record and a JSON summary line at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
POLL_SECONDS = 0.05
GIVE_UP_SECONDS = 30.0


def _accounts():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    made = []
    for name in ("bench_editor", "bench_publisher"):
        user = users.filter(username=name).first() or users.create_superuser(name, "", None)
        made.append(user)
    return made


def _publish_one(n: int, tag: str, editor, publisher) -> str:
    from django.utils import timezone

    from disclosure.choices import DisclosureMethod
    from disclosure.models import Category, DisclosureRecord, Organization
    from disclosure.services.editing import create_draft
    from disclosure.workflow import approve_record, publish_record, submit_record

    title = f"关于压力测试{tag}第{n}号通知的公告"
    record = DisclosureRecord(
        title=title,
        organization=Organization.objects.order_by("pk").first(),
        category=Category.objects.filter(children__isnull=True).order_by("pk").first(),
        issued_on=timezone.localdate(),
        summary=title,
        body="<p>本通知用于检验新发布的信息在首页出现的时间。</p>",
    )
    record = create_draft(record=record, actor=editor, keywords=["教育"])
    submit_record(record=record, actor=editor)
    approve_record(
        record=record,
        actor=publisher,
        confidentiality_reviewed=True,
        disclosure_method=DisclosureMethod.PROACTIVE,
    )
    publish_record(record=record, actor=publisher)
    return title


def _watch(home: str, title: str, published: float, delays: dict[str, float | None]) -> None:
    deadline = published + GIVE_UP_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(home, timeout=10) as response:  # noqa: S310 - loopback
                if title in response.read().decode("utf-8", "replace"):
                    delays[title] = time.monotonic() - published
                    return
        except OSError:
            pass
        time.sleep(POLL_SECONDS)
    delays[title] = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    import django

    django.setup()
    editor, publisher = _accounts()
    tag = time.strftime("%H%M%S")
    delays: dict[str, float | None] = {}
    watchers, failures, publish_seconds = [], [], []
    start = time.monotonic()
    for n in range(1, args.count + 1):
        began = time.monotonic()
        try:
            title = _publish_one(n, tag, editor, publisher)
        except Exception as exc:  # noqa: BLE001 - reported, the run goes on
            failures.append(f"{type(exc).__name__}: {exc}")
            print(f"publish {n} failed: {exc}", flush=True)
        else:
            published = time.monotonic()
            publish_seconds.append(published - began)
            watcher = threading.Thread(target=_watch, args=(args.home, title, published, delays))
            watcher.start()
            watchers.append(watcher)
        time.sleep(max(0.0, start + n * args.interval - time.monotonic()))
    for watcher in watchers:
        watcher.join()
    print(
        json.dumps(
            {
                "published": len(publish_seconds),
                "failures": failures,
                "publish_seconds": publish_seconds,
                "delays": list(delays.values()),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
