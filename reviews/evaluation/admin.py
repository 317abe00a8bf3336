"""The criteria sets in the admin for support staff (registered from ReviewsConfig.ready): criteria and weights
inline, checked to sum to 100; a set already used by a self-evaluation is read-only (its results stand)."""

from django import forms
from django.contrib import admin

from reviews.evaluation import grading
from reviews.evaluation.models import CriteriaSet, Criterion


class CriterionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name")
        ]
        try:
            grading.check_weights({r["name"]: r.get("weight") for r in rows})
        except grading.GradingError as err:
            raise forms.ValidationError(err.message) from None


class CriterionInline(admin.TabularInline):
    model = Criterion
    formset = CriterionFormSet
    extra = 0
    fields = ["order", "name", "weight", "description"]


class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "excellent_min", "good_min", "pass_min", "created_at"]
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and obj.in_use())

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.in_use())

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class Checked(form):
            def clean(self):
                data = super().clean()
                try:
                    grading.check_thresholds(
                        [
                            (k, data.get(f))
                            for k, f in zip(
                                (grading.EXCELLENT, grading.GOOD, grading.PASS),
                                ("excellent_min", "good_min", "pass_min"),
                                strict=True,
                            )
                        ]
                    )
                except grading.GradingError as err:
                    raise forms.ValidationError(err.message) from None
                return data

        Checked.__name__ = form.__name__
        return Checked


def register():
    if not admin.site.is_registered(CriteriaSet):
        admin.site.register(CriteriaSet, CriteriaSetAdmin)


__all__ = ["register"]
