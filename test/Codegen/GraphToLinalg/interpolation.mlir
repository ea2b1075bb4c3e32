// RUN: anvil-opt %s --convert-anvil-to-linalg -split-input-file | FileCheck %s

// Nearest: unresized dims read their own index; the resized ones map the output index
// to a source coordinate in f64, pick one tap and clamp it into the input.
// CHECK-LABEL: func.func @nearest_2x
// CHECK: linalg.generic
// CHECK: arith.sitofp %{{.+}} : i64 to f64
// CHECK: math.floor
// CHECK: arith.cmpf ole
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: %[[V:.+]] = tensor.extract %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}] : tensor<?x3x4x4xf32>
// CHECK: linalg.yield %[[V]] : f32
func.func @nearest_2x(%x: tensor<?x3x4x4xf32>) -> tensor<?x3x8x8xf32> {
  %y = anvil.resize %x {mode = "nearest", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<?x3x4x4xf32>) -> tensor<?x3x8x8xf32>
  return %y : tensor<?x3x8x8xf32>
}

// -----

// Linear: 2 taps per resized axis, so 4 reads weighted and summed in f64.
// CHECK-LABEL: func.func @linear_align_corners
// CHECK-COUNT-4: tensor.extract
// CHECK: arith.truncf %{{.+}} : f64 to f32
func.func @linear_align_corners(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %y = anvil.resize %x {mode = "linear", coordinate_transformation_mode = "align_corners", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

// tf_crop_and_resize returns extrapolation_value where the coordinate leaves the input.
// CHECK-LABEL: func.func @crop_extrapolate
// CHECK: %[[E:.+]] = arith.constant 1.000000e+01 : f64
// CHECK: linalg.generic
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf ogt
// CHECK: arith.select %{{.+}}, %[[E]], %{{.+}} : f64
func.func @crop_extrapolate(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32> {
  %y = anvil.resize %x {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 10.0 : f32, roi = array<f64: 0.0, 0.0, 0.4, 0.6, 1.0, 1.0, 1.2, 1.7>, scales = array<f64: 1.0, 1.0, 0.75, 0.75>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}

// -----

// Bilinear GridSample: one generic over the output that reads the grid (x for the
// innermost dim) and sums 4 taps, zero outside the input.
// CHECK-LABEL: func.func @grid_sample_bilinear
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<1x3x4x4xf32>)
// CHECK: tensor.extract %{{.+}} : tensor<1x4x4x2xf32>
// CHECK: tensor.extract %{{.+}} : tensor<1x4x4x2xf32>
// CHECK-COUNT-4: tensor.extract %{{.+}} : tensor<1x3x8x8xf32>
// CHECK: arith.truncf
func.func @grid_sample_bilinear(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32> {
  %y = anvil.grid_sample %x, %g {mode = "linear", padding_mode = "zeros"} : (tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// Nearest with reflection rounds half to even, then reflects into the borders.
// CHECK-LABEL: func.func @grid_sample_nearest_reflection
// CHECK: math.roundeven
// CHECK: math.trunc
// CHECK-COUNT-1: tensor.extract %{{.+}} : tensor<1x1x5xf32>
func.func @grid_sample_nearest_reflection(%x: tensor<1x1x5xf32>, %g: tensor<1x3x1xf32>) -> tensor<1x1x3xf32> {
  %y = anvil.grid_sample %x, %g {mode = "nearest", padding_mode = "reflection"} : (tensor<1x1x5xf32>, tensor<1x3x1xf32>) -> tensor<1x1x3xf32>
  return %y : tensor<1x1x3xf32>
}
