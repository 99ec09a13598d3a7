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

.PHONY: run build test lint bench fuzz apilint tour postgres deps tools clean assets assets-check screenshots

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

## deps: install what the tests need when it is missing: PostgreSQL, LibreOffice Calc (the Excel
## tests open workbooks with it), Chromium and its fonts (browser tests); apt-get when root, else a message
deps: postgres
	@need=""; \
	command -v soffice >/dev/null 2>&1 || need="$$need libreoffice-calc"; \
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need="$$need chromium"; \
	[ -d /usr/share/fonts/truetype/liberation ] || need="$$need fonts-liberation"; \
	command -v jq >/dev/null 2>&1 || need="$$need jq"; \
	command -v curl >/dev/null 2>&1 || need="$$need curl"; \
	if [ -z "$$need" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing$$need"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$need >/dev/null; \
	else \
		echo "the tests need$$need: install them (Debian: sudo apt-get install -y$$need) and try again" >&2; exit 1; \
	fi

## test: run every test against a private, in-memory test cluster that is stopped and removed afterwards,
## then list the slowest packages
test: deps build
	@set -uo pipefail; \
	url=$$(./bin/crs cluster start --test --dir $(TEST_PG_DIR)) || exit 1; \
	log=$$(mktemp); \
	trap './bin/crs cluster stop --dir $(TEST_PG_DIR) >/dev/null 2>&1 || true; rm -rf $(TEST_PG_DIR) $$log' EXIT; \
	start=$$(date +%s); \
	CRS_TEST_DATABASE_URL=$$url $(GO) test $(TEST_FLAGS) ./... 2>&1 | tee $$log; rc=$$?; \
	echo; echo "slowest packages (of $$(( $$(date +%s) - start )) s wall time):"; \
	awk '($$1 == "ok" || $$1 == "FAIL") && $$3 ~ /^[0-9.]+s$$/ { sub(/s$$/, "", $$3); printf "%8.1f s  %-4s %s\n", $$3, $$1, $$2 }' $$log | sort -rn | head -8; \
	exit $$rc

## bench: run the benchmarks, printing figures and ratios against references measured in the same run
bench: postgres build
	@set -euo pipefail; \
	url=$$(./bin/crs cluster start --test --dir $(TEST_PG_DIR)); \
	trap './bin/crs cluster stop --dir $(TEST_PG_DIR) >/dev/null 2>&1 || true; rm -rf $(TEST_PG_DIR)' EXIT; \
	CRS_TEST_DATABASE_URL=$$url $(GO) test $(BENCH_FLAGS) ./...

APILINT := tools/apilint
APILINT_PG_DIR ?= $(SHM)/crs-apilint-$(shell id -u)-$(shell printf %s '$(CURDIR)' | cksum | cut -d' ' -f1)

## apilint: print the OpenAPI document, lint it with Redocly CLI (recommended rules, no warnings) and
## compile a TypeScript client generated from it (npm packages pinned in tools/apilint)
apilint: postgres build
	@set -euo pipefail; \
	url=$$(./bin/crs cluster start --test --dir $(APILINT_PG_DIR)); \
	trap './bin/crs cluster stop --dir $(APILINT_PG_DIR) >/dev/null 2>&1 || true; rm -rf $(APILINT_PG_DIR)' EXIT; \
	DATABASE_URL=$$url CRS_LOG_LEVEL=error ./bin/crs migrate up >/dev/null; \
	mkdir -p $(APILINT)/generated; \
	DATABASE_URL=$$url CRS_LOG_LEVEL=error ./bin/crs openapi > $(APILINT)/generated/openapi.json; \
	cd $(APILINT); \
	npm ci --no-audit --no-fund --loglevel=error >/dev/null; \
	npx redocly lint --max-problems 50 generated/openapi.json > generated/lint.txt 2>&1 || { cat generated/lint.txt; exit 1; }; \
	if grep -qE 'You have [0-9]+ warning|Warning was generated' generated/lint.txt; then cat generated/lint.txt; echo "apilint: Redocly reported warnings" >&2; exit 1; fi; \
	npx openapi-typescript generated/openapi.json -o generated/crs.d.ts >/dev/null; \
	npx tsc -p tsconfig.json; \
	echo "apilint: document valid with no warnings; the generated TypeScript client compiles"

FUZZ_TIME ?= 10s

## fuzz: run each native fuzz target of the request binders and parsers briefly (FUZZ_TIME each)
fuzz:
	@set -euo pipefail; \
	for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
		pkg=./$${dir#./}; \
		for target in $$(grep -h '^func Fuzz' $$dir/*_test.go | sed 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
			echo "fuzz $$pkg $$target"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZ_TIME) $$pkg >/dev/null || { $(GO) test -run "^$$target\$$" $$pkg; exit 1; }; \
		done; \
	done
## tour: (jq and curl come with make deps) start crs dev on a private data directory and a free port, run scripts/tour.sh (curl and jq) against it, stop it
tour: deps build
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

# Front-end assets: the npm packages pinned in package-lock.json, copied into internal/web/assets/vendor
# (served, fingerprinted) and internal/webtest (axe-core, tests only). The copies are committed so a
# plain `go build` needs no npm.
WEB_VENDOR := internal/web/assets/vendor
MOJ_IMAGES := icon-close-cross-black.svg icon-document.svg icon-progress-tick.svg icon-tag-remove-cross-white.svg \
	icon-tag-remove-cross.svg icon-toggle-plus-minus.svg icon-arrow-black-down.svg icon-arrow-black-up.svg \
	icon-wysiwyg-bold.svg icon-wysiwyg-italic.svg icon-wysiwyg-ordered-list.svg icon-wysiwyg-underline.svg icon-wysiwyg-unordered-list.svg
# source (under node_modules) -> destination
ASSET_FILES := \
	govuk-frontend/dist/govuk/govuk-frontend.min.css:$(WEB_VENDOR)/govuk-frontend.min.css \
	govuk-frontend/dist/govuk/govuk-frontend.min.js:$(WEB_VENDOR)/govuk-frontend.min.js \
	@ministryofjustice/frontend/moj/moj-frontend.min.css:$(WEB_VENDOR)/moj-frontend.min.css \
	@ministryofjustice/frontend/moj/moj-frontend.min.js:$(WEB_VENDOR)/moj-frontend.min.js \
	swagger-ui-dist/swagger-ui-bundle.js:$(WEB_VENDOR)/swagger-ui-bundle.js \
	swagger-ui-dist/swagger-ui.css:$(WEB_VENDOR)/swagger-ui.css \
	axe-core/axe.min.js:internal/webtest/axe.min.js \
	$(foreach i,$(MOJ_IMAGES),@ministryofjustice/frontend/moj/assets/images/$(i):$(WEB_VENDOR)/images/$(i))

## assets: install the pinned npm packages and copy the built CSS, JavaScript and images into the embedded folders
assets:
	npm ci --ignore-scripts --no-audit --no-fund
	@mkdir -p $(WEB_VENDOR)/images
	@for pair in $(ASSET_FILES); do src=node_modules/$${pair%%:*}; dst=$${pair#*:}; cp "$$src" "$$dst"; done
	@echo "copied $(words $(ASSET_FILES)) files"

## assets-check: fail when the committed asset copies differ from the packages pinned in package-lock.json
assets-check:
	@set -euo pipefail; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cp package.json package-lock.json "$$tmp"/; \
	(cd "$$tmp" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null); \
	bad=0; for pair in $(ASSET_FILES); do src="$$tmp/node_modules/$${pair%%:*}"; dst=$${pair#*:}; \
		if ! cmp -s "$$src" "$$dst"; then echo "$$dst differs from $${pair%%:*} in package-lock.json: run make assets" >&2; bad=1; fi; done; \
	extra=$$(cd $(WEB_VENDOR) && find . -type f | sed 's|^\./||' | sort); \
	want=$$(for pair in $(ASSET_FILES); do d=$${pair#*:}; case $$d in $(WEB_VENDOR)/*) echo $${d#$(WEB_VENDOR)/};; esac; done | sort); \
	if [ "$$extra" != "$$want" ]; then echo "$(WEB_VENDOR) holds files make assets does not copy" >&2; bad=1; fi; \
	exit $$bad

## screenshots: PNGs of the demo's main pages in docs/screenshots (Chromium, a test database with a small demo)
screenshots: postgres build
	@set -euo pipefail; \
	url=$$(./bin/crs cluster start --test --dir $(TEST_PG_DIR)); \
	trap './bin/crs cluster stop --dir $(TEST_PG_DIR) >/dev/null 2>&1 || true; rm -rf $(TEST_PG_DIR)' EXIT; \
	CRS_TEST_DATABASE_URL=$$url CRS_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestScreenshots$$' ./cmd/crs/
