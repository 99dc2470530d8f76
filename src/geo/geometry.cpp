#include <creodias/error.hpp>
#include <creodias/geometry.hpp>

#include "core/strings.hpp"
#include "geo/geos.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>

namespace creodias {

namespace {

[[noreturn]] void bad_geom(const std::string& msg) { throw InvalidArgument("geometry", msg); }

// ---------------------------------------------------------------------------------------
// WKT
class WktParser {
public:
    explicit WktParser(std::string_view s) : s_(s) {}

    Geometry parse() {
        skip_ws();
        if (s_.size() - i_ >= 5 && detail::iequals(s_.substr(i_, 5), "SRID=")) {
            auto semi = s_.find(';', i_);
            if (semi == std::string_view::npos) fail("expected ';' after SRID");
            auto srid = detail::trim(s_.substr(i_ + 5, semi - i_ - 5));
            if (srid != "4326") fail(fmt::format("only SRID=4326 is supported, got {}", srid));
            i_ = semi + 1;
        }
        std::string kw = keyword();
        skip_ws();
        // Optional dimension tag: only XY is meaningful for footprints; Z/M ordinates dropped.
        std::string tag;
        if (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) tag = keyword();
        if (!tag.empty() && tag != "Z" && tag != "M" && tag != "ZM") fail("unexpected '" + tag + "'");
        dims_ = tag.empty() ? 0 : (tag == "ZM" ? 4 : 3);
        Geometry g;
        skip_ws();
        if (match_word("EMPTY")) fail("empty geometry");
        if (kw == "POINT") {
            auto pts = point_list();
            if (pts.size() != 1) fail("POINT needs exactly one coordinate");
            g = Geometry(GeometryType::point, {{pts}});
        } else if (kw == "LINESTRING") {
            g = Geometry(GeometryType::line_string, {{point_list()}});
        } else if (kw == "POLYGON") {
            g = Geometry(GeometryType::polygon, {rings()});
        } else if (kw == "MULTIPOINT") {
            expect('(');
            std::vector<Geometry::Part> parts;
            do {
                skip_ws();
                if (peek() == '(') parts.push_back({point_list()});
                else parts.push_back({{coord()}});
                skip_ws();
            } while (accept(','));
            expect(')');
            g = Geometry(GeometryType::multi_point, std::move(parts));
        } else if (kw == "MULTILINESTRING") {
            expect('(');
            std::vector<Geometry::Part> parts;
            do parts.push_back({point_list()});
            while (accept(','));
            expect(')');
            g = Geometry(GeometryType::multi_line_string, std::move(parts));
        } else if (kw == "MULTIPOLYGON") {
            expect('(');
            std::vector<Geometry::Part> parts;
            do parts.push_back(rings());
            while (accept(','));
            expect(')');
            g = Geometry(GeometryType::multi_polygon, std::move(parts));
        } else {
            fail(kw.empty() ? "expected a geometry type" : "unsupported geometry type " + kw);
        }
        skip_ws();
        if (i_ != s_.size()) fail("unexpected trailing text");
        return g;
    }

private:
    [[noreturn]] void fail(const std::string& why) const {
        bad_geom(fmt::format("invalid WKT at offset {}: {}", i_, why));
    }
    void skip_ws() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    bool accept(char c) {
        skip_ws();
        if (peek() == c) {
            ++i_;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!accept(c)) fail(fmt::format("expected '{}'", c));
    }
    std::string keyword() {
        skip_ws();
        size_t b = i_;
        while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
        return detail::to_upper(s_.substr(b, i_ - b));
    }
    bool match_word(std::string_view w) {
        skip_ws();
        if (s_.size() - i_ >= w.size() && detail::iequals(s_.substr(i_, w.size()), w)) {
            i_ += w.size();
            return true;
        }
        return false;
    }
    double number() {
        skip_ws();
        size_t b = i_;
        while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' ||
                                  s_[i_] == '+' || s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E'))
            ++i_;
        auto v = detail::parse_double(s_.substr(b, i_ - b));
        if (!v) {
            i_ = b;
            fail("expected a number");
        }
        return *v;
    }
    LonLat coord() {
        LonLat p{number(), number()};
        // Extra ordinates (Z, M) are read and dropped.
        for (int k = 2; k < 4; ++k) {
            skip_ws();
            if (dims_ > k || (dims_ == 0 && (std::isdigit(static_cast<unsigned char>(peek())) || peek() == '-' ||
                                              peek() == '+' || peek() == '.')))
                number();
        }
        return p;
    }
    Geometry::Ring point_list() {
        expect('(');
        Geometry::Ring r;
        do {
            if (r.size() > 10'000'000) fail("too many vertices");
            r.push_back(coord());
        } while (accept(','));
        expect(')');
        return r;
    }
    Geometry::Part rings() {
        expect('(');
        Geometry::Part rs;
        do rs.push_back(point_list());
        while (accept(','));
        expect(')');
        return rs;
    }

    std::string_view s_;
    size_t i_ = 0;
    int dims_ = 0;
};

// ---------------------------------------------------------------------------------------
// GeoJSON
LonLat json_position(const nlohmann::json& j) {
    if (!j.is_array() || j.size() < 2 || !j[0].is_number() || !j[1].is_number())
        bad_geom("invalid GeoJSON: a position must be an array of at least two numbers");
    return {j[0].get<double>(), j[1].get<double>()};
}
Geometry::Ring json_line(const nlohmann::json& j) {
    if (!j.is_array()) bad_geom("invalid GeoJSON: expected an array of positions");
    Geometry::Ring r;
    r.reserve(j.size());
    for (const auto& p : j) r.push_back(json_position(p));
    return r;
}
Geometry::Part json_rings(const nlohmann::json& j) {
    if (!j.is_array()) bad_geom("invalid GeoJSON: expected an array of rings");
    Geometry::Part part;
    for (const auto& r : j) part.push_back(json_line(r));
    return part;
}

Geometry geometry_from_json(const nlohmann::json& j) {
    if (!j.is_object()) bad_geom("invalid GeoJSON: expected an object");
    auto t = j.find("type");
    if (t == j.end() || !t->is_string()) bad_geom("invalid GeoJSON: missing \"type\"");
    const std::string type = t->get<std::string>();
    if (type == "Feature") {
        auto g = j.find("geometry");
        if (g == j.end() || g->is_null()) bad_geom("invalid GeoJSON: Feature without geometry");
        return geometry_from_json(*g);
    }
    if (type == "FeatureCollection") {
        auto f = j.find("features");
        if (f == j.end() || !f->is_array() || f->size() != 1)
            bad_geom("invalid GeoJSON: a FeatureCollection area of interest must hold exactly one feature");
        return geometry_from_json((*f)[0]);
    }
    auto c = j.find("coordinates");
    if (c == j.end()) bad_geom("invalid GeoJSON: " + type + " without \"coordinates\"");
    if (type == "Point") return Geometry(GeometryType::point, {{{json_position(*c)}}});
    if (type == "LineString") return Geometry(GeometryType::line_string, {{json_line(*c)}});
    if (type == "Polygon") return Geometry(GeometryType::polygon, {json_rings(*c)});
    if (!c->is_array()) bad_geom("invalid GeoJSON: coordinates must be an array");
    std::vector<Geometry::Part> parts;
    if (type == "MultiPoint") {
        for (const auto& p : *c) parts.push_back({{json_position(p)}});
        return Geometry(GeometryType::multi_point, std::move(parts));
    }
    if (type == "MultiLineString") {
        for (const auto& l : *c) parts.push_back({json_line(l)});
        return Geometry(GeometryType::multi_line_string, std::move(parts));
    }
    if (type == "MultiPolygon") {
        for (const auto& p : *c) parts.push_back(json_rings(p));
        return Geometry(GeometryType::multi_polygon, std::move(parts));
    }
    bad_geom("unsupported GeoJSON geometry type " + type);
}

// ---------------------------------------------------------------------------------------
// WKB
class WkbReader {
public:
    explicit WkbReader(std::string_view b) : b_(b) {}
    Geometry read() {
        Geometry g = geometry(0);
        if (i_ != b_.size()) bad_geom("invalid WKB: trailing bytes");
        return g;
    }

private:
    void need(size_t n) const {
        if (b_.size() - i_ < n) bad_geom("invalid WKB: truncated");
    }
    std::uint32_t u32(bool le) {
        need(4);
        std::uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            std::uint32_t byte = static_cast<unsigned char>(b_[i_ + k]);
            v |= le ? byte << (8 * k) : byte << (8 * (3 - k));
        }
        i_ += 4;
        return v;
    }
    double f64(bool le) {
        need(8);
        std::uint64_t v = 0;
        for (int k = 0; k < 8; ++k) {
            std::uint64_t byte = static_cast<unsigned char>(b_[i_ + k]);
            v |= le ? byte << (8 * k) : byte << (8 * (7 - k));
        }
        i_ += 8;
        double d;
        std::memcpy(&d, &v, 8);
        return d;
    }
    Geometry::Ring points(bool le, int dims) {
        std::uint32_t n = u32(le);
        need(static_cast<size_t>(n) * 8 * dims);
        Geometry::Ring r;
        r.reserve(n);
        for (std::uint32_t k = 0; k < n; ++k) {
            LonLat p{f64(le), f64(le)};
            for (int d = 2; d < dims; ++d) f64(le);
            r.push_back(p);
        }
        return r;
    }
    Geometry geometry(int depth) {
        if (depth > 2) bad_geom("invalid WKB: nesting too deep");
        need(1);
        bool le = b_[i_++] == 1;
        std::uint32_t code = u32(le);
        int dims = 2;
        // ISO (1000/2000/3000 offsets) and EWKB (high flag bits) Z/M variants.
        if (code & 0x80000000u) ++dims;
        if (code & 0x40000000u) ++dims;
        bool has_srid = code & 0x20000000u;
        code &= 0x0fffffffu;
        if (code >= 3000) dims = 4, code -= 3000;
        else if (code >= 2000) dims = 3, code -= 2000;
        else if (code >= 1000) dims = 3, code -= 1000;
        if (has_srid) u32(le);
        switch (code) {
            case 1: {
                need(16);
                LonLat p{f64(le), f64(le)};
                for (int d = 2; d < dims; ++d) f64(le);
                return Geometry(GeometryType::point, {{{p}}});
            }
            case 2: return Geometry(GeometryType::line_string, {{points(le, dims)}});
            case 3: {
                std::uint32_t nr = u32(le);
                if (nr > b_.size()) bad_geom("invalid WKB: ring count exceeds data");
                Geometry::Part part;
                for (std::uint32_t k = 0; k < nr; ++k) part.push_back(points(le, dims));
                return Geometry(GeometryType::polygon, {std::move(part)});
            }
            case 4: case 5: case 6: {
                std::uint32_t n = u32(le);
                if (n > b_.size()) bad_geom("invalid WKB: member count exceeds data");
                std::vector<Geometry::Part> parts;
                for (std::uint32_t k = 0; k < n; ++k) {
                    Geometry m = geometry(depth + 1);
                    if (m.parts().size() != 1) bad_geom("invalid WKB: nested collection");
                    parts.push_back(m.parts()[0]);
                }
                auto t = code == 4 ? GeometryType::multi_point
                         : code == 5 ? GeometryType::multi_line_string : GeometryType::multi_polygon;
                return Geometry(t, std::move(parts));
            }
            default: bad_geom(fmt::format("invalid WKB: unsupported geometry type code {}", code));
        }
    }

    std::string_view b_;
    size_t i_ = 0;
};

void put_u32(std::string& out, std::uint32_t v) {
    for (int k = 0; k < 4; ++k) out.push_back(static_cast<char>((v >> (8 * k)) & 0xff));
}
void put_f64(std::string& out, double d) {
    std::uint64_t v;
    std::memcpy(&v, &d, 8);
    for (int k = 0; k < 8; ++k) out.push_back(static_cast<char>((v >> (8 * k)) & 0xff));
}
void put_points(std::string& out, const Geometry::Ring& r) {
    put_u32(out, static_cast<std::uint32_t>(r.size()));
    for (const auto& p : r) put_f64(out, p.lon), put_f64(out, p.lat);
}
void put_part(std::string& out, GeometryType single, const Geometry::Part& part) {
    out.push_back(1);
    switch (single) {
        case GeometryType::point:
            put_u32(out, 1);
            put_f64(out, part.at(0).at(0).lon);
            put_f64(out, part.at(0).at(0).lat);
            break;
        case GeometryType::line_string:
            put_u32(out, 2);
            put_points(out, part.at(0));
            break;
        default:
            put_u32(out, 3);
            put_u32(out, static_cast<std::uint32_t>(part.size()));
            for (const auto& r : part) put_points(out, r);
    }
}

GeometryType single_of(GeometryType t) {
    switch (t) {
        case GeometryType::multi_point: return GeometryType::point;
        case GeometryType::multi_line_string: return GeometryType::line_string;
        case GeometryType::multi_polygon: return GeometryType::polygon;
        default: return t;
    }
}
bool is_multi(GeometryType t) { return single_of(t) != t; }

std::string num(double v) { return fmt::format("{}", v); }

void write_ring_wkt(std::string& out, const Geometry::Ring& r) {
    out += '(';
    for (size_t k = 0; k < r.size(); ++k) {
        if (k) out += ',';
        out += num(r[k].lon);
        out += ' ';
        out += num(r[k].lat);
    }
    out += ')';
}
void write_part_wkt(std::string& out, GeometryType single, const Geometry::Part& part) {
    if (single == GeometryType::point) {
        out += '(' + num(part[0][0].lon) + ' ' + num(part[0][0].lat) + ')';
    } else if (single == GeometryType::line_string) {
        write_ring_wkt(out, part[0]);
    } else {
        out += '(';
        for (size_t k = 0; k < part.size(); ++k) {
            if (k) out += ',';
            write_ring_wkt(out, part[k]);
        }
        out += ')';
    }
}

void write_ring_json(std::string& out, const Geometry::Ring& r) {
    out += '[';
    for (size_t k = 0; k < r.size(); ++k) {
        if (k) out += ',';
        out += '[' + num(r[k].lon) + ',' + num(r[k].lat) + ']';
    }
    out += ']';
}
void write_part_json(std::string& out, GeometryType single, const Geometry::Part& part) {
    if (single == GeometryType::point) {
        out += '[' + num(part[0][0].lon) + ',' + num(part[0][0].lat) + ']';
    } else if (single == GeometryType::line_string) {
        write_ring_json(out, part[0]);
    } else {
        out += '[';
        for (size_t k = 0; k < part.size(); ++k) {
            if (k) out += ',';
            write_ring_json(out, part[k]);
        }
        out += ']';
    }
}

const char* wkt_name(GeometryType t) {
    switch (t) {
        case GeometryType::point: return "POINT";
        case GeometryType::line_string: return "LINESTRING";
        case GeometryType::polygon: return "POLYGON";
        case GeometryType::multi_point: return "MULTIPOINT";
        case GeometryType::multi_line_string: return "MULTILINESTRING";
        case GeometryType::multi_polygon: return "MULTIPOLYGON";
    }
    return "";
}
const char* json_name(GeometryType t) {
    switch (t) {
        case GeometryType::point: return "Point";
        case GeometryType::line_string: return "LineString";
        case GeometryType::polygon: return "Polygon";
        case GeometryType::multi_point: return "MultiPoint";
        case GeometryType::multi_line_string: return "MultiLineString";
        case GeometryType::multi_polygon: return "MultiPolygon";
    }
    return "";
}

void check_structure(const Geometry& g) {
    if (g.empty()) bad_geom("empty geometry");
    const bool polygonal = single_of(g.type()) == GeometryType::polygon;
    const bool linear = single_of(g.type()) == GeometryType::line_string;
    for (const auto& part : g.parts()) {
        if (part.empty()) bad_geom("geometry part without coordinates");
        if (!polygonal && part.size() != 1) bad_geom("malformed geometry part");
        for (const auto& ring : part) {
            if (ring.empty()) bad_geom("empty coordinate list");
            for (const auto& p : ring) {
                if (!std::isfinite(p.lon) || !std::isfinite(p.lat)) bad_geom("non-finite coordinate");
            }
            if (polygonal) {
                if (ring.size() < 4) bad_geom(fmt::format("polygon ring with {} vertices (at least 4 needed)", ring.size()));
                if (!(ring.front() == ring.back())) bad_geom("polygon ring is not closed");
            }
            if (linear && ring.size() < 2) bad_geom("line with fewer than 2 vertices");
        }
    }
}

// Every parser's result: at least one part, every part and ring non-empty, single types
// exactly one part, points one vertex. Writers and GEOS may then index without checks.
void check_shape(const Geometry& g) {
    const auto& parts = g.parts();
    if (parts.empty()) bad_geom("empty geometry");
    const bool multi = is_multi(g.type());
    if (!multi && parts.size() != 1) bad_geom("malformed geometry");
    const GeometryType single = single_of(g.type());
    for (const auto& part : parts) {
        if (part.empty()) bad_geom("geometry part without coordinates");
        if (single != GeometryType::polygon && part.size() != 1) bad_geom("malformed geometry part");
        for (const auto& ring : part) {
            if (ring.empty()) bad_geom("empty coordinate list");
            if (single == GeometryType::point && ring.size() != 1) bad_geom("a point has exactly one position");
        }
    }
}

Geometry checked(Geometry g) {
    check_shape(g);
    return g;
}

}  // namespace

// ---------------------------------------------------------------------------------------

BBox BBox::parse(std::string_view text) {
    auto parts = detail::split(text, ',');
    if (parts.size() != 4)
        throw InvalidArgument("geometry", fmt::format("invalid bbox '{}': expected W,S,E,N", text));
    double v[4];
    for (int k = 0; k < 4; ++k) {
        auto d = detail::parse_double(parts[k]);
        if (!d || !std::isfinite(*d))
            throw InvalidArgument("geometry", fmt::format("invalid bbox '{}': '{}' is not a number", text, parts[k]));
        v[k] = *d;
    }
    BBox b{v[0], v[1], v[2], v[3]};
    if (b.west < -180 || b.west > 180 || b.east < -180 || b.east > 180)
        throw InvalidArgument("geometry", fmt::format("invalid bbox '{}': longitudes must be within [-180,180]", text));
    if (b.south < -90 || b.north > 90 || b.south > 90 || b.north < -90)
        throw InvalidArgument("geometry", fmt::format("invalid bbox '{}': latitudes must be within [-90,90]", text));
    if (b.south > b.north)
        throw InvalidArgument("geometry", fmt::format("invalid bbox '{}': south is greater than north", text));
    return b;
}

Geometry Geometry::point(double lon, double lat) { return Geometry(GeometryType::point, {{{{lon, lat}}}}); }

Geometry Geometry::from_bbox(const BBox& b) {
    auto rect = [](double w, double s, double e, double n) {
        return Part{Ring{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}};
    };
    if (b.crosses_antimeridian())
        return Geometry(GeometryType::multi_polygon, {rect(b.west, b.south, 180, b.north), rect(-180, b.south, b.east, b.north)});
    return Geometry(GeometryType::polygon, {rect(b.west, b.south, b.east, b.north)});
}

Geometry Geometry::from_wkt(std::string_view wkt) { return checked(WktParser(wkt).parse()); }

Geometry Geometry::from_geojson(std::string_view json) {
    nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
    if (j.is_discarded()) bad_geom("invalid GeoJSON: not valid JSON");
    return checked(geometry_from_json(j));
}

Geometry Geometry::from_wkb(std::string_view wkb) { return checked(WkbReader(wkb).read()); }

std::size_t Geometry::num_points() const noexcept {
    std::size_t n = 0;
    for (const auto& part : parts_)
        for (const auto& r : part) n += r.size();
    return n;
}

BBox Geometry::bbox() const {
    BBox b{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
           -std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    for (const auto& part : parts_)
        for (const auto& r : part)
            for (const auto& p : r) {
                b.west = std::min(b.west, p.lon);
                b.east = std::max(b.east, p.lon);
                b.south = std::min(b.south, p.lat);
                b.north = std::max(b.north, p.lat);
            }
    return b;
}

std::vector<BBox> Geometry::part_bboxes() const {
    std::vector<BBox> out;
    for (const auto& part : parts_) {
        Geometry one(single_of(type_), {part});
        out.push_back(one.bbox());
    }
    return out;
}

std::string Geometry::to_wkt() const {
    check_shape(*this);
    std::string out = wkt_name(type_);
    out += ' ';
    if (is_multi(type_)) {
        out += '(';
        for (size_t k = 0; k < parts_.size(); ++k) {
            if (k) out += ',';
            write_part_wkt(out, single_of(type_), parts_[k]);
        }
        out += ')';
    } else if (!parts_.empty()) {
        write_part_wkt(out, type_, parts_[0]);
    }
    return out;
}

std::string Geometry::to_geojson() const {
    check_shape(*this);
    std::string out = "{\"type\":\"";
    out += json_name(type_);
    out += "\",\"coordinates\":";
    if (is_multi(type_)) {
        out += '[';
        for (size_t k = 0; k < parts_.size(); ++k) {
            if (k) out += ',';
            write_part_json(out, single_of(type_), parts_[k]);
        }
        out += ']';
    } else if (!parts_.empty()) {
        write_part_json(out, type_, parts_[0]);
    } else {
        out += "[]";
    }
    out += '}';
    return out;
}

std::string Geometry::to_wkb() const {
    check_shape(*this);
    std::string out;
    if (is_multi(type_)) {
        out.push_back(1);
        put_u32(out, type_ == GeometryType::multi_point ? 4 : type_ == GeometryType::multi_line_string ? 5 : 6);
        put_u32(out, static_cast<std::uint32_t>(parts_.size()));
        for (const auto& p : parts_) put_part(out, single_of(type_), p);
    } else if (!parts_.empty()) {
        put_part(out, type_, parts_[0]);
    }
    return out;
}

void validate(const Geometry& g) {
    check_structure(g);
    for (const auto& part : g.parts())
        for (const auto& r : part)
            for (const auto& p : r) {
                if (p.lon < -180 || p.lon > 180 || p.lat < -90 || p.lat > 90)
                    bad_geom(fmt::format("coordinate ({}, {}) outside the WGS84 range lon [-180,180], lat [-90,90]",
                                         p.lon, p.lat));
            }
    auto gg = detail::to_geos(g);
    detail::check_valid(gg.get());
}

}  // namespace creodias
