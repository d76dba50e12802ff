# Every target works on a fresh clone with Go installed.
GO ?= go

.PHONY: all generate check vet test race fuzz bench load run build

all: test

# EXAMPLES are modules of their own, generated and tested like this one.
EXAMPLES = examples/crm

## generate: regenerate generated/ from spec/openapi.yaml, and the examples'
generate:
	$(GO) generate ./...
	@for m in $(EXAMPLES); do (cd $$m && $(GO) generate ./...) || exit 1; done

## check: regenerate, then fail if the committed generated/ differs from the spec
check: generate
	@drift=$$(git status --porcelain -- generated $(addsuffix /generated,$(EXAMPLES)) generator/testdata); \
	if [ -n "$$drift" ]; then \
	  echo "generated code is stale: run 'make generate' and commit the result:"; echo "$$drift"; \
	  git --no-pager diff --stat -- generated $(addsuffix /generated,$(EXAMPLES)); exit 1; \
	fi

## vet: gofmt (every Go file, goldens included) and go vet
vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "not gofmt'd:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	@for m in $(EXAMPLES); do (cd $$m && $(GO) vet ./...) || exit 1; done

## test: the README's test command (what CI runs): regenerate and compare,
## vet, every test under the race detector, and a short pass of each fuzzer
test: check vet race fuzz

race:
	$(GO) test -race ./...
	@for m in $(EXAMPLES); do (cd $$m && $(GO) test -race ./...) || exit 1; done

## fuzz: FUZZTIME (default 5s) of each fuzz target, on top of its seed corpus
FUZZTIME ?= 5s
FUZZ_TARGETS = \
	FuzzParse:./runtime/qs \
	FuzzDecodeAndValidateCreate:./conformance \
	FuzzDecodeAndValidateUpdate:./conformance \
	FuzzRequest:./runtime/server \
	FuzzLoadAndBuild:./generator \
	FuzzParseCheckCompile:./generator/mapping
fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  name=$${t%%:*}; pkg=$${t#*:}; \
	  echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
	  $(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=50x $$pkg || exit 1; \
	done

## bench: the Go benchmarks (decoding and validation against kin-openapi and
## encoding/json, whole in-process requests, generation time, compiled
## JSONata mappings against jsonata-go)
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./conformance ./runtime/server ./generator ./generator/mapping/corpustest

## load: wrk against the built server on 127.0.0.1, DURATION (10s) per
## scenario; writes bench/results/load-<date>.md (see bench/README.md)
load:
	GO=$(GO) bash bench/load.sh

## build: the service binary, bin/unifiedapi
build:
	$(GO) build -o bin/unifiedapi ./cmd/unifiedapi

## run: build and start the service on 127.0.0.1:8080 (data in data/unified.db)
run: build
	exec ./bin/unifiedapi $(ARGS)
