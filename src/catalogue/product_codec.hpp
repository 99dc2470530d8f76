#pragma once
// Private: the JSON "doc" column holding the Product fields that have no column of their
// own (files, checksums, extra properties), and helpers shared by the store.

#include <creodias/product.hpp>

#include <string>
#include <string_view>

namespace creodias::detail {

std::string encode_doc(const Product& p);
/// Fills files/checksums/extra_json from a doc column. Throws StorageError(database) on a
/// corrupt document.
void decode_doc(std::string_view doc, Product& p);

/// " VV VH " (leading/trailing blank) so `LIKE '% VV %'` matches whole tokens.
std::string encode_polarisations(const std::vector<std::string>& pols);
std::vector<std::string> decode_polarisations(std::string_view s);

}  // namespace creodias::detail
