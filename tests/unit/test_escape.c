// SPDX-License-Identifier: Apache-2.0
/*
 * The one JSON string escaper (jw_escape): what jw_strn writes for events and
 * what the alert formats write with JW_ESC_UNSAFE, byte for byte.
 */
#include <string.h>

#include "check.h"
#include "jsonw.h"

struct esc_case {
	const char *in;
	size_t len;
	unsigned flags;
	const char *want;
};
#define ESC(in, flags, want) { in, sizeof(in) - 1, flags, want }

static const struct esc_case cases[] = {
	/* plain text and JSON's own escapes */
	ESC("", 0, "\"\""),
	ESC("abc /x", 0, "\"abc /x\""),
	ESC("a\"b\\c", 0, "\"a\\\"b\\\\c\""),
	ESC("\n\r\t", 0, "\"\\n\\r\\t\""),
	ESC("\x01\x1b", 0, "\"\\u0001\\u001b\""),
	ESC("a\0b", 0, "\"a\\u0000b\""),
	/* valid UTF-8 passes as it is */
	ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""),
	/* invalid: a lone continuation byte, a truncated sequence, an overlong '/', a surrogate */
	ESC("\x80", 0, "\"\\u0080\""),
	ESC("\xc3", 0, "\"\\u00c3\""),
	ESC("\xc0\xaf", 0, "\"\\u00c0\\u00af\""),
	ESC("\xed\xa0\x80", 0, "\"\\u00ed\\u00a0\\u0080\""),
	/* DEL, C1 and the two Unicode line separators: raw for events, escaped for the alert formats */
	ESC("\x7f", 0, "\"\x7f\""),
	ESC("\x7f", JW_ESC_UNSAFE, "\"\\u007f\""),
	ESC("\xc2\x85", 0, "\"\xc2\x85\""),
	ESC("\xc2\x85", JW_ESC_UNSAFE, "\"\\u0085\""),
	ESC("a\xe2\x80\xa8" "b\xe2\x80\xa9", JW_ESC_UNSAFE, "\"a\\u2028b\\u2029\""),
	ESC("\xe2\x82\xac\x01\xff", JW_ESC_UNSAFE, "\"\xe2\x82\xac\\u0001\\u00ff\""),
};

static void test_cases(void)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct esc_case *c = &cases[i];

		strbuf_reset(&sb);
		jw_escape(&sb, c->in, c->len, c->flags);
		CHECK(sb.len == strlen(c->want) && memcmp(sb.buf, c->want, sb.len) == 0, "case %zu: got %s, want %s",
		      i, sb.buf, c->want);
	}
	strbuf_free(&sb);
}

static void test_jw_strn_separates(void)
{
	struct strbuf sb = STRBUF_INIT;

	jw_begin_arr(&sb);
	jw_strn(&sb, "a", 1);
	jw_strn(&sb, "\x7f", 1);
	jw_end_arr(&sb);
	CHECK_STR(sb.buf, "[\"a\",\"\x7f\"]");
	strbuf_free(&sb);
}

static void test_decode(void)
{
	uint32_t cp = 0;

	CHECK_INT(jw_utf8_decode((const unsigned char *)"\xe2\x80\xa8", 3, &cp), 3);
	CHECK_INT(cp, 0x2028);
	CHECK_INT(jw_utf8_decode((const unsigned char *)"\xe2\x80", 2, &cp), 0);
	CHECK(jw_cp_unsafe(0x9f) && !jw_cp_unsafe(0xa0) && !jw_cp_unsafe('a'), "unsafe code points");
}

int main(void)
{
	RUN(test_cases);
	RUN(test_jw_strn_separates);
	RUN(test_decode);
	return check_summary();
}
