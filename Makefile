# The interface to the project: make run, make test, make lint, make bench. CI runs the same targets.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
TOOLS := $(CURDIR)/bin/tools
GOLANGCI_VERSION := v2.15.0
GOLANGCI := $(TOOLS)/golangci-lint-$(GOLANGCI_VERSION)
# The test cluster lives in memory when /dev/shm exists.
SHM := $(shell if [ -d /dev/shm ] && [ -w /dev/shm ]; then echo /dev/shm; else echo /tmp; fi)
# One cluster directory per checkout (two checkouts never share or stop each other's cluster); removed afterwards.
TEST_PG_DIR ?= $(SHM)/crs-test-$(shell id -u)-$(shell printf %s '$(CURDIR)' | cksum | cut -d' ' -f1)
TEST_FLAGS ?= -race -count=1 -timeout 20m
BENCH_FLAGS ?= -run '^$$' -bench . -benchtime 1x -timeout 60m

.PHONY: run build test lint bench postgres tools clean tour

## run: start the whole platform on the embedded default (private PostgreSQL, migrated, demo data)
run: postgres build
	./bin/crs dev

## build: build bin/crs
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/crs ./cmd/crs

## postgres: install the PostgreSQL server binaries when they are missing
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing PostgreSQL (Debian package postgresql)"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	elif command -v apt-get >/dev/null 2>&1; then \
		echo "PostgreSQL is missing: run 'sudo apt-get install -y postgresql' and try again" >&2; exit 1; \
	else \
		echo "PostgreSQL server binaries (initdb, pg_ctl) are missing: install PostgreSQL 14 or newer with your package manager, then try again" >&2; exit 1; \
	fi

## test: run every test against a private, in-memory test cluster that is stopped afterwards
test: postgres build
	@set -euo pipefail; \
	url=$$(./bin/crs cluster start --test --dir $(TEST_PG_DIR)); \
	trap './bin/crs cluster stop --dir $(TEST_PG_DIR) >/dev/null 2>&1 || true; rm -rf $(TEST_PG_DIR)' EXIT; \
	CRS_TEST_DATABASE_URL=$$url $(GO) test $(TEST_FLAGS) ./...

## bench: run the benchmarks, printing figures and ratios against references measured in the same run
bench: postgres build
	@set -euo pipefail; \
	url=$$(./bin/crs cluster start --test --dir $(TEST_PG_DIR)); \
	trap './bin/crs cluster stop --dir $(TEST_PG_DIR) >/dev/null 2>&1 || true; rm -rf $(TEST_PG_DIR)' EXIT; \
	CRS_TEST_DATABASE_URL=$$url $(GO) test $(BENCH_FLAGS) ./...

## tour: start crs dev on a private data directory and a free port, run scripts/tour.sh (curl and jq) against it, stop it
tour: postgres build
	@set -euo pipefail; \
	command -v jq >/dev/null || { echo "the tour needs jq: apt-get install -y jq" >&2; exit 1; }; \
	dir=$(SHM)/crs-tour-$$$$; log=$$(mktemp); rm -rf $$dir; \
	CRS_ADDR=127.0.0.1:0 CRS_LOG_LEVEL=warn ./bin/crs dev --data-dir $$dir >$$log 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null || true; wait $$pid 2>/dev/null || true; rm -rf $$dir $$log' EXIT; \
	url=""; for i in $$(seq 1 600); do \
		url=$$(sed -n 's/^CRS is running at \(http[^ ]*\).*/\1/p' $$log); \
		if [ -n "$$url" ] && curl -fsS "$$url/readyz" >/dev/null 2>&1; then break; fi; \
		kill -0 $$pid 2>/dev/null || { cat $$log >&2; echo "crs dev stopped before it was ready" >&2; exit 1; }; \
		url=""; sleep 1; \
	done; \
	[ -n "$$url" ] || { tail -20 $$log >&2; echo "crs dev was not ready after 600 s" >&2; exit 1; }; \
	echo "crs dev is ready at $$url"; \
	CRS_URL=$$url scripts/tour.sh

$(GOLANGCI):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	mv $(TOOLS)/golangci-lint $(GOLANGCI)

tools: $(GOLANGCI)

## lint: gofmt, go vet and golangci-lint (with the depguard import rules)
lint: $(GOLANGCI)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "not gofmt-formatted: $$unformatted" >&2; exit 1; fi
	$(GO) vet ./...
	$(GOLANGCI) run ./...

clean:
	rm -rf bin
