# mlform: `make demo` runs the quickstart, `make test` runs every check. Both set up
# everything they need on a fresh machine with Python 3.11 and the package registries.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# HashiCorp's own HCL parser and formatter (Debian's Go sources), built as a test oracle
GOPATH_DEBIAN := /usr/share/gocode
HCL_SOURCE    := $(GOPATH_DEBIAN)/src/github.com/hashicorp/hcl/v2/hclwrite/format.go
# A throwaway PostgreSQL cluster for the state store's tests (`make postgres`), on a port of
# its own so it never meets a server the machine runs already. Trust auth, 127.0.0.1 only.
PG_PORT ?= 55432
PG_ROOT ?= /tmp/mlform-postgres-$(PG_PORT)
MLFORM_TEST_POSTGRESQL ?= postgresql://postgres@127.0.0.1:$(PG_PORT)/mlform_test

.PHONY: install system-deps postgres postgres-stop demo test lint typecheck unit bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian packages the tests need: Go and HashiCorp's HCL sources for the oracle, and
# PostgreSQL's server for the state store's PostgreSQL tests.
system-deps:
	@if ! command -v go >/dev/null || [ ! -f $(HCL_SOURCE) ] || ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      golang-go golang-github-hashicorp-hcl-v2-dev postgresql >/dev/null; \
	  else \
	    echo "make test needs: apt-get install golang-go golang-github-hashicorp-hcl-v2-dev postgresql (run as root)"; exit 1; \
	  fi; \
	fi

# Start the test cluster unless it answers already: created on first use under $(PG_ROOT),
# restarted from there afterwards. As root the server runs as the `postgres` user (it refuses
# root); as anyone else, as that user. Stop it with `make postgres-stop`.
postgres: | system-deps
	@set -e; \
	bin=$$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); \
	if [ "$$(id -u)" = 0 ]; then as="runuser -u postgres --"; else as=""; fi; \
	if $$bin/pg_isready -q -h 127.0.0.1 -p $(PG_PORT); then :; else \
	  if [ ! -f $(PG_ROOT)/data/PG_VERSION ]; then \
	    rm -rf $(PG_ROOT); mkdir -p $(PG_ROOT); \
	    if [ -n "$$as" ]; then chown postgres: $(PG_ROOT); fi; \
	    $$as $$bin/initdb -D $(PG_ROOT)/data -U postgres --auth=trust -E UTF8 --no-instructions >$(PG_ROOT)/initdb.log 2>&1 \
	      || { cat $(PG_ROOT)/initdb.log; exit 1; }; \
	    printf "%s\n" "listen_addresses = '127.0.0.1'" "port = $(PG_PORT)" \
	      "unix_socket_directories = '$(PG_ROOT)'" "max_connections = 200" \
	      "fsync = off" "synchronous_commit = off" "full_page_writes = off" \
	      | $$as tee -a $(PG_ROOT)/data/postgresql.conf >/dev/null; \
	  fi; \
	  $$as $$bin/pg_ctl -D $(PG_ROOT)/data -l $(PG_ROOT)/server.log -w -t 60 start >/dev/null \
	    || { tail -n 20 $(PG_ROOT)/server.log; exit 1; }; \
	fi; \
	if ! $$bin/psql -h 127.0.0.1 -p $(PG_PORT) -U postgres -d postgres -tAc \
	    "SELECT 1 FROM pg_database WHERE datname = 'mlform_test'" | grep -q 1; then \
	  $$bin/createdb -h 127.0.0.1 -p $(PG_PORT) -U postgres mlform_test; \
	fi; \
	echo "PostgreSQL for the tests: MLFORM_TEST_POSTGRESQL=$(MLFORM_TEST_POSTGRESQL)"

postgres-stop:
	@bin=$$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); \
	if [ "$$(id -u)" = 0 ]; then as="runuser -u postgres --"; else as=""; fi; \
	if [ -f $(PG_ROOT)/data/postmaster.pid ]; then $$as $$bin/pg_ctl -D $(PG_ROOT)/data -m fast -w stop; fi

$(BIN)/hclcheck: tests/tools/hclcheck/main.go | install system-deps
	GO111MODULE=off GOPATH=$(GOPATH_DEBIAN) GOCACHE=$(CURDIR)/$(VENV)/go-cache \
	  go build -o $@ ./tests/tools/hclcheck

demo: install
	$(BIN)/mlform validate examples/quickstart
	$(BIN)/mlform graph examples/quickstart
	$(BIN)/mlform plan examples/quickstart
	$(BIN)/mlform apply --auto-approve --target dataset.churn examples/quickstart
	$(BIN)/mlform state list examples/quickstart

lint: install
	$(BIN)/ruff check mlform providers tests examples
	$(BIN)/ruff format --check mlform providers tests examples

typecheck: install
	$(BIN)/mypy

unit: install $(BIN)/hclcheck postgres
	MLFORM_HCLCHECK=$(CURDIR)/$(BIN)/hclcheck MLFORM_TEST_POSTGRESQL=$(MLFORM_TEST_POSTGRESQL) \
	  $(BIN)/pytest

test: lint typecheck unit

bench: install postgres
	MLFORM_TEST_POSTGRESQL=$(MLFORM_TEST_POSTGRESQL) $(BIN)/python tests/benchmarks/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
