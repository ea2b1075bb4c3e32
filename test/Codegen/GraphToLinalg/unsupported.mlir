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

// -----

// Attention with a dynamic head count cannot pair query heads with kv heads: refused.
func.func @attention_dynamic_heads(%q: tensor<1x?x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x?x4x8xf32> {
  // expected-error @+1 {{'anvil.attention' cannot be lowered to linalg yet}}
  %y, %pk, %pv, %qk = anvil.attention %q, %k, %v : (tensor<1x?x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> (tensor<1x?x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x?x4x4xf32>)
  return %y : tensor<1x?x4x8xf32>
}

// -----

// Resize whose scales come at run time would size its result from tensor data: refused.
func.func @resize_runtime_scales(%x: tensor<1x1x4x4xf32>, %s: tensor<4xf32>) -> tensor<1x1x?x?xf32> {
  // expected-error @+1 {{'anvil.resize' cannot be lowered to linalg yet}}
  %y = anvil.resize %x, %s {mode = "nearest", scales = array<f64>} : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<1x1x?x?xf32>
  return %y : tensor<1x1x?x?xf32>
}

// -----

// Linear interpolation of integers would need the reference's rounding: refused.
func.func @resize_linear_int(%x: tensor<1x1x2x2xi32>) -> tensor<1x1x4x4xi32> {
  // expected-error @+1 {{'anvil.resize' cannot be lowered to linalg yet}}
  %y = anvil.resize %x {mode = "linear", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xi32>) -> tensor<1x1x4x4xi32>
  return %y : tensor<1x1x4x4xi32>
}

// -----

// Quantizing to 4-bit integers would need packed storage: refused.
func.func @quantize_int4(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<i4>) -> tensor<4xi4> {
  // expected-error @+1 {{'anvil.quantize' cannot be lowered to linalg yet}}
  %q = anvil.quantize %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i4>) -> tensor<4xi4>
  return %q : tensor<4xi4>
}
