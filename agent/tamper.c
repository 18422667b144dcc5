// SPDX-License-Identifier: Apache-2.0
#include "tamper.h"

#include <string.h>
#include <time.h>

const struct alert *tamper_alert(struct tamper_alert_buf *buf, const char *what, int64_t now_ns,
				 const char *hostname)
{
	time_t sec = now_ns / 1000000000;
	struct tm tm;

	gmtime_r(&sec, &tm);
	strbuf_reset(&buf->output);
	strbuf_addf(&buf->output,
		    "%02d:%02d:%02d.%09lld: Critical The agent's kernel side was changed by another process and has "
		    "been restored: %s",
		    tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)(now_ns % 1000000000), what);
	fmt_rfc3339(buf->time, sizeof(buf->time), sec, now_ns % 1000000000);
	uuid_v4(buf->uuid);
	buf->fields[0] = (struct alert_kv){ "bulwark.tamper.what", { .type = AV_STR, .s = { what, strlen(what), 0 } } };
	buf->fields[1] = (struct alert_kv){ "evt.time", { .type = AV_INT, .i = now_ns } };
	buf->tags[0] = (struct alert_str){ "bulwark_internal", strlen("bulwark_internal") };
	buf->tags[1] = (struct alert_str){ "tamper", strlen("tamper") };
	buf->a = (struct alert){
		.time = buf->time,
		.sec = sec,
		.nsec = now_ns % 1000000000,
		.rule = TAMPER_ALERT_RULE,
		.priority = PRIO_CRITICAL,
		.priority_name = "Critical",
		.priority_text = "Critical",
		.output = buf->output.buf,
		.output_len = buf->output.len,
		.fields = buf->fields,
		.nfields = 2,
		.hostname = hostname ? hostname : "",
		.source = "internal",
		.tags = buf->tags,
		.ntags = 2,
		.uuid = buf->uuid,
		.has = ALERT_HAS_ALL,
	};
	return &buf->a;
}

void tamper_alert_buf_free(struct tamper_alert_buf *buf)
{
	strbuf_free(&buf->output);
}
