# hetao in Go. `make run` builds hetaoc, compiles conf/hetao.conf into a
# site binary and serves the bundled www/ on :9527; `make test` is what CI runs.

GO      ?= go
BIN     := bin
GOFILES := $(shell git ls-files '*.go' 2>/dev/null | grep -v '/testdata/')

.PHONY: all build run test fmt-check vet unit fuzz-seeds bench clean

all: build

build:
	$(GO) build -trimpath -o $(BIN)/hetaoc ./cmd/hetaoc
	$(GO) build -trimpath -o $(BIN)/minihetao ./cmd/minihetao

run: build
	$(BIN)/hetaoc build conf/hetao.conf -o $(BIN)/site
	$(BIN)/site

test: fmt-check vet unit

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# vet above ran every analyzer: go test's own vet pass (a subset) would
# only repeat it.
unit:
	$(GO) test -vet=off -count=1 -timeout 12m ./...

bench:
	bash tests/bench/run.sh

clean:
	rm -rf $(BIN)
