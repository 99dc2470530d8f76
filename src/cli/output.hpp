#pragma once
// Private: terminal output helpers (tables, progress bars).

#include <creodias/product.hpp>
#include <creodias/transfer.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace creodias::cli {

/// Prints rows as an aligned table with a header line; cells longer than `max_width`
/// characters are shortened with "…".
void print_table(std::FILE* out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows, size_t max_width = 72);

/// Table rows for products: NAME, COLLECTION, TYPE, SENSING START, CLOUD, TILE/ORBIT.
void print_products(std::FILE* out, const std::vector<Product>& products);

/// A one-line progress bar redrawn in place on stderr (only when stderr is a terminal).
class ProgressBar {
public:
    explicit ProgressBar(std::string label);
    ~ProgressBar();
    /// total == 0 means unknown (a spinner-like counter is shown).
    void update(std::uint64_t done, std::uint64_t total, const std::string& extra = {});
    void finish();

private:
    std::string label_;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_;
};

/// "1.5 GiB", "512 KiB", "17 B".
std::string human_bytes(double bytes);

/// A transfer progress line on stderr (only when stderr is a terminal):
/// "label [#####.....] 412 MiB/1.0 GiB  3/65 files  205 MiB/s  ETA 3s".
class TransferBar {
public:
    explicit TransferBar(std::string label);
    ~TransferBar();
    void update(const TransferProgress& p);
    void finish();

private:
    std::string label_;
    bool enabled_;
    bool drawn_ = false;
};

}  // namespace creodias::cli
