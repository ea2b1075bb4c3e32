// RUN: anvil-opt %s --convert-anvil-to-linalg -split-input-file | FileCheck %s

// Grouped-query heads: Q's 6 heads split into [2 kv heads, 3], so Q·Kᵀ and P·V
// read each key/value head through plain dims (no repeated K/V, no floordiv).
// CHECK-DAG: #[[Q:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5)>
// CHECK-DAG: #[[K:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d5)>
// CHECK-DAG: #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d5, d4)>
// CHECK-LABEL: func.func @gqa_4d
// CHECK: %[[QS:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4]] output_shape [%{{.+}}, 2, 3, 4, 8] : tensor<?x6x4x8xf32> into tensor<?x2x3x4x8xf32>
// CHECK: linalg.generic {indexing_maps = [#[[Q]], #[[K]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[QS]], %{{.+}} : tensor<?x2x3x4x8xf32>, tensor<?x2x5x8xf32>)
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4]] : tensor<?x2x3x4x5xf32> into tensor<?x6x4x5xf32>
// CHECK: math.exp
// CHECK: linalg.generic {indexing_maps = [#[[Q]], #[[V]], #{{.+}}]
// CHECK: tensor.collapse_shape %{{.+}} : tensor<?x2x3x4x8xf32> into tensor<?x6x4x8xf32>
func.func @gqa_4d(%q: tensor<?x6x4x8xf32>, %k: tensor<?x2x5x8xf32>, %v: tensor<?x2x5x8xf32>) -> tensor<?x6x4x8xf32> {
  %y, %pk, %pv, %qk = anvil.attention %q, %k, %v : (tensor<?x6x4x8xf32>, tensor<?x2x5x8xf32>, tensor<?x2x5x8xf32>) -> (tensor<?x6x4x8xf32>, tensor<?x2x5x8xf32>, tensor<?x2x5x8xf32>, tensor<?x6x4x5xf32>)
  return %y : tensor<?x6x4x8xf32>
}

// -----

// 3-D inputs are split into heads and transposed; causal masking compares key and
// query positions in the bias; the output is written [b, s, heads, e] and collapsed.
// CHECK-LABEL: func.func @causal_3d
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1], [2, 3]] output_shape [2, 4, 3, 8]
// CHECK: linalg.transpose {{.+}} permutation = [0, 2, 1, 3]
// CHECK: %[[I:.+]] = linalg.index 2 : index
// CHECK: %[[J:.+]] = linalg.index 3 : index
// CHECK: arith.cmpi sle, %[[J]], %[[I]] : index
// CHECK: arith.select %{{.+}}, %{{.+}}, %{{.+}} : f32
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1], [2, 3, 4]] : tensor<2x4x3x1x8xf32> into tensor<2x4x24xf32>
func.func @causal_3d(%q: tensor<2x4x24xf32>, %k: tensor<2x6x24xf32>, %v: tensor<2x6x24xf32>) -> tensor<2x4x24xf32> {
  %y, %pk, %pv, %qk = anvil.attention %q, %k, %v {is_causal = true, q_num_heads = 3 : i64, kv_num_heads = 3 : i64} : (tensor<2x4x24xf32>, tensor<2x6x24xf32>, tensor<2x6x24xf32>) -> (tensor<2x4x24xf32>, tensor<2x3x6x8xf32>, tensor<2x3x6x8xf32>, tensor<2x3x4x6xf32>)
  return %y : tensor<2x4x24xf32>
}

// -----

// The KV cache is concatenated along the sequence into present_key, and a bool mask
// shorter than the keys is padded with false (masked).
// CHECK-LABEL: func.func @past_and_short_mask
// CHECK: %[[PK:.+]] = tensor.concat dim(2) %{{.+}}, %{{.+}} : (tensor<1x2x5x8xf32>, tensor<1x2x3x8xf32>) -> tensor<1x2x8x8xf32>
// CHECK: tensor.pad %{{.+}} low[0, 0] high[0, 4]
// CHECK: yield %false
// CHECK: return %{{.+}}, %[[PK]]
func.func @past_and_short_mask(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x3x8xf32>, %v: tensor<1x2x3x8xf32>, %m: tensor<3x4xi1>, %pk: tensor<1x2x5x8xf32>, %pv: tensor<1x2x5x8xf32>) -> (tensor<1x2x3x8xf32>, tensor<1x2x8x8xf32>) {
  %y, %ok, %ov, %qk = anvil.attention %q, %k, %v mask %m past %pk, %pv : (tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>, tensor<3x4xi1>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>) -> (tensor<1x2x3x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x3x8xf32>)
  return %y, %ok : tensor<1x2x3x8xf32>, tensor<1x2x8x8xf32>
}

// -----

// f16 products accumulate in f32 (as numpy's matmul does) and are rounded back.
// CHECK-LABEL: func.func @fp16_accumulates_in_f32
// CHECK: linalg.generic
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.addf %{{.+}}, %{{.+}} : f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @fp16_accumulates_in_f32(%q: tensor<1x1x2x4xf16>, %k: tensor<1x1x3x4xf16>, %v: tensor<1x1x3x4xf16>) -> tensor<1x1x2x4xf16> {
  %y, %pk, %pv, %qk = anvil.attention %q, %k, %v : (tensor<1x1x2x4xf16>, tensor<1x1x3x4xf16>, tensor<1x1x3x4xf16>) -> (tensor<1x1x2x4xf16>, tensor<1x1x3x4xf16>, tensor<1x1x3x4xf16>, tensor<1x1x2x3xf16>)
  return %y : tensor<1x1x2x4xf16>
}
