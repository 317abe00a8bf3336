"""The application form's selects speak the site's language, their empty choice included."""

from django.utils import translation

from applications.forms import ApplicationForm


def test_the_empty_choice_of_a_select_reads_in_the_users_language():
    for language, label in (("zh-hans", "请选择"), ("en", "Select")):
        with translation.override(language):
            first = ApplicationForm().fields["area"].choices[0]
            assert first[0] == "" and str(first[1]) == label, first
            assert "Select an option" not in str(ApplicationForm()["area"])
