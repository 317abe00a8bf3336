"""The county page (one county's records on one page) and the county comparison for the office and committee."""

from operator import itemgetter

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from reports.dashboard import county
from workflow.ui import xlsx

PER_PAGE = 50


@login_required
def county_page(request, pk):
    unit = county.access_county(request.user, pk)
    return TemplateResponse(
        request,
        "reports/county.html",
        {
            "county": unit,
            "sections": county.county_sections(request.user, unit),
            "can_compare": county.can_compare(request.user),
        },
    )


class ComparisonFilter(forms.Form):
    year = forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={"min_value": _("请填写2000—2100之间的年度。"), "max_value": _("请填写2000—2100之间的年度。")},
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "placeholder": _("全部年度")}),
    )


def _compare_filter(request):
    if not county.can_compare(request.user):
        raise PermissionDenied(_("只有市委改革办和市委改革委可以查看各县（市、区）对比。"))
    form = ComparisonFilter(request.GET or None)
    return form, (form.cleaned_data.get("year") if form.is_valid() else None)


@login_required
def county_comparison(request):
    """The comparison for the office and the committee; a county user is taken to its own county's page."""
    mine = county.own_county(request.user)
    if mine is not None and not county.can_compare(request.user):
        return redirect("reports:county", mine)
    form, year = _compare_filter(request)
    page = Paginator(county.counties(), PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "reports/county_comparison.html",
        {
            "form": form,
            "page": page,
            "rows": county.comparison_rows(request.user, list(page), year=year),
            "columns": county.COMPARISON_COLUMNS,
            "year": year,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def county_comparison_export(request):
    form, year = _compare_filter(request)
    columns = [xlsx.Column(_("县（市、区）"), "county.name")] + [
        xlsx.Column(label, itemgetter(key), xlsx.NUMBER if key == "bonus" else xlsx.INT)
        for key, label in county.COMPARISON_COLUMNS
    ]
    merged = county.comparison(request.user, year=year) if form.is_valid() or not form.is_bound else {}
    rows = (county.comparison_row(c, merged) for c in county.counties().iterator(chunk_size=xlsx.CHUNK_SIZE))
    return xlsx.export_response(
        request, what="county_comparison", title=_("各县（市、区）对比"), columns=columns, rows=rows, form=form
    )
