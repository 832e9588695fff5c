"""A full disk while an upload is saved, on a real full filesystem: a 64 KiB tmpfs mounted as
MEDIA_ROOT (root is needed to mount it: CI and the development machines run as root)."""

import os
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from applications.models import InformationRequest
from disclosure.models import AuditEntry
from portal.full_disk import FULL_DISK_MESSAGE
from tests.factories import applicant_fields, make_organization, tiny_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_media_root(tmp_path, settings):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mount = tmp_path / "tiny"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], check=True)
    try:
        settings.MEDIA_ROOT = mount
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_upload_on_a_full_disk_gets_a_clear_error_and_nothing_is_half_saved(full_media_root):
    scan = SimpleUploadedFile("身份证.pdf", tiny_pdf(300 * 1024), content_type="application/pdf")
    data = applicant_fields()
    data.update({"organization": make_organization().pk, "medium": "email", "delivery": "email"})
    response = Client().post(reverse("portal:request_form"), {**data, "attachment": scan})
    assert response.status_code == 503
    assert FULL_DISK_MESSAGE in response.content.decode()
    assert response["Retry-After"]
    assert not InformationRequest.objects.exists()
    assert not AuditEntry.objects.filter(action="request_submit").exists()
    left = [p for p in full_media_root.rglob("*") if p.is_file()]
    assert left == []  # the part written before the disk filled up is gone
