# bulwark — make / make test / make run / make deps   (V=1 prints the commands)
# SPDX-License-Identifier: Apache-2.0
# The build never reads the build machine's kernel: BPF code includes the pinned vmlinux/x86/vmlinux.h.

BUILD   ?= build
# the BPF target architecture, from the build machine's (vmlinux/$(ARCH)/vmlinux.h must exist for it)
ARCH    ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')
CLANG   ?= clang
CC      ?= cc
BPFTOOL ?= bpftool

# The version: from `git describe` (a v* tag, else 0.1.0 plus the commit), passed to the binary,
# the .deb and the image. Debian's rules for an upstream version: digits first, no '-'.
GIT_REV := $(shell git describe --tags --always --dirty --match 'v[0-9]*' 2>/dev/null)
VERSION ?= $(if $(filter v%,$(GIT_REV)),$(patsubst v%,%,$(subst -,.,$(GIT_REV))),0.1.0$(if $(GIT_REV),+git.$(subst -,.,$(GIT_REV))))

# make V=1 prints every command
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-7s %s\n' $(1) $(2)
endif

# a target whose recipe fails is removed, never left half-written for the next make
.DELETE_ON_ERROR:

ifeq ($(wildcard vmlinux/$(ARCH)/vmlinux.h),)
$(error no vmlinux/$(ARCH)/vmlinux.h: bulwark's BPF code is built for $(ARCH) only with a pinned vmlinux.h (see vmlinux/README.md))
endif

BPF_SRCS   := $(wildcard bpf/progs/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/progs/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Ivmlinux/$(ARCH) -Ibpf -MMD -MP

# agent modules: every .c under agent/ but the CLI's main.c, linkable into tests; plus the
# default ruleset (rules/*.yaml) embedded as generated C
AGENT_SRCS := $(filter-out agent/main.c,$(wildcard agent/*.c agent/rules/*.c agent/output/*.c))
AGENT_OBJS := $(patsubst agent/%.c,$(BUILD)/agent/%.o,$(AGENT_SRCS)) $(BUILD)/agent/rules/default.o

OPT      ?= -O2 -g
SAN      ?=
HARDEN   ?= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection
CFLAGS   := $(OPT) $(SAN) -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers -fPIE $(HARDEN)
# -MMD -MP: each object's header dependencies are written beside it and read back below
CPPFLAGS := -D_GNU_SOURCE -DBULWARK_VERSION='"$(VERSION)"' -Iagent -Ibpf/include -I$(BUILD) -MMD -MP
LDFLAGS  := $(SAN) -pie -Wl,-z,relro,-z,now
# libbpf (sensor), libcurl (Docker API, HTTP outputs), jansson (JSON), OpenSSL (syslog over TLS, HMAC),
# libyaml (rules, config), libmicrohttpd (/metrics and /healthz on its own thread)
LDLIBS   := -lbpf -lelf -lz -lcurl -ljansson -lssl -lcrypto -lpthread -lyaml -lmicrohttpd

.PHONY: all deps test test-unit test-bpf test-kernels run clean asan bench bench-progs install deb image version fuzz fuzz-progs soak
all: $(BUILD)/bulwark

deps:
	scripts/deps.sh

version:
	@echo $(VERSION)

$(BUILD)/bpf/%.bpf.o: bpf/progs/%.bpf.c | $(BUILD)/bpf
	$(call say,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# one BPF object from the per-family programs (libbpf's static linker)
$(BUILD)/bulwark.bpf.o: $(BPF_OBJS)
	$(call say,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(BUILD)/bulwark.skel.h: $(BUILD)/bulwark.bpf.o
	$(call say,GEN,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name bulwark_bpf > $@

# every agent object waits for the skeleton (sensor.c includes it; the generated dependency
# files take over once it exists) and is rebuilt when the flags (the version among them) change
$(BUILD)/agent/%.o: agent/%.c $(BUILD)/bulwark.skel.h $(BUILD)/flags.stamp
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# rewritten only when the compiler, its flags or the version change
FLAGS_TEXT := $(CC) $(CPPFLAGS) $(CFLAGS)
$(BUILD)/flags.stamp: FORCE | $(BUILD)
	@[ "$$(cat $@ 2>/dev/null)" = '$(FLAGS_TEXT)' ] || echo '$(FLAGS_TEXT)' > $@

.PHONY: FORCE
FORCE:

$(BUILD)/bulwark: $(BUILD)/agent/main.o $(AGENT_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/bpf $(BUILD)/tests:
	mkdir -p $@

RULES_FILES := $(sort $(wildcard rules/*.yaml))
$(BUILD)/rules_default.c: $(RULES_FILES) scripts/embed_rules.sh | $(BUILD)
	$(call say,GEN,$@)
	$(Q)scripts/embed_rules.sh $(RULES_FILES) > $@

$(BUILD)/agent/rules/default.o: $(BUILD)/rules_default.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) -Iagent/rules $(CFLAGS) -c $< -o $@

# ---- tests ------------------------------------------------------------------
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/check.h $(AGENT_OBJS) | $(BUILD)/tests
	$(call say,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) $< $(AGENT_OBJS) -o $@ $(LDLIBS) -ljansson

$(BUILD)/tests/bpf_events: tests/bpf/bpf_events.c tests/lib/tracer.c tests/lib/tracer.h tests/unit/check.h | $(BUILD)/tests
	$(call say,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit -Itests/lib $(CFLAGS) -Wno-format-truncation $(LDFLAGS) $< tests/lib/tracer.c -o $@ -ljansson -lpthread -luring

$(BUILD)/tests/e2e_containers: tests/e2e/containers.c tests/lib/tracer.c tests/lib/tracer.h tests/unit/check.h | $(BUILD)/tests
	$(call say,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit -Itests/lib $(CFLAGS) -Wno-format-truncation $(LDFLAGS) $< tests/lib/tracer.c -o $@ -ljansson

$(BUILD)/tests/e2e_attacks: tests/e2e/attacks.c tests/lib/tracer.c tests/lib/tracer.h tests/unit/check.h | $(BUILD)/tests
	$(call say,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit -Itests/lib $(CFLAGS) -Wno-format-truncation $(LDFLAGS) $< tests/lib/tracer.c -o $@ -ljansson

# Falco's event-generator actions (tests/e2e/falco_evtgen.sh): static, to run in a busybox container too
$(BUILD)/tests/evtgen: tests/e2e/evtgen.c | $(BUILD)/tests
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -static $< -o $@

# statically linked: it runs in any container (Docker's busybox image, the test VM)
$(BUILD)/tests/opener: tests/kernels/opener.c | $(BUILD)/tests
	$(call say,LD,$@)
	$(Q)$(CC) -static -O2 -Wall -Wextra -Werror $< -o $@ -luring

$(BUILD)/tests/e2e_enforce: tests/e2e/enforce.c tests/lib/tracer.c tests/lib/tracer.h tests/unit/check.h | $(BUILD)/tests
	$(call say,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit -Itests/lib $(CFLAGS) -Wno-format-truncation $(LDFLAGS) $< tests/lib/tracer.c -o $@ -ljansson

E2E_TESTS := $(BUILD)/tests/e2e_containers $(BUILD)/tests/e2e_attacks $(BUILD)/tests/evtgen $(BUILD)/tests/e2e_enforce $(BUILD)/tests/opener

test: all $(UNIT_TESTS) $(BUILD)/tests/bpf_events $(E2E_TESTS) asan bench-progs fuzz-progs
	tests/run.sh

test-unit: $(UNIT_TESTS)
	tests/run.sh unit

test-bpf: all $(BUILD)/tests/bpf_events
	tests/run.sh bpf

# the BPF tests again, on Debian 12's 6.1 kernel under qemu (tests/kernels/run.sh)
test-kernels: all $(BUILD)/tests/bpf_events $(BUILD)/tests/opener
	tests/run.sh kernels

# the same code under AddressSanitizer and UBSan
asan:
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" SAN="-fsanitize=address,undefined" HARDEN= \
		all $(patsubst $(BUILD)/%,build/asan/%,$(UNIT_TESTS))

# the agent on its embedded defaults: default rules, alerts to stdout
run: all
	$(BUILD)/bulwark run

clean:
	rm -rf build

# ---- install, Debian package, container image (docs/config.md, packaging/) --------------------
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/bulwark
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
DESTDIR    ?=
# an image tag allows no '+'
IMAGE      ?= localhost/bulwark:$(subst +,_,$(VERSION))

# The config is installed only where none exists: make install never overwrites an edited one.
install: all
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(SYSCONFDIR)/bulwark/rules.d \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	install -m 0755 $(BUILD)/bulwark $(DESTDIR)$(BINDIR)/bulwark
	install -m 0644 $(RULES_FILES) $(DESTDIR)$(DATADIR)/rules/
	[ -e $(DESTDIR)$(SYSCONFDIR)/bulwark/bulwark.yaml ] || \
		sed 's|/usr/share/bulwark/rules|$(DATADIR)/rules|' packaging/bulwark.yaml >$(DESTDIR)$(SYSCONFDIR)/bulwark/bulwark.yaml
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/bulwark/bulwark.yaml
	[ -e $(DESTDIR)$(SYSCONFDIR)/bulwark/rules.d/local.yaml ] || \
		install -m 0644 packaging/local-rules.yaml $(DESTDIR)$(SYSCONFDIR)/bulwark/rules.d/local.yaml
	sed 's|/usr/bin/bulwark|$(BINDIR)/bulwark|g; s|/etc/bulwark|$(SYSCONFDIR)/bulwark|g' \
		packaging/systemd/bulwark.service >$(DESTDIR)$(UNITDIR)/bulwark.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/bulwark.service
	install -m 0644 packaging/systemd/bulwark.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/bulwark
	install -d -m 0700 $(DESTDIR)/var/lib/bulwark
	install -d -m 0750 $(DESTDIR)/var/log/bulwark

# build/bulwark_VERSION_ARCH.deb (dpkg-deb; checked with lintian by tests/packaging)
deb: all
	packaging/deb/build.sh $(BUILD) $(VERSION)

# A small image built offline: the binary, its shared libraries and /etc files, FROM scratch
image: all
	packaging/container/build.sh $(BUILD) $(IMAGE) $(VERSION)

# ---- benchmarks (make bench; its smoke run, tests/bench/smoke.sh, is part of make test) ----
$(BUILD)/loadgen: bench/loadgen.c | $(BUILD)
	$(CC) -O2 -Wall -Wextra -Werror $< -o $@

# the same, static: it runs inside the busybox containers of tests/e2e/exhaust.sh
$(BUILD)/loadgen-static: bench/loadgen.c | $(BUILD)
	$(CC) -O2 -static -Wall -Wextra -Werror $< -o $@

$(BUILD):
	mkdir -p $@

$(BUILD)/proctree_mem: bench/proctree_mem.c agent/proctree.c agent/proctree.h agent/table.c agent/table.h agent/util.c agent/util.h | $(BUILD)
	$(CC) $(CPPFLAGS) -O2 $< agent/proctree.c agent/table.c agent/util.c -o $@

# the harness's programs: the tiny static binary of the exec storm, the end-to-end
# latency probe, the kernel's floor (do-nothing programs on bulwark's hooks), and
# the synthetic processes and containers of the memory figure
BENCH_PROGS := $(BUILD)/loadgen $(BUILD)/loadgen-static $(BUILD)/proctree_mem $(BUILD)/bench/tiny $(BUILD)/bench/latency \
	       $(BUILD)/bench/floor $(BUILD)/bench/floor.bpf.o $(BUILD)/bench/sleeper $(BUILD)/bench/procfarm

$(BUILD)/bench:
	mkdir -p $@

$(BUILD)/bench/tiny: bench/tiny.c | $(BUILD)/bench
	$(CC) -O2 -static -nostdlib -fno-stack-protector $< -o $@

$(BUILD)/bench/sleeper: bench/sleeper.c | $(BUILD)/bench
	$(CC) -O2 -static -nostdlib -fno-stack-protector $< -o $@

$(BUILD)/bench/procfarm: bench/procfarm.c | $(BUILD)/bench
	$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror $< -o $@

$(BUILD)/bench/latency: bench/latency.c | $(BUILD)/bench
	$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror $< -o $@ -lpthread

$(BUILD)/bench/floor: bench/floor.c | $(BUILD)/bench
	$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror $< -o $@ -lbpf -lelf -lz

$(BUILD)/bench/floor.bpf.o: bench/floor.bpf.c | $(BUILD)/bench
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

bench-progs: all $(BENCH_PROGS)

# the full comparison (bench/run.sh; docs/BENCHMARKS.md); the peers and tools come from scripts/deps.sh
bench: bench-progs
	scripts/deps.sh
	bench/run.sh $(BUILD)

# header dependencies written by the compilers (-MMD -MP)
-include $(wildcard $(BUILD)/agent/*.d $(BUILD)/agent/*/*.d $(BUILD)/bpf/*.d $(BUILD)/tests/*.d $(BUILD)/*.d)

# ---- fuzzing (tests/fuzz; make fuzz runs each harness FUZZ_TIME seconds, make test briefly) ----
FUZZ_TIME ?= 300
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link
FUZZ_HARNESSES := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/%,$(wildcard tests/fuzz/fuzz_*.c))

# libFuzzer harnesses: the agent's objects built by clang with ASan and UBSan (every report aborts)
fuzz-progs:
	$(MAKE) BUILD=build/fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" SAN="$(FUZZ_SAN)" HARDEN= \
		$(patsubst $(BUILD)/%,build/fuzz/%,$(FUZZ_HARNESSES))

$(BUILD)/tests/fuzz_%: tests/fuzz/fuzz_%.c $(AGENT_OBJS) | $(BUILD)/tests
	$(call say,FUZZ,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer $< $(AGENT_OBJS) -o $@ $(LDLIBS)

fuzz: fuzz-progs
	tests/fuzz/run.sh build/fuzz $(FUZZ_TIME)

# ---- hostile load (issue 16): the exhaustion floods at full length, then the soak ---------------
# make test runs both briefly (suites e2e and soak); the soak's RSS and fd curves go to docs/soak.png
SOAK_SECONDS ?= 1800
soak: all bench-progs
	tests/e2e/exhaust.sh $(BUILD) 60 100
	PLOT=docs/soak.png tests/e2e/soak.sh $(BUILD) $(SOAK_SECONDS)
