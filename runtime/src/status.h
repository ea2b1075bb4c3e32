/*===- status.h - Building anvil_status_t values
 * ----------------------------===*/
#ifndef ANVIL_RUNTIME_STATUS_H
#define ANVIL_RUNTIME_STATUS_H

#include "anvil/runtime.h"

#include <stdarg.h>

/* A status with a printf-formatted message. Never returns NULL: when memory
   for the message is missing it returns a static out-of-memory status. */
anvil_status_t anvil_make_status(anvil_status_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A new status "<prefix><message of st>" with st's code; frees st. */
anvil_status_t anvil_status_prefix(anvil_status_t st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define ANVIL_RETURN_IF_ERROR(expr)                                            \
  do {                                                                         \
    anvil_status_t status_ = (expr);                                           \
    if (status_)                                                               \
      return status_;                                                          \
  } while (0)

#endif
