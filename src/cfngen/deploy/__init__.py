"""The boto3 deployer: package templates to S3, deploy through change sets, watch, destroy.

One module per job: :mod:`session` (clients, retries, credential errors),
:mod:`package` (content-addressed uploads), :mod:`changeset` (preview),
:mod:`watch` (live events, root cause), :mod:`stack` (deploy flow and stack
states), :mod:`status` (CloudFormation's statuses as enums), :mod:`destroy`,
:mod:`outputs`, :mod:`hooks` (pre-delete / post-deploy extension points). The
deployer never builds templates: it asks :func:`cfngen.render.render` for the bytes.
"""
