"""总结评估: the county's self-evaluation, evaluators and criteria, grading and the summary that completes a pilot.
Imports reviews.plans (the plan's tasks), pilots, applications and the core; never reports."""
