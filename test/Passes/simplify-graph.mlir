// RUN: anvil-opt %s -split-input-file -anvil-simplify-graph | FileCheck %s

// BatchNorm after a conv with blob weights folds into new weights and a bias:
// s = scale / sqrt(var + eps) = [1, 2], W' = W * s = [1, 4],
// b' = (0 - mean) * s + beta = [-0.5, 0].
// CHECK-LABEL: func.func @bn_into_conv
// CHECK-SAME: (%[[X:.+]]: tensor<?x1x4x4xf32>)
// CHECK-NOT: anvil.batch_norm
// CHECK: %[[W:.+]] = anvil.constant dense_resource<[[WNAME:w\.bn]]> : tensor<2x1x1x1xf32>
// CHECK: %[[B:.+]] = anvil.constant dense_resource<[[BNAME:w\.bn_bias]]> : tensor<2xf32>
// CHECK: %[[Y:.+]] = anvil.conv %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
// CHECK-SAME: -> tensor<?x2x4x4xf32>
// CHECK-NOT: anvil.batch_norm
// CHECK: return %[[Y]]
// CHECK: [[WNAME]]: "0x080000000000803F00008040"
// CHECK: [[BNAME]]: "0x08000000000000BF00000000"
func.func @bn_into_conv(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = anvil.constant dense_resource<w> : tensor<2x1x1x1xf32>
  %c = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<?x2x4x4xf32>
  %scale = anvil.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %beta = anvil.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = anvil.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = anvil.constant dense<3.0> : tensor<2xf32>
  %y = anvil.batch_norm %c, %scale, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// An existing conv bias is scaled and shifted too: b' = b * s + beta - mean * s
// = [1 * 1 + 0.5 - 1, 2 * 2] = [0.5, 4].
// CHECK-LABEL: func.func @bn_into_conv_bias
// CHECK: %[[B:.+]] = anvil.constant dense_resource<[[BNAME:folded_1]]> : tensor<2xf32>
// CHECK: anvil.conv %{{.+}}, %{{.+}}, %[[B]]
// CHECK-NOT: anvil.batch_norm
// CHECK: [[BNAME]]: "0x080000000000003F00008040"
func.func @bn_into_conv_bias(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = anvil.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = anvil.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %c = anvil.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %scale = anvil.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %beta = anvil.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = anvil.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = anvil.constant dense<3.0> : tensor<2xf32>
  %y = anvil.batch_norm %c, %scale, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Must not fold: the conv result has another user (it would be computed
// twice), the weight is not a constant, and the statistics are not constants.
// CHECK-LABEL: func.func @bn_no_fold
// CHECK-COUNT-3: anvil.batch_norm
func.func @bn_no_fold(%x: tensor<1x1x4x4xf32>, %wx: tensor<2x1x1x1xf32>, %m: tensor<2xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = anvil.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %s = anvil.constant dense<1.0> : tensor<2xf32>
  %z = anvil.constant dense<0.0> : tensor<2xf32>
  %c = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = anvil.batch_norm %c, %s, %z, %z, %s : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %c2 = anvil.conv %x, %wx {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y2 = anvil.batch_norm %c2, %s, %z, %z, %s : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %c3 = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y3 = anvil.batch_norm %c3, %s, %z, %m, %s : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y, %c, %y2, %y3 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// BatchNorm over the columns of a gemm and of a 2-D matmul folds into the
// weight and the bias: s = [1, 2], shift = [0, -1]. (The gemm's trans_b weight
// is pre-transposed first.)
// CHECK-LABEL: func.func @bn_into_gemm
// CHECK: %[[G:.+]] = anvil.gemm %arg0, %{{.+}}, %{{.+}} {alpha = 2.000000e+00 : f32} : (tensor<?x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
// CHECK: %[[M:.+]] = anvil.gemm %arg0, %{{.+}}, %{{.+}} : (tensor<?x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
// CHECK-NOT: anvil.batch_norm
// CHECK: return %[[G]], %[[M]]
// Columns of B^T scaled by s: [[1, 6], [2, 8]]; bias beta * c * s + shift =
// [3 * 1 * 1, 3 * 2 * 2 - 1] = [3, 11].
// CHECK-DAG: "0x080000000000803F0000C0400000004000000041"
// CHECK-DAG: "0x080000000000404000003041"
// Matmul columns scaled by s: [[1, 4], [3, 8]]; bias = shift.
// CHECK-DAG: "0x080000000000803F000080400000404000000041"
// CHECK-DAG: "0x0800000000000000000080BF"
func.func @bn_into_gemm(%x: tensor<?x2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %b = anvil.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %c = anvil.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %s = anvil.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %t = anvil.constant dense<[0.0, -1.0]> : tensor<2xf32>
  %z = anvil.constant dense<0.0> : tensor<2xf32>
  %one = anvil.constant dense<1.0> : tensor<2xf32>
  %g = anvil.gemm %x, %b, %c {alpha = 2.0 : f32, beta = 3.0 : f32, trans_b = true} : (tensor<?x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %y = anvil.batch_norm %g, %s, %t, %z, %one {epsilon = 0.0 : f32} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %m = anvil.matmul %x, %b : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %y2 = anvil.batch_norm %m, %s, %t, %z, %one {epsilon = 0.0 : f32} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y, %y2 : tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// Must not fold: a gemm bias that varies along the rows ([M, N]) and a
// batched matmul (its BatchNorm channel is not the last dim).
// CHECK-LABEL: func.func @bn_gemm_no_fold
// CHECK-COUNT-2: anvil.batch_norm
func.func @bn_gemm_no_fold(%x: tensor<2x2xf32>, %x3: tensor<2x2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2x2xf32>) {
  %b = anvil.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %s = anvil.constant dense<1.0> : tensor<2xf32>
  %z = anvil.constant dense<0.0> : tensor<2xf32>
  %g = anvil.gemm %x, %b, %b : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = anvil.batch_norm %g, %s, %z, %z, %s : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %m = anvil.matmul %x3, %b : (tensor<2x2x2xf32>, tensor<2x2xf32>) -> tensor<2x2x2xf32>
  %y2 = anvil.batch_norm %m, %s, %z, %z, %s : (tensor<2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2x2xf32>
  return %y, %y2 : tensor<2x2xf32>, tensor<2x2x2xf32>
}

// -----

// A constant per-channel add ([C, 1, 1], either operand order) becomes the
// conv bias, added to the existing one: [1 + 10, 2 + 20].
// CHECK-LABEL: func.func @add_into_conv_bias
// CHECK: %[[B:.+]] = anvil.constant dense_resource<[[BNAME:folded[_0-9]*]]> : tensor<2xf32>
// CHECK: %[[Y:.+]] = anvil.conv %arg0, %{{.+}}, %[[B]]
// CHECK-NOT: anvil.add
// CHECK: return %[[Y]]
// CHECK: [[BNAME]]: "0x08000000000030410000B041"
func.func @add_into_conv_bias(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = anvil.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = anvil.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %c = anvil.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x2x4x4xf32>
  %k = anvil.constant dense<[[[10.0]], [[20.0]]]> : tensor<2x1x1xf32>
  %y = anvil.add %k, %c : (tensor<2x1x1xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// -----

// Must not fold: an addend that varies over space, one that is not a constant,
// and a conv whose result is also used elsewhere.
// CHECK-LABEL: func.func @add_no_fold
// CHECK-COUNT-3: anvil.add
func.func @add_no_fold(%x: tensor<1x1x2x2xf32>, %v: tensor<2x1x1xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = anvil.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %c = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %k = anvil.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %y = anvil.add %c, %k : (tensor<1x2x2x2xf32>, tensor<2x2xf32>) -> tensor<1x2x2x2xf32>
  %c2 = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %y2 = anvil.add %c2, %v : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %c3 = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %k3 = anvil.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %y3 = anvil.add %c3, %k3 : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y, %y2, %y3, %c3 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// A transpose of a weight blob is the re-laid-out blob; a gemm's trans_b on a
// constant becomes a pre-transposed weight.
// CHECK-LABEL: func.func @transpose_constants
// CHECK-DAG: %[[T:.+]] = anvil.constant dense_resource<[[TNAME:w\.transposed_1]]> : tensor<3x2xf32>
// CHECK-DAG: %[[B:.+]] = anvil.constant dense_resource<[[BNAME:w\.transposed]]> : tensor<3x2xf32>
// CHECK-NOT: anvil.transpose
// CHECK: %[[G:.+]] = anvil.gemm %arg1, %[[B]] : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
// CHECK: return %[[T]], %[[G]]
// CHECK-DAG: [[TNAME]]: "0x080000000000803F00008040000000400000A040000040400000C040"
// CHECK-DAG: [[BNAME]]: "0x080000000000803F00008040000000400000A040000040400000C040"
func.func @transpose_constants(%x: tensor<2x3xf32>, %y: tensor<?x3xf32>) -> (tensor<3x2xf32>, tensor<?x2xf32>) {
  %w = anvil.constant dense_resource<w> : tensor<2x3xf32>
  %t = anvil.transpose %w {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %g = anvil.gemm %y, %w {trans_b = true} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  return %t, %g : tensor<3x2xf32>, tensor<?x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}

// -----

// A transpose of an inline constant stays inline, where later folds and the
// lowering can read it.
// CHECK-LABEL: func.func @transpose_inline
// CHECK: %[[C:.+]] = anvil.constant dense<{{\[\[}}1, 3], [2, 4]]> : tensor<2x2xi64>
// CHECK: return %[[C]]
func.func @transpose_inline() -> tensor<2x2xi64> {
  %c = anvil.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %t = anvil.transpose %c {perm = array<i64: 1, 0>} : (tensor<2x2xi64>) -> tensor<2x2xi64>
  return %t : tensor<2x2xi64>
}

// -----

// Must not fold: a transpose of a run-time value, and trans_a on an operand
// that is not a constant.
// CHECK-LABEL: func.func @transpose_no_fold
// CHECK: anvil.transpose %arg0
// CHECK: anvil.gemm %arg0, %{{.+}} {trans_a = true}
func.func @transpose_no_fold(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<3x3xf32>) {
  %t = anvil.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %w = anvil.constant dense<1.0> : tensor<2x3xf32>
  %g = anvil.gemm %x, %w {trans_a = true} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  return %t, %g : tensor<3x2xf32>, tensor<3x3xf32>
}

// -----

// Reshapes and flattens that keep a symbolic shape are removed (the folders
// only see static shapes).
// CHECK-LABEL: func.func @identity_moves
// CHECK-NOT: anvil.reshape
// CHECK-NOT: anvil.flatten
// CHECK: return %arg0, %arg0, %arg0
func.func @identity_moves(%x: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) {
  %copy = anvil.constant dense<[0, 16]> : tensor<2xi64>
  %a = anvil.reshape %x, %copy : (tensor<?x16xf32>, tensor<2xi64>) -> tensor<?x16xf32>
  %infer = anvil.constant dense<[-1, 16]> : tensor<2xi64>
  %b = anvil.reshape %x, %infer : (tensor<?x16xf32>, tensor<2xi64>) -> tensor<?x16xf32>
  %f = anvil.flatten %x {axis = 1 : i64} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %a, %b, %f : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>
}

// -----

// Must not remove: a -1 next to a copied symbolic dim (which may be 0), a 0
// under allowzero (a zero-size dim), and a run-time target.
// CHECK-LABEL: func.func @moves_kept
// CHECK-COUNT-3: anvil.reshape
func.func @moves_kept(%x: tensor<?x?xf32>, %x16: tensor<?x16xf32>, %s: tensor<2xi64>) -> (tensor<?x?xf32>, tensor<?x16xf32>, tensor<?x?xf32>) {
  %c = anvil.constant dense<[0, -1]> : tensor<2xi64>
  %a = anvil.reshape %x, %c : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %d = anvil.constant dense<[0, 16]> : tensor<2xi64>
  %z = anvil.reshape %x16, %d {allowzero = true} : (tensor<?x16xf32>, tensor<2xi64>) -> tensor<?x16xf32>
  %e = anvil.reshape %x, %s : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %a, %z, %e : tensor<?x?xf32>, tensor<?x16xf32>, tensor<?x?xf32>
}
