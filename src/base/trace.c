/* The run's trace (see wld/trace.h). */
#include "wld/trace.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "wld/util.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;
static double t0;

void wld_trace_begin(void)
{
    const char *path = getenv("WLD_TRACE");
    t0 = wld_now_ms();
    if (path && path[0])
        out = fopen(path, "ae");
}

bool wld_trace_on(void)
{
    return out != NULL;
}

void wld_trace_span(const char *name, double start_ms, double end_ms)
{
    pthread_mutex_lock(&mu);
    if (out)
        fprintf(out, "%.3f %.3f %s\n", start_ms - t0, end_ms - t0, name);
    pthread_mutex_unlock(&mu);
}

void wld_trace_end(void)
{
    pthread_mutex_lock(&mu);
    if (out) {
        fprintf(out, "0 %.3f exit\n", wld_now_ms() - t0);
        fclose(out);
        out = NULL;
    }
    pthread_mutex_unlock(&mu);
}
