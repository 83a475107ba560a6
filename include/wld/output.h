/* Writing a report where --output names it, the way the user means it.
 *
 * A report file is replaced atomically (node_exporter or a CI step reading it sees the old
 * report or the whole new one), but only a regular file is replaced: a symlink is followed
 * and the file it names replaced, a FIFO, terminal, socket or other character device is
 * written into as it is (`--output /dev/stdout` is the doctor's own stdout), and nothing
 * is created or replaced under /dev, /proc or /sys. */
#ifndef WLD_OUTPUT_H
#define WLD_OUTPUT_H

#include <stddef.h>

/* Writes len bytes of data to path. A FIFO with no reader is waited for up to timeout_ms.
 * Returns 0, or -errno with *why set to one line that names what went wrong (caller
 * frees). */
int wld_output_write(const char *path, const void *data, size_t len, double timeout_ms, char **why);

/* Writes len bytes of data to the open descriptor fd (stdout). Returns 0, or -errno with
 * *why set (caller frees). */
int wld_output_fd(int fd, const void *data, size_t len, char **why);

#endif
