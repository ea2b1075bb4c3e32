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

// -----

// TopK's k read from tensor data would size the result from data: refused.
func.func @top_k_data_k(%x: tensor<8xf32>, %k: tensor<1xi64>) -> (tensor<?xf32>, tensor<?xi64>) {
  // expected-error @+1 {{'anvil.top_k' cannot be lowered to linalg yet}}
  %v, %i = anvil.top_k %x, %k {axis = 0 : i64} : (tensor<8xf32>, tensor<1xi64>) -> (tensor<?xf32>, tensor<?xi64>)
  return %v, %i : tensor<?xf32>, tensor<?xi64>
}

// -----

// A scatter that adds booleans has no correct i1 arithmetic (add would be xor): refused.
func.func @scatter_add_bool(%x: tensor<4xi1>, %i: tensor<2x1xi64>, %u: tensor<2xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'anvil.scatter_nd' cannot be lowered to linalg yet}}
  %0 = anvil.scatter_nd %x, %i, %u {reduction = "add"} : (tensor<4xi1>, tensor<2x1xi64>, tensor<2xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// ScatterND with index tuples of unknown length: refused.
func.func @scatter_nd_dynamic_tuple(%x: tensor<4x4xf32>, %i: tensor<2x?xi64>, %u: tensor<?xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'anvil.scatter_nd' cannot be lowered to linalg yet}}
  %0 = anvil.scatter_nd %x, %i, %u : (tensor<4x4xf32>, tensor<2x?xi64>, tensor<?xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Einsum over booleans has no sum of products in i1 arithmetic: refused.
func.func @einsum_bool(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<i1> {
  // expected-error @+1 {{'anvil.einsum' cannot be lowered to linalg yet}}
  %0 = anvil.einsum %a, %b {equation = "i,i->"} : (tensor<4xi1>, tensor<4xi1>) -> tensor<i1>
  return %0 : tensor<i1>
}

// -----

// GridSample on integers has no interpolation to round: refused.
func.func @grid_sample_int(%x: tensor<1x1x4x4xi32>, %g: tensor<1x2x2x2xi32>) -> tensor<1x1x2x2xi32> {
  // expected-error @+1 {{'anvil.grid_sample' cannot be lowered to linalg yet}}
  %y = anvil.grid_sample %x, %g : (tensor<1x1x4x4xi32>, tensor<1x2x2x2xi32>) -> tensor<1x1x2x2xi32>
  return %y : tensor<1x1x2x2xi32>
}
