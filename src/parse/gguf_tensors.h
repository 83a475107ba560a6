/* Private to the GGUF reader: the tensor infos of a shard. */
#ifndef WLD_GGUF_TENSORS_H
#define WLD_GGUF_TENSORS_H

#include <stdbool.h>
#include <stdint.h>

#include "gguf_cursor.h"

/* general.alignment, checked as llama.cpp does; false with a reason. */
bool wld_gguf_check_alignment_(struct cur *c);
/* The tensor infos of one shard: names, shapes, types, offsets, and that their data lies
 * within the file; the per-layer byte counts. false with a reason. */
bool wld_gguf_rd_tensors_(struct cur *c, uint64_t n_tensors);

#endif
