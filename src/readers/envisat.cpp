// Envisat and ERS (Envisat format) products: .N1 (Envisat), .E1 (ERS-1), .E2 (ERS-2).
//
// Every such file starts with an ASCII Main Product Header (MPH, 1247 bytes) followed by a
// Specific Product Header (SPH, SPH_SIZE bytes), both made of KEY=value lines: strings are
// quoted and blank-padded, numbers carry a sign and sometimes a unit suffix ("<bytes>",
// "<10-6degN>"). Binary data sets follow; only the headers are read, by hand (the format is
// simple and GDAL's ESAT driver would need the whole file and cannot open every product type).
//
// Field mapping (documented conventions of this reader):
//  - name          MPH PRODUCT (the name the product was produced under, e.g.
//                  "ASA_IMS_1PNESA20040703_205338_000000182028_00172_12250_0000.N1"), which can
//                  differ from the file name when an archive renamed the file; id =
//                  product_name_key(name).
//  - collection    "ENVISAT" for .N1, "ERS" for .E1/.E2; platform "ENVISAT", "ERS-1", "ERS-2".
//  - product_type  the first 10 characters of the name ("ASA_IMS_1P", "SAR_IMP_1P").
//  - instrument    from the product type prefix: ASA -> "ASAR", SAR -> "SAR" (ERS AMI),
//                  MER -> "MERIS", ATS -> "AATSR" (Envisat) / "ATSR" (ERS), RA2 -> "RA-2",
//                  MWR -> "MWR", GOM -> "GOMOS", MIP -> "MIPAS", SCI -> "SCIAMACHY",
//                  DOR -> "DORIS", GOM/GOME on ERS -> "GOME".
//  - processing_level  "LEVEL<digit>" from the 9th character of the type ("1P" -> "LEVEL1").
//  - sensor_mode   for ASAR/SAR the mode in the product type ("IM", "AP", "WS", "GM", "WV").
//  - sensing_start/end  MPH SENSING_START / SENSING_STOP ("03-JUL-2004 20:53:38.192288", UTC).
//  - orbit_number / relative_orbit  ABS_ORBIT / REL_ORBIT; orbit_direction from SPH PASS.
//  - footprint     SPH FIRST/LAST NEAR/MID/FAR LAT/LONG corners (1e-6 degrees), normalised;
//                  products without them (e.g. some global level-2 types) are rejected.
//  - polarisations MDSn_TX_RX_POLAR ("V/V" -> "VV").
//  - processing_baseline  SOFTWARE_VER ("ASAR/6.03").
//  - size          MPH TOT_SIZE (size of the complete product, even when the file on disk is a
//                  header-only extract); files: the file itself with its size on disk.

#include "readers/readers_internal.hpp"

#include "core/strings.hpp"
#include "readers/source.hpp"

#include <creodias/error.hpp>
#include <creodias/geometry.hpp>
#include <creodias/time.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <system_error>

namespace fs = std::filesystem;

namespace creodias::detail {
namespace {

constexpr const char* kOrigin = "envisat";
constexpr size_t kMphSize = 1247;        // fixed by the Envisat product specification
constexpr size_t kMaxSphSize = 1 << 20;  // real SPHs are a few KiB; bound hostile SPH_SIZE values

[[noreturn]] void fail(std::string_view file, const std::string& why) {
    throw InvalidArgument(kOrigin, fmt::format("{}: {}", file, why));
}

using Header = std::map<std::string, std::string, std::less<>>;

// Parses KEY=value lines; the first occurrence of a key wins (DSD blocks repeat DS_NAME etc.).
// Values: quotes and padding removed, unit suffixes ("<bytes>") dropped.
void parse_lines(std::string_view text, Header& out) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, eol == std::string_view::npos ? text.npos : eol - pos);
        pos = eol == std::string_view::npos ? text.size() : eol + 1;
        auto eq = line.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        std::string_view key = trim(line.substr(0, eq));
        std::string_view value = line.substr(eq + 1);
        if (!value.empty() && value.front() == '"') {
            value.remove_prefix(1);
            auto q = value.find('"');
            if (q != std::string_view::npos) value = value.substr(0, q);
        } else {
            auto lt = value.find('<');
            if (lt != std::string_view::npos) value = value.substr(0, lt);
        }
        value = trim(value);
        if (key.empty()) continue;
        out.emplace(std::string(key), std::string(value));
    }
}

const std::string* get(const Header& h, std::string_view key) {
    auto it = h.find(key);
    return it == h.end() ? nullptr : &it->second;
}

std::optional<long long> get_int(const Header& h, std::string_view key) {
    const std::string* v = get(h, key);
    return v ? parse_int(*v) : std::nullopt;
}

// "03-JUL-2004 20:53:38.192288" -> Timestamp (UTC).
Timestamp parse_envisat_time(std::string_view text, std::string_view file, std::string_view key) {
    static const std::array<std::string_view, 12> months = {
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    text = trim(text);
    auto bad = [&]() -> Timestamp {
        fail(file, fmt::format("{} is not a date-time: '{}'", key, text));
    };
    // DD-MMM-YYYY HH:MM:SS[.ffffff]
    if (text.size() < 20 || text[2] != '-' || text[6] != '-' || text[11] != ' ' ||
        text[14] != ':' || text[17] != ':')
        return bad();
    auto num = [&](size_t at, size_t len) -> int {
        auto v = parse_int(text.substr(at, len));
        if (!v || text.substr(at, len).find_first_not_of("0123456789") != std::string_view::npos)
            bad();
        return static_cast<int>(*v);
    };
    int day = num(0, 2);
    std::string mon = to_upper(text.substr(3, 3));
    int month = 0;
    for (size_t i = 0; i < months.size(); ++i)
        if (months[i] == mon) month = static_cast<int>(i) + 1;
    if (month == 0) return bad();
    int year = num(7, 4);
    int hour = num(12, 2), minute = num(15, 2), second = num(18, 2);
    int micro = 0;
    if (text.size() > 20) {
        if (text[20] != '.') return bad();
        std::string_view frac = text.substr(21);
        if (frac.empty() || frac.size() > 9 ||
            frac.find_first_not_of("0123456789") != std::string_view::npos)
            return bad();
        for (size_t i = 0; i < 6; ++i) micro = micro * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    }
    try {
        return Timestamp::from_civil(year, month, day, hour, minute, second, micro);
    } catch (const InvalidArgument&) {
        return bad();
    }
}

struct Mission {
    const char* collection;
    const char* platform;
};

Mission mission_of(std::string_view name) {
    if (iends_with(name, ".E1")) return {"ERS", "ERS-1"};
    if (iends_with(name, ".E2")) return {"ERS", "ERS-2"};
    return {"ENVISAT", "ENVISAT"};
}

std::string instrument_of(std::string_view type, bool ers) {
    std::string_view p = type.substr(0, 3);
    if (p == "ASA") return "ASAR";
    if (p == "SAR") return "SAR";
    if (p == "MER") return "MERIS";
    if (p == "ATS") return ers ? "ATSR" : "AATSR";
    if (p == "AT1" || p == "AT2") return "ATSR";
    if (p == "RA2") return "RA-2";
    if (p == "RA_" || p == "ALT") return "RA";
    if (p == "MWR") return "MWR";
    if (p == "GOM") return ers ? "GOME" : "GOMOS";
    if (p == "GO2") return "GOME";
    if (p == "MIP") return "MIPAS";
    if (p == "SCI") return "SCIAMACHY";
    if (p == "DOR") return "DORIS";
    if (p == "WSC" || p == "SCA") return "SCATTEROMETER";
    return std::string(p);
}

double corner(const Header& h, const std::string& key, std::string_view file, double limit) {
    auto v = get_int(h, key);
    if (!v) fail(file, fmt::format("missing or malformed SPH {}", key));
    double deg = static_cast<double>(*v) * 1e-6;
    if (std::fabs(deg) > limit) fail(file, fmt::format("SPH {} out of range: {}", key, deg));
    return deg;
}

}  // namespace

Product parse_envisat_header(std::string_view bytes, std::string_view file_name) {
    if (bytes.size() < kMphSize)
        fail(file_name,
             fmt::format("truncated: {} bytes, the MPH alone is {}", bytes.size(), kMphSize));
    if (bytes.substr(0, 8) != "PRODUCT=")
        fail(file_name, "not an Envisat/ERS product (no MPH PRODUCT= line)");
    Header mph;
    parse_lines(bytes.substr(0, kMphSize), mph);

    auto sph_size = get_int(mph, "SPH_SIZE");
    if (!sph_size || *sph_size <= 0 || static_cast<size_t>(*sph_size) > kMaxSphSize)
        fail(file_name, "missing or invalid MPH SPH_SIZE");
    if (bytes.size() < kMphSize + static_cast<size_t>(*sph_size))
        fail(file_name, fmt::format("truncated: SPH of {} bytes does not fit in {} bytes",
                                    *sph_size, bytes.size()));
    std::string_view sph_text = bytes.substr(kMphSize, static_cast<size_t>(*sph_size));
    // The SPH proper ends where the data set descriptors (DS_NAME=...) begin.
    if (auto dsd = sph_text.find("DS_NAME="); dsd != std::string_view::npos)
        sph_text = sph_text.substr(0, dsd);
    Header sph;
    parse_lines(sph_text, sph);

    Product p;
    const std::string* name = get(mph, "PRODUCT");
    if (!name || name->size() < 10) fail(file_name, "MPH PRODUCT is empty or too short");
    p.name = *name;
    p.id = product_name_key(p.name);
    Mission m = mission_of(p.name);
    bool ers = std::string_view(m.collection) == "ERS";
    p.collection = m.collection;
    p.platform = m.platform;
    p.product_type = p.name.substr(0, 10);
    p.instrument = instrument_of(p.product_type, ers);
    if (std::isdigit(static_cast<unsigned char>(p.product_type[8])))
        p.processing_level = fmt::format("LEVEL{}", p.product_type[8]);
    if (p.instrument == "ASAR" || p.instrument == "SAR") {
        // "ASA_IMS_1P": IM = image mode, AP = alternating polarisation, WS = wide swath...
        std::string mode = p.product_type.substr(4, 2);
        if (mode == "IM" || mode == "AP" || mode == "WS" || mode == "GM" || mode == "WV")
            p.sensor_mode = mode;
    }

    const std::string* start = get(mph, "SENSING_START");
    const std::string* stop = get(mph, "SENSING_STOP");
    if (!start || start->empty()) fail(file_name, "missing MPH SENSING_START");
    p.sensing_start = parse_envisat_time(*start, file_name, "SENSING_START");
    p.sensing_end = stop && !stop->empty() ? parse_envisat_time(*stop, file_name, "SENSING_STOP")
                                           : p.sensing_start;
    if (p.sensing_end < p.sensing_start) fail(file_name, "SENSING_STOP is before SENSING_START");

    if (auto o = get_int(mph, "ABS_ORBIT"); o && *o > 0) p.orbit_number = *o;
    if (auto o = get_int(mph, "REL_ORBIT"); o && *o > 0) p.relative_orbit = *o;
    if (const std::string* pass = get(sph, "PASS"); pass && !pass->empty()) {
        try {
            p.orbit_direction = parse_orbit_direction(*pass);
        } catch (const InvalidArgument&) {
            // Some products write "NONE" or blanks: the direction simply stays unknown.
        }
    }

    // Corner coordinates, walking around the swath: first line near->far, last line far->near.
    static const char* const order[6] = {"FIRST_NEAR", "FIRST_MID", "FIRST_FAR",
                                         "LAST_FAR",   "LAST_MID",  "LAST_NEAR"};
    if (!get(sph, "FIRST_NEAR_LAT"))
        fail(file_name, "SPH has no corner coordinates (FIRST_NEAR_LAT...)");
    Geometry::Ring ring;
    for (const char* c : order) {
        double lat = corner(sph, fmt::format("{}_LAT", c), file_name, 90);
        double lon = corner(sph, fmt::format("{}_LONG", c), file_name, 180);
        ring.push_back({lon, lat});
    }
    ring.push_back(ring.front());
    try {
        p.footprint = normalize_footprint(Geometry(GeometryType::polygon, {{std::move(ring)}}));
    } catch (const InvalidArgument& e) {
        fail(file_name, fmt::format("invalid corner footprint: {}", e.what()));
    }

    for (const char* key : {"MDS1_TX_RX_POLAR", "MDS2_TX_RX_POLAR"}) {
        const std::string* pol = get(sph, key);
        if (!pol) continue;
        std::string compact;
        for (char c : *pol)
            if (c == 'H' || c == 'V' || c == 'h' || c == 'v')
                compact += static_cast<char>(std::toupper(c));
        if (compact.size() == 2 && std::find(p.polarisations.begin(), p.polarisations.end(),
                                             compact) == p.polarisations.end())
            p.polarisations.push_back(compact);
    }

    if (const std::string* sw = get(mph, "SOFTWARE_VER"); sw && !sw->empty())
        p.processing_baseline = *sw;
    if (auto total = get_int(mph, "TOT_SIZE"); total && *total > 0)
        p.size = static_cast<std::uint64_t>(*total);

    nlohmann::json extra = nlohmann::json::object();
    auto put = [&](const Header& h, const char* key, const char* as) {
        if (const std::string* v = get(h, key); v && !v->empty()) extra[as] = *v;
    };
    put(mph, "PROC_STAGE", "envisat:proc_stage");
    put(mph, "PROC_CENTER", "processing:facility");
    put(mph, "PROC_TIME", "envisat:proc_time");
    put(mph, "ACQUISITION_STATION", "envisat:acquisition_station");
    put(mph, "PHASE", "envisat:phase");
    put(mph, "CYCLE", "envisat:cycle");
    put(sph, "SPH_DESCRIPTOR", "envisat:sph_descriptor");
    put(sph, "SWATH", "envisat:swath");
    put(sph, "SAMPLE_TYPE", "envisat:sample_type");
    // Header bytes need not be valid UTF-8: replace bad sequences rather than throw.
    if (!extra.empty())
        p.extra_json = extra.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return p;
}

Product read_envisat(const fs::path& file, const ReadOptions& opt) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        throw NotFoundError(kOrigin, fmt::format("{}: no such file", file.string()));
    auto file_size = fs::file_size(file, ec);
    if (ec)
        throw StorageError(Errc::io, kOrigin, fmt::format("{}: {}", file.string(), ec.message()));
    // Only the headers are needed: read the MPH, then as much of the SPH as it declares.
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw StorageError(Errc::io, kOrigin,
                           fmt::format("{}: cannot open for reading", file.string()));
    std::uint64_t want = std::min<std::uint64_t>(file_size, kMphSize);
    std::string head(static_cast<size_t>(want), '\0');
    in.read(head.data(), static_cast<std::streamsize>(want));
    head.resize(static_cast<size_t>(in.gcount()));
    if (head.size() == kMphSize) {
        Header mph;
        parse_lines(head, mph);
        if (auto sph = get_int(mph, "SPH_SIZE");
            sph && *sph > 0 && static_cast<size_t>(*sph) <= kMaxSphSize) {
            std::uint64_t more =
                std::min<std::uint64_t>(static_cast<std::uint64_t>(*sph), file_size - kMphSize);
            more = std::min<std::uint64_t>(more, opt.max_metadata_bytes);
            std::string rest(static_cast<size_t>(more), '\0');
            in.read(rest.data(), static_cast<std::streamsize>(more));
            rest.resize(static_cast<size_t>(in.gcount()));
            head += rest;
        }
    }
    Product p = parse_envisat_header(head, file.string());
    p.path = file.string();
    if (opt.list_files) {
        ProductFile f;
        f.path = file.filename().string();
        f.size = file_size;
        f.media_type = "application/octet-stream";
        f.role = "data";
        p.files.push_back(std::move(f));
    }
    return p;
}

}  // namespace creodias::detail
