// SPDX-License-Identifier: Apache-2.0
/*
 * bulwark alert-send [--output SPEC]... FILE|-
 *
 * Reads alerts (Falco-schema JSON, one per line) and publishes them through
 * the configured outputs exactly as the agent does, then drains them with a
 * bounded wait. For operators checking a SIEM connection, and for the tests.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_alert_send.h"
#include "log.h"
#include "output/output.h"
#include "util.h"

#define MAX_OUTPUTS 32
#define DEFAULT_SPOOL_ROOT "/var/lib/bulwark/spool"

static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bulwark alert-send [options] FILE|-\n"
		"Publishes Falco-schema alert JSON lines through the outputs, then waits for delivery.\n"
		"  -o, --output SPEC       an output (repeatable; default stdout); see docs/outputs.md\n"
		"      --spool-dir DIR     spool root for outputs that do not set spool_dir= (default %s)\n"
		"      --flush-timeout MS  wait at most this long for delivery at the end (default 10000)\n"
		"      --no-drain          at the end, flush memory only; leave the spool for the next run\n"
		"      --rate-limit R[/B]  fold repeats per rule and container beyond R/s, burst B (default 0: off)\n"
		"      --pace N            publish at most N alerts per second (load tests)\n"
		"      --stats FILE        write the final counters as JSON to FILE\n"
		"  -v, --verbose           debug logging\n"
		"Exit status: 0 all delivered, 1 some alerts not delivered (spooled, dead-lettered, dropped,\n"
		"malformed), 2 usage or configuration error.\n",
		DEFAULT_SPOOL_ROOT);
}

static void write_stats(const char *path, const struct outputs *o, uint64_t read, uint64_t malformed)
{
	struct output_stats st[MAX_OUTPUTS];
	size_t n = outputs__stats(o, st, MAX_OUTPUTS), i;
	FILE *f = fopen(path, "w");

	if (!f) {
		log_errno(LOG_WARN, errno, "alert-send: --stats %s", path);
		return;
	}
	fprintf(f, "{\"read\":%" PRIu64 ",\"malformed\":%" PRIu64 ",\"suppressed\":%" PRIu64 ",\"outputs\":[", read,
		malformed, outputs__suppressed(o));
	for (i = 0; i < n; i++)
		fprintf(f,
			"%s{\"name\":\"%s\",\"queued\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"retried\":%" PRIu64
			",\"spooled\":%" PRIu64 ",\"replayed\":%" PRIu64 ",\"dead_lettered\":%" PRIu64
			",\"dropped\":%" PRIu64 ",\"spool_bytes\":%" PRIu64 ",\"spool_corrupt\":%" PRIu64 "}",
			i ? "," : "", st[i].name, st[i].queued, st[i].sent, st[i].retried, st[i].spooled, st[i].replayed,
			st[i].dead_lettered, st[i].dropped, st[i].spool_bytes, st[i].spool_corrupt);
	fprintf(f, "]}\n");
	fclose(f);
}

/* " (at character N of the spec)" for a problem past its start. */
static const char *at_pos(size_t pos, char *buf, size_t size)
{
	if (pos == 0)
		return "";
	snprintf(buf, size, " (at character %zu)", pos + 1);
	return buf;
}

int cmd_alert_send(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },     { "spool-dir", required_argument, NULL, 's' },
		{ "flush-timeout", required_argument, NULL, 't' }, { "no-drain", no_argument, NULL, 'n' },
		{ "rate-limit", required_argument, NULL, 'r' }, { "pace", required_argument, NULL, 'p' },
		{ "stats", required_argument, NULL, 'S' },      { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },             { NULL, 0, NULL, 0 },
	};
	static struct output_config cfgs[MAX_OUTPUTS];
	struct ratelimit_config rl = { .rate = 0, .burst = 1, .table_size = 4096, .summary_ms = 10000 };
	const char *spool_root = NULL, *stats_path = NULL, *input;
	struct output_stats st[MAX_OUTPUTS];
	struct outputs *o = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t nread = 0, malformed = 0, pace = 0, start_ns = 0;
	int flush_ms = 10000, c, rc = 2;
	bool drain = true, all_delivered = true;
	size_t n = 0, i, cap = 0, pos;
	char posbuf[40];
	char err[512], *line = NULL, *end;
	ssize_t len;
	FILE *in = NULL;

	while ((c = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (n == MAX_OUTPUTS) {
				fprintf(stderr, "bulwark alert-send: at most %d outputs\n", MAX_OUTPUTS);
				return 2;
			}
			if (output_config_parse_spec(optarg, &cfgs[n], &pos, err, sizeof(err)) ||
			    (pos = 0, output_config_finish(&cfgs[n], err, sizeof(err)))) {
				/* only the part before '?': a refused token=... must not be echoed */
				fprintf(stderr, "bulwark alert-send: --output %.*s: %s%s\n", (int)strcspn(optarg, "?"),
					optarg, err, at_pos(pos, posbuf, sizeof(posbuf)));
				return 2;
			}
			n++;
			break;
		case 's':
			spool_root = optarg;
			break;
		case 't':
			flush_ms = strtol(optarg, &end, 10);
			if (*end || flush_ms < 0) {
				fprintf(stderr, "bulwark alert-send: --flush-timeout: expected milliseconds, got '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			drain = false;
			break;
		case 'r':
			rl.rate = strtod(optarg, &end);
			rl.burst = rl.rate;
			if (*end == '/')
				rl.burst = strtod(end + 1, &end);
			if (*end || rl.rate < 0 || rl.burst < 0) {
				fprintf(stderr, "bulwark alert-send: --rate-limit: expected RATE[/BURST], got '%s'\n", optarg);
				return 2;
			}
			break;
		case 'p':
			pace = strtoull(optarg, &end, 10);
			if (*end) {
				fprintf(stderr, "bulwark alert-send: --pace: expected a number, got '%s'\n", optarg);
				return 2;
			}
			break;
		case 'S':
			stats_path = optarg;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	input = argv[optind];
	if (n == 0)
		output_config_parse("stdout", &cfgs[n++], err, sizeof(err));
	for (i = 0; i < n && spool_root; i++)
		if (!cfgs[i].spool_set && cfgs[i].spool_dir[0]) /* stdout has no spool unless asked */
			snprintf(cfgs[i].spool_dir, sizeof(cfgs[i].spool_dir), "%s", spool_root);
	in = strcmp(input, "-") ? fopen(input, "r") : stdin;
	if (!in) {
		fprintf(stderr, "bulwark alert-send: %s: %s\n", input, strerror(errno));
		return 2;
	}
	o = outputs__new(cfgs, n, err, sizeof(err));
	if (!o) {
		fprintf(stderr, "bulwark alert-send: %s\n", err);
		goto out;
	}
	outputs__set_ratelimit(o, &rl);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	start_ns = util_clock_ns(CLOCK_MONOTONIC);
	while (!got_stop && (len = getline(&line, &cap, in)) >= 0) {
		if (got_hup) {
			got_hup = 0;
			outputs__reopen(o);
		}
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		nread++;
		if (outputs__publish(o, line, len))
			malformed++;
		if (pace) {
			/* hold the pace: alert k leaves no earlier than start + k/pace */
			struct timespec ts;
			uint64_t due = start_ns + nread * 1000000000ull / pace, now = util_clock_ns(CLOCK_MONOTONIC);

			if (due > now) {
				ts.tv_sec = (due - now) / 1000000000ull;
				ts.tv_nsec = (due - now) % 1000000000ull;
				nanosleep(&ts, NULL);
			}
		}
	}
	if (drain && outputs__drain(o, flush_ms))
		log_warn("alert-send: not everything was delivered within %d ms; the rest stays in the spool", flush_ms);
	outputs__stop(o, drain ? 1000 : flush_ms);
	outputs__log_stats(o);
	n = outputs__stats(o, st, MAX_OUTPUTS);
	for (i = 0; i < n; i++)
		if (st[i].dropped || st[i].dead_lettered || st[i].spool_bytes || st[i].queue_len)
			all_delivered = false;
	if (stats_path)
		write_stats(stats_path, o, nread, malformed);
	rc = all_delivered && !malformed ? 0 : 1;
out:
	outputs__free(o);
	free(line);
	if (in && in != stdin)
		fclose(in);
	return rc;
}
