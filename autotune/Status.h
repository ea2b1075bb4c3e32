//===- Status.h - Errors as values for the autotuner -------------*- C++
//-*-===//
//
// The autotuner reports every failure a user can cause (a corrupt tuning
// database, a file that is not one, a locked or read-only file) as a value
// carrying a message, never as an exception or a crash. `Status` is the result
// of an operation that returns nothing, `Expected<T>` of one that returns a T.
// Both are [[nodiscard]], so a forgotten check is a compiler warning.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_AUTOTUNE_STATUS_H
#define ANVIL_AUTOTUNE_STATUS_H

#include <optional>
#include <string>
#include <utility>

namespace anvil::autotune {

/// Success, or a failure with a message meant for the user (it names the file
/// and the problem; tools print it after "error: ").
class [[nodiscard]] Status {
public:
  static Status success() { return Status(); }
  static Status failure(std::string message) {
    Status status;
    status.failed = true;
    status.text = std::move(message);
    return status;
  }

  bool ok() const { return !failed; }
  /// The failure message; empty on success.
  const std::string &message() const { return text; }

private:
  Status() = default;
  bool failed = false;
  std::string text;
};

/// A T, or the failure that prevented computing it. Like std::optional, the
/// value may only be accessed when the object converts to true.
template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : value(std::move(value)), error(Status::success()) {}
  /// `error` must be a failure; a success without a value would be a bug in the
  /// caller, so it is turned into a failure rather than trusted.
  Expected(Status error)
      : error(error.ok() ? Status::failure("internal error: no value")
                         : std::move(error)) {}

  explicit operator bool() const { return value.has_value(); }
  T &operator*() { return *value; }
  const T &operator*() const { return *value; }
  T *operator->() { return &*value; }
  const T *operator->() const { return &*value; }

  /// The failure; a success when there is a value.
  const Status &status() const { return error; }
  const std::string &message() const { return error.message(); }

private:
  std::optional<T> value;
  Status error;
};

} // namespace anvil::autotune

#endif // ANVIL_AUTOTUNE_STATUS_H
