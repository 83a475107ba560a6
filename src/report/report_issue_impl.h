/* The bug templates --for fills (src/report/issue_templates.c) as the renderer
 * (src/report/report_issue.c) reads them. */
#ifndef WLD_REPORT_ISSUE_IMPL_H
#define WLD_REPORT_ISSUE_IMPL_H

#include <stddef.h>

/* What fills a field. */
enum fill {
    ASK,           /* only the user knows: the template's question, as a comment */
    LLAMA_VERSION, /* `llama-cli --version` as it prints it */
    OS,            /* llama.cpp's dropdown: Linux, with the platform */
    OS_OLLAMA,     /* ollama's dropdown: Linux or WSL2 */
    BACKENDS,      /* the build's GGML backends */
    HARDWARE,      /* CPU, GPUs with their memory, the driver, RAM */
    GPU_VENDOR,    /* ollama's dropdown: Nvidia, AMD, Intel, Apple, Other */
    CPU_VENDOR,    /* ollama's dropdown */
    OLLAMA_VERSION,
    MODELS,
    CHECKLIST,  /* llama-cpp-python's prerequisites: the user ticks them */
    LOG,        /* an issue form's log field, shell-rendered */
    LOG_DETAILS /* llama.cpp's log field, a <details> the template writes itself */
};

struct field {
    const char *label; /* the template's words */
    enum fill fill;
    const char *ask; /* the template's description, for ASK and an empty log */
};

struct issue_template {
    const char *project, *url;
    const char *heading; /* "###": an issue form's answer; "#": a markdown template's */
    struct field fields[10];
};

/* The i-th template, in the order of enum wld_issue_for less one; NULL past the last. */
const struct issue_template *wld_issue_template(size_t i);

#endif
