//===- Passes.td - Anvil passes ----------------------------*- tablegen -*-===//
#ifndef ANVIL_PASSES_TD
#define ANVIL_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Graph passes
//===----------------------------------------------------------------------===//

def AnvilConvLayout : Pass<"anvil-conv-layout", "mlir::func::FuncOp"> {
  let summary = "Makes 2-D convolutions channels-last (NHWC) and cancels the transposes.";
  let description = [{
    The CPU kernels of an NHWC convolution run register tiles of output pixels by
    output channels (contiguous in the result and in HWCF weights); an NCHW one only
    vectorizes the output width. A 2-D float convolution with a constant weight,
    `group` 1 or depthwise, and at least `min-channels` output channels is made
    channels-last: it becomes
    `transpose(NCHW → NHWC) · anvil.conv {channels_last} · transpose(NHWC → NCHW)`;
    its weight is re-laid out to HWCF here, at compile time (a new blob). The
    transposes back to NCHW then sink through elementwise ops (unary ones, and
    Add/Sub/Mul/Div/Max/Min whose other operand is transposed the same way or is a
    constant, which is re-laid out), 2-D max pooling (which becomes `channels_last`)
    and static keepdims ReduceMean/ReduceMax (global pooling; the reduced axes follow
    the permutation) until they meet the next convolution's transpose to NHWC and
    cancel. Only the model's edges and the ops that stay NCHW (flatten, ...) keep a
    layout conversion.

    ```mlir
    %y = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                            dilations = array<i64: 1, 1>, group = 1 : i64}
           : (tensor<?x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x56x56xf32>
    %r = anvil.relu %y : tensor<?x64x56x56xf32>
    // becomes
    %t = anvil.transpose %x {perm = array<i64: 0, 2, 3, 1>}
           : (tensor<?x64x56x56xf32>) -> tensor<?x56x56x64xf32>
    %c = anvil.conv %t, %w_hwcf {..., channels_last}
           : (tensor<?x56x56x64xf32>, tensor<3x3x64x64xf32>) -> tensor<?x56x56x64xf32>
    %a = anvil.relu %c : tensor<?x56x56x64xf32>
    %r = anvil.transpose %a {perm = array<i64: 0, 3, 1, 2>}
           : (tensor<?x56x56x64xf32>) -> tensor<?x64x56x56xf32>
    ```
  }];
  let options = [
    Option<"minChannels", "min-channels", "int64_t", /*default=*/"8",
           "Make a convolution channels-last only with at least this many output "
           "channels">,
  ];
}

def AnvilFoldConstants : Pass<"anvil-fold-constants", "mlir::func::FuncOp"> {
  let summary = "Evaluates anvil ops whose operands are all small inline constants.";
  let description = [{
    Exported models compute sizes, axes and scalars with elementwise ops on constants
    (Cast, Sub, Div, Range, comparisons, Not/And/Or). Code generation needs those values
    at compile time, so this pass evaluates Cast, Neg, Abs, Not, Sqrt, Add, Sub, Mul, Div
    (integers truncate; a division by zero is left alone), Max, Min, the comparisons,
    And/Or/Xor and Range whose operands are inline constants of at most 4096 elements,
    and replaces them by `anvil.constant`. Weights (dense resource blobs) are never
    touched. A folded Range gets its static length, and the shapes that become known
    flow forward: a reduction whose axes operand folds takes them as its attribute and
    its static result type, elementwise users get their broadcast shape, and the
    function's signature keeps the refined output types.

    Shape sub-graphs fold too. Gather, Slice, Concat, Reshape, Flatten, Squeeze and
    Unsqueeze of such constants are evaluated, and so are those that read only the
    static dims of an `anvil.shape` result, even when other dims are symbolic. A
    Reshape whose target is assembled from dims (PyTorch's Shape → Gather →
    Unsqueeze → Concat) gets a constant target that is right at every batch size: an
    entry reading dim j of the reshape's own input at position j becomes 0 (ONNX:
    copy the dim, when `allowzero` is unset), and a single remaining run-time entry
    becomes -1 when every other entry is known and non-zero. The shape arithmetic
    is then dead.

    ```mlir
    %n = anvil.constant dense<4> : tensor<i64>
    %r = anvil.range %c0, %n, %c1 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
    // becomes
    %r = anvil.constant dense<[0, 1, 2, 3]> : tensor<4xi64>

    %s = anvil.shape %x : (tensor<?x16x64xf32>) -> tensor<3xi64>
    %b = anvil.gather %s, %c0 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
    %b1 = anvil.unsqueeze %b {axes = array<i64: 0>} : (tensor<i64>) -> tensor<1xi64>
    %t = anvil.concat %b1, %c16, %c4, %c16 {axis = 0 : i64}
           : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
    %y = anvil.reshape %x, %t : (tensor<?x16x64xf32>, tensor<4xi64>) -> tensor<?x16x4x16xf32>
    // becomes
    %t = anvil.constant dense<[0, 16, 4, 16]> : tensor<4xi64>
    %y = anvil.reshape %x, %t : (tensor<?x16x64xf32>, tensor<4xi64>) -> tensor<?x16x4x16xf32>
    ```
  }];
}

def AnvilSimplifyGraph : Pass<"anvil-simplify-graph", "mlir::func::FuncOp"> {
  let summary = "Folds BatchNorm, bias adds and weight transposes into constant weights.";
  let description = [{
    Algebraic rewrites that move inference-time work to compile time (f32 weights):
    - BatchNormalization of a Conv result (the conv's only user) with constant
      weights, bias and statistics becomes one Conv with scaled weights and a bias;
      likewise after a Gemm, or a 2-D MatMul, with a constant 2-D weight (normalizing
      the columns; the result is a Gemm);
    - an Add of a constant that broadcasts to `[1, C, 1, ...]` to a single-use Conv
      result becomes (part of) the conv's bias;
    - a Transpose of a constant, of any size, becomes the re-laid-out constant, and a
      Gemm with `trans_a`/`trans_b` on a constant operand takes it pre-transposed;
    - a Reshape to its input's type whose constant target keeps every dim (explicit
      static sizes, 0 at its own position, one -1) and a 2-D Flatten at axis 1 are
      removed, also with a symbolic batch (the folders see only static shapes).

    Identity and inference Dropout never reach the graph (the importer forwards
    their input); Cast to the same type and static no-op reshapes are folders, run
    by `canonicalize`. Folded weights are new dense resource blobs.

    ```mlir
    %c = anvil.conv %x, %w {...} : (tensor<?x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<?x16x8x8xf32>
    %y = anvil.batch_norm %c, %s, %b, %m, %v : (...) -> tensor<?x16x8x8xf32>
    // becomes
    %y = anvil.conv %x, %w_bn, %b_bn {...}
           : (tensor<?x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

def ConvertAnvilToLinalg : Pass<"convert-anvil-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lowers anvil graph ops to linalg on tensors (arith/math bodies).";
  let description = [{
    Rewrites the anvil ops that have a lowering into `linalg`, `tensor`, `arith` and
    `math` ops on tensors (patterns grouped by category in `codegen/GraphToLinalg/`:
    `Elementwise.cpp`, `Tensor.cpp`, `NN.cpp`, `Reduction.cpp`). Elementwise ops become
    `linalg.generic` with numpy broadcasting spelled out in the indexing maps; matmul,
    convolution and pooling use named linalg ops where one exists; reductions use reduction
    iterators; data movement (reshape, concat, slice, pad, gather, ...) uses `tensor` ops or
    generics. Result sizes come only from `tensor.dim` and index arithmetic, never from tensor
    data: shape sub-graphs (`shape → gather → concat → reshape`) are first evaluated
    symbolically (`ShapeEvaluation.cpp`), and an op whose sizes depend on data is refused.
    Ops without a lowering are reported with their ONNX node location and the pass fails.

    ```mlir
    %0 = anvil.add %x, %b : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
    // becomes a linalg.generic over (d0, d1) reading %b through (d0, d1) -> (d1)
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect", "mlir::math::MathDialect"];
}

//===----------------------------------------------------------------------===//
// CPU code generation
//===----------------------------------------------------------------------===//

def AnvilFuseLinalg : Pass<"anvil-fuse-linalg", "mlir::func::FuncOp"> {
  let summary = "Fuses linalg ops on tensors: adds into contractions, elementwise chains, pads.";
  let description = [{
    Runs on linalg on tensors, before bufferization:
    - an elementwise add of a convolution or contraction result that starts from zero
      becomes the contraction's starting value (bias and residual adds vanish; the
      addend is broadcast into the accumulator);
    - an elementwise producer with one user is fused into that user (one loop nest,
      every input read once);
    - a constant `tensor.pad` of a linalg op's result becomes a fill of the padded
      shape (placed before that op) and an `insert_slice`; with
      `eliminate-empty-tensors`, which the CPU pipeline runs next, the op then writes
      the interior of the padded buffer and no copy is made;
    - a `linalg.fill` or `tensor.empty` that several ops use as their init is
      duplicated, so that bufferization never copies an init.

    ```mlir
    %c = linalg.matmul ins(%a, %b) outs(%zero)      // %zero = fill 0.0
    %r = linalg.generic {addf} ins(%c, %bias) ...   // bias broadcast over rows
    // becomes
    %init = linalg.generic {broadcast} ins(%bias) ...
    %r = linalg.matmul ins(%a, %b) outs(%init)
    ```

    Grouping the fused ops into dispatches happens after bufferization, in
    `--anvil-outline-dispatches`.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect", "mlir::arith::ArithDialect"];
}

def AnvilOutlineDispatches : Pass<"anvil-outline-dispatches", "mlir::ModuleOp"> {
  let summary = "Turns each compute op of a bufferized model into a kernel and a dispatch.";
  let description = [{
    Runs on a module whose model function has been bufferized (memrefs). Compute ops
    (linalg ops, `memref.copy`, `memref.store`) are moved into kernel functions
    `@kernel_N(buffers..., %wg_id: index, %wg_count: index)` and replaced in the model
    function by `anvil_kernel.dispatch`. A run of consecutive compute ops becomes one
    kernel (a fused dispatch) when one loop of each op can be split over workgroups
    with the same extent so that every buffer one of them writes and another touches
    is split along the same allocation dim at the same offset: each workgroup then
    only reads what it wrote itself (a convolution, its epilogue and the fill and copy
    that pad the next layer's input, all split by output channel). Small ops
    (under 65536 iterations together; under 98304 when the kernel runs an NHWC
    depthwise conv or max pooling op and the ops past 65536 are not a second op with
    a reduction loop) also share one kernel, unsplit, or split by a symbolic loop
    (the batch) when every op of it can be, with provably one extent (the same
    size source), and it runs at least 2048 iterations per image (one workgroup at
    batch 1; whole images per thread at larger batches). An op whose split loop is a
    constant multiple of the batch (traced through collapses and expands of the batch
    with static dims, and size products and exact quotients) may join such a kernel
    too, when every buffer two ops share is split along one allocation dim at the same
    offset and the same whole number of its elements an image (seen through those
    reshapes) and the op's register tile divides its elements an image: a matmul over
    the rows of a batch of 16-token sequences between ops over [batch, 16, ...]
    (transformer_encoder) takes 16 rows an image, recorded on it (the root too) as
    `anvil_kernel.distribute_factor`, and the grid is the root's extent divided by its
    factor; so does a small op alone
    (a fill, copy, transpose or elementwise op; its one loop has one extent through
    any view), such as BERT-base's zero fill of a 128 x 3072 matmul output, whose
    symbolic rows are its batch and sequence. Before
    grouping, a padded buffer's border fill moves after the op writing the interior,
    and an elementwise op reading a convolution's output moves up to the convolution,
    past ops that touch nothing it touches (the host is reordered to match); an op
    that only initializes a convolution's output (a fill or bias broadcast) starts
    that convolution's kernel and splits as the convolution does. A convolution or matmul
    that packs its weights splits rows unless its weights outweigh its input and
    output together, and a split that interleaves the cache lines of an output of
    4 KiB and more than one row (each workgroup writing a slice of every row, as a
    split by the channels of NHWC does) ranks low: two cores storing interleaved slices of one
    buffer run slower than one (`anvil-bench-split`). The op with
    the most work is the root (`anvil_kernel.root`); the others record their split
    loop in `anvil_kernel.distribute_dim`; a convolution (or depthwise convolution)
    whose output no later dispatch reads is marked `anvil_kernel.scratch_output`. `group-dispatches=false` outlines one op per
    kernel. The index arithmetic an op needs (dims, constants) is cloned into the
    kernel. Each kernel gets a default `#anvil_kernel.tuning` from heuristics: a lone
    op splits its parallel loop with the largest static extent, a group the split
    that lets it grow longest (ties: the larger extent); f32 matmuls get 64 x 256 x 1024
    cache tiles (64 x 256 x 256 when B is computed at run time and packed on the stack)
    and an 8 x 32 register tile (4 x 64 when the columns are a multiple of 64, the
    target has 32 vector registers and the module's constants total more than
    `large-weights-bytes`, 32 MiB: weights that come from memory on every run stream
    faster in 64-column panels; in such a module a convolution of at most 49 output
    pixels, a 7x7 layer, whose channels are a multiple of 64 gets one 64-channel block
    of 4-pixel-row tiles too), channels-last f32 convolutions a register
    tile of output pixels by 32 channels (the fewest tiles of at most 8 pixels that cover an
    output row, as even as possible) and 256-channel reduction blocks (with a constant
    filter, all of a 1x1 filter's channels, or a filter row's taps merged, or else all
    of a filter's channels, when such a block's packed weights take at most 256 KiB:
    one pass per block;
    register
    tiles are two vectors wide and have as many rows, up to 8, as leave room for a row of
    B and a broadcast: 8 x 32 with AVX-512's 32 x 16 lanes, the default
    `vector-registers` and `vector-lanes`; 6 x 16 with AVX2's 16 x 8, which anvil-compile
    sets from `--cpu`; both
    unroll their register loop 4 reduction steps when 4 divides the reduction; 1x1
    stride-1 convolutions first become
    matmuls on collapsed views), and other contractions and convolutions put their
    unit-stride output loop innermost. What remains in the model
    function is the schedule: allocations, views, size arithmetic and dispatches. An op
    that cannot be scheduled (for example a size read from tensor data) is an error at
    its ONNX node.

    ```mlir
    linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x10xf32>) outs(%c : memref<?x10xf32>)
    // becomes
    anvil_kernel.dispatch @kernel_0(%a, %b, %c) grid(%n) : memref<?x64xf32>, memref<64x10xf32>, memref<?x10xf32>
    ```
  }];
  let options = [
    Option<"groupDispatches", "group-dispatches", "bool", /*default=*/"true",
           "Put runs of compute ops that can share a workgroup split into one kernel">,
    Option<"vectorLanes", "vector-lanes", "int64_t", /*default=*/"16",
           "f32 lanes of the target's vector registers (16: AVX-512, 8: AVX2, 4: SSE); "
           "the default register tiles are two vectors wide">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"32",
           "Vector registers of the target (32: AVX-512, 16: AVX2 and SSE); the default "
           "register tiles' accumulators, a row of B and a broadcast fit in them">,
    Option<"largeWeightsBytes", "large-weights-bytes", "int64_t", /*default=*/"33554432",
           "Constant tensors (memref.global constants) totalling more than this many bytes "
           "do not stay cached from one run to the next: f32 matmuls whose columns are a "
           "multiple of four vectors, and convolutions of at most 49 output pixels whose "
           "channels are, then get a 4-row, four-vector register tile (4 x 64 on "
           "AVX-512) where the registers allow; 0: never">,
  ];
  let dependentDialects = ["anvil::kernel::KernelDialect", "mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def AnvilSignlessIntegers : Pass<"anvil-signless-integers", "mlir::ModuleOp"> {
  let summary = "Rewrites unsigned integer tensors as signless ones before bufferization.";
  let description = [{
    The graph keeps ONNX's unsigned element types (`ui8` ...), and the linalg lowering
    computes on signless integers with `tensor.bitcast` at the edges. Bufferization has
    no rule for `tensor.bitcast`, and after lowering the signedness lives in the ops
    (`arith.divui`, `arith.cmpi ult`), so this pass retypes every unsigned tensor as
    signless and drops the bitcasts that become no-ops. The model function's arguments
    and results remember their ONNX element type in `anvil.element_type`, which is what
    the runtime reports and checks.

    ```mlir
    %0 = tensor.bitcast %arg0 : tensor<4xui8> to tensor<4xi8>
    // %arg0 becomes tensor<4xi8> {anvil.element_type = ui8}; uses of %0 use %arg0
    ```
  }];
}

def AnvilPackWeights : Pass<"anvil-pack-weights", "mlir::ModuleOp"> {
  let summary = "Stores constant matmul weights and conv filters as register-tile panels at compile time.";
  let description = [{
    A matmul whose TuningConfig has cache blocks and a register tile of w columns
    (`vector_sizes = [mr, w, ku]`) copies each block of its B operand into w-column
    panels before the register tiles read it, on every run; so does a channels-last
    convolution with each block of its filter, per tap or per filter row. When B is a
    constant weight (`memref.global constant`) that kernels read only as the B operand
    of such matmuls, with one panel width and K, N static, this pass re-lays the weight
    out as panels `[N/w][K][w]` once (a new blob; the global keeps its `[K x N]` type
    and gets `anvil_kernel.packed_panels = w`), and marks each kernel argument it
    reaches with `anvil_kernel.packed_panels = w`; TileKernels then reads the panels in
    place. When N is not a multiple of w (but at least w), the last panel's columns
    past N are zeros: the global becomes `[K x N']` (N' the next multiple of w) and its
    readers, host and kernels, see its first N columns, `memref<K x N, strided<[N',
    1]>>` (a subview after each `memref.get_global`). A constant `[KH][KW][C][F]` filter read only by
    such convolutions (F a multiple of w) is stored the same way as KH matrices of
    `[KW*C x F]`, one per filter row: `[KH][F/w][KW*C][w]`; a conv reads tap (kh, kw)'s
    channels at rows `kw*C` onward of row kh's panels, or the whole filter row when its
    taps merge into one reduction. A weight that anything else reads (another
    kernel's other operand, a host copy) is left alone. Runs on the kernels-stage
    module with its final TuningConfigs, before the plan is extracted.

    ```mlir
    memref.global "private" constant @w : memref<768x3072xf32> = dense_resource<w>
    func.func @kernel_1(%a: memref<128x768xf32>, %b: memref<768x3072xf32>, ...)
        attributes {anvil_kernel.tuning = #anvil_kernel.tuning<distribute_dim = 1,
                    tile_sizes = [64, 256, 1024], loop_order = [], vector_sizes = [8, 32, 4]>}
    // becomes
    memref.global "private" constant @w : memref<768x3072xf32> = dense_resource<w_panels32>
        {anvil_kernel.packed_panels = 32 : i64}
    func.func @kernel_1(%a: memref<128x768xf32>,
                        %b: memref<768x3072xf32> {anvil_kernel.packed_panels = 32 : i64}, ...)
    ```
  }];
}

def AnvilTileKernels : Pass<"anvil-tile-kernels", "mlir::func::FuncOp"> {
  let summary = "Applies each kernel's TuningConfig: workgroup split, then cache tiles.";
  let description = [{
    For a kernel function carrying `#anvil_kernel.tuning`, splits the root op's
    `distribute_dim` loop into `wg_count` contiguous chunks and keeps the chunk of
    `wg_id` (so the runtime can run workgroups on different threads), then tiles the
    chunk by `tile_sizes`. With `vector_sizes` (f32 matmuls, and channels-last
    convolutions, which first become one `[OW x C] x [C x F]` matmul per output row
    and filter tap; depthwise ones, and channels-last max pooling, keep one
    accumulator vector per output pixel across the filter window), each tile is cut into register tiles: the full ones are
    vectorized, their accumulator is read before the reduction loop, carried through
    it in registers and written after it, and the contraction becomes broadcast
    FMAs; partial tiles at the edges too, with narrower vectors, when their sizes are
    static (else they stay scalar loops). Workgroup chunks then start at
    multiples of the register tile, so results do not depend on the thread count.
    In a kernel split by images (an op carries `anvil_kernel.distribute_factor` F,
    its split loop's elements an image; 1 if absent), the workgroup's images,
    ceildiv(root extent / F, wg_count), are computed once, and each op runs them one
    image at a time as static tiles of F elements (transformer_encoder: its matmuls 16
    static rows, whole register tiles); an op's register tile along the loop must
    divide its F (else an error).
    A matmul of fewer than 16 rows (a classifier at batch 1; with a symbolic row
    count, chosen at run time) reads B in place (or its compile-time panels): its
    rows go in parts, whole register tiles of the config's rows, then a tile each of
    4, 2 and 1 row(s) for the rest; one-row tiles are twice the config's columns wide
    (at most 128). With a symbolic row count the parts run block by block of B
    (`nc` x `kc`, the reduction's blocks peeled): the first part reads a block from
    memory, the others from the cache.
    Block fusion: in a fused kernel whose root is a weight-packing convolution or a
    register-tiled depthwise one, the op right before it that only initializes its
    output (a bias broadcast) and the elementwise ops right after it that read the
    output element for element (relu, relu6, a residual add) run on each output block
    where it is computed, not as passes over the whole output. A packed conv that
    makes one pass per output block (all its input channels in one `kc` block, or a
    filter row's taps merged; and a filter of one tap or one merged row, or prepacked
    weights, whose taps each register tile accumulates, see below) runs them on each
    register tile
    (`[1 x 1 x rows x cols]`), its init before the tile's matmul and the others after
    it; one of several passes (taps, or channel blocks) on its `[1 x 1 x OW x nb]` row
    block, the init at the first channel block and tap, the others after the last,
    pixel by pixel in vectors. A depthwise conv runs them on each register tile
    (`[1 x 1 x 8 x 16]` by default; a whole row of 9 to 14 pixels with 32 vector
    registers). When the convolution is `anvil_kernel.scratch_output` and makes one pass
    per block (a depthwise one always does), each tile lives in a scratch block on
    the stack, which LLVM keeps in registers, and the output is never written
    (MobileNetV2's depthwise layers 1.3-1.8x faster, the model 1.05x, than writing
    and re-reading the output per tile; with the packed 1x1 convs per register tile
    too, ResNet-50's 1x1 convs 1.1-1.5x and MobileNetV2's 1.1-1.8x faster than per
    row block, the models 1.04x and 1.13x).
    A packed conv of several taps (or filter rows of merged taps) that reads
    prepacked weights accumulates all of them in each register tile: the taps'
    loops run inside the tile, around its reduction loop, and its accumulators stay
    in registers across them (a batch-reduce tile), so the conv makes one pass per
    output block and channel block instead of one per tap, and with all its
    channels in one block its fused ops run on each register tile as for a 1x1
    filter (ResNet-50's 7x7 stem 1.3x faster, its 3x3 convs 1.02-1.1x, the model
    1.04x at batch 8). It runs the images of a batch one after another.
    An op of a kernel that reduces along its innermost loop only into f32 (its inputs
    f32, bf16 or f16), a static extent
    of at most 4096, reading each operand along it contiguously or not at all and
    folding each element into its output with an add, a multiply or a min/max (a
    softmax's row max and sum, a layer norm's mean and variance, ReduceSum over the
    last axis), root or not, is tiled to single rows, each vectorized whole: read as
    one vector, its body computed on it, and folded with `vector.reduction` (sums
    and products in any order, a tree of vector ops). Left to
    `convert-linalg-to-loops` it was a scalar loop that stored its output element at
    every step: BERT-base's softmax (exp and sum) and layer-norm kernels ran 2.6-3.7x
    faster, its attention-score kernel (with the row max) 1.5x, the model 1.05x.
    A transpose that keeps its contiguous dim in place (a split of attention heads)
    copies a row at a time the same way, when its rows have a static length (LLVM
    had copied them element by element: BERT-base's attention kernels 1.1x faster);
    one that moves it goes by 16x16 blocks transposed in registers.
    Functions without a TuningConfig are left alone.

    ```mlir
    // distribute_dim = 0: the kernel computes rows [wg_id * c, min(n, (wg_id + 1) * c))
    // of the result, with c = ceildiv(n, wg_count)
    ```
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect",
                           "mlir::vector::VectorDialect"];
}

#endif // ANVIL_PASSES_TD
