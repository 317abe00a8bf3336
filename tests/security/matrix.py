"""The role × URL matrix's machinery: every named URL pattern of the URL conf, the people of each role, the
sample record each parameter points at, and the request that measures one cell."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The columns of the matrix, in the order the expected strings in url_matrix.py use.
ROLES = [
    "anonymous",
    "county",  # 南湖区, whose application the samples are
    "other_county",  # 秀洲区
    "reform_office",
    "committee",
    "special_group",  # 数字化专项小组, asked for its opinion on the application
    "guidance_unit",
    "expert",
    "municipal_dept",
    "system_admin",
    "security_admin",
    "audit_admin",
]
MISSING = 999999  # a record that does not exist: the answer must still be a clean 404/403/302


def url_patterns(patterns=None, prefix=""):
    """(namespaced name, pattern) of every named URL pattern, recursively."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from url_patterns(p.url_patterns, prefix + (f"{p.namespace}:" if p.namespace else ""))
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name, p


def sample_kwargs(name, pattern, s):
    """Each parameter filled with the scenario's record of that kind (``s`` is the scenario dict)."""
    namespace = name.split(":")[0] if ":" in name else ""
    kwargs = {}
    for param in list(pattern.pattern.converters) or list(pattern.pattern.regex.groupindex):
        if param in ("object_id", "id"):
            value = "1"
        elif param == "app_label":
            value = "accounts"
        elif param == "token":
            value = "not-a-token"
        elif param == "number":
            value = 1
        elif param == "batch_pk":
            value = s["batch"].pk
        elif param == "attachment_pk":
            value = s["attachment"].pk
        elif param == "membership_pk":
            value = s["county_membership"].pk
        elif param == "workflow":  # the conventions' record URLs (workflow.conventions.approval) name the workflow
            value = "application"
        elif param == "kind":  # the special group's 催办 names the kind of record (reports.monitoring.supervision)
            value = "quarterly_report"
        elif param == "source":  # a problem item is raised from the application (reports.problems.views)
            value = "application"
        elif param != "pk":
            value = MISSING
        elif namespace == "applications" or name == "reports:problem_new":
            value = s["application"].pk
        elif name.startswith("pilots:batch_"):
            value = s["batch"].pk
        elif name.startswith("pilots:candidate_"):
            value = s["candidate"].pk
        elif name in ("workflow:recall", "workflow:opened", "workflow:urge", "workflow:copy", "workflow:sheet"):
            value = s["application"].pk
        elif name == "workflow:attachment":
            value = s["attachment"].pk
        elif name.startswith("workflow:opinion"):
            value = s["opinion"].pk
        elif name.startswith("sysadmin_unit") or name == "reports:county":
            value = s["county_unit"].pk
        elif name.startswith(("sysadmin_", "secadmin_")):
            value = s["county_user"].pk
        else:
            value = MISSING
        kwargs[param] = value
    return kwargs


def measure(client, url):
    """The status of a GET. A streamed file is read to its end: the test client then closes it itself, with the
    request-finished hook held off (that hook closes the database connection, ending a test's transaction)."""
    response = client.get(url)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response.status_code


def url_for(name, pattern, scenario):
    return reverse(name, kwargs=sample_kwargs(name, pattern, scenario))
