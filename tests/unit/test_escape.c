// SPDX-License-Identifier: Apache-2.0
/*
 * The one JSON string escaper (jw_escape): what jw_strn writes for events and
 * what the alert formats write with JW_ESC_UNSAFE, byte for byte.
 */
#include <string.h>

#include "check.h"
#include "jsonw.h"

static void check_esc(const char *in, size_t n, unsigned flags, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	jw_escape(&sb, in, n, flags);
	CHECK(sb.len == strlen(want) && memcmp(sb.buf, want, sb.len) == 0, "flags %u: got %s, want %s", flags,
	      sb.buf, want);
	strbuf_free(&sb);
}

#define ESC(in, flags, want) check_esc(in, sizeof(in) - 1, flags, want)

static void test_plain_and_specials(void)
{
	ESC("", 0, "\"\"");
	ESC("abc /x", 0, "\"abc /x\"");
	ESC("a\"b\\c", 0, "\"a\\\"b\\\\c\"");
	ESC("\n\r\t", 0, "\"\\n\\r\\t\"");
	ESC("\x01\x1b", 0, "\"\\u0001\\u001b\"");
	ESC("a\0b", 0, "\"a\\u0000b\"");
}

static void test_utf8(void)
{
	/* valid sequences pass as they are */
	ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* invalid: a lone continuation byte, a truncated sequence, an overlong '/', a surrogate */
	ESC("\x80", 0, "\"\\u0080\"");
	ESC("\xc3", 0, "\"\\u00c3\"");
	ESC("\xc0\xaf", 0, "\"\\u00c0\\u00af\"");
	ESC("\xed\xa0\x80", 0, "\"\\u00ed\\u00a0\\u0080\"");
}

/* DEL, C1 and the two Unicode line separators: raw for events, escaped for alert formats. */
static void test_unsafe(void)
{
	ESC("\x7f", 0, "\"\x7f\"");
	ESC("\x7f", JW_ESC_UNSAFE, "\"\\u007f\"");
	ESC("\xc2\x85", 0, "\"\xc2\x85\"");
	ESC("\xc2\x85", JW_ESC_UNSAFE, "\"\\u0085\"");
	ESC("a\xe2\x80\xa8" "b\xe2\x80\xa9", JW_ESC_UNSAFE, "\"a\\u2028b\\u2029\"");
	ESC("\xe2\x82\xac\x01\xff", JW_ESC_UNSAFE, "\"\xe2\x82\xac\\u0001\\u00ff\"");
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
	RUN(test_plain_and_specials);
	RUN(test_utf8);
	RUN(test_unsafe);
	RUN(test_jw_strn_separates);
	RUN(test_decode);
	return check_summary();
}
