import pytest

from disclosure.models import Keyword
from search import search_records
from tests.factories import make_published_record


@pytest.mark.django_db
def test_renaming_a_keyword_in_the_admin_reaches_its_records_search_entries_and_pages(
    admin_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = make_published_record(title="学校食堂检查通知", keywords=("冷库",))
    assert [hit.record.pk for hit in search_records(query="冷库").hits] == [record.pk]
    keyword = Keyword.objects.get(name="冷库")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/disclosure/keyword/{keyword.pk}/change/", {"name": "冷链仓储"}
        )
    assert response.status_code == 302

    assert [hit.record.pk for hit in search_records(query="冷链仓储").hits] == [record.pk]
    assert search_records(query="冷库").hits == []
    page = client.get(record.get_absolute_url()).content.decode()
    assert "冷链仓储" in page and "冷库" not in page


@pytest.mark.django_db
def test_a_keyword_rename_that_fails_validation_changes_nothing(admin_client):
    Keyword.objects.create(name="招生")
    keyword = Keyword.objects.create(name="招考")
    response = admin_client.post(
        f"/admin/disclosure/keyword/{keyword.pk}/change/", {"name": "招生"}
    )
    assert response.status_code == 200  # the form again, with the error
    keyword.refresh_from_db()
    assert keyword.name == "招考"
