# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tfotrace: `make` builds build/tfotrace; `make help` lists the targets.

SHELL      := /bin/bash
OUTPUT     := build
CLANG      ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL    ?= bpftool
CC         ?= gcc
PYTHON     ?= python3

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/i.86/x86/')
ifneq ($(ARCH),x86)
$(error tfotrace supports x86_64 only for now (no vmlinux/$(ARCH)/vmlinux.h); got '$(shell uname -m)')
endif
VMLINUX_H ?= vmlinux/$(ARCH)/vmlinux.h

# Debian 12 packages. Building and running need BUILD_PACKAGES alone:
# `make run`, `make static` and `make deb` install what is missing of them
# and nothing else (a production host). Each test suite needs its own
# besides: `make test` installs them all, `make test-X` its suite's.
BUILD_PACKAGES   := make gcc libc6-dev clang llvm libbpf-dev bpftool libelf-dev \
		    zlib1g-dev pkg-config
UNIT_PACKAGES    := libcmocka-dev prometheus
FUZZ_PACKAGES    := libcmocka-dev libclang-rt-14-dev
LIVE_PACKAGES    := python3 iproute2 util-linux valgrind prometheus mptcpize curl
VM_PACKAGES      := python3 qemu-system-x86 busybox-static cpio curl
PKG_PACKAGES     := debootstrap lintian man-db file systemd-container \
		    debian-archive-keyring prometheus
SYSTEMD_PACKAGES := python3 qemu-system-x86 cpio mmdebstrap zstd \
		    debian-archive-keyring
DOCS_PACKAGES    := python3
BENCH_PACKAGES   := python3 bpftrace strace
TEST_PACKAGES    := $(sort $(UNIT_PACKAGES) $(FUZZ_PACKAGES) $(LIVE_PACKAGES) \
		    $(VM_PACKAGES) $(PKG_PACKAGES) $(SYSTEMD_PACKAGES) $(DOCS_PACKAGES))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS     ?= -O2 -g
USER_FLAGS := -std=gnu11 -Wall -Wextra -Werror -MMD -MP -Ibpf -Iuser -I$(OUTPUT)
BPF_FLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -MMD -MP \
	      -Ibpf -I$(dir $(VMLINUX_H))
LIBS       := -lbpf -lelf -lz

# libbpf-free pieces: what the unit tests link against.
CORE_SRCS := records.c decode.c names.c sink.c output.c output_text.c output_json.c procfs.c correlate.c prometheus.c goinfo.c lru.c program.c unitfile.c advice.c kbtf.c
TOOL_SRCS := $(CORE_SRCS) attach.c wire.c kernel_btf.c scan.c doctor.c broker.c caps.c cgroup.c pids.c run.c main.c
CORE_OBJS := $(CORE_SRCS:%.c=$(OUTPUT)/user/%.o)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(OUTPUT)/user/%.o)

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))
SCENARIOS  := $(patsubst tests/scenarios/%.c,$(OUTPUT)/tests/%,$(wildcard tests/scenarios/*.c))

.PHONY: all static deps test-deps deps-unit deps-fuzz deps-live deps-vm deps-pkg deps-systemd deps-docs test test-unit test-live test-vm test-san test-fuzz test-docs fuzz soak bench bench-deps run clean help deb test-pkg test-systemd
.DELETE_ON_ERROR:
.SECONDARY:

all: $(OUTPUT)/tfotrace

help:
	@echo 'make              build build/tfotrace'
	@echo 'make static       build build/tfotrace-static (no shared libraries)'
	@echo 'make deps         apt-get install what building and running need (BUILD_PACKAGES)'
	@echo 'make test         every test suite, installing what they need; most need root'
	@echo 'make test-unit    unit tests, no root'
	@echo 'make test-live    this kernel, in network namespaces'
	@echo 'make test-vm      Debian 12 kernels under qemu'
	@echo 'make deb          build/deb/tfotrace_<version>-1_amd64.deb (static binary, man page, unit, completion)'
	@echo 'make test-pkg     the .deb: lintian, installed in a clean Debian 12 root and under systemd'
	@echo 'make test-systemd the packaged unit under real systemd, Debian 12 kernels 6.1 and 6.12 (qemu)'
	@echo 'make soak         10 minutes of churn under tfotrace (SOAK_MINUTES=N)'
	@echo 'make bench        benchmarks (QUICK=1: a smoke run); writes tests/bench/RESULTS.md'
	@echo 'make run          deps if missing, build, run tfotrace (ARGS="...")'
	@echo 'make clean        remove build/'

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/bpf $(OUTPUT)/tests:
	$(Q)mkdir -p $@

BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(wildcard bpf/*.bpf.c))
SKELS    := $(patsubst $(OUTPUT)/bpf/%.bpf.o,$(OUTPUT)/%.skel.h,$(BPF_OBJS))

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(VMLINUX_H) | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_FLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/bpf/%.bpf.o | $(OUTPUT)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(OUTPUT)/user/attach.o $(OUTPUT)/user/wire.o $(OUTPUT)/user/scan.o $(OUTPUT)/user/doctor.o $(OUTPUT)/user/run.o $(OUTPUT)/user/main.o: $(SKELS)

$(OUTPUT)/user/%.o: user/%.c | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(USER_FLAGS) -c $< -o $@

$(OUTPUT)/tfotrace: $(TOOL_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

static: deps $(OUTPUT)/tfotrace-static

$(OUTPUT)/tfotrace-static: $(TOOL_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -static $^ $(LIBS) -o $@

$(OUTPUT)/tests/test_%: tests/unit/test_%.c $(CORE_OBJS) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(USER_FLAGS) $(filter %.c %.o,$^) -lcmocka -o $@

# Scenario programs run inside test namespaces and, later, Debian 12 VMs:
# static so they need nothing from the guest.
$(OUTPUT)/tests/%: tests/scenarios/%.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(USER_FLAGS) -static $< -o $@

# The README's test command: on a fresh machine it installs what it needs.
test:
	$(Q)$(MAKE) --no-print-directory test-deps
	$(Q)$(MAKE) --no-print-directory test-unit test-san test-fuzz test-docs test-live test-vm test-pkg test-systemd

# The man page and the README against the tool (tests/docs/check.py).
test-docs: deps-docs $(OUTPUT)/tfotrace
	$(Q)$(PYTHON) tests/docs/check.py

# test_goinfo reads a Go release build without .go.buildinfo, fetched from
# npm into .cache/npm (once; a failed fetch fails the test, not the others).
FETCH_GO_NOBUILDINFO := tests/unit/fetch-go-nobuildinfo.sh

test-unit: deps-unit $(UNIT_TESTS)
	$(Q)fail=0; $(FETCH_GO_NOBUILDINFO) || fail=1; \
	for t in $(UNIT_TESTS); do $$t || fail=1; done; exit $$fail

# The unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer
SAN_CORE  := $(CORE_SRCS:%.c=$(OUTPUT)/san/user/%.o)
SAN_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/san/%,$(wildcard tests/unit/test_*.c))

$(OUTPUT)/san/user/%.o: user/%.c
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SAN_FLAGS) $(USER_FLAGS) -c $< -o $@

$(OUTPUT)/san/test_%: tests/unit/test_%.c $(SAN_CORE)
	$(call msg,CC-SAN,$@)
	$(Q)$(CC) $(SAN_FLAGS) $(USER_FLAGS) $(filter %.c %.o,$^) -lcmocka -o $@

test-san: deps-unit $(SAN_TESTS)
	$(Q)fail=0; $(FETCH_GO_NOBUILDINFO) || fail=1; \
	for t in $(SAN_TESTS); do $$t || fail=1; done; exit $$fail

# libFuzzer (clang) over the decoder, the correlator and the formatters:
# a short fixed-time run in `make test`, longer with `make fuzz`.
FUZZ_SECONDS ?= 20
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(OUTPUT)/fuzz/fuzz_records: tests/fuzz/fuzz_records.c $(CORE_SRCS:%=user/%)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -std=gnu11 -Wall -Wextra -Werror -Ibpf -Iuser $(filter %.c %.o,$^) -o $@

test-fuzz: deps-fuzz $(OUTPUT)/fuzz/fuzz_records
	$(Q)mkdir -p $(OUTPUT)/fuzz/corpus
	$(Q)$(OUTPUT)/fuzz/fuzz_records -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(OUTPUT)/fuzz/ $(OUTPUT)/fuzz/corpus 2>&1 | \
		grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)|ERROR|SUMMARY'; \
		exit $${PIPESTATUS[0]}

fuzz:
	$(Q)$(MAKE) --no-print-directory test-fuzz FUZZ_SECONDS=600

test-live: deps-live $(OUTPUT)/tfotrace $(SCENARIOS)
	$(Q)$(MAKE) --no-print-directory -f tests/bench/Makefile build/bench/bench_load
	$(Q)$(PYTHON) tests/live/run.py

# The Debian package (user/dist/): the static binary, man page, unit, completion.
deb: deps $(OUTPUT)/tfotrace-static
	$(call msg,DEB,$(OUTPUT)/deb)
	$(Q)user/dist/build-deb.sh $(OUTPUT)/tfotrace-static $(OUTPUT)/deb

# Builds the .deb, lints it, installs it into a clean Debian 12 root (cached
# in .cache/pkg), checks it there and under systemd-nspawn, removes it.
test-pkg: deps-pkg $(OUTPUT)/tfotrace-static
	$(Q)tests/pkg/run.sh

# Socket, process and TFO churn under tfotrace for SOAK_MINUTES: the
# loader's RSS and the BPF maps must stay flat. Not part of `make test`.
SOAK_MINUTES ?= 10

soak: $(OUTPUT)/tfotrace $(SCENARIOS)
	$(Q)$(MAKE) --no-print-directory -f tests/bench/Makefile build/bench/bench_load
	$(Q)$(PYTHON) tests/soak/run.py --minutes $(SOAK_MINUTES)

# Debian 12's 6.1, 6.1-cloud and 6.12 kernels under qemu (packages cached
# in .cache/vm).
test-vm: deps-vm $(OUTPUT)/tfotrace-static $(SCENARIOS)
	$(Q)$(PYTHON) tests/vm/run.py

# Debian 12 with systemd as PID 1 on its 6.1 and 6.12 kernels under qemu
# (tests/vm/systemd_guest.py): the .deb's tfotrace.service as systemctl runs
# it, and a service's Environment= changed by a drop-in. The root is made
# once with mmdebstrap, cached in .cache/vm/systemd-guest.
test-systemd: deps-systemd deb $(OUTPUT)/tests/tfo_scenario $(OUTPUT)/tests/tfo_client
	$(Q)$(PYTHON) tests/vm/systemd_guest.py

# Cost side by side with the floor and the peers on this machine, then
# the attach modes inside Debian 12's 6.1 kernel (about 12 minutes in all;
# QUICK=1 or BENCH_ARGS=--quick for a 4 minute smoke run). One command,
# tests/bench/run.py: its sections (tests/bench/sections/) measure, it
# writes the raw figures to tests/bench/RESULTS.json and the report to
# tests/bench/RESULTS.md (and the guest's tables to RESULTS-vm.md);
# `python3 tests/bench/run.py --report-only` rewrites the report from the
# JSON. BENCH_ARGS passes options (--rounds N, --only S1,S2, --no-vm, ...).
BENCH_ARGS += $(if $(filter 1 yes,$(QUICK)),--quick)

bench: bench-deps $(OUTPUT)/tfotrace $(OUTPUT)/tfotrace-static $(SCENARIOS)
	$(Q)$(PYTHON) tests/bench/run.py $(BENCH_ARGS)

# install_missing WHAT,PACKAGES: apt-get installs those of PACKAGES that
# are not installed; cheap to repeat.
install_missing = missing=; for p in $(2); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || \
			missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps ($(1)): installing$$missing"; \
		apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

deps:
	$(Q)$(call install_missing,build,$(BUILD_PACKAGES))
test-deps:
	$(Q)$(call install_missing,tests,$(BUILD_PACKAGES) $(TEST_PACKAGES))
deps-unit:
	$(Q)$(call install_missing,test-unit,$(UNIT_PACKAGES))
deps-fuzz:
	$(Q)$(call install_missing,test-fuzz,$(FUZZ_PACKAGES))
deps-live:
	$(Q)$(call install_missing,test-live,$(LIVE_PACKAGES))
deps-vm:
	$(Q)$(call install_missing,test-vm,$(VM_PACKAGES))
deps-pkg:
	$(Q)$(call install_missing,test-pkg,$(PKG_PACKAGES))
deps-systemd:
	$(Q)$(call install_missing,test-systemd,$(SYSTEMD_PACKAGES))
deps-docs:
	$(Q)$(call install_missing,test-docs,$(DOCS_PACKAGES))
bench-deps:
	$(Q)$(call install_missing,bench,$(BENCH_PACKAGES))

run:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	$(OUTPUT)/tfotrace $(ARGS)

# make print-VAR: a variable's value (tests read the package lists so)
print-%:
	@echo $($*)

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include $(wildcard $(OUTPUT)/*/*.d $(OUTPUT)/*/*/*.d)
