#pragma once
// Private: small helpers over pugixml for metadata documents whose namespace prefixes vary
// between producers and baselines. Lookups match the *local* name (after any "prefix:").

#include <pugixml.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace creodias::detail::xml {

/// Local part of a qualified name ("gml:posList" -> "posList").
std::string_view local_name(const char* qname);

/// Parses a document; throws InvalidArgument(origin, "<what>: malformed XML at offset N: ...").
pugi::xml_document parse(std::string_view text, std::string_view origin, std::string_view what);

/// First descendant (depth-first, document order) with the given local name, or a null node.
pugi::xml_node find(pugi::xml_node from, std::string_view name);
/// Every descendant with the given local name, in document order.
std::vector<pugi::xml_node> find_all(pugi::xml_node from, std::string_view name);
/// First direct child with the given local name.
pugi::xml_node child(pugi::xml_node from, std::string_view name);
/// Follows a '/'-separated path of local names from `from` through direct children.
pugi::xml_node path(pugi::xml_node from, std::string_view local_path);
/// Trimmed text content of the first descendant named `name`; empty when absent.
std::string text(pugi::xml_node from, std::string_view name);
/// Attribute value by local name ("" if absent).
std::string attr(pugi::xml_node node, std::string_view name);

}  // namespace creodias::detail::xml
