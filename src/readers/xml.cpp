#include "readers/xml.hpp"

#include "core/strings.hpp"

#include <creodias/error.hpp>

#include <fmt/format.h>

#include <cstring>

namespace creodias::detail::xml {

std::string_view local_name(const char* qname) {
    const char* colon = std::strrchr(qname, ':');
    return colon ? std::string_view(colon + 1) : std::string_view(qname);
}

pugi::xml_document parse(std::string_view text, std::string_view origin, std::string_view what) {
    pugi::xml_document doc;
    auto res = doc.load_buffer(text.data(), text.size(), pugi::parse_default,
                               pugi::encoding_auto);
    if (!res)
        throw InvalidArgument(std::string(origin),
                              fmt::format("{}: malformed XML at offset {}: {}", what, res.offset, res.description()));
    if (!doc.document_element())
        throw InvalidArgument(std::string(origin), fmt::format("{}: XML document has no root element", what));
    return doc;
}

namespace {
pugi::xml_node find_rec(pugi::xml_node n, std::string_view name, int depth) {
    if (depth > 256) return {};
    for (auto c = n.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        if (local_name(c.name()) == name) return c;
        if (auto r = find_rec(c, name, depth + 1)) return r;
    }
    return {};
}
void find_all_rec(pugi::xml_node n, std::string_view name, std::vector<pugi::xml_node>& out, int depth) {
    if (depth > 256) return;
    for (auto c = n.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        if (local_name(c.name()) == name) out.push_back(c);
        find_all_rec(c, name, out, depth + 1);
    }
}
}  // namespace

pugi::xml_node find(pugi::xml_node from, std::string_view name) { return find_rec(from, name, 0); }

std::vector<pugi::xml_node> find_all(pugi::xml_node from, std::string_view name) {
    std::vector<pugi::xml_node> out;
    find_all_rec(from, name, out, 0);
    return out;
}

pugi::xml_node child(pugi::xml_node from, std::string_view name) {
    for (auto c = from.first_child(); c; c = c.next_sibling())
        if (c.type() == pugi::node_element && local_name(c.name()) == name) return c;
    return {};
}

pugi::xml_node path(pugi::xml_node from, std::string_view local_path) {
    pugi::xml_node cur = from;
    for (const auto& piece : split(local_path, '/', true)) {
        cur = child(cur, piece);
        if (!cur) return {};
    }
    return cur;
}

std::string text(pugi::xml_node from, std::string_view name) {
    auto n = find(from, name);
    if (!n) return {};
    return std::string(trim(n.child_value()));
}

std::string attr(pugi::xml_node node, std::string_view name) {
    for (auto a = node.first_attribute(); a; a = a.next_attribute())
        if (local_name(a.name()) == name) return a.value();
    return {};
}

}  // namespace creodias::detail::xml
