// RUN: anvil-opt %s | FileCheck %s

// squeeze removes exactly the listed dims, so an empty list removes none.
// CHECK-LABEL: func.func @squeeze_no_axes
// CHECK: anvil.squeeze %{{.+}} {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @squeeze_no_axes(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = anvil.squeeze %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
