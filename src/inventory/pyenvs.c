/* The llama-cpp-python installs in the user's Python environments (see wld/runtimes.h).
 *
 * Where people put them, in this order: the environment active for the doctor
 * ($VIRTUAL_ENV, $CONDA_PREFIX), the pythons on PATH, ~/.venv and ~/venv, conda's and
 * mamba's envs, pipx's venvs, pyenv's versions, virtualenvwrapper's, poetry's and pipenv's
 * venvs, the user site (~/.local), /usr/local and /usr; then venvs anywhere under the
 * home down to WALK_DEPTH (a project's .venv). Not a crawl: the walk lists directories
 * only to WALK_DEPTH, looks closer (stat) only at subdirectories, never enters an
 * environment or a hidden directory but a venv's, and stops at WALK_DIRS directories or
 * WALK_ENTRIES entries, saying so in walk. Environments and packages are each taken once
 * by device and inode, so a symlink loop or a second path to a venv costs nothing. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "wld/check.h"
#include "wld/nodeset.h"
#include "wld/runtimes.h"
#include "wld/util.h"

#include "pyenvs_impl.h"

#define WALK_DEPTH   3     /* ~/code/project/.venv */
#define WALK_DIRS    512   /* directories listed, the fixed places included */
#define WALK_ENTRIES 50000 /* entries read from them, all together */
#define PATH_DIRS    64

struct pyenvs {
    const struct wld_host *h;
    const cJSON *ldirs;
    cJSON *runtimes, *walk;
    struct wld_nodeset prefixes, packages, dirs_seen;
    size_t listed, entries, found;
};

/* The first budget hit: why and where, in walk. */
static void stop(struct pyenvs *p, const char *why, const char *where)
{
    if (cJSON_GetObjectItemCaseSensitive(p->walk, "stopped"))
        return;
    cJSON_AddBoolToObject(p->walk, "stopped", true);
    cJSON_AddStringToObject(p->walk, "why", why);
    cJSON_AddStringToObject(p->walk, "at", where);
}

static bool out_of_budget(struct pyenvs *p, const char *where)
{
    if (p->listed >= WALK_DIRS)
        stop(p, "more than " WLD_STR(WALK_DIRS) " directories", where);
    else if (p->entries >= WALK_ENTRIES)
        stop(p, "more than " WLD_STR(WALK_ENTRIES) " directory entries", where);
    else
        return false;
    return true;
}

/* A directory's subdirectories (and links, which may be), and pyvenv.cfg, the file that
 * says a venv, within the budgets; -ENOSPC when they are spent. The rest of its entries (a
 * Downloads folder's thousands) are counted, not copied. */
static int list_dir(struct pyenvs *p, const char *dir, struct wld_dirent **e, size_t *n)
{
    static const char *const marks[] = { "pyvenv.cfg", NULL };
    bool more = false;
    size_t read = 0;
    if (out_of_budget(p, dir))
        return -ENOSPC;
    int r = wld_host_list_dirs(p->h, dir, WALK_ENTRIES - p->entries, marks, e, n, &read, &more);
    if (r < 0)
        return r;
    p->listed++;
    p->entries += read;
    if (more)
        stop(p, "more than " WLD_STR(WALK_ENTRIES) " directory entries", dir);
    return 0;
}

static bool is_dir(const struct wld_host *h, const char *path, struct stat *st)
{
    return wld_host_stat(h, path, true, st) == 0 && S_ISDIR(st->st_mode);
}

static bool has(const struct wld_host *h, const char *dir, const char *name)
{
    char *p = wld_xasprintf("%s/%s", dir, name);
    bool yes = wld_host_exists(h, p);
    free(p);
    return yes;
}

/* What an environment is when the place it was found at does not say. */
static const char *env_kind(const struct wld_host *h, const char *prefix)
{
    if (has(h, prefix, "pyvenv.cfg"))
        return "venv";
    if (has(h, prefix, "conda-meta"))
        return "conda";
    return "system";
}

static void add_package(struct pyenvs *p, struct wld_pyenv_site *s)
{
    struct stat st;
    char *pkg = wld_xasprintf("%s/llama_cpp", s->site);
    if (is_dir(p->h, pkg, &st) && wld_nodeset_add(&p->packages, &st)) {
        if (p->found >= WLD_RUNTIMES_MAX) {
            stop(p, "more than " WLD_STR(WLD_RUNTIMES_MAX) " llama-cpp-python installs", pkg);
        } else {
            s->package = pkg;
            cJSON *r = wld_pyenv_package(p->h, p->ldirs, s, &p->listed);
            /* two Pythons' site-packages in one prefix (~/.local): the second by its own */
            const cJSON *o;
            cJSON_ArrayForEach(o, p->runtimes)
            {
                if (wld_str_is(wld_fact_str(o, "id"), wld_fact_str(r, "id"))) {
                    char *id = wld_xasprintf("python:%s", s->site);
                    cJSON_ReplaceItemInObject(r, "id", cJSON_CreateString(id));
                    free(id);
                    break;
                }
            }
            cJSON_AddItemToArray(p->runtimes, r);
            p->found++;
        }
    }
    free(pkg);
}

/* The environment at prefix: each PREFIX/lib/python3.X/{site,dist}-packages (and Debian's
 * /usr/lib/python3/dist-packages) that holds llama_cpp. */
static void add_prefix(struct pyenvs *p, const char *prefix, const char *kind, const char *by)
{
    struct stat st;
    struct wld_dirent *e = NULL;
    size_t n = 0;
    if (!is_dir(p->h, prefix, &st) || !wld_nodeset_add(&p->prefixes, &st))
        return;
    struct wld_pyenv_site s = { .prefix = prefix,
                                .env_kind = kind ? kind : env_kind(p->h, prefix),
                                .found_by = by };
    char *lib = wld_xasprintf("%s/lib", prefix);
    if (list_dir(p, lib, &e, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            static const char *const sites[] = { "site-packages", "dist-packages" };
            if (!wld_str_starts(e[i].name, "python3") || strstr(e[i].name, ".so"))
                continue;
            s.pyver = e[i].name + strlen("python");
            for (size_t k = 0; k < WLD_ARRAY_SIZE(sites); k++) {
                char *site = wld_xasprintf("%s/%s/%s", lib, e[i].name, sites[k]);
                s.site = site;
                add_package(p, &s);
                free(site);
            }
        }
        wld_dirents_free(e, n);
    }
    free(lib);
}

/* Each directory in dir is an environment (conda's envs/, pipx's venvs/). */
static void add_each(struct pyenvs *p, const char *dir, const char *kind, const char *by)
{
    struct wld_dirent *e = NULL;
    size_t n = 0;
    if (list_dir(p, dir, &e, &n) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        char *prefix = wld_xasprintf("%s/%s", dir, e[i].name);
        if (e[i].type == DT_DIR || e[i].type == DT_LNK || e[i].type == DT_UNKNOWN)
            add_prefix(p, prefix, kind, by);
        free(prefix);
    }
    wld_dirents_free(e, n);
}

/* The prefix of each python3 on PATH: DIR/bin/python3 -> DIR. */
static void path_pythons(struct pyenvs *p)
{
    const char *path = wld_host_getenv(p->h, "PATH");
    char *copy = wld_xstrdup(path ? path : ""), *save = NULL;
    size_t i = 0;
    for (char *d = strtok_r(copy, ":", &save); d && i < PATH_DIRS;
         d = strtok_r(NULL, ":", &save), i++) {
        char *real = NULL;
        if (d[0] != '/' || wld_host_resolve(p->h, d, &real) < 0)
            continue;
        /* /bin -> /usr/bin on a merged /usr: the prefix is /usr, not / */
        const char *base = strrchr(real, '/');
        if (strcmp(base, "/bin") == 0 &&
            (has(p->h, real, "python3") || has(p->h, real, "python"))) {
            char *prefix = wld_path_dirname(real);
            add_prefix(p, prefix, NULL, "python3 on PATH");
            free(prefix);
        }
        free(real);
    }
    free(copy);
}

/* A subdirectory the walk may enter or take as a venv: not hidden (caches, .git), but for
 * the names venvs are given. */
static bool walkable(const struct wld_dirent *e)
{
    static const char *const hidden_venvs[] = { ".venv", ".env", ".virtualenv" };
    static const char *const skipped[] = { "node_modules", "__pycache__", "site-packages" };
    if (e->type != DT_DIR && e->type != DT_LNK && e->type != DT_UNKNOWN)
        return false;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(skipped); i++)
        if (strcmp(e->name, skipped[i]) == 0)
            return false;
    if (e->name[0] != '.')
        return true;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(hidden_venvs); i++)
        if (strcmp(e->name, hidden_venvs[i]) == 0)
            return true;
    return false;
}

static bool listed_has(const struct wld_dirent *e, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].name, name) == 0)
            return true;
    return false;
}

/* Whether directory sub (its entry e; st when e was a link, stat'ed already) has no
 * subdirectory, so no venv is in or under it (a venv has bin/ and lib/): a link count of 2,
 * as ext4, xfs and tmpfs keep it (2 + its subdirectories), find(1)'s leaf optimisation.
 * A file system that says 1 (btrfs, drvfs) is listed as before. A Downloads folder of
 * thousands of files then costs a stat, not a listing. */
static bool
leaf(const struct pyenvs *p, const char *sub, const struct wld_dirent *e, struct stat *st)
{
    if (e->type == DT_DIR && !is_dir(p->h, sub, st))
        return false;
    return st->st_nlink == 2;
}

/* Venvs in and under dir, depth levels below the home. A directory listed is known for an
 * environment by its own entries (pyvenv.cfg, conda-meta), so the walk looks closer only
 * at links (which may loop, and are visited once each) and, one level further than it
 * lists, at DIR/pyvenv.cfg: a stat per subdirectory, never one per file. */
static void walk(struct pyenvs *p, const char *dir, int depth)
{
    struct wld_dirent *e = NULL;
    size_t n = 0;
    if (list_dir(p, dir, &e, &n) < 0)
        return;
    if (listed_has(e, n, "pyvenv.cfg") || listed_has(e, n, "conda-meta")) {
        if (depth > 0)
            add_prefix(p, dir, NULL, "a venv under the home");
        wld_dirents_free(e, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (!walkable(&e[i]))
            continue;
        char *sub = wld_xasprintf("%s/%s", dir, e[i].name);
        bool dir_ok = e[i].type == DT_DIR ||
                      (is_dir(p->h, sub, &st) && wld_nodeset_add(&p->dirs_seen, &st));
        if (dir_ok && depth + 1 < WALK_DEPTH && !leaf(p, sub, &e[i], &st))
            walk(p, sub, depth + 1);
        else if (dir_ok && has(p->h, sub, "pyvenv.cfg"))
            add_prefix(p, sub, NULL, "a venv under the home");
        free(sub);
    }
    wld_dirents_free(e, n);
}

static void home_places(struct pyenvs *p, const char *home)
{
    static const char *const venvs[] = { ".venv", "venv" };
    static const char *const conda_roots[] = { "miniconda3", "anaconda3",  "miniforge3",
                                               "mambaforge", "micromamba", ".conda" };
    static const struct {
        const char *dir, *kind, *by;
    } managers[] = {
        { ".local/share/pipx/venvs", "pipx", "pipx" },
        { ".pyenv/versions", NULL, "pyenv" },
        { ".virtualenvs", "venv", "virtualenvwrapper" },
        { ".cache/pypoetry/virtualenvs", "venv", "poetry" },
        { ".local/share/virtualenvs", "venv", "pipenv" },
    };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(venvs); i++) {
        char *d = wld_xasprintf("%s/%s", home, venvs[i]);
        add_prefix(p, d, NULL, "a venv in the home");
        free(d);
    }
    for (size_t i = 0; i < WLD_ARRAY_SIZE(conda_roots); i++) {
        char *root = wld_xasprintf("%s/%s", home, conda_roots[i]);
        char *envs = wld_xasprintf("%s/envs", root);
        struct stat st;
        if (has(p->h, root, "conda-meta"))
            add_prefix(p, root, "conda", "conda's base env");
        if (is_dir(p->h, envs, &st))
            add_each(p, envs, "conda", "a conda env");
        free(envs);
        free(root);
    }
    for (size_t i = 0; i < WLD_ARRAY_SIZE(managers); i++) {
        char *d = wld_xasprintf("%s/%s", home, managers[i].dir);
        struct stat st;
        if (is_dir(p->h, d, &st))
            add_each(p, d, managers[i].kind, managers[i].by);
        free(d);
    }
    char *local = wld_xasprintf("%s/.local", home);
    add_prefix(p, local, "user", "user site-packages");
    free(local);
}

void wld_pyenvs_find(const struct wld_host *h,
                     const cJSON *ldirs,
                     cJSON *runtimes,
                     cJSON *walk_facts)
{
    struct pyenvs p = { .h = h, .ldirs = ldirs, .runtimes = runtimes, .walk = walk_facts };
    const char *home = wld_host_home(h);
    const char *venv = wld_host_getenv(h, "VIRTUAL_ENV");
    const char *conda = wld_host_getenv(h, "CONDA_PREFIX");
    if (venv && venv[0] == '/')
        add_prefix(&p, venv, NULL, "the active venv (VIRTUAL_ENV)");
    if (conda && conda[0] == '/')
        add_prefix(&p, conda, "conda", "the active conda env (CONDA_PREFIX)");
    path_pythons(&p);
    if (home)
        home_places(&p, home);
    add_prefix(&p, "/usr/local", "system", "system site-packages");
    add_prefix(&p, "/usr", "system", "system site-packages");
    if (home)
        walk(&p, home, 0);
    cJSON_AddNumberToObject(walk_facts, "dirs", (double) p.listed);
    cJSON_AddNumberToObject(walk_facts, "entries", (double) p.entries);
    wld_nodeset_release(&p.prefixes);
    wld_nodeset_release(&p.packages);
    wld_nodeset_release(&p.dirs_seen);
}
