package com.sefleet.test.semantics;

interface Named {
  short code();
}
