// STUB: to be replaced by the real reader.
#include "readers/readers_internal.hpp"
#include <creodias/error.hpp>
namespace creodias::detail {
Product read_sentinel3_sen3(ProductSource&, const ReadOptions&) { throw Unsupported("sentinel3", "reader not implemented yet"); }
Product parse_sentinel3_manifest(std::string_view, std::string_view) { throw Unsupported("sentinel3", "reader not implemented yet"); }
}  // namespace creodias::detail
