// SPDX-License-Identifier: Apache-2.0
#include "drop_alert.h"

#include <string.h>
#include <time.h>

#include "event.h"

/* What a cumulative counter gained since *seen (a counter that went down, a new sensor, restarts from zero). */
static uint64_t since(uint64_t now, uint64_t *seen)
{
	uint64_t d = now >= *seen ? now - *seen : now;

	*seen = now;
	return d;
}

bool drop_watch__check(struct drop_watch *w, uint64_t drop_critical, uint64_t drop_common,
		       const uint64_t drops_by_type[BW_EV_MAX], int64_t now_ns, struct drop_report *out)
{
	uint64_t critical = since(drop_critical, &w->seen_critical), common = since(drop_common, &w->seen_common);
	unsigned int t;

	if (!w->primed) {
		/* counters start at the agent's start: the first reading is the baseline (zero) */
		w->primed = true;
		w->last_report_ns = now_ns - DROP_ALERT_INTERVAL_NS;
	}
	if ((critical || common) && !w->lost_critical && !w->lost_common)
		w->first_loss_ns = now_ns;
	w->lost_critical += critical;
	w->lost_common += common;
	for (t = 0; t < BW_EV_MAX; t++)
		w->lost_by_type[t] += since(drops_by_type[t], &w->seen_by_type[t]);
	if ((!w->lost_critical && !w->lost_common) || now_ns - w->last_report_ns < DROP_ALERT_INTERVAL_NS)
		return false;
	*out = (struct drop_report){ .critical = w->lost_critical, .common = w->lost_common,
				     .since_ns = w->first_loss_ns, .now_ns = now_ns };
	memcpy(out->by_type, w->lost_by_type, sizeof(out->by_type));
	w->lost_critical = w->lost_common = 0;
	memset(w->lost_by_type, 0, sizeof(w->lost_by_type));
	w->last_report_ns = now_ns;
	return true;
}

const struct alert *drop_alert(struct drop_alert_buf *buf, const struct drop_report *r, const char *hostname)
{
	/* losses on the critical ring are exec, mount, cgroup, namespace, module records: detection is blind */
	enum alert_priority prio = r->critical ? PRIO_CRITICAL : PRIO_WARNING;
	const char *prio_name = r->critical ? "Critical" : "Warning";
	time_t sec = r->now_ns / 1000000000;
	struct tm tm;
	unsigned int t;

	strbuf_reset(&buf->by_type);
	for (t = 1; t < BW_EV_MAX; t++)
		if (r->by_type[t])
			strbuf_addf(&buf->by_type, "%s%s=%llu", buf->by_type.len ? "," : "", event_type_name(t),
				    (unsigned long long)r->by_type[t]);
	strbuf_addc(&buf->by_type, '\0');
	strbuf_reset(&buf->output);
	gmtime_r(&sec, &tm);
	strbuf_addf(&buf->output,
		    "%02d:%02d:%02d.%09lld: %s Kernel events dropped: %llu records lost (critical ring %llu, "
		    "common ring %llu; by type: %s) in the last %lld s: detection may have missed them",
		    tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)(r->now_ns % 1000000000), prio_name,
		    (unsigned long long)(r->critical + r->common), (unsigned long long)r->critical,
		    (unsigned long long)r->common, buf->by_type.len > 1 ? buf->by_type.buf : "none",
		    (long long)((r->now_ns - r->since_ns) / 1000000000 + 1));
	fmt_rfc3339(buf->time, sizeof(buf->time), sec, r->now_ns % 1000000000);
	uuid_v4(buf->uuid);
	buf->fields[0] = (struct alert_kv){ "bulwark.drops.critical", { .type = AV_UINT, .u = r->critical } };
	buf->fields[1] = (struct alert_kv){ "bulwark.drops.common", { .type = AV_UINT, .u = r->common } };
	buf->fields[2] = (struct alert_kv){ "bulwark.drops.by_type",
					    { .type = AV_STR, .s = { buf->by_type.buf, buf->by_type.len - 1, 0 } } };
	buf->fields[3] = (struct alert_kv){ "evt.time", { .type = AV_INT, .i = r->now_ns } };
	buf->tags[0] = (struct alert_str){ "bulwark_internal", strlen("bulwark_internal") };
	buf->tags[1] = (struct alert_str){ "drops", strlen("drops") };
	buf->a = (struct alert){
		.time = buf->time,
		.sec = sec,
		.nsec = r->now_ns % 1000000000,
		.rule = DROP_ALERT_RULE,
		.priority = prio,
		.priority_name = prio_name,
		.priority_text = prio_name,
		.output = buf->output.buf,
		.output_len = buf->output.len,
		.fields = buf->fields,
		.nfields = 4,
		.hostname = hostname ? hostname : "",
		.source = "internal",
		.tags = buf->tags,
		.ntags = 2,
		.uuid = buf->uuid,
		.has = ALERT_HAS_ALL,
	};
	return &buf->a;
}

void drop_alert_buf_free(struct drop_alert_buf *buf)
{
	strbuf_free(&buf->output);
	strbuf_free(&buf->by_type);
}
