/* YAML into cJSON (see wld/yaml.h), from libyaml's events: a stack of the open mappings
 * and sequences, and for a mapping the key waiting for its value. */
#include "wld/yaml.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "wld/util.h"

struct frame {
    cJSON *node;
    char *key;    /* a mapping's key read, its value not yet: owned */
    int key_line; /* that key's line */
};

struct build {
    struct frame stack[WLD_YAML_MAX_DEPTH];
    int depth;
    size_t nodes;
    cJSON *root;
};

/* Puts node where the open container wants it; the first node is the root. A mapping's
 * value takes its key's line (valueint), so a member points at the line that names it. */
static void place(struct build *b, cJSON *node)
{
    if (b->depth == 0) {
        if (!b->root)
            b->root = node;
        else
            cJSON_Delete(node);
        return;
    }
    struct frame *f = &b->stack[b->depth - 1];
    if (cJSON_IsArray(f->node)) {
        cJSON_AddItemToArray(f->node, node);
    } else if (!f->key) { /* a mapping's key: a scalar, else its text is lost */
        f->key = wld_xstrdup(cJSON_IsString(node) ? node->valuestring : "");
        f->key_line = node->valueint;
        cJSON_Delete(node);
    } else {
        node->valueint = f->key_line;
        if (cJSON_GetObjectItemCaseSensitive(f->node, f->key))
            cJSON_ReplaceItemInObjectCaseSensitive(f->node, f->key, node);
        else
            cJSON_AddItemToObject(f->node, f->key, node);
        free(f->key);
        f->key = NULL;
    }
}

static void unwind(struct build *b)
{
    while (b->depth > 0) {
        struct frame *f = &b->stack[--b->depth];
        free(f->key);
        if (f->node != b->root)
            cJSON_Delete(f->node);
    }
    cJSON_Delete(b->root);
    b->root = NULL;
}

/* The line (from 1) where the event's node starts; libyaml counts from 0. */
static int line_of(const yaml_event_t *e)
{
    return e->start_mark.line < (size_t) INT_MAX ? (int) e->start_mark.line + 1 : INT_MAX;
}

/* A container whose parent has not taken it yet is owned by the frame: placed when it
 * closes, so an error midway frees each node once. */
static int event(struct build *b, const yaml_event_t *e, bool *done)
{
    switch (e->type) {
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        if (b->depth == WLD_YAML_MAX_DEPTH || ++b->nodes > WLD_YAML_MAX_NODES)
            return -E2BIG;
        b->stack[b->depth++] =
                (struct frame){ .node = e->type == YAML_MAPPING_START_EVENT ? cJSON_CreateObject()
                                                                            : cJSON_CreateArray() };
        b->stack[b->depth - 1].node->valueint = line_of(e);
        return 0;
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT: {
        struct frame f = b->stack[--b->depth];
        free(f.key);
        place(b, f.node);
        return 0;
    }
    case YAML_SCALAR_EVENT: {
        if (++b->nodes > WLD_YAML_MAX_NODES)
            return -E2BIG;
        char *text = wld_xstrndup((const char *) e->data.scalar.value, e->data.scalar.length);
        /* `key:` with nothing after it is null in YAML; `key: ""` the empty string */
        bool null = !text[0] && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        cJSON *s = null ? cJSON_CreateNull() : cJSON_CreateString(text);
        s->valueint = line_of(e);
        place(b, s);
        free(text);
        return 0;
    }
    case YAML_ALIAS_EVENT:
        if (++b->nodes > WLD_YAML_MAX_NODES)
            return -E2BIG;
        cJSON *null = cJSON_CreateNull();
        null->valueint = line_of(e);
        place(b, null);
        return 0;
    case YAML_DOCUMENT_END_EVENT:
    case YAML_STREAM_END_EVENT:
        *done = true;
        return 0;
    default:
        return 0;
    }
}

int wld_yaml_parse(const char *text, size_t len, cJSON **ret, char **err)
{
    yaml_parser_t parser;
    struct build b = { .depth = 0 };
    bool done = false;
    int rc = 0;
    *ret = NULL;
    *err = NULL;
    if (!yaml_parser_initialize(&parser))
        return -ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
    while (!done && rc == 0) {
        yaml_event_t e;
        if (!yaml_parser_parse(&parser, &e)) {
            *err = wld_xasprintf("line %zu: %s", parser.problem_mark.line + 1,
                                 parser.problem ? parser.problem : "not YAML");
            rc = -EINVAL;
            break;
        }
        rc = event(&b, &e, &done);
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&parser);
    if (rc == -E2BIG)
        *err = wld_xasprintf("more than %d levels or %d nodes", WLD_YAML_MAX_DEPTH,
                             WLD_YAML_MAX_NODES);
    if (rc < 0) {
        unwind(&b);
        return rc;
    }
    *ret = b.root && (cJSON_IsObject(b.root) || cJSON_IsArray(b.root)) ? b.root
                                                                       : cJSON_CreateObject();
    if (*ret != b.root)
        (*ret)->valueint = 1;
    if (*ret != b.root)
        cJSON_Delete(b.root);
    return 0;
}
