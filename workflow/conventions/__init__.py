"""The approval conventions (撤回, 退回到指定步骤, 批量审批, 催办, 传阅, 常用意见, 审批单; the ``Conventions``
mixin) and opinions: records and services. Imports the services, the inbox, the engine and accounts; never the ui."""
