#pragma once
// LibTorch includes glog, whose CHECK, CHECK_EQ, ... macros silently replace doctest's when
// doctest comes first: a failing check then aborts the binary instead of being reported, and
// passing ones are not counted. Every test that uses LibTorch includes this header instead of
// <doctest/doctest.h> (anywhere in its include list: it includes LibTorch itself first).
#include <torch/torch.h>

#undef CHECK
#undef CHECK_EQ
#undef CHECK_NE
#undef CHECK_LT
#undef CHECK_LE
#undef CHECK_GT
#undef CHECK_GE

#include <doctest/doctest.h>
