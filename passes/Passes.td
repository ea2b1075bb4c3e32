//===- Passes.td - Anvil passes ----------------------------*- tablegen -*-===//
#ifndef ANVIL_PASSES_TD
#define ANVIL_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Graph passes
//===----------------------------------------------------------------------===//

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

    ```mlir
    %n = anvil.constant dense<4> : tensor<i64>
    %r = anvil.range %c0, %n, %c1 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
    // becomes
    %r = anvil.constant dense<[0, 1, 2, 3]> : tensor<4xi64>
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

def AnvilOutlineDispatches : Pass<"anvil-outline-dispatches", "mlir::ModuleOp"> {
  let summary = "Turns each compute op of a bufferized model into a kernel and a dispatch.";
  let description = [{
    Runs on a module whose model function has been bufferized (memrefs). Every compute op
    (a linalg op, `memref.copy`, `memref.store`) is moved into its own kernel function
    `@kernel_N(buffers..., %wg_id: index, %wg_count: index)` and replaced in the model
    function by `anvil_kernel.dispatch`. The index arithmetic an op needs (dims,
    constants) is cloned into the kernel. Each kernel gets a default
    `#anvil_kernel.tuning` from heuristics: the parallel loop with the largest extent is
    spread over workgroups, and contractions get cache tiles. What remains in the model
    function is the schedule: allocations, views, size arithmetic and dispatches. An op
    that cannot be scheduled (for example a size read from tensor data) is an error at
    its ONNX node.

    ```mlir
    linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x10xf32>) outs(%c : memref<?x10xf32>)
    // becomes
    anvil_kernel.dispatch @kernel_0(%a, %b, %c) grid(%n) : memref<?x64xf32>, memref<64x10xf32>, memref<?x10xf32>
    ```
  }];
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

def AnvilTileKernels : Pass<"anvil-tile-kernels", "mlir::func::FuncOp"> {
  let summary = "Applies each kernel's TuningConfig: workgroup split, then cache tiles.";
  let description = [{
    For a kernel function carrying `#anvil_kernel.tuning`, splits the root op's
    `distribute_dim` loop into `wg_count` contiguous chunks and keeps the chunk of
    `wg_id` (so the runtime can run workgroups on different threads), then tiles the
    chunk by `tile_sizes`. Functions without a TuningConfig are left alone.

    ```mlir
    // distribute_dim = 0: the kernel computes rows [wg_id * c, min(n, (wg_id + 1) * c))
    // of the result, with c = ceildiv(n, wg_count)
    ```
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

#endif // ANVIL_PASSES_TD
