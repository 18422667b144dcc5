/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's own alert when the kernel lost records (as Falco raises "Falco internal: syscall
 * event drop"): a loss is a blind spot, so it is an alert on every output, not only a counter.
 * Losses are summed between reports and reported at most once per interval, so a flood of
 * drops is one alert per interval and no loss goes unreported.
 */
#ifndef BULWARK_DROP_ALERT_H
#define BULWARK_DROP_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h" /* abi.h with its types */
#include "jsonw.h"
#include "output/alert.h"

#define DROP_ALERT_RULE "Kernel Events Dropped"
#define DROP_ALERT_INTERVAL_NS (10 * 1000000000LL) /* one alert per 10 s at most */

struct drop_watch {
	uint64_t seen_critical, seen_common;  /* counter values already accounted for */
	uint64_t seen_by_type[BW_EV_MAX];
	uint64_t lost_critical, lost_common;  /* lost since the last report */
	uint64_t lost_by_type[BW_EV_MAX];
	int64_t last_report_ns, first_loss_ns;
	bool primed;
};

/* What one alert reports. */
struct drop_report {
	uint64_t critical, common;
	uint64_t by_type[BW_EV_MAX];
	int64_t since_ns, now_ns;
};

/*
 * Takes the kernel's cumulative counters (ring-full losses of the critical and common rings,
 * and by event type) at now_ns (wall clock). True when a report is due, filled in *out and
 * the watch reset; losses not yet due stay summed for the next one.
 */
bool drop_watch__check(struct drop_watch *w, uint64_t drop_critical, uint64_t drop_common,
		       const uint64_t drops_by_type[BW_EV_MAX], int64_t now_ns, struct drop_report *out);

/* The alert for a report, built in buf (which it points into; valid until buf changes). */
struct drop_alert_buf {
	struct alert a;
	struct alert_kv fields[4];
	struct alert_str tags[2];
	struct strbuf output, by_type;
	char time[40], uuid[37];
};
const struct alert *drop_alert(struct drop_alert_buf *buf, const struct drop_report *r, const char *hostname);
void drop_alert_buf_free(struct drop_alert_buf *buf);

#endif
