"""ECR stack: one image repository per configured name."""

from __future__ import annotations

from troposphere import GetAtt, Template, ecr

from cfngen.config import Config, EcrRepository
from cfngen.contracts import EcrOut
from cfngen.naming import logical_id
from cfngen.stacks.common import add_output, new_template


def repository_name(cfg: Config, repo: EcrRepository) -> str:
    return f"{cfg.prefix}/{repo.name}"


def _repository(cfg: Config, repo: EcrRepository) -> ecr.Repository:
    return ecr.Repository(
        f"{logical_id(repo.name)}Repository",
        RepositoryName=repository_name(cfg, repo),
        ImageScanningConfiguration=ecr.ImageScanningConfiguration(ScanOnPush=True),
        EncryptionConfiguration=ecr.EncryptionConfiguration(EncryptionType="AES256"),
    )


def build(cfg: Config) -> Template:
    t = new_template(cfg, "ECR repositories")
    for repo in cfg.ecr.repositories:
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
