"""试点方案 (the plan: task list, risk and legality sections, stacking check, consultation, office review, committee
approval) and 总结评估 (self-evaluation, evaluation, the summary that completes the pilot)."""
