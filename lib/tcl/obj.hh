// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A counted reference to a Tcl_Obj: Tcl_IncrRefCount when taken, Tcl_DecrRefCount when
// dropped. Tcl objects belong to one thread: create, copy and destroy an ObjRef only on
// the thread of the interpreter the object came from.
#pragma once

#include <tcl.h>

#include <utility>

namespace fail::tcl {

class ObjRef {
 public:
  ObjRef() = default;
  explicit ObjRef(Tcl_Obj* obj) : obj_(obj) {
    if (obj_) Tcl_IncrRefCount(obj_);
  }
  ObjRef(const ObjRef& o) : ObjRef(o.obj_) {}
  ObjRef(ObjRef&& o) noexcept : obj_(std::exchange(o.obj_, nullptr)) {}
  ObjRef& operator=(ObjRef o) noexcept {
    std::swap(obj_, o.obj_);
    return *this;
  }
  ~ObjRef() {
    if (obj_) Tcl_DecrRefCount(obj_);
  }

  Tcl_Obj* get() const { return obj_; }
  explicit operator bool() const { return obj_ != nullptr; }

 private:
  Tcl_Obj* obj_ = nullptr;
};

}  // namespace fail::tcl
