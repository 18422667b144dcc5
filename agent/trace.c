// SPDX-License-Identifier: Apache-2.0
#include "trace.h"

#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "cli.h"
#include "log.h"

struct trace_sink {
	struct strbuf line;
	bool stdout_broken;
};

static void on_event(void *ctx, const struct pipeline_event *pe)
{
	struct trace_sink *ts = ctx;

	strbuf_reset(&ts->line);
	if (pe->container_announce) {
		/* the container's posture precedes its first event */
		event_json_container_start(&ts->line, pe->v, pe->ec, pe->boot_to_real_ns);
		strbuf_addc(&ts->line, '\n');
	}
	event_json(&ts->line, pe->v, pe->ec, pe->boot_to_real_ns);
	strbuf_addc(&ts->line, '\n');
	if (fwrite(ts->line.buf, 1, ts->line.len, stdout) != ts->line.len && !ts->stdout_broken) {
		ts->stdout_broken = true;
		log_warn("stdout closed: stopping");
	}
}

static void on_tick(void *ctx)
{
	struct trace_sink *ts = ctx;

	if (fflush(stdout) && !ts->stdout_broken) {
		ts->stdout_broken = true;
		log_warn("stdout closed: stopping");
	}
}

static bool stopped(void *ctx)
{
	return ((struct trace_sink *)ctx)->stdout_broken;
}

int trace_run(const struct pipeline_opts *opts)
{
	static char outbuf[1 << 20];
	struct trace_sink ts = { .line = STRBUF_INIT };
	struct pipeline_sink sink = { .on_event = on_event, .on_tick = on_tick, .stopped = stopped, .ctx = &ts };
	int status;

	/* a closed stdout ends the trace through write errors (SIGPIPE is ignored by the pipeline) */
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	status = pipeline_run(opts, &sink);
	fflush(stdout);
	strbuf_free(&ts.line);
	return status;
}

#define OPT_EVENTS_MARKDOWN 0x200

/*
 * docs/events.md on stdin, the same with its catalogue tables regenerated on
 * stdout (make docs: build/bulwark trace --events-markdown < docs/events.md).
 */
static int events_markdown(void)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	char buf[65536];
	size_t n;
	int status = 0;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		strbuf_add(&in, buf, n);
	if (catalog_markdown(&out, in.buf ? in.buf : "", in.len)) {
		fprintf(stderr, "bulwark trace: --events-markdown: an unknown or unterminated <!-- catalog:NAME --> marker\n");
		status = 1;
	} else if (fwrite(out.buf, 1, out.len, stdout) != out.len) {
		status = 1;
	}
	strbuf_free(&in);
	strbuf_free(&out);
	return status;
}

int cmd_trace(int argc, char **argv)
{
	static const struct option own[] = { { "help", no_argument, NULL, 'h' },
					     { "events-markdown", no_argument, NULL, OPT_EVENTS_MARKDOWN },
					     { NULL, 0, NULL, 0 } };
	struct cli_pipeline c;
	struct cli_getopt g;
	int opt, rc;

	cli_pipeline_init(&c);
	if (cli_getopt_init(&g, "h", own))
		return 2;
	while ((opt = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		rc = cli_pipeline_option(&c, opt, optarg);
		if (rc < 0)
			return 2;
		if (rc > 0)
			continue;
		if (opt == OPT_EVENTS_MARKDOWN)
			return events_markdown();
		if (opt == 'h') {
			printf("usage: bulwark trace [options]\n");
			cli_pipeline_usage(stdout);
			printf("  --events-markdown      docs/events.md on stdin, its catalogue tables regenerated, on stdout\n");
			return 0;
		}
		fprintf(stderr, "usage: bulwark trace [options]\n");
		cli_pipeline_usage(stderr);
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "bulwark trace: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	cli_pipeline_finish(&c);
	c.o.exec_env = c.o.exec_cwd = true; /* a trace shows every field of the exec record */
	return trace_run(&c.o);
}
