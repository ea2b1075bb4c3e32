// RUN: anvil-opt %s --convert-anvil-to-linalg -split-input-file | FileCheck %s

// An N-D lhs times a 2-D rhs folds the batch into the rows of one linalg.matmul.
// CHECK-LABEL: func.func @matmul_3d_2d
// CHECK: %[[L:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2]] : tensor<?x16x64xf32> into tensor<?x64xf32>
// CHECK: %[[M:.+]] = linalg.matmul ins(%[[L]], %{{.+}} : tensor<?x64xf32>, tensor<64x32xf32>)
// CHECK: tensor.expand_shape %[[M]] {{\[}}[0, 1], [2]] output_shape [%{{.+}}, 16, 32]
func.func @matmul_3d_2d(%a: tensor<?x16x64xf32>, %b: tensor<64x32xf32>) -> tensor<?x16x32xf32> {
  %r = anvil.matmul %a, %b : (tensor<?x16x64xf32>, tensor<64x32xf32>) -> tensor<?x16x32xf32>
  return %r : tensor<?x16x32xf32>
}

// -----

// Batch dims broadcast numpy-style: a generic over (batch..., m, n, k) reads the rhs
// without its missing leading dim.
// CHECK: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-LABEL: func.func @matmul_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @matmul_broadcast(%a: tensor<?x4x16x8xf32>, %b: tensor<4x8x16xf32>) -> tensor<?x4x16x16xf32> {
  %r = anvil.matmul %a, %b : (tensor<?x4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<?x4x16x16xf32>
  return %r : tensor<?x4x16x16xf32>
}

// -----

// A 1-D rhs is promoted to a column and the promoted dim dropped again.
// CHECK-LABEL: func.func @matmul_vector
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1]] output_shape [8, 1] : tensor<8xf32> into tensor<8x1xf32>
// CHECK: linalg.matmul
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0, 1]] : tensor<3x1xf32> into tensor<3xf32>
func.func @matmul_vector(%a: tensor<3x8xf32>, %b: tensor<8xf32>) -> tensor<3xf32> {
  %r = anvil.matmul %a, %b : (tensor<3x8xf32>, tensor<8xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// -----

// Layer norm becomes mean/variance reductions over the trailing dims and broadcast
// elementwise generics; nothing of anvil is left.
// CHECK-LABEL: func.func @layer_norm
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK-NOT: anvil.
func.func @layer_norm(%x: tensor<?x16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) -> tensor<?x16x64xf32> {
  %r = anvil.layer_norm %x, %g, %b {axis = -1 : i64, epsilon = 1.0e-05 : f32} : (tensor<?x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x16x64xf32>
  return %r : tensor<?x16x64xf32>
}

// -----

// Grouped convolution views input, weights and result with a separate group dim and
// runs one generic over (n, g, f, oh, ow, c, kh, kw).
// CHECK-LABEL: func.func @conv_grouped
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 8, 8]
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x2x6x6xf32> into tensor<1x4x6x6xf32>
func.func @conv_grouped(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Average pooling divides by a per-position count computed at compile time: corners
// see 4 real elements of a 3x3 window when the pads are excluded.
// CHECK-LABEL: func.func @avg_pool_pads
// CHECK: arith.constant dense<{{\[}}[4.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<3x3xf32>
// CHECK: tensor.pad
// CHECK: arith.divf
func.func @avg_pool_pads(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %0 = anvil.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Einsum is one generic: a loop per label (output labels first), summed labels reduced.
// CHECK-LABEL: func.func @einsum_batch_matmul
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%{{.+}} : tensor<5x2x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @einsum_batch_matmul(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  %r = anvil.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  return %r : tensor<5x2x4xf32>
}

// -----

// A repeated label reads a diagonal; `...` dims are loops of their own.
// CHECK: #[[DIAG:.+]] = affine_map<(d0, d1) -> (d0, d1, d1)>
// CHECK-LABEL: func.func @einsum_batch_diagonal
// CHECK: linalg.generic {indexing_maps = [#[[DIAG]], #{{.+}}], iterator_types = ["parallel", "parallel"]}
func.func @einsum_batch_diagonal(%x: tensor<3x5x5xf32>) -> tensor<3x5xf32> {
  %r = anvil.einsum %x {equation = "...ii->...i"} : (tensor<3x5x5xf32>) -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}

// -----

// A full contraction to a 0-D result has no parallel loop.
// CHECK-LABEL: func.func @einsum_inner_product
// CHECK: linalg.generic {{.+}} iterator_types = ["reduction"]
// CHECK-SAME: outs(%{{.+}} : tensor<f32>)
func.func @einsum_inner_product(%a: tensor<5xf32>, %b: tensor<5xf32>) -> tensor<f32> {
  %r = anvil.einsum %a, %b {equation = "i,i->"} : (tensor<5xf32>, tensor<5xf32>) -> tensor<f32>
  return %r : tensor<f32>
}
