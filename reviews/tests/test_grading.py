"""The pure grading rules: weights, weighted totals, rounding, thresholds (ties), missing scores."""

from decimal import Decimal

import pytest

from reviews.evaluation import grading
from reviews.evaluation.grading import EXCELLENT, FAIL, GOOD, PASS, GradingError

D = Decimal
WEIGHTS = {"goal": D(30), "innovation": D(20), "integration": D(15), "effect": D(20), "replicable": D(15)}
NAMES = {"goal": "目标完成情况", "innovation": "制度创新", "integration": "集成协同", "effect": "实际成效"}


def all_(score):
    return dict.fromkeys(WEIGHTS, D(score))


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (D("90"), EXCELLENT),  # exactly at the threshold: the higher grade
        (D("89.99"), GOOD),
        (D("80.00"), GOOD),
        (D("79.99"), PASS),
        (D("60"), PASS),
        (D("59.99"), FAIL),
        (D("0"), FAIL),
        (D("100"), EXCELLENT),
    ],
)
def test_grade_at_and_around_each_threshold(total, grade):
    assert grading.grade_for(total) == grade


def test_weighted_total_is_exact():
    scores = {"goal": D(95), "innovation": D(88), "integration": D(80), "effect": D(90), "replicable": D(70)}
    # 28.5 + 17.6 + 12 + 18 + 10.5
    assert grading.weighted_total(scores, WEIGHTS) == D("86.6")


def test_a_missing_weight_is_named():
    weights = {**WEIGHTS, "effect": None}
    with pytest.raises(GradingError, match="“实际成效”未设置权重"):
        grading.check_weights(weights, NAMES)


def test_weights_not_summing_to_100_are_refused_with_the_sum():
    with pytest.raises(GradingError, match="合计应为100，当前为95"):
        grading.check_weights({**WEIGHTS, "goal": D(25)})
    with pytest.raises(GradingError, match=r"合计应为100，当前为100\.5"):
        grading.check_weights({**WEIGHTS, "goal": D("30.5")})


def test_negative_weight_and_no_criteria_are_refused():
    with pytest.raises(GradingError, match="不能为负数"):
        grading.check_weights({"goal": D(-10), "innovation": D(110)}, NAMES)
    with pytest.raises(GradingError, match="没有评估指标"):
        grading.check_weights({})


def test_no_scores_cannot_be_graded():
    with pytest.raises(GradingError, match="尚无评估人员评分"):
        grading.evaluate({}, WEIGHTS)


def test_a_sheet_missing_a_score_names_the_criterion():
    scores = all_(80)
    del scores["goal"]
    with pytest.raises(GradingError, match="尚未为“目标完成情况”打分"):
        grading.evaluate({"a": scores}, WEIGHTS, names=NAMES)


def test_scores_out_of_range_are_refused():
    with pytest.raises(GradingError, match="0至100"):
        grading.weighted_total({**all_(80), "goal": D(101)}, WEIGHTS, NAMES)
    with pytest.raises(GradingError, match="不是有效的数字"):
        grading.weighted_total({**all_(80), "goal": "abc"}, WEIGHTS, NAMES)


def test_mean_rounds_half_up_to_cents_and_the_grade_reads_the_shown_total():
    # Totals 89.99 and 90.00 average to 89.995: shown (half up) as 90.00, and 90.00 is 优秀.
    sheets = {"a": all_("89.99"), "b": all_(90)}
    result = grading.evaluate(sheets, WEIGHTS)
    assert result.total == D("90.00")
    assert result.grade == EXCELLENT
    assert result.evaluator_totals == {"a": D("89.99"), "b": D("90.00")}


def test_mean_of_three_repeating_decimal_rounds_to_two_places():
    sheets = {"a": all_(80), "b": all_(80), "c": all_(81)}  # 241 / 3 = 80.333…
    result = grading.evaluate(sheets, WEIGHTS)
    assert result.total == D("80.33")
    assert result.grade == GOOD
    assert result.criterion_means["goal"] == D("80.33")


def test_floats_are_read_as_their_decimal_text():
    assert grading.weighted_total(dict.fromkeys(WEIGHTS, 0.1), WEIGHTS) == D("0.1")


def test_custom_thresholds_and_their_checks():
    thresholds = ((EXCELLENT, D(85)), (GOOD, D(75)), (PASS, D(50)))
    assert grading.grade_for(D(85), thresholds) == EXCELLENT
    assert grading.grade_for(D("49.99"), thresholds) == FAIL
    with pytest.raises(GradingError, match="优秀>良好>合格"):
        grading.grade_for(D(70), ((EXCELLENT, D(80)), (GOOD, D(80)), (PASS, D(60))))
    with pytest.raises(GradingError, match="依次为优秀、良好、合格"):
        grading.grade_for(D(70), ((GOOD, D(80)), (EXCELLENT, D(90)), (PASS, D(60))))


def test_grade_labels():
    assert [grading.grade_label(g) for g in (EXCELLENT, GOOD, PASS, FAIL)] == ["优秀", "良好", "合格", "不合格"]


def test_infinite_or_not_a_number_scores_are_refused():
    for bad in ("NaN", "Infinity", D("Infinity")):
        with pytest.raises(GradingError, match="不是有效的数字"):
            grading.weighted_total({**all_(80), "goal": bad}, WEIGHTS, NAMES)
