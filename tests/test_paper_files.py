"""A published paper's files (PDF, Word, Excel) are built once and served from storage: the
same bytes on every download, without printing the paper again; a draft's are built on each
download from live data. Publishing stays one transaction: the files are stored once it has
committed, and a paper whose files were never stored (published before, or a failed build)
gets them on its first download. Never is a different file served (actions/papers/files.py).
"""

import datetime as dt
import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from actions.models import Paper, PaperFile
from actions.papers import files, pdf, services, word, xlsx
from tests.paper_downloads import fetch
from tests.paper_factories import draft_paper

URLS = {"pdf": "paper.pdf", "docx": "paper.docx", "xlsx": "appendix.xlsx"}


@pytest.fixture
def seed_paper(seed_programme):
    """The seed's paper to the committee of 5 March 2025, published before files were stored."""
    call_command("loaddata", "care_programme_paper_2025_03", verbosity=0)
    return Paper.objects.get(programme=seed_programme, meeting__date=dt.date(2025, 3, 5))


def download(client, paper, kind) -> bytes:
    response = fetch(client, f"/papers/{paper.pk}/{URLS[kind]}")
    assert response.status_code == 200, kind
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def stored_bytes(paper, kind) -> bytes:
    with PaperFile.objects.get(paper=paper, kind=kind).file.open("rb") as file:
        return file.read()


def approved_paper(seed_programme, officer, head_of_service) -> Paper:
    paper = draft_paper(seed_programme, officer, title="Stored files")
    services.submit(paper_id=paper.pk, user=officer)
    services.approve(paper_id=paper.pk, user=head_of_service)
    return paper


def test_publishing_stores_the_three_files_and_every_download_serves_them_unprinted(
    seed_programme,
    officer,
    head_of_service,
    member_client,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    paper = approved_paper(seed_programme, officer, head_of_service)
    approver = Client()
    approver.force_login(head_of_service)
    with django_capture_on_commit_callbacks(execute=True):
        response = approver.post(f"/papers/{paper.pk}/publish/", {"comment": ""})
    assert response.status_code == 302
    records = {f.kind: f for f in PaperFile.objects.filter(paper=paper)}
    assert set(records) == {"pdf", "docx", "xlsx"}
    for kind, record in records.items():
        data = stored_bytes(paper, kind)
        assert record.sha256 == hashlib.sha256(data).hexdigest() and record.size == len(data)

    stored = {kind: stored_bytes(paper, kind) for kind in URLS}
    for module, name in ((pdf, "render"), (word, "paper_docx"), (xlsx, "paper_workbook")):
        monkeypatch.setattr(module, name, lambda *a, **k: pytest.fail("built a file again"))
    for kind, data in stored.items():
        assert download(member_client, paper, kind) == data
        assert download(member_client, paper, kind) == data
    assert stored["pdf"].startswith(b"%PDF-") and stored["docx"].startswith(b"PK")


def test_a_paper_published_before_files_were_stored_gets_them_on_its_first_download(
    seed_paper, member_client, monkeypatch
):
    assert not PaperFile.objects.filter(paper=seed_paper).exists()
    first = {kind: download(member_client, seed_paper, kind) for kind in URLS}
    assert {f.kind for f in PaperFile.objects.filter(paper=seed_paper)} == set(URLS)
    for kind, data in first.items():
        assert stored_bytes(seed_paper, kind) == data
    # As it always was: the first download is what the snapshot renders to.
    assert first["pdf"] == pdf.render(
        seed_paper.snapshot, draft=False, published_at=seed_paper.published_at
    )
    monkeypatch.setattr(pdf, "render", lambda *a, **k: pytest.fail("printed the PDF again"))
    for kind, data in first.items():
        assert download(member_client, seed_paper, kind) == data


def test_a_drafts_files_are_built_from_live_data_on_each_download_and_never_stored(
    seed_programme, officer, client
):
    paper = draft_paper(seed_programme, officer, sections={"Report summary": "First words"})
    client.force_login(officer)
    first = _docx_text(download(client, paper, "docx"))
    paper.sections.filter(heading="Report summary").update(text="Second words")
    second = _docx_text(download(client, paper, "docx"))
    assert "First words" in first and "Second words" in second
    assert not PaperFile.objects.filter(paper=paper).exists()


def _docx_text(data: bytes) -> str:
    import io

    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_a_publication_rolled_back_stores_no_file(
    seed_programme, officer, head_of_service, django_capture_on_commit_callbacks
):
    paper = approved_paper(seed_programme, officer, head_of_service)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.publish(paper_id=paper.pk, user=head_of_service)
            raise RuntimeError("the request failed after publishing")
    paper.refresh_from_db()
    assert paper.state == Paper.State.APPROVED
    assert not PaperFile.objects.filter(paper=paper).exists()


def test_a_failed_build_at_publication_leaves_the_paper_published_and_the_first_download_builds(
    seed_programme,
    officer,
    head_of_service,
    member_client,
    django_capture_on_commit_callbacks,
    monkeypatch,
    caplog,
):
    paper = approved_paper(seed_programme, officer, head_of_service)
    real = pdf.render
    monkeypatch.setattr(pdf, "render", lambda *a, **k: (_ for _ in ()).throw(OSError("disk")))
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(paper_id=paper.pk, user=head_of_service)
    paper.refresh_from_db()
    assert paper.is_published
    assert {f.kind for f in PaperFile.objects.filter(paper=paper)} == {"docx", "xlsx"}
    assert "not stored at publication" in caplog.text

    monkeypatch.setattr(pdf, "render", real)
    data = download(member_client, paper, "pdf")
    assert data.startswith(b"%PDF-") and stored_bytes(paper, "pdf") == data


def test_two_first_downloads_at_once_serve_the_one_file_kept(
    seed_paper, member_client, monkeypatch
):
    """The other request stored its file between this one's look and its own store: this one
    serves the kept file, not the one it built, and leaves nothing behind in storage."""
    kept = b"%PDF-1.7 the file the other request kept"
    name = default_storage.save(f"papers/{seed_paper.pk}-pdf-kept.pdf", _content(kept))
    real_build = files.build

    def build_while_another_stores(paper, kind):
        data = real_build(paper, kind)
        PaperFile.objects.create(
            paper=paper, kind=kind, file=name, sha256=_sha(kept), size=len(kept)
        )
        return data

    monkeypatch.setattr(files, "build", build_while_another_stores)
    before = set(default_storage.listdir("papers")[1])
    assert download(member_client, seed_paper, "pdf") == kept
    assert set(default_storage.listdir("papers")[1]) == before
    assert download(member_client, seed_paper, "pdf") == kept


def test_a_file_lost_from_storage_is_built_again_only_if_it_is_the_same_file(
    seed_paper, member_client, monkeypatch, caplog
):
    data = download(member_client, seed_paper, "xlsx")
    record = PaperFile.objects.get(paper=seed_paper, kind="xlsx")
    default_storage.delete(record.file.name)
    assert download(member_client, seed_paper, "xlsx") == data  # same SHA-256: restored
    record.refresh_from_db()
    assert default_storage.exists(record.file.name)

    default_storage.delete(record.file.name)
    monkeypatch.setattr(xlsx, "paper_workbook", lambda *a, **k: b"PK a different workbook")
    response = fetch(member_client, f"/papers/{seed_paper.pk}/appendix.xlsx")
    assert response.status_code == 503
    assert b"a different workbook" not in response.content
    assert "restore it from the backup" in response.content.decode()
    assert "builds differently now" in caplog.text


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _content(data: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(data)
