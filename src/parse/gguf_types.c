/* The ggml type tables (gguf.md 2): block size and bytes per block of each tensor type,
 * the KV cache types llama.cpp accepts, and llama.cpp's names of the file types. */
#include <stdlib.h>

#include "wld/gguf.h"
#include "wld/util.h"

/* ggml.c type_traits[]: block size and bytes per block (sizeof(block_*)). */
static const struct wld_ggml_type ggml_types[WLD_GGML_TYPE_COUNT] = {
    [0] = { "f32", 1, 4 },         [1] = { "f16", 1, 2 },         [2] = { "q4_0", 32, 18 },
    [3] = { "q4_1", 32, 20 },      [6] = { "q5_0", 32, 22 },      [7] = { "q5_1", 32, 24 },
    [8] = { "q8_0", 32, 34 },      [9] = { "q8_1", 32, 36 },      [10] = { "q2_K", 256, 84 },
    [11] = { "q3_K", 256, 110 },   [12] = { "q4_K", 256, 144 },   [13] = { "q5_K", 256, 176 },
    [14] = { "q6_K", 256, 210 },   [15] = { "q8_K", 256, 292 },   [16] = { "iq2_xxs", 256, 66 },
    [17] = { "iq2_xs", 256, 74 },  [18] = { "iq3_xxs", 256, 98 }, [19] = { "iq1_s", 256, 50 },
    [20] = { "iq4_nl", 32, 18 },   [21] = { "iq3_s", 256, 110 },  [22] = { "iq2_s", 256, 82 },
    [23] = { "iq4_xs", 256, 136 }, [24] = { "i8", 1, 1 },         [25] = { "i16", 1, 2 },
    [26] = { "i32", 1, 4 },        [27] = { "i64", 1, 8 },        [28] = { "f64", 1, 8 },
    [29] = { "iq1_m", 256, 56 },   [30] = { "bf16", 1, 2 },       [34] = { "tq1_0", 256, 54 },
    [35] = { "tq2_0", 256, 66 },   [39] = { "mxfp4", 32, 17 },    [40] = { "nvfp4", 64, 36 },
    [41] = { "q1_0", 128, 18 },    [42] = { "q2_0", 64, 18 },
};

const struct wld_ggml_type *wld_ggml_type(int id)
{
    return id >= 0 && id < WLD_GGML_TYPE_COUNT ? &ggml_types[id] : NULL;
}

uint64_t wld_ggml_row_bytes(int id, uint64_t n)
{
    const struct wld_ggml_type *t = wld_ggml_type(id);
    return t && t->blck ? n / t->blck * t->size : 0;
}

/* common/arg.cpp kv_cache_types */
static const int cache_types[] = { 0, 1, 30, 8, 2, 3, 20, 6, 7 };

int wld_ggml_cache_type(const char *name)
{
    for (size_t i = 0; name && i < WLD_ARRAY_SIZE(cache_types); i++)
        if (wld_str_eq_nocase(name, ggml_types[cache_types[i]].name))
            return cache_types[i];
    return -1;
}

const char *wld_ggml_cache_type_name(size_t i)
{
    return i < WLD_ARRAY_SIZE(cache_types) ? ggml_types[cache_types[i]].name : NULL;
}

const char *wld_llama_ftype_name(int64_t ftype)
{
    /* llama_ftype_name() in src/llama-model-loader.cpp */
    static const char *const names[] = {
        [0] = "all F32",
        [1] = "F16",
        [2] = "Q4_0",
        [3] = "Q4_1",
        [7] = "Q8_0",
        [8] = "Q5_0",
        [9] = "Q5_1",
        [10] = "Q2_K - Medium",
        [11] = "Q3_K - Small",
        [12] = "Q3_K - Medium",
        [13] = "Q3_K - Large",
        [14] = "Q4_K - Small",
        [15] = "Q4_K - Medium",
        [16] = "Q5_K - Small",
        [17] = "Q5_K - Medium",
        [18] = "Q6_K",
        [19] = "IQ2_XXS - 2.0625 bpw",
        [20] = "IQ2_XS - 2.3125 bpw",
        [21] = "Q2_K - Small",
        [22] = "IQ3_XS - 3.3 bpw",
        [23] = "IQ3_XXS - 3.0625 bpw",
        [24] = "IQ1_S - 1.5625 bpw",
        [25] = "IQ4_NL - 4.5 bpw",
        [26] = "IQ3_S - 3.4375 bpw",
        [27] = "IQ3_S mix - 3.66 bpw",
        [28] = "IQ2_S - 2.5 bpw",
        [29] = "IQ2_M - 2.7 bpw",
        [30] = "IQ4_XS - 4.25 bpw",
        [31] = "IQ1_M - 1.75 bpw",
        [32] = "BF16",
        [36] = "TQ1_0 - 1.69 bpw ternary",
        [37] = "TQ2_0 - 2.06 bpw ternary",
        [38] = "MXFP4 MoE",
        [39] = "NVFP4",
        [40] = "Q1_0",
        [41] = "Q2_0",
    };
    int64_t id = ftype & ~1024; /* LLAMA_FTYPE_GUESSED */
    return id >= 0 && id < (int64_t) WLD_ARRAY_SIZE(names) ? names[id] : NULL;
}
