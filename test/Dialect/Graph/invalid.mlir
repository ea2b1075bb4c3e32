// RUN: anvil-opt %s -split-input-file -verify-diagnostics

// One case per constraint the anvil verifiers in dialects/Graph/AnvilOps.cpp check: each
// emitOpError message appears at least once. Operands are function arguments unless a
// verifier only looks at compile-time-constant operands.

// Binary ops need broadcast-compatible operand shapes.
func.func @add_1(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{operand shapes are not broadcast-compatible}}
  %0 = anvil.add %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x3xf32>
  return
}

// -----

// The result of a binary op has the broadcast shape.
func.func @mul_1(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{result shape [2, 4] is incompatible with the inferred shape [2, 3]}}
  %0 = anvil.mul %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

// Comparisons broadcast like binary ops.
func.func @less_1(%a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operand shapes are not broadcast-compatible}}
  %0 = anvil.less %a, %b : (tensor<3xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

// A comparison's result has the broadcast shape.
func.func @equal_1(%a: tensor<?x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{result shape [?, 5] is incompatible with the inferred shape [?, 4]}}
  %0 = anvil.equal %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x5xi1>
  return
}

// -----

// Select takes both branches and the result in one element type.
func.func @select_1(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{on_true, on_false and the result must have one element type}}
  %0 = anvil.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

// Select broadcasts condition, on_true and on_false together.
func.func @select_2(%c: tensor<3xi1>, %a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operand shapes are not broadcast-compatible}}
  %0 = anvil.select %c, %a, %b : (tensor<3xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Clip bounds must be ordered.
func.func @clip_1(%x: tensor<4xf32>) {
  // expected-error @+1 {{min must not exceed max}}
  %0 = anvil.clip %x {min = 6.0 : f64, max = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

// A constant's value has the result type (the AllTypesMatch trait reports it first).
func.func @constant_1() {
  // expected-error @+1 {{failed to verify that all of {value, output} have same type}}
  %0 = "anvil.constant"() <{value = dense<[1, 2]> : tensor<2xi64>}> : () -> tensor<3xi64>
  return
}

// -----

// constant_of_shape fills with exactly one value.
func.func @constant_of_shape_1(%s: tensor<2xi64>) {
  // expected-error @+1 {{value must hold exactly one element}}
  %0 = anvil.constant_of_shape %s {value = dense<[0.0, 1.0]> : tensor<2xf32>} : (tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

// constant_of_shape's value has the result element type.
func.func @constant_of_shape_2(%s: tensor<2xi64>) {
  // expected-error @+1 {{value element type must match the result element type}}
  %0 = anvil.constant_of_shape %s {value = dense<0> : tensor<1xi32>} : (tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

// constant_of_shape's shape operand has one entry per result dimension.
func.func @constant_of_shape_3(%s: tensor<3xi64>) {
  // expected-error @+1 {{shape operand has 3 elements but the result has rank 2}}
  %0 = anvil.constant_of_shape %s {value = dense<0.0> : tensor<1xf32>} : (tensor<3xi64>) -> tensor<?x?xf32>
  return
}

// -----

// A constant shape for constant_of_shape must not be negative.
func.func @constant_of_shape_4() {
  %0 = anvil.constant dense<[2, -1]> : tensor<2xi64>
  // expected-error @+1 {{shape must not contain negative dimensions}}
  %1 = anvil.constant_of_shape %0 {value = dense<0.0> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<2x?xf32>
  return
}

// -----

// A constant shape for constant_of_shape fixes the result shape.
func.func @constant_of_shape_5() {
  %0 = anvil.constant dense<[2, 3]> : tensor<2xi64>
  // expected-error @+1 {{result shape [2, 4] is incompatible with the inferred shape [2, 3]}}
  %1 = anvil.constant_of_shape %0 {value = dense<0.0> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<2x4xf32>
  return
}

// -----

// shape returns one entry per dimension in [start, end).
func.func @shape_1(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{result shape [3] is incompatible with the inferred shape [1]}}
  %0 = anvil.shape %x {start = 1 : i64} : (tensor<?x8xf32>) -> tensor<3xi64>
  return
}

// -----

// range's operands and result share one element type.
func.func @range_1(%a: tensor<i64>, %b: tensor<i32>) {
  // expected-error @+1 {{start, limit, delta and the result must have one element type}}
  %0 = anvil.range %a, %b, %a : (tensor<i64>, tensor<i32>, tensor<i64>) -> tensor<?xi64>
  return
}

// -----

// reshape's shape operand has one entry per result dimension.
func.func @reshape_1(%x: tensor<4x4xf32>, %s: tensor<3xi64>) {
  // expected-error @+1 {{shape operand has 3 elements but the result has rank 2}}
  %0 = anvil.reshape %x, %s : (tensor<4x4xf32>, tensor<3xi64>) -> tensor<2x8xf32>
  return
}

// -----

// reshape preserves the element count.
func.func @reshape_2(%x: tensor<4x4xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{element count changes from 16 to 15}}
  %0 = anvil.reshape %x, %s : (tensor<4x4xf32>, tensor<2xi64>) -> tensor<3x5xf32>
  return
}

// -----

// flatten's axis may be rank at most.
func.func @flatten_1(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{axis 4 is out of range for rank 3}}
  %0 = anvil.flatten %x {axis = 4 : i64} : (tensor<2x3x4xf32>) -> tensor<24x1xf32>
  return
}

// -----

// flatten's result is [prod(dims before axis), prod(dims from axis)].
func.func @flatten_2(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{result shape [2, 12] is incompatible with the inferred shape [6, 4]}}
  %0 = anvil.flatten %x {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  return
}

// -----

// squeeze axes are in range.
func.func @squeeze_1(%x: tensor<2x1x4xf32>) {
  // expected-error @+1 {{axis 3 is out of range for rank 3}}
  %0 = anvil.squeeze %x {axes = array<i64: 3>} : (tensor<2x1x4xf32>) -> tensor<2x1x4xf32>
  return
}

// -----

// squeeze axes are unique.
func.func @squeeze_2(%x: tensor<2x1x4xf32>) {
  // expected-error @+1 {{axis -2 appears more than once}}
  %0 = anvil.squeeze %x {axes = array<i64: 1, -2>} : (tensor<2x1x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// Only size-1 dims can be squeezed.
func.func @squeeze_3(%x: tensor<2x1x4xf32>) {
  // expected-error @+1 {{cannot squeeze dimension 0 of size 2}}
  %0 = anvil.squeeze %x {axes = array<i64: 0>} : (tensor<2x1x4xf32>) -> tensor<1x4xf32>
  return
}

// -----

// squeeze keeps the element type.
func.func @squeeze_4(%x: tensor<2x1x4xf32>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.squeeze %x {axes = array<i64: 1>} : (tensor<2x1x4xf32>) -> tensor<2x4xf16>
  return
}

// -----

// squeeze takes its axes from the attribute or the operand, never both.
func.func @squeeze_5(%x: tensor<2x1x4xf32>, %a: tensor<1xi64>) {
  // expected-error @+1 {{takes axes from an attribute or an operand, not both}}
  %0 = anvil.squeeze %x, %a {axes = array<i64: 1>} : (tensor<2x1x4xf32>, tensor<1xi64>) -> tensor<2x4xf32>
  return
}

// -----

// With run-time axes, squeeze removes one dim per axis.
func.func @squeeze_6(%x: tensor<2x1x4xf32>, %a: tensor<1xi64>) {
  // expected-error @+1 {{result rank must be the input rank minus the number of axes}}
  %0 = anvil.squeeze %x, %a {axes = array<i64>} : (tensor<2x1x4xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
  return
}

// -----

// With run-time axes, squeeze still keeps the element type.
func.func @squeeze_7(%x: tensor<2x1x4xf32>, %a: tensor<1xi64>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.squeeze %x, %a {axes = array<i64>} : (tensor<2x1x4xf32>, tensor<1xi64>) -> tensor<?x?xi32>
  return
}

// -----

// squeeze's result drops exactly the squeezed dims.
func.func @squeeze_8(%x: tensor<2x1x4xf32>) {
  // expected-error @+1 {{result shape [2, 1, 4] is incompatible with the inferred shape [2, 4]}}
  %0 = anvil.squeeze %x {axes = array<i64: 1>} : (tensor<2x1x4xf32>) -> tensor<2x1x4xf32>
  return
}

// -----

// unsqueeze axes index the result, so they are below the result rank.
func.func @unsqueeze_1(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{axis 3 is out of range for rank 3}}
  %0 = anvil.unsqueeze %x {axes = array<i64: 3>} : (tensor<2x4xf32>) -> tensor<2x4x1xf32>
  return
}

// -----

// unsqueeze axes are unique.
func.func @unsqueeze_2(%x: tensor<4xf32>) {
  // expected-error @+1 {{axis 0 appears more than once}}
  %0 = anvil.unsqueeze %x {axes = array<i64: 0, 0>} : (tensor<4xf32>) -> tensor<1x1x4xf32>
  return
}

// -----

// unsqueeze keeps the element type.
func.func @unsqueeze_3(%x: tensor<4xf32>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.unsqueeze %x {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<1x4xi8>
  return
}

// -----

// unsqueeze takes its axes from the attribute or the operand, never both.
func.func @unsqueeze_4(%x: tensor<4xf32>, %a: tensor<1xi64>) {
  // expected-error @+1 {{takes axes from an attribute or an operand, not both}}
  %0 = anvil.unsqueeze %x, %a {axes = array<i64: 0>} : (tensor<4xf32>, tensor<1xi64>) -> tensor<1x4xf32>
  return
}

// -----

// With run-time axes, unsqueeze adds one dim per axis.
func.func @unsqueeze_5(%x: tensor<4xf32>, %a: tensor<2xi64>) {
  // expected-error @+1 {{result rank must be the input rank plus the number of axes}}
  %0 = anvil.unsqueeze %x, %a {axes = array<i64>} : (tensor<4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

// unsqueeze inserts size-1 dims where axes say.
func.func @unsqueeze_6(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{result shape [2, 4, 1] is incompatible with the inferred shape [2, 1, 4]}}
  %0 = anvil.unsqueeze %x {axes = array<i64: 1>} : (tensor<2x4xf32>) -> tensor<2x4x1xf32>
  return
}

// -----

// transpose's perm has one entry per dimension.
func.func @transpose_1(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{perm has 3 entries for a rank-2 input}}
  %0 = anvil.transpose %x {perm = array<i64: 0, 1, 2>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// transpose's perm is a permutation (no repeats).
func.func @transpose_2(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{perm must be a permutation of [0, rank)}}
  %0 = anvil.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x4xf32>) -> tensor<2x2xf32>
  return
}

// -----

// transpose permutes the input dims into the result.
func.func @transpose_3(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{result shape [2, 4] is incompatible with the inferred shape [4, 2]}}
  %0 = anvil.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// concat needs at least one input (generic form; the element-type trait reports it first).
func.func @concat_1() {
  // expected-error @+1 {{expected 1 or more operands, but found 0}}
  %0 = "anvil.concat"() <{axis = 0 : i64}> : () -> tensor<0xf32>
  return
}

// -----

// concat's axis is in range.
func.func @concat_2(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = anvil.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

// concat's inputs have one rank.
func.func @concat_3(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{all inputs must have the same rank}}
  %0 = anvil.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  return
}

// -----

// concat's inputs agree off the concatenation axis.
func.func @concat_4(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{inputs differ in dimension 1, which is not the concatenation axis}}
  %0 = anvil.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

// concat's result adds up the axis sizes.
func.func @concat_5(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{result shape [2, 6] is incompatible with the inferred shape [2, 7]}}
  %0 = anvil.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x6xf32>
  return
}

// -----

// split's pieces keep the input element type.
func.func @split_1(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0:2 = anvil.split %x {axis = 1 : i64, sizes = array<i64: 2, 4>} : (tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x4xf16>)
  return
}

// -----

// split's axis is in range.
func.func @split_2(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0:2 = anvil.split %x {axis = 2 : i64, sizes = array<i64: 1, 1>} : (tensor<2x6xf32>) -> (tensor<1x6xf32>, tensor<1x6xf32>)
  return
}

// -----

// split takes its sizes from the attribute or the operand, never both.
func.func @split_3(%x: tensor<2x6xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{takes sizes from an attribute or an operand, not both}}
  %0:2 = anvil.split %x, %s {axis = 1 : i64, sizes = array<i64: 2, 4>} : (tensor<2x6xf32>, tensor<2xi64>) -> (tensor<2x2xf32>, tensor<2x4xf32>)
  return
}

// -----

// With run-time sizes the pieces still have the input rank.
func.func @split_4(%x: tensor<2x6xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{results must have the input rank}}
  %0:2 = anvil.split %x, %s {axis = 1 : i64, sizes = array<i64>} : (tensor<2x6xf32>, tensor<2xi64>) -> (tensor<2x?xf32>, tensor<?xf32>)
  return
}

// -----

// split has one size per result.
func.func @split_5(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{has 3 sizes for 2 results}}
  %0:2 = anvil.split %x {axis = 1 : i64, sizes = array<i64: 2, 2, 2>} : (tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>)
  return
}

// -----

// split sizes are non-negative.
func.func @split_6(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{sizes must be non-negative}}
  %0:2 = anvil.split %x {axis = 1 : i64, sizes = array<i64: -1, 7>} : (tensor<2x6xf32>) -> (tensor<2x?xf32>, tensor<2x7xf32>)
  return
}

// -----

// Each split piece is sizes[i] long on the axis.
func.func @split_7(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{result shape [2, 3] is incompatible with the inferred shape [2, 2]}}
  %0:2 = anvil.split %x {axis = 1 : i64, sizes = array<i64: 2, 4>} : (tensor<2x6xf32>) -> (tensor<2x3xf32>, tensor<2x4xf32>)
  return
}

// -----

// split sizes add up to the split dimension.
func.func @split_8(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{sizes add up to 5 but the split dimension is 6}}
  %0:2 = anvil.split %x {axis = 1 : i64, sizes = array<i64: 2, 3>} : (tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x3xf32>)
  return
}

// -----

// slice keeps the element type.
func.func @slice_1(%x: tensor<8xf32>, %i: tensor<1xi64>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.slice %x, %i, %i, %i, %i : (tensor<8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf16>
  return
}

// -----

// slice's starts, ends, axes and steps have one length.
func.func @slice_2(%x: tensor<8xf32>, %i: tensor<1xi64>, %j: tensor<2xi64>) {
  // expected-error @+1 {{starts, ends, axes and steps must have the same length}}
  %0 = anvil.slice %x, %i, %j, %i, %i : (tensor<8xf32>, tensor<1xi64>, tensor<2xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return
}

// -----

// slice keeps the rank.
func.func @slice_3(%x: tensor<8xf32>, %i: tensor<1xi64>) {
  // expected-error @+1 {{result rank must equal the input rank}}
  %0 = anvil.slice %x, %i, %i, %i, %i : (tensor<8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

// A constant step of zero never terminates.
func.func @slice_4(%x: tensor<8xf32>, %i: tensor<1xi64>) {
  %0 = anvil.constant dense<0> : tensor<1xi64>
  // expected-error @+1 {{steps must not be zero}}
  %1 = anvil.slice %x, %i, %i, %i, %0 : (tensor<8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return
}

// -----

// gather's axis is in range.
func.func @gather_1(%x: tensor<4x8xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = anvil.gather %x, %i {axis = 2 : i64} : (tensor<4x8xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return
}

// -----

// gather keeps the element type.
func.func @gather_2(%x: tensor<4x8xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.gather %x, %i {axis = 0 : i64} : (tensor<4x8xf32>, tensor<3xi64>) -> tensor<3x8xi64>
  return
}

// -----

// gather's result is input[:axis] + indices + input[axis+1:].
func.func @gather_3(%x: tensor<4x8xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{result shape [3, 4] is incompatible with the inferred shape [4, 3]}}
  %0 = anvil.gather %x, %i {axis = 1 : i64} : (tensor<4x8xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return
}

// -----

// gather_elements' axis is in range.
func.func @gather_elements_1(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = anvil.gather_elements %x, %i {axis = -3 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return
}

// -----

// gather_elements keeps the element type.
func.func @gather_elements_2(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf16>
  return
}

// -----

// gather_elements' indices have the input's rank.
func.func @gather_elements_3(%x: tensor<3x4xf32>, %i: tensor<6xi64>) {
  // expected-error @+1 {{indices must have the input's rank}}
  %0 = anvil.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<6xi64>) -> tensor<6xf32>
  return
}

// -----

// gather_elements' result has the shape of the indices.
func.func @gather_elements_4(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) {
  // expected-error @+1 {{result shape [3, 4] is incompatible with the inferred shape [3, 2]}}
  %0 = anvil.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x4xf32>
  return
}

// -----

// expand keeps the element type.
func.func @expand_1(%x: tensor<1x4xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.expand %x, %s : (tensor<1x4xf32>, tensor<2xi64>) -> tensor<?x4xi32>
  return
}

// -----

// expand never drops dimensions.
func.func @expand_2(%x: tensor<1x4xf32>, %s: tensor<?xi64>) {
  // expected-error @+1 {{result rank must be at least the input rank}}
  %0 = anvil.expand %x, %s : (tensor<1x4xf32>, tensor<?xi64>) -> tensor<4xf32>
  return
}

// -----

// expand's result rank is max(input rank, shape length).
func.func @expand_3(%x: tensor<1x4xf32>, %s: tensor<3xi64>) {
  // expected-error @+1 {{result rank 4 differs from max(input rank 2, shape length 3)}}
  %0 = anvil.expand %x, %s : (tensor<1x4xf32>, tensor<3xi64>) -> tensor<?x?x?x4xf32>
  return
}

// -----

// tile keeps the element type.
func.func @tile_1(%x: tensor<2x3xf32>, %r: tensor<2xi64>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf16>
  return
}

// -----

// tile has one repeat count per dimension.
func.func @tile_2(%x: tensor<2x3xf32>, %r: tensor<3xi64>) {
  // expected-error @+1 {{repeats must have one entry per input dimension}}
  %0 = anvil.tile %x, %r : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<?x?xf32>
  return
}

// -----

// tile keeps the rank.
func.func @tile_3(%x: tensor<2x3xf32>, %r: tensor<2xi64>) {
  // expected-error @+1 {{result rank must equal the input rank}}
  %0 = anvil.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?x?xf32>
  return
}

// -----

// pad has a begin and an end amount per dimension.
func.func @pad_1(%x: tensor<2x3xf32>, %p: tensor<2xi64>) {
  // expected-error @+1 {{pads must have 4 entries for a rank-2 input}}
  %0 = anvil.pad %x, %p : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

// With the axes operand, pad has a begin and an end amount per listed axis.
func.func @pad_2(%x: tensor<2x3xf32>, %p: tensor<3xi64>, %a: tensor<1xi64>) {
  // expected-error @+1 {{pads must have two entries per axis}}
  %0 = anvil.pad %x, %p axes %a : (tensor<2x3xf32>, tensor<3xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

// pad keeps the rank.
func.func @pad_3(%x: tensor<2x3xf32>, %p: tensor<4xi64>) {
  // expected-error @+1 {{result rank must equal the input rank}}
  %0 = anvil.pad %x, %p : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<?xf32>
  return
}

// -----

// pad keeps the element type.
func.func @pad_4(%x: tensor<2x3xf32>, %p: tensor<4xi64>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.pad %x, %p : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<?x?xf16>
  return
}

// -----

// pad's fill value has the input element type.
func.func @pad_5(%x: tensor<2x3xf32>, %p: tensor<4xi64>, %v: tensor<i32>) {
  // expected-error @+1 {{pad value element type must match the input element type}}
  %0 = anvil.pad %x, %p value %v : (tensor<2x3xf32>, tensor<4xi64>, tensor<i32>) -> tensor<?x?xf32>
  return
}

// -----

// pad's mode is one of constant, reflect, edge and wrap.
func.func @pad_6(%x: tensor<2x3xf32>, %p: tensor<4xi64>) {
  // expected-error @+1 {{unknown mode 'mirror'}}
  %0 = anvil.pad %x, %p {mode = "mirror"} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  return
}

// -----

// Constant pads fix the result shape.
func.func @pad_7(%x: tensor<2x3xf32>) {
  %0 = anvil.constant dense<1> : tensor<4xi64>
  // expected-error @+1 {{result shape [4, 3] is incompatible with the inferred shape [4, 5]}}
  %1 = anvil.pad %x, %0 : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  return
}

// -----

// resize keeps the element type.
func.func @resize_1(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf16>
  return
}

// -----

// resize takes its scales from the attribute or the operand, never both.
func.func @resize_2(%x: tensor<1x1x4x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{takes scales from an attribute or an operand, not both}}
  %0 = anvil.resize %x, %s {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// resize has one scale per dimension.
func.func @resize_3(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{scales must have 4 entries}}
  %0 = anvil.resize %x {scales = array<f64: 2.0, 2.0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32>
  return
}

// -----

// resize scales are positive.
func.func @resize_4(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{scales must be positive}}
  %0 = anvil.resize %x {scales = array<f64: 1.0, 1.0, 0.0, 2.0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x0x8xf32>
  return
}

// -----

// resize's mode is nearest, linear or cubic.
func.func @resize_5(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{unknown mode 'bilinear'}}
  %0 = anvil.resize %x {mode = "bilinear", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32>
  return
}

// -----

// resize keeps the rank.
func.func @resize_6(%x: tensor<1x1x4x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{result rank must equal the input rank}}
  %0 = anvil.resize %x, %s {scales = array<f64>} : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<?x?x?xf32>
  return
}

// -----

// depth_to_space's mode is DCR or CRD.
func.func @depth_to_space_1(%x: tensor<1x8x2x2xf32>) {
  // expected-error @+1 {{mode must be DCR or CRD}}
  %0 = anvil.depth_to_space %x {blocksize = 2 : i64, mode = "RCD"} : (tensor<1x8x2x2xf32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

// depth_to_space's blocksize is positive.
func.func @depth_to_space_2(%x: tensor<1x8x2x2xf32>) {
  // expected-error @+1 {{blocksize must be positive}}
  %0 = anvil.depth_to_space %x {blocksize = 0 : i64} : (tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf32>
  return
}

// -----

// depth_to_space moves blocksize^2 channels into each spatial block.
func.func @depth_to_space_3(%x: tensor<1x6x2x2xf32>) {
  // expected-error @+1 {{channels must be divisible by blocksize^2}}
  %0 = anvil.depth_to_space %x {blocksize = 2 : i64} : (tensor<1x6x2x2xf32>) -> tensor<1x1x4x4xf32>
  return
}

// -----

// depth_to_space's result is [N, C / b^2, H * b, W * b].
func.func @depth_to_space_4(%x: tensor<1x8x2x2xf32>) {
  // expected-error @+1 {{result shape [1, 2, 2, 2] is incompatible with the inferred shape [1, 2, 4, 4]}}
  %0 = anvil.depth_to_space %x {blocksize = 2 : i64} : (tensor<1x8x2x2xf32>) -> tensor<1x2x2x2xf32>
  return
}

// -----

// space_to_depth's blocksize is positive.
func.func @space_to_depth_1(%x: tensor<1x2x4x4xf32>) {
  // expected-error @+1 {{blocksize must be positive}}
  %0 = anvil.space_to_depth %x {blocksize = -1 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

// space_to_depth needs spatial dims divisible by blocksize.
func.func @space_to_depth_2(%x: tensor<1x2x5x4xf32>) {
  // expected-error @+1 {{spatial dims must be divisible by blocksize}}
  %0 = anvil.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x2x5x4xf32>) -> tensor<1x8x2x2xf32>
  return
}

// -----

// space_to_depth's result is [N, C * b^2, H / b, W / b].
func.func @space_to_depth_3(%x: tensor<1x2x4x4xf32>) {
  // expected-error @+1 {{result shape [1, 8, 4, 4] is incompatible with the inferred shape [1, 8, 2, 2]}}
  %0 = anvil.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x2x4x4xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

// trilu works on the last two dims, so it needs rank >= 2.
func.func @trilu_1(%x: tensor<4xf32>) {
  // expected-error @+1 {{input must have rank >= 2}}
  %0 = anvil.trilu %x : tensor<4xf32>
  return
}

// -----

// cumsum's axis is in range.
func.func @cumsum_1(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = anvil.cumsum %x {axis = 2 : i64} : tensor<4x4xf32>
  return
}

// -----

// cumprod's axis is in range.
func.func @cumprod_1(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = anvil.cumprod %x {axis = -3 : i64} : tensor<4x4xf32>
  return
}

// -----

// gather_nd's batch_dims leaves at least the tuple dim of indices.
func.func @gather_nd_1(%x: tensor<2x3xf32>, %i: tensor<2x1xi64>) {
  // expected-error @+1 {{batch_dims must be less than the ranks of input and indices}}
  %0 = anvil.gather_nd %x, %i {batch_dims = 3 : i64} : (tensor<2x3xf32>, tensor<2x1xi64>) -> tensor<2xf32>
  return
}

// -----

// gather_nd's index tuple length (the last indices dim) must be static.
func.func @gather_nd_2(%x: tensor<2x3xf32>, %i: tensor<2x?xi64>) {
  // expected-error @+1 {{the last dimension of indices must be static}}
  %0 = anvil.gather_nd %x, %i : (tensor<2x3xf32>, tensor<2x?xi64>) -> tensor<2xf32>
  return
}

// -----

// gather_nd's index tuples fit in the input rank.
func.func @gather_nd_3(%x: tensor<2x3xf32>, %i: tensor<4x3xi64>) {
  // expected-error @+1 {{index tuples of length 3 exceed the input rank}}
  %0 = anvil.gather_nd %x, %i : (tensor<2x3xf32>, tensor<4x3xi64>) -> tensor<4xf32>
  return
}

// -----

// gather_nd keeps the element type.
func.func @gather_nd_4(%x: tensor<2x3xf32>, %i: tensor<4x2xi64>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.gather_nd %x, %i : (tensor<2x3xf32>, tensor<4x2xi64>) -> tensor<4xf16>
  return
}

// -----

// gather_nd's result is indices.shape[:-1] + input.shape[batch_dims + k:].
func.func @gather_nd_5(%x: tensor<2x3xf32>, %i: tensor<4x1xi64>) {
  // expected-error @+1 {{result shape [4, 2] is incompatible with the inferred shape [4, 3]}}
  %0 = anvil.gather_nd %x, %i : (tensor<2x3xf32>, tensor<4x1xi64>) -> tensor<4x2xf32>
  return
}

// -----

// scatter_elements' reduction is none, add, mul, max or min.
func.func @scatter_elements_1(%x: tensor<1x5xf32>, %i: tensor<1x2xi64>, %u: tensor<1x2xf32>) {
  // expected-error @+1 {{unknown reduction 'sub'}}
  %0 = anvil.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "sub"} : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<1x5xf32>
  return
}

// -----

// scatter_elements' axis is in range.
func.func @scatter_elements_2(%x: tensor<1x5xf32>, %i: tensor<1x2xi64>, %u: tensor<1x2xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = anvil.scatter_elements %x, %i, %u {axis = 2 : i64} : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<1x5xf32>
  return
}

// -----

// scatter_elements keeps the element type.
func.func @scatter_elements_3(%x: tensor<1x5xf32>, %i: tensor<1x2xi64>, %u: tensor<1x2xf32>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.scatter_elements %x, %i, %u {axis = 1 : i64} : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<1x5xi32>
  return
}

// -----

// scatter_elements' indices and updates match each other and the input's rank.
func.func @scatter_elements_4(%x: tensor<1x5xf32>, %i: tensor<1x2xi64>, %u: tensor<1x3xf32>) {
  // expected-error @+1 {{indices and updates must have one shape, of the input's rank}}
  %0 = anvil.scatter_elements %x, %i, %u {axis = 1 : i64} : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x3xf32>) -> tensor<1x5xf32>
  return
}

// -----

// scatter_elements' result has the input shape.
func.func @scatter_elements_5(%x: tensor<1x5xf32>, %i: tensor<1x2xi64>, %u: tensor<1x2xf32>) {
  // expected-error @+1 {{result shape [1, 6] is incompatible with the inferred shape [1, 5]}}
  %0 = anvil.scatter_elements %x, %i, %u {axis = 1 : i64} : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<1x6xf32>
  return
}

// -----

// scatter_nd's reduction is none, add, mul, max or min.
func.func @scatter_nd_1(%x: tensor<8xf32>, %i: tensor<4x1xi64>, %u: tensor<4xf32>) {
  // expected-error @+1 {{unknown reduction 'avg'}}
  %0 = anvil.scatter_nd %x, %i, %u {reduction = "avg"} : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

// scatter_nd keeps the element type.
func.func @scatter_nd_2(%x: tensor<8xf32>, %i: tensor<4x1xi64>, %u: tensor<4xf32>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.scatter_nd %x, %i, %u : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf64>
  return
}

// -----

// scatter_nd's index tuples fit in the input rank.
func.func @scatter_nd_3(%x: tensor<8xf32>, %i: tensor<4x2xi64>, %u: tensor<4xf32>) {
  // expected-error @+1 {{index tuples are longer than the input rank}}
  %0 = anvil.scatter_nd %x, %i, %u : (tensor<8xf32>, tensor<4x2xi64>, tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

// scatter_nd's updates are indices.shape[:-1] + input.shape[k:].
func.func @scatter_nd_4(%x: tensor<8x3xf32>, %i: tensor<4x1xi64>, %u: tensor<4xf32>) {
  // expected-error @+1 {{updates must be indices.shape[:-1] + input.shape[k:]}}
  %0 = anvil.scatter_nd %x, %i, %u : (tensor<8x3xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8x3xf32>
  return
}

// -----

// scatter_nd's result has the input shape.
func.func @scatter_nd_5(%x: tensor<8xf32>, %i: tensor<4x1xi64>, %u: tensor<4xf32>) {
  // expected-error @+1 {{result shape [9] is incompatible with the inferred shape [8]}}
  %0 = anvil.scatter_nd %x, %i, %u : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<9xf32>
  return
}

// -----

// one_hot's depth is positive.
func.func @one_hot_1(%i: tensor<?xi64>, %v: tensor<2xf32>) {
  // expected-error @+1 {{depth must be positive}}
  %0 = anvil.one_hot %i, %v {axis = -1 : i64, depth = 0 : i64} : (tensor<?xi64>, tensor<2xf32>) -> tensor<?x0xf32>
  return
}

// -----

// one_hot's values are [off_value, on_value].
func.func @one_hot_2(%i: tensor<?xi64>, %v: tensor<3xf32>) {
  // expected-error @+1 {{values must hold [off_value, on_value]}}
  %0 = anvil.one_hot %i, %v {axis = -1 : i64, depth = 4 : i64} : (tensor<?xi64>, tensor<3xf32>) -> tensor<?x4xf32>
  return
}

// -----

// one_hot's result has the values' element type.
func.func @one_hot_3(%i: tensor<?xi64>, %v: tensor<2xf32>) {
  // expected-error @+1 {{values and the result must have one element type}}
  %0 = anvil.one_hot %i, %v {axis = -1 : i64, depth = 4 : i64} : (tensor<?xi64>, tensor<2xf32>) -> tensor<?x4xi64>
  return
}

// -----

// one_hot's axis indexes the result, whose rank is one more than the indices'.
func.func @one_hot_4(%i: tensor<?xi64>, %v: tensor<2xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = anvil.one_hot %i, %v {axis = 2 : i64, depth = 4 : i64} : (tensor<?xi64>, tensor<2xf32>) -> tensor<?x4xf32>
  return
}

// -----

// one_hot inserts a dim of size depth at axis.
func.func @one_hot_5(%i: tensor<?xi64>, %v: tensor<2xf32>) {
  // expected-error @+1 {{result shape [?, 5] is incompatible with the inferred shape [?, 4]}}
  %0 = anvil.one_hot %i, %v {axis = -1 : i64, depth = 4 : i64} : (tensor<?xi64>, tensor<2xf32>) -> tensor<?x5xf32>
  return
}

// -----

// einsum's inputs and result share one element type.
func.func @einsum_1(%a: tensor<3x4xf32>, %b: tensor<4x5xf16>) {
  // expected-error @+1 {{inputs and the result must have one element type}}
  %0 = anvil.einsum %a, %b {equation = "ij,jk->ik"} : (tensor<3x4xf32>, tensor<4x5xf16>) -> tensor<3x5xf32>
  return
}

// -----

// einsum's equation must agree with the operands (here a subscript's sizes differ).
func.func @einsum_2(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) {
  // expected-error @+1 {{equation 'ij,jk->ik': subscript 'j' has sizes 4 and 5}}
  %0 = anvil.einsum %a, %b {equation = "ij,jk->ik"} : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
  return
}

// -----

// einsum's result follows the output subscripts.
func.func @einsum_3(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{result shape [5, 3] is incompatible with the inferred shape [3, 5]}}
  %0 = anvil.einsum %a, %b {equation = "ij,jk->ik"} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<5x3xf32>
  return
}

// -----

// bitcast reinterprets bits, so both element types have one width.
func.func @bitcast_1(%x: tensor<4xf32>) {
  // expected-error @+1 {{input and result element types must have the same width}}
  %0 = anvil.bitcast %x : tensor<4xf32> to tensor<4xi64>
  return
}

// -----

// bitcast keeps the shape.
func.func @bitcast_2(%x: tensor<4xf32>) {
  // expected-error @+1 {{result shape [2] is incompatible with the inferred shape [4]}}
  %0 = anvil.bitcast %x : tensor<4xf32> to tensor<2xi32>
  return
}

// -----

// lrn's window size is positive.
func.func @lrn_1(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{size must be positive}}
  %0 = anvil.lrn %x {size = 0 : i64} : tensor<1x8x4x4xf32>
  return
}

// -----

// lrn needs N, C and at least one spatial dim.
func.func @lrn_2(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{input must have rank >= 3 (N, C, spatial...)}}
  %0 = anvil.lrn %x {size = 3 : i64} : tensor<1x8xf32>
  return
}

// -----

// grid_sample's input and grid have one rank >= 3.
func.func @grid_sample_1(%x: tensor<1x3x8x8xf32>, %g: tensor<1x16x2xf32>) {
  // expected-error @+1 {{input and grid must have the same rank >= 3}}
  %0 = anvil.grid_sample %x, %g : (tensor<1x3x8x8xf32>, tensor<1x16x2xf32>) -> tensor<1x3x16xf32>
  return
}

// -----

// grid_sample's grid holds one coordinate per spatial dim.
func.func @grid_sample_2(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x4x3xf32>) {
  // expected-error @+1 {{the last grid dimension must be 2}}
  %0 = anvil.grid_sample %x, %g : (tensor<1x3x8x8xf32>, tensor<1x4x4x3xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

// grid_sample's mode is linear, nearest or cubic.
func.func @grid_sample_3(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x4x2xf32>) {
  // expected-error @+1 {{unknown mode 'area'}}
  %0 = anvil.grid_sample %x, %g {mode = "area"} : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

// grid_sample's padding_mode is zeros, border or reflection.
func.func @grid_sample_4(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x4x2xf32>) {
  // expected-error @+1 {{unknown padding_mode 'wrap'}}
  %0 = anvil.grid_sample %x, %g {padding_mode = "wrap"} : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

// grid_sample keeps the element type.
func.func @grid_sample_5(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x4x2xf32>) {
  // expected-error @+1 {{result element type must match the input element type}}
  %0 = anvil.grid_sample %x, %g : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf16>
  return
}

// -----

// grid_sample's result is [N, C] + the grid's spatial dims.
func.func @grid_sample_6(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x4x2xf32>) {
  // expected-error @+1 {{result shape [1, 3, 8, 8] is incompatible with the inferred shape [1, 3, 4, 4]}}
  %0 = anvil.grid_sample %x, %g : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x8x8xf32>
  return
}

// -----

// non_zero returns [rank, count] indices.
func.func @non_zero_1(%x: tensor<?x4x5xf32>) {
  // expected-error @+1 {{result shape [2, ?] is incompatible with the inferred shape [3, ?]}}
  %0 = anvil.non_zero %x : (tensor<?x4x5xf32>) -> tensor<2x?xi64>
  return
}

// -----

// A negative concat axis is reported as written.
func.func @concat_6(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = anvil.concat %a, %a {axis = -3 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

// A negative split axis is reported as written.
func.func @split_9(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0:2 = anvil.split %x {axis = -3 : i64, sizes = array<i64: 1, 1>} : (tensor<2x6xf32>) -> (tensor<1x6xf32>, tensor<1x6xf32>)
  return
}

// -----

// A negative layer_norm axis is reported as written.
func.func @layer_norm_1(%x: tensor<?x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{axis -4 is out of range for rank 3}}
  %0 = anvil.layer_norm %x, %g {axis = -4 : i64} : (tensor<?x16x64xf32>, tensor<64xf32>) -> tensor<?x16x64xf32>
  return
}

// -----

// A negative top_k axis is reported as written.
func.func @top_k_1(%x: tensor<?x10xf32>, %k: tensor<1xi64>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0:2 = anvil.top_k %x, %k {axis = -3 : i64} : (tensor<?x10xf32>, tensor<1xi64>) -> (tensor<?x?xf32>, tensor<?x?xi64>)
  return
}

// -----

// A negative per-axis dequantize axis is reported as written.
func.func @dequantize_1(%q: tensor<?x8xi8>, %s: tensor<8xf32>, %z: tensor<8xi8>) {
  // expected-error @+1 {{axis -3 is out of range}}
  %0 = anvil.dequantize %q, %s, %z {axis = -3 : i64} : (tensor<?x8xi8>, tensor<8xf32>, tensor<8xi8>) -> tensor<?x8xf32>
  return
}

// -----

// A negative conv group is caught by the group check.
func.func @conv_1(%x: tensor<1x8x8x8xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{group must be positive}}
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = -8 : i64} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

// A negative conv_transpose group is caught by the group check.
func.func @conv_transpose_1(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x2x2xf32>) {
  // expected-error @+1 {{group must be positive}}
  %0 = anvil.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = -1 : i64} : (tensor<1x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// matmul's contraction dims agree.
func.func @matmul_1(%a: tensor<?x16x64xf32>, %b: tensor<32x8xf32>) {
  // expected-error @+1 {{operand shapes are incompatible for matmul}}
  %0 = anvil.matmul %a, %b : (tensor<?x16x64xf32>, tensor<32x8xf32>) -> tensor<?x16x8xf32>
  return
}

// -----

// matmul's result is batch + [M, N].
func.func @matmul_2(%a: tensor<?x16x64xf32>, %b: tensor<64x8xf32>) {
  // expected-error @+1 {{result shape [?, 16, 16] is incompatible with the inferred shape [?, 16, 8]}}
  %0 = anvil.matmul %a, %b : (tensor<?x16x64xf32>, tensor<64x8xf32>) -> tensor<?x16x16xf32>
  return
}

// -----

// gemm's contraction dims agree after trans_a/trans_b.
func.func @gemm_1(%a: tensor<?x512xf32>, %b: tensor<10x512xf32>) {
  // expected-error @+1 {{contraction sizes differ (512 vs 10)}}
  %0 = anvil.gemm %a, %b : (tensor<?x512xf32>, tensor<10x512xf32>) -> tensor<?x512xf32>
  return
}

// -----

// gemm's c broadcasts to [M, N] in one direction only.
func.func @gemm_2(%a: tensor<4x512xf32>, %b: tensor<10x512xf32>, %c: tensor<8x10xf32>) {
  // expected-error @+1 {{c must be unidirectionally broadcastable to [M, N]}}
  %0 = anvil.gemm %a, %b, %c {trans_b = true} : (tensor<4x512xf32>, tensor<10x512xf32>, tensor<8x10xf32>) -> tensor<4x10xf32>
  return
}

// -----

// gemm's result is [M, N].
func.func @gemm_3(%a: tensor<?x512xf32>, %b: tensor<10x512xf32>) {
  // expected-error @+1 {{result shape [?, 512] is incompatible with the inferred shape [?, 10]}}
  %0 = anvil.gemm %a, %b {trans_b = true} : (tensor<?x512xf32>, tensor<10x512xf32>) -> tensor<?x512xf32>
  return
}

// -----

// conv's input and weight have one rank >= 3.
func.func @conv_2(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3xf32>) {
  // expected-error @+1 {{input and weight must have the same rank >= 3}}
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

// conv has strides and dilations per spatial dim and two pads each.
func.func @conv_3(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{strides and dilations need 2 entries and pads 4}}
  %0 = anvil.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

// conv's group is positive.
func.func @conv_4(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{group must be positive}}
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 0 : i64} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

// conv's strides and dilations are positive.
func.func @conv_5(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{strides and dilations must be positive}}
  %0 = anvil.conv %x, %w {strides = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

// conv's input channels are weight.dim(1) * group.
func.func @conv_6(%x: tensor<1x3x8x8xf32>, %w: tensor<16x4x3x3xf32>) {
  // expected-error @+1 {{input has 3 channels but weight expects 4 x group 1}}
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x4x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

// conv's output channels split evenly into groups.
func.func @conv_7(%x: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+1 {{output channels must be divisible by group}}
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

// conv's bias has one entry per output channel.
func.func @conv_8(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{bias must be 1-D with one entry per output channel}}
  %0 = anvil.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<8xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

// conv's spatial output follows the window formula.
func.func @conv_9(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{result shape [1, 16, 8, 8] is incompatible with the inferred shape [1, 16, 6, 6]}}
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32>
  return
}

// -----

// conv_transpose's input and weight have one rank >= 3.
func.func @conv_transpose_2(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{input and weight must have the same rank >= 3}}
  %0 = anvil.conv_transpose %x, %w {strides = array<i64>, pads = array<i64>, dilations = array<i64>} : (tensor<1x8xf32>, tensor<8x4xf32>) -> tensor<1x4xf32>
  return
}

// -----

// conv_transpose has strides and dilations per spatial dim and two pads each.
func.func @conv_transpose_3(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x2x2xf32>) {
  // expected-error @+1 {{strides and dilations need 2 entries and pads 4}}
  %0 = anvil.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// conv_transpose's group is positive.
func.func @conv_transpose_4(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x2x2xf32>) {
  // expected-error @+1 {{group must be positive}}
  %0 = anvil.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 0 : i64} : (tensor<1x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// conv_transpose's strides and dilations are positive.
func.func @conv_transpose_5(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x2x2xf32>) {
  // expected-error @+1 {{strides and dilations must be positive}}
  %0 = anvil.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 0>} : (tensor<1x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// conv_transpose's input channels are weight.dim(0).
func.func @conv_transpose_6(%x: tensor<1x8x4x4xf32>, %w: tensor<6x4x2x2xf32>) {
  // expected-error @+1 {{input has 8 channels but weight expects 6}}
  %0 = anvil.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>, tensor<6x4x2x2xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// conv_transpose's bias has one entry per output channel.
func.func @conv_transpose_7(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x2x2xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{bias must be 1-D with one entry per output channel}}
  %0 = anvil.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>, tensor<8x4x2x2xf32>, tensor<8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// conv_transpose's result has group * weight.dim(1) channels.
func.func @conv_transpose_8(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x2x2xf32>) {
  // expected-error @+1 {{result must be [N, group * weight.dim(1), spatial...]}}
  %0 = anvil.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>, tensor<8x4x2x2xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

// Pooling needs N, C and at least one spatial dim.
func.func @max_pool_1(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{input must have rank >= 3 (N, C, spatial...)}}
  %0 = anvil.max_pool %x {kernel_shape = array<i64>, strides = array<i64>, pads = array<i64>, dilations = array<i64>} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

// Pooling has kernel, strides and dilations per spatial dim and two pads each.
func.func @avg_pool_1(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{kernel_shape, strides and dilations need 2 entries and pads 4 for a rank-4 input}}
  %0 = anvil.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

// Pooling windows and steps are positive.
func.func @lp_pool_1(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{kernel_shape, strides and dilations must be positive}}
  %0 = anvil.lp_pool %x {kernel_shape = array<i64: 0, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

// Pooling's spatial output follows the window formula (here with ceil_mode).
func.func @max_pool_2(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{result shape [1, 4, 2, 2] is incompatible with the inferred shape [1, 4, 3, 3]}}
  %0 = anvil.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x4x8x8xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

// batch_norm needs a channel dim.
func.func @batch_norm_1(%x: tensor<8xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{input must have rank >= 2 (N, C, ...)}}
  %0 = anvil.batch_norm %x, %p, %p, %p, %p : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

// batch_norm's statistics are 1-D of size C.
func.func @batch_norm_2(%x: tensor<?x8x4x4xf32>, %p: tensor<8xf32>, %q: tensor<4xf32>) {
  // expected-error @+1 {{per-channel parameters must be 1-D of size C}}
  %0 = anvil.batch_norm %x, %p, %p, %q, %p : (tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<?x8x4x4xf32>
  return
}

// -----

// batch_norm's result has the input shape.
func.func @batch_norm_3(%x: tensor<?x8x4x4xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{result shape [?, 8, 4, 2] is incompatible with the inferred shape [?, 8, 4, 4]}}
  %0 = anvil.batch_norm %x, %p, %p, %p, %p : (tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x4x2xf32>
  return
}

// -----

// instance_norm needs a channel dim.
func.func @instance_norm_1(%x: tensor<8xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{input must have rank >= 2 (N, C, ...)}}
  %0 = anvil.instance_norm %x, %p, %p : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

// instance_norm's scale and bias are 1-D of size C.
func.func @instance_norm_2(%x: tensor<?x8x4x4xf32>, %p: tensor<8xf32>, %q: tensor<1x8xf32>) {
  // expected-error @+1 {{per-channel parameters must be 1-D of size C}}
  %0 = anvil.instance_norm %x, %p, %q : (tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<1x8xf32>) -> tensor<?x8x4x4xf32>
  return
}

// -----

// instance_norm's result has the input shape.
func.func @instance_norm_3(%x: tensor<?x8x4x4xf32>, %p: tensor<8xf32>) {
  // expected-error @+1 {{result shape [?, 8, 4] is incompatible with the inferred shape [?, 8, 4, 4]}}
  %0 = anvil.instance_norm %x, %p, %p : (tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x4xf32>
  return
}

// -----

// layer_norm's axis is in range.
func.func @layer_norm_2(%x: tensor<?x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{axis 3 is out of range for rank 3}}
  %0 = anvil.layer_norm %x, %g {axis = 3 : i64} : (tensor<?x16x64xf32>, tensor<64xf32>) -> tensor<?x16x64xf32>
  return
}

// -----

// layer_norm's scale and bias broadcast to the normalized dims.
func.func @layer_norm_3(%x: tensor<?x16x64xf32>, %g: tensor<64xf32>, %b: tensor<32xf32>) {
  // expected-error @+1 {{scale and bias must broadcast to the normalized dimensions}}
  %0 = anvil.layer_norm %x, %g, %b : (tensor<?x16x64xf32>, tensor<64xf32>, tensor<32xf32>) -> tensor<?x16x64xf32>
  return
}

// -----

// layer_norm's result has the input shape.
func.func @layer_norm_4(%x: tensor<?x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{result shape [?, 16, 32] is incompatible with the inferred shape [?, 16, 64]}}
  %0 = anvil.layer_norm %x, %g : (tensor<?x16x64xf32>, tensor<64xf32>) -> tensor<?x16x32xf32>
  return
}

// -----

// softmax's axis is in range.
func.func @softmax_1(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = anvil.softmax %x {axis = 2 : i64} : tensor<?x10xf32>
  return
}

// -----

// log_softmax's axis is in range.
func.func @log_softmax_1(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = anvil.log_softmax %x {axis = -3 : i64} : tensor<?x10xf32>
  return
}

// -----

// hardmax's axis is in range.
func.func @hardmax_1(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{axis 5 is out of range for rank 2}}
  %0 = anvil.hardmax %x {axis = 5 : i64} : tensor<?x10xf32>
  return
}

// -----

// attention takes q, k and v of one rank, 3 or 4.
func.func @attention_1(%q: tensor<1x8x16x64xf32>, %k: tensor<1x16x512xf32>) {
  // expected-error @+1 {{q, k and v must all be 3-D or all be 4-D}}
  %0:4 = anvil.attention %q, %k, %k : (tensor<1x8x16x64xf32>, tensor<1x16x512xf32>, tensor<1x16x512xf32>) -> (tensor<1x8x16x64xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>)
  return
}

// -----

// A KV cache has both a past key and a past value.
func.func @attention_2(%q: tensor<1x8x16x64xf32>, %pk: tensor<1x8x4x64xf32>) {
  // expected-error @+1 {{past_key and past_value come together}}
  %0:4 = "anvil.attention"(%q, %q, %q, %pk) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 1, 0, 0>}> : (tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x4x64xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x20x64xf32>, tensor<1x8x20x64xf32>, tensor<1x8x16x20xf32>)
  return
}

// -----

// 3-D attention needs the head counts to split the hidden dim.
func.func @attention_3(%q: tensor<1x16x512xf32>) {
  // expected-error @+1 {{3-D inputs need positive q_num_heads and kv_num_heads}}
  %0:4 = anvil.attention %q, %q, %q {q_num_heads = 8 : i64} : (tensor<1x16x512xf32>, tensor<1x16x512xf32>, tensor<1x16x512xf32>) -> (tensor<1x16x512xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x16xf32>)
  return
}

// -----

// Grouped-query attention shares each kv head among a whole number of q heads.
func.func @attention_4(%q: tensor<1x8x16x64xf32>, %k: tensor<1x3x16x64xf32>) {
  // expected-error @+1 {{q_num_heads must be a multiple of kv_num_heads}}
  %0:4 = anvil.attention %q, %k, %k : (tensor<1x8x16x64xf32>, tensor<1x3x16x64xf32>, tensor<1x3x16x64xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x3x16x64xf32>, tensor<1x3x16x64xf32>, tensor<1x8x16x16xf32>)
  return
}

// -----

// q and k are contracted over the head size, so it must agree.
func.func @attention_5(%q: tensor<1x8x16x64xf32>, %k: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{q and k head sizes differ}}
  %0:4 = anvil.attention %q, %k, %k : (tensor<1x8x16x64xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) -> (tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x16xf32>)
  return
}

// -----

// qk_output can be taken at one of four stages.
func.func @attention_6(%q: tensor<1x8x16x64xf32>) {
  // expected-error @+1 {{qk_matmul_output_mode must be 0, 1, 2 or 3}}
  %0:4 = anvil.attention %q, %q, %q {qk_matmul_output_mode = 4 : i64} : (tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x16xf32>)
  return
}

// -----

// The KV cache is 4-D like the 4-D inputs.
func.func @attention_7(%q: tensor<1x8x16x64xf32>, %pk: tensor<8x4x64xf32>) {
  // expected-error @+1 {{past_key and past_value must be 4-D}}
  %0:4 = anvil.attention %q, %q, %q past %pk, %pk : (tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<8x4x64xf32>, tensor<8x4x64xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x20x64xf32>, tensor<1x8x20x64xf32>, tensor<1x8x16x20xf32>)
  return
}

// -----

// attention's output is [batch, q heads, q seq, v head size].
func.func @attention_8(%q: tensor<1x8x16x64xf32>) {
  // expected-error @+1 {{result shape [1, 8, 16, 32] is incompatible with the inferred shape [1, 8, 16, 64]}}
  %0:4 = anvil.attention %q, %q, %q : (tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>) -> (tensor<1x8x16x32xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x16xf32>)
  return
}

// -----

// present_key appends the new keys to the cache along the sequence.
func.func @attention_9(%q: tensor<1x8x16x64xf32>, %pk: tensor<1x8x4x64xf32>) {
  // expected-error @+1 {{present_key shape [1, 8, 16, 64] is incompatible with the inferred shape [1, 8, 20, 64]}}
  %0:4 = anvil.attention %q, %q, %q past %pk, %pk : (tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x4x64xf32>, tensor<1x8x4x64xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x20x64xf32>, tensor<1x8x16x20xf32>)
  return
}

// -----

// present_value appends the new values to the cache along the sequence.
func.func @attention_10(%q: tensor<1x8x16x64xf32>, %pk: tensor<1x8x4x64xf32>) {
  // expected-error @+1 {{present_value shape [1, 8, 16, 64] is incompatible with the inferred shape [1, 8, 20, 64]}}
  %0:4 = anvil.attention %q, %q, %q past %pk, %pk : (tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x4x64xf32>, tensor<1x8x4x64xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x20x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x20xf32>)
  return
}

// -----

// qk_output is [batch, q heads, q seq, total kv seq].
func.func @attention_11(%q: tensor<1x8x16x64xf32>, %pk: tensor<1x8x4x64xf32>) {
  // expected-error @+1 {{qk_output shape [1, 8, 16, 16] is incompatible with the inferred shape [1, 8, 16, 20]}}
  %0:4 = anvil.attention %q, %q, %q past %pk, %pk : (tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16x64xf32>, tensor<1x8x4x64xf32>, tensor<1x8x4x64xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x20x64xf32>, tensor<1x8x20x64xf32>, tensor<1x8x16x16xf32>)
  return
}

// -----

// recurrent's cell is rnn, gru or lstm.
func.func @recurrent_1(%x: tensor<16x?x8xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{unknown cell 'gru2'}}
  %0:3 = anvil.recurrent %x, %w, %r {cell = "gru2", hidden_size = 32 : i64, activations = []} : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>) -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>)
  return
}

// -----

// recurrent's direction is forward, reverse or bidirectional.
func.func @recurrent_2(%x: tensor<16x?x8xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{unknown direction 'both'}}
  %0:3 = anvil.recurrent %x, %w, %r {cell = "lstm", hidden_size = 32 : i64, activations = [], direction = "both"} : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>) -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>)
  return
}

// -----

// recurrent's layout is 0 (sequence first) or 1 (batch first).
func.func @recurrent_3(%x: tensor<16x?x8xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{layout must be 0 or 1}}
  %0:3 = anvil.recurrent %x, %w, %r {cell = "lstm", hidden_size = 32 : i64, activations = [], layout = 2 : i64} : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>) -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>)
  return
}

// -----

// Only an LSTM has the cell-state result y_c.
func.func @recurrent_4(%x: tensor<16x?x8xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{y_c exists exactly for LSTM}}
  %0:2 = anvil.recurrent %x, %w, %r {cell = "lstm", hidden_size = 32 : i64, activations = []} : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>) -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>)
  return
}

// -----

// recurrent's hidden_size is positive.
func.func @recurrent_5(%x: tensor<16x?x8xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{hidden_size must be positive}}
  %0:3 = anvil.recurrent %x, %w, %r {cell = "lstm", hidden_size = 0 : i64, activations = []} : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>) -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>)
  return
}

// -----

// recurrent's x is [seq, batch, input] (or batch first).
func.func @recurrent_6(%x: tensor<16x8xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{x must be 3-D}}
  %0:3 = anvil.recurrent %x, %w, %r {cell = "lstm", hidden_size = 32 : i64, activations = []} : (tensor<16x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>) -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>)
  return
}

// -----

// w is [dirs, gates * hidden, input].
func.func @recurrent_7(%x: tensor<16x?x8xf32>, %w: tensor<1x96x8xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{w shape [1, 96, 8] is incompatible with the inferred shape [1, 128, 8]}}
  %0:3 = anvil.recurrent %x, %w, %r {cell = "lstm", hidden_size = 32 : i64, activations = []} : (tensor<16x?x8xf32>, tensor<1x96x8xf32>, tensor<1x128x32xf32>) -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>)
  return
}

// -----

// r is [dirs, gates * hidden, hidden].
func.func @recurrent_8(%x: tensor<16x?x8xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x16xf32>) {
  // expected-error @+1 {{r shape [1, 128, 16] is incompatible with the inferred shape [1, 128, 32]}}
  %0:3 = anvil.recurrent %x, %w, %r {cell = "lstm", hidden_size = 32 : i64, activations = []} : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x16xf32>) -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>)
  return
}

// -----

// The bias is [dirs, 2 * gates * hidden].
func.func @recurrent_9(%x: tensor<16x?x8xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x32xf32>, %b: tensor<1x128xf32>) {
  // expected-error @+1 {{bias shape [1, 128] is incompatible with the inferred shape [1, 256]}}
  %0:3 = anvil.recurrent %x, %w, %r bias %b {cell = "lstm", hidden_size = 32 : i64, activations = []} : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>, tensor<1x128xf32>) -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>)
  return
}

// -----

// y is [seq, dirs, batch, hidden] with layout 0.
func.func @recurrent_10(%x: tensor<16x?x8xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{y shape [8, 1, ?, 32] is incompatible with the inferred shape [16, 1, ?, 32]}}
  %0:3 = anvil.recurrent %x, %w, %r {cell = "lstm", hidden_size = 32 : i64, activations = []} : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>) -> (tensor<8x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x32xf32>)
  return
}

// -----

// y_h is [dirs, batch, hidden].
func.func @recurrent_11(%x: tensor<16x?x8xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{y_h shape [2, ?, 32] is incompatible with the inferred shape [1, ?, 32]}}
  %0:3 = anvil.recurrent %x, %w, %r {cell = "lstm", hidden_size = 32 : i64, activations = []} : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>) -> (tensor<16x1x?x32xf32>, tensor<2x?x32xf32>, tensor<1x?x32xf32>)
  return
}

// -----

// y_c is [dirs, batch, hidden].
func.func @recurrent_12(%x: tensor<16x?x8xf32>, %w: tensor<1x128x8xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{y_c shape [1, ?, 16] is incompatible with the inferred shape [1, ?, 32]}}
  %0:3 = anvil.recurrent %x, %w, %r {cell = "lstm", hidden_size = 32 : i64, activations = []} : (tensor<16x?x8xf32>, tensor<1x128x8xf32>, tensor<1x128x32xf32>) -> (tensor<16x1x?x32xf32>, tensor<1x?x32xf32>, tensor<1x?x16xf32>)
  return
}

// -----

// A reduction takes its axes from the attribute or the operand, never both.
func.func @reduce_sum_1(%x: tensor<?x8xf32>, %a: tensor<1xi64>) {
  // expected-error @+1 {{takes axes from an attribute or an operand, not both}}
  %0 = anvil.reduce_sum %x, %a {axes = array<i64: 1>} : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x1xf32>
  return
}

// -----

// With run-time axes and keepdims the rank is kept.
func.func @reduce_mean_1(%x: tensor<?x8xf32>, %a: tensor<1xi64>) {
  // expected-error @+1 {{with keepdims the result rank must equal the input rank}}
  %0 = anvil.reduce_mean %x, %a {axes = array<i64>} : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?xf32>
  return
}

// -----

// With run-time axes and no keepdims, each axis removes a dim.
func.func @reduce_max_1(%x: tensor<?x8x4xf32>, %a: tensor<2xi64>) {
  // expected-error @+1 {{result rank must be the input rank minus the number of axes}}
  %0 = anvil.reduce_max %x, %a {axes = array<i64>, keepdims = false} : (tensor<?x8x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

// Reduction axes are in range.
func.func @reduce_min_1(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = anvil.reduce_min %x {axes = array<i64: 2>} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return
}

// -----

// Reduction axes are unique.
func.func @reduce_prod_1(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{axis -1 appears more than once}}
  %0 = anvil.reduce_prod %x {axes = array<i64: 1, -1>} : (tensor<?x8xf32>) -> tensor<?x1xf32>
  return
}

// -----

// A reduction keeps reduced dims as 1 with keepdims (the default).
func.func @reduce_l2_1(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{result shape [?] is incompatible with the inferred shape [?, 1]}}
  %0 = anvil.reduce_l2 %x {axes = array<i64: 1>} : (tensor<?x8xf32>) -> tensor<?xf32>
  return
}

// -----

// arg_max's axis is in range.
func.func @arg_max_1(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = anvil.arg_max %x {axis = 2 : i64} : (tensor<?x10xf32>) -> tensor<?x1xi64>
  return
}

// -----

// arg_min's result drops the axis without keepdims.
func.func @arg_min_1(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{result shape [?, 1] is incompatible with the inferred shape [?]}}
  %0 = anvil.arg_min %x {axis = 1 : i64, keepdims = false} : (tensor<?x10xf32>) -> tensor<?x1xi64>
  return
}

// -----

// top_k's axis is in range.
func.func @top_k_2(%x: tensor<?x10xf32>, %k: tensor<1xi64>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0:2 = anvil.top_k %x, %k {axis = 2 : i64} : (tensor<?x10xf32>, tensor<1xi64>) -> (tensor<?x?xf32>, tensor<?x?xi64>)
  return
}

// -----

// top_k's values and indices have one shape.
func.func @top_k_3(%x: tensor<?x10xf32>, %k: tensor<1xi64>) {
  // expected-error @+1 {{values and indices must have the same shape}}
  %0:2 = anvil.top_k %x, %k {axis = 1 : i64} : (tensor<?x10xf32>, tensor<1xi64>) -> (tensor<?x?xf32>, tensor<?x3xi64>)
  return
}

// -----

// top_k's values have the input element type.
func.func @top_k_4(%x: tensor<?x10xf32>, %k: tensor<1xi64>) {
  // expected-error @+1 {{values must have the input element type}}
  %0:2 = anvil.top_k %x, %k {axis = 1 : i64} : (tensor<?x10xf32>, tensor<1xi64>) -> (tensor<?x?xf16>, tensor<?x?xi64>)
  return
}

// -----

// A constant k holds one non-negative value.
func.func @top_k_5(%x: tensor<?x10xf32>) {
  %0 = anvil.constant dense<-1> : tensor<1xi64>
  // expected-error @+1 {{k must be one non-negative value}}
  %1:2 = anvil.top_k %x, %0 {axis = 1 : i64} : (tensor<?x10xf32>, tensor<1xi64>) -> (tensor<?x?xf32>, tensor<?x?xi64>)
  return
}

// -----

// A constant k fits in the axis.
func.func @top_k_6(%x: tensor<?x10xf32>) {
  %0 = anvil.constant dense<11> : tensor<1xi64>
  // expected-error @+1 {{k = 11 exceeds the axis size 10}}
  %1:2 = anvil.top_k %x, %0 {axis = 1 : i64} : (tensor<?x10xf32>, tensor<1xi64>) -> (tensor<?x11xf32>, tensor<?x11xi64>)
  return
}

// -----

// A constant k fixes the result's axis size.
func.func @top_k_7(%x: tensor<?x10xf32>) {
  %0 = anvil.constant dense<3> : tensor<1xi64>
  // expected-error @+1 {{result shape [?, 4] is incompatible with the inferred shape [?, 3]}}
  %1:2 = anvil.top_k %x, %0 {axis = 1 : i64} : (tensor<?x10xf32>, tensor<1xi64>) -> (tensor<?x4xf32>, tensor<?x4xi64>)
  return
}

// -----

// quantize reads real values from a float tensor.
func.func @quantize_1(%x: tensor<?x8xi32>, %s: tensor<f32>, %z: tensor<ui8>) {
  // expected-error @+1 {{the real-valued side must be a float tensor}}
  %0 = anvil.quantize %x, %s, %z : (tensor<?x8xi32>, tensor<f32>, tensor<ui8>) -> tensor<?x8xui8>
  return
}

// -----

// quantize's zero point has the quantized element type.
func.func @quantize_2(%x: tensor<?x8xf32>, %s: tensor<f32>, %z: tensor<i8>) {
  // expected-error @+1 {{zero_point must have the quantized element type}}
  %0 = anvil.quantize %x, %s, %z : (tensor<?x8xf32>, tensor<f32>, tensor<i8>) -> tensor<?x8xui8>
  return
}

// -----

// quantize's scale and zero point have one shape.
func.func @quantize_3(%x: tensor<?x8xf32>, %s: tensor<8xf32>, %z: tensor<ui8>) {
  // expected-error @+1 {{scale and zero_point must have the same shape}}
  %0 = anvil.quantize %x, %s, %z : (tensor<?x8xf32>, tensor<8xf32>, tensor<ui8>) -> tensor<?x8xui8>
  return
}

// -----

// Per-axis quantize needs an axis in range.
func.func @quantize_4(%x: tensor<?x8xf32>, %s: tensor<8xf32>, %z: tensor<8xui8>) {
  // expected-error @+1 {{axis 2 is out of range}}
  %0 = anvil.quantize %x, %s, %z {axis = 2 : i64} : (tensor<?x8xf32>, tensor<8xf32>, tensor<8xui8>) -> tensor<?x8xui8>
  return
}

// -----

// Per-axis quantize has one scale per element of the axis.
func.func @quantize_5(%x: tensor<?x8xf32>, %s: tensor<4xf32>, %z: tensor<4xui8>) {
  // expected-error @+1 {{per-axis scale must have one entry per element of axis}}
  %0 = anvil.quantize %x, %s, %z {axis = 1 : i64} : (tensor<?x8xf32>, tensor<4xf32>, tensor<4xui8>) -> tensor<?x8xui8>
  return
}

// -----

// quantize's block_size is 0 (not blocked) or positive.
func.func @quantize_6(%x: tensor<4x8xf32>, %s: tensor<4x2xf32>, %z: tensor<4x2xi8>) {
  // expected-error @+1 {{block_size must not be negative}}
  %0 = anvil.quantize %x, %s, %z {block_size = -4 : i64} : (tensor<4x8xf32>, tensor<4x2xf32>, tensor<4x2xi8>) -> tensor<4x8xi8>
  return
}

// -----

// Blocked quantize needs an axis in range.
func.func @quantize_7(%x: tensor<4x8xf32>, %s: tensor<4x2xf32>, %z: tensor<4x2xi8>) {
  // expected-error @+1 {{axis 2 is out of range}}
  %0 = anvil.quantize %x, %s, %z {axis = 2 : i64, block_size = 4 : i64} : (tensor<4x8xf32>, tensor<4x2xf32>, tensor<4x2xi8>) -> tensor<4x8xi8>
  return
}

// -----

// A blocked scale has one entry per block along the axis (8 / 4 = 2, not 3).
func.func @quantize_8(%x: tensor<4x8xf32>, %s: tensor<4x3xf32>, %z: tensor<4x3xi8>) {
  // expected-error @+1 {{blocked scale must be the input shape with axis divided into blocks}}
  %0 = anvil.quantize %x, %s, %z {block_size = 4 : i64} : (tensor<4x8xf32>, tensor<4x3xf32>, tensor<4x3xi8>) -> tensor<4x8xi8>
  return
}

// -----

// quantize keeps the shape.
func.func @quantize_9(%x: tensor<?x8xf32>, %s: tensor<f32>, %z: tensor<ui8>) {
  // expected-error @+1 {{result shape [?, 4] is incompatible with the inferred shape [?, 8]}}
  %0 = anvil.quantize %x, %s, %z : (tensor<?x8xf32>, tensor<f32>, tensor<ui8>) -> tensor<?x4xui8>
  return
}

// -----

// dequantize produces a float tensor.
func.func @dequantize_2(%q: tensor<?x8xui8>, %s: tensor<f32>, %z: tensor<ui8>) {
  // expected-error @+1 {{the real-valued side must be a float tensor}}
  %0 = anvil.dequantize %q, %s, %z : (tensor<?x8xui8>, tensor<f32>, tensor<ui8>) -> tensor<?x8xi32>
  return
}

// -----

// dequantize's zero point has the input's quantized element type.
func.func @dequantize_3(%q: tensor<?x8xui8>, %s: tensor<f32>, %z: tensor<i8>) {
  // expected-error @+1 {{zero_point must have the quantized element type}}
  %0 = anvil.dequantize %q, %s, %z : (tensor<?x8xui8>, tensor<f32>, tensor<i8>) -> tensor<?x8xf32>
  return
}

// -----

// dequantize's scale and zero point have one shape.
func.func @dequantize_4(%q: tensor<?x8xi8>, %s: tensor<8xf32>, %z: tensor<1x8xi8>) {
  // expected-error @+1 {{scale and zero_point must have the same shape}}
  %0 = anvil.dequantize %q, %s, %z : (tensor<?x8xi8>, tensor<8xf32>, tensor<1x8xi8>) -> tensor<?x8xf32>
  return
}

// -----

// Per-axis dequantize needs an axis in range.
func.func @dequantize_5(%q: tensor<?x8xi8>, %s: tensor<8xf32>, %z: tensor<8xi8>) {
  // expected-error @+1 {{axis 2 is out of range}}
  %0 = anvil.dequantize %q, %s, %z {axis = 2 : i64} : (tensor<?x8xi8>, tensor<8xf32>, tensor<8xi8>) -> tensor<?x8xf32>
  return
}

// -----

// Per-axis dequantize has one scale per element of the axis.
func.func @dequantize_6(%q: tensor<?x8xi8>, %s: tensor<2xf32>, %z: tensor<2xi8>) {
  // expected-error @+1 {{per-axis scale must have one entry per element of axis}}
  %0 = anvil.dequantize %q, %s, %z {axis = 1 : i64} : (tensor<?x8xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<?x8xf32>
  return
}

// -----

// NonMaxSuppression boxes end in the 4 coordinates.
func.func @nms_box_coords(%b: tensor<1x6x5xf32>, %s: tensor<1x2x6xf32>, %m: tensor<1xi64>, %t: tensor<f32>) {
  // expected-error @+1 {{boxes must be [batch, boxes, 4]}}
  %0 = anvil.non_max_suppression %b, %s, %m, %t, %t : (tensor<1x6x5xf32>, tensor<1x2x6xf32>, tensor<1xi64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  return
}

// -----

// NonMaxSuppression scores cover the same batch and boxes.
func.func @nms_scores(%b: tensor<1x6x4xf32>, %s: tensor<1x2x7xf32>, %m: tensor<1xi64>, %t: tensor<f32>) {
  // expected-error @+1 {{scores must be [batch, classes, boxes] matching boxes}}
  %0 = anvil.non_max_suppression %b, %s, %m, %t, %t : (tensor<1x6x4xf32>, tensor<1x2x7xf32>, tensor<1xi64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  return
}

// -----

// NonMaxSuppression thresholds are single values.
func.func @nms_threshold_count(%b: tensor<1x6x4xf32>, %s: tensor<1x2x6xf32>, %m: tensor<1xi64>, %t: tensor<2xf32>) {
  // expected-error @+1 {{max_output and the thresholds must hold one value}}
  %0 = anvil.non_max_suppression %b, %s, %m, %t, %t : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<1xi64>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x3xi64>
  return
}

// -----

// RoiAlign rois hold 4 coordinates.
func.func @roi_align_rois(%x: tensor<1x8x10x10xf32>, %r: tensor<3x5xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{rois must be [num_rois, 4]}}
  %0 = anvil.roi_align %x, %r, %i : (tensor<1x8x10x10xf32>, tensor<3x5xf32>, tensor<3xi64>) -> tensor<3x8x1x1xf32>
  return
}

// -----

// RoiAlign needs one batch index per roi.
func.func @roi_align_indices(%x: tensor<1x8x10x10xf32>, %r: tensor<3x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{batch_indices must have one entry per roi}}
  %0 = anvil.roi_align %x, %r, %i : (tensor<1x8x10x10xf32>, tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x8x1x1xf32>
  return
}

// -----

// RoiAlign pools by avg or max only.
func.func @roi_align_mode(%x: tensor<1x8x10x10xf32>, %r: tensor<3x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{mode must be avg or max}}
  %0 = anvil.roi_align %x, %r, %i {mode = "sum"} : (tensor<1x8x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x8x1x1xf32>
  return
}

// -----

// RoiAlign output bins must exist.
func.func @roi_align_sizes(%x: tensor<1x8x10x10xf32>, %r: tensor<3x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{output sizes must be positive and sampling_ratio not negative}}
  %0 = anvil.roi_align %x, %r, %i {output_height = 0 : i64} : (tensor<1x8x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x8x0x1xf32>
  return
}

// -----

// Compress needs an axis of the input.
func.func @compress_axis(%x: tensor<5x2xf32>, %c: tensor<5xi1>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = anvil.compress %x, %c {axis = 2 : i64} : (tensor<5x2xf32>, tensor<5xi1>) -> tensor<?x2xf32>
  return
}

// -----

// EyeLike keeps the input's shape.
func.func @eye_like_shape(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{result shape [4, 3] is incompatible with the inferred shape [3, 4]}}
  %0 = anvil.eye_like %x : (tensor<3x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

// ReverseSequence's batch and time axes are 0 and 1.
func.func @reverse_sequence_axes(%x: tensor<4x3x2xf32>, %l: tensor<2xi64>) {
  // expected-error @+1 {{batch_axis and time_axis must be 0 and 1 in some order}}
  %0 = anvil.reverse_sequence %x, %l {batch_axis = 2 : i64, time_axis = 0 : i64} : (tensor<4x3x2xf32>, tensor<2xi64>) -> tensor<4x3x2xf32>
  return
}

// -----

// ReverseSequence needs one length per batch entry.
func.func @reverse_sequence_lengths(%x: tensor<4x3xf32>, %l: tensor<2xi64>) {
  // expected-error @+1 {{lengths must have one entry per batch entry}}
  %0 = anvil.reverse_sequence %x, %l : (tensor<4x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  return
}

// -----

// Unique's distinct values keep the input's element type.
func.func @unique_type(%x: tensor<6xf32>) {
  // expected-error @+1 {{output element type must match the input element type}}
  %0:4 = anvil.unique %x {axis = 0 : i64} : (tensor<6xf32>) -> (tensor<?xi64>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
  return
}

// -----

// Unique's inverse indices have one entry per input slice.
func.func @unique_inverse(%x: tensor<6xf32>) {
  // expected-error @+1 {{inverse_indices shape [5] is incompatible with the inferred shape [6]}}
  %0:4 = anvil.unique %x {axis = 0 : i64} : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<5xi64>, tensor<?xi64>)
  return
}

// -----

// A 3-D RotaryEmbedding input is split into heads.
func.func @rotary_heads(%x: tensor<1x8x64xf32>, %c: tensor<8x16xf32>) {
  // expected-error @+1 {{3-D input needs a positive num_heads}}
  %0 = anvil.rotary_embedding %x, %c, %c : (tensor<1x8x64xf32>, tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<1x8x64xf32>
  return
}

// -----

// Rotary features come in pairs.
func.func @rotary_dim(%x: tensor<1x4x8x16xf32>, %c: tensor<8x8xf32>) {
  // expected-error @+1 {{rotary_embedding_dim must be even and not negative}}
  %0 = anvil.rotary_embedding %x, %c, %c {rotary_embedding_dim = 3 : i64} : (tensor<1x4x8x16xf32>, tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

// channels_last is only defined for 2-D convolutions.
func.func @conv_channels_last_1d(%x: tensor<1x8x4xf32>, %w: tensor<3x4x4xf32>) {
  // expected-error @+1 {{channels_last needs a 2-D convolution}}
  %0 = anvil.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>, channels_last} : (tensor<1x8x4xf32>, tensor<3x4x4xf32>) -> tensor<1x6x4xf32>
  return
}

// -----

// A grouped (not depthwise) conv has no channels-last form.
func.func @conv_channels_last_grouped(%x: tensor<1x4x4x4xf32>, %w: tensor<1x1x2x4xf32>) {
  // expected-error @+1 {{channels_last needs group 1 or a depthwise convolution}}
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64, channels_last} : (tensor<1x4x4x4xf32>, tensor<1x1x2x4xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

// A channels-last result is NHWC: an NCHW result type is rejected.
func.func @conv_channels_last_result(%x: tensor<1x4x4x3xf32>, %w: tensor<1x1x3x8xf32>) {
  // expected-error @+1 {{result shape [1, 8, 4, 4] is incompatible with the inferred shape [1, 4, 4, 8]}}
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, channels_last} : (tensor<1x4x4x3xf32>, tensor<1x1x3x8xf32>) -> tensor<1x8x4x4xf32>
  return
}
