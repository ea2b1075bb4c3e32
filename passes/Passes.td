//===- Passes.td - Anvil passes ----------------------------*- tablegen -*-===//
#ifndef ANVIL_PASSES_TD
#define ANVIL_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

def ConvertAnvilToLinalg : Pass<"convert-anvil-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lowers anvil graph ops to linalg on tensors (arith/math bodies).";
  let description = [{
    Rewrites the anvil ops that have a lowering into `linalg` ops on tensors:
    elementwise math and activations become `linalg.generic` with numpy broadcasting
    expressed in the indexing maps; reductions over constant axes become `linalg.generic`
    with reduction iterators (keepdims through `tensor.expand_shape`); `anvil.matmul` of
    2-D operands becomes `linalg.matmul`, `anvil.transpose` `linalg.transpose`, and
    `anvil.constant` `arith.constant`; 2-D single-group convolution becomes
    `linalg.conv_2d_nchw_fchw` and depthwise convolution `linalg.depthwise_conv_2d_nchw_chw`
    (zero padding via `tensor.pad`, bias in the accumulator), clip a max/min generic, cast
    the matching `arith` conversion,
    2-D max pooling `linalg.pooling_nchw_max` (-inf padding), batch norm one
    `linalg.generic`, flatten `tensor.collapse_shape`. Softmax and Gemm are first
    rewritten into those anvil ops. Ops without a lowering yet are reported with their ONNX node location and
    the pass fails.

    ```mlir
    %0 = anvil.add %x, %b : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
    // becomes a linalg.generic over (d0, d1) reading %b through (d0, d1) -> (d1)
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect", "mlir::math::MathDialect"];
}

#endif // ANVIL_PASSES_TD
