// RUN: anvil-opt %s --convert-anvil-to-linalg -verify-diagnostics -split-input-file

// An op without a lowering is reported (at its ONNX node location) and the pass fails:
// NonZero's result size depends on tensor data.
func.func @non_zero(%x: tensor<2x3xf32>) -> tensor<2x?xi64> {
  // expected-error @+1 {{'anvil.non_zero' cannot be lowered to linalg yet}}
  %0 = anvil.non_zero %x : (tensor<2x3xf32>) -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// Float-only math on integers is refused rather than lowered wrongly.
func.func @int_sqrt(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'anvil.sqrt' cannot be lowered to linalg yet (or not for its types)}}
  %0 = anvil.sqrt %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// A reshape to several dynamic dims whose target is a graph input would size its result
// from tensor data: refused.
func.func @reshape_from_data(%x: tensor<?x8xf32>, %s: tensor<3xi64>) -> tensor<?x?x2xf32> {
  // expected-error @+1 {{'anvil.reshape' cannot be lowered to linalg yet}}
  %0 = anvil.reshape %x, %s : (tensor<?x8xf32>, tensor<3xi64>) -> tensor<?x?x2xf32>
  return %0 : tensor<?x?x2xf32>
}

// -----

// Reduction axes known only at run time are refused.
func.func @reduce_runtime_axes(%x: tensor<4x8xf32>, %a: tensor<1xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'anvil.reduce_sum' cannot be lowered to linalg yet}}
  %0 = anvil.reduce_sum %x, %a {axes = array<i64>} : (tensor<4x8xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Float8 casts (saturation semantics) are left alone.
func.func @cast_f8(%x: tensor<4xf32>) -> tensor<4xf8E4M3FN> {
  // expected-error @+1 {{'anvil.cast' cannot be lowered to linalg yet}}
  %0 = anvil.cast %x : tensor<4xf32> to tensor<4xf8E4M3FN>
  return %0 : tensor<4xf8E4M3FN>
}

// -----

// A slice whose bounds are graph inputs has a data-dependent size: refused.
func.func @slice_from_data(%x: tensor<8xf32>, %s: tensor<1xi64>) -> tensor<?xf32> {
  %e = anvil.constant dense<[8]> : tensor<1xi64>
  %a = anvil.constant dense<[0]> : tensor<1xi64>
  %p = anvil.constant dense<[1]> : tensor<1xi64>
  // expected-error @+1 {{'anvil.slice' cannot be lowered to linalg yet}}
  %0 = anvil.slice %x, %s, %e, %a, %p : (tensor<8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
