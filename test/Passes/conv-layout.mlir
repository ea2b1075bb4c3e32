// RUN: anvil-opt %s -split-input-file -anvil-conv-layout=min-channels=1 | FileCheck %s
// RUN: anvil-opt %s -split-input-file -anvil-conv-layout | FileCheck %s --check-prefix=DEFAULT

// The weight is re-laid out OIHW -> HWCF at compile time (w'[0, kw, 0, f] = w[f, 0, 0, kw]),
// and the conv is wrapped in transposes to and from NHWC (symbolic batch kept).
// CHECK-LABEL: func.func @relayout_weight
// CHECK-SAME: (%[[X:.+]]: tensor<?x1x2x2xf32>)
// CHECK: %[[W:.+]] = anvil.constant dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00]], {{\[\[}}2.000000e+00, 4.000000e+00]]]]> : tensor<1x2x1x2xf32>
// CHECK: %[[T:.+]] = anvil.transpose %[[X]] {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x1x2x2xf32>) -> tensor<?x2x2x1xf32>
// CHECK: %[[C:.+]] = anvil.conv %[[T]], %[[W]] {channels_last,
// CHECK-SAME: (tensor<?x2x2x1xf32>, tensor<1x2x1x2xf32>) -> tensor<?x2x1x2xf32>
// CHECK: %[[Y:.+]] = anvil.transpose %[[C]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<?x2x1x2xf32>) -> tensor<?x2x2x1xf32>
// CHECK: return %[[Y]]
func.func @relayout_weight(%x: tensor<?x1x2x2xf32>) -> tensor<?x2x2x1xf32> {
  %w = anvil.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %y = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x1x2x2xf32>, tensor<2x1x1x2xf32>) -> tensor<?x2x2x1xf32>
  return %y : tensor<?x2x2x1xf32>
}

// -----

// Between two convs the transposes sink through relu and a per-channel constant add
// (whose [C, 1, 1] constant becomes [1, 1, 1, C]) and cancel: one conversion per edge.
// CHECK-LABEL: func.func @chain_cancels
// CHECK-DAG: %[[B:.+]] = anvil.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00]]]]> : tensor<1x1x1x2xf32>
// CHECK: %[[T:.+]] = anvil.transpose %{{.+}} {perm = array<i64: 0, 2, 3, 1>}
// CHECK: %[[C1:.+]] = anvil.conv %[[T]], %{{.+}} {channels_last,
// CHECK: %[[R:.+]] = anvil.relu %[[C1]] : tensor<?x2x2x2xf32>
// CHECK: %[[A:.+]] = anvil.add %[[R]], %[[B]]
// CHECK: %[[C2:.+]] = anvil.conv %[[A]], %{{.+}} {channels_last,
// CHECK: %[[Y:.+]] = anvil.transpose %[[C2]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NOT: anvil.transpose
// CHECK: return %[[Y]]
func.func @chain_cancels(%x: tensor<?x2x2x2xf32>) -> tensor<?x2x2x2xf32> {
  %w1 = anvil.constant dense<1.0> : tensor<2x2x1x1xf32>
  %w2 = anvil.constant dense<2.0> : tensor<2x2x3x3xf32>
  %c = anvil.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %0 = anvil.conv %x, %w1 {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x2x2xf32>
  %1 = anvil.relu %0 : tensor<?x2x2x2xf32>
  %2 = anvil.add %1, %c : (tensor<?x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<?x2x2x2xf32>
  %3 = anvil.conv %2, %w2 {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<?x2x2x2xf32>, tensor<2x2x3x3xf32>) -> tensor<?x2x2x2xf32>
  return %3 : tensor<?x2x2x2xf32>
}

// -----

// A residual add of the conv's own NCHW input uses the channels-last copy the conv
// already reads, so the transpose back sinks past the add.
// CHECK-LABEL: func.func @residual
// CHECK-SAME: (%[[X:.+]]: tensor<?x2x2x2xf32>)
// CHECK: %[[T:.+]] = anvil.transpose %[[X]] {perm = array<i64: 0, 2, 3, 1>}
// CHECK: %[[C:.+]] = anvil.conv %[[T]]
// CHECK: %[[A:.+]] = anvil.add %[[C]], %[[T]]
// CHECK: %[[Y:.+]] = anvil.transpose %[[A]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[Y]]
func.func @residual(%x: tensor<?x2x2x2xf32>) -> tensor<?x2x2x2xf32> {
  %w = anvil.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x2x2xf32>
  %1 = anvil.add %0, %x : (tensor<?x2x2x2xf32>, tensor<?x2x2x2xf32>) -> tensor<?x2x2x2xf32>
  return %1 : tensor<?x2x2x2xf32>
}

// -----

// A depthwise conv becomes channels-last with [kh, kw, 1, C] weights.
// CHECK-LABEL: func.func @depthwise
// CHECK: anvil.conv %{{.+}}, %{{.+}} {channels_last, {{.+}} group = 2 : i64
// CHECK-SAME: (tensor<?x4x4x2xf32>, tensor<3x3x1x2xf32>) -> tensor<?x4x4x2xf32>
func.func @depthwise(%x: tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = anvil.constant dense<1.0> : tensor<2x1x3x3xf32>
  %0 = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, group = 2 : i64} : (tensor<?x2x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x4x4xf32>
  return %0 : tensor<?x2x4x4xf32>
}

// -----

// Every conv with at least min-channels output channels goes channels-last, wide
// rows too (the register-tiled NHWC kernels win at 8 channels and up, and a model's
// convs then chain without conversions); by default (8) two channels stay NCHW.
// CHECK-LABEL: func.func @few_channels
// CHECK: anvil.conv {{.+}}channels_last
// DEFAULT-LABEL: func.func @few_channels
// DEFAULT-NOT: anvil.transpose
// DEFAULT-NOT: channels_last
// DEFAULT: return
func.func @few_channels(%x: tensor<?x2x8x8xf32>) -> tensor<?x2x8x8xf32> {
  %w = anvil.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x2x8x8xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x8x8xf32>
  return %0 : tensor<?x2x8x8xf32>
}

// -----

// The same conv with stride 2 reads strided rows in NCHW: it goes channels-last.
// CHECK-LABEL: func.func @strided
// CHECK: anvil.conv {{.+}}channels_last
func.func @strided(%x: tensor<?x2x8x8xf32>) -> tensor<?x2x4x4xf32> {
  %w = anvil.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x2x8x8xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  return %0 : tensor<?x2x4x4xf32>
}

// -----

// A grouped (not depthwise) conv has no channels-last lowering: left alone.
// CHECK-LABEL: func.func @grouped_stays_nchw
// CHECK-NOT: anvil.transpose
// CHECK-NOT: channels_last
func.func @grouped_stays_nchw(%x: tensor<?x4x2x2xf32>) -> tensor<?x4x2x2xf32> {
  %w = anvil.constant dense<1.0> : tensor<4x2x1x1xf32>
  %0 = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, group = 2 : i64} : (tensor<?x4x2x2xf32>, tensor<4x2x1x1xf32>) -> tensor<?x4x2x2xf32>
  return %0 : tensor<?x4x2x2xf32>
}

// -----

// A weight known only at run time cannot be re-laid out at compile time: left alone.
// CHECK-LABEL: func.func @runtime_weight_stays_nchw
// CHECK-NOT: anvil.transpose
// CHECK-NOT: channels_last
func.func @runtime_weight_stays_nchw(%x: tensor<?x2x2x2xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<?x2x2x2xf32> {
  %0 = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x2x2xf32>
  return %0 : tensor<?x2x2x2xf32>
}

// -----

// Transposes that are not layout conversions (here [0, 2, 1, 3], as in attention) do not sink.
// CHECK-LABEL: func.func @other_transpose_stays
// CHECK: %[[T:.+]] = anvil.transpose
// CHECK: anvil.relu %[[T]]
func.func @other_transpose_stays(%x: tensor<?x2x3x4xf32>) -> tensor<?x3x2x4xf32> {
  %0 = anvil.transpose %x {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x2x3x4xf32>) -> tensor<?x3x2x4xf32>
  %1 = anvil.relu %0 : tensor<?x3x2x4xf32>
  return %1 : tensor<?x3x2x4xf32>
}

// -----

// A max pooling between channels-last convs pools channels-last: no conversion
// is left between them.
// CHECK-LABEL: func.func @max_pool
// CHECK: anvil.conv {{.+}}channels_last
// CHECK-NOT: anvil.transpose
// CHECK: anvil.max_pool %{{.+}} {channels_last, {{.+}}} : (tensor<?x8x8x2xf32>) -> tensor<?x4x4x2xf32>
// CHECK-NOT: anvil.transpose
// CHECK: anvil.conv {{.+}}channels_last
func.func @max_pool(%x: tensor<?x2x8x8xf32>) -> tensor<?x2x4x4xf32> {
  %w = anvil.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x2x8x8xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x8x8xf32>
  %1 = anvil.max_pool %0 {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x2x8x8xf32>) -> tensor<?x2x4x4xf32>
  %2 = anvil.conv %1, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  return %2 : tensor<?x2x4x4xf32>
}

// -----

// A global average pooling (reduce_mean over H, W with keepdims) reduces the
// channels-last tensor; only its [N, 1, 1, C] result is transposed back.
// CHECK-LABEL: func.func @global_pool
// CHECK: %[[C:.+]] = anvil.conv {{.+}}channels_last
// CHECK: %[[R:.+]] = anvil.reduce_mean %[[C]] {axes = array<i64: 1, 2>} : (tensor<?x8x8x2xf32>) -> tensor<?x1x1x2xf32>
// CHECK: anvil.transpose %[[R]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<?x1x1x2xf32>) -> tensor<?x2x1x1xf32>
func.func @global_pool(%x: tensor<?x2x8x8xf32>) -> tensor<?x2x1x1xf32> {
  %w = anvil.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = anvil.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x2x8x8xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x8x8xf32>
  %1 = anvil.reduce_mean %0 {axes = array<i64: 2, 3>} : (tensor<?x2x8x8xf32>) -> tensor<?x2x1x1xf32>
  return %1 : tensor<?x2x1x1xf32>
}
