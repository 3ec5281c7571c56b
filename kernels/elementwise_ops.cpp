#include "advgrad/kernels/elementwise_ops.h"

namespace advgrad::kernels {

const char* unary_op_name(UnaryOp op) {
  switch (op) {
#define ADVGRAD_CASE(name) \
  case UnaryOp::name: return #name;
    ADVGRAD_UNARY_OPS(ADVGRAD_CASE)
#undef ADVGRAD_CASE
  }
  return "?";
}

const char* binary_op_name(BinaryOp op) {
  switch (op) {
#define ADVGRAD_CASE(name) \
  case BinaryOp::name: return #name;
    ADVGRAD_BINARY_OPS(ADVGRAD_CASE)
#undef ADVGRAD_CASE
  }
  return "?";
}

}  // namespace advgrad::kernels
