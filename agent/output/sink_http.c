// SPDX-License-Identifier: Apache-2.0
/*
 * HTTP outputs through libcurl, one kept-alive connection per output:
 *   webhook  POST of the formatted alert (a JSON array, or lines, when batched),
 *            optional X-Bulwark-Signature: sha256=HMAC(key, body)
 *   splunk   HEC /services/collector/event, stacked event objects,
 *            "Authorization: Splunk <token>"; a 400 naming invalid-event-number K
 *            means events before K were indexed, K is refused, the rest retried
 *   elastic  _bulk NDJSON "create" actions with the alert uuid as _id, so a
 *            replay cannot index twice; 409 (exists) counts as delivered
 *   loki     /loki/api/v1/push, streams labelled job, host, priority
 * Transient (retried): transport errors and timeouts, 408, 429, 5xx, HEC code 9,
 * and auth failures (401/403: the alerts are fine, the configuration is not —
 * they wait in the spool until it is fixed). Permanent (dead letter): other 4xx,
 * HEC codes 5/6/7/12/13, per-item 4xx from _bulk.
 */
#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "internal.h"
#include "log.h"

#define RESP_MAX (1u << 20)

struct http_sink {
	CURL *curl;
	char url[PATH_MAX + 400];
	char *token, *password, *hmac_key;
	struct curl_slist *hdrs;
	struct strbuf body, gz, resp;
	unsigned retry_after_ms;
	char errbuf[CURL_ERROR_SIZE];
	bool auth_warned;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_ALL);
}

int gzip_buf(const void *in, size_t n, struct strbuf *out)
{
	z_stream z = { 0 };
	int rc;

	/* level 1: alerts are repetitive JSON, most of the gain for a fraction of the CPU */
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	strbuf_reset(out);
	strbuf_grow(out, deflateBound(&z, n));
	z.next_in = (Bytef *)in;
	z.avail_in = n;
	z.next_out = (Bytef *)out->buf;
	z.avail_out = out->cap - 1;
	rc = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -EIO;
}

void hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t n, char out[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	HMAC(EVP_sha256(), key, keylen, data, n, mac, &len);
	for (i = 0; i < len && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	out[64] = '\0';
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct http_sink *h = ud;
	size_t n = size * nmemb;

	if (h->resp.len + n <= RESP_MAX)
		strbuf_add(&h->resp, p, n);
	return n;
}

int http_header_retry_after(const char *line, size_t n, time_t now, unsigned *retry_after_ms)
{
	char v[128];

	/* curl hands over one raw line (not NUL-terminated, CRLF included); longer ones are not ours */
	if (n <= 12 || n >= 12 + sizeof(v) || strncasecmp(line, "Retry-After:", 12) != 0)
		return 0;
	memcpy(v, line + 12, n - 12);
	v[n - 12] = '\0';
	*retry_after_ms = parse_retry_after(v, now);
	return 1;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct http_sink *h = ud;
	size_t n = size * nmemb;

	http_header_retry_after(p, n, time(NULL), &h->retry_after_ms);
	return n;
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct sink *s = ud;

	(void)a, (void)b, (void)c, (void)d;
	return atomic_load(s->abort) ? 1 : 0; /* stop's deadline passed: abort the transfer */
}

/* ---- bodies ------------------------------------------------------------------ */

static bool json_format(enum alert_format f)
{
	return f == FORMAT_JSON || f == FORMAT_ECS || f == FORMAT_OCSF;
}

static void body_webhook(struct sink *s, struct batch *b, struct strbuf *sb)
{
	bool json = json_format(s->cfg->format);
	size_t i;

	if (b->n > 1 && json)
		strbuf_addc(sb, '[');
	for (i = 0; i < b->n; i++) {
		if (i)
			strbuf_addc(sb, json ? ',' : '\n');
		format_alert(sb, s->cfg->format, b->items[i].a);
	}
	if (b->n > 1 && json)
		strbuf_addc(sb, ']');
}

static void body_splunk(struct sink *s, struct batch *b, struct strbuf *sb, struct strbuf *tmp)
{
	const struct output_config *c = s->cfg;
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct alert *a = b->items[i].a;

		strbuf_addf(sb, "{\"time\":%lld.%06ld,\"host\":", (long long)a->sec, a->nsec / 1000);
		json_dump_str(sb, a->hostname, strlen(a->hostname));
		strbuf_add(sb, ",\"source\":\"bulwark\",\"sourcetype\":", 33);
		json_dump_str(sb, c->sourcetype, strlen(c->sourcetype));
		if (c->index[0]) {
			strbuf_add(sb, ",\"index\":", 9);
			json_dump_str(sb, c->index, strlen(c->index));
		}
		strbuf_add(sb, ",\"event\":", 9);
		if (json_format(c->format)) {
			format_alert(sb, c->format, a);
		} else {
			strbuf_reset(tmp);
			format_alert(tmp, c->format, a);
			json_dump_str(sb, tmp->buf, tmp->len);
		}
		strbuf_addc(sb, '}');
	}
}

static void body_elastic(struct sink *s, struct batch *b, struct strbuf *sb)
{
	const struct output_config *c = s->cfg;
	size_t i;

	for (i = 0; i < b->n; i++) {
		strbuf_add(sb, "{\"create\":{", 11);
		if (c->index[0]) {
			strbuf_add(sb, "\"_index\":", 9);
			json_dump_str(sb, c->index, strlen(c->index));
			strbuf_addc(sb, ',');
		}
		strbuf_add(sb, "\"_id\":", 6);
		json_dump_str(sb, b->items[i].a->uuid, strlen(b->items[i].a->uuid));
		strbuf_add(sb, "}}\n", 3);
		format_alert(sb, c->format, b->items[i].a);
		strbuf_addc(sb, '\n');
	}
}

static void body_loki(struct sink *s, struct batch *b, struct strbuf *sb, struct strbuf *tmp)
{
	bool *done = calloc(b->n, sizeof(bool));
	size_t i, j, streams = 0;

	strbuf_add(sb, "{\"streams\":[", 12);
	for (i = 0; i < b->n; i++) {
		const struct alert *a = b->items[i].a;

		if (done && done[i])
			continue;
		if (streams++)
			strbuf_addc(sb, ',');
		strbuf_add(sb, "{\"stream\":{\"job\":\"bulwark\",\"host\":", 34);
		json_dump_str(sb, a->hostname, strlen(a->hostname));
		strbuf_addf(sb, ",\"priority\":\"%s\",\"format\":\"%s\"},\"values\":[", a->priority_name,
			    alert_format_name(s->cfg->format));
		for (j = i; j < b->n; j++) {
			const struct alert *x = b->items[j].a;

			if (done && (done[j] || x->priority != a->priority || strcmp(x->hostname, a->hostname)))
				continue;
			if (j > i && !done)
				break;
			if (done)
				done[j] = true;
			if (j > i)
				strbuf_addc(sb, ',');
			strbuf_addf(sb, "[\"%lld%09ld\",", (long long)x->sec, x->nsec);
			strbuf_reset(tmp);
			format_alert(tmp, s->cfg->format, x);
			json_dump_str(sb, tmp->buf, tmp->len);
			strbuf_addc(sb, ']');
		}
		strbuf_add(sb, "]}", 2);
	}
	strbuf_add(sb, "]}", 2);
	free(done);
}

/* ---- responses --------------------------------------------------------------- */

static void excerpt(char *out, size_t size, const char *resp, size_t len)
{
	size_t i, n = len < 150 ? len : 150;

	for (i = 0; i < n && i + 1 < size; i++)
		out[i] = (unsigned char)resp[i] < 0x20 ? ' ' : resp[i];
	out[i] = '\0';
}

static void all(struct batch *b, enum item_status st, const char *reason)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		b->items[i].status = st;
		if (reason)
			snprintf(b->items[i].reason, sizeof(b->items[i].reason), "%s", reason);
	}
}

/* HEC: https://docs.splunk.com/Documentation/Splunk/latest/Data/TroubleshootHTTPEventCollector */
int http_splunk_result(const char *resp, size_t len, struct batch *b, long status, char *why, size_t whylen)
{
	json_t *j = json_loadb(resp ? resp : "", len, 0, NULL), *inv;
	const char *text = json_string_value(json_object_get(j, "text"));
	long code = json_is_integer(json_object_get(j, "code")) ? json_integer_value(json_object_get(j, "code")) : -1;
	long k = -1;
	size_t i;
	int rc = 0;

	inv = json_object_get(j, "invalid-event-number");
	if (json_is_integer(inv))
		k = json_integer_value(inv);
	if (status / 100 == 2 && (code == 0 || code == -1)) {
		all(b, ITEM_OK, NULL);
		goto out;
	}
	snprintf(why, whylen, "HEC HTTP %ld code %ld: %s", status, code, text ? text : "(no text)");
	switch (code) {
	case 5: case 6: case 7: case 12: case 13:
		if (k >= 0 && (size_t)k < b->n) {
			/* events before the invalid one were indexed; the ones after were not looked at */
			for (i = 0; i < b->n; i++)
				b->items[i].status = i < (size_t)k ? ITEM_OK : i == (size_t)k ? ITEM_DEAD : ITEM_RETRY;
			snprintf(b->items[k].reason, sizeof(b->items[k].reason), "%s", why);
		} else {
			all(b, ITEM_DEAD, why);
		}
		break;
	default:
		/* 1-4 token, 8 internal, 9 busy, 10-11 channel: the alerts are fine; retry */
		if (status / 100 == 4 && code == -1 && status != 401 && status != 403 && status != 408 && status != 429)
			all(b, ITEM_DEAD, why);
		else
			rc = -EAGAIN;
		break;
	}
out:
	json_decref(j);
	return rc;
}

int http_elastic_result(const char *resp, size_t len, struct batch *b, char *why, size_t whylen)
{
	json_t *j = json_loadb(resp ? resp : "", len, 0, NULL), *items, *it, *op, *err;
	size_t i;
	int rc = 0;

	items = json_object_get(j, "items");
	if (!json_is_array(items)) {
		snprintf(why, whylen, "_bulk: response without items");
		rc = -EPROTO;
		goto out;
	}
	if (json_is_false(json_object_get(j, "errors")) && json_array_size(items) == b->n) {
		all(b, ITEM_OK, NULL);
		goto out;
	}
	for (i = 0; i < b->n; i++) {
		long st;
		const char *key;

		it = json_array_get(items, i);
		op = NULL;
		json_object_foreach(it, key, op)
			break;
		st = json_integer_value(json_object_get(op, "status"));
		if (!op || st == 0) {
			b->items[i].status = ITEM_RETRY;
			continue;
		}
		if (st / 100 == 2 || st == 409) { /* 409: already indexed under this uuid */
			b->items[i].status = ITEM_OK;
		} else if (st == 429 || st >= 500) {
			b->items[i].status = ITEM_RETRY;
		} else {
			err = json_object_get(op, "error");
			b->items[i].status = ITEM_DEAD;
			snprintf(b->items[i].reason, sizeof(b->items[i].reason), "_bulk item status %ld: %s: %s", st,
				 json_string_value(json_object_get(err, "type")) ?: "?",
				 json_string_value(json_object_get(err, "reason")) ?: "?");
		}
	}
out:
	json_decref(j);
	return rc;
}

/*
 * What the receiver's status and body mean for the batch, from the answer alone (no transfer
 * state; the fuzz harness feeds it whatever a receiver could send). 0 once every item has a
 * status, or -errno when nothing is known delivered: -EMSGSIZE (halve the batch), -EAGAIN.
 */
int http_answer_result(const struct output_config *c, long status, const char *resp, size_t len, struct batch *b,
		       char *why, size_t whylen)
{
	char ex[160];

	if (status == 413 && b->n > 1) {
		snprintf(why, whylen, "HTTP 413 from %s:%u: a batch of %zu is too large", c->host, c->port, b->n);
		return -EMSGSIZE; /* the worker halves the batch */
	}
	if (c->kind == OUTPUT_SPLUNK && (status / 100 == 2 || status / 100 == 4 || status == 503))
		return http_splunk_result(resp, len, b, status, why, whylen);
	if (status / 100 == 2) {
		if (c->kind == OUTPUT_ELASTIC)
			return http_elastic_result(resp, len, b, why, whylen);
		all(b, ITEM_OK, NULL);
		return 0;
	}
	excerpt(ex, sizeof(ex), resp ? resp : "", resp ? len : 0);
	snprintf(why, whylen, "HTTP %ld from %s:%u: %s", status, c->host, c->port, ex);
	if (status == 408 || status == 429 || status >= 500 || status == 401 || status == 403)
		return -EAGAIN;
	all(b, ITEM_DEAD, why);
	return 0;
}

/* ---- send -------------------------------------------------------------------- */

static int http_send(struct sink *s, struct batch *b, unsigned *retry_after_ms, char *why, size_t whylen)
{
	struct http_sink *h = s->priv;
	const struct output_config *c = s->cfg;
	struct curl_slist *hdrs = NULL, *x;
	struct strbuf tmp = STRBUF_INIT;
	const char *body;
	size_t body_len;
	char hdr[300], sig[65];
	long status = 0;
	CURLcode cc;
	int rc = 0;

	strbuf_reset(&h->body);
	strbuf_reset(&h->resp);
	h->retry_after_ms = 0;
	switch (c->kind) {
	case OUTPUT_SPLUNK: body_splunk(s, b, &h->body, &tmp); break;
	case OUTPUT_ELASTIC: body_elastic(s, b, &h->body); break;
	case OUTPUT_LOKI: body_loki(s, b, &h->body, &tmp); break;
	default: body_webhook(s, b, &h->body); break;
	}
	strbuf_free(&tmp);
	body = h->body.buf ? h->body.buf : "";
	body_len = h->body.len;
	for (x = h->hdrs; x; x = x->next)
		hdrs = curl_slist_append(hdrs, x->data);
	if (h->hmac_key) {
		/* the signature covers the body as sent on the wire's content (before gzip) */
		hmac_sha256_hex(h->hmac_key, strlen(h->hmac_key), body, body_len, sig);
		snprintf(hdr, sizeof(hdr), "X-Bulwark-Signature: sha256=%s", sig);
		hdrs = curl_slist_append(hdrs, hdr);
	}
	if (c->gzip && gzip_buf(body, body_len, &h->gz) == 0) {
		body = h->gz.buf;
		body_len = h->gz.len;
		hdrs = curl_slist_append(hdrs, "Content-Encoding: gzip");
	}
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	h->errbuf[0] = '\0';
	cc = curl_easy_perform(h->curl);
	curl_slist_free_all(hdrs);
	if (cc != CURLE_OK) {
		snprintf(why, whylen, "POST %s:%u: %s%s%s", c->host, c->port, curl_easy_strerror(cc),
			 h->errbuf[0] ? ": " : "", h->errbuf);
		rc = cc == CURLE_ABORTED_BY_CALLBACK ? -ECANCELED : cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT :
										     -ECONNREFUSED;
		goto out;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	*retry_after_ms = h->retry_after_ms;
	if ((status == 401 || status == 403) && !h->auth_warned) {
		log_error("output %s: the receiver refuses our credentials (HTTP %ld); alerts are kept "
			  "and retried until it accepts them", c->name, status);
		h->auth_warned = true;
	}
	rc = http_answer_result(c, status, h->resp.buf, h->resp.len, b, why, whylen);
out:
	if (h->body.cap > (8u << 20))
		strbuf_free(&h->body);
	if (h->gz.cap > (8u << 20))
		strbuf_free(&h->gz);
	return rc;
}

static void http_free(struct sink *s)
{
	struct http_sink *h = s->priv;

	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->hdrs);
	strbuf_free(&h->body);
	strbuf_free(&h->gz);
	strbuf_free(&h->resp);
	if (h->token)
		explicit_bzero(h->token, strlen(h->token));
	if (h->password)
		explicit_bzero(h->password, strlen(h->password));
	if (h->hmac_key)
		explicit_bzero(h->hmac_key, strlen(h->hmac_key));
	free(h->token);
	free(h->password);
	free(h->hmac_key);
	free(h);
	s->priv = NULL;
}

static const struct sink_ops http_ops = {
	.send = http_send,
	.free = http_free,
};

int sink_http_new(struct sink *s, char *err, size_t errlen)
{
	const struct output_config *c = s->cfg;
	struct http_sink *h = calloc(1, sizeof(*h));
	const char *path = c->path, *ctype = "application/json";
	char hdr[600];
	bool v6 = strchr(c->host, ':') != NULL;

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->ops = &http_ops;
	s->priv = h;
	pthread_once(&curl_once, curl_init_once);
	errno = 0;
	h->token = secret_load(&c->token, "token", err, errlen);
	if (!h->token && errno)
		goto fail;
	h->password = secret_load(&c->password, "password", err, errlen);
	if (!h->password && errno)
		goto fail;
	h->hmac_key = secret_load(&c->hmac_key, "hmac_key", err, errlen);
	if (!h->hmac_key && errno)
		goto fail;
	if (!path[0] || !strcmp(path, "/")) {
		switch (c->kind) {
		case OUTPUT_SPLUNK: path = "/services/collector/event"; break;
		case OUTPUT_ELASTIC: path = "/_bulk"; break;
		case OUTPUT_LOKI: path = "/loki/api/v1/push"; break;
		default: path = "/"; break;
		}
	}
	snprintf(h->url, sizeof(h->url), "%s://%s%s%s:%u%s", c->transport == TRANSPORT_HTTPS ? "https" : "http",
		 v6 ? "[" : "", c->host, v6 ? "]" : "", c->port, path);
	h->curl = curl_easy_init();
	if (!h->curl) {
		snprintf(err, errlen, "curl_easy_init failed");
		goto fail;
	}
	if (c->kind == OUTPUT_ELASTIC)
		ctype = "application/x-ndjson";
	else if (c->kind == OUTPUT_WEBHOOK && !json_format(c->format))
		ctype = "text/plain; charset=utf-8";
	snprintf(hdr, sizeof(hdr), "Content-Type: %s", ctype);
	h->hdrs = curl_slist_append(h->hdrs, hdr);
	h->hdrs = curl_slist_append(h->hdrs, "Expect:"); /* no 100-continue round trip */
	if (h->token) {
		if (c->kind == OUTPUT_SPLUNK)
			snprintf(hdr, sizeof(hdr), "Authorization: Splunk %s", h->token);
		else if (c->kind == OUTPUT_ELASTIC)
			snprintf(hdr, sizeof(hdr), "Authorization: ApiKey %s", h->token);
		else
			snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", h->token);
		h->hdrs = curl_slist_append(h->hdrs, hdr);
		explicit_bzero(hdr, sizeof(hdr));
	}
	if (c->tenant[0]) {
		snprintf(hdr, sizeof(hdr), "X-Scope-OrgID: %s", c->tenant);
		h->hdrs = curl_slist_append(h->hdrs, hdr);
	}
	curl_easy_setopt(h->curl, CURLOPT_URL, h->url);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "bulwark/" BULWARK_VERSION);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)(c->timeout_ms < 5000 ? c->timeout_ms : 5000));
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(h->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	if (h->password) {
		curl_easy_setopt(h->curl, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(h->curl, CURLOPT_PASSWORD, h->password);
	}
	if (c->transport == TRANSPORT_HTTPS) {
		curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYPEER, c->tls_verify ? 1L : 0L);
		curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYHOST, c->tls_verify ? 2L : 0L);
		if (c->ca[0])
			curl_easy_setopt(h->curl, CURLOPT_CAINFO, c->ca);
		if (c->cert[0]) {
			curl_easy_setopt(h->curl, CURLOPT_SSLCERT, c->cert);
			curl_easy_setopt(h->curl, CURLOPT_SSLKEY, c->key);
		}
	}
	return 0;
fail:
	http_free(s);
	return -EINVAL;
}
