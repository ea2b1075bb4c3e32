// RUN: anvil-opt %s --convert-anvil-to-linalg -split-input-file | FileCheck %s

// A reduction runs a linalg.generic with reduction iterators into the kept dims, from the
// reduction's identity; keepdims re-inserts the size-1 dim with expand_shape.
// CHECK-LABEL: func.func @reduce_max_keepdims
// CHECK: %[[NEG:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[NEG]] : f32) outs(%{{.+}} : tensor<2x4xf32>)
// CHECK: %[[R:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "reduction", "parallel"]{{.+}} outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.expand_shape %[[R]] {{\[}}[0, 1], [2]] output_shape [2, 1, 4] : tensor<2x4xf32> into tensor<2x1x4xf32>
func.func @reduce_max_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = anvil.reduce_max %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// Leading reduced dims join the first kept dim when the result is expanded.
// CHECK-LABEL: func.func @reduce_sum_leading
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1, 2]] output_shape [1, 3, 1] : tensor<3xf32> into tensor<1x3x1xf32>
func.func @reduce_sum_leading(%x: tensor<2x3x4xf32>) -> tensor<1x3x1xf32> {
  %0 = anvil.reduce_sum %x {axes = array<i64: 0, 2>} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

// A mean divides the sum by the number of reduced elements; without keepdims nothing is
// expanded.
// CHECK-LABEL: func.func @reduce_mean
// CHECK: %[[N:.+]] = arith.constant 6.000000e+00 : f32
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.divf %{{.+}}, %[[N]] : f32
// CHECK-NOT: tensor.expand_shape
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> tensor<4xf32> {
  %0 = anvil.reduce_mean %x {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Softmax is max-subtracted exp over its sum, all along the axis.
// CHECK-LABEL: func.func @softmax
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK-NOT: anvil.
func.func @softmax(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = anvil.softmax %x {axis = -1 : i64} : tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// -----

// Gemm with trans_b, alpha and a bias: transpose, matmul, scale, broadcast add.
// CHECK-LABEL: func.func @gemm
// CHECK: linalg.transpose ins(%{{.+}} : tensor<10x64xf32>) outs(%{{.+}} : tensor<64x10xf32>) permutation = [1, 0]
// CHECK: linalg.matmul
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: anvil.
func.func @gemm(%a: tensor<?x64xf32>, %b: tensor<10x64xf32>, %c: tensor<10xf32>) -> tensor<?x10xf32> {
  %0 = anvil.gemm %a, %b, %c {trans_b = true, alpha = 2.0 : f32} : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// -----

// Transpose takes dynamic sizes from the permuted input dims.
// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.+]]: tensor<?x4x8xf32>)
// CHECK: %[[D:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x4x8xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[D]]) : tensor<8x?x4xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<?x4x8xf32>) outs(%[[E]] : tensor<8x?x4xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<?x4x8xf32>) -> tensor<8x?x4xf32> {
  %0 = anvil.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<?x4x8xf32>) -> tensor<8x?x4xf32>
  return %0 : tensor<8x?x4xf32>
}
