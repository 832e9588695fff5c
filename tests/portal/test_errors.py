"""The 400 and 404 pages (portal/views/errors.py) and what they need from the context processor."""

import pytest
from django.test import Client


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/records/", "/zh-hant/", "/admin/", "/admin/login/"])
@pytest.mark.parametrize("host", ["evil.example", ""])
def test_a_host_outside_allowed_hosts_gets_the_400_page_not_a_500(path, host):
    """Django refuses the Host; the 400 page must not ask for the same Host again."""
    client = Client(raise_request_exception=False)
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 400
    page = response.content.decode()
    assert "(400)" in page  # 请求有误(400), in the reader's script
    assert "evil.example" not in page
