// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The templates of a channel's subject and body (failover(n), "NOTIFICATIONS"): text
// with ${field} replaced by a Message's field. A template is parsed once, when the policy
// declares the channel, so that an unknown field is the policy's error at load time and
// never a message that cannot be rendered at 3 a.m.
//
// Fields (what the rules and the center put in a Message's Fields):
//   record      the record's name
//   state       its state now; previous: the state before
//   since       when it entered `state` (ISO 8601 UTC, base/time isoTime)
//   duration    how long it was in `previous` ("2m5s", base/time formatAge)
//   note, origin, attributes ("k=v k=v")
//   host        failsh's host name; location: the part after '@' of CHECK@LOCATION
//   link        the status page's URL + "#" + record, when configured; else ""
//   channel, kind (kindName), key (the message's key), time (when it was made, ISO)
//   count, records   a digest: how many were held back, and their names (at most 50,
//               then "and N more")
//   subject, body    the message's subject and body as the channel's subject and body
//               templates rendered them (fail::notify send: the policy's own): for the
//               webhook's JSON template, which is rendered last
// `subject` and `body` are an addition to the contract of session 26: without them a
// webhook could not carry what fail::notify send was given.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notify/message.hh"

namespace fail::notify {

// The fields a template may name, sorted.
const std::vector<std::string>& fieldNames();

class Template {
 public:
  // Json: each field's text escaped for the inside of a JSON string (control characters
  // as \n, \t or \u00XX; invalid UTF-8 bytes replaced by U+FFFD); the template's own
  // text is copied as it is (it is the JSON around the fields).
  enum class Escape { None, Json };

  // "${field}" is replaced; "$$" is a dollar; anything else after '$' is an error, as is
  // text that is not UTF-8. nullopt with *err (when given) naming what and where:
  // "unknown field ${sevrity} at offset 12 (known: attributes, body, ...)".
  static std::optional<Template> parse(std::string_view text, std::string* err);

  // A field missing from `f` is rendered as "".
  std::string render(const Fields& f, Escape e = Escape::None) const;
  const std::string& text() const { return text_; }
  // The fields it names, in order of appearance (repeats included).
  std::vector<std::string> fields() const;

 private:
  struct Piece {
    std::string literal;  // copied as it is
    std::string field;    // then this field, when not empty
  };
  Template() = default;
  std::string text_;
  std::vector<Piece> pieces_;
};

// `text` escaped for the inside of a JSON string (through lib/state/json's one encoding).
std::string jsonEscape(std::string_view text);

// The templates a channel uses when the policy gives none: a subject and a body per
// kind (mail, exec, syslog) and the webhook's JSON body (every field, one object).
// The kind argument is an addition to the contract (which had none): an Alert's words
// do not fit a Digest.
const Template& defaultSubject(Kind k = Kind::Alert);
const Template& defaultBody(Kind k = Kind::Alert);
const Template& defaultJson();

}  // namespace fail::notify
