// verify_class: the class-level Java Card subset checks, then each method's code (method_verifier.hpp).
#include "card/javacard/classfile/verifier.hpp"

#include <fmt/format.h>

#include "card/javacard/classfile/java_card_subset.hpp"
#include "card/javacard/classfile/method_verifier.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

void check_class_declaration(const ClassFile& cls, std::vector<Finding>& findings) {
  const auto report = [&](std::string message) {
    findings.push_back(Finding{cls.name, {}, -1, {}, std::move(message)});
  };
  if ((cls.access & access::kEnum) != 0 || cls.super_name == "java/lang/Enum") {
    report("enums are not part of Java Card");
  } else if (std::string reason = refused_class_reason(cls.super_name); !reason.empty()) {
    report(fmt::format("superclass {}: {}", cls.super_name, reason));
  }
  for (const std::string& interface_name : cls.interfaces) {
    if (std::string reason = refused_class_reason(interface_name); !reason.empty()) {
      report(fmt::format("interface {}: {}", interface_name, reason));
    }
  }
  for (const Field& field : cls.fields) {
    if (std::string reason = refused_descriptor_reason(field.descriptor); !reason.empty()) {
      report(fmt::format("field {} ({}): {}", field.name, field.descriptor, reason));
    }
  }
}

void check_method_declaration(const ClassFile& cls, const Method& method, const VerifyOptions& options,
                              std::vector<Finding>& findings) {
  const auto report = [&](std::string message) {
    findings.push_back(Finding{cls.name, method.name + method.descriptor, -1, {}, std::move(message)});
  };
  if ((method.access & access::kSynchronized) != 0) {
    report("synchronized methods are not part of Java Card (a card runs one thread)");
  }
  if ((method.access & access::kNative) != 0 && !options.allow_native) {
    report("native methods are not allowed in applet code (only the card's own classes have them)");
  }
  if (std::string reason = refused_descriptor_reason(method.descriptor); !reason.empty()) report(std::move(reason));
}

}  // namespace

std::string Finding::to_string() const {
  std::string text = class_name;
  if (!method.empty()) text += "." + method;
  if (pc >= 0) text += fmt::format(" pc {} ({})", pc, instruction);
  return text + ": " + message;
}

std::vector<Finding> verify_class(const ClassFile& cls, const VerifyOptions& options) {
  std::vector<Finding> findings;
  check_class_declaration(cls, findings);
  for (const Method& method : cls.methods) {
    check_method_declaration(cls, method, options, findings);
    if (!method.code) continue;
    try {
      MethodVerifier(cls, method, findings).run();
    } catch (const LoadError& error) {
      // Only a ClassFile that did not come from parse_class_file can hold inconsistent references.
      findings.push_back(Finding{cls.name, method.name + method.descriptor, -1, {}, error.what()});
    }
  }
  return findings;
}

void require_verified(const ClassFile& cls, const VerifyOptions& options) {
  const std::vector<Finding> findings = verify_class(cls, options);
  if (findings.empty()) return;
  std::string message;
  for (const Finding& finding : findings) {
    if (!message.empty()) message += '\n';
    message += finding.to_string();
  }
  throw LoadError(message);
}

}  // namespace sefleet::card::javacard::classfile
