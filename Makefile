# cfngen — every target bootstraps .venv itself; nothing is installed by hand.
#   make templates   write templates/ from config/default.yaml
#   make test        style, cfn-lint on every example config, pytest
#   make help        all targets

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CONFIGS := $(wildcard config/*.yaml)
PIP_QUIET := --quiet --disable-pip-version-check

.DEFAULT_GOAL := help
.PHONY: fuzz help venv templates validate lint style arch typecheck unit test golden bench bench-cdk clean \
        manifests apply-manifests kube-validate scan deploy diff destroy emulator rehearse cost diagram readme-diagram

# Help texts may name make variables, e.g. $(PORT); `make help` shows their values.
HELP_VARS = $(sort $(shell grep -hE '^[a-z-]+:.*\#\# ' $(MAKEFILE_LIST) | sed -E 's/.*\#\# //' \
  | grep -oE '\$$\([A-Z_]+\)' | tr -d '$$()'))

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E -e 's/:.*## /\t/' \
	  $(foreach v,$(HELP_VARS),-e 's|\$$\($(v)\)|$($(v))|g') | expand -t 18

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_QUIET) --upgrade pip
	$(PY) -m pip install $(PIP_QUIET) -e '.[test]'
	touch $@

# checkov pins old boto3/packaging, so it gets a virtualenv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
$(CHECKOV):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install $(PIP_QUIET) 'checkov>=3.2,<4'

venv: $(STAMP) ## create .venv and install cfngen with its test tools

templates: $(STAMP) ## write templates/ (JSON + YAML + parameter files) from config/default.yaml
	$(PY) generate.py --config config/default.yaml --out templates

validate: $(STAMP) ## validate every config in config/
	@set -e; for c in $(CONFIGS); do $(PY) -m cfngen.cli validate --config $$c; done

# `cfngen lint`: cfn-lint in one process, each config's templates generated in memory and
# checked in its region, plus the committed templates/. Any finding (error or warning) fails.
lint: $(STAMP) ## cfn-lint in-process (cfngen lint) on templates/ and the templates of every config in config/
	$(PY) -m cfngen.cli lint $(foreach c,$(CONFIGS),--config $(c)) templates

style: $(STAMP) ## ruff lint and format check
	$(VENV)/bin/ruff check src tests bench scripts generate.py
	$(VENV)/bin/ruff format --check src tests bench scripts generate.py

arch: $(STAMP) ## import-linter: layers import downward only; only the emulator command imports the emulator
	$(VENV)/bin/lint-imports --no-cache --no-logo

typecheck: $(STAMP) ## mypy --strict over src/ (config in setup.cfg): zero errors
	$(VENV)/bin/mypy

# One pytest-xdist worker per core, each with its own emulator; pytest-randomly shuffles the
# order on every run (it prints the seed; `--randomly-seed=N` repeats that order). Work
# stealing: an idle worker takes tests queued on the busy one, so the few long tests do not
# leave one core idle at the end (the 21 files of 3e9d607: 42-43 s with --dist load, 35-37 s).
unit: $(STAMP) ## pytest only: in parallel (one worker per core, work stealing) and in random order
	$(PY) -m pytest -q -n auto --dist worksteal

FUZZ_EXAMPLES ?= 300
fuzz: $(STAMP) ## property tests on $(FUZZ_EXAMPLES) random configs per property (new seed each run)
	CFNGEN_HYPOTHESIS_PROFILE=fuzz CFNGEN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	  $(PY) -m pytest -q -n auto -p no:randomly tests/test_properties.py

test: style arch typecheck lint scan unit kube-validate ## everything CI runs

# checkov on the JSON templates of every config (the YAML files say the same). Every finding
# must be fixed or suppressed in the resource's Metadata with a reason; any failure fails.
SCAN_DIR := build/scan
scan: $(STAMP) $(CHECKOV) ## checkov on every generated template of every config: zero failed checks
	rm -rf $(SCAN_DIR)
	@set -e; for c in $(CONFIGS); do n=$$(basename $$c .yaml); \
	  $(PY) generate.py --quiet --format json --config $$c --out $(SCAN_DIR)/$$n; \
	  $(CHECKOV) --framework cloudformation --compact --skip-download --directory $(SCAN_DIR)/$$n \
	    > $(SCAN_DIR)/$$n.txt 2>&1 || { cat $(SCAN_DIR)/$$n.txt; echo "scan: $$c has failed checks"; exit 1; }; \
	  grep -E '^Passed checks' $(SCAN_DIR)/$$n.txt | sed "s|^|checkov ($$n): |"; done
	@echo "scan: $(words $(CONFIGS)) configs, no unsuppressed checkov failures"

golden: $(STAMP) ## refresh tests/golden after an intended change, then review `git diff tests/golden`
	CFNGEN_REFRESH_GOLDEN=1 $(PY) -m pytest -q tests/test_golden.py
	@git --no-pager diff --stat -- tests/golden || true

bench: $(STAMP) ## print benchmark figures (medians, ratios to a baseline)
	$(PY) bench/bench_generate.py
	$(PY) bench/bench_scale.py
	$(PY) bench/bench_deploy.py
	$(PY) bench/bench_rehearsal.py
	@if command -v node >/dev/null && command -v npm >/dev/null; then $(MAKE) --no-print-directory bench-cdk; \
	  else echo "bench-cdk: skipped (node and npm not installed)"; fi

# The CDK app of bench/cdk/ (config/default.yaml's architecture) for `make bench-cdk` only:
# `npm ci` installs the versions its package-lock.json pins into bench/cdk/node_modules
# (git-ignored). `make test` never needs node.
CDK_DIR := bench/cdk
$(CDK_DIR)/node_modules/.installed: $(CDK_DIR)/package.json $(CDK_DIR)/package-lock.json
	cd $(CDK_DIR) && npm ci --no-audit --no-fund --no-update-notifier --loglevel=error
	touch $@

bench-cdk: $(STAMP) $(CDK_DIR)/node_modules/.installed ## time a default generate against `cdk synth` of the same architecture (needs node)
	$(PY) bench/bench_cdk.py

# Deploying CONFIG. ENDPOINT=http://127.0.0.1:4566 sends every call to a local endpoint
# (`make emulator`); ARGS passes more flags, e.g. ARGS=--yes or ARGS="--profile prod".
ENDPOINT ?=
PORT ?= 4566
AWS_FLAGS = --config $(CONFIG) $(if $(ENDPOINT),--endpoint-url $(ENDPOINT))
CLI = $(PY) -m cfngen.cli

deploy: $(STAMP) ## package, preview, confirm, deploy CONFIG and watch (ENDPOINT=, ARGS=)
	$(CLI) deploy $(AWS_FLAGS) $(ARGS)

diagram: $(STAMP) ## draw CONFIG's architecture: build/diagram.svg and .png (and mermaid on stdout)
	$(PY) -m cfngen.cli diagram --config $(CONFIG) --format svg --out build/diagram.svg
	$(PY) -m cfngen.cli diagram --config $(CONFIG) --format png --out build/diagram.png
	$(PY) -m cfngen.cli diagram --config $(CONFIG)

readme-diagram: $(STAMP) ## regenerate README.md's architecture diagram from config/default.yaml
	$(PY) -m cfngen.cli diagram --config config/default.yaml --readme README.md

cost: $(STAMP) ## monthly cost estimate of CONFIG (ARGS="--format json", ARGS="--usage FILE")
	$(PY) -m cfngen.cli cost --config $(CONFIG) $(ARGS)

diff: $(STAMP) ## show the changes a deploy of CONFIG would make, per stack
	$(CLI) diff $(AWS_FLAGS) $(ARGS)

destroy: $(STAMP) ## delete CONFIG's stacks (asks for the stack name unless ARGS=--yes)
	$(CLI) destroy $(AWS_FLAGS) $(ARGS)

emulator: $(STAMP) ## local AWS endpoint on 127.0.0.1:$(PORT) until Ctrl-C
	$(CLI) emulator --port $(PORT)

# The rehearsal runs its own emulator (REHEARSE_PORT=0: any free port, learnt from the URL
# file) with test credentials, and works in $(REHEARSAL_DIR)/run/. The outputs of its
# deployment are kept in $(REHEARSAL_DIR)/<env>/outputs.json: `make manifests` renders from
# them while there is no real deployment. KEEP=1 stops before the destroy and keeps the
# endpoint serving the deployed stacks until Ctrl-C.
REHEARSE_PORT ?= 0
REHEARSAL_DIR := build/rehearsal
KEEP ?=
rehearse: $(STAMP) ## local endpoint: deploy CONFIG, outputs, no-op redeploy, destroy (KEEP=1: serve instead)
	@set -e; mkdir -p $(REHEARSAL_DIR); url_file=$(REHEARSAL_DIR)/endpoint; rm -f $$url_file; \
	  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
	    AWS_DEFAULT_REGION=us-east-1; unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL; \
	  $(CLI) emulator --port $(REHEARSE_PORT) --url-file $$url_file & pid=$$!; \
	  stop() { kill $$pid 2>/dev/null || true; rm -f $$url_file; }; \
	  trap stop EXIT; trap 'exit 130' INT TERM; \
	  while [ ! -s $$url_file ]; do kill -0 $$pid 2>/dev/null || exit 1; sleep 0.1; done; \
	  flags="--config $(CONFIG) --endpoint-url $$(cat $$url_file)"; \
	  $(CLI) deploy $$flags --output-dir $(REHEARSAL_DIR)/run --yes; \
	  $(CLI) outputs $$flags --output-dir $(REHEARSAL_DIR); \
	  $(CLI) deploy $$flags --output-dir $(REHEARSAL_DIR)/run --yes; \
	  if [ -n "$(KEEP)" ]; then \
	    echo "rehearsal deployed; the stacks stay on $$(cat $$url_file) until Ctrl-C"; \
	    wait $$pid; exit 0; fi; \
	  $(CLI) destroy $$flags --output-dir $(REHEARSAL_DIR)/run --yes; \
	  echo "rehearsal passed: deploy, outputs, no-op redeploy and destroy against the local endpoint"; \
	  echo "its outputs are kept in $(REHEARSAL_DIR)/<env>/outputs.json: \`make manifests\` renders from them"

# Kubernetes manifests. CONFIG picks the environment; render reads output/<env>/outputs.json
# (written by `cfngen deploy` / `cfngen outputs`), else the outputs the last rehearsal kept
# (then it writes build/rehearsal/<env>/manifests/), and stops with advice when neither exists.
CONFIG ?= config/default.yaml
KUBE_DIR := build/kube

manifests: $(STAMP) ## render output/<env>/manifests/ for CONFIG (or the last rehearsal's outputs)
	$(CLI) manifests render --config $(CONFIG) --rehearsal-dir $(REHEARSAL_DIR)

apply-manifests: $(STAMP) ## render, then kubectl apply to CONFIG's EKS cluster and wait
	$(CLI) manifests apply --config $(CONFIG)

# Configs with eks.enabled: false have no cluster and so no manifests: they are skipped.
kube-validate: $(STAMP) $(CHECKOV) ## every config's manifests: kubernetes-validate --strict + checkov
	rm -rf $(KUBE_DIR)
	@set -e; configs=$$($(PY) -m cfngen.kube.check --with-cluster $(CONFIGS)); files=""; \
	  for c in $$configs; do n=$$(basename $$c .yaml); \
	  $(PY) -m cfngen.cli manifests render --placeholder --config $$c --out $(KUBE_DIR)/$$n; \
	  $(PY) -m cfngen.kube.check $$c $(KUBE_DIR)/$$n/rendered.yaml; \
	  files="$$files --file $(KUBE_DIR)/$$n/rendered.yaml"; done; \
	  $(CHECKOV) --framework kubernetes --compact --skip-download $$files \
	    > $(KUBE_DIR)/checkov.txt 2>&1 || { cat $(KUBE_DIR)/checkov.txt; exit 1; }; \
	  grep -E '^(Passed|Failed) checks' $(KUBE_DIR)/checkov.txt | sed 's/^/checkov (kubernetes): /'; \
	  echo "kube-validate: $$(echo $$configs | wc -w) configs with a cluster schema-valid (strict) and checkov-clean"

clean: ## remove build artifacts (keeps .venv)
	rm -rf build .pytest_cache .ruff_cache .mypy_cache
