"""Uploads in an S3-compatible bucket (several web servers): a real S3 protocol server (moto's
server mode) on a free loopback port. Objects are private; a download that passed the app's
checks is a short-lived signed URL; a withdrawn record's attachment is not reachable."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from email.message import Message

import pytest
from django.core.files.base import ContentFile

from disclosure.choices import RecordStatus
from disclosure.models import Attachment, DisclosureRecord
from tests.deploy.servers import s3_server as s3_server_process
from tests.factories import make_published_record

boto3 = pytest.importorskip("boto3", reason="S3 storage: pip install '.[s3]' (in .[test])")
pytest.importorskip("moto.server", reason="moto[server] is a test dependency")

BUCKET = "portal-media"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
PDF = b"%PDF-1.4 S3 test"


@pytest.fixture(scope="module")
def s3_server():
    with s3_server_process(BUCKET) as endpoint:
        yield endpoint


@pytest.fixture
def s3_storage(s3_server, settings):
    settings.S3_URL_SECONDS = 60
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "location": "media",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
            },
        },
    }
    return boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **KEYS)


def attach(record) -> Attachment:
    return Attachment.objects.create(
        record=record,
        title="附件",
        original_name="2020年工作计划.pdf",
        file=ContentFile(PDF, name="stored.pdf"),
        size=len(PDF),
        content_type="application/pdf",
    )


def fetch(url: str) -> tuple[int, bytes, Message]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


@pytest.mark.django_db
def test_an_attachment_is_a_private_object_downloaded_by_a_short_lived_signed_url(
    client, s3_storage, s3_server
):
    attachment = attach(make_published_record())
    key = attachment.file.name
    stored = s3_storage.get_object(Bucket=BUCKET, Key=f"media/{key}")
    assert stored["Body"].read() == PDF  # in the bucket, not on the local disk
    grants = s3_storage.get_object_acl(Bucket=BUCKET, Key=f"media/{key}")["Grants"]
    assert all("AllUsers" not in str(grant["Grantee"]) for grant in grants)

    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"
    signed = response["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(signed).query)
    assert query.get("X-Amz-Expires") == ["60"] or "Expires" in query
    status, body, headers = fetch(signed)
    assert status == 200 and body == PDF
    assert "2020%E5%B9%B4" in headers["Content-Disposition"]  # the original Chinese name
    assert headers["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_a_withdrawn_records_attachment_is_not_reachable_in_the_bucket(client, s3_storage):
    record = make_published_record()
    attachment = attach(record)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 302
    DisclosureRecord.objects.filter(pk=record.pk).update(status=RecordStatus.WITHDRAWN)
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 404 and "Location" not in response
    unsigned = f"{s3_storage.meta.endpoint_url}/{BUCKET}/media/{attachment.file.name}"
    assert fetch(unsigned)[0] == 403  # no way round the app: the object itself is private
