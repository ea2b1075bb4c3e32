// RUN: anvil-opt %s --convert-anvil-to-linalg -split-input-file | FileCheck %s

// A channels-last conv pads H and W (dims 1 and 2), then runs linalg.conv_2d_nhwc_hwcf into
// the bias broadcast along the last (channel) dim; the batch stays dynamic.
// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @conv_nhwc
// CHECK: %[[P:.+]] = tensor.pad %{{.+}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: } : tensor<?x8x8x3xf32> to tensor<?x10x10x3xf32>
// CHECK: %[[B:.+]] = linalg.generic {indexing_maps = [#[[CH]], #{{.+}}]{{.+}} ins(%{{.+}} : tensor<4xf32>)
// CHECK: linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %{{.+}} : tensor<?x10x10x3xf32>, tensor<3x3x3x4xf32>) outs(%[[B]] : tensor<?x4x4x4xf32>)
func.func @conv_nhwc(%x: tensor<?x8x8x3xf32>, %w: tensor<3x3x3x4xf32>, %b: tensor<4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = anvil.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, channels_last} : (tensor<?x8x8x3xf32>, tensor<3x3x3x4xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  return %0 : tensor<?x4x4x4xf32>
}

// -----

// A channels-last depthwise conv collapses its [kh, kw, 1, C] weight into the [kh, kw, C]
// filter of linalg.depthwise_conv_2d_nhwc_hwc.
// CHECK-LABEL: func.func @depthwise_nhwc
// CHECK: %[[F:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0], [1], [2, 3]] : tensor<3x3x1x8xf32> into tensor<3x3x8xf32>
// CHECK: linalg.depthwise_conv_2d_nhwc_hwc {{.+}} ins(%{{.+}}, %[[F]] : tensor<1x6x6x8xf32>, tensor<3x3x8xf32>) outs(%{{.+}} : tensor<1x4x4x8xf32>)
func.func @depthwise_nhwc(%x: tensor<1x6x6x8xf32>, %w: tensor<3x3x1x8xf32>) -> tensor<1x4x4x8xf32> {
  %0 = anvil.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 8 : i64, channels_last} : (tensor<1x6x6x8xf32>, tensor<3x3x1x8xf32>) -> tensor<1x4x4x8xf32>
  return %0 : tensor<1x4x4x8xf32>
}
