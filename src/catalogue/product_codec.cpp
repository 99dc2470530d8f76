#include "catalogue/product_codec.hpp"

#include "core/strings.hpp"

#include <creodias/error.hpp>

#include <nlohmann/json.hpp>

namespace creodias::detail {

std::string encode_doc(const Product& p) {
    if (p.files.empty() && p.checksums.empty() && (p.extra_json.empty() || p.extra_json == "{}")) return {};
    nlohmann::json j = nlohmann::json::object();
    if (!p.checksums.empty()) {
        auto& a = j["checksums"] = nlohmann::json::array();
        for (const auto& c : p.checksums) a.push_back({c.algorithm, c.value});
    }
    if (!p.files.empty()) {
        auto& a = j["files"] = nlohmann::json::array();
        for (const auto& f : p.files) {
            nlohmann::json e = {{"p", f.path}};
            if (f.size) e["s"] = *f.size;
            if (!f.band.empty()) e["b"] = f.band;
            if (!f.media_type.empty()) e["t"] = f.media_type;
            if (!f.role.empty()) e["r"] = f.role;
            if (!f.checksums.empty()) {
                auto& cs = e["c"] = nlohmann::json::array();
                for (const auto& c : f.checksums) cs.push_back({c.algorithm, c.value});
            }
            a.push_back(std::move(e));
        }
    }
    if (!p.extra_json.empty() && p.extra_json != "{}") {
        auto extra = nlohmann::json::parse(p.extra_json, nullptr, false);
        if (extra.is_discarded() || !extra.is_object())
            throw InvalidArgument("catalogue", "product " + p.name + ": extra properties are not a JSON object");
        j["x"] = std::move(extra);
    }
    return j.dump();
}

void decode_doc(std::string_view doc, Product& p) {
    if (doc.empty()) return;
    auto j = nlohmann::json::parse(doc, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw StorageError(Errc::database, "catalogue", "corrupt product document for " + p.name);
    try {
        if (auto it = j.find("checksums"); it != j.end())
            for (const auto& c : *it) p.checksums.push_back({c.at(0).get<std::string>(), c.at(1).get<std::string>()});
        if (auto it = j.find("files"); it != j.end()) {
            p.files.reserve(it->size());
            for (const auto& e : *it) {
                ProductFile f;
                f.path = e.at("p").get<std::string>();
                if (auto s = e.find("s"); s != e.end()) f.size = s->get<std::uint64_t>();
                if (auto b = e.find("b"); b != e.end()) f.band = b->get<std::string>();
                if (auto t = e.find("t"); t != e.end()) f.media_type = t->get<std::string>();
                if (auto r = e.find("r"); r != e.end()) f.role = r->get<std::string>();
                if (auto c = e.find("c"); c != e.end())
                    for (const auto& x : *c) f.checksums.push_back({x.at(0).get<std::string>(), x.at(1).get<std::string>()});
                p.files.push_back(std::move(f));
            }
        }
        if (auto it = j.find("x"); it != j.end()) p.extra_json = it->dump();
    } catch (const nlohmann::json::exception& e) {
        throw StorageError(Errc::database, "catalogue", "corrupt product document for " + p.name + ": " + e.what());
    }
}

std::string encode_polarisations(const std::vector<std::string>& pols) {
    if (pols.empty()) return {};
    std::string s = " ";
    for (const auto& p : pols) {
        s += to_upper(p);
        s += ' ';
    }
    return s;
}

std::vector<std::string> decode_polarisations(std::string_view s) { return split_ws(s); }

}  // namespace creodias::detail
