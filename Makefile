# ftz — the commands people type. The build itself is CMake (CMakeLists.txt).
#   make run     install deps, build, create var/ftz.db with demo data, serve :8080
#   make check   install deps, build, run every test suite; last line "N passed, N failed"
#   make install PREFIX=/usr/local DESTDIR=
BUILD   ?= build
ASAN    ?= build-asan
PREFIX  ?= /usr/local
JOBS    ?= $(shell nproc)
LISTEN  ?= 127.0.0.1:8080
DB      ?= sqlite:var/ftz.db
ADMIN_PASSWORD ?= admin-demo-pass

.PHONY: all deps build asan run check install format clean

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: $(BUILD)/Makefile
	@cmake --build $(BUILD) -j$(JOBS) -- --no-print-directory -s

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

install: build
	@install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ftz
	@install -m 0755 $(BUILD)/ftz $(DESTDIR)$(PREFIX)/bin/ftz
	@rm -rf $(DESTDIR)$(PREFIX)/share/ftz/web
	@if [ -d web/dist ]; then cp -r web/dist $(DESTDIR)$(PREFIX)/share/ftz/web; fi

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c')

clean:
	@rm -rf $(BUILD) $(ASAN)
