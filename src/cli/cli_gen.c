/* What is made from the command and option tables (options.c): --help, the bash, zsh and
 * fish completions and the man page's SYNOPSIS. The files in completions/ and the
 * synopsis in docs/wsl-llm-doctor.1 are this output (scripts/gen-cli-files.sh writes
 * them; tests/completions.sh fails when they differ). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/cli.h"
#include "wld/util.h"

#include "options.h"

/* Each option in the order of --help (wld_cli_option_at), its index in opt##_i. */
#define FOR_EACH_OPTION(opt)                                              \
    for (size_t opt##_i = 0; opt##_i < wld_cli_option_count(); opt##_i++) \
        for (const struct wld_cli_option *opt = wld_cli_option_at(opt##_i); opt; opt = NULL)
#define FOR_EACH_COMMAND(c)                                  \
    for (const struct wld_cli_command *c = wld_cli_commands; \
         c < wld_cli_commands + wld_cli_commands_count; c++)

/* The choices as one string, the words set apart by sep (caller frees). */
static char *choices_joined(const char *(*choice)(size_t i), const char *sep)
{
    struct wld_buf b;
    wld_buf_init(&b, 4096);
    for (size_t i = 0; choice && choice(i); i++)
        wld_buf_printf(&b, "%s%s", i ? sep : "", choice(i));
    return wld_buf_detach(&b);
}

/* "  LEFT  help...", the help wrapped at 80 columns under its own column. */
static void usage_row(FILE *out, const char *left, const char *help)
{
    enum { COL = 24, WIDTH = 80 };
    int at = fprintf(out, "  %-*s", COL - 2, left);
    if ((int) strlen(left) >= COL - 2) { /* no room left for the space before the help */
        fputc('\n', out);
        at = fprintf(out, "%*s", COL, "");
    }
    for (const char *p = help; *p;) {
        size_t word = strcspn(p, " ");
        if (at + 1 + (int) word > WIDTH && at > COL)
            at = fprintf(out, "\n%*s", COL, "") - 1;
        at += fprintf(out, "%s%.*s", at > COL ? " " : "", (int) word, p);
        p += word;
        p += strspn(p, " ");
    }
    fputc('\n', out);
}

void wld_cli_usage(FILE *out)
{
    fputs("Usage: wsl-llm-doctor [COMMAND] [OPTIONS]\n"
          "Preflight doctor for llama.cpp + CUDA on WSL2 and Linux (man wsl-llm-doctor)\n"
          "\nCommands:\n",
          out);
    FOR_EACH_COMMAND(c)
    {
        char *left = wld_xasprintf("%s%s%s", c->name, c->arg ? " " : "", c->arg ? c->arg : "");
        usage_row(out, left, c->help);
        free(left);
    }
    fputs("\nOptions:\n", out);
    FOR_EACH_OPTION(opt)
    {
        char shortname[5] = "";
        if (opt->short_name)
            snprintf(shortname, sizeof(shortname), "-%c, ", opt->short_name);
        char *left = wld_xasprintf("%s--%s%s%s", shortname, opt->name, opt->arg ? " " : "",
                                   opt->arg ? opt->arg : "");
        char *words = opt->choice ? wld_cli_choices_text(opt->choice) : NULL;
        char *help = wld_xasprintf("%s%s%s%s", opt->help, words ? ": " : "", words ? words : "",
                                   opt->repeat ? " (repeatable)" : "");
        usage_row(out, left, help);
        free(help);
        free(words);
        free(left);
    }
    fputs("\nExit: 0 nothing failed (warnings allowed); 1 a check failed or could not run (or\n"
          "warned, with --fail-on warn); 2 bad usage, rules or --output; 3 internal error.\n",
          out);
}

/* --- bash: one `case $prev` arm per way of completing a value, the words that share it
 * joined in it */

/* --format's words are the command's: each shell's function finds it among the words */
#define FORMATS_FN "_wsl_llm_doctor_formats"

/* The formats of a set (WLD_FORMAT_BIT), the words set apart by sep (caller frees). */
static char *formats_joined(unsigned formats, const char *sep)
{
    struct wld_buf b;
    wld_buf_init(&b, 4096);
    for (size_t f = 0; wld_cli_format_choice(f); f++)
        if (formats & WLD_FORMAT_BIT(f))
            wld_buf_printf(&b, "%s%s", b.len ? sep : "", wld_cli_format_choice(f));
    return wld_buf_detach(&b);
}

/* The commands writing c's formats, "a sep b" (NULL when c writes all; caller frees);
 * *first: whether c is the first of them. */
static char *commands_with_formats_of(const struct wld_cli_command *c, const char *sep, bool *first)
{
    *first = false;
    if (c->formats == WLD_FORMATS_ALL)
        return NULL;
    struct wld_buf b;
    wld_buf_init(&b, 4096);
    FOR_EACH_COMMAND(o)
    {
        if (o->formats != c->formats)
            continue;
        if (!b.len)
            *first = o == c;
        wld_buf_printf(&b, "%s%s", b.len ? sep : "", o->name);
    }
    return wld_buf_detach(&b);
}

/* The shell function FORMATS_FN: a case arm (names, words) per set of formats, then
 * the default command's, check's: every format. */
static void
formats_function(FILE *out, const char *sep, const char *head, const char *arm, const char *tail)
{
    fputs(head, out);
    FOR_EACH_COMMAND(c)
    {
        bool first;
        char *names = commands_with_formats_of(c, sep, &first);
        if (names && first) {
            char *words = formats_joined(c->formats, " ");
            fprintf(out, arm, names, words);
            free(words);
        }
        free(names);
    }
    char *all = formats_joined(WLD_FORMATS_ALL, " ");
    fprintf(out, tail, all);
    free(all);
}

/* How each shell completes a value of each kind: a format that takes the choices ("%s"
 * where they go), NULL for a value that is not completed. */
static const char *const bash_value[] = {
    [WLD_VAL_FILE] = "COMPREPLY=($(compgen -f -- \"$cur\")); return ;;",
    [WLD_VAL_DIR] = "COMPREPLY=($(compgen -d -- \"$cur\")); return ;;",
    [WLD_VAL_NUMBER] = "return ;;",
    [WLD_VAL_TEXT] = "return ;;",
    [WLD_VAL_IDS] = "\n        local IFS=,\n"
                    "        COMPREPLY=($(compgen -W \"$(_wsl_llm_doctor_ids | tr '\\n' ',')\" -- "
                    "\"${cur##*,}\"))\n        return ;;",
    [WLD_VAL_ENUM] = "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;",
    [WLD_VAL_ENUM_OR_DIR] = "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\") $(compgen -d -- "
                            "\"$cur\")); return ;;",
};
static const char *const zsh_value[] = {
    [WLD_VAL_FILE] = "_files",
    [WLD_VAL_DIR] = "_files -/",
    [WLD_VAL_IDS] = "_wsl_llm_doctor_ids",
    [WLD_VAL_ENUM] = "(%s)",
    [WLD_VAL_ENUM_OR_DIR] = "_alternative 'kinds\\:kind\\:(%s)' 'dirs\\:directory\\:_files -/'",
};
static const char *const fish_value[] = {
    [WLD_VAL_FILE] = " -r -F",
    [WLD_VAL_DIR] = " -x -a \"(__fish_complete_directories)\"",
    [WLD_VAL_NUMBER] = " -x",
    [WLD_VAL_TEXT] = " -x",
    [WLD_VAL_IDS] = " -x -a \"(__wld_ids)\"",
    [WLD_VAL_ENUM] = " -x -a \"%s\"",
    [WLD_VAL_ENUM_OR_DIR] = " -x -a \"%s (__fish_complete_directories)\"",
};

/* A shell's code for a value: its format with the choices; NULL for none (caller frees). */
static char *
value_code(const char *const *fmts, enum wld_opt_value value, const char *(*choice)(size_t i))
{
    if (!fmts[value])
        return NULL;
    if (choice == wld_cli_format_choice) { /* the command's formats, from the function */
        if (fmts == zsh_value)
            return wld_xstrdup(FORMATS_FN);
        return wld_xasprintf(fmts[value],
                             fmts == fish_value ? "(" FORMATS_FN ")" : "$(" FORMATS_FN ")");
    }
    char *words = choices_joined(choice, " ");
    char *r = wld_xasprintf(fmts[value], words);
    free(words);
    return r;
}

/* bash's `case $prev` words are the options, then the commands: the k-th one's code for
 * its value (NULL for none; caller frees), and its word. */
static char *bash_action(size_t k)
{
    const struct wld_cli_option *opt = wld_cli_option_at(k);
    if (opt)
        return value_code(bash_value, opt->value, opt->choice);
    const struct wld_cli_command *c = &wld_cli_commands[k - wld_cli_option_count()];
    return value_code(bash_value, c->value, c->choice);
}

static void bash_word(FILE *out, size_t k)
{
    const struct wld_cli_option *opt = wld_cli_option_at(k);
    if (opt)
        fprintf(out, "--%s", opt->name);
    else
        fputs(wld_cli_commands[k - wld_cli_option_count()].name, out);
}

/* Whether one of the words before k completes its value as action. */
static bool bash_seen(const char *action, size_t k)
{
    bool seen = false;
    for (size_t i = 0; i < k && !seen; i++) {
        char *a = bash_action(i);
        seen = a && strcmp(a, action) == 0;
        free(a);
    }
    return seen;
}

/* One arm: the words whose value completes as action, "a | b | c", and the action. */
static void bash_arm(FILE *out, const char *action)
{
    const char *sep = "    ";
    for (size_t k = 0; k < wld_cli_option_count() + wld_cli_commands_count; k++) {
        char *a = bash_action(k);
        if (a && strcmp(a, action) == 0) {
            fputs(sep, out);
            bash_word(out, k);
            sep = " | ";
        }
        free(a);
    }
    fprintf(out, ")%s%s\n", action[0] == '\n' ? "" : " ", action);
}

static void completions_bash(FILE *out)
{
    fputs("# bash completion for wsl-llm-doctor (installed to share/bash-completion/completions).\n"
          "# Made by `wsl-llm-doctor __completions bash` (scripts/gen-cli-files.sh).\n"
          "_wsl_llm_doctor_ids() {\n"
          "    wsl-llm-doctor list 2>/dev/null | awk '/^[a-z]/ {print $1}'\n"
          "}\n\n",
          out);
    formats_function(out, "|",
                     FORMATS_FN "() {\n"
                                "    local w\n"
                                "    for w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do\n"
                                "        case $w in\n",
                     "        %s) echo \"%s\"; return ;;\n",
                     "        esac\n    done\n    echo \"%s\"\n}\n\n");
    fputs("_wsl_llm_doctor() {\n"
          "    local cur prev words cword\n"
          "    _init_completion 2>/dev/null || {\n"
          "        cur=${COMP_WORDS[COMP_CWORD]}\n"
          "        prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    }\n"
          "    case $prev in\n",
          out);
    for (size_t k = 0; k < wld_cli_option_count() + wld_cli_commands_count; k++) {
        char *a = bash_action(k);
        if (a && !bash_seen(a, k))
            bash_arm(out, a);
        free(a);
    }
    fputs("    esac\n    if [[ $cur == -* ]]; then\n        COMPREPLY=($(compgen -W \"", out);
    int col = 32;
    FOR_EACH_OPTION(opt)
    {
        if (col + strlen(opt->name) + 3 > 96)
            col = fprintf(out, "\n           ") - 1;
        col += fprintf(out, "%s--%s", opt_i == 0 ? "" : " ", opt->name);
    }
    fputs("\" -- \"$cur\"))\n    else\n        COMPREPLY=($(compgen -W \"", out);
    FOR_EACH_COMMAND(c)
    {
        fprintf(out, "%s%s", c == wld_cli_commands ? "" : " ", c->name);
    }
    fputs("\" -- \"$cur\"))\n    fi\n}\ncomplete -F _wsl_llm_doctor wsl-llm-doctor\n", out);
}

/* --- zsh: _arguments specs */

/* s for inside a single-quoted _arguments spec: quotes closed and reopened, brackets
 * escaped (they end the description). */
static void zsh_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", out);
        else if (*s == '[' || *s == ']' || *s == ':')
            fprintf(out, "\\%c", *s);
        else
            fputc(*s, out);
    }
}

static void completions_zsh(FILE *out)
{
    fputs("#compdef wsl-llm-doctor\n"
          "# zsh completion for wsl-llm-doctor (installed to share/zsh/site-functions).\n"
          "# Made by `wsl-llm-doctor __completions zsh` (scripts/gen-cli-files.sh).\n"
          "_wsl_llm_doctor_ids() {\n"
          "    local -a ids\n"
          "    ids=(${(f)\"$(wsl-llm-doctor list 2>/dev/null | awk '/^[a-z]/ {print $1}')\"})\n"
          "    _values -s , 'check id' $ids\n"
          "}\n",
          out);
    formats_function(out, "|",
                     FORMATS_FN "() {\n"
                                "    local w\n"
                                "    for w in $words[2,CURRENT-1]; do\n"
                                "        case $w in\n",
                     "        (%s) _values format %s; return ;;\n",
                     "        esac\n    done\n    _values format %s\n}\n");
    fputs("_arguments -s \\\n    '1:command:(", out);
    FOR_EACH_COMMAND(c)
    {
        fprintf(out, "%s%s", c == wld_cli_commands ? "" : " ", c->name);
    }
    fputs(")' \\\n", out);
    FOR_EACH_OPTION(opt)
    {
        if (opt->short_name)
            fprintf(out, "    '(-%c --%s)'{-%c,--%s}'[", opt->short_name, opt->name,
                    opt->short_name, opt->name);
        else
            fprintf(out, "    '%s--%s[", opt->repeat ? "*" : "", opt->name);
        zsh_text(out, opt->help);
        fputc(']', out);
        if (opt->arg) {
            fputc(':', out);
            zsh_text(out, opt->arg);
            fputc(':', out);
        }
        char *code = value_code(zsh_value, opt->value, opt->choice);
        if (opt->glob) /* the files a model or compose file may be */
            fprintf(out, "_files -g \"%s\"", opt->glob);
        else if (code)
            fputs(code, out);
        free(code);
        fputs("' \\\n", out);
    }
    fputs("    '*::argument:_files'\n", out);
}

/* --- fish: one `complete` line a command's argument or an option */

/* s inside a double-quoted fish string. */
static void fish_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '$' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
}

static void completions_fish(FILE *out)
{
    fputs("# fish completion for wsl-llm-doctor (installed to share/fish/vendor_completions.d).\n"
          "# Made by `wsl-llm-doctor __completions fish` (scripts/gen-cli-files.sh).\n"
          "function __wld_ids\n"
          "    wsl-llm-doctor list 2>/dev/null | string match -r '^[a-z][^ ]*'\n"
          "end\n",
          out);
    formats_function(out, " ",
                     "function " FORMATS_FN "\n"
                     "    for w in (commandline -opc)[2..-1]\n"
                     "        switch $w\n",
                     "            case %s\n                string split ' ' '%s'\n"
                     "                return\n",
                     "        end\n    end\n    string split ' ' '%s'\nend\n");
    fputs("set -l cmds", out);
    FOR_EACH_COMMAND(c)
    {
        fprintf(out, " %s", c->name);
    }
    fputs("\ncomplete -c wsl-llm-doctor -f -n \"not __fish_seen_subcommand_from $cmds\" -a "
          "\"$cmds\"\n",
          out);
    FOR_EACH_COMMAND(c)
    {
        const char *seen = "complete -c wsl-llm-doctor";
        char *words = choices_joined(c->choice, " ");
        if (c->value == WLD_VAL_IDS)
            fprintf(out, "%s -f -n \"__fish_seen_subcommand_from %s\" -a \"(__wld_ids)\"\n", seen,
                    c->name);
        else if (c->value == WLD_VAL_FILE)
            fprintf(out, "%s -F -n \"__fish_seen_subcommand_from %s\"\n", seen, c->name);
        else if (c->value == WLD_VAL_DIR)
            fprintf(out,
                    "%s -x -n \"__fish_seen_subcommand_from %s\" -a "
                    "\"(__fish_complete_directories)\"\n",
                    seen, c->name);
        else if (c->value == WLD_VAL_ENUM)
            fprintf(out, "%s -f -n \"__fish_seen_subcommand_from %s\" -a \"%s\"\n", seen, c->name,
                    words);
        free(words);
    }
    FOR_EACH_OPTION(opt)
    {
        fputs("complete -c wsl-llm-doctor", out);
        if (opt->short_name)
            fprintf(out, " -s %c", opt->short_name);
        fprintf(out, " -l %s", opt->name);
        char *code = value_code(fish_value, opt->value, opt->choice);
        if (code)
            fputs(code, out);
        free(code);
        fputs(" -d \"", out);
        fish_text(out, opt->help);
        fputs("\"\n", out);
    }
}

/* --- the man page's SYNOPSIS: each command with every option it takes */

/* s in roff: '-' as \-, each run of capitals (a placeholder) in italics. */
static void man_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
            fprintf(out, "\\fI%.*s\\fR", (int) n, s);
            s += n - 1;
        } else if (*s == '-') {
            fputs("\\-", out);
        } else {
            fputc(*s, out);
        }
    }
}

/* " [--opt ARG]"; no space before the first word of a line (roff would break there) */
static void man_option(FILE *out, const struct wld_cli_option *opt, unsigned formats, bool *first)
{
    fputs(*first ? "[\\fB" : " [\\fB", out);
    *first = false;
    man_text(out, opt->short_name ? (char[]){ '-', opt->short_name, 0 } : "");
    fputs(opt->short_name ? "\\fR|\\fB\\-\\-" : "\\-\\-", out);
    man_text(out, opt->name);
    fputs("\\fR", out);
    if (opt->choice) { /* --format: the command's own formats */
        char *words = opt->choice == wld_cli_format_choice ? formats_joined(formats, "|")
                                                           : choices_joined(opt->choice, "|");
        fprintf(out, " %s", words);
        free(words);
    } else if (opt->arg) {
        fputc(' ', out);
        man_text(out, opt->arg);
    }
    fputc(']', out);
}

static void man_synopsis(FILE *out)
{
    bool first = false;
    fputs(".SH SYNOPSIS\n.B wsl-llm-doctor\n[\\fICOMMAND\\fR]", out);
    FOR_EACH_OPTION(opt)
    {
        if (opt->commands == WLD_FOR_ALL)
            man_option(out, opt, WLD_FORMATS_ALL, &first);
    }
    fputc('\n', out);
    FOR_EACH_COMMAND(c)
    {
        fprintf(out, ".br\n.B wsl-llm-doctor %s\n", c->name);
        first = !c->arg;
        if (c->arg && c->choice) {
            char *words = choices_joined(c->choice, "\\fR|\\fB");
            fprintf(out, "[\\fB%s\\fR]", words);
            free(words);
        } else if (c->arg) {
            man_text(out, c->arg);
        }
        FOR_EACH_OPTION(opt)
        {
            if (opt->commands != WLD_FOR_ALL && (opt->commands & WLD_FOR(c->command)))
                man_option(out, opt, c->formats, &first);
        }
        fputc('\n', out);
    }
}

void wld_cli_generate(const struct wld_options *o, FILE *out)
{
    if (wld_str_is(o->generate, "bash"))
        completions_bash(out);
    else if (wld_str_is(o->generate, "zsh"))
        completions_zsh(out);
    else if (wld_str_is(o->generate, "fish"))
        completions_fish(out);
    else
        man_synopsis(out);
}
