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

.PHONY: install system-deps postgres postgres-stop docker docker-stop demo test lint typecheck unit bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian packages the tests need: Go and HashiCorp's HCL sources for the oracle,
# PostgreSQL's server for the state store's PostgreSQL tests, and wrk, the load generator of
# the serving benchmark.
system-deps:
	@if ! command -v go >/dev/null || [ ! -f $(HCL_SOURCE) ] || ! command -v wrk >/dev/null \
	    || ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      golang-go golang-github-hashicorp-hcl-v2-dev postgresql wrk >/dev/null; \
	  else \
	    echo "make test needs: apt-get install golang-go golang-github-hashicorp-hcl-v2-dev postgresql wrk (run as root)"; exit 1; \
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

# A Docker engine for the endpoints' docker runtime and its tests. Debian's docker.io is
# installed when missing; when no engine answers (DOCKER_HOST, else $(DOCKER_SOCKET)), dockerd
# is started in the background as root, its log in $(DOCKER_LOG), and waited for. No image
# registry is reachable here, so the base image endpoints build on, $(DOCKER_BASE_IMAGE), is
# made once offline: debootstrap (Debian bookworm, whose python3 is 3.11 like the host's
# wheels), then `docker import`. Stop the engine this target started with `make docker-stop`.
DOCKER_SOCKET     ?= /var/run/docker.sock
DOCKER_LOG        ?= /tmp/mlform-dockerd.log
DOCKER_PIDFILE    ?= /tmp/mlform-dockerd.pid
DOCKER_BASE_IMAGE ?= mlform-base:bookworm
DEBIAN_MIRROR     ?= http://deb.debian.org/debian
DOCKER_CLI         = docker $(if $(DOCKER_HOST),,--host unix://$(DOCKER_SOCKET))

docker:
	@set -e; \
	if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      docker.io debootstrap >/dev/null; \
	  else \
	    echo "make docker needs: apt-get install docker.io debootstrap (run as root)"; exit 1; \
	  fi; \
	fi; \
	if ! $(DOCKER_CLI) version >/dev/null 2>&1; then \
	  if [ -n "$$DOCKER_HOST" ]; then \
	    echo "DOCKER_HOST=$$DOCKER_HOST does not answer; unset it to use a local engine"; exit 1; \
	  fi; \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "no Docker engine answers at $(DOCKER_SOCKET), and starting one needs root"; exit 1; \
	  fi; \
	  echo "starting dockerd (log: $(DOCKER_LOG))"; \
	  setsid nohup dockerd --host unix://$(DOCKER_SOCKET) --pidfile $(DOCKER_PIDFILE) \
	    </dev/null >$(DOCKER_LOG) 2>&1 & \
	  for i in $$(seq 120); do \
	    $(DOCKER_CLI) version >/dev/null 2>&1 && break; sleep 0.5; \
	  done; \
	  $(DOCKER_CLI) version >/dev/null 2>&1 || { tail -n 20 $(DOCKER_LOG); exit 1; }; \
	fi; \
	if ! $(DOCKER_CLI) image inspect $(DOCKER_BASE_IMAGE) >/dev/null 2>&1; then \
	  echo "building $(DOCKER_BASE_IMAGE) with debootstrap (a few minutes, once)"; \
	  rootfs=$$(mktemp -d /tmp/mlform-rootfs.XXXXXX); \
	  debootstrap --variant=minbase --include=python3,ca-certificates bookworm $$rootfs \
	    $(DEBIAN_MIRROR) >/tmp/mlform-debootstrap.log 2>&1 \
	    || { tail -n 20 /tmp/mlform-debootstrap.log; rm -rf $$rootfs; exit 1; }; \
	  rm -rf $$rootfs/var/cache/apt/archives/*.deb $$rootfs/var/lib/apt/lists/*; \
	  tar -C $$rootfs -c . | $(DOCKER_CLI) import --change 'ENV LANG=C.UTF-8' \
	    --change 'CMD ["python3"]' - $(DOCKER_BASE_IMAGE) >/dev/null; \
	  rm -rf $$rootfs; \
	fi; \
	echo "Docker engine ready; base image $(DOCKER_BASE_IMAGE)"

# Stop the engine `make docker` started (none other); images and containers stay on disk.
docker-stop:
	@if [ -f $(DOCKER_PIDFILE) ] && kill -0 $$(cat $(DOCKER_PIDFILE)) 2>/dev/null; then \
	  pid=$$(cat $(DOCKER_PIDFILE)); kill $$pid; \
	  for i in $$(seq 60); do kill -0 $$pid 2>/dev/null || break; sleep 0.5; done; \
	  echo "dockerd stopped"; \
	fi

$(BIN)/hclcheck: tests/tools/hclcheck/main.go | install system-deps
	GO111MODULE=off GOPATH=$(GOPATH_DEBIAN) GOCACHE=$(CURDIR)/$(VENV)/go-cache \
	  go build -o $@ ./tests/tools/hclcheck

# The main job: the whole quickstart (dataset, split, two models, their evaluations, a local
# endpoint), then a prediction fetched from the endpoint over HTTP. The endpoint keeps
# running after make returns; the last line says how to take everything down.
demo: install
	$(BIN)/mlform validate examples/quickstart
	$(BIN)/mlform plan examples/quickstart
	$(BIN)/mlform apply --auto-approve examples/quickstart
	$(BIN)/python examples/quickstart/predict.py
	@echo "The endpoint keeps serving; take everything down with: $(BIN)/mlform destroy examples/quickstart"

lint: install
	$(BIN)/ruff check mlform providers tests examples
	$(BIN)/ruff format --check mlform providers tests examples

typecheck: install
	$(BIN)/mypy

unit: install $(BIN)/hclcheck postgres docker
	MLFORM_HCLCHECK=$(CURDIR)/$(BIN)/hclcheck MLFORM_TEST_POSTGRESQL=$(MLFORM_TEST_POSTGRESQL) \
	  $(BIN)/pytest

test: lint typecheck unit

bench: install postgres system-deps
	MLFORM_TEST_POSTGRESQL=$(MLFORM_TEST_POSTGRESQL) $(BIN)/python tests/benchmarks/run.py
	$(BIN)/python tests/benchmarks/serving_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
