"""Statistics any page can show: ``{% load docflow_statistics %}{% statistics_trend %}`` draws
the agency's last 12 months (received, completed, issued) for leaders, clerks and admins."""

from __future__ import annotations

from django import template

from docflow.routing.statistics import STATISTICS_ROLES, monthly_trend
from docflow.web.statistics_charts import trend_chart

register = template.Library()


@register.inclusion_tag("web/statistics/_trend.html", takes_context=True)
def statistics_trend(context) -> dict:
    """Three queries; nothing for members who may not read statistics."""
    membership = getattr(context.get("request"), "membership", None)
    if membership is None or not membership.has_role(*STATISTICS_ROLES):
        return {"chart": None}
    # Drawn to fit a phone (labels >= 11 px there); a desktop shows it at up to 36rem.
    return {"chart": trend_chart(monthly_trend(), height=230), "chart_id": "trend-dashboard"}
