/* SPDX-License-Identifier: Apache-2.0 */
/* `bulwark alert-send`: publish alert JSON lines through the outputs, without the sensor. */
#ifndef BULWARK_CMD_ALERT_SEND_H
#define BULWARK_CMD_ALERT_SEND_H

/* argv[0] is "alert-send"; returns the process exit status. */
int cmd_alert_send(int argc, char **argv);

#endif
