"""A paper's files (PDF, Word, Excel): a draft's built from live data by a background job on
each request for it (papers/draft_files.py), a published paper's built once and served from
storage ever after.

Why stored: a published paper can never change, yet its PDF took seconds of CPU to print on
every download. Its files are a function of its snapshot and publication time, so building
them once gives the bytes every later build would; storing them means every download is the
same file even if a later WeasyPrint, Pango or font would print it differently.

When they are built: publishing stays one short transaction (the snapshot, the state, the
lock) and queues a background job that builds and stores the files once it has committed
(``store_published_files``), so neither the paper's row lock nor a web worker is
held while a PDF prints. Should that fail (a crash, a full disk), or
for a paper published before files were stored, the first download builds and stores them.
Two first downloads at once both build; one file is kept (a unique constraint per paper and
kind) and the other request serves the kept file, never its own.

Where: Django's default storage (``MEDIA_ROOT`` under FileSystemStorage, docs/operating.md),
the digest in ``PaperFile``. A file missing from storage (a restore without the media folder)
is built again and served only if its SHA-256 is the recorded one; otherwise the download is
refused rather than a different file served.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task

from actions.models import Paper, PaperFile
from actions.papers import pdf, word, xlsx
from actions.papers.content import paper_content
from careprog.downloads import download_name

logger = logging.getLogger(__name__)
Kind = PaperFile.Kind


@dataclass(frozen=True)
class FileKind:
    content_type: str
    what: str  # the download's name: <programme>-<quarter>-<what>-<date>.<ext>


KINDS = {
    Kind.PDF: FileKind("application/pdf", "paper"),
    Kind.DOCX: FileKind(word.MIME, "paper"),
    Kind.XLSX: FileKind(xlsx.CONTENT_TYPE, "appendices"),
}


# Each kind's download, as named in actions/urls.py.
URL_NAMES = {Kind.PDF: "paper_pdf", Kind.DOCX: "paper_docx", Kind.XLSX: "paper_xlsx"}


class FileLost(Exception):
    """A published file is gone from storage and building it again gives other bytes."""


def build(paper: Paper, kind: str) -> bytes:
    """The file from the paper's content: a published paper's snapshot dated at publication,
    a draft's live build dated now."""
    content, draft = paper_content(paper), not paper.is_published
    at = paper.published_at if paper.is_published else timezone.now()
    if kind == Kind.PDF:
        return pdf.render(content, draft=draft, published_at=paper.published_at)
    if kind == Kind.DOCX:
        return word.paper_docx(content, draft=draft, at=at)
    return xlsx.paper_workbook(content, draft=draft, at=at)


def file_name(paper: Paper, kind: str) -> str:
    """A paper's file's name: programme, quarter, what, the meeting's date, and "draft" until
    it is published (careprog.downloads)."""
    return download_name(
        KINDS[kind].what,
        kind,
        programme=paper.programme.slug if paper.programme else slugify(paper.title),
        period=paper.period,
        on=paper.meeting.date,
        draft=not paper.is_published,
    )


def paper_file(paper: Paper, kind: str) -> bytes:
    """What a download of a published paper's ``kind`` serves: its stored file, one query and
    a read; built and stored on its first download. A draft's file is never built in a
    request: it is built by a job (papers/draft_files.py), so a draft is refused here."""
    if not paper.is_published:
        raise ValueError(f"Paper {paper.pk} is a draft: its files are built by a job")
    stored = PaperFile.objects.filter(paper=paper, kind=kind).first()
    if stored is None:
        return _store(paper, kind, build(paper, kind))
    try:
        with stored.file.open("rb") as file:
            return file.read()
    except FileNotFoundError:
        return _rebuild(stored, paper)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _save(paper: Paper, kind: str, data: bytes) -> str:
    digest = _digest(data)
    return default_storage.save(f"papers/{paper.pk}-{kind}-{digest[:16]}.{kind}", ContentFile(data))


def _store(paper: Paper, kind: str, data: bytes) -> bytes:
    """Keep ``data`` as the paper's file unless another request kept one first: the bytes of
    whichever is kept."""
    name = _save(paper, kind, data)
    try:
        with transaction.atomic():
            PaperFile.objects.create(
                paper=paper, kind=kind, file=name, sha256=_digest(data), size=len(data)
            )
    except IntegrityError:
        default_storage.delete(name)
        kept = PaperFile.objects.get(paper=paper, kind=kind)
        with kept.file.open("rb") as file:
            return file.read()
    return data


def _rebuild(stored: PaperFile, paper: Paper) -> bytes:
    data = build(paper, stored.kind)
    if _digest(data) != stored.sha256:
        logger.error(
            "Paper %s's %s is missing from storage (%s) and builds differently now: restore "
            "the media folder from its backup",
            paper.pk,
            stored.kind,
            stored.file.name,
        )
        raise FileLost(stored.file.name)
    stored.file.name = _save(paper, stored.kind, data)
    stored.save(update_fields=["file"])
    logger.warning(
        "Paper %s's %s was missing from storage: built again, same SHA-256", paper.pk, stored.kind
    )
    return data


def store_all(*, paper_id: int) -> None:
    """Build and store every file of a published paper that has none yet. Run by a job once
    publishing has committed; a failure is logged, and the first download builds the file."""
    paper = Paper.objects.select_related("programme", "meeting__committee").get(pk=paper_id)
    have = set(PaperFile.objects.filter(paper=paper).values_list("kind", flat=True))
    for kind in KINDS:
        if kind in have:
            continue
        try:
            _store(paper, kind, build(paper, kind))
        except Exception:
            logger.exception(
                "Paper %s's %s was not stored at publication: built on first download",
                paper_id,
                kind,
            )


@task()
def store_published_files(*, paper_id: int) -> None:
    """The job publishing queues in its own transaction (so a rolled-back publication queues
    nothing): store_all, in a worker rather than in the request that published."""
    store_all(paper_id=paper_id)
