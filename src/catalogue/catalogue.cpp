// Catalogue: the facade over a CatalogueStore, with the parallel indexer.
//
// Indexing pipeline: one walker thread discovers products (directories are not descended
// into once recognised as a product), N parser threads read metadata, and the calling
// thread writes batches (products + their source records in one transaction). A kill -9
// loses at most the batch in flight; sources are recorded with their products, so a re-run
// skips exactly what was committed.

#include <creodias/catalogue.hpp>
#include <creodias/error.hpp>

#include "core/strings.hpp"
#include "readers/readers_internal.hpp"
#include "readers/source.hpp"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

namespace fs = std::filesystem;

namespace creodias {

namespace {

struct Job {
    fs::path path;
    bool json = false;  // a catalogue document rather than a product
    std::int64_t mtime_ns = 0;
    std::uint64_t size = 0;
};

struct Result {
    Job job;
    std::vector<Product> products;
    std::string error;
};

template <class T>
class Channel {
public:
    explicit Channel(size_t capacity) : cap_(capacity) {}
    // Returns false when closed.
    bool push(T v) {
        std::unique_lock lk(mu_);
        not_full_.wait(lk, [&] { return q_.size() < cap_ || closed_; });
        if (closed_) return false;
        q_.push_back(std::move(v));
        not_empty_.notify_one();
        return true;
    }
    std::optional<T> pop() {
        std::unique_lock lk(mu_);
        not_empty_.wait(lk, [&] { return !q_.empty() || closed_; });
        if (q_.empty()) return std::nullopt;
        T v = std::move(q_.front());
        q_.pop_front();
        not_full_.notify_one();
        return v;
    }
    std::optional<T> pop_for(std::chrono::milliseconds d) {
        std::unique_lock lk(mu_);
        if (!not_empty_.wait_for(lk, d, [&] { return !q_.empty() || closed_; })) return std::nullopt;
        if (q_.empty()) return std::nullopt;
        T v = std::move(q_.front());
        q_.pop_front();
        not_full_.notify_one();
        return v;
    }
    bool drained() {
        std::lock_guard lk(mu_);
        return closed_ && q_.empty();
    }
    void close() {
        std::lock_guard lk(mu_);
        closed_ = true;
        not_empty_.notify_all();
        not_full_.notify_all();
    }

private:
    std::mutex mu_;
    std::condition_variable not_empty_, not_full_;
    std::deque<T> q_;
    size_t cap_;
    bool closed_ = false;
};

std::int64_t mtime_ns(const fs::path& p) {
    std::error_code ec;
    auto t = fs::last_write_time(p, ec);
    if (ec) return 0;
    return static_cast<std::int64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

// True for a JSON file that looks like a catalogue document (STAC Item/ItemCollection,
// GeoJSON FeatureCollection, OData response); other JSON (tileInfo.json...) is ignored.
bool looks_like_catalogue_json(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    char buf[4096];
    in.read(buf, sizeof buf);
    std::string_view head(buf, static_cast<size_t>(in.gcount()));
    return head.find("\"Feature") != std::string_view::npos || head.find("\"stac_version\"") != std::string_view::npos ||
           head.find("\"@odata.context\"") != std::string_view::npos;
}

bool has_landsat_mtl(const fs::path& dir) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (detail::ends_with(it->path().filename().string(), "_MTL.txt") ||
            detail::ends_with(it->path().filename().string(), "_MTL.xml") ||
            detail::ends_with(it->path().filename().string(), "_MTL.json"))
            return true;
    return false;
}

// A Landsat product often ships its MTL as .txt, .xml and .json: index one form only.
bool redundant_mtl(const fs::path& file) {
    const std::string name = file.filename().string();
    std::error_code ec;
    auto sibling = [&](const char* suffix) {
        return fs::exists(file.parent_path() / (name.substr(0, name.size() - 8) + suffix), ec);
    };
    if (detail::ends_with(name, "_MTL.xml")) return sibling("_MTL.txt");
    if (detail::ends_with(name, "_MTL.json")) return sibling("_MTL.txt") || sibling("_MTL.xml");
    return false;
}

Job make_job(const fs::path& p, bool json) {
    Job j;
    std::error_code ec;
    j.path = fs::absolute(p, ec).lexically_normal();
    j.json = json;
    j.mtime_ns = mtime_ns(p);
    if (fs::is_regular_file(p, ec)) j.size = fs::file_size(p, ec);
    if (fs::is_directory(p, ec)) {
        // Directory products change through their metadata files: fold their mtimes in.
        for (const char* f : {"MTD_MSIL1C.xml", "MTD_MSIL2A.xml", "manifest.safe", "xfdumanifest.xml"})
            if (fs::exists(p / f, ec)) j.mtime_ns ^= mtime_ns(p / f), j.size += fs::file_size(p / f, ec);
    }
    return j;
}

void walk(const fs::path& root, Channel<Job>& jobs, std::atomic<std::uint64_t>& found,
          std::vector<IndexFailure>& walk_errors, const std::atomic<bool>* cancel) {
    std::error_code ec;
    if (!fs::exists(root, ec)) {
        walk_errors.push_back({root.string(), "no such file or directory"});
        return;
    }
    auto consider = [&](const fs::path& p, bool is_dir) -> bool {  // true = product found
        if (is_dir) {
            if (detect_product(p) != ProductFormat::unknown) {
                jobs.push(make_job(p, false));
                ++found;
                return true;
            }
            return false;
        }
        const std::string name = p.filename().string();
        if (detail::iends_with(name, ".json")) {
            if (has_landsat_mtl(p.parent_path())) return false;  // USGS sidecar of an MTL
            if (looks_like_catalogue_json(p)) {
                jobs.push(make_job(p, true));
                ++found;
                return true;
            }
            return false;
        }
        if (detect_product(p) != ProductFormat::unknown && !redundant_mtl(p)) {
            jobs.push(make_job(p, false));
            ++found;
            return true;
        }
        return false;
    };
    if (!fs::is_directory(root, ec)) {
        if (!consider(root, false))
            walk_errors.push_back({root.string(), "not a recognised product or catalogue document"});
        return;
    }
    if (consider(root, true)) return;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
        walk_errors.push_back({root.string(), ec.message()});
        return;
    }
    for (; it != end; it.increment(ec)) {
        if (ec) {
            walk_errors.push_back({root.string(), ec.message()});
            ec.clear();
            break;
        }
        if (cancel && cancel->load()) return;
        bool is_dir = it->is_directory(ec);
        if (consider(it->path(), is_dir) && is_dir) it.disable_recursion_pending();
    }
}

}  // namespace

struct Catalogue::Impl {
    fs::path path;
    std::unique_ptr<CatalogueStore> store;
};

fs::path Catalogue::default_path() {
    if (const char* db = std::getenv("CREODIAS_DB"); db && *db) return db;
    fs::path base;
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) base = x;
    else if (const char* h = std::getenv("HOME"); h && *h) base = fs::path(h) / ".local" / "share";
    else base = fs::temp_directory_path();
    return base / "creodias" / "catalogue.db";
}

Catalogue::Catalogue(const fs::path& path, const CatalogueOptions& options) : impl_(std::make_unique<Impl>()) {
    impl_->path = path.empty() ? default_path() : path;
    impl_->store = open_sqlite_store(impl_->path, options.store);
}

Catalogue::~Catalogue() = default;
Catalogue::Catalogue(Catalogue&&) noexcept = default;
Catalogue& Catalogue::operator=(Catalogue&&) noexcept = default;

const fs::path& Catalogue::path() const noexcept { return impl_->path; }
CatalogueStore& Catalogue::store() { return *impl_->store; }

UpsertResult Catalogue::upsert(const std::vector<Product>& products) { return impl_->store->upsert(products); }

UpsertResult Catalogue::import_json(std::string_view json) {
    return impl_->store->upsert(read_feature_collection(json));
}

Page Catalogue::search(const Query& q) const { return impl_->store->search(q); }
Count Catalogue::count(const Query& q) const { return impl_->store->count(q); }
std::optional<Product> Catalogue::get(std::string_view k) const { return impl_->store->get(k); }
std::size_t Catalogue::erase(const std::vector<std::string>& k) { return impl_->store->erase(k); }
StoreStats Catalogue::stats() const { return impl_->store->stats(); }

IndexReport Catalogue::index(const std::vector<fs::path>& paths, const IndexOptions& options) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    IndexReport report;
    unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    Channel<Job> jobs(4096);
    Channel<Result> results(1024);
    std::atomic<std::uint64_t> found{0};
    std::atomic<bool> walking{true};
    std::vector<IndexFailure> walk_errors;
    CatalogueStore& store = *impl_->store;

    std::thread walker([&] {
        for (const auto& p : paths) {
            if (options.cancel && options.cancel->load()) break;
            walk(p, jobs, found, walk_errors, options.cancel);
        }
        walking = false;
        jobs.close();
    });

    // Parsers. The skip-unchanged check reads the store, which is serialised by its mutex.
    std::atomic<unsigned> live{threads};
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            while (auto job = jobs.pop()) {
                Result r{std::move(*job), {}, {}};
                try {
                    if (options.cancel && options.cancel->load()) {
                        r.error = "cancelled";
                    } else if (options.skip_unchanged) {
                        auto st = store.source_state(r.job.path.string());
                        if (st && st->first == r.job.mtime_ns && st->second == r.job.size) {
                            results.push(std::move(r));  // unchanged: no products, no error
                            continue;
                        }
                    }
                    if (r.error.empty()) {
                        if (r.job.json) {
                            auto text = detail::read_file_capped(r.job.path, options.read.max_metadata_bytes);
                            r.products = read_feature_collection(text);
                            // A lone STAC item with its assets beside it is a local product.
                            if (r.products.size() == 1 && r.products[0].path.empty() &&
                                text.find("\"stac_version\"") != std::string::npos)
                                detail::adopt_local_assets(r.products[0], r.job.path);
                        } else {
                            r.products.push_back(read_product(r.job.path, options.read));
                        }
                    }
                } catch (const std::exception& e) {
                    r.error = e.what();
                }
                results.push(std::move(r));
            }
            if (--live == 0) results.close();
        });
    }

    std::vector<Product> batch;
    std::vector<SourceRecord> sources;
    std::uint64_t done = 0;
    auto last_progress = clock::now();
    auto flush = [&] {
        if (batch.empty() && sources.empty()) return;
        try {
            auto r = store.upsert(batch, sources);
            report.inserted += r.inserted;
            report.updated += r.updated;
        } catch (const InvalidArgument&) {
            // One bad product must not sink the batch: retry one source at a time.
            for (size_t i = 0; i < batch.size(); ++i) {
                try {
                    auto r = store.upsert({batch[i]});
                    report.inserted += r.inserted;
                    report.updated += r.updated;
                } catch (const InvalidArgument& e) {
                    report.failures.push_back({batch[i].path, e.what()});
                }
            }
            store.upsert({}, sources);
        }
        batch.clear();
        sources.clear();
    };
    auto report_progress = [&](bool final) {
        if (!options.progress) return;
        auto now = clock::now();
        if (!final && now - last_progress < std::chrono::milliseconds(100)) return;
        last_progress = now;
        IndexProgress p;
        p.found = found.load();
        p.done = done;
        p.failed = report.failures.size();
        p.walking = walking.load();
        options.progress(p);
    };

    try {
        while (true) {
            auto r = results.pop_for(std::chrono::milliseconds(100));
            if (!r) {
                if (results.drained()) break;
                report_progress(false);
                continue;
            }
            ++done;
            if (!r->error.empty()) {
                if (r->error != "cancelled") report.failures.push_back({r->job.path.string(), r->error});
            } else if (r->products.empty()) {
                ++report.unchanged;
            } else {
                for (auto& p : r->products) {
                    if (!r->job.json && p.path.empty()) p.path = r->job.path.string();
                    batch.push_back(std::move(p));
                }
                sources.push_back({r->job.path.string(), r->job.mtime_ns, r->job.size,
                                   r->job.json ? std::string() : batch.back().name_key()});
                if (batch.size() >= options.batch_size) flush();
            }
            report_progress(false);
        }
        flush();
    } catch (...) {
        jobs.close();
        results.close();
        walker.join();
        for (auto& w : workers) w.join();
        throw;
    }
    walker.join();
    for (auto& w : workers) w.join();
    for (auto& e : walk_errors) report.failures.push_back(std::move(e));
    report.indexed = report.inserted + report.updated;
    report.seconds = std::chrono::duration<double>(clock::now() - t0).count();
    report_progress(true);
    return report;
}

}  // namespace creodias
