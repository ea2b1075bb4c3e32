// RUN: anvil-opt %s -verify-diagnostics

// dequantize keeps the shape of its quantized input.
func.func @dequantize_result_shape(%q: tensor<?x8xi8>, %s: tensor<f32>, %z: tensor<i8>) {
  // expected-error @+1 {{result shape [?, 8, 1] is incompatible with the inferred shape [?, 8]}}
  %0 = anvil.dequantize %q, %s, %z : (tensor<?x8xi8>, tensor<f32>, tensor<i8>) -> tensor<?x8x1xf32>
  return
}
