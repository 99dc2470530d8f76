// Landsat MTL reader: the USGS metadata file in its three encodings.
//
//  - ODL text (`*_MTL.txt`): "GROUP = X" / "KEY = value" / "END_GROUP = X" / "END".
//    Collection 2 uses the root group LANDSAT_METADATA_FILE; Collection 1 and the
//    pre-collection products use L1_METADATA_FILE (with different group and key names).
//  - JSON (`*_MTL.json`, Collection 2): {"LANDSAT_METADATA_FILE": {"GROUP": {"KEY": "value"}}}.
//  - XML (`*_MTL.xml`, Collection 2): <LANDSAT_METADATA_FILE><GROUP><KEY>value</KEY>...
//
// All three are flattened into the same (group, key, value) list, so the same product yields
// an identical Product whichever encoding is read. A key can appear in several groups with
// different meanings (a Level-2 MTL repeats LANDSAT_PRODUCT_ID in LEVEL1_PROCESSING_RECORD with
// the *Level-1* id), so lookups always name the groups they accept, in order of preference.
//
// Field mapping (documented conventions of this reader):
//  - name          LANDSAT_PRODUCT_ID ("LC08_L2SP_001062_20201031_20201106_02_T2"); for
//                  pre-collection MTLs, which have none, LANDSAT_SCENE_ID.
//  - id            product_name_key(name).
//  - collection    "LANDSAT-<n>" from SPACECRAFT_ID; platform the same ("LANDSAT-8").
//  - instrument    SENSOR_ID as written: "OLI_TIRS", "OLI", "TIRS", "ETM", "TM", "MSS".
//  - product_type  the processing level code: PROCESSING_LEVEL (C2) or DATA_TYPE (C1 and
//                  pre-collection): "L2SP", "L2SR", "L1TP", "L1GS", "L1T"...
//  - processing_level  "LEVEL1" or "LEVEL2" (from the code above; CDSE uses the same words).
//  - sensing_start = sensing_end = DATE_ACQUIRED + SCENE_CENTER_TIME (a scene has one time).
//  - footprint     the four CORNER_*_PRODUCT corners (UL, UR, LR, LL), normalised.
//  - tile_id       WRS path and row as "PPPRRR" ("001062").
//  - cloud_cover   CLOUD_COVER when in 0..100 (USGS writes -1 when unknown).
//  - processing_baseline  COLLECTION_NUMBER ("02", "01"); the processing software version
//                  ("LPGS_2.5.1") for pre-collection products.
//  - path          the MTL's directory; files: the product's files in that directory (names
//                  starting with the MTL's stem), with sizes and band names ("SR_B4", "B4").
//  - extra_json    collection category, scene id, WRS type, sun angles, land cloud cover,
//                  processing software and product generation date.

#include "readers/readers_internal.hpp"

#include "core/strings.hpp"
#include "readers/source.hpp"
#include "readers/xml.hpp"

#include <creodias/error.hpp>
#include <creodias/geometry.hpp>
#include <creodias/time.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <initializer_list>
#include <system_error>

namespace fs = std::filesystem;

namespace creodias::detail {
namespace {

constexpr const char* kOrigin = "landsat";
// Nesting deeper than this is not an MTL; refusing it keeps recursion bounded on hostile input.
constexpr int kMaxDepth = 16;

struct MtlEntry {
    std::string group;  // innermost enclosing group ("PRODUCT_CONTENTS")
    std::string key;
    std::string value;  // unquoted, trimmed
};

// A list of group names, from a braced list at the call site or a named constant array.
// Held by value (at most four names), so no lifetime question arises.
struct Groups {
    std::array<std::string_view, 4> data{};
    size_t size = 0;
    Groups(std::initializer_list<std::string_view> l) {
        for (auto g : l)
            if (size < data.size()) data[size++] = g;
    }
    template <size_t N>
    Groups(const std::array<std::string_view, N>& a) {
        static_assert(N <= 4, "at most four groups");
        for (auto g : a) data[size++] = g;
    }
};

struct Mtl {
    std::string root;  // "LANDSAT_METADATA_FILE" or "L1_METADATA_FILE"
    std::vector<MtlEntry> entries;

    // First value of `key` in the first of `groups` that has it; with an empty group list,
    // the first occurrence anywhere.
    const std::string* get(std::string_view key, Groups groups) const {
        for (size_t i = 0; i < groups.size; ++i)
            for (const auto& e : entries)
                if (e.key == key && e.group == groups.data[i]) return &e.value;
        if (groups.size == 0)
            for (const auto& e : entries)
                if (e.key == key) return &e.value;
        return nullptr;
    }
};

[[noreturn]] void fail(std::string_view file, const std::string& why) {
    throw InvalidArgument(kOrigin, fmt::format("{}: {}", file, why));
}

std::string unquote(std::string_view v) {
    v = trim(v);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return std::string(v);
}

// ---- ODL text -------------------------------------------------------------------------------

Mtl parse_odl(std::string_view text, std::string_view file) {
    Mtl mtl;
    std::vector<std::string> stack;
    bool closed = false;
    size_t pos = 0;
    size_t line_no = 0;
    while (pos < text.size() && !closed) {
        size_t eol = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, eol == std::string_view::npos ? text.npos : eol - pos);
        pos = eol == std::string_view::npos ? text.size() : eol + 1;
        ++line_no;
        line = trim(line);
        if (line.empty()) continue;
        if (line == "END") {
            closed = true;
            break;
        }
        auto eq = line.find('=');
        if (eq == std::string_view::npos)
            fail(file, fmt::format("line {}: expected 'KEY = value', got '{}'", line_no,
                                   std::string(line.substr(0, 60))));
        std::string key(trim(line.substr(0, eq)));
        std::string_view raw = trim(line.substr(eq + 1));
        // ODL arrays may continue over several lines until the closing parenthesis.
        if (!raw.empty() && raw.front() == '(' && raw.find(')') == std::string_view::npos) {
            size_t close = text.find(')', pos);
            if (close == std::string_view::npos)
                fail(file, fmt::format("line {}: unterminated array", line_no));
            raw = text.substr(static_cast<size_t>(raw.data() - text.data()),
                              close + 1 - static_cast<size_t>(raw.data() - text.data()));
            size_t next = text.find('\n', close);
            pos = next == std::string_view::npos ? text.size() : next + 1;
        }
        std::string value = unquote(raw);
        if (key == "GROUP") {
            if (value.empty()) fail(file, fmt::format("line {}: GROUP without a name", line_no));
            if (stack.size() >= static_cast<size_t>(kMaxDepth))
                fail(file, "groups nested too deeply");
            if (stack.empty()) {
                if (!mtl.root.empty())
                    fail(file, fmt::format("line {}: a second root group", line_no));
                mtl.root = value;
            }
            stack.push_back(std::move(value));
        } else if (key == "END_GROUP") {
            if (stack.empty() || stack.back() != value)
                fail(file, fmt::format("line {}: END_GROUP = {} does not close the open group",
                                       line_no, value));
            stack.pop_back();
            if (stack.empty()) closed = true;
        } else {
            if (stack.empty())
                fail(file, fmt::format("line {}: '{}' outside any GROUP", line_no, key));
            mtl.entries.push_back({stack.back(), std::move(key), std::move(value)});
        }
    }
    // A file cut short (interrupted download, truncated copy) never closes its root group.
    if (mtl.root.empty()) fail(file, "no GROUP found: not a Landsat MTL");
    if (!stack.empty())
        fail(file, fmt::format("truncated: group {} is never closed", stack.back()));
    return mtl;
}

// ---- JSON ------------------------------------------------------------------------------------

// Flattens {"GROUP": {"KEY": value}} objects; arrays and nulls carry nothing an MTL reader needs.
void walk_json(const nlohmann::ordered_json& obj, const std::string& group, Mtl& mtl, int depth,
               std::string_view file) {
    if (depth > kMaxDepth) fail(file, "objects nested too deeply");
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        const auto& v = it.value();
        if (v.is_object())
            walk_json(v, it.key(), mtl, depth + 1, file);
        else if (v.is_string())
            mtl.entries.push_back(
                {group, it.key(), std::string(trim(v.get_ref<const std::string&>()))});
        else if (v.is_number() || v.is_boolean())
            mtl.entries.push_back({group, it.key(), v.dump()});
    }
}

Mtl parse_json(std::string_view text, std::string_view file) {
    // ordered_json keeps the document order, which the first-occurrence lookups rely on.
    nlohmann::ordered_json doc;
    try {
        doc = nlohmann::ordered_json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
        fail(file, fmt::format("malformed JSON: {}", e.what()));
    }
    if (!doc.is_object() || doc.size() != 1 || !doc.begin().value().is_object())
        fail(file, "expected a JSON object with a single root group such as LANDSAT_METADATA_FILE");
    Mtl mtl;
    mtl.root = doc.begin().key();
    walk_json(doc.begin().value(), mtl.root, mtl, 0, file);
    return mtl;
}

// ---- XML -------------------------------------------------------------------------------------

void walk_xml(pugi::xml_node node, const std::string& group, Mtl& mtl, int depth,
              std::string_view file) {
    if (depth > kMaxDepth) fail(file, "elements nested too deeply");
    for (auto c = node.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        bool has_element_child = false;
        for (auto cc = c.first_child(); cc; cc = cc.next_sibling())
            if (cc.type() == pugi::node_element) {
                has_element_child = true;
                break;
            }
        std::string name(xml::local_name(c.name()));
        if (has_element_child)
            walk_xml(c, name, mtl, depth + 1, file);
        else
            mtl.entries.push_back({group, std::move(name), std::string(trim(c.child_value()))});
    }
}

Mtl parse_xml(std::string_view text, std::string_view file) {
    auto doc = xml::parse(text, kOrigin, file);
    auto root = doc.document_element();
    Mtl mtl;
    mtl.root = std::string(xml::local_name(root.name()));
    walk_xml(root, mtl.root, mtl, 0, file);
    return mtl;
}

// ---- Product ---------------------------------------------------------------------------------

// Groups holding the product-level fields, per MTL generation.
constexpr std::array<std::string_view, 3> kIdGroups = {"PRODUCT_CONTENTS", "METADATA_FILE_INFO",
                                                       "PRODUCT_METADATA"};
constexpr std::array<std::string_view, 2> kImageGroups = {"IMAGE_ATTRIBUTES", "PRODUCT_METADATA"};
constexpr std::array<std::string_view, 2> kProjGroups = {"PROJECTION_ATTRIBUTES",
                                                         "PRODUCT_METADATA"};

std::optional<double> number(const Mtl& mtl, std::string_view key, Groups groups) {
    const std::string* v = mtl.get(key, groups);
    if (!v) return std::nullopt;
    auto d = parse_double(*v);
    if (d && !std::isfinite(*d)) return std::nullopt;
    return d;
}

double required_number(const Mtl& mtl, std::string_view key, Groups groups, std::string_view file) {
    const std::string* v = mtl.get(key, groups);
    if (!v) fail(file, fmt::format("missing {}", key));
    auto d = parse_double(*v);
    if (!d || !std::isfinite(*d)) fail(file, fmt::format("{} is not a number: '{}'", key, *v));
    return *d;
}

// "LANDSAT_8" -> 8; 0 when not recognised.
int landsat_number(std::string_view spacecraft) {
    std::string up = to_upper(spacecraft);
    if (!starts_with(up, "LANDSAT")) return 0;
    std::string_view rest = std::string_view(up).substr(7);
    while (!rest.empty() && (rest.front() == '_' || rest.front() == '-' || rest.front() == ' '))
        rest.remove_prefix(1);
    auto n = parse_int(rest);
    return n && *n >= 1 && *n <= 9 ? static_cast<int>(*n) : 0;
}

void set_extra(nlohmann::json& extra, const char* name, const std::string* v) {
    if (v && !v->empty()) extra[name] = *v;
}

void set_extra_number(nlohmann::json& extra, const char* name, std::optional<double> v) {
    if (v) extra[name] = *v;
}

Product build_product(const Mtl& mtl, std::string_view file) {
    if (mtl.root != "LANDSAT_METADATA_FILE" && mtl.root != "L1_METADATA_FILE")
        fail(file,
             fmt::format("root group is '{}', expected LANDSAT_METADATA_FILE or L1_METADATA_FILE",
                         mtl.root));
    Product p;

    const std::string* product_id = mtl.get("LANDSAT_PRODUCT_ID", kIdGroups);
    if (!product_id || product_id->empty())
        product_id =
            mtl.get("LANDSAT_SCENE_ID", {"METADATA_FILE_INFO", "LEVEL1_PROCESSING_RECORD"});
    if (!product_id || product_id->empty())
        fail(file, "missing LANDSAT_PRODUCT_ID and LANDSAT_SCENE_ID");
    p.name = *product_id;
    p.id = product_name_key(p.name);

    const std::string* spacecraft = mtl.get("SPACECRAFT_ID", kImageGroups);
    if (!spacecraft) fail(file, "missing SPACECRAFT_ID");
    int n = landsat_number(*spacecraft);
    if (n == 0)
        fail(file, fmt::format("SPACECRAFT_ID '{}' is not a Landsat satellite", *spacecraft));
    p.platform = fmt::format("LANDSAT-{}", n);
    p.collection = p.platform;
    if (const std::string* sensor = mtl.get("SENSOR_ID", kImageGroups))
        p.instrument = to_upper(*sensor);

    const std::string* level = mtl.get("PROCESSING_LEVEL", {"PRODUCT_CONTENTS"});
    if (!level) level = mtl.get("DATA_TYPE", {"PRODUCT_METADATA"});
    if (!level || level->empty()) fail(file, "missing PROCESSING_LEVEL / DATA_TYPE");
    p.product_type = to_upper(*level);
    if (starts_with(p.product_type, "L1"))
        p.processing_level = "LEVEL1";
    else if (starts_with(p.product_type, "L2"))
        p.processing_level = "LEVEL2";
    else if (starts_with(p.product_type, "L3"))
        p.processing_level = "LEVEL3";

    // Acquisition time: the scene centre time on the acquisition date.
    const std::string* date = mtl.get("DATE_ACQUIRED", kImageGroups);
    if (!date || date->empty()) fail(file, "missing DATE_ACQUIRED");
    std::string when = *date;
    if (const std::string* t = mtl.get("SCENE_CENTER_TIME", kImageGroups); t && !t->empty()) {
        when += 'T';
        when += *t;
    }
    try {
        p.sensing_start = parse_datetime(when);
    } catch (const InvalidArgument& e) {
        fail(file, fmt::format("bad DATE_ACQUIRED/SCENE_CENTER_TIME: {}", e.what()));
    }
    p.sensing_end = p.sensing_start;

    // Footprint from the product corners, clockwise from the upper left.
    static const char* const corners[4] = {"UL", "UR", "LR", "LL"};
    Geometry::Ring ring;
    for (const char* c : corners) {
        double lat =
            required_number(mtl, fmt::format("CORNER_{}_LAT_PRODUCT", c), kProjGroups, file);
        double lon =
            required_number(mtl, fmt::format("CORNER_{}_LON_PRODUCT", c), kProjGroups, file);
        if (std::fabs(lat) > 90 || std::fabs(lon) > 180)
            fail(file, fmt::format("corner {} out of range: lat {} lon {}", c, lat, lon));
        ring.push_back({lon, lat});
    }
    ring.push_back(ring.front());
    try {
        p.footprint = normalize_footprint(Geometry(GeometryType::polygon, {{std::move(ring)}}));
    } catch (const InvalidArgument& e) {
        fail(file, fmt::format("invalid corner footprint: {}", e.what()));
    }

    auto wrs_path = number(mtl, "WRS_PATH", kImageGroups);
    auto wrs_row = number(mtl, "WRS_ROW", kImageGroups);
    if (wrs_path && wrs_row && *wrs_path >= 0 && *wrs_path < 1000 && *wrs_row >= 0 &&
        *wrs_row < 1000)
        p.tile_id =
            fmt::format("{:03d}{:03d}", static_cast<int>(*wrs_path), static_cast<int>(*wrs_row));

    if (auto cc = number(mtl, "CLOUD_COVER", kImageGroups); cc && *cc >= 0 && *cc <= 100)
        p.cloud_cover = *cc;

    const std::string* software =
        mtl.get("PROCESSING_SOFTWARE_VERSION",
                {"LEVEL2_PROCESSING_RECORD", "LEVEL1_PROCESSING_RECORD", "METADATA_FILE_INFO"});
    if (const std::string* coll = mtl.get("COLLECTION_NUMBER", kIdGroups); coll && !coll->empty()) {
        auto cn = parse_int(*coll);
        p.processing_baseline = cn && *cn >= 0 && *cn < 100 ? fmt::format("{:02d}", *cn) : *coll;
    } else if (software) {
        p.processing_baseline = *software;
    }

    nlohmann::json extra = nlohmann::json::object();
    set_extra(extra, "landsat:collection_category", mtl.get("COLLECTION_CATEGORY", kIdGroups));
    set_extra(extra, "landsat:scene_id",
              mtl.get("LANDSAT_SCENE_ID", {"LEVEL1_PROCESSING_RECORD", "METADATA_FILE_INFO"}));
    set_extra(extra, "landsat:wrs_type", mtl.get("WRS_TYPE", kImageGroups));
    set_extra(extra, "landsat:station_id", mtl.get("STATION_ID", kImageGroups));
    set_extra(extra, "processing:software", software);
    if (const std::string* gen = mtl.get("DATE_PRODUCT_GENERATED",
                                         {"LEVEL2_PROCESSING_RECORD", "LEVEL1_PROCESSING_RECORD"});
        gen && !gen->empty()) {
        extra["processing:datetime"] = *gen;
    } else if (const std::string* fd = mtl.get("FILE_DATE", {"METADATA_FILE_INFO"});
               fd && !fd->empty()) {
        extra["processing:datetime"] = *fd;
    }
    set_extra_number(extra, "landsat:cloud_cover_land",
                     number(mtl, "CLOUD_COVER_LAND", kImageGroups));
    set_extra_number(extra, "view:sun_azimuth", number(mtl, "SUN_AZIMUTH", kImageGroups));
    set_extra_number(extra, "view:sun_elevation", number(mtl, "SUN_ELEVATION", kImageGroups));
    // Header bytes need not be valid UTF-8: replace bad sequences rather than throw.
    if (!extra.empty())
        p.extra_json = extra.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return p;
}

enum class MtlForm { text, json, xml };

MtlForm form_of(std::string_view content, std::string_view file_name) {
    if (iends_with(file_name, ".json")) return MtlForm::json;
    if (iends_with(file_name, ".xml")) return MtlForm::xml;
    if (iends_with(file_name, ".txt")) return MtlForm::text;
    auto t = trim(content);
    if (!t.empty() && t.front() == '{') return MtlForm::json;
    if (!t.empty() && t.front() == '<') return MtlForm::xml;
    return MtlForm::text;
}

// "..._SR_B4.TIF" -> "SR_B4"; "..._B10.TIF" -> "B10"; "" for non-band files.
std::string band_of(std::string_view suffix) {
    auto dot = suffix.rfind('.');
    std::string_view stem = dot == std::string_view::npos ? suffix : suffix.substr(0, dot);
    std::string_view b = stem;
    if (starts_with(b, "SR_") || starts_with(b, "ST_")) b.remove_prefix(3);
    if (b.size() < 2 || (b.front() != 'B' && b.front() != 'b')) return {};
    for (size_t i = 1; i < b.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(b[i]))) return {};
    return to_upper(stem);
}

void describe_file(ProductFile& f, std::string_view suffix) {
    f.band = band_of(suffix);
    std::string lower = to_lower(suffix);
    if (ends_with(lower, ".tif") || ends_with(lower, ".tiff")) {
        f.media_type = "image/tiff; application=geotiff";
        f.role = "data";
    } else if (ends_with(lower, ".jpeg") || ends_with(lower, ".jpg")) {
        f.media_type = "image/jpeg";
        f.role = "thumbnail";
    } else if (ends_with(lower, ".png")) {
        f.media_type = "image/png";
        f.role = "thumbnail";
    } else if (ends_with(lower, ".xml")) {
        f.media_type = "application/xml";
        f.role = "metadata";
    } else if (ends_with(lower, ".json")) {
        f.media_type = "application/json";
        f.role = "metadata";
    } else if (ends_with(lower, ".txt")) {
        f.media_type = "text/plain";
        f.role = "metadata";
    }
}

// Stem shared by the product's files: the MTL name without "_MTL.<ext>" (usually the product
// id; shortened names such as "l8_MTL.txt" still group "l8_B4.tif").
std::string mtl_stem(const std::string& file_name) {
    std::string lower = to_lower(file_name);
    auto pos = lower.rfind("_mtl.");
    if (pos != std::string::npos) return file_name.substr(0, pos);
    auto dot = file_name.rfind('.');
    return dot == std::string::npos ? file_name : file_name.substr(0, dot);
}

}  // namespace

Product parse_landsat_mtl(std::string_view content, std::string_view file_name) {
    Mtl mtl;
    switch (form_of(content, file_name)) {
        case MtlForm::json: mtl = parse_json(content, file_name); break;
        case MtlForm::xml: mtl = parse_xml(content, file_name); break;
        case MtlForm::text: mtl = parse_odl(content, file_name); break;
    }
    return build_product(mtl, file_name);
}

fs::path find_landsat_mtl(const fs::path& dir) {
    // Collection 2 scenes carry all three forms; the text one exists for every generation.
    std::error_code ec;
    fs::path best;
    int best_rank = 0;
    size_t seen = 0;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    for (fs::directory_iterator end; !ec && it != end && ++seen <= 10000; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        int rank = iends_with(name, "_MTL.txt")    ? 3
                   : iends_with(name, "_MTL.json") ? 2
                   : iends_with(name, "_MTL.xml")  ? 1
                                                   : 0;
        if (rank > best_rank || (rank == best_rank && rank > 0 && it->path() < best)) {
            std::error_code fec;
            if (!it->is_regular_file(fec)) continue;
            best = it->path();
            best_rank = rank;
        }
    }
    return best;
}

Product read_landsat_mtl(const fs::path& path, const ReadOptions& opt) {
    std::error_code dec;
    fs::path file = path;
    if (fs::is_directory(path, dec)) {
        file = find_landsat_mtl(path);
        if (file.empty())
            throw InvalidArgument(
                kOrigin, fmt::format("{}: no *_MTL.txt/json/xml in the directory", path.string()));
    }
    std::string content = read_file_capped(file, opt.max_metadata_bytes);
    const std::string file_name = file.filename().string();
    Product p = parse_landsat_mtl(content, file.string());

    fs::path dir = file.parent_path();
    p.path = dir.empty() ? std::string(".") : dir.string();
    if (!opt.list_files) return p;

    const std::string stem = mtl_stem(file_name);
    std::error_code ec;
    fs::directory_iterator it(dir.empty() ? fs::path(".") : dir,
                              fs::directory_options::skip_permission_denied, ec);
    if (ec) throw StorageError(Errc::io, kOrigin, fmt::format("{}: {}", p.path, ec.message()));
    std::uint64_t total = 0;
    size_t seen = 0;
    for (fs::directory_iterator end; it != end; it.increment(ec)) {
        if (ec) throw StorageError(Errc::io, kOrigin, fmt::format("{}: {}", p.path, ec.message()));
        if (++seen > opt.max_entries)
            throw InvalidArgument(kOrigin,
                                  fmt::format("{}: more than {} entries", p.path, opt.max_entries));
        if (!it->is_regular_file(ec)) continue;
        std::string name = it->path().filename().string();
        // Only this product's files: "<stem>_<suffix>" (a directory may hold several scenes).
        if (name.size() <= stem.size() + 1 || !starts_with(name, stem) || name[stem.size()] != '_')
            continue;
        ProductFile f;
        f.path = name;
        auto size = it->file_size(ec);
        if (!ec) {
            f.size = size;
            total += size;
        }
        describe_file(f, std::string_view(name).substr(stem.size() + 1));
        p.files.push_back(std::move(f));
    }
    std::sort(p.files.begin(), p.files.end(),
              [](const ProductFile& a, const ProductFile& b) { return a.path < b.path; });
    if (!p.files.empty()) p.size = total;
    return p;
}

}  // namespace creodias::detail
