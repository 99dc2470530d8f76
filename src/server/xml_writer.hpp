#pragma once
// Private: a small streaming XML writer with escaping, for the OGC documents.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace creodias::detail {

class XmlWriter {
public:
    using Attrs = std::vector<std::pair<std::string_view, std::string>>;

    XmlWriter() { out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"; }
    void open(std::string_view name, const Attrs& attrs = {}) {
        indent();
        out_ += '<';
        out_ += name;
        attributes(attrs);
        out_ += ">\n";
        stack_.emplace_back(name);
    }
    void close() {
        std::string name = std::move(stack_.back());
        stack_.pop_back();
        indent();
        out_ += "</" + name + ">\n";
    }
    void leaf(std::string_view name, std::string_view text, const Attrs& attrs = {}) {
        indent();
        out_ += '<';
        out_ += name;
        attributes(attrs);
        out_ += '>';
        escape(text);
        out_ += "</";
        out_ += name;
        out_ += ">\n";
    }
    void empty(std::string_view name, const Attrs& attrs = {}) {
        indent();
        out_ += '<';
        out_ += name;
        attributes(attrs);
        out_ += "/>\n";
    }
    std::string str() {
        while (!stack_.empty()) close();
        return std::move(out_);
    }
    static std::string escaped(std::string_view s) {
        XmlWriter w;
        w.out_.clear();
        w.escape(s);
        return w.out_;
    }

private:
    void indent() { out_.append(stack_.size() * 2, ' '); }
    void attributes(const Attrs& attrs) {
        for (const auto& [k, v] : attrs) {
            out_ += ' ';
            out_ += k;
            out_ += "=\"";
            escape(v);
            out_ += '"';
        }
    }
    void escape(std::string_view s) {
        for (char c : s) {
            switch (c) {
                case '&': out_ += "&amp;"; break;
                case '<': out_ += "&lt;"; break;
                case '>': out_ += "&gt;"; break;
                case '"': out_ += "&quot;"; break;
                case '\'': out_ += "&apos;"; break;
                default:
                    // Control characters are not allowed in XML 1.0.
                    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') out_ += ' ';
                    else out_ += c;
            }
        }
    }
    std::string out_;
    std::vector<std::string> stack_;
};

}  // namespace creodias::detail
