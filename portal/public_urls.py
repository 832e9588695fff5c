from django.urls import path

from portal.views import records, search

app_name = "portal"

urlpatterns = [
    path("", records.home, name="home"),
    path("catalogue/<slug:slug>/", records.category, name="category"),
    path("records/<int:pk>/", records.record_detail, name="record"),
    path("search/", search.search, name="search"),
]
