#include "cli/output.hpp"

#include "cli/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace creodias::cli {

bool stdout_is_tty() { return ::isatty(::fileno(stdout)) == 1; }
bool stderr_is_tty() { return ::isatty(::fileno(stderr)) == 1; }

namespace {
// Display width of UTF-8 text (counts code points; good enough for our ASCII-heavy cells).
size_t width(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xc0) != 0x80) ++n;
    return n;
}
std::string shorten(const std::string& s, size_t max) {
    if (width(s) <= max || max < 2) return s;
    return s.substr(0, max - 1) + "\u2026";
}
}  // namespace

void print_table(std::FILE* out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows, size_t max_width) {
    std::vector<size_t> w(header.size(), 0);
    for (size_t c = 0; c < header.size(); ++c) w[c] = width(header[c]);
    for (const auto& r : rows)
        for (size_t c = 0; c < r.size() && c < w.size(); ++c) w[c] = std::max(w[c], std::min(width(r[c]), max_width));
    auto line = [&](const std::vector<std::string>& cells) {
        std::string s;
        for (size_t c = 0; c < w.size(); ++c) {
            std::string cell = c < cells.size() ? shorten(cells[c], max_width) : "";
            s += cell;
            if (c + 1 < w.size()) s += std::string(w[c] - width(cell) + 2, ' ');
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        fmt::print(out, "{}\n", s);
    };
    line(header);
    std::vector<std::string> rule;
    for (auto x : w) rule.push_back(std::string(x, '-'));
    line(rule);
    for (const auto& r : rows) line(r);
}

void print_products(std::FILE* out, const std::vector<Product>& products) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : products) {
        std::string where = p.tile_id;
        if (where.empty() && p.relative_orbit) where = fmt::format("R{}", *p.relative_orbit);
        if (where.empty() && p.orbit_number) where = fmt::format("orbit {}", *p.orbit_number);
        rows.push_back({p.name, p.collection, p.product_type, format_datetime(p.sensing_start),
                        p.cloud_cover ? fmt::format("{:.1f}", *p.cloud_cover) : "-", where});
    }
    print_table(out, {"NAME", "COLLECTION", "TYPE", "SENSING START (UTC)", "CLOUD %", "TILE/ORBIT"}, rows);
}

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), enabled_(stderr_is_tty()), start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::uint64_t done, std::uint64_t total, const std::string& extra) {
    if (!enabled_) return;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    std::string bar;
    if (total > 0) {
        const int width = 30;
        int filled = static_cast<int>(static_cast<double>(width) * static_cast<double>(std::min(done, total)) /
                                      static_cast<double>(total));
        bar = "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), '.') +
              "] " + fmt::format("{}/{}", done, total);
        if (rate > 0 && done < total) bar += fmt::format("  ETA {:.0f}s", static_cast<double>(total - done) / rate);
    } else {
        bar = fmt::format("{}", done);
    }
    fmt::print(stderr, "\r\033[K{} {}  {:.0f}/s{}", label_, bar, rate, extra.empty() ? "" : "  " + extra);
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressBar::finish() {
    if (enabled_ && drawn_) {
        fmt::print(stderr, "\r\033[K");
        std::fflush(stderr);
        drawn_ = false;
    }
}

std::string human_bytes(double b) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        ++u;
    }
    return u == 0 ? fmt::format("{:.0f} B", b) : fmt::format("{:.{}f} {}", b, b < 10 ? 2 : b < 100 ? 1 : 0, units[u]);
}

TransferBar::TransferBar(std::string label) : label_(std::move(label)), enabled_(stderr_is_tty()) {}
TransferBar::~TransferBar() { finish(); }

void TransferBar::update(const TransferProgress& p) {
    if (!enabled_) return;
    const int width = 24;
    const double frac = p.bytes_total ? std::min(1.0, static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total)) : 0;
    const int filled = static_cast<int>(frac * width);
    std::string line = fmt::format("{} [{}{}] {}/{}  {}/{} files  {}/s", label_, std::string(static_cast<size_t>(filled), '#'),
                                   std::string(static_cast<size_t>(width - filled), '.'), human_bytes(static_cast<double>(p.bytes_done)),
                                   human_bytes(static_cast<double>(p.bytes_total)), p.files_done, p.files_total,
                                   human_bytes(p.rate));
    if (p.eta_seconds >= 0) line += fmt::format("  ETA {:.0f}s", p.eta_seconds);
    fmt::print(stderr, "\r\033[K{}", line);
    std::fflush(stderr);
    drawn_ = true;
}

void TransferBar::finish() {
    if (enabled_ && drawn_) {
        fmt::print(stderr, "\r\033[K");
        std::fflush(stderr);
        drawn_ = false;
    }
}

}  // namespace creodias::cli
