# bulwark — make / make test / make run / make deps
# The build never reads the build machine's kernel: BPF code includes the pinned vmlinux/x86/vmlinux.h.

BUILD   ?= build
ARCH    := x86
CLANG   ?= clang
CC      ?= cc
BPFTOOL ?= bpftool

BPF_SRCS   := $(wildcard bpf/progs/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/progs/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_HDRS   := $(wildcard bpf/include/*.h bpf/lib/*.bpf.h bpf/*.bpf.h)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Ivmlinux/$(ARCH) -Ibpf

# agent modules (main.c is the CLI; everything else is linkable into tests)
AGENT_LIB  := log jsonw event event_json proctree container sensor pipeline cli trace run config metrics
# the rule engine (agent/rules/), replay and the rules commands
AGENT_LIB  += rules/util rules/lexer rules/parser rules/compile rules/fields rules/eval rules/output rules/loader \
	      rules/default replay cmd_rules
AGENT_OBJS := $(patsubst %,$(BUILD)/agent/%.o,$(AGENT_LIB))

OPT      ?= -O2 -g
SAN      ?=
HARDEN   ?= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection
CFLAGS   := $(OPT) $(SAN) -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers -fPIE $(HARDEN)
CPPFLAGS := -D_GNU_SOURCE -Iagent -Ibpf/include -I$(BUILD)
LDFLAGS  := $(SAN) -pie -Wl,-z,relro,-z,now
LDLIBS   := -lbpf -lelf -lz -lcurl -ljansson
# alert delivery (agent/output/) and `bulwark alert-send`: OpenSSL for syslog over TLS and HMAC
AGENT_OBJS += $(patsubst agent/output/%.c,$(BUILD)/agent/output/%.o,$(wildcard agent/output/*.c)) \
	      $(BUILD)/agent/cmd_alert_send.o
LDLIBS   += -lssl -lcrypto -lpthread
LDLIBS   += -lyaml -ljansson
# /metrics and /healthz: libmicrohttpd's server on its own thread
LDLIBS   += -lmicrohttpd

.PHONY: all deps test test-unit test-bpf test-kernels run clean asan bench bench-progs install deb image
all: $(BUILD)/bulwark

deps:
	scripts/deps.sh

$(BUILD)/bpf/%.bpf.o: bpf/progs/%.bpf.c $(BPF_HDRS) | $(BUILD)/bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# one BPF object from the per-family programs (libbpf's static linker)
$(BUILD)/bulwark.bpf.o: $(BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(BUILD)/bulwark.skel.h: $(BUILD)/bulwark.bpf.o
	$(BPFTOOL) gen skeleton $< name bulwark_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/agent/%.o: agent/%.c $(wildcard agent/*.h) bpf/include/abi.h $(BUILD)/bulwark.skel.h | $(BUILD)/agent
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/bulwark: $(BUILD)/agent/main.o $(AGENT_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/bpf $(BUILD)/agent $(BUILD)/tests:
	mkdir -p $@

$(BUILD)/agent/output/%.o: agent/output/%.c $(wildcard agent/output/*.h agent/*.h) | $(BUILD)/agent/output
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/agent/cmd_alert_send.o: agent/output/output.h

$(BUILD)/agent/output:
	mkdir -p $@

# the rule engine; the default ruleset (rules/*.yaml) is embedded as generated C
$(BUILD)/agent/rules/%.o: agent/rules/%.c $(wildcard agent/*.h agent/rules/*.h) bpf/include/abi.h | $(BUILD)/agent/rules
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/agent/cmd_rules.o $(BUILD)/agent/replay.o: $(wildcard agent/rules/*.h)

RULES_FILES := $(sort $(wildcard rules/*.yaml))
$(BUILD)/rules_default.c: $(RULES_FILES) scripts/embed_rules.sh | $(BUILD)/agent/rules
	scripts/embed_rules.sh $(RULES_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/agent/rules/default.o: $(BUILD)/rules_default.c agent/rules/rules.h | $(BUILD)/agent/rules
	$(CC) $(CPPFLAGS) -Iagent/rules $(CFLAGS) -c $< -o $@

$(BUILD)/agent/rules:
	mkdir -p $@

# ---- tests ------------------------------------------------------------------
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/check.h $(AGENT_OBJS) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) $< $(AGENT_OBJS) -o $@ $(LDLIBS) -ljansson

$(BUILD)/tests/bpf_events: tests/bpf/bpf_events.c tests/lib/tracer.c tests/lib/tracer.h tests/unit/check.h | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Itests/unit -Itests/lib $(CFLAGS) -Wno-format-truncation $(LDFLAGS) $< tests/lib/tracer.c -o $@ -ljansson -lpthread

$(BUILD)/tests/e2e_containers: tests/e2e/containers.c tests/lib/tracer.c tests/lib/tracer.h tests/unit/check.h | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Itests/unit -Itests/lib $(CFLAGS) -Wno-format-truncation $(LDFLAGS) $< tests/lib/tracer.c -o $@ -ljansson

$(BUILD)/tests/e2e_attacks: tests/e2e/attacks.c tests/lib/tracer.c tests/lib/tracer.h tests/unit/check.h | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Itests/unit -Itests/lib $(CFLAGS) -Wno-format-truncation $(LDFLAGS) $< tests/lib/tracer.c -o $@ -ljansson

E2E_TESTS := $(BUILD)/tests/e2e_containers $(BUILD)/tests/e2e_attacks

test: all $(UNIT_TESTS) $(BUILD)/tests/bpf_events $(E2E_TESTS) asan bench-progs
	tests/run.sh

test-unit: $(UNIT_TESTS)
	tests/run.sh unit

test-bpf: all $(BUILD)/tests/bpf_events
	tests/run.sh bpf

# the BPF tests again, on Debian 12's 6.1 kernel under qemu (tests/kernels/run.sh)
test-kernels: all $(BUILD)/tests/bpf_events
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
VERSION    ?= 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/bulwark
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
DESTDIR    ?=
IMAGE      ?= localhost/bulwark:$(VERSION)

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
	packaging/container/build.sh $(BUILD) $(IMAGE)

# ---- benchmarks (make bench; its smoke run, tests/bench/smoke.sh, is part of make test) ----
$(BUILD)/loadgen: bench/loadgen.c | $(BUILD)
	$(CC) -O2 -Wall -Wextra -Werror $< -o $@

$(BUILD):
	mkdir -p $@

$(BUILD)/proctree_mem: bench/proctree_mem.c agent/proctree.c agent/proctree.h | $(BUILD)
	$(CC) $(CPPFLAGS) -O2 $< agent/proctree.c -o $@

# the harness's programs: the tiny static binary of the exec storm, the end-to-end
# latency probe, the kernel's floor (do-nothing programs on bulwark's hooks), and
# the synthetic processes and containers of the memory figure
BENCH_PROGS := $(BUILD)/loadgen $(BUILD)/proctree_mem $(BUILD)/bench/tiny $(BUILD)/bench/latency \
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
