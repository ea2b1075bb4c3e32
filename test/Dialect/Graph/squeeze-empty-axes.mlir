// RUN: anvil-opt %s | FileCheck %s
// XFAIL: *
// BUG: SqueezeOp::verify infers the result with shape::reduce, which reads empty axes as
// "every axis", so squeeze with no axes must produce a 0-D tensor: the identity squeeze
// below is rejected ("result shape [2, 3] is incompatible with the inferred shape []") while
// `(tensor<2x3xf32>) -> tensor<f32>` verifies.

// squeeze removes exactly the listed dims, so an empty list removes none.
// CHECK-LABEL: func.func @squeeze_no_axes
// CHECK: anvil.squeeze %{{.+}} {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @squeeze_no_axes(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = anvil.squeeze %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
