"""The app's models, imported from where each capability keeps them: plans and the stacking check
(reviews.plans.models), 总结评估 (reviews.evaluation.models)."""

from reviews.evaluation.models import (
    CriteriaSet,
    Criterion,
    Evaluation,
    EvaluatorScore,
    EvaluatorSheet,
    SelfEvaluation,
    SelfEvaluationReminder,
    SelfEvaluationTask,
    SelfScore,
)
from reviews.plans.models import (
    OpinionAnswer,
    Plan,
    PlanTask,
    ReferenceTask,
    StackingFlag,
    TaskRemark,
    TaskSignatureBand,
    new_key,  # a field default, named by migration 0001 as reviews.models.new_key
)

__all__ = [
    "CriteriaSet",
    "Criterion",
    "Evaluation",
    "EvaluatorScore",
    "EvaluatorSheet",
    "OpinionAnswer",
    "Plan",
    "PlanTask",
    "ReferenceTask",
    "SelfEvaluation",
    "SelfEvaluationReminder",
    "SelfEvaluationTask",
    "SelfScore",
    "StackingFlag",
    "TaskRemark",
    "TaskSignatureBand",
    "new_key",
]
