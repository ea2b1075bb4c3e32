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
