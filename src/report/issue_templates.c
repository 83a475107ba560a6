/* The bug templates of the projects --for knows, field by field in each template's order
 * and words, each with the URL of its source file: what to re-read when a project changes
 * its template. */
#include "wld/issue.h"
#include "wld/util.h"

#include "report_issue_impl.h"

static const struct issue_template templates[] = {
    /* "Bug (model use)": a run that goes wrong, which is what a host problem looks like */
    { "llama.cpp",
      "https://github.com/ggml-org/llama.cpp/blob/master/.github/ISSUE_TEMPLATE/"
      "011-bug-results.yml",
      "###",
      { { "Name and Version", LLAMA_VERSION, NULL },
        { "Operating systems", OS, NULL },
        { "GGML backends", BACKENDS, NULL },
        { "Hardware", HARDWARE, NULL },
        { "Models", MODELS, NULL },
        { "Problem description & steps to reproduce", ASK,
          "Please give us a summary of the problem and tell us how to reproduce it. If you can "
          "narrow down the bug to specific hardware, compile flags, or command line arguments, "
          "that information would be very much appreciated by us." },
        { "First Bad Commit", ASK,
          "If the bug was not present on an earlier version: when did it start appearing? If "
          "possible, please do a git bisect and identify the exact commit that introduced the "
          "bug." },
        { "Relevant log output", LOG_DETAILS, NULL } } },
    { "ollama",
      "https://github.com/ollama/ollama/blob/main/.github/ISSUE_TEMPLATE/10_bug_report.yml",
      "###",
      { { "What is the issue?", ASK, "What happened? What did you expect to happen?" },
        { "Relevant log output", LOG,
          "Please copy and paste any relevant log output. See [Troubleshooting "
          "Guide](https://github.com/ollama/ollama/blob/main/docs/"
          "troubleshooting.mdx#how-to-troubleshoot-issues) for details." },
        { "OS", OS_OLLAMA, NULL },
        { "GPU", GPU_VENDOR, NULL },
        { "CPU", CPU_VENDOR, NULL },
        { "Ollama version", OLLAMA_VERSION, NULL } } },
    { "llama-cpp-python",
      "https://github.com/abetlen/llama-cpp-python/blob/main/.github/ISSUE_TEMPLATE/"
      "bug_report.md",
      "#",
      { { "Prerequisites", CHECKLIST,
          "Please answer the following questions for yourself before submitting an issue." },
        { "Expected Behavior", ASK,
          "Please provide a detailed written description of what you were trying to do, and "
          "what you expected `llama-cpp-python` to do." },
        { "Current Behavior", ASK,
          "Please provide a detailed written description of what `llama-cpp-python` did, "
          "instead." },
        { "Environment and Context", HARDWARE, NULL },
        { "Failure Information (for bugs)", ASK,
          "Please help provide information about the failure if this is a bug. If it is not a "
          "bug, please remove the rest of this template." },
        { "Steps to Reproduce", ASK,
          "Please provide detailed steps for reproducing the issue. We are not sitting in front "
          "of your screen, so the more detail the better." },
        { "Failure Logs", LOG,
          "Please include any relevant log snippets or files. If it works under one "
          "configuration but not under another, please provide logs for both configurations "
          "and their corresponding outputs so it is easy to see where behavior changes." } } },
};

const char *wld_issue_for_name(size_t i)
{
    return i < WLD_ARRAY_SIZE(templates) ? templates[i].project : NULL;
}

const struct issue_template *wld_issue_template(size_t i)
{
    return i < WLD_ARRAY_SIZE(templates) ? &templates[i] : NULL;
}
