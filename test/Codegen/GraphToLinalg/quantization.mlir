// RUN: anvil-opt %s --convert-anvil-to-linalg -split-input-file | FileCheck %s

// Per-tensor quantization to uint8: divide, round half to even, add the zero point,
// saturate to [0, 255] (a NaN goes to 0 through maxnumf) and convert unsigned.
// CHECK-LABEL: func.func @quantize_per_tensor
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.uitofp
// CHECK: arith.maxnumf
// CHECK: arith.minnumf
// CHECK: arith.fptoui %{{.+}} : f32 to i8
// CHECK: tensor.bitcast %{{.+}} : tensor<?x8xi8> to tensor<?x8xui8>
func.func @quantize_per_tensor(%x: tensor<?x8xf32>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<?x8xui8> {
  %q = anvil.quantize %x, %s, %z : (tensor<?x8xf32>, tensor<f32>, tensor<ui8>) -> tensor<?x8xui8>
  return %q : tensor<?x8xui8>
}

// -----

// Per-axis dequantization reads the scale and zero point at the axis index.
// CHECK-LABEL: func.func @dequantize_per_axis
// CHECK: %[[C:.+]] = linalg.index 1 : index
// CHECK: tensor.extract %{{.+}}[%[[C]]] : tensor<3xf32>
// CHECK: arith.sitofp %{{.+}} : i8 to f32
// CHECK: arith.subf
// CHECK: arith.mulf
func.func @dequantize_per_axis(%q: tensor<2x3x4xi8>, %s: tensor<3xf32>, %z: tensor<3xi8>) -> tensor<2x3x4xf32> {
  %x = anvil.dequantize %q, %s, %z {axis = 1 : i64} : (tensor<2x3x4xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<2x3x4xf32>
  return %x : tensor<2x3x4xf32>
}

// -----

// Blocked quantization divides the axis index by the block size.
// CHECK-LABEL: func.func @quantize_blocked
// CHECK: %[[I:.+]] = linalg.index 1 : index
// CHECK: %[[B:.+]] = arith.divui %[[I]], %{{.+}} : index
// CHECK: tensor.extract %{{.+}}[%{{.+}}, %[[B]]] : tensor<2x2xf32>
func.func @quantize_blocked(%x: tensor<2x6xf32>, %s: tensor<2x2xf32>, %z: tensor<2x2xi8>) -> tensor<2x6xi8> {
  %q = anvil.quantize %x, %s, %z {axis = 1 : i64, block_size = 3 : i64} : (tensor<2x6xf32>, tensor<2x2xf32>, tensor<2x2xi8>) -> tensor<2x6xi8>
  return %q : tensor<2x6xi8>
}
