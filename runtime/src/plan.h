/*===- plan.h - The execution plan, parsed and validated
 *--------------------===*
 *
 * anvil_plan_parse turns the plan blob of an artifact (see
 * anvil/plan_format.h) into these structs and checks every index, so that
 * the rest of the runtime can trust them. It knows nothing about ELF or
 * dlopen, which keeps it easy to fuzz.
 *===----------------------------------------------------------------------===*/
#ifndef ANVIL_RUNTIME_PLAN_H
#define ANVIL_RUNTIME_PLAN_H

#include "anvil/plan_format.h"
#include "anvil/runtime.h"

#include <stddef.h>
#include <stdint.h>

typedef struct anvil_expr_op {
  uint32_t opcode;
  int64_t operand;
} anvil_expr_op_t;

typedef struct anvil_expr {
  uint32_t first_op; /* index into anvil_plan_t.ops */
  uint32_t num_ops;
} anvil_expr_t;

typedef struct anvil_plan_buffer {
  uint8_t kind;  /* anvil_plan_buffer_kind */
  uint8_t dtype; /* anvil_dtype_t */
  uint16_t rank;
  uint32_t ref;
  int64_t dims[ANVIL_PLAN_MAX_RANK];    /* sizes: >= 0 constant, < 0 expr */
  int64_t strides[ANVIL_PLAN_MAX_RANK]; /* VIEW only */
  int64_t offset;
  uint64_t byte_size;
  uint32_t first_step, last_step;
  /* Derived: the non-VIEW buffer whose memory this buffer uses (itself for
     a non-VIEW buffer). */
  uint32_t root;
} anvil_plan_buffer_t;

typedef struct anvil_plan_io {
  uint32_t buffer;
  char *name; /* NUL-terminated copy */
} anvil_plan_io_t;

typedef struct anvil_plan_step {
  uint32_t kind; /* anvil_plan_step_kind */
  /* KERNEL */
  uint32_t kernel;
  uint32_t grid_kind;
  int64_t grid_extent; /* a size */
  uint32_t num_args;
  uint32_t first_arg; /* index into anvil_plan_t.args */
  /* COPY */
  uint32_t src, dst;
} anvil_plan_step_t;

typedef struct anvil_plan {
  uint32_t num_exprs, num_buffers, num_inputs, num_outputs, num_steps,
      num_kernels;
  uint32_t num_ops, num_args;
  anvil_expr_t *exprs;
  anvil_expr_op_t *ops;
  anvil_plan_buffer_t *buffers;
  anvil_plan_io_t *inputs;
  anvil_plan_io_t *outputs;
  anvil_plan_step_t *steps;
  uint32_t *args;
} anvil_plan_t;

/* Parses and validates `size` bytes at `data`; constants must lie within
   `weights_size` bytes. On success `*out` owns its arrays (free them with
   anvil_plan_destroy); on failure `*out` is left empty. */
anvil_status_t anvil_plan_parse(const uint8_t *data, size_t size,
                                uint64_t weights_size, anvil_plan_t *out);
void anvil_plan_destroy(anvil_plan_t *plan);

/* Whether expression `e` is exactly INPUT_DIM(input, dim): such an input dim
   is free (the caller chooses it). */
int anvil_plan_is_free_dim(const anvil_plan_t *plan, int64_t size,
                           uint32_t input, uint32_t dim);

/* Evaluates every expression for inputs of the given dims (input i's dims
   at input_dims[i * ANVIL_PLAN_MAX_RANK]) into values[0 .. num_exprs). */
anvil_status_t anvil_plan_eval_exprs(const anvil_plan_t *plan,
                                     const int64_t *input_dims,
                                     int64_t *values);

/* The value of a size (a constant, or an expression's value). */
static inline int64_t anvil_plan_size(int64_t size, const int64_t *values) {
  return size >= 0 ? size : values[-(size + 1)];
}

#endif
