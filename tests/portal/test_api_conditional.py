"""The API answers conditional requests through Django's machinery, as the record pages do: a
weak If-None-Match (W/"…", as proxies rewrite tags) and If-Modified-Since both give 304."""

import datetime

import pytest
from django.utils import timezone
from django.utils.http import http_date

from disclosure.models import DisclosureRecord
from tests.factories import make_published_record


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/records", "/api/genres"])
def test_a_weak_etag_of_the_current_version_gives_304(client, path):
    make_published_record(title="已公开")
    first = client.get(path)
    again = client.get(path, headers={"if-none-match": "W/" + first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    other = client.get(path, headers={"if-none-match": 'W/"something-else"'})
    assert other.status_code == 200


@pytest.mark.django_db
def test_if_modified_since_gives_304_until_a_record_changes(client):
    two_hours_ago = timezone.now() - datetime.timedelta(hours=2)
    old = make_published_record(title="已公开", published_at=two_hours_ago)
    DisclosureRecord.objects.filter(pk=old.pk).update(updated_at=two_hours_ago)
    first = client.get("/api/records")
    since = first["Last-Modified"]
    assert client.get("/api/records", headers={"if-modified-since": since}).status_code == 304
    later = timezone.now() + datetime.timedelta(seconds=5)
    make_published_record(title="新发布", published_at=timezone.now())
    newer = client.get("/api/records", headers={"if-modified-since": since})
    assert newer.status_code == 200
    assert "新发布" in newer.content.decode()
    assert (
        client.get(
            "/api/records", headers={"if-modified-since": http_date(later.timestamp())}
        ).status_code
        == 304
    )
