// STUB: to be replaced by the real reader.
#include "readers/readers_internal.hpp"
#include <creodias/error.hpp>
namespace creodias::detail {
Product read_sentinel5p(const std::filesystem::path&, const ReadOptions&) { throw Unsupported("sentinel5p", "reader not implemented yet"); }
}  // namespace creodias::detail
