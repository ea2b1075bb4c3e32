// RUN: anvil-opt %s -verify-diagnostics
// ONNX GatherND requires batch_dims < min(rank(data), rank(indices)).

// batch_dims must leave the index tuple dim of indices.
func.func @gather_nd_batch_dims_equal_to_rank(%x: tensor<2x3xf32>, %i: tensor<2x0xi64>) {
  // expected-error @+1 {{batch_dims must be less than the ranks of input and indices}}
  %0 = anvil.gather_nd %x, %i {batch_dims = 2 : i64} : (tensor<2x3xf32>, tensor<2x0xi64>) -> tensor<2xf32>
  return
}
