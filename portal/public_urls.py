from django.urls import path

from portal.views import plans, records

app_name = "portal"

urlpatterns = [
    path("", records.home, name="home"),
    path("catalogue/<slug:slug>/", records.category, name="category"),
    path("records/<int:pk>/", records.record_detail, name="record"),
    path("plans/", plans.plans, name="plans"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
]
