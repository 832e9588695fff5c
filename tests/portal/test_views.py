import pytest

from disclosure.choices import RecordStatus
from tests.factories import make_published_record, make_record


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [RecordStatus.DRAFT, RecordStatus.SUBMITTED, RecordStatus.APPROVED]
)
def test_unpublished_record_is_not_found_by_id(client, status):
    record = make_record(status=status, title="未公开的草稿标题")
    response = client.get(f"/records/{record.pk}/")
    assert response.status_code == 404
    assert "未公开的草稿标题" not in response.content.decode()


@pytest.mark.django_db
def test_withdrawn_record_is_gone_without_its_content(client):
    record = make_record(
        status=RecordStatus.WITHDRAWN, title="已撤回的标题", body="<p>撤回正文</p>"
    )
    response = client.get(f"/records/{record.pk}/")
    assert response.status_code == 410
    assert "已撤回的标题" not in response.content.decode()
    assert "撤回正文" not in response.content.decode()


@pytest.mark.django_db
def test_published_record_page_shows_title_and_body(client):
    record = make_published_record(title="公开的标题", body="<p>公开正文</p>")
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    assert "公开的标题" in response.content.decode()
    assert "<p>公开正文</p>" in response.content.decode()


@pytest.mark.django_db
def test_draft_never_listed_in_its_category(client):
    published = make_published_record(title="已发布的条目")
    make_record(title="草稿条目", category=published.category)
    page = client.get(published.category.get_absolute_url()).content.decode()
    assert "已发布的条目" in page
    assert "草稿条目" not in page
