/* SPDX-License-Identifier: Apache-2.0 */
/* Subcommands implemented outside main.c; each returns the process exit status. */
#ifndef BULWARK_COMMANDS_H
#define BULWARK_COMMANDS_H

/* bulwark rules check|list|fields ... (argv[0] is "rules") */
int cmd_rules(int argc, char **argv);
/* bulwark replay [-r PATH]... [--bench N] FILE|- (argv[0] is "replay") */
int cmd_replay(int argc, char **argv);

#endif
