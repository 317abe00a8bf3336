"""What apps contribute from ready() reaches the core: database-rule messages and calendar kinds."""

from django.db import IntegrityError
from django.utils import timezone, translation

from workflow.engine import errors, registry
from workflow.ui import calendar


def test_a_registered_rule_marker_reads_as_its_chinese_rule():
    errors.register_rule("jiaxing:test_rule", "测试规则：不允许这样做。")
    try:
        error = errors.rule_violation(IntegrityError('ERROR: jiaxing:test_rule\nCONTEXT: PL/pgSQL function "x"'))
        assert error is not None and error.message == "测试规则：不允许这样做。" and error.status == 409
    finally:
        errors.RULE_MARKERS.pop("jiaxing:test_rule")
    assert errors.rule_violation(IntegrityError("jiaxing:test_rule")) is None


def test_the_applications_app_registers_the_messages_of_its_triggers_translated():
    exc = IntegrityError("jiaxing:batch_window_closed")
    with translation.override("zh-hans"):
        assert errors.rule_violation(exc).message == "申报批次不在申报时间内，不能提交。"
    with translation.override("en"):
        assert "申报" not in errors.rule_violation(exc).message
    assert errors.rule_violation(IntegrityError("duplicate key value violates unique constraint")) is None


def test_each_app_names_the_kinds_of_its_calendar_events():
    assert {"batch_opens", "batch_closes", "pilot_term", "application", "opinion"} <= set(calendar.KIND_LABELS)
    event = calendar.CalendarEvent(title="x", start=timezone.now(), url="", kind="pilot_term")
    assert event.kind_label == "试点期满" and event.badge_class == "text-bg-dark"
    unknown = calendar.CalendarEvent(title="x", start=timezone.now(), url="", kind="zz_unknown")
    assert unknown.kind_label == "zz_unknown" and unknown.badge_class == "text-bg-secondary"


def test_an_action_that_is_not_a_transition_reads_as_its_registered_label():
    registry.register_label("zz_archived", "归档")
    try:
        assert registry.action_label("ticket.zz_archived") == "归档"
    finally:
        registry.EXTRA_LABELS.pop("zz_archived")
    assert registry.action_label("ticket.zz_archived") == "ticket.zz_archived"
    assert registry.action_label("application.admin_edit") == "后台更正"
