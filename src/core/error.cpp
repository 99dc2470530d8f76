#include <creodias/error.hpp>
#include <creodias/version.hpp>

namespace creodias {

std::string_view to_string(Errc code) noexcept {
    switch (code) {
        case Errc::invalid_argument: return "invalid_argument";
        case Errc::not_found: return "not_found";
        case Errc::already_exists: return "already_exists";
        case Errc::unauthenticated: return "unauthenticated";
        case Errc::permission_denied: return "permission_denied";
        case Errc::network: return "network";
        case Errc::timeout: return "timeout";
        case Errc::remote: return "remote";
        case Errc::database: return "database";
        case Errc::io: return "io";
        case Errc::unsupported: return "unsupported";
        case Errc::cancelled: return "cancelled";
        case Errc::internal: return "internal";
        case Errc::busy: return "busy";
    }
    return "unknown";
}

namespace {
class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "creodias"; }
    std::string message(int ev) const override {
        return std::string(to_string(static_cast<Errc>(ev)));
    }
};
}  // namespace

const std::error_category& error_category() noexcept {
    static const Category category;
    return category;
}

Error::Error(Errc code, std::string origin, const std::string& message)
    : std::runtime_error(message), code_(code), origin_(std::move(origin)) {}

Error::~Error() = default;

const char* version() noexcept { return CREODIAS_VERSION_STRING; }

}  // namespace creodias
