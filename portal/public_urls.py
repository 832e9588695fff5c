from django.urls import path

from portal.views import annual_reports, plans, records, requests

app_name = "portal"

urlpatterns = [
    path("", records.home, name="home"),
    path("catalogue/<slug:slug>/", records.category, name="category"),
    path("records/<int:pk>/", records.record_detail, name="record"),
    path("requests/apply/", requests.request_form, name="request_form"),
    path("requests/receipt/", requests.request_receipt, name="request_receipt"),
    path("requests/status/", requests.request_status, name="request_status"),
    path("annual-reports/", annual_reports.annual_report_list, name="annual_reports"),
    path("annual-reports/<int:pk>/", annual_reports.annual_report_detail, name="annual_report"),
    path(
        "annual-reports/<int:pk>/xlsx/",
        annual_reports.annual_report_download,
        name="annual_report_xlsx",
    ),
    path("plans/", plans.plans, name="plans"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
]
