# mlform: `make demo` runs the quickstart, `make test` runs every check. Both set up
# everything they need on a fresh machine with Python 3.11 and the package registries.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# HashiCorp's own HCL parser and formatter (Debian's Go sources), built as a test oracle
GOPATH_DEBIAN := /usr/share/gocode
HCL_SOURCE    := $(GOPATH_DEBIAN)/src/github.com/hashicorp/hcl/v2/hclwrite/format.go

.PHONY: install system-deps demo test lint typecheck unit bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian packages the tests need: Go and HashiCorp's HCL sources for the oracle.
system-deps:
	@if ! command -v go >/dev/null || [ ! -f $(HCL_SOURCE) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      golang-go golang-github-hashicorp-hcl-v2-dev >/dev/null; \
	  else \
	    echo "make test needs: apt-get install golang-go golang-github-hashicorp-hcl-v2-dev (run as root)"; exit 1; \
	  fi; \
	fi

$(BIN)/hclcheck: tests/tools/hclcheck/main.go | install system-deps
	GO111MODULE=off GOPATH=$(GOPATH_DEBIAN) GOCACHE=$(CURDIR)/$(VENV)/go-cache \
	  go build -o $@ ./tests/tools/hclcheck

demo: install
	$(BIN)/mlform validate examples/quickstart
	$(BIN)/mlform graph examples/quickstart
	$(BIN)/mlform plan examples/quickstart

lint: install
	$(BIN)/ruff check mlform providers tests examples
	$(BIN)/ruff format --check mlform providers tests examples

typecheck: install
	$(BIN)/mypy

unit: install $(BIN)/hclcheck
	MLFORM_HCLCHECK=$(CURDIR)/$(BIN)/hclcheck $(BIN)/pytest

test: lint typecheck unit

bench: install
	$(BIN)/python tests/benchmarks/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
