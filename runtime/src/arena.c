/*===- arena.c - Placing intermediate tensors in one arena ----------------===*
 *
 * Each heuristic is an order in which to place the buffers plus a rule for
 * choosing among the gaps that the already-placed, simultaneously live
 * buffers leave: the lowest gap that fits (first fit) or the smallest one
 * (best fit); a buffer that fits in no gap goes above them all. Placing one
 * buffer looks at every placed one, so a heuristic costs O(n^2 log n) for n
 * buffers, which is cheap next to running a model.
 *===----------------------------------------------------------------------===*/
#include "arena.h"

#include "model.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

#define ALIGN_MASK ((uint64_t)ANVIL_ARENA_ALIGNMENT - 1)

static anvil_status_t out_of_memory(void) {
  return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED, "out of memory");
}

static anvil_status_t too_large(void) {
  return anvil_make_status(ANVIL_STATUS_OUT_OF_RANGE,
                           "intermediate tensors are too large for these "
                           "input shapes");
}

const char *anvil_arena_heuristic_name(anvil_arena_heuristic_t heuristic) {
  switch (heuristic) {
  case ANVIL_ARENA_GREEDY_BY_SIZE:
    return "greedy-by-size";
  case ANVIL_ARENA_GREEDY_BY_SIZE_BEST_FIT:
    return "greedy-by-size-best-fit";
  case ANVIL_ARENA_GREEDY_BY_BREADTH:
    return "greedy-by-breadth";
  case ANVIL_ARENA_BEST_FIT_IN_ORDER:
    return "best-fit-in-order";
  default:
    return "unknown";
  }
}

/* Checks the items and rounds their sizes up to the alignment. */
static anvil_status_t aligned_sizes(const anvil_arena_item_t *items,
                                    size_t count, uint64_t *sizes) {
  for (size_t i = 0; i < count; ++i) {
    if (items[i].first > items[i].last)
      return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                               "arena item %zu: first step %u is after its "
                               "last step %u",
                               i, items[i].first, items[i].last);
    if (items[i].size > UINT64_MAX - ALIGN_MASK)
      return too_large();
    sizes[i] = (items[i].size + ALIGN_MASK) & ~ALIGN_MASK;
  }
  return NULL;
}

static int live_together(const anvil_arena_item_t *a,
                         const anvil_arena_item_t *b) {
  return a->first <= b->last && b->first <= a->last;
}

/*===--- Lower bound ------------------------------------------------------===*/

typedef struct event {
  uint64_t step; /* 64-bit: an end event is at last + 1 */
  uint64_t size;
  int starts;
} event_t;

static int by_step(const void *a, const void *b) {
  const event_t *x = a, *y = b;
  if (x->step != y->step)
    return x->step < y->step ? -1 : 1;
  if (x->starts != y->starts) /* ends first: a buffer is gone at last + 1 */
    return x->starts - y->starts;
  return x->size < y->size ? -1 : x->size > y->size;
}

static anvil_status_t lower_bound(const anvil_arena_item_t *items,
                                  const uint64_t *sizes, size_t count,
                                  uint64_t *out_bound) {
  event_t *events = calloc(2 * count + 1, sizeof *events);
  if (!events)
    return out_of_memory();
  size_t n = 0;
  for (size_t i = 0; i < count; ++i) {
    if (!sizes[i])
      continue;
    events[n++] = (event_t){items[i].first, sizes[i], 1};
    events[n++] = (event_t){(uint64_t)items[i].last + 1, sizes[i], 0};
  }
  qsort(events, n, sizeof *events, by_step);
  uint64_t live = 0, bound = 0;
  int overflow = 0;
  for (size_t k = 0; k < n && !overflow; ++k) {
    if (events[k].starts)
      overflow = __builtin_add_overflow(live, events[k].size, &live);
    else
      live -= events[k].size;
    if (live > bound)
      bound = live;
  }
  free(events);
  if (overflow)
    return too_large();
  *out_bound = bound;
  return NULL;
}

anvil_status_t anvil_arena_lower_bound(const anvil_arena_item_t *items,
                                       size_t count, uint64_t *out_bound) {
  if ((!items && count) || !out_bound)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "anvil_arena_lower_bound: %s is NULL",
                             out_bound ? "items" : "out_bound");
  uint64_t *sizes = calloc(count + 1, sizeof *sizes);
  if (!sizes)
    return out_of_memory();
  anvil_status_t st = aligned_sizes(items, count, sizes);
  if (!st)
    st = lower_bound(items, sizes, count, out_bound);
  free(sizes);
  return st;
}

/*===--- Placement orders -------------------------------------------------===*/

/* Items are placed in increasing (major, minor, id) order. */
typedef struct order_key {
  uint64_t major, minor;
  uint32_t id;
} order_key_t;

static int by_key(const void *a, const void *b) {
  const order_key_t *x = a, *y = b;
  if (x->major != y->major)
    return x->major < y->major ? -1 : 1;
  if (x->minor != y->minor)
    return x->minor < y->minor ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

typedef struct step_breadth {
  uint32_t step;
  uint64_t bytes; /* live at the step; saturates */
} step_breadth_t;

static int by_breadth(const void *a, const void *b) {
  const step_breadth_t *x = a, *y = b;
  if (x->bytes != y->bytes)
    return x->bytes > y->bytes ? -1 : 1;
  return x->step < y->step ? -1 : x->step > y->step;
}

/* Greedy by breadth: a buffer's major key is the rank, by decreasing live
   bytes, of the widest step it is live at. Only steps where some buffer
   starts need be considered: the buffers live at any step are all live at
   the latest such step before it. */
static anvil_status_t breadth_keys(const anvil_arena_item_t *items,
                                   const uint64_t *sizes, size_t count,
                                   order_key_t *keys) {
  step_breadth_t *steps = calloc(count + 1, sizeof *steps);
  if (!steps)
    return out_of_memory();
  size_t num_steps = 0;
  for (size_t i = 0; i < count; ++i) {
    keys[i].major = UINT64_MAX;
    if (!sizes[i])
      continue;
    int seen = 0;
    for (size_t k = 0; k < num_steps && !seen; ++k)
      seen = steps[k].step == items[i].first;
    if (!seen)
      steps[num_steps++].step = items[i].first;
  }
  for (size_t k = 0; k < num_steps; ++k)
    for (size_t i = 0; i < count; ++i)
      if (sizes[i] && items[i].first <= steps[k].step &&
          steps[k].step <= items[i].last &&
          __builtin_add_overflow(steps[k].bytes, sizes[i], &steps[k].bytes))
        steps[k].bytes = UINT64_MAX;
  qsort(steps, num_steps, sizeof *steps, by_breadth);
  for (size_t k = 0; k < num_steps; ++k)
    for (size_t i = 0; i < count; ++i)
      if (keys[i].major == UINT64_MAX && sizes[i] &&
          items[i].first <= steps[k].step && steps[k].step <= items[i].last)
        keys[i].major = k;
  free(steps);
  return NULL;
}

static anvil_status_t order_items(const anvil_arena_item_t *items,
                                  const uint64_t *sizes, size_t count,
                                  anvil_arena_heuristic_t heuristic,
                                  order_key_t *keys) {
  for (size_t i = 0; i < count; ++i) {
    keys[i].id = (uint32_t)i;
    keys[i].major = 0;
    keys[i].minor = UINT64_MAX - sizes[i]; /* larger first */
  }
  if (heuristic == ANVIL_ARENA_GREEDY_BY_BREADTH)
    ANVIL_RETURN_IF_ERROR(breadth_keys(items, sizes, count, keys));
  else if (heuristic == ANVIL_ARENA_BEST_FIT_IN_ORDER)
    for (size_t i = 0; i < count; ++i)
      keys[i].major = items[i].first;
  qsort(keys, count, sizeof *keys, by_key);
  return NULL;
}

/*===--- Placement --------------------------------------------------------===*/

typedef struct range {
  uint64_t begin, end;
} range_t;

static int by_begin(const void *a, const void *b) {
  const range_t *x = a, *y = b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  return x->end < y->end ? -1 : x->end > y->end;
}

/* The offset for item i among the `num_placed` items already placed that
   are live with it; `busy` has room for them. Returns 0 on overflow. */
static int choose_offset(const anvil_arena_item_t *items, const uint64_t *sizes,
                         const uint64_t *offsets, const uint32_t *placed,
                         size_t num_placed, uint32_t i, int best_fit,
                         range_t *busy, uint64_t *out_offset) {
  size_t n = 0;
  for (size_t k = 0; k < num_placed; ++k) {
    uint32_t j = placed[k];
    if (live_together(&items[i], &items[j]))
      busy[n++] = (range_t){offsets[j], offsets[j] + sizes[j]};
  }
  qsort(busy, n, sizeof *busy, by_begin);
  uint64_t top = 0, best = 0, best_gap = UINT64_MAX;
  int found = 0;
  for (size_t k = 0; k < n; ++k) {
    if (busy[k].begin > top) {
      uint64_t gap = busy[k].begin - top;
      if (gap >= sizes[i] && gap < best_gap) {
        best = top;
        best_gap = gap;
        found = 1;
        if (!best_fit)
          break;
      }
    }
    if (busy[k].end > top)
      top = busy[k].end;
  }
  uint64_t end;
  *out_offset = found ? best : top;
  return !__builtin_add_overflow(*out_offset, sizes[i], &end);
}

static anvil_status_t place(const anvil_arena_item_t *items,
                            const uint64_t *sizes, size_t count,
                            anvil_arena_heuristic_t heuristic,
                            uint64_t *offsets, uint64_t *out_size) {
  order_key_t *keys = calloc(count + 1, sizeof *keys);
  uint32_t *placed = calloc(count + 1, sizeof *placed);
  range_t *busy = calloc(count + 1, sizeof *busy);
  anvil_status_t st = NULL;
  if (!keys || !placed || !busy)
    st = out_of_memory();
  if (!st)
    st = order_items(items, sizes, count, heuristic, keys);
  int best_fit = heuristic != ANVIL_ARENA_GREEDY_BY_SIZE;
  uint64_t size = 0;
  size_t num_placed = 0;
  for (size_t k = 0; k < count && !st; ++k) {
    uint32_t i = keys[k].id;
    offsets[i] = 0;
    if (!sizes[i])
      continue;
    if (!choose_offset(items, sizes, offsets, placed, num_placed, i, best_fit,
                       busy, &offsets[i])) {
      st = too_large();
      break;
    }
    placed[num_placed++] = i;
    if (offsets[i] + sizes[i] > size)
      size = offsets[i] + sizes[i];
  }
  free(keys);
  free(placed);
  free(busy);
  if (!st)
    *out_size = size;
  return st;
}

static anvil_status_t check_args(const anvil_arena_item_t *items, size_t count,
                                 const uint64_t *offsets, const void *out,
                                 const char *fn) {
  const char *missing = !items && count     ? "items"
                        : !offsets && count ? "offsets"
                        : !out              ? "the result pointer"
                                            : NULL;
  if (missing)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT, "%s: %s is NULL",
                             fn, missing);
  if (count > UINT32_MAX)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "%s: %zu items is too many", fn, count);
  return NULL;
}

anvil_status_t anvil_arena_place(const anvil_arena_item_t *items, size_t count,
                                 anvil_arena_heuristic_t heuristic,
                                 uint64_t *offsets, uint64_t *out_size) {
  ANVIL_RETURN_IF_ERROR(check_args(items, count, offsets, out_size, __func__));
  if ((unsigned)heuristic >= ANVIL_ARENA_NUM_HEURISTICS)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "%s: %d is not a placement heuristic", __func__,
                             (int)heuristic);
  uint64_t *sizes = calloc(count + 1, sizeof *sizes);
  if (!sizes)
    return out_of_memory();
  anvil_status_t st = aligned_sizes(items, count, sizes);
  if (!st)
    st = place(items, sizes, count, heuristic, offsets, out_size);
  free(sizes);
  return st;
}

anvil_status_t anvil_arena_plan(const anvil_arena_item_t *items, size_t count,
                                uint64_t *offsets, anvil_arena_layout_t *out) {
  ANVIL_RETURN_IF_ERROR(check_args(items, count, offsets, out, __func__));
  uint64_t *sizes = calloc(count + 1, sizeof *sizes);
  uint64_t *trial = calloc(count + 1, sizeof *trial);
  anvil_status_t st = !sizes || !trial ? out_of_memory() : NULL;
  if (!st)
    st = aligned_sizes(items, count, sizes);
  anvil_arena_layout_t best = {UINT64_MAX, 0, ANVIL_ARENA_GREEDY_BY_SIZE};
  if (!st)
    st = lower_bound(items, sizes, count, &best.lower_bound);
  for (int h = 0; h < ANVIL_ARENA_NUM_HEURISTICS && !st; ++h) {
    uint64_t size;
    st = place(items, sizes, count, (anvil_arena_heuristic_t)h, trial, &size);
    if (st || size >= best.size)
      continue;
    best.size = size;
    best.heuristic = (anvil_arena_heuristic_t)h;
    if (count) /* offsets may be NULL then */
      memcpy(offsets, trial, count * sizeof *trial);
    if (size == best.lower_bound)
      break; /* optimal: no heuristic can do better */
  }
  free(sizes);
  free(trial);
  if (!st)
    *out = best;
  return st;
}

/*===--- Plans ------------------------------------------------------------===*/

anvil_status_t anvil_arena_plan_buffers(const anvil_plan_t *plan,
                                        const anvil_buffer_shape_t *shapes,
                                        uint64_t *offsets,
                                        anvil_arena_layout_t *out) {
  anvil_arena_item_t *items = calloc(plan->num_buffers + 1, sizeof *items);
  uint32_t *ids = calloc(plan->num_buffers + 1, sizeof *ids);
  uint64_t *placed = calloc(plan->num_buffers + 1, sizeof *placed);
  anvil_status_t st = !items || !ids || !placed ? out_of_memory() : NULL;
  size_t n = 0;
  for (uint32_t b = 0; b < plan->num_buffers && !st; ++b) {
    const anvil_plan_buffer_t *buf = &plan->buffers[b];
    if (buf->kind != ANVIL_BUFFER_TEMP)
      continue;
    items[n] =
        (anvil_arena_item_t){shapes[b].bytes, buf->first_step, buf->last_step};
    ids[n++] = b;
  }
  if (!st)
    st = anvil_arena_plan(items, n, placed, out);
  for (size_t k = 0; k < n && !st; ++k)
    offsets[ids[k]] = placed[k];
  free(items);
  free(ids);
  free(placed);
  return st;
}

anvil_status_t anvil_arena_plan_blob(const uint8_t *blob, size_t size,
                                     uint64_t weights_size,
                                     int64_t symbolic_dim,
                                     anvil_arena_layout_t *out) {
  if (!blob || !out)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "anvil_arena_plan_blob: %s is NULL",
                             blob ? "out" : "blob");
  anvil_plan_t plan;
  ANVIL_RETURN_IF_ERROR(anvil_plan_parse(blob, size, weights_size, &plan));
  int64_t *dims =
      calloc((size_t)plan.num_inputs * ANVIL_PLAN_MAX_RANK + 1, sizeof *dims);
  int64_t *values = calloc(plan.num_exprs + 1, sizeof *values);
  anvil_buffer_shape_t *shapes = calloc(plan.num_buffers + 1, sizeof *shapes);
  uint64_t *offsets = calloc(plan.num_buffers + 1, sizeof *offsets);
  anvil_status_t st =
      !dims || !values || !shapes || !offsets ? out_of_memory() : NULL;
  for (uint32_t i = 0; i < plan.num_inputs && !st; ++i) {
    const anvil_plan_buffer_t *buf = &plan.buffers[plan.inputs[i].buffer];
    for (uint32_t d = 0; d < buf->rank; ++d)
      dims[i * ANVIL_PLAN_MAX_RANK + d] =
          buf->dims[d] >= 0 ? buf->dims[d] : symbolic_dim;
  }
  if (!st)
    st = anvil_plan_eval_exprs(&plan, dims, values);
  if (!st)
    st = anvil_plan_buffer_shapes(&plan, values, shapes);
  if (!st)
    st = anvil_arena_plan_buffers(&plan, shapes, offsets, out);
  free(dims);
  free(values);
  free(shapes);
  free(offsets);
  anvil_plan_destroy(&plan);
  return st;
}
