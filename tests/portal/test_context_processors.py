"""The 繁体版/简体版 toggle targets (portal/context_processors.py)."""

from django.test import RequestFactory
from django.urls import clear_script_prefix, set_script_prefix

from portal.context_processors import script_paths


def test_toggle_targets_keep_path_and_query():
    request = RequestFactory().get("/records/", {"keyword": "学校", "page": "2"})
    assert script_paths(request) == (
        "/records/?keyword=%E5%AD%A6%E6%A0%A1&page=2",
        "/zh-hant/records/?keyword=%E5%AD%A6%E6%A0%A1&page=2",
        "/zh-hk/records/?keyword=%E5%AD%A6%E6%A0%A1&page=2",
    )
    traditional = RequestFactory().get("/zh-hant/catalogue/plans/")
    catalogue = ("/catalogue/plans/", "/zh-hant/catalogue/plans/", "/zh-hk/catalogue/plans/")
    assert script_paths(traditional) == catalogue
    assert script_paths(RequestFactory().get("/zh-hk/catalogue/plans/")) == catalogue
    assert script_paths(RequestFactory().get("/zh-hant/")) == ("/", "/zh-hant/", "/zh-hk/")
    assert script_paths(RequestFactory().get("/zh-hk/")) == ("/", "/zh-hant/", "/zh-hk/")


def test_toggle_targets_keep_a_sub_path_mount():
    set_script_prefix("/xxgk/")
    try:
        request = RequestFactory().get("/zh-hant/records/1/", SCRIPT_NAME="/xxgk")
        request.path_info = "/zh-hant/records/1/"
        assert script_paths(request) == (
            "/xxgk/records/1/",
            "/xxgk/zh-hant/records/1/",
            "/xxgk/zh-hk/records/1/",
        )
    finally:
        clear_script_prefix()
        set_script_prefix("/")


def test_a_path_merely_starting_with_the_prefix_letters_is_simplified():
    request = RequestFactory().get("/zh-hantology/")
    assert script_paths(request) == (
        "/zh-hantology/",
        "/zh-hant/zh-hantology/",
        "/zh-hk/zh-hantology/",
    )
