/*===- model.h - A loaded artifact (shared by model.c and session.c)
 * -------===*/
#ifndef ANVIL_RUNTIME_MODEL_H
#define ANVIL_RUNTIME_MODEL_H

#include "plan.h"
#include "thread_pool.h"

#include <stdatomic.h>

struct anvil_model {
  atomic_int refs; /* the caller's reference plus one per session */
  char *path;
  void *handle;     /* dlopen */
  uint8_t *weights; /* mapped read-only: kernels get non-const pointers */
  uint64_t weights_size;
  anvil_plan_t plan;
  anvil_kernel_fn *kernels; /* plan.num_kernels */
  /* plan.num_kernels names (the kernel functions' names the artifact
     records, or "kernel#K"), in one allocation with the pointers. */
  char **kernel_names;
  anvil_tensor_info_t *input_info, *output_info;
};

void anvil_model_retain(anvil_model_t *model);

/* Shapes of every buffer for given input dims, as computed by the session;
   see session.c. Used by anvil_model_output_shapes too. */
typedef struct anvil_buffer_shape {
  int64_t dims[ANVIL_PLAN_MAX_RANK];
  int64_t strides[ANVIL_PLAN_MAX_RANK]; /* elements */
  int64_t offset; /* elements from the start of the root buffer */
  uint64_t elems;
  uint64_t bytes; /* non-VIEW buffers: elems * dtype size */
} anvil_buffer_shape_t;

/* Checks the caller's inputs against the model: count, dtype, rank, static
   dims and (when `need_data`) data and byte_size. */
anvil_status_t anvil_check_inputs(const anvil_model_t *model,
                                  const anvil_tensor_t *inputs,
                                  size_t num_inputs, int need_data);

/* For checked inputs: evaluates every size into `values` (plan.num_exprs),
   checks the dims the plan ties together, and fills `shapes`
   (plan.num_buffers). */
anvil_status_t anvil_compute_shapes(const anvil_model_t *model,
                                    const anvil_tensor_t *inputs,
                                    int64_t *values,
                                    anvil_buffer_shape_t *shapes);

/* Fills `shapes` (plan.num_buffers) from evaluated sizes (`values`,
   plan.num_exprs) and checks what depends on them: view extents, COPY
   element counts, grid extents. Needs no model: the compiler calls it too. */
anvil_status_t anvil_plan_buffer_shapes(const anvil_plan_t *plan,
                                        const int64_t *values,
                                        anvil_buffer_shape_t *shapes);

/* Writes "[2,?,4]"-style text for dims (-1 as "?") into buf. */
void anvil_format_dims(char *buf, size_t size, const int64_t *dims, int rank);

#endif
