"""StackSets: one packaged root template deployed to many accounts and regions.

CloudFormation StackSets does the fan-out; this package only drives it: package
the templates with absolute S3 URLs readable by the targets (:mod:`.package`),
compare configured targets with existing instances (:mod:`.plan`), turn config
and flags into operation preferences (:mod:`.preferences`) and run and watch the
operations (:mod:`.operations`). The ``stackset:`` config rules live in the config
layer (:mod:`cfngen.config.validate_stackset`).
"""
