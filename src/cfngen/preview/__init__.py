"""See before you deploy: cost estimates, architecture diagrams and deploy-time estimates.

Everything here reads *templates* (the generated ones, or the ones a stack was deployed
with), never the config directly, so one code path prices a config before its first
deploy and the difference between what is deployed and what is about to be. Pure
functions: no boto3, no files except the data files shipped in this package.
"""
