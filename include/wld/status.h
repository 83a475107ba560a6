/* A finding's status: the one scale a check's verdict, a lint finding and a log's finding
 * share, and --fail-on names. Below everything that judges, so the run's settings
 * (wld/settings.h) can say it without the check interface. */
#ifndef WLD_STATUS_H
#define WLD_STATUS_H

enum wld_status {
    WLD_PASS,
    WLD_WARN,
    WLD_FAIL,
    WLD_SKIP,
    WLD_ERROR,
};
#define WLD_STATUS_COUNT 5

#endif
