"""ECR stack: one image repository per configured name.

Repositories scan on push, are immutable and expire old images by default. The
repository policy lets the ECS task execution role and the EKS node role pull:
it admits principals of this account tagged ``cfngen:ecr-pull=<name>-<environment>``,
a tag only the IAM stack puts on exactly those two roles. Matching a tag instead of
the role ARNs keeps ECR independent of the IAM stack (both deploy in the first
wave) and works unchanged in every account of a StackSet. Repositories are retained
on delete unless ``retain.ecr_repositories`` is false.
"""

from __future__ import annotations

import json
from collections.abc import Collection

from awacs import ecr as ecr_actions
from awacs.aws import Allow, Condition, PolicyDocument, Principal, Statement, StringEquals
from troposphere import AccountId, GetAtt, Join, Partition, Template, ecr

from cfngen.config import Config, EcrRepository
from cfngen.contracts import EcrOut
from cfngen.naming import logical_id
from cfngen.stacks.common import Props, add_output, new_template
from cfngen.stacks.iam import POLICY_VERSION, PULL_TAG
from cfngen.stacks.security import retain, suppress


def repository_name(cfg: Config, repo: EcrRepository) -> str:
    return f"{cfg.prefix}/{repo.name}"


def lifecycle_policy(repo: EcrRepository) -> str:
    """Expire untagged images after N days, keep the newest N tagged ones ('' = no rules)."""
    rules = []
    if repo.expire_untagged_days:
        rules.append(
            {
                "description": f"expire untagged images after {repo.expire_untagged_days} days",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": repo.expire_untagged_days,
                },
            }
        )
    if repo.keep_tagged:
        rules.append(
            {
                "description": f"keep the newest {repo.keep_tagged} tagged images",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["*"],
                    "countType": "imageCountMoreThan",
                    "countNumber": repo.keep_tagged,
                },
            }
        )
    numbered = [
        {"rulePriority": i + 1, **r, "action": {"type": "expire"}} for i, r in enumerate(rules)
    ]
    return json.dumps({"rules": numbered}, sort_keys=True) if numbered else ""


def pull_policy(cfg: Config) -> PolicyDocument:
    account = Join("", ["arn:", Partition, ":iam::", AccountId, ":root"])
    return PolicyDocument(
        Version=POLICY_VERSION,
        Statement=[
            Statement(
                Sid="PlatformRolesPull",
                Effect=Allow,
                Principal=Principal("AWS", [account]),
                Condition=Condition(StringEquals(f"aws:PrincipalTag/{PULL_TAG}", cfg.prefix)),
                Action=[
                    ecr_actions.BatchCheckLayerAvailability,
                    ecr_actions.BatchGetImage,
                    ecr_actions.GetDownloadUrlForLayer,
                ],
            )
        ],
    )


def _repository(cfg: Config, repo: EcrRepository) -> ecr.Repository:
    encryption: Props = {"EncryptionType": repo.encryption}
    if repo.kms_key_arn:
        encryption["KmsKey"] = repo.kms_key_arn
    props: Props = {}
    policy = lifecycle_policy(repo)
    if policy:
        props["LifecyclePolicy"] = ecr.LifecyclePolicy(LifecyclePolicyText=policy)
    if repo.empty_on_delete:
        props["EmptyOnDelete"] = True
    res = ecr.Repository(
        f"{logical_id(repo.name)}Repository",
        RepositoryName=repository_name(cfg, repo),
        ImageScanningConfiguration=ecr.ImageScanningConfiguration(ScanOnPush=True),
        ImageTagMutability=repo.image_tag_mutability,
        EncryptionConfiguration=ecr.EncryptionConfiguration(**encryption),
        RepositoryPolicyText=pull_policy(cfg),
        **props,
    )
    reasons = {}
    if repo.encryption == "AES256":
        reasons["CKV_AWS_136"] = (
            "Images are encrypted at rest with AES256 (S3-managed keys); KMS is opt-in per "
            "repository (encryption: KMS) because it adds KMS request costs and key management."
        )
    if repo.image_tag_mutability == "MUTABLE":
        reasons["CKV_AWS_51"] = (
            "Tags made mutable on purpose by image_tag_mutability: MUTABLE for this repository."
        )
    # A repository that empties itself on delete is meant to go: not retained (a written
    # retain.ecr_repositories: true together with empty_on_delete is refused).
    keep = cfg.retain.ecr_repositories and not repo.empty_on_delete
    return retain(suppress(res, reasons), keep)


def build(cfg: Config, names: Collection[str] | None = None) -> Template:
    """The repositories of the config, or (a shard of the sharded layout) those ``names``."""
    t = new_template(cfg, "ECR repositories")
    for repo in cfg.ecr.repositories:
        if names is not None and repo.name not in names:
            continue
        res = t.add_resource(_repository(cfg, repo))
        add_output(
            t, EcrOut.repository_name(repo.name), res.ref(), f"Name of the {repo.name} repository"
        )
        add_output(
            t,
            EcrOut.repository_uri(repo.name),
            GetAtt(res, "RepositoryUri"),
            f"URI of the {repo.name} repository (docker push target)",
        )
    return t
