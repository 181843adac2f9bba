# ftz — the commands people type. The build itself is CMake (CMakeLists.txt).
#   make run     install deps, build, create var/ftz.db with demo data, serve :8080
#   make check   install deps, build, run every test suite; last line "N passed, N failed"
#   make bench   install wrk + nginx, build, run bench/ (ratios to nginx in bench/README.md)
#   make install PREFIX=/usr/local DESTDIR=   (make install-systemd adds the unit file)
BUILD   ?= build
ASAN    ?= build-asan
PREFIX  ?= /usr/local
JOBS    ?= $(shell nproc)
LISTEN  ?= 127.0.0.1:8080
DB      ?= sqlite:var/ftz.db
ADMIN_PASSWORD ?= admin-demo-pass

.PHONY: all deps build web asan run check install format clean

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: $(BUILD)/Makefile web
	@cmake --build $(BUILD) -j$(JOBS) -- --no-print-directory -s

# The web UI (Vite → web/dist), rebuilt when a source, the lockfile or the config changed.
WEB_SRC := $(shell find web/src web/index.html web/vite.config.js web/package-lock.json web/public web/scripts -type f 2>/dev/null)
web: web/dist/.built
web/dist/.built: $(WEB_SRC)
	@if [ -d web/node_modules ]; then cd web && npm run build --silent >/dev/null; \
	  else echo "make: web/node_modules missing: run scripts/deps.sh (make deps)" >&2; exit 1; fi
	@touch $@

$(ASAN)/Makefile: CMakeLists.txt
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DFTZ_SANITIZE=ON >/dev/null

asan: $(ASAN)/Makefile
	@cmake --build $(ASAN) -j$(JOBS) -- --no-print-directory -s

run: deps build
	@mkdir -p var
	@FTZ_ADMIN_PASSWORD=$${FTZ_ADMIN_PASSWORD:-$(ADMIN_PASSWORD)} $(BUILD)/ftz init --db $(DB)
	@$(BUILD)/ftz demo --db $(DB)
	@$(BUILD)/ftz demo --db $(DB) --print-logins
	@echo "  admin         admin (password $${FTZ_ADMIN_PASSWORD:-$(ADMIN_PASSWORD)} when var/ftz.db was made by make run)"
	@echo "ftz: serving http://$(LISTEN)/"
	@$(BUILD)/ftz serve --db $(DB) --listen $(LISTEN)

check: deps build asan
	@bash scripts/check.sh

.PHONY: bench install-systemd

bench: deps build
	@bash scripts/deps.sh --bench && bash bench/run.sh

# install: the binary, the built web UI (if web/dist exists), the reference data (compiled
# into the binary too; installed to be read) and the contrib/ examples. Never writes /etc or
# a systemd directory; `make install-systemd` adds the unit (docs/operations.md).
SHARE = $(DESTDIR)$(PREFIX)/share/ftz
install: build
	@install -d $(DESTDIR)$(PREFIX)/bin $(SHARE) $(SHARE)/examples
	@install -m 0755 $(BUILD)/ftz $(DESTDIR)$(PREFIX)/bin/ftz
	@rm -rf $(SHARE)/web $(SHARE)/data
	@if [ -d web/dist ]; then install -d $(SHARE)/web && cp -R web/dist/. $(SHARE)/web/; fi
	@install -d $(SHARE)/data && cp -R data/. $(SHARE)/data/
	@chmod -R u=rwX,go=rX $(SHARE)
	@install -m 0644 contrib/ftz.ini.example contrib/nginx-ftz.conf contrib/ftz.service $(SHARE)/examples/

install-systemd: install
	@install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	@sed '/^Exec/s|/usr/local/bin/ftz|$(PREFIX)/bin/ftz|g' contrib/ftz.service > $(DESTDIR)$(PREFIX)/lib/systemd/system/ftz.service
	@chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/system/ftz.service

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c')

clean:
	@rm -rf $(BUILD) $(ASAN) web/dist
