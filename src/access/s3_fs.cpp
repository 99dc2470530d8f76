// The S3 backend: "bucket/key" paths over an S3Client; GDAL reaches the same objects through
// /vsis3/ with options set for the bucket's prefix only.

#include <creodias/error.hpp>
#include <creodias/s3.hpp>
#include <creodias/vfs.hpp>

#include <cpl_vsi.h>
#include <fmt/format.h>

#include <atomic>
#include <mutex>

namespace creodias {

namespace {

std::pair<std::string, std::string> split_path(std::string_view path) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    const auto slash = path.find('/');
    std::string bucket(path.substr(0, slash));
    std::string key = slash == std::string_view::npos ? std::string() : std::string(path.substr(slash + 1));
    if (bucket.empty()) throw InvalidArgument("s3", fmt::format("'{}' has no bucket (BUCKET/KEY)", std::string(path)));
    return {bucket, key};
}

void check_key(std::string_view path, const std::string& key) {
    if (key.empty()) throw InvalidArgument("s3", fmt::format("'s3://{}' names no object", std::string(path)));
}

class S3FileSystem final : public FileSystem {
public:
    explicit S3FileSystem(const S3Options& o) : client_(o) {}

    std::string scheme() const override { return "s3"; }

    ObjectInfo stat(std::string_view path) const override {
        auto [bucket, key] = split_path(path);
        check_key(path, key);
        return client_.head(bucket, key);
    }

    std::vector<ObjectInfo> list(std::string_view prefix) const override {
        auto [bucket, key] = split_path(prefix);
        auto objects = client_.list_all(bucket, key);
        for (auto& o : objects) o.key = bucket + "/" + o.key;
        return objects;
    }

    void read(std::string_view path, const std::optional<ByteRange>& range, const ByteSink& sink,
              const CancelToken& cancel) const override {
        auto [bucket, key] = split_path(path);
        check_key(path, key);
        client_.get(bucket, key, range, sink, cancel);
    }

    void write(std::string_view path, std::string_view data) override {
        auto [bucket, key] = split_path(path);
        check_key(path, key);
        client_.put(bucket, key, data);
    }

    void remove(std::string_view path) override {
        auto [bucket, key] = split_path(path);
        check_key(path, key);
        client_.remove(bucket, key);
    }

    // Asked only for objects whose ETag says "multipart": a server that does not answer
    // for one will not for the others, so it is asked once.
    std::optional<std::uint64_t> multipart_part_size(std::string_view path) const override {
        auto [bucket, key] = split_path(path);
        if (key.empty() || parts_unknown_.load()) return std::nullopt;
        auto size = client_.first_part_size(bucket, key);
        if (!size) parts_unknown_ = true;
        return size;
    }

    std::string gdal_path(std::string_view path) const override {
        auto [bucket, key] = split_path(path);
        const std::string prefix = "/vsis3/" + bucket + "/";
        const S3Options& o = client_.options();
        const auto sep = o.endpoint.find("://");
        std::string host = o.endpoint.substr(sep + 3);
        while (!host.empty() && host.back() == '/') host.pop_back();
        const char* p = prefix.c_str();
        VSIClearPathSpecificOptions(p);
        VSISetPathSpecificOption(p, "AWS_S3_ENDPOINT", host.c_str());
        VSISetPathSpecificOption(p, "AWS_HTTPS", o.endpoint.rfind("https", 0) == 0 ? "YES" : "NO");
        VSISetPathSpecificOption(p, "AWS_VIRTUAL_HOSTING", o.path_style ? "FALSE" : "TRUE");
        VSISetPathSpecificOption(p, "AWS_REGION", o.region.c_str());
        if (o.credentials.anonymous()) {
            VSISetPathSpecificOption(p, "AWS_NO_SIGN_REQUEST", "YES");
        } else {
            VSISetPathSpecificOption(p, "AWS_NO_SIGN_REQUEST", "NO");
            VSISetPathSpecificOption(p, "AWS_ACCESS_KEY_ID", o.credentials.access_key_id.c_str());
            VSISetPathSpecificOption(p, "AWS_SECRET_ACCESS_KEY", o.credentials.secret_access_key.c_str());
            if (!o.credentials.session_token.empty())
                VSISetPathSpecificOption(p, "AWS_SESSION_TOKEN", o.credentials.session_token.c_str());
        }
        return prefix + key;
    }

private:
    S3Client client_;
    mutable std::atomic<bool> parts_unknown_{false};
};

}  // namespace

std::shared_ptr<FileSystem> make_s3_filesystem(const S3Options& options) {
    return std::make_shared<S3FileSystem>(options);
}

}  // namespace creodias
