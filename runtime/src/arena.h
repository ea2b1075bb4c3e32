/*===- arena.h - Placing intermediate tensors in one arena ----------------===*
 *
 * Every TEMP buffer of a plan lives from its first step to its last step
 * (inclusive). Placement gives each one an offset in a single arena so that
 * no two buffers live at the same step share a byte. Finding the smallest
 * such arena is NP-hard; several greedy heuristics are run and the smallest
 * result is kept. The lower bound -- the largest total size of buffers live
 * at one step -- says how far from ideal that result can be.
 *
 * Sizes are rounded up to ANVIL_ARENA_ALIGNMENT and offsets are multiples of
 * it. Everything here is deterministic: the same items give the same offsets.
 * The compiler links this file too (`anvil-compile --stats`), so it has C
 * linkage for C++ callers.
 *===----------------------------------------------------------------------===*/
#ifndef ANVIL_RUNTIME_ARENA_H
#define ANVIL_RUNTIME_ARENA_H

#include "anvil/runtime.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ANVIL_ARENA_ALIGNMENT 64

/* One buffer to place: `size` bytes, live from step `first` to step `last`
   (inclusive, first <= last). A buffer of size 0 gets offset 0 and no
   space. */
typedef struct anvil_arena_item {
  uint64_t size;
  uint32_t first, last;
} anvil_arena_item_t;

typedef enum anvil_arena_heuristic {
  /* Largest first, each at the lowest offset where it fits. */
  ANVIL_ARENA_GREEDY_BY_SIZE = 0,
  /* Largest first, each in the smallest gap where it fits. */
  ANVIL_ARENA_GREEDY_BY_SIZE_BEST_FIT = 1,
  /* Steps by decreasing total live bytes; at each, its unplaced buffers
     largest first, each in the smallest gap where it fits. */
  ANVIL_ARENA_GREEDY_BY_BREADTH = 2,
  /* Buffers by first step (then largest first), each in the smallest gap
     where it fits. */
  ANVIL_ARENA_BEST_FIT_IN_ORDER = 3,
  ANVIL_ARENA_NUM_HEURISTICS = 4
} anvil_arena_heuristic_t;

/* "greedy-by-size", ...; "unknown" for a value that is not a heuristic. */
const char *anvil_arena_heuristic_name(anvil_arena_heuristic_t heuristic);

/* The largest total (aligned) size of the items live at one step: no
   placement needs fewer bytes. */
anvil_status_t anvil_arena_lower_bound(const anvil_arena_item_t *items,
                                       size_t count, uint64_t *out_bound);

/* Places `count` items with one heuristic: offsets[i] for items[i], and the
   arena's size (the largest offset + aligned size). */
anvil_status_t anvil_arena_place(const anvil_arena_item_t *items, size_t count,
                                 anvil_arena_heuristic_t heuristic,
                                 uint64_t *offsets, uint64_t *out_size);

/* The result of anvil_arena_plan. */
typedef struct anvil_arena_layout {
  uint64_t size;
  uint64_t lower_bound;
  anvil_arena_heuristic_t heuristic; /* the one that gave `size` */
} anvil_arena_layout_t;

/* Runs every heuristic and keeps the smallest arena (the lowest-numbered
   heuristic on a tie): offsets[i] for items[i]. */
anvil_status_t anvil_arena_plan(const anvil_arena_item_t *items, size_t count,
                                uint64_t *offsets, anvil_arena_layout_t *out);

struct anvil_plan;
struct anvil_buffer_shape;

/* anvil_arena_plan over the TEMP buffers of `plan`, whose sizes are in
   `shapes` (plan->num_buffers entries): offsets[b] for each TEMP buffer b
   (other entries are left alone). */
anvil_status_t anvil_arena_plan_buffers(const struct anvil_plan *plan,
                                        const struct anvil_buffer_shape *shapes,
                                        uint64_t *offsets,
                                        anvil_arena_layout_t *out);

/* For `anvil-compile --stats`: parses the plan blob of an artifact (with
   `weights_size` bytes of weights) and plans its arena for inputs whose
   symbolic dims all equal `symbolic_dim`. */
anvil_status_t anvil_arena_plan_blob(const uint8_t *blob, size_t size,
                                     uint64_t weights_size,
                                     int64_t symbolic_dim,
                                     anvil_arena_layout_t *out);

#ifdef __cplusplus
}
#endif

#endif
