"""Background export files in the uploads' bucket (S3_BUCKET, several web servers), against
moto's S3 server on loopback: the worker's file ends up a private object, not on its disk; the
download (on any server) opens it after the permission check; retention deletes it."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from disclosure.models import DisclosureRecord
from exchange.export_jobs import (
    ExportNotAllowed,
    delete_expired_export_files,
    export_file_path,
    open_export_file,
    request_export,
    run_export_job,
)
from exchange.exports import stream_records
from exchange.models import ExportJob, ExportJobStatus
from tests.factories import make_published_record, make_user

boto3 = pytest.importorskip("boto3", reason="S3 storage: pip install '.[s3]' (in .[test])")
pytest.importorskip("moto.server", reason="moto[server] is a test dependency")

BUCKET = "portal-exports"


@pytest.fixture(scope="module")
def s3_endpoint():
    from tests.deploy.servers import s3_server

    with s3_server(BUCKET) as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint, settings):
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    settings.S3_BUCKET = BUCKET
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": keys["aws_access_key_id"],
                "secret_key": keys["aws_secret_access_key"],
                "location": "media",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **keys)


def auditor(username="auditor"):
    user = make_user(username=username, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="export_records"))
    return user


@pytest.mark.django_db
def test_a_finished_export_is_a_private_object_opened_only_by_its_requester(bucket):
    make_published_record(title="桶里的导出")
    user = auditor()
    job = run_export_job(job=request_export(user=user, what="records", fmt="csv"))
    assert job.status == ExportJobStatus.DONE
    assert not export_file_path(job).exists()  # not on the worker's disk
    key = f"media/exports/{export_file_path(job).name}"
    stored = bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    expected = b"".join(stream_records(queryset=DisclosureRecord.objects.all(), fmt="csv"))
    assert stored.split(b"\r\n")[1:] == expected.split(b"\r\n")[1:] and job.file_size == len(stored)
    assert "桶里的导出".encode() in stored

    with open_export_file(job=job, user=user) as handle:
        assert handle.read() == stored
    with pytest.raises(ExportNotAllowed):
        open_export_file(job=job, user=auditor("another"))

    ExportJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=400)
    )
    assert delete_expired_export_files() == 1
    assert bucket.list_objects_v2(Bucket=BUCKET, Prefix=key).get("KeyCount", 0) == 0
