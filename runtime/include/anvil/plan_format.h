// clang-format off
/*===- anvil/plan_format.h - Layout of an Anvil artifact's execution plan -===*
 *
 * The contract between `anvil-compile` (which writes artifacts) and
 * `libanvil_runtime` (which reads them). A serving system never needs this
 * header; it exists so that both sides, and tests that build artifacts by
 * hand, agree on one definition.
 *
 * An artifact is an ELF shared object exporting:
 *   anvil_plan_begin / anvil_plan_end        the plan blob described below
 *   anvil_weights_begin / anvil_weights_end  constant tensors (64-byte aligned)
 *   anvil_kernel_names_begin / _end          optional: num_kernels NUL-terminated
 *     kernel names in kernel order (what profiles call them; without them, or
 *     with a count that differs, the runtime names kernels "kernel#K")
 *   anvil_kernel_<K>  (K = 0, 1, ...)        one function per kernel:
 *       void anvil_kernel_K(void **args, int64_t wg_id, int64_t wg_count);
 *     args[i] points to the memref descriptor of the step's i-th buffer:
 *       int64_t { allocated_ptr, aligned_ptr, offset, sizes[rank], strides[rank] }
 *     (offset and strides count elements). A kernel run with wg_count = W is
 *     called once for each wg_id in [0, W); the calls may run concurrently and
 *     together compute the whole step.
 *
 * Plan blob: little-endian, packed, read with bounds checks (no alignment).
 *   header   char magic[8] = ANVIL_PLAN_MAGIC; u32 version = ANVIL_PLAN_VERSION;
 *            u32 num_exprs, num_buffers, num_inputs, num_outputs, num_steps, num_kernels
 *   exprs    num_exprs x { u32 num_ops; num_ops x { u32 opcode; u32 reserved; i64 operand } }
 *            Reverse-Polish programs over int64 computing one size each
 *            (see anvil_plan_opcode). Must leave exactly one value on the stack.
 *   buffers  num_buffers x {
 *              u8 kind (anvil_plan_buffer_kind); u8 dtype (anvil_dtype_t code);
 *              u16 rank (<= ANVIL_PLAN_MAX_RANK); u32 ref;
 *              i64 dims[rank];
 *              i64 strides[rank]   -- present only for VIEW;
 *              i64 offset;         -- VIEW: element offset into base; CONSTANT: byte
 *                                     offset into the weights; otherwise 0
 *              u64 byte_size;      -- CONSTANT: bytes; otherwise 0
 *              u32 first_step, last_step  -- TEMP: steps (inclusive) using it
 *            }
 *            ref: INPUT/OUTPUT = index in the input/output list; VIEW = id of
 *            the buffer it views (smaller than its own id); otherwise 0.
 *            Every dim, stride and offset is a "size": a value >= 0 is a
 *            constant, a value < 0 names expression (-value - 1).
 *            INPUT/OUTPUT/CONSTANT/TEMP buffers are contiguous row-major.
 *   inputs   num_inputs  x { u32 buffer; u32 name_len; char name[name_len] }
 *   outputs  num_outputs x { u32 buffer; u32 name_len; char name[name_len] }
 *   steps    num_steps x { u32 kind (anvil_plan_step_kind); ... }
 *              KERNEL: u32 kernel; u32 grid_kind; i64 grid_extent (a size);
 *                      u32 num_args; u32 args[num_args] (buffer ids)
 *                grid_kind 0: one workgroup; 1: the runtime picks
 *                wg_count = clamp(threads, 1, grid_extent) (0 extent: skip).
 *              COPY:   u32 src; u32 dst  (same element size and count; the
 *                      bytes are copied, so the dtypes may differ)
 *
 * An input's dim that is an expression INPUT_DIM(own input, own dim) is free
 * (symbolic): the caller chooses it. Any other expression in an input's dims
 * is a constraint the caller's shape must satisfy.
 *===----------------------------------------------------------------------===*/
// clang-format on
#ifndef ANVIL_PLAN_FORMAT_H
#define ANVIL_PLAN_FORMAT_H

#define ANVIL_PLAN_MAGIC "ANVLPLN1"
#define ANVIL_PLAN_VERSION 1u
#define ANVIL_PLAN_MAX_RANK 8
#define ANVIL_PLAN_MAX_STACK 64

typedef enum anvil_plan_opcode {
  ANVIL_EXPR_CONST = 0, /* push operand */
  /* push dim (operand & 0xffff) of input (operand >> 16) */
  ANVIL_EXPR_INPUT_DIM = 1,
  ANVIL_EXPR_ADD = 2,      /* pop b, pop a, push a + b */
  ANVIL_EXPR_SUB = 3,      /* a - b */
  ANVIL_EXPR_MUL = 4,      /* a * b */
  ANVIL_EXPR_FLOORDIV = 5, /* floor(a / b); b == 0 is an error */
  ANVIL_EXPR_CEILDIV = 6,  /* ceil(a / b); b == 0 is an error */
  ANVIL_EXPR_MOD = 7,      /* a - b * floor(a / b); b == 0 is an error */
  ANVIL_EXPR_MIN = 8,
  ANVIL_EXPR_MAX = 9,
  ANVIL_EXPR_SELECT_NEG = 10 /* pop c, pop b, pop a, push a < 0 ? b : c */
} anvil_plan_opcode;

typedef enum anvil_plan_buffer_kind {
  ANVIL_BUFFER_INPUT = 0,
  ANVIL_BUFFER_OUTPUT = 1,
  ANVIL_BUFFER_CONSTANT = 2,
  ANVIL_BUFFER_TEMP = 3,
  ANVIL_BUFFER_VIEW = 4
} anvil_plan_buffer_kind;

typedef enum anvil_plan_step_kind {
  ANVIL_STEP_KERNEL = 0,
  ANVIL_STEP_COPY = 1
} anvil_plan_step_kind;

/* Element type codes, shared with anvil_dtype_t in runtime.h. */
enum {
  ANVIL_PLAN_DTYPE_F32 = 1,
  ANVIL_PLAN_DTYPE_F64 = 2,
  ANVIL_PLAN_DTYPE_F16 = 3,
  ANVIL_PLAN_DTYPE_BF16 = 4,
  ANVIL_PLAN_DTYPE_I8 = 5,
  ANVIL_PLAN_DTYPE_I16 = 6,
  ANVIL_PLAN_DTYPE_I32 = 7,
  ANVIL_PLAN_DTYPE_I64 = 8,
  ANVIL_PLAN_DTYPE_U8 = 9,
  ANVIL_PLAN_DTYPE_U16 = 10,
  ANVIL_PLAN_DTYPE_U32 = 11,
  ANVIL_PLAN_DTYPE_U64 = 12,
  ANVIL_PLAN_DTYPE_BOOL = 13 /* one byte per element, 0 or 1 */
};

#endif /* ANVIL_PLAN_FORMAT_H */
