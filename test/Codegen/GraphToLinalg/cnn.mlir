// RUN: anvil-opt %s --convert-anvil-to-linalg -split-input-file | FileCheck %s

// A padded convolution: zero padding via tensor.pad, then linalg.conv_2d_nchw_fchw into a
// zero-filled accumulator (the batch stays dynamic).
// CHECK-LABEL: func.func @conv_padded
// CHECK: %[[P:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<?x3x8x8xf32> to tensor<?x3x10x10xf32>
// CHECK: %[[F:.+]] = linalg.fill
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[P]], %{{.+}} : tensor<?x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[F]] : tensor<?x4x8x8xf32>)
func.func @conv_padded(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32> {
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32>
  return %0 : tensor<?x4x8x8xf32>
}

// -----

// A bias initializes the accumulator (broadcast along the channel dim); strides carry over.
// CHECK-LABEL: func.func @conv_bias_strided
// CHECK-NOT: tensor.pad
// CHECK: %[[B:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}]{{.+}} ins(%{{.+}} : tensor<4xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} {{.+}} outs(%[[B]] : tensor<1x4x3x3xf32>)
func.func @conv_bias_strided(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x3x3xf32> {
  %0 = anvil.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// -----

// Batch norm is one generic reading the statistics per channel.
// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batch_norm
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[CH]], #[[CH]], #[[CH]], #[[CH]], #{{.+}}]
// CHECK: math.rsqrt
func.func @batch_norm(%x: tensor<?x4x8x8xf32>, %s: tensor<4xf32>) -> tensor<?x4x8x8xf32> {
  %0 = anvil.batch_norm %x, %s, %s, %s, %s : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x8x8xf32>
  return %0 : tensor<?x4x8x8xf32>
}

// -----

// Max pooling pads with -inf; ceil_mode adds end padding so the last window fits.
// CHECK-LABEL: func.func @max_pool_ceil
// CHECK: %[[NEG:.+]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.+}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
func.func @max_pool_ceil(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = anvil.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Flatten collapses the dims on each side of the axis.
// CHECK-LABEL: func.func @flatten
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : tensor<?x8x2x2xf32> into tensor<?x32xf32>
func.func @flatten(%x: tensor<?x8x2x2xf32>) -> tensor<?x32xf32> {
  %0 = anvil.flatten %x {axis = 1 : i64} : (tensor<?x8x2x2xf32>) -> tensor<?x32xf32>
  return %0 : tensor<?x32xf32>
}

// -----

// Depthwise convolution (one group per channel) uses the depthwise linalg op with the
// [C, 1, kh, kw] weight collapsed to [C, kh, kw].
// CHECK-LABEL: func.func @conv_depthwise
// CHECK: %[[W:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2], [3]] : tensor<4x1x3x3xf32> into tensor<4x3x3xf32>
// CHECK: linalg.depthwise_conv_2d_nchw_chw {{.+}} ins(%{{.+}}, %[[W]] : tensor<1x4x8x8xf32>, tensor<4x3x3xf32>)
func.func @conv_depthwise(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Clip with both bounds is a max then a min (ReLU6 here).
// CHECK-LABEL: func.func @clip
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @clip(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = anvil.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
