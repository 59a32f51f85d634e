"""The pages of a draft paper's file built in the background (papers/draft_files.py): the
waiting page, its JSON status for job-progress.mjs, and the built file. Each belongs to the
person who asked, and only while they may read the paper (the download's own checks): anyone
else gets 404, as for a paper they may not read."""

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from actions.papers import draft_files, files
from actions.papers.views import _get_paper_for_user
from careprog import jobs
from careprog.downloads import attachment

KIND_NAMES = {"pdf": "PDF", "docx": "Word document", "xlsx": "spreadsheet"}


def _draft_file_for_user(request, pk, kind):
    if kind not in files.KINDS:
        raise Http404("No such file")
    paper = _get_paper_for_user(request, pk)
    draft_file = draft_files.for_user(paper=paper, kind=kind, user=request.user)
    if draft_file is None:
        raise Http404("No such file")
    return paper, draft_file


@require_GET
def draft_file(request, pk, kind):
    """Waiting while the job runs, then the download; on a failure, a way to try again."""
    paper, draft_file = _draft_file_for_user(request, pk, kind)
    job = jobs.state(draft_file.job_id, task=draft_files.build_draft_file)
    context = {
        "paper": paper,
        "draft_file": draft_file,
        "what": KIND_NAMES[kind],
        "job": job,
        "built": job.status == "done" and bool(draft_file.file.name),
        "status_url": reverse("actions:draft_file_status", args=[pk, kind]),
        "download_url": reverse("actions:draft_file_download", args=[pk, kind]),
        "again_url": reverse(f"actions:{files.URL_NAMES[kind]}", args=[pk]),
    }
    return render(request, "actions/papers/draft_file.html", context)


@require_GET
def draft_file_status(request, pk, kind):
    _paper, draft_file = _draft_file_for_user(request, pk, kind)
    job = jobs.state(draft_file.job_id, task=draft_files.build_draft_file)
    return JsonResponse(jobs.as_json(job))


@require_GET
def draft_file_download(request, pk, kind):
    """The bytes the job stored, with the name and type the download always had."""
    _paper, draft_file = _draft_file_for_user(request, pk, kind)
    body = draft_files.read(draft_file) if draft_file.file.name else None
    if body is None:
        raise Http404("This file has not been built, or has been removed")
    response = HttpResponse(body, content_type=files.KINDS[kind].content_type)
    return attachment(response, draft_file.name)
