"""Finding a resource's declaration (.tf file and line) for SARIF locations."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from driftctl.iac.tf_config import declarations
from driftctl.render.sarif import render_sarif
from tests.render.conftest import make_drift, make_result

ROOT_TF = """\
# resource "aws_instance" "app" {   (a comment is not a declaration)
/*
resource "aws_instance" "app" {
}
*/
locals {
  script = <<-EOT
    resource "aws_instance" "app" {
  EOT
}

resource "aws_instance" "app" {
  ami  = "ami-123"
  tags = { Name = "app {braces} in a string" }
}

module "web" {
  source = "./modules/web"
  count  = 2
}

module "remote" {
  source = "terraform-aws-modules/vpc/aws"
}
"""
WEB_TF = """\
variable "size" {}

resource "aws_security_group" "web" {
  name = "web"
}

module "inner" {
  source = "../inner"
}
"""
INNER_TF = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n'


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text(ROOT_TF, encoding="utf-8")
    (tmp_path / "modules" / "web").mkdir(parents=True)
    (tmp_path / "modules" / "web" / "web.tf").write_text(WEB_TF, encoding="utf-8")
    (tmp_path / "modules" / "inner").mkdir()
    (tmp_path / "modules" / "inner" / "main.tf").write_text(INNER_TF, encoding="utf-8")
    return tmp_path


def test_a_root_resource_is_found_at_its_header_line_not_in_comments(config: Path) -> None:
    assert declarations([config]).find("aws_instance.app") == (config / "main.tf", 12)


def test_modules_with_a_local_source_are_followed(config: Path) -> None:
    found = declarations([config])

    assert found.find("module.web[0].aws_security_group.web") == (
        config / "modules" / "web" / "web.tf",
        3,
    )
    assert found.find('module.web["a"].module.inner.aws_s3_bucket.logs') == (
        config / "modules" / "inner" / "main.tf",
        1,
    )


@pytest.mark.parametrize(
    "address",
    ["aws_instance.gone", "module.remote.aws_vpc.this", "data.aws_ami.x", "module.nope.aws_x.y"],
)
def test_what_cannot_be_found_has_no_location(config: Path, address: str) -> None:
    assert declarations([config, config / "missing"]).find(address) is None


def test_sarif_points_at_the_declaration_with_the_state_as_related(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(config)
    drift = make_drift(iac_source="./states/prod.tfstate#module.web[1].aws_security_group.web")

    log = json.loads(render_sarif(make_result([drift]), declarations=declarations([config])))

    (result,) = log["runs"][0]["results"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "modules/web/web.tf"
    assert physical["region"]["startLine"] == 3
    related = result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert related == "states/prod.tfstate"


def test_sarif_falls_back_to_the_state_file(config: Path) -> None:
    drift = make_drift(iac_source="./states/prod.tfstate#aws_instance.elsewhere")

    log = json.loads(render_sarif(make_result([drift]), declarations=declarations([config])))

    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "states/prod.tfstate"
    )
    assert "relatedLocations" not in result
    assert os.path.isabs(str(config))
