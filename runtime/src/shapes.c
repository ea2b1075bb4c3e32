/*===- shapes.c - Checking inputs and computing every buffer's shape -------===*
 *
 * Everything here depends only on the inputs' shapes, so a session caches
 * the result and redoes it only when they change. All arithmetic on sizes
 * is overflow-checked: a caller may pass any int64 as a symbolic dim.
 *===----------------------------------------------------------------------===*/
#include "model.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void anvil_format_dims(char *buf, size_t size, const int64_t *dims, int rank) {
  size_t n = 0;
  n += (size_t)snprintf(buf, size, "[");
  for (int d = 0; d < rank && n < size; ++d) {
    if (dims[d] < 0)
      n += (size_t)snprintf(buf + n, size - n, "%s?", d ? "," : "");
    else
      n += (size_t)snprintf(buf + n, size - n, "%s%lld", d ? "," : "",
                            (long long)dims[d]);
  }
  if (n < size)
    snprintf(buf + n, size - n, "]");
}

static const char *dtype_text(anvil_dtype_t dtype, char *buf, size_t size) {
  if (anvil_dtype_size(dtype))
    return anvil_dtype_name(dtype);
  snprintf(buf, size, "invalid (%d)", (int)dtype);
  return buf;
}

/* elems = product of dims and bytes = elems * elem_size, both <= INT64_MAX. */
static int count_elems(const int64_t *dims, int rank, size_t elem_size,
                       uint64_t *elems, uint64_t *bytes) {
  uint64_t n = 1;
  int zero = 0;
  for (int d = 0; d < rank; ++d) {
    if (dims[d] == 0)
      zero = 1;
    else if (__builtin_mul_overflow(n, (uint64_t)dims[d], &n) || n > INT64_MAX)
      return 0;
  }
  /* Even an empty tensor must have strides that fit in int64. */
  if (zero)
    n = 0;
  *elems = n;
  return !__builtin_mul_overflow(n, elem_size, bytes) && *bytes <= INT64_MAX;
}

/* Checks one input's dtype, rank and static dims, and its memory. */
static anvil_status_t check_input(const anvil_model_t *m, uint32_t i,
                                  const anvil_tensor_t *t, int need_data) {
  const anvil_tensor_info_t *info = &m->input_info[i];
  char want[160], got[160], dt[32];
  anvil_format_dims(want, sizeof want, info->dims, info->rank);
  if (t->dtype != info->dtype)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "input '%s': expected dtype %s, got %s",
                             info->name, anvil_dtype_name(info->dtype),
                             dtype_text(t->dtype, dt, sizeof dt));
  if (t->rank < 0 || t->rank > ANVIL_MAX_RANK)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "input '%s': rank %d is out of range", info->name,
                             t->rank);
  anvil_format_dims(got, sizeof got, t->dims, t->rank);
  if (t->rank != info->rank)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "input '%s': expected rank %d (shape %s), got "
                             "rank %d",
                             info->name, info->rank, want, t->rank);
  for (int d = 0; d < t->rank; ++d) {
    if (t->dims[d] < 0)
      return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                               "input '%s': dim %d is negative (%lld)",
                               info->name, d, (long long)t->dims[d]);
    if (info->dims[d] >= 0 && t->dims[d] != info->dims[d])
      return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                               "input '%s': expected shape %s (dtype %s), got "
                               "%s",
                               info->name, want, anvil_dtype_name(info->dtype),
                               got);
  }
  uint64_t elems, bytes;
  if (!count_elems(t->dims, t->rank, anvil_dtype_size(t->dtype), &elems,
                   &bytes))
    return anvil_make_status(ANVIL_STATUS_OUT_OF_RANGE,
                             "input '%s': shape %s is too large", info->name,
                             got);
  if (!need_data)
    return NULL;
  if (!t->data && bytes > 0)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "input '%s': data is NULL", info->name);
  if (t->byte_size < bytes)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "input '%s': byte_size is %zu, but shape %s (%s) "
                             "needs %llu bytes",
                             info->name, t->byte_size, got,
                             anvil_dtype_name(info->dtype),
                             (unsigned long long)bytes);
  return NULL;
}

/* Checks the input dims that the plan ties to other dims (e.g. a second
   input's batch that must equal the first's). */
static anvil_status_t check_tied_dims(const anvil_model_t *m,
                                      const anvil_tensor_t *inputs,
                                      const int64_t *values) {
  const anvil_plan_t *p = &m->plan;
  for (uint32_t i = 0; i < p->num_inputs; ++i) {
    const anvil_plan_buffer_t *buf = &p->buffers[p->inputs[i].buffer];
    for (uint32_t d = 0; d < buf->rank; ++d) {
      int64_t size = buf->dims[d];
      if (size >= 0 || anvil_plan_is_free_dim(p, size, i, d))
        continue;
      int64_t want = anvil_plan_size(size, values);
      if (inputs[i].dims[d] == want)
        continue;
      int64_t dims[ANVIL_MAX_RANK];
      for (int k = 0; k < buf->rank; ++k)
        dims[k] = anvil_plan_is_free_dim(p, buf->dims[k], i, k)
                      ? inputs[i].dims[k]
                      : anvil_plan_size(buf->dims[k], values);
      char want_s[160], got_s[160];
      anvil_format_dims(want_s, sizeof want_s, dims, buf->rank);
      anvil_format_dims(got_s, sizeof got_s, inputs[i].dims, buf->rank);
      return anvil_make_status(
          ANVIL_STATUS_INVALID_ARGUMENT,
          "input '%s': expected shape %s (dtype %s; dim %u is tied to the "
          "other inputs' dims), got %s",
          p->inputs[i].name, want < 0 ? "with a negative dim" : want_s,
          anvil_dtype_name((anvil_dtype_t)buf->dtype), d, got_s);
    }
  }
  return NULL;
}

/* The shape of one buffer; views after their bases. */
static anvil_status_t buffer_shape(const anvil_plan_t *p, uint32_t b,
                                   const int64_t *values,
                                   anvil_buffer_shape_t *shapes) {
  const anvil_plan_buffer_t *buf = &p->buffers[b];
  anvil_buffer_shape_t *sh = &shapes[b];
  for (int d = 0; d < buf->rank; ++d) {
    sh->dims[d] = anvil_plan_size(buf->dims[d], values);
    if (sh->dims[d] < 0)
      return anvil_make_status(ANVIL_STATUS_OUT_OF_RANGE,
                               "buffer %u: dim %d is %lld for these input "
                               "shapes",
                               b, d, (long long)sh->dims[d]);
  }
  if (!count_elems(sh->dims, buf->rank,
                   anvil_dtype_size((anvil_dtype_t)buf->dtype), &sh->elems,
                   &sh->bytes))
    return anvil_make_status(ANVIL_STATUS_OUT_OF_RANGE,
                             "buffer %u: size overflows for these input shapes",
                             b);
  if (buf->kind != ANVIL_BUFFER_VIEW) {
    int64_t stride = 1;
    for (int d = buf->rank - 1; d >= 0; --d) {
      sh->strides[d] = stride;
      if (__builtin_mul_overflow(stride, sh->dims[d] ? sh->dims[d] : 1,
                                 &stride))
        return anvil_make_status(ANVIL_STATUS_OUT_OF_RANGE,
                                 "buffer %u: strides overflow for these input "
                                 "shapes",
                                 b);
    }
    sh->offset = 0;
    return NULL;
  }
  /* A VIEW: offset and strides count elements from its base's first element
     (base offsets accumulate); every element it can address must lie inside
     the root buffer. */
  const anvil_buffer_shape_t *base = &shapes[buf->ref];
  const anvil_buffer_shape_t *root = &shapes[buf->root];
  int64_t lo, hi;
  int ok = !__builtin_add_overflow(base->offset,
                                   anvil_plan_size(buf->offset, values), &lo);
  sh->offset = lo;
  hi = lo;
  for (int d = 0; d < buf->rank && ok; ++d) {
    sh->strides[d] = anvil_plan_size(buf->strides[d], values);
    int64_t span;
    if (sh->dims[d] == 0)
      continue;
    ok =
        !__builtin_mul_overflow(sh->dims[d] - 1, sh->strides[d], &span) &&
        !__builtin_add_overflow(span < 0 ? lo : hi, span, span < 0 ? &lo : &hi);
  }
  if (!ok)
    return anvil_make_status(ANVIL_STATUS_OUT_OF_RANGE,
                             "buffer %u: view extent overflows for these input "
                             "shapes",
                             b);
  if (sh->elems > 0 && (lo < 0 || (uint64_t)hi >= root->elems))
    return anvil_make_status(ANVIL_STATUS_OUT_OF_RANGE,
                             "buffer %u: view addresses elements [%lld, %lld] "
                             "of buffer %u, which has %llu elements",
                             b, (long long)lo, (long long)hi, buf->root,
                             (unsigned long long)root->elems);
  return NULL;
}

anvil_status_t anvil_check_inputs(const anvil_model_t *m,
                                  const anvil_tensor_t *inputs,
                                  size_t num_inputs, int need_data) {
  const anvil_plan_t *p = &m->plan;
  if (num_inputs != p->num_inputs)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "expected %u input%s, got %zu", p->num_inputs,
                             p->num_inputs == 1 ? "" : "s", num_inputs);
  if (!inputs && num_inputs > 0)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT, "inputs is NULL");
  for (uint32_t i = 0; i < p->num_inputs; ++i)
    ANVIL_RETURN_IF_ERROR(check_input(m, i, &inputs[i], need_data));
  return NULL;
}

anvil_status_t anvil_compute_shapes(const anvil_model_t *m,
                                    const anvil_tensor_t *inputs,
                                    int64_t *values,
                                    anvil_buffer_shape_t *shapes) {
  const anvil_plan_t *p = &m->plan;
  int64_t *dims =
      calloc((size_t)p->num_inputs * ANVIL_MAX_RANK + 1, sizeof *dims);
  if (!dims)
    return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (uint32_t i = 0; i < p->num_inputs; ++i)
    memcpy(&dims[i * ANVIL_MAX_RANK], inputs[i].dims,
           sizeof(int64_t) * (size_t)inputs[i].rank);
  anvil_status_t st = anvil_plan_eval_exprs(p, dims, values);
  free(dims);
  if (!st)
    st = check_tied_dims(m, inputs, values);
  if (!st)
    st = anvil_plan_buffer_shapes(p, values, shapes);
  return st;
}

anvil_status_t anvil_plan_buffer_shapes(const anvil_plan_t *p,
                                        const int64_t *values,
                                        anvil_buffer_shape_t *shapes) {
  anvil_status_t st = NULL;
  for (uint32_t b = 0; b < p->num_buffers && !st; ++b)
    st = buffer_shape(p, b, values, shapes);
  for (uint32_t s = 0; s < p->num_steps && !st; ++s) {
    const anvil_plan_step_t *step = &p->steps[s];
    if (step->kind == ANVIL_STEP_COPY &&
        shapes[step->src].elems != shapes[step->dst].elems)
      st = anvil_make_status(ANVIL_STATUS_OUT_OF_RANGE,
                             "step %u: COPY of %llu elements into %llu for "
                             "these input shapes",
                             s, (unsigned long long)shapes[step->src].elems,
                             (unsigned long long)shapes[step->dst].elems);
    if (step->kind == ANVIL_STEP_KERNEL && step->grid_kind == 1 &&
        anvil_plan_size(step->grid_extent, values) < 0)
      st = anvil_make_status(
          ANVIL_STATUS_OUT_OF_RANGE,
          "step %u: grid extent is %lld for these input "
          "shapes",
          s, (long long)anvil_plan_size(step->grid_extent, values));
  }
  return st;
}

anvil_status_t anvil_model_output_shapes(const anvil_model_t *model,
                                         const anvil_tensor_t *inputs,
                                         size_t num_inputs,
                                         anvil_tensor_t *outputs,
                                         size_t num_outputs) {
  if (!model)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "anvil_model_output_shapes: model is NULL");
  const anvil_plan_t *p = &model->plan;
  if (num_outputs != p->num_outputs)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "expected %u output%s, got %zu", p->num_outputs,
                             p->num_outputs == 1 ? "" : "s", num_outputs);
  if (!outputs && num_outputs > 0)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "anvil_model_output_shapes: outputs is NULL");
  int64_t *values = calloc(p->num_exprs + 1, sizeof *values);
  anvil_buffer_shape_t *shapes = calloc(p->num_buffers + 1, sizeof *shapes);
  anvil_status_t st = anvil_check_inputs(model, inputs, num_inputs, 0);
  if (!st && (!values || !shapes))
    st = anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  if (!st)
    st = anvil_compute_shapes(model, inputs, values, shapes);
  for (uint32_t o = 0; o < p->num_outputs && !st; ++o) {
    uint32_t b = p->outputs[o].buffer;
    outputs[o].dtype = (anvil_dtype_t)p->buffers[b].dtype;
    outputs[o].rank = p->buffers[b].rank;
    memcpy(outputs[o].dims, shapes[b].dims, sizeof outputs[o].dims);
    outputs[o].byte_size = (size_t)shapes[b].bytes;
  }
  free(values);
  free(shapes);
  return st;
}
