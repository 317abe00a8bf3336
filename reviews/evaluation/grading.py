"""Pure grading: weights checked, each evaluator's weighted total, the average, the grade by thresholds.

No database here: the evaluation service hands in plain dicts and Decimals and stores what comes back. Rules:

- each criterion is scored 0–100 by each evaluator; the weights are percentages and must sum to exactly 100;
- an evaluator's total is Σ score × weight / 100 (exact Decimal arithmetic);
- the pilot's total is the mean of the evaluators' totals, rounded half up to two places (what is shown);
- the grade is read from that shown total: a total exactly at a threshold earns the higher grade (90.00 is 优秀).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EXCELLENT, GOOD, PASS, FAIL = "excellent", "good", "pass", "fail"
GRADE_CHOICES = [
    (EXCELLENT, gettext_lazy("优秀")),
    (GOOD, gettext_lazy("良好")),
    (PASS, gettext_lazy("合格")),
    (FAIL, gettext_lazy("不合格")),
]
DEFAULT_THRESHOLDS = ((EXCELLENT, Decimal("90")), (GOOD, Decimal("80")), (PASS, Decimal("60")))
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


class GradingError(ValueError):
    """A criteria set or a score sheet that cannot be graded; ``message`` is the Chinese sentence shown."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Result:
    total: Decimal  # rounded to 0.01
    grade: str
    evaluator_totals: dict  # evaluator -> Decimal (rounded to 0.01)
    criterion_means: dict  # criterion -> Decimal (rounded to 0.01)


def as_decimal(value, *, what=""):
    """A Decimal (None stays None). A float is read as its shortest text (0.1 is 0.1, not its binary
    expansion); text that is not a finite number is refused."""
    if value is None or isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(str(value).strip() if isinstance(value, float | str) else value)
        except (InvalidOperation, TypeError, ValueError):
            result = Decimal("NaN")
    if result is not None and not result.is_finite():
        raise GradingError(_("“%(what)s”不是有效的数字。") % {"what": what or value})
    return result


def plain(value):
    """A Decimal as people write it: 90, 92.5 (never 9E+1)."""
    return format(value.normalize(), "f")


def rounded(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def check_weights(weights, names=None):
    """``weights``: criterion -> weight (percent). Raises GradingError if there is no criterion, a weight is
    missing or negative, or they do not sum to exactly 100. ``names`` maps a criterion to its shown name."""
    names = names or {}
    if not weights:
        raise GradingError(_("评估指标体系中没有评估指标，请先在后台设置评估指标及权重。"))
    missing = [str(names.get(k, k)) for k, w in weights.items() if w is None or str(w).strip() == ""]
    if missing:
        raise GradingError(_("评估指标“%(names)s”未设置权重。") % {"names": "、".join(missing)})
    values = {k: as_decimal(w, what=names.get(k, k)) for k, w in weights.items()}
    negative = [str(names.get(k, k)) for k, w in values.items() if w < 0]
    if negative:
        raise GradingError(_("评估指标“%(names)s”的权重不能为负数。") % {"names": "、".join(negative)})
    total = sum(values.values(), Decimal(0))
    if total != HUNDRED:
        raise GradingError(_("评估指标的权重合计应为100，当前为%(total)s。") % {"total": plain(total)})
    return values


def check_thresholds(thresholds):
    """``((grade, minimum), …)`` for 优秀, 良好, 合格 in that order, each minimum 0–100 and strictly descending."""
    values = [(g, as_decimal(m, what=g)) for g, m in thresholds]
    if [g for g, _m in values] != [EXCELLENT, GOOD, PASS]:
        raise GradingError(_("等次分数线应依次为优秀、良好、合格。"))
    minimums = [m for _g, m in values]
    if any(m is None or m < 0 or m > HUNDRED for m in minimums) or not (minimums[0] > minimums[1] > minimums[2]):
        raise GradingError(_("等次分数线应在0至100之间，且优秀>良好>合格。"))
    return values


def check_score(score, *, what=""):
    value = as_decimal(score, what=what)
    if value is None:
        raise GradingError(_("请为“%(what)s”打分。") % {"what": what})
    if value < 0 or value > HUNDRED:
        raise GradingError(_("“%(what)s”的得分应在0至100之间。") % {"what": what})
    return value


def weighted_total(scores, weights, names=None):
    """One evaluator's exact weighted total (not rounded). ``scores``: criterion -> score (0–100); every
    weighted criterion needs a score."""
    names = names or {}
    values = check_weights(weights, names)
    missing = [str(names.get(k, k)) for k in values if scores.get(k) is None]
    if missing:
        raise GradingError(_("尚未为“%(names)s”打分。") % {"names": "、".join(missing)})
    return sum((check_score(scores[k], what=names.get(k, k)) * w / HUNDRED for k, w in values.items()), Decimal(0))


def grade_for(total, thresholds=DEFAULT_THRESHOLDS):
    """The grade of a total: the first threshold it reaches (a total exactly at a threshold reaches it)."""
    for grade, minimum in check_thresholds(thresholds):
        if total >= minimum:
            return grade
    return FAIL


def grade_label(grade):
    return str(dict(GRADE_CHOICES).get(grade, grade))


def evaluate(sheets, weights, thresholds=DEFAULT_THRESHOLDS, names=None):
    """Grade a pilot. ``sheets``: evaluator -> {criterion: score}. Raises GradingError when there is no sheet
    or a sheet misses a score; otherwise the rounded mean total, its grade and the per-criterion means."""
    if not sheets:
        raise GradingError(_("尚无评估人员评分，不能计算评估结果。"))
    values = check_weights(weights, names)
    exact = {who: weighted_total(scores, values, names) for who, scores in sheets.items()}
    mean = sum(exact.values(), Decimal(0)) / len(exact)
    total = rounded(mean)
    criterion_means = {
        k: rounded(sum((as_decimal(s[k]) for s in sheets.values()), Decimal(0)) / len(sheets)) for k in values
    }
    return Result(
        total=total,
        grade=grade_for(total, thresholds),
        evaluator_totals={who: rounded(v) for who, v in exact.items()},
        criterion_means=criterion_means,
    )


# The grades from the lowest up: "at least 合格" reads this order (BONUS_MIN_GRADE).
RANK = {FAIL: 0, PASS: 1, GOOD: 2, EXCELLENT: 3}


def reaches(grade, minimum):
    """Whether ``grade`` is ``minimum`` or better (优秀 > 良好 > 合格 > 不合格); an unknown minimum is a
    setting error."""
    if minimum not in RANK:
        raise ImproperlyConfigured(f"BONUS_MIN_GRADE must be one of {', '.join(RANK)}, not {minimum!r}")
    return RANK.get(grade, -1) >= RANK[minimum]
