from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from actions import queries
from actions.models import Programme
from actions.periods import InvalidPeriod, ReportingPeriod


@require_GET
def home(request):
    return render(
        request,
        "home.html",
        {"programmes": queries.programmes_for_list()},
    )


@require_GET
def programme_list(request):
    return render(
        request,
        "actions/programme_list.html",
        {"programmes": queries.programmes_for_list(), "nav_section": "programmes"},
    )


@require_GET
def report_latest(request, slug):
    """The latest period's report; also where the period selector's form lands."""
    programme = get_object_or_404(Programme, slug=slug)
    chosen = request.GET.get("period")
    if chosen:
        try:
            period = ReportingPeriod.parse(chosen)
        except InvalidPeriod:
            raise Http404("No such reporting period") from None
    else:
        period = queries.latest_reported_period(programme)
    return redirect("actions:report", slug=programme.slug, period=period.slug)


@require_GET
def report(request, slug, period):
    programme = get_object_or_404(Programme, slug=slug)
    try:
        reporting_period = ReportingPeriod.parse(period)
    except InvalidPeriod:
        raise Http404("No such reporting period") from None
    if not programme.covers(reporting_period):
        raise Http404(f"{programme} does not report on {reporting_period}")
    return render(
        request,
        "actions/report.html",
        {
            "programme": programme,
            "period": reporting_period,
            "periods": programme.periods(),
            "tables": queries.report_tables(programme, reporting_period),
            "nav_section": "programmes",
        },
    )
