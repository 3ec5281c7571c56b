#pragma once
// A small XML well-formedness check for the SVG the figures write (the part
// of XML 1.0 that SVG documents use): an optional declaration, comments,
// elements that nest and close in order, attributes quoted and not repeated,
// character data and references (&amp; &lt; &gt; &quot; &apos; &#N; &#xN;),
// and one root element. Plus the two rules an SVG inlined in a page must
// keep: ids are unique, and every internal reference (href="#x", url(#x))
// names one of them.
#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace advgrad::testing {

// "" when `xml` is well-formed, else the first problem and its byte offset.
inline std::string xml_problem(std::string_view xml) {
  std::size_t i = 0;
  auto at = [&](const std::string& what) { return what + " at byte " + std::to_string(i); };
  auto name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '_' || c == '-' || c == '.' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  auto skip_space = [&] {
    while (i < xml.size() && std::isspace(static_cast<unsigned char>(xml[i]))) ++i;
  };
  auto read_name = [&] {
    const std::size_t start = i;
    while (i < xml.size() && name_char(xml[i])) ++i;
    return std::string(xml.substr(start, i - start));
  };
  // A reference starting at '&': one of the five entities or a character reference.
  auto reference_ok = [&](std::size_t p) {
    const std::size_t end = xml.find(';', p);
    if (end == std::string_view::npos || end - p > 10) return false;
    const std::string_view r = xml.substr(p + 1, end - p - 1);
    if (r == "amp" || r == "lt" || r == "gt" || r == "quot" || r == "apos") return true;
    if (r.size() >= 2 && r[0] == '#') {
      const bool hex = r[1] == 'x';
      const std::string_view digits = r.substr(hex ? 2 : 1);
      if (digits.empty()) return false;
      for (char c : digits)
        if (!(hex ? std::isxdigit(static_cast<unsigned char>(c)) : std::isdigit(static_cast<unsigned char>(c))))
          return false;
      return true;
    }
    return false;
  };
  if (xml.starts_with("<?xml")) {
    i = xml.find("?>");
    if (i == std::string_view::npos) return "unterminated XML declaration";
    i += 2;
  }
  std::vector<std::string> open;
  int roots = 0;
  while (i < xml.size()) {
    if (xml[i] != '<') {  // character data
      if (xml[i] == '&' && !reference_ok(i)) return at("bad reference");
      if (open.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) return at("text outside the root");
      ++i;
      continue;
    }
    if (xml.substr(i).starts_with("<!--")) {
      const std::size_t end = xml.find("-->", i + 4);
      if (end == std::string_view::npos) return at("unterminated comment");
      i = end + 3;
      continue;
    }
    if (xml.substr(i).starts_with("</")) {
      i += 2;
      const std::string name = read_name();
      skip_space();
      if (i >= xml.size() || xml[i] != '>') return at("bad end tag </" + name);
      if (open.empty() || open.back() != name)
        return at("</" + name + "> closes <" + (open.empty() ? std::string("nothing") : open.back()) + ">");
      open.pop_back();
      ++i;
      continue;
    }
    ++i;  // a start tag
    const std::string name = read_name();
    if (name.empty()) return at("'<' without an element name");
    if (open.empty() && ++roots > 1) return at("a second root element <" + name + ">");
    std::set<std::string> attributes;
    for (;;) {
      const std::size_t before = i;
      skip_space();
      if (i >= xml.size()) return at("unterminated start tag <" + name);
      if (xml[i] == '>' || xml.substr(i).starts_with("/>")) break;
      if (i == before) return at("no space before an attribute of <" + name + ">");
      const std::string attribute = read_name();
      if (attribute.empty()) return at("bad attribute in <" + name + ">");
      if (!attributes.insert(attribute).second) return at("attribute " + attribute + " repeated in <" + name + ">");
      skip_space();
      if (i >= xml.size() || xml[i] != '=') return at("attribute " + attribute + " without '='");
      ++i;
      skip_space();
      if (i >= xml.size() || (xml[i] != '"' && xml[i] != '\'')) return at("attribute " + attribute + " not quoted");
      const char quote = xml[i++];
      for (; i < xml.size() && xml[i] != quote; ++i) {
        if (xml[i] == '<') return at("'<' in attribute " + attribute);
        if (xml[i] == '&' && !reference_ok(i)) return at("bad reference in attribute " + attribute);
      }
      if (i >= xml.size()) return at("unterminated attribute " + attribute);
      ++i;
    }
    if (xml[i] == '>') {
      open.push_back(name);
      ++i;
    } else {
      i += 2;  // "/>": empty element
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + "> at the end";
  if (roots != 1) return "no root element";
  return "";
}

// Every value of attribute-like `key="..."` or `url(#...)` occurrences.
inline std::vector<std::string> values_after(std::string_view text, std::string_view key, char end) {
  std::vector<std::string> out;
  for (std::size_t p = text.find(key); p != std::string_view::npos; p = text.find(key, p + 1)) {
    const std::size_t start = p + key.size(), stop = text.find(end, start);
    if (stop == std::string_view::npos) break;
    out.emplace_back(text.substr(start, stop - start));
  }
  return out;
}

// "" when every id in `text` is unique and every href="#x" and url(#x) names
// one of them; else the first duplicate or dangling reference.
inline std::string id_problem(std::string_view text) {
  std::set<std::string> ids;
  for (std::size_t p = text.find("id=\""); p != std::string_view::npos; p = text.find("id=\"", p + 1)) {
    if (p == 0 || !std::isspace(static_cast<unsigned char>(text[p - 1]))) continue;
    const std::size_t stop = text.find('"', p + 4);
    const std::string id(text.substr(p + 4, stop - p - 4));
    if (!ids.insert(id).second) return "id '" + id + "' defined twice";
  }
  for (const auto* key : {"href=\"#", "url(#"})
    for (const std::string& ref : values_after(text, key, key[0] == 'h' ? '"' : ')'))
      if (!ids.contains(ref)) return "reference to '#" + ref + "', which no element has as its id";
  return "";
}

}  // namespace advgrad::testing
