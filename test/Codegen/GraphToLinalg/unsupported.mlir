// RUN: anvil-opt %s --convert-anvil-to-linalg -verify-diagnostics -split-input-file

// An op without a lowering yet is reported (at its ONNX node location) and the pass fails.
func.func @hardmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'anvil.hardmax' cannot be lowered to linalg yet}}
  %0 = anvil.hardmax %x {axis = -1 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Float-only math on integers is refused rather than lowered wrongly.
func.func @int_sqrt(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'anvil.sqrt' cannot be lowered to linalg yet (or not for its types)}}
  %0 = anvil.sqrt %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Grouped convolution other than depthwise has no lowering yet.
func.func @conv_grouped(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'anvil.conv' cannot be lowered to linalg yet (or not for its types)}}
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}
