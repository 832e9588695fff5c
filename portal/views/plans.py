"""The public plan tracker: what a bureau promised, and whether it did it."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from disclosure.filters import MAX_YEAR, MIN_YEAR
from disclosure.numbers import number_or_none
from plans.choices import PlanItemStatus
from plans.models import WorkPlan
from plans.selectors import (
    plan_index,
    plan_organizations,
    plan_years,
    public_plan_detail,
)
from portal.charts import status_chart


class BadPlanFilter(Exception):
    """A filter value the reader can correct: answered 400 with the reason, never ignored."""


def _number_param(request: HttpRequest, name: str, label: str, **bounds: int) -> int | None:
    raw = request.GET.get(name, "")
    if not raw:
        return None
    value = number_or_none(raw, **bounds)
    if value is None:
        raise BadPlanFilter(f"{label}「{raw[:20]}」无效,请从筛选列表中选择。")
    return value


def _year_param(request: HttpRequest) -> int | None:
    return _number_param(request, "year", "年份", minimum=MIN_YEAR, maximum=MAX_YEAR)


def _organization_param(request: HttpRequest) -> int | None:
    return _number_param(request, "organization", "单位", minimum=1)


def _status_param(request: HttpRequest) -> str | None:
    value = request.GET.get("status", "")
    return value if value in PlanItemStatus.values else None


def plans(request: HttpRequest) -> HttpResponse:
    status = _status_param(request)
    try:
        year, organization_id = _year_param(request), _organization_param(request)
        if request.GET.get("status") and status is None:
            raise BadPlanFilter(
                "进展「{}」无效,请从筛选列表中选择。".format(request.GET["status"][:20])
            )
    except BadPlanFilter as error:
        return render(request, "portal/400.html", {"message": str(error)}, status=400)
    plan_list, organizations = plan_index(year=year, organization_id=organization_id, status=status)
    chart = status_chart(
        chart_id="org-chart", title="各单位计划事项落实情况(按进展统计)", rows=organizations
    )
    context = {
        "plans": plan_list,
        "organizations": organizations,
        "chart": chart,
        "years": plan_years(),
        "organization_choices": plan_organizations(),
        "statuses": PlanItemStatus.choices,
        "selected": {"year": year, "organization": organization_id, "status": status},
    }
    return render(request, "portal/plans/index.html", context)


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    status = _status_param(request)
    try:
        plan = public_plan_detail(record_pk=pk, status=status)
    except WorkPlan.DoesNotExist:
        raise Http404("没有找到该计划。") from None
    table_rows = [*plan.section_summaries, plan.summary]
    chart = status_chart(
        chart_id="plan-chart",
        title=f"{plan.record.title}:事项落实情况(按进展统计)",
        rows=table_rows,
    )
    context = {
        "plan": plan,
        "record": plan.record,
        "chart": chart,
        "table_rows": table_rows,
        "statuses": PlanItemStatus.choices,
        "selected": {"status": status},
    }
    return render(request, "portal/plans/detail.html", context)
