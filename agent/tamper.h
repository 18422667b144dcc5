/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's own alert when its kernel side was changed behind its back (sensor__verify found
 * a map rewritten or a link running another program): it is repaired, and someone with root
 * tried to blind or bypass the sensor, so it is a Critical alert on every output. The acts
 * visible as events (ptrace of the agent, writes to its files, signals) are default rules
 * (rules/tamper.yaml); this covers what leaves no event of its own.
 */
#ifndef BULWARK_TAMPER_H
#define BULWARK_TAMPER_H

#include <stdint.h>

#include "jsonw.h"
#include "output/alert.h"

#define TAMPER_ALERT_RULE "Bulwark Sensor Tampered"

struct tamper_alert_buf {
	struct alert a;
	struct alert_kv fields[2];
	struct alert_str tags[2];
	struct strbuf output;
	char time[40], uuid[37];
};

/* The alert for @what (sensor__verify's description) at now_ns (wall clock), built in buf. */
const struct alert *tamper_alert(struct tamper_alert_buf *buf, const char *what, int64_t now_ns,
				 const char *hostname);
void tamper_alert_buf_free(struct tamper_alert_buf *buf);

#endif
