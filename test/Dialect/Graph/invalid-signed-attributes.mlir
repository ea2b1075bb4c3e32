// RUN: anvil-opt %s -split-input-file -verify-diagnostics
// Negative values of integer attributes are read as negative (not as huge unsigned ones)
// by every verifier check.

// A negative head count is caught by the head-count check.
func.func @attention_negative_heads(%q: tensor<1x16x512xf32>) {
  // expected-error @+1 {{3-D inputs need positive q_num_heads and kv_num_heads}}
  %0:4 = anvil.attention %q, %q, %q {q_num_heads = -8 : i64, kv_num_heads = 2 : i64} : (tensor<1x16x512xf32>, tensor<1x16x512xf32>, tensor<1x16x512xf32>) -> (tensor<1x16x512xf32>, tensor<1x2x16x256xf32>, tensor<1x2x16x256xf32>, tensor<1x8x16x16xf32>)
  return
}

// -----

// A negative one_hot depth is caught by the depth check.
func.func @one_hot_negative_depth(%i: tensor<?xi64>, %v: tensor<2xf32>) {
  // expected-error @+1 {{depth must be positive}}
  %0 = anvil.one_hot %i, %v {axis = -1 : i64, depth = -3 : i64} : (tensor<?xi64>, tensor<2xf32>) -> tensor<?x?xf32>
  return
}

// -----

// A negative lrn size is caught by the size check.
func.func @lrn_negative_size(%x: tensor<1x8x4x4xf32>) {
  // expected-error @+1 {{size must be positive}}
  %0 = anvil.lrn %x {size = -1 : i64} : tensor<1x8x4x4xf32>
  return
}
