// RUN: anvil-opt %s -canonicalize -split-input-file | FileCheck %s

// The shape of a fully static tensor folds to an inline i64 constant.
// CHECK-LABEL: func.func @shape_static
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x8xf32>)
// CHECK-NOT: anvil.shape
// CHECK: %[[C:.+]] = anvil.constant dense<[2, 8]> : tensor<2xi64>
// CHECK: return %[[C]]
func.func @shape_static(%x: tensor<2x8xf32>) -> tensor<2xi64> {
  %0 = anvil.shape %x : (tensor<2x8xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// A start/end window that only covers static dims folds even when another dim is dynamic.
// CHECK-LABEL: func.func @shape_static_window
// CHECK-NOT: anvil.shape
// CHECK: %[[C:.+]] = anvil.constant dense<[8, 4]> : tensor<2xi64>
// CHECK: return %[[C]]
func.func @shape_static_window(%x: tensor<?x8x4xf32>) -> tensor<2xi64> {
  %0 = anvil.shape %x {start = 1 : i64} : (tensor<?x8x4xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// A negative start counts from the back (ONNX Shape-15) and still folds.
// CHECK-LABEL: func.func @shape_negative_start
// CHECK: %[[C:.+]] = anvil.constant dense<4> : tensor<1xi64>
// CHECK: return %[[C]]
func.func @shape_negative_start(%x: tensor<?x8x4xf32>) -> tensor<1xi64> {
  %0 = anvil.shape %x {start = -1 : i64} : (tensor<?x8x4xf32>) -> tensor<1xi64>
  return %0 : tensor<1xi64>
}

// -----

// A partially dynamic shape must not fold: the `?` is only known at run time.
// CHECK-LABEL: func.func @shape_dynamic
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x8xf32>)
// CHECK: %[[S:.+]] = anvil.shape %[[X]] : (tensor<?x8xf32>) -> tensor<2xi64>
// CHECK: return %[[S]]
func.func @shape_dynamic(%x: tensor<?x8xf32>) -> tensor<2xi64> {
  %0 = anvil.shape %x : (tensor<?x8xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// The size of a static tensor folds to a 0-D constant.
// CHECK-LABEL: func.func @size_static
// CHECK-NOT: anvil.size
// CHECK: %[[C:.+]] = anvil.constant dense<16> : tensor<i64>
// CHECK: return %[[C]]
func.func @size_static(%x: tensor<2x8xf32>) -> tensor<i64> {
  %0 = anvil.size %x : (tensor<2x8xf32>) -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

// The size of a tensor with a dynamic dim must not fold.
// CHECK-LABEL: func.func @size_dynamic
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x8xf32>)
// CHECK: %[[S:.+]] = anvil.size %[[X]]
// CHECK: return %[[S]]
func.func @size_dynamic(%x: tensor<?x8xf32>) -> tensor<i64> {
  %0 = anvil.size %x : (tensor<?x8xf32>) -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

// An identity permutation folds to the input.
// CHECK-LABEL: func.func @transpose_identity
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4xf32>)
// CHECK-NOT: anvil.transpose
// CHECK: return %[[X]]
func.func @transpose_identity(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = anvil.transpose %x {perm = array<i64: 0, 1>} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A real permutation stays, even when the result type equals the input type.
// CHECK-LABEL: func.func @transpose_swap
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x4xf32>)
// CHECK: %[[T:.+]] = anvil.transpose %[[X]] {perm = array<i64: 1, 0>}
// CHECK: return %[[T]]
func.func @transpose_swap(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = anvil.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// A cast to the operand's own type folds away.
// CHECK-LABEL: func.func @cast_same_type
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4xf32>)
// CHECK-NOT: anvil.cast
// CHECK: return %[[X]]
func.func @cast_same_type(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = anvil.cast %x : tensor<?x4xf32> to tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A cast that changes the element type stays.
// CHECK-LABEL: func.func @cast_other_type
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x4xf32>)
// CHECK: %[[C:.+]] = anvil.cast %[[X]] : tensor<?x4xf32> to tensor<?x4xf16>
// CHECK: return %[[C]]
func.func @cast_other_type(%x: tensor<?x4xf32>) -> tensor<?x4xf16> {
  %0 = anvil.cast %x : tensor<?x4xf32> to tensor<?x4xf16>
  return %0 : tensor<?x4xf16>
}

// -----

// A reshape to the same fully static type folds to its input.
// CHECK-LABEL: func.func @reshape_same_static
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x8xf32>
// CHECK-NOT: anvil.reshape
// CHECK: return %[[X]]
func.func @reshape_same_static(%x: tensor<2x8xf32>, %s: tensor<2xi64>) -> tensor<2x8xf32> {
  %0 = anvil.reshape %x, %s : (tensor<2x8xf32>, tensor<2xi64>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// With a dynamic dim the same type does not prove the same shape: no fold.
// CHECK-LABEL: func.func @reshape_same_dynamic
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x8xf32>, %[[S:[^:]+]]: tensor<2xi64>)
// CHECK: %[[R:.+]] = anvil.reshape %[[X]], %[[S]]
// CHECK: return %[[R]]
func.func @reshape_same_dynamic(%x: tensor<?x8xf32>, %s: tensor<2xi64>) -> tensor<?x8xf32> {
  %0 = anvil.reshape %x, %s : (tensor<?x8xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// A reshape to a different static shape stays.
// CHECK-LABEL: func.func @reshape_other_shape
// CHECK: %[[R:.+]] = anvil.reshape
// CHECK-SAME: -> tensor<4x4xf32>
// CHECK: return %[[R]]
func.func @reshape_other_shape(%x: tensor<2x8xf32>, %s: tensor<2xi64>) -> tensor<4x4xf32> {
  %0 = anvil.reshape %x, %s : (tensor<2x8xf32>, tensor<2xi64>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Anvil ops are pure, so an unused one is erased.
// CHECK-LABEL: func.func @dead_op
// CHECK-NOT: anvil.relu
// CHECK: return
func.func @dead_op(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = anvil.relu %x : tensor<2x8xf32>
  return %x : tensor<2x8xf32>
}

// -----

// Two transposes compose into one; here they cancel out completely.
// CHECK-LABEL: func.func @transpose_transpose_cancel
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4xf32>)
// CHECK-NOT: anvil.transpose
// CHECK: return %[[X]]
func.func @transpose_transpose_cancel(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = anvil.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %1 = anvil.transpose %0 {perm = array<i64: 1, 2, 0>} : (tensor<4x2x3xf32>) -> tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}

// -----

// Two transposes that do not cancel become one with the composed permutation.
// CHECK-LABEL: func.func @transpose_transpose_compose
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4xf32>)
// CHECK: %[[T:.+]] = anvil.transpose %[[X]] {perm = array<i64: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
// CHECK-NOT: anvil.transpose
// CHECK: return %[[T]]
func.func @transpose_transpose_compose(%x: tensor<2x3x4xf32>) -> tensor<3x2x4xf32> {
  %0 = anvil.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %1 = anvil.transpose %0 {perm = array<i64: 2, 1, 0>} : (tensor<4x2x3xf32>) -> tensor<3x2x4xf32>
  return %1 : tensor<3x2x4xf32>
}

// -----

// reshape(reshape(x)) reads x directly when the outer target has no copied (0) dims.
// CHECK-LABEL: func.func @reshape_reshape
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x8xf32>)
// CHECK: %[[S:.+]] = anvil.constant dense<[-1, 4]> : tensor<2xi64>
// CHECK: %[[R:.+]] = anvil.reshape %[[X]], %[[S]] : (tensor<?x8xf32>, tensor<2xi64>) -> tensor<?x4xf32>
// CHECK: return %[[R]]
func.func @reshape_reshape(%x: tensor<?x8xf32>) -> tensor<?x4xf32> {
  %s0 = anvil.constant dense<[-1, 2, 4]> : tensor<3xi64>
  %s1 = anvil.constant dense<[-1, 4]> : tensor<2xi64>
  %0 = anvil.reshape %x, %s0 : (tensor<?x8xf32>, tensor<3xi64>) -> tensor<?x2x4xf32>
  %1 = anvil.reshape %0, %s1 : (tensor<?x2x4xf32>, tensor<2xi64>) -> tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}

// -----

// A 0 in the outer target copies a dim of the inner result, so the pair must stay.
// CHECK-LABEL: func.func @reshape_reshape_copy_dim
// CHECK: %[[A:.+]] = anvil.reshape %{{.+}} -> tensor<?x2x4xf32>
// CHECK: %[[B:.+]] = anvil.reshape %[[A]]
// CHECK: return %[[B]]
func.func @reshape_reshape_copy_dim(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %s0 = anvil.constant dense<[-1, 2, 4]> : tensor<3xi64>
  %s1 = anvil.constant dense<[0, -1]> : tensor<2xi64>
  %0 = anvil.reshape %x, %s0 : (tensor<?x8xf32>, tensor<3xi64>) -> tensor<?x2x4xf32>
  %1 = anvil.reshape %0, %s1 : (tensor<?x2x4xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  return %1 : tensor<?x8xf32>
}

// -----

// No-op data movement folds away: flatten, expand and tile to the same static type,
// squeeze/unsqueeze of no axes, a concat of one tensor.
// CHECK-LABEL: func.func @identity_moves
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3xf32>
// CHECK-NOT: anvil.
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identity_moves(%x: tensor<2x3xf32>, %s: tensor<2xi64>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = anvil.flatten %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = anvil.expand %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  %2 = anvil.tile %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  %3 = anvil.squeeze %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = anvil.unsqueeze %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %5 = anvil.concat %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// A tile that changes the shape stays.
// CHECK-LABEL: func.func @tile_grows
// CHECK: anvil.tile
func.func @tile_grows(%x: tensor<2x3xf32>, %r: tensor<2xi64>) -> tensor<4x3xf32> {
  %0 = anvil.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}
