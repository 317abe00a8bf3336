"""Excel import of candidates (being built)."""

from django.http import HttpResponse


def candidate_import(request):
    return HttpResponse(status=501)


def candidate_import_template(request):
    return HttpResponse(status=501)
