from django.urls import path, register_converter

from actions import carry_views, programme_views, views
from actions.papers import draft_file_views, meetings, paper_templates
from actions.papers import views as paper_views
from actions.people import views as people_views
from actions.risks import views as risk_views
from actions.table_import import views as table_import_views
from careprog.periods import ReportingPeriodConverter

register_converter(ReportingPeriodConverter, "period")

app_name = "actions"
urlpatterns = [
    path("glossary/", views.glossary, name="glossary"),
    path("programmes/", views.programme_list, name="programme_list"),
    # Programmes set up in the app by programme administrators (actions/programme_views.py)
    path("programmes/new/", programme_views.programme_new, name="programme_new"),
    # A progress table uploaded, previewed and confirmed (actions/table_import/views.py)
    path("programmes/import/", table_import_views.table_import, name="table_import"),
    path("programmes/<slug:slug>/edit/", programme_views.programme_edit, name="programme_edit"),
    *(
        path(f"programmes/<slug:slug>/structure/{route}", view, name=name)
        for route, view, name in [
            ("", programme_views.programme_structure, "programme_structure"),
            ("objectives/new/", programme_views.objective_new, "objective_new"),
            ("objectives/<int:pk>/", programme_views.objective_edit, "objective_edit"),
            (
                "objectives/<int:pk>/requirements/new/",
                programme_views.requirement_new,
                "requirement_new",
            ),
            ("requirements/<int:pk>/", programme_views.requirement_edit, "requirement_edit"),
            (
                "requirements/<int:pk>/mechanisms/new/",
                programme_views.mechanism_new,
                "mechanism_new",
            ),
            ("mechanisms/<int:pk>/", programme_views.mechanism_edit, "mechanism_edit"),
            ("mechanisms/<int:pk>/actions/new/", programme_views.action_new, "action_new"),
            ("actions/<int:pk>/", programme_views.action_edit, "action_edit"),
        ]
    ),
    # Up or down among its siblings: /programmes/<slug>/structure/actions/<pk>/reorder/
    *(
        path(
            f"programmes/<slug:slug>/structure/{kind}/<int:pk>/reorder/",
            programme_views.reorder,
            {"kind": kind},
            name=f"reorder_{kind}",
        )
        for kind in programme_views.REORDERED
    ),
    # Retire, restore or delete: /programmes/<slug>/structure/actions/<pk>/retire/
    *(
        path(
            f"programmes/<slug:slug>/structure/{kind}/<int:pk>/{change}/",
            programme_views.change_part,
            {"kind": kind, "change": change},
            name=f"{change}_{kind}",
        )
        for kind in programme_views.REORDERED
        for change in programme_views.RETIRING
    ),
    path("programmes/<slug:slug>/report/", views.report_latest, name="report_latest"),
    path("programmes/<slug:slug>/report/<period:period>/", views.report, name="report"),
    path("programmes/<slug:slug>/attention/", views.attention_latest, name="attention_latest"),
    path("programmes/<slug:slug>/attention/<period:period>/", views.attention, name="attention"),
    path("programmes/<slug:slug>/carry/", carry_views.carry, name="programme_carry"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/mine/", views.my_actions, name="my_actions"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    # Committee papers
    path("programmes/<slug:slug>/papers/", paper_views.paper_list, name="paper_list"),
    path("programmes/<slug:slug>/papers/new/", paper_views.paper_new, name="paper_new"),
    path(
        "programmes/<slug:slug>/papers/subscription/",
        paper_views.paper_subscription,
        name="paper_subscription",
    ),
    path(
        "programmes/<slug:slug>/report/<period:period>/reopen/",
        paper_views.quarter_reopen,
        name="quarter_reopen",
    ),
    # The forward plan: committees and their meetings (actions/papers/meetings.py)
    path("committees/", meetings.forward_plan, name="forward_plan"),
    path("committees/new/", meetings.committee_new, name="committee_new"),
    path("committees/<int:pk>/edit/", meetings.committee_edit, name="committee_edit"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/delete/", meetings.meeting_delete, name="meeting_delete"),
    path("papers/", paper_views.all_papers, name="all_papers"),
    # Paper templates: the report families (actions/papers/paper_templates.py)
    path("papers/templates/", paper_templates.template_list, name="paper_templates"),
    path("papers/templates/new/", paper_templates.template_new, name="paper_template_new"),
    path("papers/templates/<int:pk>/", paper_templates.template_edit, name="paper_template"),
    path("papers/new/", paper_views.portfolio_paper_new, name="portfolio_paper_new"),
    path("papers/<int:pk>/", paper_views.paper_detail, name="paper"),
    path("papers/<int:pk>/changes/", paper_views.paper_changes_page, name="paper_changes"),
    # Excel downloads
    path("papers/<int:pk>/appendix.xlsx", paper_views.paper_xlsx, name="paper_xlsx"),
    path(
        "programmes/<slug:slug>/report/<period:period>/report.xlsx",
        views.report_xlsx,
        name="report_xlsx",
    ),
    # The paper as PDF (actions/papers/pdf.py)
    path("papers/<int:pk>/paper.pdf", paper_views.paper_pdf, name="paper_pdf"),
    # A draft's file, built by a background job for the person who asked (papers/draft_files.py)
    path("papers/<int:pk>/draft/<str:kind>/", draft_file_views.draft_file, name="draft_file"),
    path(
        "papers/<int:pk>/draft/<str:kind>/status.json",
        draft_file_views.draft_file_status,
        name="draft_file_status",
    ),
    path(
        "papers/<int:pk>/draft/<str:kind>/file",
        draft_file_views.draft_file_download,
        name="draft_file_download",
    ),
    path("papers/<int:pk>/edit/", paper_views.paper_edit, name="paper_edit"),
    # Publishing confirms first, listing what the paper is missing.
    path("papers/<int:pk>/publish/", paper_views.paper_publish, name="paper_publish"),
    *(
        path(
            f"papers/<int:pk>/{step}/", paper_views.paper_step, {"step": step}, name=f"paper_{step}"
        )
        for step in paper_views.STEPS
    ),
    # People: who has which role, for programme administrators (actions/people/)
    path("people/", people_views.people, name="people"),
    path("people/new/", people_views.person_new, name="person_new"),
    path("people/import/", people_views.people_import, name="people_import"),
    path("people/<int:pk>/role/", people_views.person_role, name="person_role"),
    path("people/<int:pk>/deactivate/", people_views.person_deactivate, name="person_deactivate"),
    # The risk register (actions/risks/): its own addresses before a risk's reference
    path("programmes/<slug:slug>/risks/", risk_views.register, name="risk_register"),
    path("programmes/<slug:slug>/risks/heat-map/", risk_views.heat_map, name="risk_heat_map"),
    path("programmes/<slug:slug>/risks/new/", risk_views.risk_new, name="risk_new"),
    path("programmes/<slug:slug>/risks/import/", risk_views.risk_import, name="risk_import"),
    path("programmes/<slug:slug>/risks/<int:pk>/edit/", risk_views.risk_edit, name="risk_edit"),
    path(
        "programmes/<slug:slug>/risks/<int:pk>/review/",
        risk_views.risk_review,
        name="risk_review",
    ),
    path("programmes/<slug:slug>/risks/<str:ref>/", risk_views.risk_detail, name="risk"),
    # A paper as Word
    path("papers/<int:pk>/paper.docx", paper_views.paper_docx, name="paper_docx"),
]
