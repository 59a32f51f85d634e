"""/programmes/import/: an administrator uploads a council's progress table, sees it as a
tree with its counts and problems, and confirms it into a new programme, all or nothing."""

import io
import os
import re
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from actions.models import Action, Programme, Update
from actions.table_import import create
from tests.table_files import appendix_c_docx, appendix_c_xlsx
from tests.test_seed_fixture import SOURCE, parse_appendix_c

URL = "/programmes/import/"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def appendix_c():
    return parse_appendix_c(SOURCE.read_text(encoding="utf-8"))


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def upload(data, name="appendix_c.docx", **answers):
    return {
        "file": SimpleUploadedFile(name, data, content_type=DOCX),
        "name": "Care Programme",
        "slug": "care",
        "first_period": "2024-25 Q1",
        "last_period": "2024-25 Q4",
        "updates_period": "2024-25 Q3",
        **answers,
    }


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def count(response, part) -> str:
    return re.search(rf'id="count-{part}">(\d+)<', response.content.decode()).group(1)


@pytest.mark.django_db
def test_the_preview_counts_appendix_c_and_creates_nothing_until_confirmed(
    admin_client, appendix_c
):
    response = admin_client.post(URL, upload(appendix_c_docx(appendix_c)))
    assert response.status_code == 200
    parts = ("objectives", "requirements", "mechanisms", "actions")
    assert [count(response, part) for part in parts] == ["4", "9", "16", "43"]
    assert "Confirm and create the programme" in response.content.decode()
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_confirming_creates_the_programme_and_opens_its_report(
    admin_client, administrator, appendix_c
):
    preview = admin_client.post(URL, upload(appendix_c_docx(appendix_c)))
    response = admin_client.post(URL, {"token": token_of(preview)})
    assert response.status_code == 302
    assert response.url == "/programmes/care/report/"
    programme = Programme.objects.get(slug="care")
    assert programme.name == "Care Programme"
    actions = Action.objects.filter(mechanism__requirement__objective__programme=programme)
    assert actions.count() == 43
    assert Update.objects.filter(action__in=actions, author=administrator).count() == 39
    again = admin_client.post(URL, {"token": token_of(preview)})  # a second confirm
    assert again.status_code == 400
    assert Programme.objects.count() == 1


@pytest.mark.django_db
def test_an_excel_table_previews_the_same(admin_client, appendix_c):
    response = admin_client.post(URL, upload(appendix_c_xlsx(appendix_c), "table.xlsx"))
    assert response.status_code == 200
    assert count(response, "actions") == "43"


@pytest.mark.django_db
def test_a_table_with_problems_shows_them_and_offers_no_confirm(admin_client, appendix_c):
    book = load_workbook(io.BytesIO(appendix_c_xlsx(appendix_c, theme_column=True)))
    first_of_second = 2 + sum(
        len(actions) for _, _, rs in appendix_c[:1] for _, ms in rs for _, actions in ms
    )
    book.active.merge_cells(f"B{first_of_second - 1}:B{first_of_second + 1}")
    out = io.BytesIO()
    book.save(out)
    response = admin_client.post(URL, upload(out.getvalue(), "t.xlsx"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "The table has 1 problem to correct first" in page  # in the error summary
    assert (
        f"Sheet &#x27;Progress&#x27;, cells B{first_of_second - 1}:B{first_of_second + 1}</strong>"
        ": this merged cell runs on into the next objective"
    ) in page
    assert 'name="token"' not in page
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_a_table_missing_a_column_gets_the_readers_sentence(admin_client, appendix_c):
    header = ("Objective", "Requirements", "Action", "Updates", "Notes")
    data = appendix_c_xlsx(appendix_c, header=header, merge=False)
    response = admin_client.post(URL, upload(data, "t.xlsx"))
    assert response.status_code == 400
    assert "no &#x27;Mechanisms&#x27; column" in response.content.decode()
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_a_forged_or_changed_token_is_refused_and_creates_nothing(admin_client, appendix_c):
    preview = admin_client.post(URL, upload(appendix_c_docx(appendix_c)))
    response = admin_client.post(URL, {"token": token_of(preview) + "x"})
    assert response.status_code == 400
    assert "upload the table again" in response.content.decode()
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_another_administrators_token_is_refused(admin_client, client, superuser, appendix_c):
    preview = admin_client.post(URL, upload(appendix_c_docx(appendix_c)))
    token = token_of(preview)
    client.force_login(superuser)
    assert client.post(URL, {"token": token}).status_code == 400
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_a_short_name_already_taken_is_refused_at_preview_and_confirm(admin_client, appendix_c):
    preview = admin_client.post(URL, upload(appendix_c_docx(appendix_c)))
    Programme.objects.create(
        name="Another",
        slug="care",
        first_period=Programme._meta.get_field("first_period").to_python("2024-25 Q1"),
        last_period=Programme._meta.get_field("last_period").to_python("2024-25 Q4"),
    )
    response = admin_client.post(URL, {"token": token_of(preview)})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    refused = admin_client.post(URL, upload(appendix_c_docx(appendix_c)))
    assert refused.status_code == 400
    assert "already exists" in refused.content.decode()
    assert 'name="token"' not in refused.content.decode()
    assert Programme.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, name, sentence",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.doc", "legacy .doc"),
        (b"not a zip at all", "table.xlsx", ""),
    ],
)
def test_a_legacy_or_broken_file_gets_a_sentence_not_a_500(admin_client, data, name, sentence):
    response = admin_client.post(URL, upload(data, name))
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert sentence in response.content.decode()
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_missing_answers_are_listed_in_the_error_summary(admin_client):
    response = admin_client.post(URL, {"name": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose a Word or Excel file to upload" in page
    assert "Enter the programme&#x27;s name" in page


@pytest.mark.django_db
def test_the_programme_list_offers_the_import_to_administrators_only(admin_client, client, officer):
    assert "Import a progress table" in admin_client.get("/programmes/").content.decode()
    client.force_login(officer)
    assert "Import a progress table" not in client.get("/programmes/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("extra_rows, queries", [(0, 5), (387, 5)])
def test_the_preview_reads_the_same_few_queries_whatever_the_tables_size(
    admin_client, appendix_c, django_assert_num_queries, extra_rows, queries
):
    """The session, the user, the manage permission, the leads named, the short name."""
    data = appendix_c_xlsx(appendix_c, rows=extra_rows)
    with django_assert_num_queries(queries):
        response = admin_client.post(URL, upload(data, "table.xlsx"))
    assert count(response, "actions") == str(43 + extra_rows)


@pytest.mark.django_db
def test_an_upload_left_unconfirmed_is_deleted_once_its_preview_has_expired(
    admin_client, appendix_c
):
    abandoned = default_storage.save("table-imports/abandoned", ContentFile(b"old"))
    two_hours_ago = time.time() - 2 * 60 * 60
    os.utime(default_storage.path(abandoned), (two_hours_ago, two_hours_ago))
    admin_client.post(URL, upload(appendix_c_docx(appendix_c)))
    assert not default_storage.exists(abandoned)
    before = set(default_storage.listdir("table-imports")[1])
    preview = admin_client.post(URL, upload(appendix_c_docx(appendix_c), slug="care-2"))
    (kept,) = set(default_storage.listdir("table-imports")[1]) - before
    admin_client.post(URL, {"token": token_of(preview)})
    assert Programme.objects.filter(slug="care-2").exists()
    assert not default_storage.exists(f"table-imports/{kept}")  # deleted once confirmed
    assert before <= set(default_storage.listdir("table-imports")[1])  # others not yet due


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_with_a_sentence(admin_client):
    """Just over the reader's 10 MB (a larger request is refused with 413 by the middleware)."""
    response = admin_client.post(URL, upload(b"PK" + b"\0" * (10 * 1024 * 1024 + 1000), "a.xlsx"))
    assert response.status_code == 400
    assert "The file is larger than the 10 MB upload limit." in response.content.decode()
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_two_confirms_racing_for_one_short_name_refuse_the_second_with_a_sentence(
    admin_client, appendix_c, monkeypatch
):
    """The check before creating passes for both; the database's unique short name stops one."""
    first = admin_client.post(URL, upload(appendix_c_docx(appendix_c)))
    other = admin_client.post(URL, upload(appendix_c_docx(appendix_c)))
    assert admin_client.post(URL, {"token": token_of(first)}).status_code == 302
    monkeypatch.setattr(create, "refuse_unless_creatable", lambda *args: None)
    second = admin_client.post(URL, {"token": token_of(other)})
    assert second.status_code == 400
    assert "already exists" in second.content.decode()
    assert Programme.objects.count() == 1
