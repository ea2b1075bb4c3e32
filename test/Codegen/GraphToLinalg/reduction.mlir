// RUN: anvil-opt %s --convert-anvil-to-linalg -split-input-file | FileCheck %s

// ArgMax carries (value, index) through one generic with two outputs; the index starts
// at INT64_MAX so that any tie with a real element wins (first index by default).
// CHECK-LABEL: func.func @argmax
// CHECK: linalg.fill ins(%{{.+}} : i64)
// CHECK: %[[R:.+]]:2 = linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf uno
// CHECK: return %[[R]]#1 : tensor<?xi64>
func.func @argmax(%x: tensor<?x10xf32>) -> tensor<?xi64> {
  %r = anvil.arg_max %x {axis = 1 : i64, keepdims = false} : (tensor<?x10xf32>) -> tensor<?xi64>
  return %r : tensor<?xi64>
}

// -----

// A mean over a dynamic dim divides by the element count taken from tensor.dim.
// CHECK-LABEL: func.func @reduce_mean_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>)
// CHECK: %[[D:.+]] = tensor.dim %[[X]], %c0
// CHECK: %[[N:.+]] = arith.index_cast %[[D]] : index to i64
// CHECK: arith.sitofp %[[N]] : i64 to f32
// CHECK: arith.divf
func.func @reduce_mean_dynamic(%x: tensor<?x8xf32>) -> tensor<1x8xf32> {
  %r = anvil.reduce_mean %x {axes = array<i64: 0>} : (tensor<?x8xf32>) -> tensor<1x8xf32>
  return %r : tensor<1x8xf32>
}

// -----

// Integer reductions use integer identities and ops.
// CHECK-LABEL: func.func @reduce_max_int
// CHECK: arith.constant -2147483648 : i32
// CHECK: arith.maxsi
func.func @reduce_max_int(%x: tensor<4x8xi32>) -> tensor<4xi32> {
  %r = anvil.reduce_max %x {axes = array<i64: 1>, keepdims = false} : (tensor<4x8xi32>) -> tensor<4xi32>
  return %r : tensor<4xi32>
}

// -----

// A run-time axes list of static length 0 is known empty: with noop_with_empty_axes the
// reduction is the identity.
// CHECK-LABEL: func.func @reduce_noop
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %{{.+}}: tensor<0xi64>)
// CHECK-NEXT: return %[[X]]
func.func @reduce_noop(%x: tensor<4x8xf32>, %a: tensor<0xi64>) -> tensor<4x8xf32> {
  %r = anvil.reduce_sum %x, %a {axes = array<i64>, noop_with_empty_axes = true} : (tensor<4x8xf32>, tensor<0xi64>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// TopK ranks every element along the axis (how many come before it), then output
// position r takes the element of rank r and its index.
// CHECK-LABEL: func.func @top_k
// CHECK: %[[R:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%{{.+}} : tensor<3x4xi64>)
// CHECK: arith.cmpf ogt
// CHECK: linalg.generic {{.+}} ins(%[[R]], %{{.+}} : tensor<3x4xi64>, tensor<3x4xf32>) outs(%{{.+}}, %{{.+}} : tensor<3x2xf32>, tensor<3x2xi64>)
func.func @top_k(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %k = anvil.constant dense<2> : tensor<1xi64>
  %v, %i = anvil.top_k %x, %k {axis = 1 : i64, largest = true, sorted = true} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %v, %i : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

// Unsigned TopK (smallest first) compares without sign.
// CHECK-LABEL: func.func @top_k_smallest_unsigned
// CHECK: arith.cmpi ult
func.func @top_k_smallest_unsigned(%x: tensor<5xui64>) -> (tensor<2xui64>, tensor<2xi64>) {
  %k = anvil.constant dense<2> : tensor<1xi64>
  %v, %i = anvil.top_k %x, %k {axis = 0 : i64, largest = false, sorted = true} : (tensor<5xui64>, tensor<1xi64>) -> (tensor<2xui64>, tensor<2xi64>)
  return %v, %i : tensor<2xui64>, tensor<2xi64>
}
