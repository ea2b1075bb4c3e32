/*===- status.c - Status values and dtype helpers
 * ---------------------------===*/
#include "status.h"

#include "anvil/plan_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct anvil_status {
  anvil_status_code_t code;
  char message[]; /* NUL-terminated */
};

/* Returned when a status cannot be allocated; anvil_status_free ignores it.
   Its message is a separate static so that the flexible member stays empty. */
static struct anvil_status out_of_memory_status = {
    ANVIL_STATUS_RESOURCE_EXHAUSTED};
static const char out_of_memory_message[] = "out of memory";

static anvil_status_t make_status_v(anvil_status_code_t code,
                                    const char *prefix, const char *fmt,
                                    va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0)
    n = 0;
  size_t prefix_len = prefix ? strlen(prefix) : 0;
  anvil_status_t st = malloc(sizeof(*st) + prefix_len + (size_t)n + 1);
  if (!st)
    return &out_of_memory_status;
  st->code = code;
  if (prefix_len)
    memcpy(st->message, prefix, prefix_len);
  vsnprintf(st->message + prefix_len, (size_t)n + 1, fmt, ap);
  return st;
}

anvil_status_t anvil_make_status(anvil_status_code_t code, const char *fmt,
                                 ...) {
  va_list ap;
  va_start(ap, fmt);
  anvil_status_t st = make_status_v(code, NULL, fmt, ap);
  va_end(ap);
  return st;
}

anvil_status_t anvil_status_prefix(anvil_status_t st, const char *fmt, ...) {
  char prefix[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  anvil_status_t out = anvil_make_status(anvil_status_code(st), "%s%s", prefix,
                                         anvil_status_message(st));
  anvil_status_free(st);
  return out;
}

const char *anvil_status_message(anvil_status_t status) {
  if (!status)
    return "OK";
  if (status == &out_of_memory_status)
    return out_of_memory_message;
  return status->message;
}

anvil_status_code_t anvil_status_code(anvil_status_t status) {
  return status ? status->code : ANVIL_STATUS_OK;
}

void anvil_status_free(anvil_status_t status) {
  if (status != &out_of_memory_status)
    free(status);
}

/*===--- Element types ----------------------------------------------------===*/

_Static_assert((int)ANVIL_DTYPE_F32 == (int)ANVIL_PLAN_DTYPE_F32 &&
                   (int)ANVIL_DTYPE_F64 == (int)ANVIL_PLAN_DTYPE_F64 &&
                   (int)ANVIL_DTYPE_F16 == (int)ANVIL_PLAN_DTYPE_F16 &&
                   (int)ANVIL_DTYPE_BF16 == (int)ANVIL_PLAN_DTYPE_BF16 &&
                   (int)ANVIL_DTYPE_I8 == (int)ANVIL_PLAN_DTYPE_I8 &&
                   (int)ANVIL_DTYPE_I16 == (int)ANVIL_PLAN_DTYPE_I16 &&
                   (int)ANVIL_DTYPE_I32 == (int)ANVIL_PLAN_DTYPE_I32 &&
                   (int)ANVIL_DTYPE_I64 == (int)ANVIL_PLAN_DTYPE_I64 &&
                   (int)ANVIL_DTYPE_U8 == (int)ANVIL_PLAN_DTYPE_U8 &&
                   (int)ANVIL_DTYPE_U16 == (int)ANVIL_PLAN_DTYPE_U16 &&
                   (int)ANVIL_DTYPE_U32 == (int)ANVIL_PLAN_DTYPE_U32 &&
                   (int)ANVIL_DTYPE_U64 == (int)ANVIL_PLAN_DTYPE_U64 &&
                   (int)ANVIL_DTYPE_BOOL == (int)ANVIL_PLAN_DTYPE_BOOL,
               "anvil_dtype_t must match the plan's dtype codes");
_Static_assert(ANVIL_MAX_RANK == ANVIL_PLAN_MAX_RANK,
               "the API's rank limit must match the plan's");

static const struct {
  const char *name;
  size_t size;
} dtype_table[] = {
    [ANVIL_DTYPE_F32] = {"f32", 4},   [ANVIL_DTYPE_F64] = {"f64", 8},
    [ANVIL_DTYPE_F16] = {"f16", 2},   [ANVIL_DTYPE_BF16] = {"bf16", 2},
    [ANVIL_DTYPE_I8] = {"i8", 1},     [ANVIL_DTYPE_I16] = {"i16", 2},
    [ANVIL_DTYPE_I32] = {"i32", 4},   [ANVIL_DTYPE_I64] = {"i64", 8},
    [ANVIL_DTYPE_U8] = {"u8", 1},     [ANVIL_DTYPE_U16] = {"u16", 2},
    [ANVIL_DTYPE_U32] = {"u32", 4},   [ANVIL_DTYPE_U64] = {"u64", 8},
    [ANVIL_DTYPE_BOOL] = {"bool", 1},
};

static int valid_dtype(anvil_dtype_t dtype) {
  return (int)dtype >= ANVIL_DTYPE_F32 && (int)dtype <= ANVIL_DTYPE_BOOL;
}

const char *anvil_dtype_name(anvil_dtype_t dtype) {
  return valid_dtype(dtype) ? dtype_table[dtype].name : "invalid";
}

size_t anvil_dtype_size(anvil_dtype_t dtype) {
  return valid_dtype(dtype) ? dtype_table[dtype].size : 0;
}
