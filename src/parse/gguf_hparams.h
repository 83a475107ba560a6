/* Private to the GGUF reader: the hyperparameters from the stored values. */
#ifndef WLD_GGUF_HPARAMS_H
#define WLD_GGUF_HPARAMS_H

#include "wld/gguf.h"

/* Resolves {arch}.* after the first shard's metadata was read (allocates the
 * per-layer arrays). false with a reason when llama.cpp's loader would refuse the values. */
bool wld_gguf_resolve_(struct wld_gguf *g);

#endif
