//===- ShapeInferenceTest.cpp - Shape rules shared by verifiers and importer
//---===//
#include "dialects/Graph/ShapeInference.h"

#include <gtest/gtest.h>

using namespace anvil::shape;
static constexpr int64_t D = kDynamic;

TEST(ShapeInference, BroadcastFollowsNumpy) {
  EXPECT_EQ(*broadcast({2, 1, 4}, {3, 1}), (Shape{2, 3, 4}));
  EXPECT_EQ(*broadcast({}, {5}), (Shape{5}));
  // A dynamic dim against a static one > 1 must equal it at run time.
  EXPECT_EQ(*broadcast({D, 4}, {3, 4}), (Shape{3, 4}));
  EXPECT_EQ(*broadcast({D, 4}, {1, 4}), (Shape{D, 4}));
  EXPECT_FALSE(broadcast({2, 3}, {4, 3}).has_value());
}

TEST(ShapeInference, NormalizeAxis) {
  EXPECT_EQ(normalizeAxis(-1, 4), 3);
  EXPECT_EQ(normalizeAxis(0, 1), 0);
  EXPECT_FALSE(normalizeAxis(4, 4).has_value());
  EXPECT_FALSE(normalizeAxis(-5, 4).has_value());
}

TEST(ShapeInference, MatmulPromotesVectors) {
  EXPECT_EQ(*matmul({D, 16, 64}, {64, 32}), (Shape{D, 16, 32}));
  EXPECT_EQ(*matmul({64}, {64, 32}), (Shape{32}));
  EXPECT_EQ(*matmul({5, 64}, {64}), (Shape{5}));
  EXPECT_EQ(*matmul({2, 1, 3, 4}, {5, 4, 6}), (Shape{2, 5, 3, 6}));
  EXPECT_FALSE(matmul({3, 4}, {5, 6}).has_value());
}

TEST(ShapeInference, WindowOutput) {
  // ResNet stem: 224, k7 s2 p3 -> 112; max pool k3 s2 p1 -> 56.
  EXPECT_EQ(windowOutput(224, 7, 2, 3, 3, 1, false), 112);
  EXPECT_EQ(windowOutput(112, 3, 2, 1, 1, 1, false), 56);
  // ceil_mode adds the partial window, but never one starting in the end
  // padding.
  EXPECT_EQ(windowOutput(5, 2, 2, 0, 0, 1, false), 2);
  EXPECT_EQ(windowOutput(5, 2, 2, 0, 0, 1, true), 3);
  EXPECT_EQ(windowOutput(4, 2, 2, 0, 1, 1, true), 2);
  EXPECT_EQ(windowOutput(D, 3, 1, 1, 1, 1, false), D);
  EXPECT_EQ(windowOutput(8, 3, 1, 0, 0, 2, false), 4); // dilation 2 spans 5
}

TEST(ShapeInference, ReduceAndProduct) {
  EXPECT_EQ(reduce({2, 3, 4}, {1}, true), (Shape{2, 1, 4}));
  EXPECT_EQ(reduce({2, 3, 4}, {0, 2}, false), (Shape{3}));
  EXPECT_EQ(reduce({2, 3}, {}, false), (Shape{}));
  EXPECT_EQ(product({2, 3, 4}), 24);
  EXPECT_EQ(product({2, D}), D);
  EXPECT_TRUE(compatible({D, 3}, {7, 3}));
  EXPECT_FALSE(compatible({2, 3}, {2, 4}));
  EXPECT_FALSE(compatible({2}, {2, 1}));
}

TEST(ShapeInference, DropDimsDropsOnlyTheListedAxes) {
  EXPECT_EQ(dropDims({2, 1, 3}, {1}), (Shape{2, 3}));
  // Unlike reduce(), an empty list drops nothing.
  EXPECT_EQ(dropDims({2, 3}, {}), (Shape{2, 3}));
}

TEST(ShapeInference, EinsumExplicitImplicitAndEllipsis) {
  std::string eq, err;
  EXPECT_EQ(*einsum("ij,jk->ik", {{3, 4}, {4, 5}}, eq, err), (Shape{3, 5}));
  EXPECT_EQ(eq, "ij,jk->ik");
  // Implicit output: the letters used once, in alphabetical order.
  EXPECT_EQ(*einsum("ij,jk", {{3, 4}, {4, 5}}, eq, err), (Shape{3, 5}));
  EXPECT_EQ(eq, "ij,jk->ik");
  EXPECT_EQ(*einsum("ii->i", {{4, 4}}, eq, err), (Shape{4}));
  EXPECT_EQ(*einsum("...ij,...jk->...ik", {{D, 2, 3, 4}, {4, 5}}, eq, err),
            (Shape{D, 2, 3, 5}));
  EXPECT_EQ(*einsum("bij , bjk -> bik", {{2, 3, 4}, {2, 4, 5}}, eq, err),
            (Shape{2, 3, 5}));
  EXPECT_FALSE(einsum("ij,jk->ik", {{3, 4}, {5, 6}}, eq, err).has_value());
  EXPECT_NE(err.find("subscript 'j'"), std::string::npos);
  EXPECT_FALSE(einsum("ij->ik", {{3, 4}}, eq, err).has_value());
  EXPECT_FALSE(einsum("ij,jk", {{3, 4}}, eq, err).has_value());
}

TEST(ShapeInference, AttentionShapes3DAnd4D) {
  std::string err;
  // 4-D, grouped-query heads (8 query heads over 2 kv heads) with a KV cache
  // of 5.
  auto s = attention({1, 8, 3, 16}, {1, 2, 3, 16}, {1, 2, 3, 32}, {1, 2, 5, 16},
                     0, 0, err);
  ASSERT_TRUE(s.has_value()) << err;
  EXPECT_EQ(s->y, (Shape{1, 8, 3, 32}));
  EXPECT_EQ(s->presentKey, (Shape{1, 2, 8, 16}));
  EXPECT_EQ(s->qk, (Shape{1, 8, 3, 8}));
  // 3-D inputs are split with the head counts.
  s = attention({D, 4, 64}, {D, 6, 64}, {D, 6, 64}, {}, 4, 4, err);
  ASSERT_TRUE(s.has_value()) << err;
  EXPECT_EQ(s->y, (Shape{D, 4, 64}));
  EXPECT_EQ(s->presentValue, (Shape{D, 4, 6, 16}));
  EXPECT_FALSE(
      attention({1, 4, 64}, {1, 6, 64}, {1, 6, 64}, {}, 0, 0, err).has_value());
  EXPECT_FALSE(
      attention({1, 3, 2, 8}, {1, 2, 2, 8}, {1, 2, 2, 8}, {}, 0, 0, err));
  EXPECT_NE(err.find("multiple"), std::string::npos);
}
