/*===- npy.h - Reading and writing NumPy .npy files
 *-------------------------===*
 *
 * Versions 1.0, 2.0 and 3.0 headers; little-endian (or single-byte), C-order
 * arrays of f32, f64, f16, i8..i64, u8..u64 and bool. Anything else is
 * reported, never guessed at.
 *===----------------------------------------------------------------------===*/
#ifndef ANVIL_RUN_NPY_H
#define ANVIL_RUN_NPY_H

#include "anvil/runtime.h"

#include <stddef.h>
#include <stdint.h>

typedef struct npy_array {
  anvil_dtype_t dtype;
  int rank;
  int64_t dims[ANVIL_MAX_RANK];
  void *data; /* malloc'ed; at least 1 byte */
  size_t byte_size;
} npy_array_t;

/* Reads `path`; on failure returns 0 with a one-line reason in `err`. */
int npy_read(const char *path, npy_array_t *out, char *err, size_t err_size);

/* Writes a C-order little-endian array (bf16 is not a .npy type: convert it
   first); on failure returns 0 with a reason in `err`. */
int npy_write(const char *path, anvil_dtype_t dtype, int rank,
              const int64_t *dims, const void *data, char *err,
              size_t err_size);

/* Element conversions shared with anvil-run. */
float npy_half_to_float(uint16_t h);
uint16_t npy_float_to_half(float f);
float npy_bf16_to_float(uint16_t b);
uint16_t npy_float_to_bf16(float f);

/* Element i of a tensor of `dtype` as a double. */
double npy_element(anvil_dtype_t dtype, const void *data, size_t i);

#endif
