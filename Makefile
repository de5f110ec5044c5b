# regstack: developer entry points. `make help` lists them.
#
# Everything here is plain `go` commands; the only network access is the Go
# module proxy (for modules not yet in the module cache).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO ?= go
GOFMT ?= $(shell $(GO) env GOROOT)/bin/gofmt

# A checkout without the git binary (a bare CI image) cannot stamp VCS
# information into binaries; the go command would fail rather than skip it.
export GOFLAGS ?= -buildvcs=false

# make demo: where the demo app is generated and where it listens. The demo's
# emailed links use the generator's default base URL, http://127.0.0.1:8000,
# so change both together (BASE_URL is passed to gen).
DEMO ?= demo
ADDR ?= 127.0.0.1:8000
BASE_URL ?= http://$(ADDR)
# The demo's state, kept across regenerations.
DEMO_STATE = regstack.secrets.env regstack.db regstack.db-wal regstack.db-shm

# make test: the e2e module generates and tests whole hosts on every backend;
# on a cold build cache it spends most of its time compiling the database
# drivers and FerretDB once. The harness (e2e/servers_test.go) starts its
# own PostgreSQL (initdb + pg_ctl on a free 127.0.0.1 port) and FerretDB
# (bin/ferretdb-sqlite) and stops them at the end. It takes about 17
# minutes on 2 cores with a warm cache; the timeout leaves room for a cold
# one rather than failing a slow but passing run.
E2E_FLAGS ?= -v -count=1 -timeout 45m
# The PostgreSQL server binaries the e2e harness runs (Debian: apt-get
# install postgresql; .ci/run does that).
PG_INITDB = $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb) $(shell command -v initdb 2>/dev/null))

# The browser the e2e browser tests drive (e2e/browser_test.go; Debian's
# chromium: .ci/run and make e2e-browser install it when missing).
# E2E_CHROMIUM overrides.
CHROMIUM = $(or $(E2E_CHROMIUM),$(firstword $(foreach b,chromium chromium-browser google-chrome,$(shell command -v $(b) 2>/dev/null))))

# make bench: which benchmarks and for how long.
BENCH ?= .
BENCHTIME ?= 2s

# Go files that gofmt must accept: everything except golden/test data and
# folders that are generated hosts or build output.
GO_FILES = $(shell find . \( -path ./.git -o -path ./$(DEMO) -o -path ./bin -o -name testdata \) -prune -o -name '*.go' -print)

.PHONY: help build demo test vet fmt-check unit e2e e2e-servers e2e-browser golden sqlc bench fuzz clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

build: ## build bin/regstack
	$(GO) build -o bin/regstack .

# demo wipes $(DEMO)/ and generates it afresh, so it always shows what a new
# user gets; regstack.secrets.env and the SQLite database survive the wipe
# (moved aside and back), so accounts and sessions outlive a regeneration.
demo: build ## generate a fresh starter app into demo/ and run it on $(ADDR)
	@keep=$$(mktemp -d); trap 'rm -rf "$$keep"' EXIT; \
	state="$(DEMO_STATE)"; \
	for f in $$state; do if [ -e "$(DEMO)/$$f" ]; then mv "$(DEMO)/$$f" "$$keep/"; fi; done; \
	rm -rf "$(DEMO)"; mkdir -p "$(DEMO)"; \
	for f in $$state; do if [ -e "$$keep/$$f" ]; then mv "$$keep/$$f" "$(DEMO)/"; fi; done
	bin/regstack gen --yes --dir $(DEMO) --base-url $(BASE_URL)
	@echo "==> serving $(DEMO) on http://$(ADDR) (Ctrl-C stops it)"
	cd $(DEMO) && ADDR=$(ADDR) $(GO) run .

# test runs every stage even when one fails (so one run reports all
# failures), prints how long each took, and fails if any did.
STAGES = vet fmt-check unit e2e
test: ## every check: vet, gofmt, unit tests, e2e (with a per-stage timing summary)
	@summary=""; failed=0; \
	for stage in $(STAGES); do \
		start=$$(date +%s); \
		if $(MAKE) --no-print-directory $$stage; then result=ok; else result=FAILED; failed=1; fi; \
		summary="$$summary$$(printf '%-10s %-6s %5ss' $$stage $$result $$(( $$(date +%s) - start )))\n"; \
	done; \
	printf '\n==> make test: time per stage\n%b' "$$summary"; \
	exit $$failed

# ./... skips blueprints/_common and blueprints/_sqlite (leading underscore):
# those Go files are templates that only compile once rendered into a host,
# and the e2e module builds, vets and tests them there.
vet: ## go vet the repository and the e2e module
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...

fmt-check: ## fail if any Go file (outside testdata) is not gofmt'd
	@out=$$($(GOFMT) -l $(GO_FILES)); \
	if [ -n "$$out" ]; then echo "gofmt -l lists files that need formatting:"; echo "$$out"; exit 1; fi

unit: ## go test ./... in the repository
	$(GO) test ./...

e2e: e2e-servers e2e-browser ## generate scratch hosts on every backend, build/vet/test them, drive the live apps and the pages in Chromium
	cd e2e && E2E_FERRETDB=$(CURDIR)/bin/ferretdb-sqlite E2E_CHROMIUM=$${E2E_CHROMIUM:-$$(command -v chromium || command -v chromium-browser || command -v google-chrome)} $(GO) test $(E2E_FLAGS) ./...

# The harness starts the servers itself; this only makes sure it can: the
# PostgreSQL binaries are installed and the FerretDB launcher is built (from
# the module cache; about a minute on a cold build cache, then seconds).
e2e-servers: ## check for PostgreSQL, build bin/ferretdb-sqlite (the MongoDB stand-in)
	@if [ -z "$(PG_INITDB)" ] && [ -z "$${PG_BINDIR:-}" ]; then \
		echo "PostgreSQL server binaries not found: apt-get install postgresql (or set PG_BINDIR)"; exit 1; fi
	cd e2e && $(GO) build -o ../bin/ferretdb-sqlite ./cmd/ferretdb-sqlite

# The browser tests write their screenshots to e2e/artifacts/browser/
# (ignored by git; E2E_ARTIFACTS=dir moves them to dir/browser/).
e2e-browser: ## make sure Chromium is there (installs Debian's chromium when missing and apt-get can)
	@if [ -z "$(CHROMIUM)" ] || [ ! -x "$(CHROMIUM)" ]; then \
		if [ -z "$(E2E_CHROMIUM)" ] && command -v apt-get >/dev/null; then \
			echo "Chromium not found: installing Debian's chromium (the e2e browser tests drive it)"; \
			sudo=""; if [ "$$(id -u)" -ne 0 ]; then sudo=sudo; fi; \
			$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; \
		else \
			echo "Chromium not found$(if $(CHROMIUM), at $(CHROMIUM)) (the e2e browser tests drive it): apt-get install chromium (or set E2E_CHROMIUM=/path/to/chrome)"; exit 1; \
		fi; \
	fi
	@echo "browser: $$(command -v $(or $(CHROMIUM),chromium))"

# Only the test binaries that import internal/golden define -update, and
# the go command passes the flag to every test binary it runs (one that does
# not define it fails), so run just those packages.
GOLDEN_PKGS = $(shell $(GO) list -f '{{range .TestImports}}{{if eq . "github.com/regstack/regstack/internal/golden"}}{{$$.ImportPath}} {{end}}{{end}}' ./...)
golden: ## refresh the golden files (go test -update)
	$(GO) test $(GOLDEN_PKGS) -update

# The exact sqlc invocation is defined by the SQLite store; the tool is
# pinned in tools/go.mod so `go tool` builds it from the module cache.
sqlc: ## regenerate the committed sqlc output
	$(GO) tool -modfile=tools/go.mod sqlc generate -f blueprints/_sqlite/pkg/store/sqlite/sqlc.yaml
	$(GO) tool -modfile=tools/go.mod sqlc generate -f blueprints/_postgres/pkg/store/postgres/sqlc.yaml
	@# sqlc writes every table's model into models.go, but the models of an
	@# optional feature's tables are gated: fold it into models.go.tmpl.
	@for d in blueprints/_sqlite/pkg/store/sqlite/sqlitedb blueprints/_postgres/pkg/store/postgres/pgdb; do \
		if [ -e $$d/models.go ]; then echo "$$d/models.go: fold it into models.go.tmpl (see that file's header), then delete it"; exit 1; fi; \
	done

bench: e2e-servers ## run the benchmarks (gen as a process; the floor: me_ratio, login_ratio; live GET /me and login on each backend)
	bench/gen.sh
	bench/floor.sh
	cd e2e && E2E_FERRETDB=$(CURDIR)/bin/ferretdb-sqlite $(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -count 1 -timeout 20m .

# make fuzz: every native fuzz target, one after the other, for FUZZTIME
# each: the generator's (internal/...) and the generated suite's, in a
# scratch host generated with every optional feature. FUZZ=regexp picks
# targets, FUZZ_SCOPE=generator|host one side. `go test` (make unit, the
# e2e hosts) already runs every seed, so CI spends no fuzzing time.
FUZZTIME ?= 30s
FUZZ ?= .
fuzz: ## run every fuzz target for FUZZTIME (default 30s; FUZZTIME=10m for a long run)
	FUZZTIME='$(FUZZTIME)' FUZZ='$(FUZZ)' GO='$(GO)' tools/fuzz.sh

clean: ## remove build output and the demo (including its database)
	rm -rf bin $(DEMO)
