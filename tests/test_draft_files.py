"""A draft paper's PDF, Word and Excel files are built by a background job, never inside a
request: asking for one shows a page that waits, then offers the file, to the person who asked
and nobody else (actions/papers/draft_files.py). A published paper's files are stored by a job
queued with its publication."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from docx import Document
from pypdf import PdfReader

from actions.models import DraftFile, PaperFile
from actions.papers import draft_files, pdf
from careprog import jobs
from tests import libreoffice
from tests.paper_factories import draft_paper, publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed_programme")]


@pytest.fixture
def draft(seed_programme, officer):
    return draft_paper(seed_programme, officer, title="Care Programme draft")


@pytest.fixture
def olive(officer):
    client = Client()
    client.force_login(officer)
    return client


def signed_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def urls(paper, kind="pdf"):
    base = f"/papers/{paper.pk}/draft/{kind}/"
    return {"page": base, "status": base + "status.json", "file": base + "file"}


@override_settings(TASKS_RUN="manual")
def test_an_officer_asking_for_a_drafts_pdf_waits_then_downloads_it(draft, olive):
    # A link to a page, not to a file: with `download` the browser would save the waiting page.
    paper_page = olive.get(f"/papers/{draft.pk}/").content.decode()
    assert f'href="/papers/{draft.pk}/paper.pdf">The paper as PDF' in paper_page

    response = olive.get(f"/papers/{draft.pk}/paper.pdf", follow=True)
    assert response.redirect_chain == [(urls(draft)["page"], 302)]
    page = response.content.decode()
    assert "Preparing the PDF" in page
    assert "Care Programme draft" in page
    assert "Waiting to start." in page
    assert f'data-job-status="{urls(draft)["status"]}"' in page
    assert "job-progress.mjs" in page
    assert urls(draft)["file"] not in page
    assert olive.get(urls(draft)["status"]).json() == {
        "status": "waiting",
        "finished": False,
        "message": "Waiting to start.",
    }
    assert olive.get(urls(draft)["file"]).status_code == 404

    assert jobs.run_ready() == 1

    assert olive.get(urls(draft)["status"]).json()["status"] == "done"
    page = olive.get(urls(draft)["page"]).content.decode()
    assert "Your PDF is ready" in page
    assert f'href="{urls(draft)["file"]}" download>Download the PDF' in page
    assert "job-progress.mjs" not in page
    download = olive.get(urls(draft)["file"])
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        'attachment; filename="care-programme-2024-25-2024-25-q3-paper-2025-03-05-draft.pdf"'
    )
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(download.content)).pages]
    assert texts and all("Draft" in text for text in texts)


@override_settings(TASKS_RUN="manual")
def test_a_drafts_word_document_opens_in_a_word_processor(draft, olive, tmp_path):
    assert olive.get(f"/papers/{draft.pk}/paper.docx").url == urls(draft, "docx")["page"]
    jobs.run_ready()
    download = olive.get(urls(draft, "docx")["file"])
    assert download["Content-Disposition"].endswith('-paper-2025-03-05-draft.docx"')
    assert Document(io.BytesIO(download.content)).paragraphs
    source = tmp_path / "paper.docx"
    source.write_bytes(download.content)
    (printed,) = libreoffice.convert(source, "pdf").iterdir()
    assert "Care Programme draft" in PdfReader(printed).pages[0].extract_text()


@override_settings(TASKS_RUN="manual")
def test_asking_again_while_a_build_waits_finds_it_and_after_it_builds_afresh(
    draft, olive, django_capture_on_commit_callbacks
):
    olive.get(f"/papers/{draft.pk}/paper.pdf")
    olive.get(f"/papers/{draft.pk}/paper.pdf")
    assert DBTaskResult.objects.count() == 1
    first = DraftFile.objects.get()
    jobs.run_ready()
    first.refresh_from_db()
    assert default_storage.exists(first.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        again = olive.get(f"/papers/{draft.pk}/paper.pdf", follow=True)
    assert "Waiting to start." in again.content.decode()
    second = DraftFile.objects.get()
    assert second.job_id != first.job_id and not second.file
    assert not default_storage.exists(first.file.name)  # the last build's bytes are removed
    jobs.run_ready()
    assert olive.get(urls(draft)["file"]).content.startswith(b"%PDF-")


@override_settings(TASKS_RUN="manual")
@pytest.mark.parametrize("who", ["other_officer", "committee", "head", "anonymous"])
def test_nobody_but_the_person_who_asked_sees_the_status_or_the_file(draft, olive, people, who):
    olive.get(f"/papers/{draft.pk}/paper.pdf")
    jobs.run_ready()
    someone = signed_in(people[who])
    for url in urls(draft).values():
        response = someone.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith("/sign-in/"), url
        else:
            assert response.status_code == 404, url
    assert olive.get(urls(draft)["file"]).status_code == 200


@override_settings(TASKS_RUN="manual")
def test_a_post_is_refused_and_changes_nothing(draft, olive):
    for url in [f"/papers/{draft.pk}/paper.pdf", *urls(draft).values()]:
        assert olive.post(url).status_code == 405, url
    assert not DraftFile.objects.exists()
    assert not DBTaskResult.objects.exists()


@override_settings(TASKS_RUN="manual")
def test_a_failed_build_says_so_without_the_error_and_offers_to_try_again(
    draft, olive, monkeypatch
):
    def broken(*args, **kwargs):
        raise ValueError("the secret figure 42 would not print")

    monkeypatch.setattr(pdf, "render", broken)
    olive.get(f"/papers/{draft.pk}/paper.pdf")
    jobs.run_ready()

    page = olive.get(urls(draft)["page"]).content.decode()
    assert "The PDF could not be prepared" in page
    assert "This could not be finished." in page
    assert "secret" not in page and "ValueError" not in page
    assert f'href="/papers/{draft.pk}/paper.pdf">Try again' in page
    assert olive.get(urls(draft)["status"]).json()["status"] == "failed"
    assert olive.get(urls(draft)["file"]).status_code == 404

    monkeypatch.undo()
    olive.get(f"/papers/{draft.pk}/paper.pdf")
    jobs.run_ready()
    assert olive.get(urls(draft)["file"]).content.startswith(b"%PDF-")


@override_settings(TASKS_RUN="manual")
def test_draft_files_older_than_a_day_are_removed_with_their_rows(draft, olive):
    olive.get(f"/papers/{draft.pk}/appendix.xlsx")
    jobs.run_ready()
    built = DraftFile.objects.get()

    assert draft_files.remove_old(now=timezone.now() + dt.timedelta(hours=23)) == 0
    assert draft_files.remove_old(now=timezone.now() + dt.timedelta(hours=25)) == 1
    assert not default_storage.exists(built.file.name)
    assert not DraftFile.objects.exists()
    assert olive.get(urls(draft, "xlsx")["page"]).status_code == 404


@override_settings(TASKS_RUN="manual")
def test_the_waiting_page_takes_the_same_queries_with_one_job_or_several_before_it(
    seed_programme, draft, olive, other_officer, django_assert_num_queries
):
    olive.get(f"/papers/{draft.pk}/paper.pdf")
    # session, user, permissions (user's, groups'), the paper with its sections and timeline
    # (three), the person's draft file, the job and the two counts of jobs before it
    with django_assert_num_queries(11):
        page = olive.get(urls(draft)["page"])
    assert "Waiting to start." in page.content.decode()

    DBTaskResult.objects.all().delete()  # the job was cleared: asking again queues another
    oscar = signed_in(other_officer)
    for name in ["paper.pdf", "paper.docx", "appendix.xlsx"]:
        oscar.get(f"/papers/{draft.pk}/{name}")
    olive.get(f"/papers/{draft.pk}/paper.pdf")
    with django_assert_num_queries(11):
        page = olive.get(urls(draft)["page"])
    assert "Waiting to start: 3 other jobs before it." in page.content.decode()


@override_settings(TASKS_RUN="manual")
def test_publishing_queues_the_published_files_and_the_job_stores_them(
    draft, head_of_service, olive
):
    publish(draft, head_of_service)
    assert not PaperFile.objects.exists()  # not built by the request that published
    assert DBTaskResult.objects.filter(task_path__endswith="store_published_files").count() == 1
    jobs.run_ready()
    assert set(PaperFile.objects.values_list("kind", flat=True)) == {"pdf", "docx", "xlsx"}
    response = olive.get(f"/papers/{draft.pk}/paper.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
